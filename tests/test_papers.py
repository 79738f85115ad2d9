"""The two papers' figures, reproduced with this engine: each paper's claim asserted from the engine's numbers.

Expected values come from the papers' own argument — a layer scales the variance by c·n·Var(W), with
c = 1 for tanh near 0 and ½ for ReLU — or from PyTorch, never from this code's output. Tolerances
allow for finite width (a layer of n units scales the signal by a random factor around the
theory's) and hold for every seed tried.
"""
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp.figures.papers_figures import layer_statistics_figure
from mlp.engine.initializers import INITIALIZERS
from mlp.lab import papers
from mlp.lab.initialization import PRESETS
from mlp.engine.network import MLP
from mlp.ui import page_link
from tests.browser import require_torch

GLOROT, HE = papers.PAPERS["glorot_2010"], papers.PAPERS["he_2015"]


# -- the initializations the papers compare -------------------------------------------------------
def test_standard_init_is_uniform_within_one_over_root_fan_in():
    n_in, n_out = 400, 1250
    W = INITIALIZERS["standard"](n_in, n_out, np.random.default_rng(0))
    bound = 1 / math.sqrt(n_in)
    assert bound * 0.999 < np.abs(W).max() <= bound
    assert W.var() == pytest.approx(1 / (3 * n_in), rel=0.01)          # U(-a, a) has variance a²/3
    counts, _ = np.histogram(W, bins=10, range=(-bound, bound))         # flat: a tenth in each tenth
    np.testing.assert_allclose(counts / W.size, 0.1, atol=0.003)


def test_lecun_normal_has_variance_one_over_fan_in():
    W = INITIALIZERS["lecun_normal"](400, 1250, np.random.default_rng(0))
    assert W.var() == pytest.approx(1 / 400, rel=0.01)
    assert abs(W.mean()) < 0.01 / math.sqrt(400)


def test_standard_init_is_what_pytorch_linear_draws_by_default():
    """nn.Linear's default, kaiming_uniform(a=√5), is U(±1/√fan_in): the same distribution as "standard"."""
    torch = require_torch()
    n_in, n_out = 400, 1250
    torch.manual_seed(0)
    theirs = torch.nn.Linear(n_in, n_out).weight.detach().double().numpy().T      # (n_in, n_out) like ours
    ours = INITIALIZERS["standard"](n_in, n_out, np.random.default_rng(0))
    bound = 1 / math.sqrt(n_in)
    assert theirs.shape == ours.shape
    assert bound * 0.999 < np.abs(theirs).max() <= bound
    assert theirs.var() == pytest.approx(ours.var(), rel=0.01)
    q = np.linspace(0.05, 0.95, 19)
    np.testing.assert_allclose(np.quantile(theirs, q), np.quantile(ours, q), atol=0.01 * bound)


# -- Glorot & Bengio 2010: tanh, five hidden layers, standard vs normalized ----------------------------
@pytest.fixture(scope="module")
def glorot():
    return [papers.reproduce(GLOROT, seed) for seed in range(5)]


def test_glorot_theory_factors():
    rep = papers.reproduce(GLOROT, 0)
    assert rep.predicted_factor("standard") == pytest.approx(1 / 3)          # n · 1/(3n)
    assert rep.predicted_factor("xavier_uniform") == pytest.approx(1.0)      # n · 2/(n + n)


def test_glorot_standard_init_fades_both_ways_while_dw_stays_level(glorot):
    for rep in glorot:
        s = rep.at_init["standard"]
        assert np.all(np.diff(s.activations) < 0), rep.seed       # falls layer by layer going up
        assert np.all(np.diff(s.deltas) > 0), rep.seed            # falls going down toward the input
        for quantity in ("activations", "deltas"):
            assert rep.measured_factor("standard", quantity) == pytest.approx(1 / 3, rel=0.15), (rep.seed, quantity)
            assert rep.spread("standard", quantity) > 40          # (1/3)⁻⁴ = 81 over five layers
        assert rep.spread("standard", "weight_grads") < 2.5, rep.seed    # Glorot's eq. 14: level


def test_glorot_normalized_init_keeps_all_three_about_level(glorot):
    """Level in their linear argument (factor 1); tanh's curve takes a little at each layer, so the factor is
    below 1 but far from the standard init's 1/3."""
    for rep in glorot:
        for quantity in ("activations", "deltas"):
            assert 0.6 < rep.measured_factor("xavier_uniform", quantity) < 1.1, (rep.seed, quantity)
        assert rep.spread("xavier_uniform", "weight_grads") < 2.5, rep.seed


def test_glorot_activation_variances_follow_the_mean_field_recursion(glorot):
    """Beyond the linear regime: with z ~ N(0, q), Var(tanh z) = E[tanh(√q ξ)²] (Gauss–Hermite), and the next
    layer's q is n·Var(W) times that. Inputs U(-1, 1) have variance 1/3, so layer 1's q is n·Var(W)/3."""
    x, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    for scheme, k in (("standard", 1 / 3), ("xavier_uniform", 1.0)):
        q, expected = k / 3, []
        for _ in range(len(GLOROT.config.hidden)):
            expected.append(float(np.sum(w * np.tanh(np.sqrt(q) * x) ** 2)))
            q = k * expected[-1]
        for rep in glorot:
            np.testing.assert_allclose(rep.at_init[scheme].activations, expected, rtol=0.15)


