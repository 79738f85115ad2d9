"""TensorFlow Playground links (mlp/run/tfp_link.py) and its data sets' distributions (mlp/engine/datasets.py).

Links are written as TensorFlow Playground writes them (src/state.ts's serialize: every key, in its order);
each expected setting comes from what the link means on its page (noise and percTrainData in percent, the
empty networkShape no hidden layer, initZero all-zero weights, ...), not from this code's output. The
data sets' expectations come from the formulas of its src/dataset.ts.
"""
import math

import numpy as np
import pytest

from mlp.run import tfp_link
from mlp.run.config import Config
from mlp.engine.datasets import make_dataset, train_size

# A link as TensorFlow Playground's page writes it, key by key; cases change some of these.
BASE = {"activation": "tanh", "batchSize": "10", "dataset": "circle", "regDataset": "reg-plane",
        "learningRate": "0.03", "regularizationRate": "0", "noise": "0", "networkShape": "4,2",
        "seed": "0.80000", "showTestData": "false", "discretize": "false", "percTrainData": "50", "x": "true",
        "y": "true", "xTimesY": "false", "xSquared": "false", "ySquared": "false", "cosX": "false",
        "sinX": "false", "cosY": "false", "sinY": "false", "collectStats": "false", "problem": "classification",
        "initZero": "false", "hideText": "false", "regularization": "none"}


def link(**changes) -> str:
    state = {**BASE, **changes}
    return "https://playground.tensorflow.org/#" + "&".join(f"{k}={v}" for k, v in state.items())


def opened(url: str) -> tuple[Config, tfp_link.Reading, list[str]]:
    reading = tfp_link.read(tfp_link.params_of_link(url))
    config, problems = Config.from_query_lenient(reading.params)
    return config, reading, problems


# (link, the settings it means here)
CASES = [
    pytest.param(link(), dict(dataset="circle", activation="tanh", hidden=(4, 2), lr=0.03, batch_size=10,
                              regularization="none", reg_rate=0.0, noise=0.0, train_fraction=0.5,
                              features=("x1", "x2"), output="sigmoid", n_samples=500, optimizer="sgd",
                              init="tfp_uniform", bias_init=0.1), id="its defaults"),
    pytest.param(link(activation="relu", dataset="spiral", regularization="L1", regularizationRate="0.003",
                      learningRate="0.01", batchSize="20", noise="15", networkShape="4,2,2", percTrainData="70",
                      xTimesY="true", xSquared="true", ySquared="true", sinX="true", sinY="true"),
                 dict(dataset="spiral", activation="relu", regularization="l1", reg_rate=0.003, lr=0.01,
                      batch_size=20, noise=0.15, hidden=(4, 2, 2), train_fraction=0.7,
                      features=("x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2")),
                 id="a course's spiral exercise"),
    pytest.param(link(problem="regression", regDataset="reg-gauss", dataset="xor", activation="linear"),
                 dict(dataset="multi_gauss", output="linear", n_samples=1200, activation="linear"),
                 id="regression: reg-gauss"),
    pytest.param(link(problem="regression"), dict(dataset="plane", output="linear", n_samples=1200),
                 id="regression: reg-plane"),
    pytest.param(link(networkShape=""), dict(hidden=()), id="empty networkShape: no hidden layer"),
    pytest.param(link(networkShape="8,8,8,8,8,8"), dict(hidden=(8,) * 6), id="its biggest net"),
    pytest.param(link(initZero="true"), dict(init="zeros", bias_init=0.0), id="initZero"),
    pytest.param(link(regularization="L2", regularizationRate="3"), dict(regularization="l2", reg_rate=3.0),
                 id="L2 at its largest rates"),
    pytest.param(link(dataset="xor", x="false", y="false", xTimesY="true"), dict(dataset="xor", features=("x1x2",)),
                 id="one feature"),
    pytest.param(link(dataset="gauss", noise="50", percTrainData="10"), dict(dataset="gauss", noise=0.5,
                                                                            train_fraction=0.1), id="edges"),
]


@pytest.mark.parametrize("url, meant", CASES)
def test_a_link_opens_with_its_meaning(url, meant):
    config, reading, problems = opened(url)
    assert problems == [] and reading.notes == []
    for key, value in meant.items():
        assert getattr(config, key) == value, key


def test_a_short_link_takes_its_defaults_for_the_keys_it_leaves_out():
    config, reading, problems = opened("https://playground.tensorflow.org/#dataset=xor&learningRate=0.1")
    assert (config.dataset, config.lr, config.hidden, config.features, config.activation) == \
        ("xor", 0.1, (4, 2), ("x1", "x2"), "tanh")
    assert config.reg_rate == 0.0 and problems == [] and reading.notes == []


