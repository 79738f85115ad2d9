"""Dead and saturated units: found on the whole training set, alarmed after a stretch of steps, named on
the page with remedies that work, outlined in the network view."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp.run.config import Config
from mlp.figures import network_figure
from mlp.engine.network import MLP
from mlp.run.stuck_units import STRETCH_STEPS, StuckWatch, stuck_units
from mlp.run.trainer import Trainer
from mlp.live.frame import Views, frame_figures

APP = str(Path(__file__).resolve().parent.parent / "app.py")
X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0], [2.0, 2.0]])


def net_with(activation, W1, b1):
    """A 2-3-1 net whose first layer is W1 (2, 3), b1 (3,)."""
    net = MLP([2, 3, 1], activation=activation, output="sigmoid", dtype="float64")
    net.weights[0][...] = W1
    net.biases[0][...] = b1
    return net


def test_a_relu_unit_negative_on_every_point_is_dead_and_one_positive_somewhere_is_not():
    # unit 1: z = -x1 - x2 - 10 < 0 everywhere (dead); unit 2: z = x1 > 0 on rows 0, 2, 3; unit 3: z = -5 + x2
    # is 0 at x2 = 5 and negative here (dead); |x| <= 2 on every row
    net = net_with("relu", [[-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]], [-10.0, 0.0, -5.0])
    assert stuck_units(net, X)[0].tolist() == [True, False, True]


def test_a_tanh_unit_flat_on_most_points_is_saturated():
    # tanh'(z) = 1 - tanh(z)² < 0.01 ⇔ |z| > atanh(√0.99) ≈ 2.99. Unit 1: z = 10·x1 (|z| ≥ 3 on 4 of 4 rows);
    # unit 2: z = x1 (|z| ≤ 2, never flat); unit 3: z = 2·x2 (|z| = 4, 1, 4, 4: flat on 3 of 4 rows, "most")
    net = net_with("tanh", [[10.0, 1.0, 0.0], [0.0, 0.0, 2.0]], [0.0, 0.0, 0.0])
    assert stuck_units(net, X)[0].tolist() == [True, False, True]
    assert stuck_units(net_with("leaky_relu", np.zeros((2, 3)) - 1, [-9.0] * 3), X) is None   # cannot die


def test_the_watch_alarms_after_a_stretch_and_forgets_on_a_step_back():
    watch, dead = StuckWatch(), [np.array([True, True, False, True])]
    watch.observe(0, [np.zeros(4, bool)], "relu")
    watch.observe(3, dead, "relu")
    assert watch.alarms() == []                                          # stuck, but not for long yet
    watch.observe(3 + STRETCH_STEPS, dead, "relu")
    (alarm,) = watch.alarms()
    assert (alarm.layer, alarm.kind, alarm.n_stuck, alarm.n_units, alarm.since, alarm.from_start) == \
        (1, "dead", 3, 4, 3, False)
    assert watch.flagged()[0].tolist() == [True, True, False, True]
    watch.observe(3 + STRETCH_STEPS + 1, [np.array([True, False, False, True])], "relu")   # one revived
    assert watch.alarms()[0].n_stuck == 2                                # still half of the layer
    watch.observe(2, dead, "relu")                                       # stepped back
    assert watch.alarms() == []


def test_spiral_relu_at_a_learning_rate_of_3_dies_and_the_alarm_names_it():
    """The issue's case: within a few steps every unit of the later hidden layers is dead, every ‖dW‖ is
    exactly 0 (no gradient gets through a layer that outputs 0 everywhere) and the chart still draws."""
    trainer = Trainer(Config(dataset="spiral", activation="relu", hidden=(4, 2, 2), lr=3.0))
    watch = StuckWatch()
    report = trainer.probe()
    figs = frame_figures(trainer, report, Views(), watch=watch)
    for _ in range(6):
        report = trainer.run(10)
        figs = frame_figures(trainer, report, Views(), watch=watch)
    alarms = watch.alarms()
    assert any(a.n_stuck == a.n_units and a.kind == "dead" and not a.from_start for a in alarms)
    assert np.all(report.signals.grad_norm == 0)
    floor = [t for t in figs["grad_norms"]["data"] if t["name"] == "0: dead"]
    assert len(floor) == 1                                               # a marked floor, not an empty chart
    marks = [t for t in figs["network"]["data"] if t.get("name") == "dead or saturated units"]
    assert len(marks) == 1


def test_the_network_view_outlines_the_flagged_units_only():
    sizes = [2, 3, 2, 1]
    weights = [np.ones((2, 3)), np.ones((3, 2)), np.ones((2, 1))]
    grids = [np.zeros((n, 4, 4)) for n in sizes]
    plain = network_figure(sizes, weights, grids, feature_labels=["a", "b"])
    marked = network_figure(sizes, weights, grids, feature_labels=["a", "b"],
                            stuck=[np.array([False, True, True]), np.array([False, False])])
    assert len(marked["data"]) == len(plain["data"]) + 1
    outline = marked["data"][-1]
    # two squares of 5 corners and a gap each; their centres are in the first hidden column (x = 3.2)
    xs = np.array(outline["x"], dtype=float)
    assert len(xs) == 12 and np.nanmin(xs) == pytest.approx(3.2 - 0.5) and np.nanmax(xs) == pytest.approx(3.2 + 0.5)


def test_the_playground_banner_names_the_dead_layer_and_a_remedy_applies():
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"dataset": "spiral", "activation": "relu", "hidden": "4,2,2", "lr": "3"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.warning
    run = at.session_state["run"]
    run.trainer.run(10)                     # by step 10 the units of layers 2 and 3 have died
    at.run()
    run.trainer.run(STRETCH_STEPS)
    at.run()
    banner = [w.value for w in at.warning if "dead" in w.value]
    assert banner and "(100%) dead" in banner[0] and "learning rate too high for ReLU" in banner[0]
    next(b for b in at.button if b.label.startswith("Lower the learning rate")).click().run()
    run = at.session_state["run"]
    assert not at.exception and run.config.lr == pytest.approx(0.3) and run.trainer.step == 0
    assert not [w for w in at.warning if "dead" in w.value]
