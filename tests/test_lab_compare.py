"""The Compare page: both sides see the same data and start alike, train in step, a diverging side stops
alone; its figures; and the page loads, runs every preset and shows divergence on one side only."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp.lab import compare
from mlp.run.config import Config, ConfigError
from mlp.figures.compare_figures import grad_norms_pair_figure, loss_pair_figure

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/4_Compare.py"


def test_both_sides_get_the_same_data_and_starting_draws():
    base = Config(dataset="xor", noise=0.2, data_seed=3, seed=5)
    a, b = compare.make_pair(base, {"activation": "sigmoid"}, {"activation": "relu", "lr": 0.3})
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.Y_train, b.Y_train)
    assert np.array_equal(a.X_test, b.X_test)
    assert np.array_equal(a.net.params, b.net.params)        # same shapes, init and seed: same weights
    assert (a.config.activation, b.config.activation, b.config.lr) == ("sigmoid", "relu", 0.3)
    assert a.config.replace(activation="relu", lr=0.3) == b.config  # nothing else differs


def test_a_side_may_change_only_its_own_settings():
    with pytest.raises(ValueError, match="dataset"):
        compare.make_pair(Config(), {"dataset": "xor"}, {})
    with pytest.raises(ConfigError):
        compare.make_pair(Config(), {}, {"lr": 99.0})
    pair = compare.Pair.from_preset("SGD vs Adam")
    with pytest.raises(ConfigError):
        pair.with_changes("A", hidden=(0,))
    assert pair.sides["A"] == {"optimizer": "sgd"}           # the failed change left the pair alone


def test_training_advances_both_sides_in_step():
    pair = compare.Pair.from_preset("SGD vs Adam")
    pair.probe()
    reports = pair.train(60, chunk=20)
    assert pair.trainers["A"].step == pair.trainers["B"].step == 60
    assert reports["A"].step == reports["B"].step == 60
    for t in pair.trainers.values():
        assert t.history.column("step").tolist() == [0, 20, 40, 60]
    assert reports["A"].train_loss != reports["B"].train_loss
    pair.rebuild()
    assert pair.trainers["A"].step == pair.trainers["B"].step == 0


def test_the_diverging_preset_diverges_on_one_side_only():
    pair = compare.Pair.from_preset("lr 0.03 vs 3")
    assert pair.config("A").lr == 0.03 and pair.config("B").lr == 3.0
    reports = pair.train(200, chunk=10)
    assert pair.diverged["A"] is None and reports["A"].step == 200
    assert pair.diverged["B"] is not None and reports["B"].step < 200
    assert reports["B"].signals is not None        # keeps the gradients of its last steps to show
    step, loss, norms = pair.last_good("B")        # and a finite loss and a ‖dW‖ for every layer
    assert step < pair.diverged["B"] and np.isfinite(loss)
    assert norms.shape == (pair.trainers["B"].net.n_layers,) and np.isfinite(norms).all()
    held = pair.trainers["B"].step
    pair.train(10)
    assert pair.trainers["B"].step == held and pair.trainers["A"].step == 210


@pytest.mark.parametrize("name", list(compare.PRESETS))
def test_presets_differ_only_in_side_settings(name):
    pair = compare.Pair.from_preset(name)
    a, b = pair.config("A"), pair.config("B")
    differing = {k for k in a.to_query() if getattr(a, k) != getattr(b, k)}
    assert differing and differing <= set(compare.SIDE_FIELDS)
    assert pair.same_data()
    assert compare.describe(a) != compare.describe(b)


def test_loss_figure_draws_a_solid_and_b_dashed_and_marks_divergence():
    fig = loss_pair_figure({"A": ([0, 10, 20], [1.0, 0.5, 0.25]), "B": ([0, 10], [1.0, np.inf])},
                           diverged={"A": None, "B": 17})
    a, b, cross = fig["data"]
    assert "dash" not in a["line"] and b["line"]["dash"] == "dash" and a["line"]["color"] != b["line"]["color"]
    assert a["y"] == [1.0, 0.5, 0.25] and b["y"] == [1.0, None]
    assert cross["x"] == [17] and cross["y"] == [1.0] and cross["text"] == ["B diverged"]
    log = loss_pair_figure({"A": ([0, 1], [0.0, 0.5])}, log_y=True)
    assert log["layout"]["yaxis"]["type"] == "log" and log["data"][0]["y"] == [None, 0.5]


def test_grad_norm_figure_takes_sides_of_different_depth():
    fig = grad_norms_pair_figure({"A": np.array([1e-6, 1e-3, 0.1]), "B": np.array([0.5, 0.0, np.nan, 0.2, 0.3])})
    a, b, floor = fig["data"]
    assert a["x"] == [1, 2, 3] and a["y"] == [1e-6, 1e-3, 0.1]
    assert b["x"] == [1, 2, 4, 5] and b["y"][1] == 1e-7       # NaN left out; zero on the floor, a decade down
    assert floor["text"][0] == "0: dead" and floor["y"] == [1e-7, 1e-7]
    assert fig["layout"]["yaxis"]["type"] == "log" and fig["layout"]["xaxis"]["range"] == [0.5, 5.5]
    assert fig["layout"]["annotations"][0]["text"] == "B: ‖dW‖ of layer 3 overflowed"
    assert "annotations" not in grad_norms_pair_figure({"A": [0.1, 0.2]})["layout"]


# -- the page -------------------------------------------------------------------------------------------
def start() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(PAGE)
    return at.run()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_loads_and_every_preset_trains():
    at = start()
    assert not at.exception
    assert at.title[0].value == "Compare two networks"
    assert metric(at, "A step") == metric(at, "B step") == "0"
    for name in compare.PRESETS:
        at.button(key=f"cmp_preset_{name}").click().run()
        assert not at.exception, name
        at.button(key="cmp_train").click().run()
        assert not at.exception, name
        assert metric(at, "A step") == "200", name
        if name != "lr 0.03 vs 3":
            assert metric(at, "B step") == "200" and not at.error, name
    at.button(key="cmp_reset").click().run()
    assert metric(at, "A step") == metric(at, "B step") == "0"


def test_a_diverging_side_says_so_and_the_other_trains_on():
    """Issue 23 item 3: B's loss printed as 5400177939631825111192931764535296.000 and its RMSE as 2.38e+18;
    the badge said step 40 beside a counter of 39 and pushed B's plot 27 px down."""
    at = start()
    at.button(key="cmp_preset_lr 0.03 vs 3").click().run()
    at.button(key="cmp_train").click().run()
    assert not at.exception
    b_step = int(metric(at, "B step"))
    assert metric(at, "A step") == "200" and b_step < 200
    # the banner names the step that overflowed and the last one completed: the counter's
    assert len(at.error) == 1 and at.error[0].value.startswith(f"**B diverged: step {b_step + 1} overflowed**")
    assert f"stopped after step {b_step} " in at.error[0].value
    b_loss = next(m for m in at.metric if m.label == "B training loss")
    assert b_loss.value == "overflowed" and not b_loss.delta          # no badge to push the plot down
    assert f"Step {b_step + 1} overflowed" in b_loss.help
    a_loss = next(m for m in at.metric if m.label == "A training loss")
    assert 0 < float(a_loss.value) < 1
    at.button(key="cmp_train").click().run()
    assert metric(at, "A step") == "400" and len(at.error) == 1


