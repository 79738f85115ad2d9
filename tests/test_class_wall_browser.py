"""The class wall in Chromium: a teacher starts a class, three students join by name and play (protocol
clients), the wall shows their cards live; the cards outlive a server restart; a wrong key shows none; a
student in Chromium who reloads keeps one card; and students on two workers behind nginx
(mlp.classroom.serving) appear on one wall."""
import time
import urllib.parse
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from mlp.classroom.serving import COOKIE, WORKER_HEADER, free_ports, start_room
from mlp.classroom import wall as wall_links
from mlp.harness.class_room import class_students, new_class
from mlp.harness.playing_students import PlayingStudents
from tests.browser import require_chromium, save_screenshot, start_streamlit, with_port
from tests.test_serve import require_nginx

PLOT = "div.mlp-plot .main-svg"
THUMBS = ".mlp-wall-thumb img"
NAMES = ["Ada", "Grace", "<b>Linus</b>"]


def start_class(browser, base: str) -> tuple[str, str]:
    """A teacher starts a class on the Class page: (join link, teacher link). (The tests after the first
    start theirs in the store, as `python -m mlp class new` does: a page load less each.)"""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(base + "/Class")
    page.get_by_label("Title").fill("Workshop wall test")
    page.get_by_role("button", name="Start the class").click()
    page.get_by_text("Teacher link", exact=True).wait_for(timeout=60_000)
    codes = page.locator("[data-testid='stCode'] code")
    join, teacher = codes.nth(0).inner_text().strip(), codes.nth(1).inner_text().strip()
    page.close()
    assert join.startswith(base + "/Class?join=") and teacher.startswith(base + "/Class?class=")
    return join, teacher


def class_links(base: str) -> tuple[str, str]:
    """A class started in the store the servers share (store_env): (join link, teacher link)."""
    class_id, key = new_class("Workshop wall test")
    return wall_links.join_link(base, class_id), wall_links.teacher_link(base, class_id, key)


def join(browser, join_link: str, names: list[str], cookies=()) -> list:
    """Students, each in a browser of their own: the join link with their name, then the Playground.
    Their pages load side by side, as in a room (one context per student, in `names`' order)."""
    contexts = []
    for name in names:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        if cookies:
            context.add_cookies(list(cookies))
        context.new_page().goto(join_link + "&" + urllib.parse.urlencode({"name": name}), wait_until="commit")
        contexts.append(context)
    for context in contexts:
        context.pages[0].wait_for_selector(PLOT, timeout=90_000)
    return contexts


def card_names(page) -> list[str]:
    return [n for n in NAMES if page.get_by_text(n, exact=True).count()]


def wait_for_cards(page, n: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while page.locator(THUMBS).count() < n:
        assert time.time() < deadline, f"the wall shows {page.locator(THUMBS).count()} cards, not {n}"
        time.sleep(0.5)


def thumbs(page) -> list[str]:
    return [page.locator(THUMBS).nth(i).get_attribute("src") for i in range(page.locator(THUMBS).count())]


def test_three_students_on_the_wall_live_through_a_restart_and_not_for_a_wrong_key(browser, store_env):
    """The wall in Chromium; its three students join by the link and play as protocol clients (they are
    served as browsers are, and a student's own page in Chromium is the other tests' subject)."""
    require_chromium()
    proc, base = start_streamlit()
    try:
        join_link, teacher_link = start_class(browser, base)
        class_id = parse_qs(urlsplit(join_link).query)["join"][0]
        with PlayingStudents(class_students(base, class_id, len(NAMES), NAMES)):
            wall = browser.new_page(viewport={"width": 1500, "height": 1100})
            wall.goto(teacher_link)
            wait_for_cards(wall, 3)
            assert "key=" not in wall.url and "class=" in wall.url     # the projected address bar shows no key
            assert card_names(wall) == NAMES                      # the markup in a name is shown as text
            assert wall.locator("b", has_text="Linus").count() == 0
            first = thumbs(wall)
            deadline = time.time() + 60
            while any(a == b for a, b in zip(first, thumbs(wall))):   # sorted by name: card i is student i
                assert time.time() < deadline, "a playing student's thumbnail did not change on the wall"
                time.sleep(1)
            save_screenshot(wall, "class_wall.png")
            wall.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    proc, base = start_streamlit()                            # a new server on the same store
    try:
        wall = browser.new_page(viewport={"width": 1500, "height": 1100})
        wall.goto(with_port(teacher_link, base))
        wait_for_cards(wall, 3)
        assert card_names(wall) == NAMES
        query = parse_qs(urlsplit(teacher_link).query)
        wrong = query["key"][0][:-2] + ("xy" if not query["key"][0].endswith("xy") else "zz")
        wall.goto(f"{base}/Class?class={query['class'][0]}&key={wrong}")
        wall.get_by_text("does not open a wall").wait_for(timeout=60_000)
        time.sleep(2)                                         # a wall would have drawn its cards by now
        assert wall.locator(THUMBS).count() == 0 and card_names(wall) == []
        assert wall.get_by_text("Workshop wall test").count() == 0
        wall.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_student_who_reloads_keeps_one_card_and_is_not_asked_their_name_again(browser, store_env):
    require_chromium()
    proc, base = start_streamlit()
    context = None
    try:
        join_link, teacher_link = class_links(base)
        [context] = join(browser, join_link, ["Ada"])
        student = context.pages[0]
        student.wait_for_url("**member=*", timeout=30_000)      # the address bar names the card
        student.reload()                                        # a new session on the same address
        student.wait_for_selector(PLOT, timeout=90_000)
        assert student.get_by_label("Your name").count() == 0
        student.get_by_role("button", name="Play").click()
        wall = browser.new_page(viewport={"width": 1500, "height": 1100})
        wall.goto(teacher_link)
        wait_for_cards(wall, 1)
        wall.get_by_text("· playing").first.wait_for(timeout=60_000)    # the reloaded page posts to the card
        time.sleep(3)                                         # a second card would have come by now
        assert wall.locator(THUMBS).count() == 1 and wall.get_by_text("Ada", exact=True).count() == 1
        wall.close()
    finally:
        if context is not None:
            context.close()
        proc.terminate()
        proc.wait(timeout=20)


def _route_to(url: str, worker: str) -> str:
    """A route cookie value that nginx sends to `worker` (its hash decides; we ask it)."""
    for i in range(200):
        request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"{COOKIE}=route{i}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            if r.headers[WORKER_HEADER] == worker:
                return f"route{i}"
    pytest.fail(f"no route to {worker} in 200 tries")


def test_students_on_two_workers_appear_on_one_wall(browser, store_env):
    require_chromium()
    require_nginx()
    room = start_room(2, free_ports(1)[0], host="127.0.0.1")
    students = []
    try:
        join_link, teacher_link = class_links(room.url)
        host = urlsplit(room.url).hostname
        for name, worker in zip(NAMES[:2], room.workers):
            cookie = {"name": COOKIE, "value": _route_to(room.url, worker), "domain": host, "path": "/"}
            students += join(browser, join_link, [name], cookies=[cookie])
        wall = browser.new_page(viewport={"width": 1500, "height": 1100})
        wall.goto(teacher_link)
        wait_for_cards(wall, 2)
        assert card_names(wall) == NAMES[:2]
        wall.close()
    finally:
        for context in students:
            context.close()
        room.stop()