def test_a_link_cut_down_to_shared_keys_is_still_read_as_its():
    config, _, problems = opened("playground.tensorflow.org/#dataset=spiral&regularization=L1&noise=20&seed=0.58835")
    assert (config.dataset, config.regularization, config.noise, config.hidden) == ("spiral", "l1", 0.2, (4, 2))
    assert (config.data_seed, config.seed) == tfp_link.seeds_of("0.58835") and problems == []


def test_the_view_toggles_come_from_show_test_data_and_discretize():
    _, reading, _ = opened(link(showTestData="true", discretize="true"))
    assert reading.views == {"show_test": True, "discretize": True}
    _, reading, _ = opened(link())
    assert reading.views == {"show_test": False, "discretize": False}


def test_hide_keys_become_the_classroom_hidden_controls():
    _, reading, _ = opened(link(noise_hide="true", batchSize_hide="true", numHiddenLayers_hide="true",
                                playButton_hide="true", learningRate_hide="false", dataset_hide="true"))
    assert set(reading.params["hide"].split(",")) == {"noise", "batch_size", "hidden", "play", "dataset"}
    # a teacher's own hide list in the same link is kept
    _, reading, _ = opened(link(noise_hide="true") + "&hide=views")
    assert set(reading.params["hide"].split(",")) == {"views", "noise"}
    _, reading, _ = opened(link(bogus_hide="true"))
    assert "hide" not in reading.params and any("bogus_hide" in n for n in reading.notes)


def test_what_cannot_be_mapped_is_named():
    _, reading, _ = opened(link(cosX="true", cosY="true", collectStats="true", hideText="true", tutorial="dp"))
    text = "\n".join(reading.notes)
    for name in ("cosX", "cosY", "collectStats", "hideText", "tutorial"):
        assert name in text
    # keys at their "off" value drop nothing, so nothing is said about them
    assert opened(link())[1].notes == []


@pytest.mark.parametrize("changes, key, fallback, named", [
    (dict(learningRate="fast"), "lr", 0.03, "learningRate"),
    (dict(batchSize="ten"), "batch_size", 10, "batchSize"),
    (dict(activation="swish"), "activation", "tanh", "swish"),
    (dict(regularization="L3"), "regularization", "none", "L3"),
    (dict(dataset="moons2"), "dataset", "circle", "moons2"),
    (dict(networkShape="4,a"), "hidden", (4, 2), "networkShape"),
    (dict(problem="ranking"), "output", "sigmoid", "ranking"),
])
def test_a_bad_value_keeps_its_default_and_is_named(changes, key, fallback, named):
    config, reading, problems = opened(link(**changes))
    assert getattr(config, key) == fallback
    assert any(named in line for line in reading.notes + problems)


@pytest.mark.parametrize("changes, key", [(dict(noise="80"), "noise"), (dict(percTrainData="95"), "train_fraction"),
                                          (dict(learningRate="50"), "lr"), (dict(networkShape="0"), "hidden")])
def test_a_number_out_of_range_is_said_and_replaced(changes, key):
    config, reading, problems = opened(link(**changes))
    assert (problems or reading.notes) and getattr(config, key) == getattr(Config(), key)


def test_a_far_too_long_value_is_left_out_not_cut():
    config, reading, _ = opened(link(networkShape=",".join(["4"] * 150)))
    assert config.hidden == (4, 2) and any("networkShape" in n and "too long" in n for n in reading.notes)


def test_no_input_left_falls_back_to_x1_x2_and_says_so():
    config, reading, _ = opened(link(x="false", y="false", cosX="true"))
    assert config.features == ("x1", "x2") and any("every input off" in n for n in reading.notes)


def test_a_boolean_is_read_as_its_page_reads_it():
    config, reading, _ = opened(link(xTimesY="yes"))
    assert "x1x2" in config.features and any("xTimesY" in n for n in reading.notes)


def test_this_apps_keys_win_in_a_mixed_link_and_it_is_said():
    config, reading, _ = opened(link(learningRate="0.3", networkShape="4") + "&lr=0.1&hidden=6,6&dropout=0.2")
    assert (config.lr, config.hidden, config.dropout) == (0.1, (6, 6), 0.2)
    text = "\n".join(reading.notes)
    assert "lr=0.1" in text and "learningRate=0.3" in text and "hidden=6,6" in text
    config, _, _ = opened(link(dataset="moons"))          # a shared key holding this app's name for it
    assert config.dataset == "moons"