# -- He et al. 2015: 30 ReLU layers, Var(W) = 1/n_in vs 2/n_in ------------------------------------------
@pytest.fixture(scope="module")
def he():
    return [papers.reproduce(HE, seed) for seed in range(3)]


@pytest.mark.slow      # trains two 30-layer nets for 500 steps (the `he` fixture)
def test_he_xavier_form_shrinks_the_std_by_one_over_root_two_per_layer(he):
    for rep in he:
        assert rep.predicted_factor("lecun_normal") == pytest.approx(1 / math.sqrt(2))
        for quantity in ("activations", "deltas"):
            # ±7% per layer: at width 64 each layer's factor is itself random; over 29 layers the product
            # wanders by about e^±0.7, and 7% a layer is about three times that
            assert rep.measured_factor("lecun_normal", quantity) == pytest.approx(1 / math.sqrt(2), rel=0.07)
        a = rep.at_init["lecun_normal"].activations
        assert a[-1] / a[0] < 2.0 ** -12                       # about 2⁻¹⁴·⁵ from layer 1 to 30


@pytest.mark.slow      # trains two 30-layer nets for 500 steps (the `he` fixture)
def test_he_init_keeps_the_std_level(he):
    for rep in he:
        assert rep.predicted_factor("he_normal") == pytest.approx(1.0)
        for quantity in ("activations", "deltas"):
            assert rep.measured_factor("he_normal", quantity) == pytest.approx(1.0, rel=0.07), (rep.seed, quantity)
        a = rep.at_init["he_normal"].activations
        assert 1 / 8 < a[-1] / a[0] < 8


@pytest.mark.slow      # trains two 30-layer nets for 500 steps (the `he` fixture)
def test_he_xavier_form_stalls_and_he_trains(he):
    for rep in he:
        start, end = rep.loss_change("lecun_normal")
        # its output is ~2⁻¹⁵ of its input's size: logits ≈ 0, so the loss starts at ln 2 (two classes)
        assert start == pytest.approx(math.log(2), rel=1e-3)
        assert np.all(rep.curves["lecun_normal"][1] > 0.95 * start), rep.seed        # stalled: < 5% lower
        he_start, he_end = rep.loss_change("he_normal")
        assert he_end < 0.2 and he_end < 0.3 * end, rep.seed
        steps = rep.curves["he_normal"][0]
        assert steps[0] == 0 and steps[-1] == HE.steps


# -- what the page shows -----------------------------------------------------------------------------
def test_each_paper_is_a_preset_with_a_link():
    for name, slug in (("glorot_2010", "glorot-2010"), ("he_2015", "he-2015")):
        preset = PRESETS[name]
        assert preset.paper and preset.schemes == papers.PAPERS[name].schemes
        assert page_link.slug(name) == slug                 # ?preset=glorot-2010 opens it
    assert PRESETS["glorot_2010"].config.activation == "tanh" and len(PRESETS["glorot_2010"].config.hidden) == 5
    assert PRESETS["he_2015"].config.activation == "relu" and len(PRESETS["he_2015"].config.hidden) == 30


@pytest.mark.slow      # trains two 30-layer nets for 500 steps (the `he` fixture)
def test_figure_and_findings(glorot, he):
    for rep in (glorot[0], he[0]):
        fig = layer_statistics_figure([(s, "#000000", rep.at_init[s]) for s in rep.paper.schemes],
                                      statistic=rep.paper.statistic)
        go.Figure(fig)
        assert len(fig["data"]) == 3 * 2
        assert all(fig["layout"][axis]["type"] == "log" for axis in ("yaxis", "yaxis2", "yaxis3"))
        assert fig["data"][0]["y"][0] == pytest.approx(rep.at_init[rep.paper.schemes[0]].activations[0], rel=1e-3)
    text = "\n".join(papers.findings(glorot[0]))
    assert "theory 0.333" in text and "theory 1.000" in text and "theory 0.012 |" in text     # (1/3)⁴ = 0.0123
    text = "\n".join(papers.findings(he[0]))
    # (1/√2)²⁹ = 2^-14.5 = 4.3·10⁻⁵, written as every number in the app (issue 23: not as a power of two)
    assert "theory 0.707" in text and "theory 4.3·10⁻⁵ |" in text and "√(0.5·n·Var(W))" in text
    assert papers.training_finding(glorot[0]) is None
    assert "500 steps" in papers.training_finding(he[0])


def test_layer_stats_refuses_an_unknown_statistic():
    net = MLP([2, 3, 2])
    with pytest.raises(ValueError, match="statistic must be 'variance' or 'std', got 'mean'"):
        papers.layer_stats(net, np.zeros((4, 2)), np.eye(2)[[0, 1, 0, 1]], "mean")
