"""Classroom mode in a real browser: a teacher's link keeps its rules across a page change (Streamlit
empties the address bar there), the Share popover's links carry them, and a lab opens on ?preset=."""
from urllib.parse import parse_qs, urlsplit

from tests.browser import save_screenshot

PLOT = "div.mlp-plot .main-svg"


def test_a_lesson_link_survives_a_page_change_and_is_shared(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(server + "/?hide=views,lr&lock=activation&dataset=xor")
    page.wait_for_selector(PLOT, timeout=90_000)
    assert page.get_by_text("Show test data").count() == 0
    assert page.get_by_text("…or type a learning rate").count() == 0
    assert page.locator(".st-key-setting_activation input").is_disabled()
    page.get_by_role("button", name="Share this run").click()
    shared = page.locator("[data-testid='stPopoverBody'] code").first.inner_text()
    assert shared.startswith(server)
    assert parse_qs(urlsplit(shared).query) == {"dataset": ["xor"], "hide": ["lr,views"], "lock": ["activation"]}
    save_screenshot(page, "classroom_share.png")
    page.keyboard.press("Escape")

    page.get_by_role("link", name="Gradient flow").click()
    page.wait_for_url("**/Gradient_flow**", timeout=30_000)
    page.wait_for_selector(PLOT, timeout=90_000)
    page.wait_for_function("location.search.includes('lock=activation')", timeout=30_000)
    query = parse_qs(urlsplit(page.url).query)
    assert query["hide"] == ["lr,views"] and query["lock"] == ["activation"]
    assert page.locator(".st-key-flow_activation input").is_disabled()
    assert page.locator(".st-key-flow_lr").count() == 0
    page.close()


def test_a_lab_opens_on_the_links_preset(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(server + "/Compare?preset=sgd-vs-adam&hide=presets")
    page.get_by_text("Adam scales each weight's step").wait_for(timeout=90_000)
    assert page.get_by_role("button", name="sigmoid vs ReLU").count() == 0
    page.close()