def test_the_seed_string_gives_the_same_run_every_time():
    a, b, c = (opened(link(seed=s))[0] for s in ("0.58835", "0.58835", "0.12345"))
    assert (a.data_seed, a.seed) == (b.data_seed, b.seed) != (c.data_seed, c.seed)
    assert tfp_link.seeds_of("mlp-3-4") == (3, 4)
    assert opened(link(seed="mlp-7-9"))[0].seed == 9


@pytest.mark.parametrize("text", [
    "https://playground.tensorflow.org/#activation=relu&networkShape=3&dataset=xor",
    "playground.tensorflow.org/#activation=relu&networkShape=3&dataset=xor",
    "  #activation=relu&networkShape=3&dataset=xor\n",
    "http://localhost:8501/?activation=relu&networkShape=3&dataset=xor",
    "activation=relu&networkShape=3&dataset=xor",
])
def test_a_pasted_link_is_read_in_any_of_its_forms(text):
    assert tfp_link.params_of_link(text) == {"activation": "relu", "networkShape": "3", "dataset": "xor"}


def test_percent_escapes_are_undone():
    assert tfp_link.params_of_link("#networkShape=4%2C2&seed=0.5")["networkShape"] == "4,2"


@pytest.mark.parametrize("params, expected", [
    ({"learningRate": "0.03"}, True), ({"noise_hide": "true"}, True), ({"networkShape": ""}, True),
    ({"dataset": "xor", "noise": "0.2", "lr": "0.1"}, False), ({}, False), ({"hide": "noise"}, False),
    # a link cut down to the keys both share, with values only it writes
    ({"dataset": "spiral", "regularization": "L1"}, True), ({"dataset": "xor", "seed": "0.58835"}, True),
    ({"regularization": "l1", "seed": "7"}, False),
])
def test_which_links_are_tensorflow_playgrounds(params, expected):
    assert tfp_link.is_tfp(params) is expected


# -- the way back --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [c.values[0] for c in CASES] + [
    link(showTestData="true", noise_hide="true", discretize_hide="true", seed="xyz")])
def test_round_trip_keeps_the_experiment(url):
    config, reading, _ = opened(url)
    rules = frozenset(reading.params.get("hide", "").split(",")) - {""}
    export = tfp_link.write(config, reading.views, rules)
    assert export.url.startswith("https://playground.tensorflow.org/#") and export.dropped == ()
    again, reading_again, _ = opened(export.url)
    assert again == config and reading_again.views == reading.views
    assert set(reading_again.params.get("hide", "").split(",")) == set(reading.params.get("hide", "").split(","))


def test_the_link_written_has_every_key_as_it_writes_them():
    config = Config(dataset="gauss", noise=0.15, train_fraction=0.7, hidden=(), lr=0.003, output="sigmoid",
                    init="tfp_uniform", bias_init=0.1, regularization="l2", reg_rate=0.01, features=("x1", "sin_x2"))
    params = tfp_link.params_of_link(tfp_link.write(config).url)
    assert set(params) == set(tfp_link.KEYS) - {"tutorial"}
    assert params["noise"] == "15" and params["percTrainData"] == "70" and params["networkShape"] == ""
    assert params["regularization"] == "L2" and params["learningRate"] == "0.003"
    assert (params["x"], params["y"], params["sinY"], params["sinX"]) == ("true", "false", "true", "false")


def test_what_the_link_leaves_out_is_named():
    config = Config(optimizer="adam", init="he_normal", dropout=0.2, output="softmax", n_samples=300)
    dropped = " ".join(tfp_link.write(config).dropped)
    for word in ("Adam", "He normal", "dropout", "softmax", "300 points"):
        assert word in dropped


@pytest.mark.parametrize("config, why", [
    (Config(dataset="moons"), "Moons"), (Config(activation="elu"), "elu"),
    (Config(hidden=(4,) * 7), "6 hidden layers"), (Config(hidden=(16,)), "8 units"),
])
def test_a_run_it_cannot_build_gets_no_link_and_a_reason(config, why):
    export = tfp_link.write(config)
    assert export.url == "" and why in " ".join(export.reasons)


# -- its data sets: the distributions of src/dataset.ts ---------------------------------------------

def _points(name, noise, n=2000, seed=1, fraction=0.5):
    d = make_dataset(name, n, noise, fraction, seed)
    return np.concatenate([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test])


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_circle_and_xor_noise_flips_labels_and_leaves_the_points(name):
    X, y = _points(name, 0.5)
    if name == "circle":        # half the points in the disc r < 2.5, half in the ring 3.5..5, noise or not
        r = np.hypot(X[:, 0], X[:, 1])
        assert np.sum(r < 2.5) == 1000 and np.all((r < 2.5) | ((r >= 3.5) & (r <= 5)))
        clean = r < 2.5
    else:                       # |x| in 0.3..5.3, off the axes, noise or not
        assert np.all((np.abs(X) >= 0.3) & (np.abs(X) <= 5.3))
        clean = X[:, 0] * X[:, 1] > 0
    flipped = np.mean(clean != y)
    assert 0.05 < flipped < 0.45


