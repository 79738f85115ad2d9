"""The class wall under a workshop's load: N students playing, with and without a class and its wall.

    python bench/class_wall.py --students 30 --seconds 60
    python bench/class_wall.py --students 30 --seconds 60 --workers 2     # mlp.serve: 2 workers + nginx

Every student is a bench/protocol_client.py `Student` (no browser: what is measured is the server).
Two rounds on one fresh server with its store in a temp dir (MLP_STORE):
  without   N students open the Playground and press Play: the baseline
  with      N students open the class's join link (each a name), land on the Playground, press Play and
            so post a snapshot every 2 s; a teacher's wall (also a `Student`, on the teacher link)
            rereads the store every second
Printed per round: the server's CPU (its processes; 100% = one core), the students' step rate, and
for the wall its lag: for every card the wall receives, the time it arrives minus the time its
snapshot was taken (the card carries it, data-time). The goal: lag at most 3 s, and the class
(posting and the wall together) adding at most 5% to the server's CPU.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.playground_page import playground_server  # noqa: E402
from bench.protocol_client import Student  # noqa: E402
from bench.workshop import _server_pids  # noqa: E402
from tests.procstat import cpu_seconds  # noqa: E402

WARMUP_S = 5.0
CARD_TIME = re.compile(rb'data-time="(\d+\.\d+)"')
GOAL_LAG_S, GOAL_EXTRA_CPU = 3.0, 5.0


class Wall:
    """The teacher's wall as a protocol client: the arrival time minus the snapshot time of each card."""

    def __init__(self, url: str, class_id: str, key: str):
        self.client = Student(url, page="Class", query=urlencode({"class": class_id, "key": key}))
        self.client.on_message = self._message
        self.lags: list[float] = []
        self.counting = False

    def _message(self, raw: bytes) -> None:
        if self.counting:
            now = time.time()
            self.lags += [now - float(t) for t in CARD_TIME.findall(raw)]


async def _round(url: str, server: list[int], n: int, seconds: float, class_id: str | None, key: str | None) -> dict:
    if class_id:
        students = [Student(url, page="Class", query=urlencode({"join": class_id, "name": f"Student {i + 1:02d}"}))
                    for i in range(n)]
    else:
        students = [Student(url) for _ in range(n)]
    for s in students:
        await s.open()
    await asyncio.gather(*(s.press("Play", timeout=300) for s in students))
    wall = None
    if class_id:
        wall = Wall(url, class_id, key)
        await wall.client.open()
    await asyncio.sleep(WARMUP_S)
    pids = _server_pids(server)
    steps0, cpu0, t0 = [s.step or 0 for s in students], cpu_seconds(pids), time.monotonic()
    if wall:
        wall.counting = True
    await asyncio.sleep(seconds)
    cpu1, t1 = cpu_seconds(_server_pids(server)), time.monotonic()
    if wall:
        wall.counting = False
    steps = [((s.step or 0) - a) / (t1 - t0) for s, a in zip(students, steps0)]
    lost = sum(1 for s in students if s.error)
    await asyncio.gather(*(s.close() for s in students), *([wall.client.close()] if wall else []))
    result = {"cpu": 100 * (cpu1 - cpu0) / (t1 - t0), "steps": statistics.median(steps), "lost": lost}
    if wall:
        lags = sorted(wall.lags)
        result.update(cards=len(lags), lag_median=statistics.median(lags) if lags else float("nan"),
                      lag_p95=lags[int(0.95 * (len(lags) - 1))] if lags else float("nan"),
                      lag_max=lags[-1] if lags else float("nan"))
    return result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=0, help="0: one `streamlit run`; K: mlp.serve with K workers")
    args = p.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="mlp-bench-store-")
    os.environ["MLP_STORE"] = f"sqlite:///{folder}/classes.sqlite"      # the server inherits it
    from mlp.store import open_store
    class_id, key = open_store().create_class("Bench")
    print(f"{args.students} students, {args.seconds:g} s a round, "
          f"{'mlp.serve with %d workers' % args.workers if args.workers else 'one streamlit run'}, "
          f"store {os.environ['MLP_STORE']}, {os.cpu_count()} cores")
    with playground_server(args.workers) as (url, server):
        without = asyncio.run(_round(url, server, args.students, args.seconds, None, None))
        time.sleep(3)
        with_wall = asyncio.run(_round(url, server, args.students, args.seconds, class_id, key))
    print(f"{'round':>8} {'server CPU %':>13} {'steps/s':>8} {'cards seen':>10} {'lag median':>11} {'lag p95':>8} "
          f"{'lag max':>8} {'lost':>5}")
    print(f"{'without':>8} {without['cpu']:13.0f} {without['steps']:8.0f} {'-':>10} {'-':>11} {'-':>8} {'-':>8} "
          f"{without['lost']:5d}")
    w = with_wall
    print(f"{'with':>8} {w['cpu']:13.0f} {w['steps']:8.0f} {w['cards']:10d} {w['lag_median']:10.2f}s "
          f"{w['lag_p95']:7.2f}s {w['lag_max']:7.2f}s {w['lost']:5d}")
    extra = w["cpu"] - without["cpu"]
    extra_share = 100 * extra / without["cpu"] if without["cpu"] else float("nan")
    print(f"the class adds {extra:+.0f} points of server CPU ({extra_share:+.1f}% of the baseline; goal <= "
          f"{GOAL_EXTRA_CPU:g}%), wall lag p95 {w['lag_p95']:.2f} s (goal <= {GOAL_LAG_S:g} s): "
          f"{'ok' if extra_share <= GOAL_EXTRA_CPU and w['lag_p95'] <= GOAL_LAG_S else 'MISS'}")
    print(f"cards in the store after the round: {len(open_store().wall(class_id, key))}")


if __name__ == "__main__":
    main()
