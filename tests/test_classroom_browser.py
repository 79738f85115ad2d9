"""Classroom mode in a real browser: a teacher's link keeps its rules across a page change (Streamlit
empties the address bar there), the Share popover's links carry them, its Lesson link is signed by the
server, and a lab opens on ?preset=."""
import re
from urllib.parse import parse_qs, urlencode, urlsplit

from mlp.classroom.lesson_link import CHANGED
from tests.browser import save_screenshot

PLOT = "div.mlp-plot .main-svg"


def test_a_lesson_link_survives_a_page_change_and_is_shared(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(server + "/?hide=views,lr&lock=activation&dataset=xor")
    page.wait_for_selector(PLOT, timeout=90_000)
    assert page.get_by_text("Show test data").count() == 0
    assert page.get_by_text("…or type a learning rate").count() == 0
    assert page.locator(".st-key-setting_activation input").is_disabled()
    page.get_by_role("button", name="Share", exact=True).click()
    codes = page.get_by_test_id("stPopoverBody").locator("code")
    codes.nth(1).wait_for(timeout=30_000)                  # the plain link and the teacher's, signed
    ours = [text for text in codes.all_inner_texts() if text.startswith(server)]     # this app's links
    assert {"dataset": ["xor"], "hide": ["lr,views"], "lock": ["activation"]} in [
        parse_qs(urlsplit(text).query) for text in ours]
    [lesson] = [text for text in ours if "lesson" in parse_qs(urlsplit(text).query)]    # the teacher's, signed
    assert "lesson" in parse_qs(urlsplit(lesson).query)
    save_screenshot(page, "classroom_share.png")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Labs").click()                       # the header's list of labs
    page.get_by_test_id("stPopoverBody").get_by_role("link", name="Gradient flow").click()
    page.wait_for_url("**/Gradient_flow**", timeout=30_000)
    page.wait_for_selector(PLOT, timeout=90_000)
    page.wait_for_function("location.search.includes('lock=activation')", timeout=30_000)
    query = parse_qs(urlsplit(page.url).query)
    assert query["hide"] == ["lr,views"] and query["lock"] == ["activation"]
    assert page.locator(".st-key-flow_activation input").is_disabled()
    assert page.locator(".st-key-flow_lr").count() == 0
    page.close()

    # a student strips the lock from the signed lesson link and changes the locked value: the server
    # that signed it sees the change, keeps the lock and the teacher's value, and says so
    query = {k: v[0] for k, v in parse_qs(urlsplit(lesson).query).items()}
    assert set(query) == {"dataset", "hide", "lock", "lesson"}
    del query["lock"]
    student = browser.new_page(viewport={"width": 1400, "height": 1200})
    student.goto(server + "/?" + urlencode({**query, "activation": "relu"}))
    student.get_by_text(CHANGED).wait_for(timeout=90_000)
    assert student.locator(".st-key-setting_activation input").is_disabled()
    assert student.locator(".st-key-setting_activation input").input_value() == "Tanh"     # the teacher's
    student.wait_for_function("location.search.includes('lock=activation')", timeout=30_000)
    student.close()


def test_a_lab_opens_on_the_links_preset(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(server + "/Compare?preset=sgd-vs-adam&hide=presets")
    # the preset's sides, as each side's caption names them (its story is behind "What am I looking at?")
    page.get_by_text(re.compile(r"dashed lines\).*· Adam,")).wait_for(timeout=90_000)
    assert page.get_by_text(re.compile(r"solid lines\).*· SGD,")).count() == 1
    assert page.get_by_role("button", name="sigmoid vs ReLU").count() == 0
    page.close()
