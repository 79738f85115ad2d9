"""A classroom on one server: each browser tab's run is its own.

Two browser contexts (two students) play at once with different settings and never see each other's
data, step counter or link; a diverging run does not stop or break the other one, nor does the heaviest
run a link may ask for.
"""
import time

import numpy as np
import pytest

from mlp.run.config import MAX_COST, Config
from mlp.engine.datasets import make_dataset
from mlp.harness.playing_students import PlayingStudents
from mlp.ui.protocol_client import Student
from tests.browser import step_counter, wait_for_steps

PLOT = "div.mlp-plot .main-svg"
# the boundary chart's training points, as drawn (Plotly keeps the figure it drew on the div; its
# _fullData has the typed arrays the page sends decoded)
DRAWN_POINTS = """() => {
  const div = document.querySelector('.st-key-chart_boundary div.mlp-plot');
  const t = div._fullData.find((t) => t.mode === 'markers' && t.x.length > 1);
  return Array.from(t.x, (x, i) => [x, t.y[i]]);
}"""


def open_student(browser, url: str):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(PLOT, timeout=90_000)
    return context, page


def train_points(query: dict) -> np.ndarray:
    """The training points a run with these link settings must show, computed here independently."""
    c = Config.from_query(query)
    return make_dataset(c.dataset, c.n_samples, c.noise, c.train_fraction, c.data_seed, c.n_classes).X_train


def shows_points(page, X: np.ndarray) -> bool:
    drawn = np.array(page.evaluate(DRAWN_POINTS), dtype=float)
    if drawn.shape != X.shape:
        return False
    nearest = np.abs(drawn[:, None, :] - X[None, :, :]).max(axis=2).min(axis=1)
    return bool(nearest.max() <= 0.006)        # drawn points are rounded to 2 decimals


@pytest.fixture
def students(browser):
    opened = []
    yield lambda url: opened.append(open_student(browser, url)) or opened[-1][1]
    for context, _ in opened:
        context.close()


def test_two_students_with_different_settings_never_share_a_run(server, students):
    qa, qb = {"dataset": "xor", "lr": "0.1"}, {"dataset": "spiral", "lr": "0.003", "data_seed": "7"}
    a = students(server + "/?dataset=xor&lr=0.1")
    b = students(server + "/?dataset=spiral&lr=0.003&data_seed=7")
    Xa, Xb = train_points(qa), train_points(qb)
    assert shows_points(a, Xa) and shows_points(b, Xb)
    assert not shows_points(a, Xb) and not shows_points(b, Xa)     # the check can tell them apart

    a.get_by_role("button", name="Play").click()
    b.get_by_role("button", name="Play").click()
    wait_for_steps(a, 30)
    wait_for_steps(b, 30)
    a.get_by_role("button", name="Pause").click()
    a.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1)
    held = step_counter(a)
    b_before = step_counter(b)
    wait_for_steps(b, b_before + 20)                   # b plays on while a is paused ...
    assert step_counter(a) == held                     # ... and a's counter does not move with b's
    b.get_by_role("button", name="Pause").click()
    b.get_by_role("button", name="Play").wait_for(timeout=20_000)     # paused, as the student sees it
    b.get_by_role("button", name="Reset", exact=True).click()
    deadline = time.time() + 20                        # (a loaded CI machine: the other worker's pages play)
    while (step := step_counter(b)) != 0:
        assert time.time() < deadline, f"Reset did not bring b back to step 0 (step {step})"
        time.sleep(0.3)
    assert step_counter(a) == held                     # b's Reset is b's alone
    assert "dataset=xor" in a.url and "lr=0.1" in a.url and "spiral" not in a.url
    assert "dataset=spiral" in b.url and "lr=0.003" in b.url and "xor" not in b.url
    assert shows_points(a, Xa) and shows_points(b, Xb)


def test_a_diverging_student_does_not_stop_the_others(server, students):
    calm = students(server + "/")
    wild = students(server + "/?lr=10&init=normal&init_gain=10&activation=relu&hidden=8%2C8%2C8")
    calm.get_by_role("button", name="Play").click()
    wait_for_steps(calm, 10)
    wild.get_by_role("button", name="Play").click()
    wild.get_by_text("The training diverged").wait_for(timeout=30_000)
    # after the other run blew up, this one keeps training and shows nothing of it
    start = step_counter(calm)
    wait_for_steps(calm, start + 50)
    assert calm.get_by_text("The training diverged").count() == 0
    assert wild.get_by_role("button", name="Play").is_visible()         # the wild run stopped itself


def test_the_heaviest_allowed_link_does_not_stop_the_others(server, students):
    """A link over the cost cap opens capped, with a message; the heaviest run the cap allows plays beside
    a calm one, which keeps training. The heavy student is a protocol client (mlp/ui/protocol_client.py):
    the server trains its net as any browser's, and Chromium drawing it cost the run some 40 CPU
    seconds that tested nothing here."""
    over = students(server + "/?hidden=" + "%2C".join(["256"] * 40) + "&n_samples=2000&optimizer=adam")
    over.get_by_text("too big for a shared server").wait_for(timeout=30_000)
    heaviest = Config(hidden=(79,) * 40, n_samples=2000, optimizer="adam")      # 40 × 80 is over the cap
    # by hand: 40 × 80 is (2+1)·80 + 39·(80+1)·80 + (80+1)·2 weights, × (2,000 + 10,000) points: over the cap
    assert heaviest.cost <= MAX_COST < (3 * 80 + 39 * 81 * 80 + 81 * 2) * 12_000
    calm = students(server + "/")
    heavy = Student(server, query="hidden=" + ",".join(["79"] * 40) + "&n_samples=2000&optimizer=adam")
    said = []
    heavy.on_message = lambda raw: said.append(b"too big for a shared server" in raw)
    with PlayingStudents([heavy], timeout=120):
        assert not any(said), "the heaviest allowed net was called too big"
        calm.get_by_role("button", name="Play").click()
        deadline = time.time() + 120
        while not heavy.step:                        # it trains (slowly: about a second a frame)
            assert time.time() < deadline, "the heaviest allowed net took no step in 120 s"
            time.sleep(0.5)
        start = step_counter(calm)
        wait_for_steps(calm, start + 50, timeout=60)
        assert calm.get_by_text("The training diverged").count() == 0
