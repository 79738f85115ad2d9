"""The Gradient flow lab: its presets say what the engine measures, the variance theory matches a wide
linear net, the verdict reads the numbers, and the page runs every preset headless."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from mlp.run.config import Config
from mlp.figures import decode_grid
from mlp.figures.gradient_flow_figures import (gradient_flow_figure, histogram_over_time_figure, layer_step_heatmap_figure,
                                     layers_histogram_figure, variance_figure)
from mlp.lab import gradient_flow as flow
from mlp.run.signals import N_BINS
from mlp.run.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "1_Gradient_flow.py")
SEEDS = (0, 1, 7, 42)


def at_init(preset: str, seed: int):
    return Trainer(flow.PRESETS[preset].config.replace(seed=seed)).probe().signals


# -- the presets' claims, from the engine's numbers, on the preset's own seed and several more ------------
CLAIM_BAND = {"vanishing": (0, 1e-3), "exploding": (1e3, np.inf), "healthy": (1e-1, 1e1)}


@pytest.mark.parametrize("name", list(flow.PRESETS))
@pytest.mark.parametrize("seed", (None,) + SEEDS)
def test_the_headline_signal_shows_each_presets_claim(name, seed):
    """The page headlines mean |δ| first hidden / last hidden: vanishing below 1e-3, exploding above
    1e3, healthy within 1e-1 … 1e1 (the issue's bands), and the verdict names the preset's regime."""
    preset = flow.PRESETS[name]
    s = at_init(name, preset.config.seed if seed is None else seed)
    ratio, factor = flow.gradient_ratio(s), flow.per_layer_factor(s)
    lo, hi = CLAIM_BAND[preset.regime]
    assert lo < ratio < hi
    assert flow.regime(ratio, factor) == preset.regime
    assert f"**{preset.regime}**" in flow.verdict(ratio, factor, len(preset.config.hidden))


@pytest.mark.parametrize("name", list(flow.PRESETS))
def test_each_preset_text_quotes_numbers_the_page_shows(name):
    """The story's per-layer factor and its total are in the text as the page writes numbers, and the
    page's measurements on the preset's seed (and others) are close to them: the factor within 15%,
    the total within a factor of 5 (a few percent per layer, compounded over nine or 29 hops)."""
    preset = flow.PRESETS[name]
    hops = len(preset.config.hidden) - 1
    assert preset.total == pytest.approx(preset.factor ** hops)
    assert flow.number_text(preset.factor) in preset.story and flow.number_text(preset.total) in preset.story
    for seed in (preset.config.seed,) + SEEDS:
        s = at_init(name, seed)
        assert flow.per_layer_factor(s) == pytest.approx(preset.factor, rel=0.15)
        assert 1 / 5 < flow.gradient_ratio(s) / preset.total < 5


@pytest.mark.parametrize("seed", SEEDS)
def test_vanishing_preset_weight_gradients_fall_too(seed):
    s = at_init("vanishing", seed)
    assert flow.weight_gradient_ratio(s) < 1e-3          # sigmoid bounds A, so ‖dW‖ falls with δ
    assert flow.per_layer_factor(s) < 0.45               # sigmoid's slope is at most 1/4


@pytest.mark.parametrize("seed", SEEDS)
def test_exploding_preset_multiplies_by_four_per_layer(seed):
    # each layer multiplies δ by sqrt(n · Var(W) · E[relu'²]) = sqrt(32 · 1 · 1/2) = 4
    assert 3.0 < flow.per_layer_factor(at_init("exploding", seed)) < 5.0


def test_a_steady_decay_over_few_layers_is_not_called_healthy():
    """Five tanh layers that each pass back a third: 3⁻⁴ ≈ 1.2·10⁻² overall, above the vanishing line
    but a decay all the same; the verdict says so and how many such layers would vanish (3⁻⁷ < 1e-3)."""
    ratio, factor = 3.0 ** -4, 1 / 3
    assert flow.regime(ratio, factor) == "decaying"
    text = flow.verdict(ratio, factor, 5)
    assert "**decaying**" in text and "0.33" in text and "7 such layers" in text
    assert flow.regime(5.0, 2.2) == "growing" and flow.regime(20.0, 1.5) == "growing"
    assert flow.regime(0.5, 0.93) == "healthy" and flow.regime(0.05, 0.7) == "decaying"
    assert "healthy" in flow.verdict(1.0, float("nan"), 1)          # one hidden layer: nothing to cross


def test_the_headline_leaves_the_output_layers_hop_out():
    """first / last HIDDEN: a made-up net whose output error is 100x its last hidden layer's."""
    from mlp.run.signals import LayerSignals
    d = np.array([1e-4, 1e-3, 1e-2, 1.0])
    s = LayerSignals(*([None] * 6), d, None)
    assert flow.gradient_ratio(s) == pytest.approx(1e-2) and flow.per_layer_factor(s) == pytest.approx(0.1)


def test_relu_weight_gradients_stay_level_while_delta_explodes():
    """Why the verdict reads δ: for a ReLU net without biases <W[l], dW[l]> is the same for every layer
    (scaling W[l] by a scales the output by a), so ‖dW‖ cannot show the 1e5 that δ shows."""
    trainer = Trainer(flow.PRESETS["exploding"].config.replace(seed=5), dtype="float64")
    s = trainer.probe().signals
    inner = [float(np.vdot(W, dW)) for W, (dW, _) in zip(trainer.net.weights, trainer.net.grads)]
    np.testing.assert_allclose(inner, inner[0], rtol=1e-9)
    assert flow.gradient_ratio(s) > 1e3 and 0.05 < flow.weight_gradient_ratio(s) < 20


# -- the variance the theory predicts --------------------------------------------------------------
def test_predicted_variance_by_hand():
    # He normal, gain 2: layer 1 has n_in = 2, Var(W) = 2/2, so 2 · 1 · 4 = 8; each later layer 256 · 2/256 · 4 = 8
    config = Config(hidden=(256, 256, 256), activation="linear", init="he_normal", init_gain=2.0)
    np.testing.assert_allclose(flow.predicted_variance(config), [8, 64, 512, 4096])
    # ReLU passes on half of E[z²]: 8, then 8 · 8 · ½ = 32, ...
    np.testing.assert_allclose(flow.predicted_variance(config.replace(activation="relu")), [8, 32, 128, 512])
    assert np.isnan(flow.predicted_variance(config.replace(activation="sigmoid"))[1:]).all()


@pytest.mark.parametrize("activation, expected", [("linear", 1.0), ("relu", 0.5), ("leaky_relu", (1 + 0.01 ** 2) / 2),
                                                  ("tanh", 1.0), ("elu", 1.0)])
def test_second_moment_factor(activation, expected):
    assert flow.second_moment_factor(activation) == pytest.approx(expected, rel=2e-3)


@pytest.mark.parametrize("init", ["xavier_normal", "he_normal", "xavier_uniform", "he_uniform"])
@pytest.mark.parametrize("gain", [0.5, 1.0, 2.0])
def test_measured_variance_of_a_wide_linear_net_matches_the_product(init, gain):
    """E over the weights of Var(Z[l]) / Var(X) is exactly Π n_in·Var(W)·gain² in a linear net; one draw
    scatters around it (the data is 2-D, so every layer has rank 2), the mean of 8 draws is within 20%.
    The 2-unit output layer averages over too few units to be a measurement and is left out."""
    config = Config(hidden=(256,) * 5, activation="linear", init=init, init_gain=gain)
    measured = np.mean([flow.measured_variance(Trainer(config.replace(seed=s), dtype="float64"))
                        for s in range(8)], axis=0)
    predicted = flow.predicted_variance(config)
    np.testing.assert_allclose(measured[:-1] / predicted[:-1], 1.0, atol=0.2)
    # by hand: layer 1 has n_in = 2, layers 2-5 n_in = 256 = n_out
    by_hand = 2 * 2 / 258 * 1.0 ** 4 if init.startswith("xavier") else (2 * 2 / 2) * 2.0 ** 4
    assert predicted[-2] == pytest.approx(by_hand * gain ** 10, rel=1e-9)


# -- verdict and timeline --------------------------------------------------------------------------
def test_verdict_says_the_regime_and_the_number():
    assert "vanishing" in flow.verdict(1e-9) and "10⁻⁹" in flow.verdict(1e-9)
    assert "exploding" in flow.verdict(2.5e5) and "2.5·10⁵" in flow.verdict(2.5e5)
    assert "healthy" in flow.verdict(0.3, 0.9) and "0.3" in flow.verdict(0.3, 0.9)
    assert "slow decay" in flow.verdict(1e-5, 0.7, 30).lower()
    assert "slow decay" not in flow.verdict(1e-5, 0.3, 10).lower()
    assert flow.regime(float("nan")) == "not finite" and "overflowed" in flow.verdict(float("inf"))
    assert [flow.regime(r) for r in (9.9e-4, 1e-3, 0.1, 10, 1e3, 1.01e3)] == \
        ["vanishing", "decaying", "healthy", "healthy", "growing", "exploding"]


def test_timeline_is_bounded_spans_the_run_and_forgets_after_a_step_back():
    trainer = Trainer(Config(hidden=(3, 3)))
    s = trainer.probe().signals
    timeline = flow.HistogramTimeline(trainer.net.n_layers, capacity=20)
    for step in range(0, 1000, 5):
        timeline.record(step, s)
    assert len(timeline) <= 20 and timeline.steps[0] == 0 and timeline.steps[-1] >= 900
    assert np.all(np.diff(timeline.steps) > 0)
    assert timeline.over_time("gradients", 2).shape == (len(timeline), N_BINS)
    assert timeline.at("activations", 0).shape == (3, N_BINS)
    assert not timeline.record(int(timeline.steps[-1]), s)        # the same step twice: kept once
    timeline.record(100, s)                                         # stepped back to 100
    assert np.all(timeline.steps <= 100) and len(timeline) >= 2


# -- figures ----------------------------------------------------------------------------------------
def expanded(fig: dict) -> dict:
    """The figure as the browser draws it: "zcodes" turned back into z."""
    trace = dict(fig["data"][0])
    if "zcodes" in trace:
        trace["z"] = decode_grid(trace.pop("zcodes")).tolist()
    return {"data": [trace], "layout": fig["layout"]}


def test_layer_step_heatmap_colour_range_follows_the_run_with_decade_ticks():
    small = layer_step_heatmap_figure([0, 10], [[1e-9, 1e-8], [1e-7, 1e-6]])
    trace = small["data"][0]
    go.Figure(small)
    assert (trace["zmin"], trace["zmax"]) == (-9, -6)                          # whole decades around the data
    assert trace["colorbar"]["tickvals"] == [-9, -8, -7, -6]                  # one tick per decade
    assert trace["colorbar"]["ticktext"][0] == "10⁻⁹"
    assert trace["z"] == [[-9.0, -7.0], [-8.0, -6.0]]                         # (layer, step)
    # a factor of 1000 between two layers is 3 of the 3 decades of this run: the two ends of the scale
    gap = layer_step_heatmap_figure([0], [[1e-3, 1.0]])["data"][0]
    assert (gap["zmin"], gap["zmax"]) == (-3, 0)
    large = layer_step_heatmap_figure([0, 10], [[1e2, 1e5], [0.0, np.nan]])
    go.Figure(large)
    trace = large["data"][0]
    assert trace["z"][1] == [5.0, None]                                       # layer 2: 1e5, then NaN: a gap
    assert trace["z"][0][1] == trace["zmin"] == 1                             # exactly 0: its own band
    assert trace["colorbar"]["ticktext"][0] == "0: dead"
    wide = layer_step_heatmap_figure([0, 1], [[1e-30, 1.0], [1e5, 1e10]])["data"][0]
    assert len(wide["colorbar"]["tickvals"]) <= 13                           # every k-th decade past 12
    compact = layer_step_heatmap_figure([0, 10], [[1e2, 1e5], [0.0, 1e-30]], compact=True)
    go.Figure(expanded(compact))
    np.testing.assert_allclose(decode_grid(compact["data"][0]["zcodes"]), [[2, -31], [5, -30]], atol=36 / 255)


def test_layer_step_heatmap_sends_at_most_max_columns_keeping_both_ends():
    steps = np.arange(1000) * 3
    fig = layer_step_heatmap_figure(steps, np.ones((1000, 4)), max_columns=100)
    x = fig["data"][0]["x"]
    assert len(x) <= 100 and x[0] == 0 and x[-1] == 2997 and len(fig["data"][0]["z"][0]) == len(x)


def test_a_playing_layer_step_map_has_equal_columns_to_the_next_rung_each_the_last_record_before_its_end():
    steps = np.arange(0, 100, 2)                                    # records at 0, 2, ..., 98
    values = np.array([[10.0 ** -(s / 10), 1.0] for s in steps])    # layer 1 decays, layer 2 stays
    fig = layer_step_heatmap_figure(steps, values, max_columns=8, playing=True)
    trace = fig["data"][0]
    assert fig["layout"]["xaxis"]["range"] == [0, 100] and "x" not in trace       # 98 -> the rung 100
    assert (trace["x0"], trace["dx"]) == (6.25, 12.5)                             # 8 columns, centred
    # column k ends at 12.5 (k + 1): its value is the record at the last even step below that
    expected = [-(2 * np.ceil(12.5 * (k + 1) / 2 - 1)) / 10 for k in range(8)]
    np.testing.assert_allclose(trace["z"][0], expected)
    assert trace["z"][1] == [0.0] * 8
    early = layer_step_heatmap_figure(steps[:27], values[:27], max_columns=8, playing=True)    # up to step 52
    assert early["layout"]["xaxis"]["range"] == [0, 60] and early["data"][0]["dx"] == 7.5
    row = early["data"][0]["z"][0]
    np.testing.assert_allclose(row[:7], [-(2 * np.ceil(7.5 * (k + 1) / 2 - 1)) / 10 for k in range(7)])
    assert row[7] is None                                  # the column from 52.5 on is not reached yet: blank
    coded = layer_step_heatmap_figure(steps[:27], values[:27], max_columns=8, playing=True, compact=True)["data"][0]
    assert np.isnan(decode_grid(coded["zcodes"])[:, 7]).all() and not np.isnan(decode_grid(coded["zcodes"])[:, :7]).any()
    paused = layer_step_heatmap_figure(steps, values, max_columns=8)["data"][0]
    assert "x0" not in paused and paused["x"][-1] == 98                           # paused: the records' own steps


def test_lab_modules_never_import_streamlit_or_plotly():
    code = ("import sys, mlp.lab.gradient_flow, mlp.lab.initialization; "
            "print(any(m.split('.')[0] in ('streamlit', 'plotly') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_lab_figures_are_valid_plotly():
    edges = np.linspace(-1, 1, N_BINS + 1)
    counts = np.arange(3 * N_BINS).reshape(3, N_BINS)
    for fig in (gradient_flow_figure([1, 2, 3], [0.1, 0.2, 0.3], update_ratio=[1e-3, 0.0, 2e-3],
                                     init_grad_norm=[1, 1, 1], init_delta=[2, 2, 0]),
                histogram_over_time_figure([0, 5, 9], counts, edges, what="activations, layer 1", value_label="A"),
                layers_histogram_figure(counts, edges, what="activations", value_label="A"),
                variance_figure([1, 2, np.nan], [1.1, 1.9, 3.0])):
        go.Figure(fig)
    shares = histogram_over_time_figure([0, 5, 9], counts, edges, what="x", value_label="A")["data"][0]["z"]
    assert np.allclose(np.sum(shares, axis=0), 1.0, atol=1e-2)               # each step's column sums to 1
    compact = histogram_over_time_figure([0, 5, 9], counts, edges, what="x", value_label="A", compact=True)
    go.Figure(expanded(compact))
    np.testing.assert_allclose(expanded(compact)["data"][0]["z"], shares, atol=1 / 255)


# -- the page, headless ---------------------------------------------------------------------------
def test_page_loads_and_every_preset_runs():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("Gradient flow")
    assert "vanishing" in at.warning[0].value                                # the default preset's verdict
    assert flow.PRESETS["vanishing"].label in at.info[0].value                # and its story
    for name, preset in flow.PRESETS.items():
        at.button(key=f"flow_preset_{name}").click().run()
        assert not at.exception, name
        lab = at.session_state["lab_gradient_flow"]
        assert lab.run.config.hidden == preset.config.hidden and lab.run.trainer.step == 0
        assert preset.label in at.info[0].value
        box = {"vanishing": at.warning, "exploding": at.error, "healthy": at.success}[preset.regime]
        assert any(preset.regime in b.value for b in box), name
        # the button gives what the link gives: the preset's own config, seed included, and says so
        assert lab.run.config == preset.config and at.query_params["preset"] == name.replace("_", "-")
    at.button(key="flow_preset_relu_he").click().run()
    assert at.session_state["lab_gradient_flow"].run.config == flow.PRESETS["relu_he"].config


def test_page_steps_plays_and_changes_settings():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.button(key="flow_preset_tanh_xavier").click().run()
    at.button(key="step").click().run()
    lab = at.session_state["lab_gradient_flow"]
    assert not at.exception and lab.run.trainer.step == 1 and list(lab.timeline.steps) == [0, 1]
    at.button(key="play").click().run()             # one animation frame per script run here
    assert not at.exception and lab.run.trainer.step > 1
    at.button(key="pause").click().run()
    at.slider(key="flow_depth").set_value(4).run()
    assert not at.exception and at.session_state["lab_gradient_flow"].run.config.hidden == (32,) * 4
    at.select_slider(key="flow_init_gain").set_value(2.0).run()
    assert not at.exception and at.session_state["lab_gradient_flow"].run.config.init_gain == 2.0
    at.slider(key="flow_layer").set_value(3).run()
    assert not at.exception


# -- histograms whose range follows the data ----------------------------------------------------------
@pytest.mark.parametrize("name", ["exploding", "slow_decay"])
def test_relu_activation_histograms_have_bins_where_the_values_are(name):
    """Exploding ReLU: the last hidden layer's values reach about 10⁶, slow decay's about 10⁻⁴; each
    layer's range reaches its largest value, rounded out by at most 2.5x (1, 2, 5 × 10^k), so no layer
    piles into one end bin, and the gradient range reaches the largest and the smallest |dW|."""
    trainer = Trainer(flow.PRESETS[name].config)
    s = trainer.probe().signals
    hidden = trainer.net.layer_outputs(trainer.X_train)[:-1]
    for a, e, counts in zip(hidden, s.activation_edges, s.activation_hist):
        top = float(a.max())
        assert e[0] == 0 and top <= e[-1] <= 2.5 * top
        assert counts.max() < counts.sum()                       # not everything in one bin
    g = np.abs(trainer.net.grad[:trainer.net.n_weights])
    lo, hi = s.gradient_edges[[0, -1]]
    assert 10.0 ** lo <= g[g > 0].min() and g.max() <= 10.0 ** hi


def test_histogram_axes_follow_the_bins_the_run_used():
    edges = np.linspace(-16, 8, N_BINS + 1)                       # 0.8 of a decade a bin
    counts = np.zeros((2, N_BINS), int)
    counts[:, 10:15] = 4                                          # values from -8 to -4
    over_time = histogram_over_time_figure([0, 1], counts, edges, what="x", value_label="log₁₀|dW|")
    assert over_time["layout"]["yaxis"]["range"] == pytest.approx([edges[9], edges[16]])
    at_once = layers_histogram_figure(counts, edges, what="x", value_label="log₁₀|dW|")
    assert at_once["layout"]["xaxis"]["range"] == pytest.approx([edges[9], edges[16]])


# -- verdicts the papers would sign -----------------------------------------------------------------
def _verdict_at_init(seeds=range(6), **settings) -> tuple[set[str], float, float]:
    """(the regimes of every weight draw, median per-layer factor, median first/last ratio) of a fresh net:
    every draw must get the verdict, not only a typical one."""
    from mlp.run.trainer import Trainer
    kinds, factors, ratios = set(), [], []
    for seed in seeds:
        signals = Trainer(flow.LAB_BASE.replace(seed=seed, **settings)).probe().signals
        factors.append(flow.per_layer_factor(signals))
        ratios.append(flow.gradient_ratio(signals))
        kinds.add(flow.regime(ratios[-1], factors[-1]))
    return kinds, float(np.median(factors)), float(np.median(ratios))


def test_glorot_2010_standard_init_is_named_decaying_and_its_normalized_init_healthy():
    """Glorot & Bengio 2010, section 4.2.1: with U(±1/√n) ("standard"), n·Var(W) = 1/3, so in tanh's linear
    regime each layer passes back 1/√3 ≈ 0.577 of the error's std and the back-propagated gradients shrink
    toward the input; with the normalized init, n·Var(W) = 1 for equal widths and they stay level. Their
    net: tanh, five hidden layers (here of 256 units). Both spellings of the standard init count."""
    net = dict(activation="tanh", hidden=(256,) * 5)
    # the link: Xavier's bound times 1/√3 is U(±1/16) between the 256-wide layers, and a small
    # first layer keeps tanh in its linear regime, where the theory's 1/√3 holds
    kind, factor, _ = _verdict_at_init(**net, init="xavier_uniform", init_gain=3 ** -0.5)
    assert kind == {"decaying"} and factor == pytest.approx(3 ** -0.5, rel=0.1)
    # the registry's "standard" draws U(±1/√2) for the 2 inputs too: the first layers saturate, so tanh's
    # slope takes more than the linear theory says
    kind, factor, _ = _verdict_at_init(**net, init="standard")
    assert kind == {"decaying"} and factor < 3 ** -0.5 * 1.1
    for normalized in ("xavier_uniform", "xavier_normal"):
        kind, factor, ratio = _verdict_at_init(**net, init=normalized)
        assert kind == {"healthy"} and factor > 0.9 and ratio > 0.5, normalized


def test_he_2015_cases_keep_their_verdicts():
    """He et al. 2015, section 2.2: ReLU with Var(W) = 2/n_in keeps the signal's size (factor 1 per layer);
    with 1/n_in each layer passes back 1/√2, which a 30-layer net compounds to about 2⁻¹⁴·⁵: vanishing."""
    kind, factor, _ = _verdict_at_init(activation="relu", init="he_normal", hidden=(32,) * 10)
    assert kind == {"healthy"} and factor == pytest.approx(1.0, rel=0.1)
    kind, factor, ratio = _verdict_at_init(activation="relu", init="xavier_normal", hidden=(32,) * 30)
    assert kind == {"vanishing"} and factor == pytest.approx(2 ** -0.5, rel=0.1)
    assert 2 ** -14.5 / 30 < ratio < 2 ** -14.5 * 30


def test_the_address_keeps_the_class_card_so_a_reload_keeps_it():
    """The page rewrote the whole address from its settings, dropping `member=`: a reload lost the card."""
    from mlp.ui.class_session import MEMBER_PARAM, SESSION_KEY, Membership
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[SESSION_KEY] = Membership("abcdefgh", "ijklmnop", "Ada", "Class")
    at.run()
    assert not at.exception and at.query_params[MEMBER_PARAM] == "abcdefgh.ijklmnop"
    at.button(key="flow_preset_exploding").click().run()        # a preset rewrites the address: the card stays
    assert at.query_params["preset"] == "exploding" and at.query_params[MEMBER_PARAM] == "abcdefgh.ijklmnop"