def test_gauss_variance_grows_as_in_its_scale():
    for noise in (0.0, 0.1):
        X, y = _points("gauss", noise, n=6000)
        centre = np.where(y[:, None] == 1, 2.0, -2.0)
        var = ((X - centre) ** 2).mean()
        assert var == pytest.approx(0.5 + 7 * noise, rel=0.05)


def test_spiral_points_are_evenly_spaced_along_its_arms_and_noise_moves_them_by_at_most_noise():
    X, y = _points("spiral", 0.0, n=400)
    for label in (0, 1):
        r = np.sort(np.hypot(*X[y == label].T))
        np.testing.assert_allclose(r, 5 * np.arange(200) / 200, atol=1e-12)
    noisy, y = _points("spiral", 0.3, n=400, seed=3)
    assert np.hypot(*noisy.T).max() <= 5 + 0.3 * math.sqrt(2)
    moved = np.sort(np.hypot(*noisy[y == 1].T)) - 5 * np.arange(200) / 200
    assert 0.01 < np.abs(moved).max() <= 0.3 * math.sqrt(2)


def test_reg_plane_is_x_plus_y_over_ten_read_at_the_noisy_point():
    X, y = _points("plane", 0.0)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    X, y = _points("plane", 0.5, n=6000)
    residual = y - (X[:, 0] + X[:, 1]) / 10
    # two independent U(-3, 3) offsets over 10: within ±0.6, variance 2·(6²/12)/100 = 0.06
    assert np.abs(residual).max() <= 0.6 and residual.var() == pytest.approx(0.06, rel=0.1)


def test_reg_gauss_is_its_six_cones():
    X, y = _points("multi_gauss", 0.0, n=500)
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (px, py), value in zip(X, y):
        label = 0.0
        for cx, cy, sign in bumps:
            height = sign * min(max(1 - math.hypot(px - cx, py - cy) / 2, 0), 1)
            label = height if abs(height) > abs(label) else label
        assert value == pytest.approx(label, abs=1e-12)
    assert np.abs(X).max() <= 6


@pytest.mark.parametrize("problem, n, perc", [("classification", 500, 70), ("regression", 1200, 30)])
def test_a_link_gets_its_point_count_and_training_split(problem, n, perc):
    config, _, _ = opened(link(problem=problem, percTrainData=str(perc)))
    assert config.n_samples == n
    assert train_size(config.n_samples, config.train_fraction) == math.floor(n * perc / 100)


# -- the command line ------------------------------------------------------------------------------

def test_the_command_line_trains_a_tensorflow_playground_link(tmp_path, capsys):
    from mlp.__main__ import main
    url = link(dataset="xor", networkShape="", activation="linear", learningRate="0.001", batchSize="1",
               cosY="true", dataset_hide="true")
    assert main(["--tfp", url, "--steps", "3", "--out", str(tmp_path), "--no-report", "--quiet"]) == 0
    config = Config.from_json((tmp_path / "settings.json").read_text())
    assert (config.dataset, config.hidden, config.activation, config.lr, config.batch_size) == \
        ("xor", (), "linear", 0.001, 1)
    err = capsys.readouterr().err
    assert "cosY" in err and "dataset" in err          # named: the unmappable input, the hidden control


def test_the_command_line_refuses_a_link_that_is_not_one(tmp_path, capsys):
    from mlp.__main__ import main
    assert main(["--tfp", "https://example.com/#a=1", "--out", str(tmp_path), "--quiet"]) == 2
    assert "TensorFlow Playground link" in capsys.readouterr().err


# -- any link, however odd ----------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

ODD = st.one_of(st.text(max_size=30), st.sampled_from(["", "true", "false", "nan", "inf", "-1", "1e308", "4,,2",
                                                        "L1", "reg-gauss", "regression", "9" * 400]))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*tfp_link.KEYS, "noise_hide", "zz_hide", "lr", "hidden", "hide"]), ODD))
def test_any_link_opens_with_bounded_lines_and_never_raises(params):
    reading = tfp_link.read(params)
    config, problems = Config.from_query_lenient(reading.params)
    assert isinstance(config, Config)
    assert all(len(line) <= 400 for line in reading.notes + problems)
