"""One tab's memory budget (issue 21, item 6): the estimate is above what a trainer really keeps, and the
pages refuse, before building, a choice that would take the tab over it (the Initialization lab's ten
schemes on a heavy net), saying what to lower."""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.run.config import Config
from mlp.engine.initializers import INITIALIZERS
from mlp.run.session_budget import SESSION_BUDGET, trainer_bytes
from mlp.run.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
INIT_PAGE = str(ROOT / "pages" / "2_Initialization.py")
HEAVIEST = {"hidden": ",".join(["79"] * 40), "n_samples": "2000"}     # the most the cost cap allows


@pytest.mark.parametrize("config", [
    Config(hidden=(256,) * 4, n_samples=2000, optimizer="adam", batch_size=10),
    Config(hidden=(256,) * 5, n_samples=500, optimizer="adam", batch_size=10),
    Config(hidden=(20,) * 40, n_samples=2000, optimizer="sgd", batch_size=25),
    Config(),
])
def test_the_estimate_is_above_what_a_trainer_keeps(config):
    tracemalloc.start()
    trainer = Trainer(config)
    trainer.run(40)
    trainer.probe()              # a probe keeps the whole training set's signals: the most a trainer holds
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    estimate = trainer_bytes(config)
    assert kept <= estimate <= 2 * kept + 1_000_000, (kept, estimate)
    assert trainer.step == 40


def test_the_heaviest_run_a_link_allows_fits_one_tab():
    # the budget must not refuse what the cost cap allows a single run
    heaviest = Config(hidden=(79,) * 40, n_samples=2000, optimizer="adam")
    assert trainer_bytes(heaviest) <= SESSION_BUDGET


def open_init(**params) -> AppTest:
    at = AppTest.from_file(INIT_PAGE, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_the_initialization_lab_refuses_ten_heavy_schemes_and_says_how_many_fit():
    at = open_init(hidden="128,128,128,128,128", n_samples="2000")     # one scheme of this holds about 45 MB
    lab = at.session_state["lab_initialization"]
    before = lab.comparison
    assert lab.config.hidden == (128,) * 5 and len(before.trainers) == 3
    at.get("button_group")[0].set_value(list(INITIALIZERS)).run()       # the schemes' pills: every registered one
    assert not at.exception
    lab = at.session_state["lab_initialization"]
    assert lab.comparison is before and len(lab.comparison.trainers) == 3      # nothing was built
    warning = " ".join(w.value for w in at.warning)
    assert f"{len(INITIALIZERS)} schemes of this network" in warning and "Compare at most 4 schemes" in warning


def test_a_link_too_heavy_for_the_lab_falls_back_to_the_preset_and_says_why():
    at = open_init(**HEAVIEST)          # the preset's three schemes at 40 x 79 x 2,000 points: about 540 MB
    assert not at.exception
    lab = at.session_state["lab_initialization"]
    assert lab.config.hidden == (32,) * 6 and len(lab.comparison.trainers) == 3
    assert any("share of the server" in w.value and "preset" in w.value for w in at.warning)


def test_the_playground_counts_what_the_labs_hold():
    from mlp.lab import initialization as init_lab
    heavy = init_lab.PRESETS["tanh"].config.replace(hidden=(128,) * 5, n_samples=2000)
    held = init_lab.Comparison(heavy, ("small", "normal", "he_normal"))     # about 134 MB, as the lab keeps it
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["lab_initialization"] = {"comparison": held}
    for key, value in HEAVIEST.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.session_state["run"].config == Config()          # the link's 180 MB run would pass the budget
    assert any("share of the server" in w.value and "default settings" in w.value for w in at.warning)
    # without the lab's runs the same link opens as asked
    alone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in HEAVIEST.items():
        alone.query_params[key] = value
    alone.run()
    assert alone.session_state["run"].config.hidden == (79,) * 40
