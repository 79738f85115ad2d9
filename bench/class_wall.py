"""The class wall under a workshop's load: N students playing, with and without a class and its wall.

    python bench/class_wall.py --students 30 --seconds 60
    python bench/class_wall.py --students 30 --seconds 60 --workers 2     # mlp.classroom.serving: 2 workers + nginx
    python bench/class_wall.py --students 30 --workers 2 --baseline main  # and `main`'s wall beside this one
    python bench/class_wall.py --kinds without,lesson --baseline main      # main's lesson beside this one's

Every student is a mlp/ui/protocol_client.py `Student` (no browser: what is measured is the server).
Rounds of two kinds, alternating, each on a fresh server, the store in a temp dir (MLP_STORE):
  without   N students open the Playground and press Play: the baseline
  with      N students open the class's join link (each a name), land on the Playground, press Play and
            so post a snapshot every second; a teacher's wall (also a `Student`, on the teacher link)
            rereads the store every second
  lesson    as `with`, the class running a built-in lesson (LESSON): every student's page on its first step,
            the class reread every second (from the live fragment while playing), each rerun judging the step's goal
With --baseline REV, REV's checkout (git archive into a temp folder) runs a round of its own beside
each of `with` and `lesson` that --kinds chose, so a change is measured before and after in the same
run, the rounds interleaved (the students, the wall and this script are this checkout's).
Printed per round: the server's CPU (its processes; 100% = one core), the students' step rate, the
worst student's chart updates per second (Output figures received; goal >= 10 with a lesson), and
for the wall how far behind it is: a card's age when it arrives (its arrival time minus the time
its snapshot was taken, which the card carries as data-time), and how old a student's card is when
the next one replaces it, the most the wall is ever behind. The goals: at most 3 s behind, and the
class (posting and the wall together) adding at most 5% to the server's CPU.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mlp.harness.playground_page import playground_server  # noqa: E402
from mlp.harness.class_room import Wall, class_students, new_class  # noqa: E402
from mlp.ui.protocol_client import Student  # noqa: E402
from mlp.harness.procstat import cpu_seconds, server_pids  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WARMUP_S = 5.0
GOAL_LAG_S, GOAL_EXTRA_CPU, GOAL_UPDATES = 3.0, 5.0, 10.0
LESSON = "first-neural-network"


async def _round(url: str, server: list[int], n: int, seconds: float, class_id: str | None, key: str | None) -> dict:
    if class_id:
        students = class_students(url, class_id, n)
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
    pids = server_pids(server)
    steps0, cpu0, t0 = [s.step or 0 for s in students], cpu_seconds(pids), time.monotonic()
    frames0 = [s.frames for s in students]
    if wall:
        wall.counting = True
    await asyncio.sleep(seconds)
    cpu1, t1 = cpu_seconds(server_pids(server)), time.monotonic()
    if wall:
        wall.counting = False
    steps = [((s.step or 0) - a) / (t1 - t0) for s, a in zip(students, steps0)]
    updates = [(s.frames - a) / (t1 - t0) for s, a in zip(students, frames0)]
    # server CPU per step taken: what neighbours on a shared machine take from the server changes the
    # step rate, much less what each step (and the class's share beside it) costs
    cpu_per_kstep = 1000 * 1000 * (cpu1 - cpu0) / max(1.0, sum(steps) * (t1 - t0))
    lost = sum(1 for s in students if s.error)
    await asyncio.gather(*(s.close() for s in students), *([wall.client.close()] if wall else []))
    result = {"cpu": 100 * (cpu1 - cpu0) / (t1 - t0), "steps": statistics.median(steps), "lost": lost,
              "load": os.getloadavg()[0],      # the machine's 1-minute load at the end: neighbours included
              "cpu_per_kstep": cpu_per_kstep, "updates_min": min(updates), "updates_med": statistics.median(updates)}
    if wall:
        result.update(wall.figures(seconds))
    return result


def _checkout(rev: str) -> str:
    """REV's tree in a temp folder (git archive: no worktree, the repository is left as it is)."""
    folder = tempfile.mkdtemp(prefix="mlp-bench-baseline-")
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    return folder


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--repeat", type=int, default=2, help="rounds of each kind, alternating (medians printed)")
    p.add_argument("--workers", type=int, default=0, help="0: one `streamlit run`; K: mlp.classroom.serving with K workers")
    p.add_argument("--baseline", metavar="REV", help="also run REV's checkout beside the with and lesson rounds chosen (before / after)")
    p.add_argument("--kinds", default="without,with,lesson",
                   help="the kinds of round to run, comma-separated (without is the baseline the others are read against)")
    args = p.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="mlp-bench-store-")
    os.environ["MLP_STORE"] = f"sqlite:///{folder}/classes.sqlite"      # the server inherits it
    print(f"{args.students} students, {args.seconds:g} s a round, "
          f"{'mlp.classroom.serving with %d workers' % args.workers if args.workers else 'one streamlit run'}, "
          f"store {os.environ['MLP_STORE']}, {os.cpu_count()} cores")
    kinds = {"without": ROOT, "with": ROOT, "lesson": ROOT}
    chosen = args.kinds.split(",")
    if args.baseline:           # REV's checkout beside this one, with a class (and a lesson when one is chosen)
        old = _checkout(args.baseline)
        kinds = {"without": ROOT, f"with@{args.baseline}": old, "with": ROOT, f"lesson@{args.baseline}": old,
                 "lesson": ROOT}
        chosen += [f"{kind}@{args.baseline}" for kind in ("with", "lesson") if kind in chosen]
    kinds = {kind: root for kind, root in kinds.items() if kind in chosen}
    rounds = {kind: [] for kind in kinds}
    for _ in range(args.repeat):          # alternating, each on a fresh server: drift and neighbours hit all
        for kind, root in kinds.items():
            with playground_server(args.workers, root=root) as (url, server):
                ids = (new_class(lesson=LESSON if kind.startswith("lesson") else None) if kind != "without"
                       else (None, None))
                print(f"round {kind} ...", flush=True)
                rounds[kind].append(asyncio.run(_round(url, server, args.students, args.seconds, *ids)))
    for kind, results in rounds.items():
        print(f"each round {kind}: server CPU " + ", ".join(f"{r['cpu']:.0f}%" for r in results)
              + "; steps/s " + ", ".join(f"{r['steps']:.0f}" for r in results)
              + "; CPU ms per 1000 steps " + ", ".join(f"{r['cpu_per_kstep']:.1f}" for r in results)
              + "; worst student's updates/s " + ", ".join(f"{r['updates_min']:.1f}" for r in results)
              + "; median " + ", ".join(f"{r['updates_med']:.1f}" for r in results)
              + ("; wall behind p95 " + ", ".join(f"{r['stale_p95']:.2f} s" for r in results) if "stale_p95" in results[0] else "")
              + "; load " + ", ".join(f"{r['load']:.1f}" for r in results))
    med = {kind: {k: statistics.median(r[k] for r in results) for k in results[0]} for kind, results in rounds.items()}
    base = med.get("without")
    print("medians:")
    print(f"{'round':>14} {'server CPU %':>13} {'updates/s worst':>16} {'steps/s':>8} {'steps vs without':>17} {'CPU ms/1k steps':>16} "
          f"{'vs without':>11} {'new cards/s':>12} "
          f"{'age on arrival':>15} {'post gap p95':>13} {'behind p95':>11} {'behind max':>11} {'lost':>5}")
    for kind, w in med.items():
        ratio = f"{100 * (w['steps'] / base['steps'] - 1):+.1f}%" if base and base["steps"] else "-"
        per_step = f"{100 * (w['cpu_per_kstep'] / base['cpu_per_kstep'] - 1):+.1f}%" if base else "-"
        if "cards" not in w:
            print(f"{kind:>14} {w['cpu']:13.0f} {w['updates_min']:16.1f} {w['steps']:8.0f} {'-':>17} {w['cpu_per_kstep']:16.1f} {'-':>11} "
                  f"{'-':>12} {'-':>15} {'-':>13} {'-':>11} {'-':>11} {w['lost']:5.0f}")
            continue
        print(f"{kind:>14} {w['cpu']:13.0f} {w['updates_min']:16.1f} {w['steps']:8.0f} {ratio:>17} {w['cpu_per_kstep']:16.1f} {per_step:>11} "
              f"{w['cards']:12.1f} "
              f"{w['lag_median']:8.2f}s (med) {w['gap_p95']:12.2f}s {w['stale_p95']:10.2f}s {w['stale_max']:10.2f}s "
              f"{w['lost']:5.0f}")
    print("(behind: how old a card is when the next one of that student replaces it, i.e. the most the wall lags;\n"
          " post gap: the time between a student's two snapshots the wall showed)")
    for kind, w in med.items():
        if kind == "without" or base is None:
            continue
        extra = w["cpu"] - base["cpu"]
        extra_share = 100 * extra / base["cpu"] if base["cpu"] else float("nan")
        fewer = 100 * (1 - w["steps"] / base["steps"]) if base["steps"] else float("nan")
        per_step = 100 * (w["cpu_per_kstep"] / base["cpu_per_kstep"] - 1)
        print(f"{kind}: the class adds {extra:+.0f} points of server CPU ({extra_share:+.1f}% of the baseline), "
              f"{per_step:+.1f}% CPU per step, {fewer:.1f}% fewer steps (goal <= {GOAL_EXTRA_CPU:g}%), the wall "
              f"at most {w['stale_p95']:.2f} s behind at p95 (goal <= {GOAL_LAG_S:g} s): "
              f"{'ok' if per_step <= GOAL_EXTRA_CPU and w['stale_p95'] <= GOAL_LAG_S else 'MISS'}; the worst student "
              f"{w['updates_min']:.1f} chart updates/s (goal >= {GOAL_UPDATES:g}): "
              f"{'ok' if w['updates_min'] >= GOAL_UPDATES else 'MISS'}")


if __name__ == "__main__":
    main()
