"""The tests' tabs (tests/browser.py: TabsBrowser) share a context and a renderer process, and still start
as pages of their own: a new tab finds no localStorage of the tab before it (where Streamlit keeps a
page's sidebar open or closed), and a reload in one tab keeps its own."""


def test_a_new_tab_starts_without_the_last_tabs_storage_and_a_reload_keeps_its_own(browser, server):
    url = server + "/_stcore/health"            # the app's origin, without loading the app
    first = browser.new_page(viewport={"width": 400, "height": 300})
    second = None
    try:
        first.goto(url)
        first.evaluate("localStorage.setItem('stSidebarCollapsed-x', 'false')")
        first.reload()
        assert first.evaluate("localStorage.getItem('stSidebarCollapsed-x')") == "false"
        second = browser.new_page(viewport={"width": 400, "height": 300})
        second.goto(url)
        assert second.evaluate("localStorage.getItem('stSidebarCollapsed-x')") is None
        assert second.context == first.context            # one context: its cache and renderer are shared
    finally:
        first.close()
        if second is not None:
            second.close()
