"""What the browser benchmarks and tests share: the servers they measure, opening the Playground, pressing Play."""
from __future__ import annotations

from contextlib import contextmanager

from mlp.classroom.serving import WORKER_HEADER
from mlp.harness.servers import CHROMIUM, CHROMIUM_FLAGS, ROOT, start_streamlit, step_counter  # noqa: F401

CHART = "div.mlp-plot"
DRAWN_CHART = "div.mlp-plot .main-svg"
BOUNDARY = ".st-key-chart_boundary div.mlp-plot"


@contextmanager
def playground_server(workers: int = 0, root=ROOT, options: tuple[str, ...] = ()):
    """(url, server pids): one `streamlit run app.py`, or with workers >= 1, mlp.classroom.serving's workers + nginx.

    root: the checkout they run (this one by default); options: more `--server.x value` pairs for
    `streamlit run` (an A/B of a setting in one session).
    """
    if workers:
        from mlp.classroom.serving import free_ports, start_room   # only here: plain runs need no nginx
        room = start_room(workers, free_ports(1)[0], host="127.0.0.1", root=root)
        try:
            yield room.url, [p.pid for p in room.procs]
        finally:
            room.stop()
    else:
        proc, url = start_streamlit("app.py", *options, cwd=root)
        try:
            yield url, [proc.pid]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def open_playground(page, url: str, drawn: bool = True) -> str | None:
    """Load the page until its charts exist (drawn=True: until one is drawn, which needs it in view).

    Returns the worker that serves it when behind mlp.classroom.serving's nginx, else None.
    """
    response = page.goto(url, wait_until="commit")
    page.wait_for_selector(DRAWN_CHART if drawn else CHART, state="attached", timeout=120_000)
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    return response.headers.get(WORKER_HEADER.lower()) if response else None


def press_play(page) -> None:
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=60_000)


def batches_received(page) -> int:
    """How many batches of frames the Output chart has received (each one updates every chart)."""
    return int(page.locator(BOUNDARY).get_attribute("data-batches") or 0)


def frames_received(page) -> int:
    """How many frames the Output chart has received: the pictures it shows, one after another."""
    return int(page.locator(BOUNDARY).get_attribute("data-frames") or 0)
