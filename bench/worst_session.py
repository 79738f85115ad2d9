"""The worst session one browser tab can build, before and after the per-session memory budget.

    python bench/worst_session.py              # the table below, each case in its own process
    python bench/worst_session.py --case NAME  # one case (what the table runs)

Cases (each the heaviest link the cost cap allows: 40 hidden layers x 79 units at 2,000 points; the
others, 4 x 256 at 2,000 points and 5 x 256 at 500, hold less):
- init-10: the Initialization lab on that link with all ten schemes chosen, as it was built before the
  budget (one trainer per scheme, each trained one rerun's 50 steps, plus the symmetry demo's net);
- init-budget: the same lab as the budget lets it be built now: as many schemes as fit
  (mlp/run/session_budget.py; the page refuses more and says so);
- playground: the Playground on that link (one trainer, a played batch and one full frame of figures),
  which the budget admits;
- playground+init: both pages opened in one tab, the lab getting what the budget leaves (here nothing at
  this size: it opens on its preset, as the page does).
For each: the budget's estimate, the memory the session keeps and its peak (tracemalloc, which sees
NumPy's buffers), and the process's peak RSS (VmHWM: the interpreter, NumPy and the case).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from threadpoolctl import threadpool_limits  # noqa: E402

from mlp.engine.initializers import INITIALIZERS  # noqa: E402
from mlp.lab import initialization as init_lab  # noqa: E402
from mlp.live.frame import Views, frame_figures  # noqa: E402
from mlp.run.session_budget import SESSION_BUDGET, most_that_fit, trainer_bytes  # noqa: E402
from mlp.run.trainer import Trainer  # noqa: E402

HEAVY = dict(hidden=(79,) * 40, n_samples=2000)     # the most weights x points the cost cap allows
STEPS = 50                                          # a few frames of the lab playing (pace.MAX_STEPS_PER_FRAME each)
INIT_CONFIG = init_lab.PRESETS["tanh"].config.replace(**HEAVY)
PLAYGROUND_CONFIG = INIT_CONFIG.replace(optimizer="adam", batch_size=10)


def init_lab_session(n_schemes: int, config=INIT_CONFIG, schemes=None) -> tuple[list, int]:
    schemes = schemes or tuple(INITIALIZERS)[:n_schemes]
    held = [init_lab.Comparison(config, schemes), Trainer(init_lab.symmetry_config("zeros"))]
    held[0].train(STEPS)
    return held, trainer_bytes(config) * len(schemes)


def playground_session() -> tuple[list, int]:
    trainer = Trainer(PLAYGROUND_CONFIG)
    report = trainer.run(STEPS)
    frame_figures(trainer, report, Views())
    return [trainer], trainer_bytes(PLAYGROUND_CONFIG)


def build(case: str) -> tuple[list, int, str]:
    per_scheme = trainer_bytes(INIT_CONFIG)
    if case == "init-10":
        held, estimate = init_lab_session(len(INITIALIZERS))
        return held, estimate, f"{len(INITIALIZERS)} schemes"
    if case == "init-budget":
        n = min(len(INITIALIZERS), most_that_fit(per_scheme, 0))
        held, estimate = init_lab_session(n)
        return held, estimate, f"{n} scheme(s)"
    if case == "playground":
        held, estimate = playground_session()
        return held, estimate, "1 run"
    if case == "playground+init":
        held, estimate = playground_session()
        n = min(len(INITIALIZERS), most_that_fit(per_scheme, estimate))
        if n:
            more, more_estimate = init_lab_session(n)
            what = f"1 run + {n} heavy scheme(s)"
        else:           # the lab refuses the link and opens on its preset (mlp/ui/initialization_page.py)
            preset = init_lab.PRESETS["tanh"]
            more, more_estimate = init_lab_session(0, preset.config, preset.schemes)
            what = "1 run + the lab's preset (3 schemes)"
        return held + more, estimate + more_estimate, what
    raise SystemExit(f"unknown case {case!r}")


def vm_hwm_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def run_case(case: str) -> None:
    with threadpool_limits(1):
        tracemalloc.start()
        held, estimate, what = build(case)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"{case}\t{what}\t{estimate / 1e6:.0f}\t{kept / 1e6:.0f}\t{peak / 1e6:.0f}\t{vm_hwm_mb():.0f}")
    del held


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--case", help="run one case in this process")
    args = p.parse_args()
    if args.case:
        run_case(args.case)
        return
    print(f"session budget {SESSION_BUDGET / 1e6:.0f} MB; link: {len(HEAVY['hidden'])} x {HEAVY['hidden'][0]}, "
          f"{HEAVY['n_samples']} points")
    print(f"{'case':17} {'what is built':44} {'estimate MB':>11} {'kept MB':>8} {'peak MB':>8} {'RSS peak MB':>11}")
    for case in ("init-10", "init-budget", "playground", "playground+init"):
        done = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=True)
        name, what, estimate, kept, peak, rss = done.stdout.strip().split("\t")
        print(f"{name:17} {what:44} {estimate:>11} {kept:>8} {peak:>8} {rss:>11}")


if __name__ == "__main__":
    main()
