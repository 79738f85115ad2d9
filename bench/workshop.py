"""A workshop on one server: N students playing the default page at once.

    python bench/workshop.py --sessions 1,5,10,20,30 --seconds 60      # one `streamlit run`
    python bench/workshop.py --sessions 1,5,10,20,30 --seconds 60 --workers 2   # mlp.classroom.serving: 2 workers + nginx
    python bench/workshop.py --sessions 20 --seconds 600                # memory over 10 minutes of Play
    python bench/workshop.py --url http://host:8080 --sessions 5       # someone else's server (no server stats)
    python bench/workshop.py --client protocol --sessions 1,10,20,30   # light clients: the server's own capacity

For each N a fresh server is started; one Chromium opens N browser contexts (N students, each with
its own cookies, so each its own Streamlit session and, behind nginx, its own route), loads the
default page in each and presses Play.

What is counted, per session: "updates/s" = new pictures of the Output chart per second, i.e. frames
that reach it (the component counts them in data-frames as they arrive; it plays each batch's frames
back evenly until the next batch). "batches/s" = fragment reruns that reach the page: each one also
updates the status line and every other chart. Both are counted without the cost of drawing: the
viewport is small and the charts sit below it, so Chromium does not redraw them (plotly_live.py
skips charts out of view) and 30 pages fit on the same 2 cores as the server. Goals: every session
>= 2 updates/s at N = 20, and <= 50 MB per session.

With --client protocol no browser runs: each student is a mlp/ui/protocol_client.py `Student`, which
speaks Streamlit's WebSocket protocol as the browser's frontend does (page GET for the cookies, first
run, the click on Play, the fragment's rerun timer, every widget's value sent back) and counts the
Output chart's frames and batches and the "Step" metric from the messages, all N in one asyncio loop
in this process. A Chromium page costs about a quarter of a second of CPU per rerun, which on a small
machine leaves the server too little; a `Student` costs a few milliseconds, so what is measured is
the server. Nothing is drawn either way.

"KB/s" = bytes one student receives per second while playing, as they travel (after any WebSocket
compression, with frame headers): the protocol client counts its own (median over the students); the
browsers are reached through mlp/harness/wire_meter.py's counting relay, whose total is divided by N.
Goal: <= 64 KB/s per student (thirty on one classroom Wi-Fi). "--server-option" passes settings to
`streamlit run` for an A/B in one session, e.g. --server-option server.enableWebsocketCompression=false.

With --lesson (protocol clients only), each N gets a second round beside the first, on a fresh server
of its own: a class running a built-in lesson (first-neural-network unless named), its students
opening the class's join link (each with a name) and so landing on the lesson's first step, posting
a snapshot a second, the class reread every second (from the live fragment while playing) and each rerun judging the
step's goal; the teacher's wall is open on the teacher link, and how far behind it is gets printed
(mlp/harness/class_room.py: a card's age when the next card of its student replaces it, p95 and max,
and the gap between a student's two snapshots). Goals with a lesson (issue 25): the worst student
>= 10 updates/s and the wall <= 3 s behind, read against the round without a lesson of the same N.
The machine's 1-minute load average at the end of each round is printed beside it: on a shared
machine, compare rounds of one run only.

Server CPU is read from /proc for the server's processes (workers and nginx; 100% = one core), the
client's (Chromium, Playwright and this script) separately, so one can see who took the cores.
Memory per session = (server RSS while N play - server RSS idle) / N, where idle is measured after
one warm-up session has loaded and played on each worker (the one-off cost of a worker's first page
is not a student's). Behind nginx, students land on workers by their random route cookie, so the
split between workers is only roughly even.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from functools import partial

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mlp.harness.playground_page import (CHROMIUM, CHROMIUM_FLAGS, batches_received, frames_received, open_playground,  # noqa: E402
                                   playground_server, press_play, step_counter)
from mlp.harness.wire_meter import WireMeter  # noqa: E402
from mlp.harness.procstat import cpu_seconds, descendants, rss_mb, server_pids  # noqa: E402

VIEWPORT = {"width": 800, "height": 500}
WARMUP_S = 5.0              # after the last Play, before counting: every session past its first batches
RSS_EVERY_S = 5.0
GOAL_UPDATES = 2.0
GOAL_MB = 50.0
GOAL_KBPS = 64.0
GOAL_LESSON_UPDATES = 10.0      # with a lesson running (issue 25)
GOAL_LAG_S = 3.0


def _client_pids(server: list[int]) -> list[int]:
    """This process and what it started (Playwright's driver, Chromium), without the server."""
    skip = {p for s in server for p in descendants(s)}
    return [p for p in descendants(os.getpid()) if p not in skip]


def _warm_up(browser, url: str, workers: int) -> None:
    """One session played on every worker, so each has paid its one-off costs (imports, first page)."""
    seen: set[str | None] = set()
    for _ in range(8 * workers):                 # routes are random: keep opening until each worker had one
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        worker = open_playground(page, url, drawn=False)
        if worker not in seen:
            press_play(page)
            time.sleep(3)
        seen.add(worker)
        context.close()
        if len(seen) >= workers:
            break
    time.sleep(2)


def run_room(browser, url: str, server: list[int], workers: int, n: int, seconds: float) -> dict:
    """Open n sessions, Play in each, measure for `seconds`; `server` are the server's root pids (or [])."""
    with WireMeter(url) as meter:
        return _browser_room(browser, meter, server, workers, n, seconds)


def _browser_room(browser, meter: WireMeter, server: list[int], workers: int, n: int, seconds: float) -> dict:
    url = meter.url
    _warm_up(browser, url, workers)
    idle_rss = rss_mb(server_pids(server))

    # As a lesson starts: everyone opens the page, then everyone presses Play. (Opening a page while
    # the others already play costs this one machine's browser most, which a class does not share.)
    contexts, pages = [], []
    for _ in range(n):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        open_playground(page, url, drawn=False)
        contexts.append(context)
        pages.append(page)
    for page in pages:                # everyone clicks Play, then we wait for every page to show it
        page.get_by_role("button", name="Play").click()
    for page in pages:
        page.get_by_role("button", name="Pause").wait_for(timeout=300_000)
    time.sleep(WARMUP_S)

    def counts():
        received = meter.received / n                  # the relay sees them all: each student's share
        return [(time.monotonic(), batches_received(p), step_counter(p), frames_received(p), received)
                for p in pages]

    srv, cli = server_pids(server), _client_pids(server)
    start, cpu0, ccpu0, t0 = counts(), cpu_seconds(srv), cpu_seconds(cli), time.monotonic()
    rss_series = [(0.0, rss_mb(srv))]
    while (elapsed := time.monotonic() - t0) < seconds:
        time.sleep(min(RSS_EVERY_S, seconds - elapsed))
        rss_series.append((time.monotonic() - t0, rss_mb(server_pids(server))))
    cpu1, ccpu1, t1, end = cpu_seconds(srv), cpu_seconds(cli), time.monotonic(), counts()
    for context in contexts:
        context.close()
    return _result(n, start, end, (cpu1 - cpu0) / (t1 - t0), (ccpu1 - ccpu0) / (t1 - t0), idle_rss, rss_series)


def _result(n: int, start: list[tuple], end: list[tuple], server_cpu: float, client_cpu: float,
            idle_rss: float, rss_series: list[tuple[float, float]]) -> dict:
    """Per-student rates from (time, batches, step, frames, bytes) at the start and end; CPU in cores."""
    updates = [(f1 - f0) / (s1 - s0) for (s0, _, _, f0, _), (s1, _, _, f1, _) in zip(start, end)]
    batches = [(b1 - b0) / (s1 - s0) for (s0, b0, _, _, _), (s1, b1, _, _, _) in zip(start, end)]
    kbps = [(w1 - w0) / 1024 / (s1 - s0) for (s0, _, _, _, w0), (s1, _, _, _, w1) in zip(start, end)]
    known = [(s, e) for s, e in zip(start, end) if s[2] is not None and e[2] is not None]
    steps = [(k1 - k0) / (s1 - s0) for (s0, _, k0, _, _), (s1, _, k1, _, _) in known]
    rss = statistics.median(r for _, r in rss_series[-3:])         # the end of the run, not one sample
    return {"n": n, "load": os.getloadavg()[0], "median": statistics.median(updates), "worst": min(updates),
            "batches": statistics.median(batches), "kbps": statistics.median(kbps),
            "steps": statistics.median(steps) if steps else None, "server_cpu": 100 * server_cpu,
            "client_cpu": 100 * client_cpu, "idle_rss": idle_rss, "rss": rss,
            "mb_per_session": (rss - idle_rss) / n, "rss_series": rss_series}


async def _protocol_room(url: str, server: list[int], workers: int, n: int, seconds: float,
                         lesson: str | None = None) -> dict:
    """run_room with protocol clients: n `Student`s in this event loop, the same steps and counts; with a
    lesson, in a class that runs it (they join by its link) and with the teacher's wall open."""
    from mlp.harness.class_room import Wall, class_students, new_class
    from mlp.ui.protocol_client import Student

    seen: set[str | None] = set()       # warm-up: one session played on every worker, as in _warm_up
    for _ in range(8 * workers):
        student = Student(url)
        await student.open()
        if student.worker not in seen:
            await student.press("Play")
            await asyncio.sleep(3)
        seen.add(student.worker)
        await student.close()
        if len(seen) >= workers:
            break
    await asyncio.sleep(2)
    idle_rss = rss_mb(server_pids(server))

    wall = None
    if lesson:
        class_id, key = new_class(lesson=lesson)
        students = class_students(url, class_id, n)
    else:
        students = [Student(url) for _ in range(n)]
    for student in students:            # everyone opens the page, then everyone presses Play
        await student.open()
    await asyncio.gather(*(s.press("Play", timeout=300) for s in students))
    if lesson:
        wall = Wall(url, class_id, key)
        await wall.client.open()
    await asyncio.sleep(WARMUP_S)
    if wall:
        wall.counting = True

    def counts():
        return [(time.monotonic(), s.batches, s.step, s.frames, s.wire_bytes) for s in students]

    srv, cli = server_pids(server), _client_pids(server)
    runs0 = sum(s.runs for s in students), sum(s.runs_cut for s in students)
    start, cpu0, ccpu0, t0 = counts(), cpu_seconds(srv), cpu_seconds(cli), time.monotonic()
    rss_series = [(0.0, rss_mb(srv))]
    while (elapsed := time.monotonic() - t0) < seconds:
        await asyncio.sleep(min(RSS_EVERY_S, seconds - elapsed))
        rss_series.append((time.monotonic() - t0, rss_mb(server_pids(server))))
    cpu1, ccpu1, t1, end = cpu_seconds(srv), cpu_seconds(cli), time.monotonic(), counts()
    if wall:
        wall.counting = False
    runs, cut = sum(s.runs for s in students) - runs0[0], sum(s.runs_cut for s in students) - runs0[1]
    lost = [s.error for s in students if s.error]
    await asyncio.gather(*(s.close() for s in students), *([wall.client.close()] if wall else []))
    result = _result(n, start, end, (cpu1 - cpu0) / (t1 - t0), (ccpu1 - ccpu0) / (t1 - t0), idle_rss, rss_series)
    result["lesson"] = lesson
    if wall:
        result["wall"] = wall.figures(t1 - t0)
    # Runs the server finished but whose charts it dropped unsent (a session's unsent messages are
    # cleared when its next run starts before the event loop has flushed them): work nobody sees.
    result["note"] = (f"     fragment runs: {(runs + cut) / (t1 - t0):.1f}/s in all, "
                      f"{cut / max(1, runs + cut):.0%} of them dropped unsent")
    if lost:                            # a dropped student stopped counting: say why
        result["note"] += f"; {len(lost)} of {n} connections ended during the run: {lost[0]!r}"
    return result


def run_room_protocol(url: str, server: list[int], workers: int, n: int, seconds: float,
                      lesson: str | None = None) -> dict:
    return asyncio.run(_protocol_room(url, server, workers, n, seconds, lesson))


@contextmanager
def _client(kind: str):
    """run_room(url, server pids, workers, n, seconds) for this kind of client; a browser is started once."""
    if kind == "protocol":
        yield run_room_protocol
        return
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield partial(run_room, browser)
        browser.close()


def _row(r: dict, measured_server: bool) -> str:
    ok = (r["worst"] >= GOAL_UPDATES and r["kbps"] <= GOAL_KBPS
          and (not measured_server or r["mb_per_session"] <= GOAL_MB))
    wall = r.get("wall")
    if r.get("lesson"):
        ok = ok and r["worst"] >= GOAL_LESSON_UPDATES and wall is not None and wall["stale_p95"] <= GOAL_LAG_S
    server = (f"{r['server_cpu']:8.0f} {r['rss']:8.0f} {r['mb_per_session']:10.1f}" if measured_server
              else f"{'-':>8} {'-':>8} {'-':>10}")
    steps = f"{r['steps']:9.0f}" if r["steps"] is not None else f"{'-':>9}"
    behind = (f"{wall['stale_median']:6.2f} {wall['stale_p95']:6.2f} {wall['stale_max']:6.2f} {wall['gap_p95']:6.2f}"
              if wall else f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}")
    return (f"{r['n']:4d} {'lesson' if r.get('lesson') else 'none':>6} {r['median']:10.2f} {r['worst']:9.2f} "
            f"{r['batches']:9.2f} {r['kbps']:7.1f} {steps} {server} {r['client_cpu']:8.0f} {behind} {r['load']:5.1f}  "
            f"{'ok' if ok else 'MISS'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,5,10,20,30", help="comma-separated numbers of students")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of Play measured per N")
    parser.add_argument("--workers", type=int, default=0,
                        help="serve through mlp.classroom.serving with this many workers behind nginx (0: one streamlit run)")
    parser.add_argument("--url", help="measure a server that is already running (no server CPU/memory)")
    parser.add_argument("--client", choices=("browser", "protocol"), default="browser",
                        help="students as Chromium pages, or as light protocol clients (mlp/ui/protocol_client.py)")
    parser.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a `streamlit run --NAME VALUE` setting (one streamlit run only); repeatable")
    parser.add_argument("--lesson", nargs="?", const="first-neural-network", metavar="NAME",
                        help="beside each N's round, one with a class running this built-in lesson and its wall "
                             "(protocol clients only; default first-neural-network)")
    args = parser.parse_args(argv)
    if args.lesson and (args.client != "protocol" or args.url):
        parser.error("--lesson needs --client protocol and a server this script starts (no --url)")
    if args.lesson:
        from mlp.classroom.lesson_files import builtin
        if args.lesson not in builtin():
            parser.error(f"--lesson: no built-in lesson {args.lesson!r} (there are {', '.join(sorted(builtin()))})")
        folder = tempfile.mkdtemp(prefix="mlp-bench-store-")
        os.environ["MLP_STORE"] = f"sqlite:///{folder}/classes.sqlite"      # the servers inherit it
    options = tuple(part for o in args.server_option for part in ("--" + o.partition("=")[0], o.partition("=")[2]))
    counts = [int(s) for s in args.sessions.split(",") if s.strip()]

    where = args.url or (f"mlp.classroom.serving, {args.workers} worker(s) behind nginx" if args.workers
                         else "one streamlit run")
    print("client: " + ("protocol, N mlp/ui/protocol_client.py Students in this process (no browser)"
                        if args.client == "protocol" else "browser, N Chromium contexts in one Chromium"))
    print(f"{where}; {args.seconds:g} s of Play measured per N after {WARMUP_S:g} s; {os.cpu_count()} cores; "
          f"goal: worst >= {GOAL_UPDATES:g} updates/s, <= {GOAL_KBPS:g} KB/s and <= {GOAL_MB:g} MB/session"
          + (f"; {' '.join(options)}" if options else ""))
    print(f"{'N':>4} {'lesson':>6} {'upd/s med':>10} {'worst':>9} {'batches/s':>9} {'KB/s':>7} {'steps/s':>9} {'srv CPU%':>8} "
          f"{'srv MB':>8} {'MB/session':>10} {'cli CPU%':>8} {'wall behind: med':>16} {'p95':>6} {'max':>6} "
          f"{'post gap p95':>6} {'load':>5}")
    results = []
    with _client(args.client) as measure:
        for n in counts:
            for lesson in (None, args.lesson) if args.lesson else (None,):
                server = nullcontext((args.url, [])) if args.url else playground_server(args.workers, options=options)
                with server as (url, pids):
                    results.append(measure(url, pids, max(1, args.workers), n, args.seconds,
                                           **({"lesson": lesson} if lesson else {})))
                print(_row(results[-1], bool(pids)), flush=True)
                if "note" in results[-1]:
                    print(results[-1]["note"], flush=True)
    if not args.url and args.seconds >= 60:
        print("\nserver RSS over the run (MB):")
        for r in results:
            series = r["rss_series"]
            shown = series[:: max(1, len(series) // 10)] + ([series[-1]] if len(series) > 10 else [])
            print(f"N={r['n']:<3} idle {r['idle_rss']:.0f} | " + "  ".join(f"{t:.0f}s:{m:.0f}" for t, m in shown))


if __name__ == "__main__":
    main()