def test_side_and_shared_settings_come_from_the_fields():
    at = start()
    at.selectbox(key="cmp_A_activation").set_value("tanh").run()
    state = at.session_state["lab_compare"]
    assert not at.exception
    assert state.pair.config("A").activation == "tanh" and state.pair.config("B").activation == "relu"
    assert at.selectbox(key="cmp_A_activation").label == "Activation"
    at.text_input(key="cmp_B_hidden").set_value("3, 0").run()
    assert not at.exception and any("layer width" in w.value for w in at.warning)
    at.selectbox(key="cmp_shared_dataset").set_value("plane").run()
    assert not at.exception
    assert state.pair.config("A").output == state.pair.config("B").output == "linear"
    assert state.pair.same_data()


def test_log_axes_stay_readable_when_a_run_explodes():
    """Issue 23 item 7: Compare's loss axis read "2, 1, 5" top to bottom. Labels are decades, or 1-2-5
    marks written in full over a decade or two; every n-th power (at most 7) when a side explodes."""
    calm = loss_pair_figure({"A": ([0, 1], [0.5, 0.05])}, log_y=True)
    assert calm["layout"]["yaxis"]["ticktext"] == ["0.05", "0.1", "0.2", "0.5"]
    wild = loss_pair_figure({"A": ([0, 1], [0.05, 0.01]), "B": ([0, 1], [0.05, 5e27])}, log_y=True)
    assert wild["layout"]["yaxis"]["ticktext"] == ["1", "10⁵", "10¹⁰", "10¹⁵", "10²⁰", "10²⁵"]
    norms = grad_norms_pair_figure({"A": [1e-3, 1e18]})["layout"]["yaxis"]
    assert len(norms["ticktext"]) <= 7 and all(t == "1" or t.startswith("10") for t in norms["ticktext"])


def test_the_grad_norm_axis_spans_whole_decades_around_every_norm():
    """A fixed range, not autorange (a playing chart once stuck at 0.1 to 10⁴ with its lines off the
    plot): the decades around the smallest and largest norm, at least a tenth of a decade from each."""
    fig = grad_norms_pair_figure({"A": np.array([0.0031, 0.2, 0.71]), "B": np.array([0.0099, 0.05])})
    assert fig["layout"]["yaxis"]["range"] == [-3, 0]          # 10^-3 <= 0.0031 .. 0.71 <= 10^0
    assert "autorange" not in fig["layout"]["yaxis"]
    fig = grad_norms_pair_figure({"A": np.array([0.0011, 0.95])})
    assert fig["layout"]["yaxis"]["range"] == [-4, 1]          # within a tenth of a decade of 10^-3 and 10^0
