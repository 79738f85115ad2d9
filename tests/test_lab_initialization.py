"""The Initialization lab: schemes compared on the same data and seed, the symmetry of a zero init,
and the page headless."""
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from mlp.figures.initialization_figures import layer_spread_figure, loss_comparison_figure
from mlp.lab import initialization as init_lab
from mlp.run.trainer import Trainer

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "2_Initialization.py")


# -- symmetry ---------------------------------------------------------------------------------------
def trained(init: str, seed: int, **changes) -> Trainer:
    trainer = Trainer(init_lab.symmetry_config(init, seed).replace(**changes))
    trainer.run(init_lab.SYMMETRY_STEPS)
    return trainer


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zero_init_units_stay_identical_but_not_trivial(seed):
    for layer in init_lab.neuron_grids(trained("zeros", seed)):
        assert all(np.array_equal(layer[0], unit) for unit in layer[1:])
        assert np.ptp(layer[0]) > 0.1                  # a picture over the plane, not one flat colour
    assert "identical" in init_lab.symmetry_summary(trained("zeros", seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_init_units_differ(seed):
    for layer in init_lab.neuron_grids(trained("xavier_normal", seed)):
        assert not init_lab.identical_units(layer)
        assert init_lab.unit_difference(layer) > 0.1


def test_zero_init_starts_as_flat_identical_units():
    """Before training every unit outputs tanh(bias) everywhere: tanh(0.5) ≈ 0.462."""
    trainer = Trainer(init_lab.symmetry_config("zeros"))
    layer1 = init_lab.neuron_grids(trainer)[0]
    np.testing.assert_allclose(layer1, np.tanh(0.5), rtol=1e-6)
    assert "flat colour" in init_lab.symmetry_summary(trainer)


def test_tanh_with_zero_bias_never_moves_the_hidden_layers():
    """tanh(0) = 0, so every hidden output is 0, dW = A.T @ δ = 0 and only the output biases learn."""
    trainer = Trainer(init_lab.symmetry_config("zeros").replace(bias_init=0.0))
    trainer.run(init_lab.SYMMETRY_STEPS)
    net = trainer.net
    assert all(not W.any() for W in net.weights) and all(not b.any() for b in net.biases[:-1])
    assert all(not layer.any() for layer in init_lab.neuron_grids(trainer))


# -- comparison -------------------------------------------------------------------------------------
def test_comparison_uses_the_same_data_and_steps_for_every_scheme():
    preset = init_lab.PRESETS["tanh"]
    comp = init_lab.Comparison(preset.config.replace(hidden=(16,) * 4), preset.schemes)
    first = comp.trainers[preset.schemes[0]]
    for t in comp.trainers.values():
        np.testing.assert_array_equal(t.X_train, first.X_train)
    comp.train(50)
    assert comp.step == 50
    for name in preset.schemes:
        steps, loss = comp.curve(name)
        assert list(steps) == [0, 10, 20, 30, 40, 50] and np.isfinite(loss).all()


def test_tanh_preset_spreads_small_collapses_xavier_keeps_normal_saturates():
    preset = init_lab.PRESETS["tanh"]
    spread = init_lab.Comparison(preset.config, preset.schemes).initial_spread
    assert spread["small"][-1] < 1e-3 < 0.1 < spread["xavier_normal"][-1] < 0.7 < spread["normal"][-1] <= 1.0


def test_relu_preset_normal_diverges_and_he_keeps_the_spread():
    preset = init_lab.PRESETS["relu"]
    comp = init_lab.Comparison(preset.config, preset.schemes)
    he, xavier, normal = (comp.initial_spread[n] for n in ("he_normal", "xavier_normal", "normal"))
    assert he[-1] / he[0] > 0.3 and xavier[-1] / xavier[0] < 0.2 and normal[-1] / normal[0] > 100
    comp.train(20)
    assert "normal" in comp.diverged() and "he_normal" not in comp.diverged()


def test_figures_draw_each_scheme_as_given_and_leave_what_a_log_axis_cannot_show_out():
    """A scheme's line carries its own name, colour and values; on a log axis a loss of 0 and a spread
    of 0 (a layer that died) are gaps, never plotted as some small number; Plotly accepts both."""
    loss = go.Figure(loss_comparison_figure([("a", "#000000", [0, 10, 20], [0.7, 0.0, 0.5]),
                                             ("b", "#ff0000", [0], [42.0])]))
    assert [t.name for t in loss.data] == ["a", "b"] and loss.data[1].line.color == "#ff0000"
    assert list(loss.data[0].x) == [0, 10, 20] and loss.data[0].y[0] == 0.7 and loss.data[0].y[1] is None
    assert loss.layout.yaxis.type == "log"
    spread = go.Figure(layer_spread_figure([("a", "#000000", [0.5, 0.3, 0.0])]))
    assert list(spread.data[0].x) == [1, 2] and list(spread.data[0].y) == [0.5, 0.3]    # layer 3: no point
    assert spread.layout.xaxis.range == (0.5, 3.5)                                          # but its place


# -- the page, headless ---------------------------------------------------------------------------
@pytest.mark.slow      # every preset's page run, with training
def test_page_loads_presets_compare_and_symmetry_run():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("Initialization")
    for name, preset in init_lab.PRESETS.items():
        at.button(key=f"init_preset_{name}").click().run()
        assert not at.exception, name
        assert at.session_state["lab_initialization"].comparison.schemes == preset.schemes
        assert any(preset.label in i.value for i in at.info)
    at.button(key="init_train").click().run()
    lab = at.session_state["lab_initialization"]
    assert not at.exception and lab.comparison.step == 200
    assert any("Step 200" in c.value for c in at.caption)
    at.button(key="init_play").click().run()
    assert not at.exception and lab.comparison.step > 200
    at.button(key="init_pause").click().run()

    at.button(key="init_sym_zeros").click().run()
    at.button(key="init_sym_train").click().run()
    assert not at.exception
    grids = init_lab.neuron_grids(at.session_state["lab_initialization"].symmetry)
    assert all(init_lab.identical_units(g) for g in grids)
    assert any("all 4 units identical" in m.value for m in at.markdown)
    at.button(key="init_sym_random").click().run()
    at.button(key="init_sym_train").click().run()
    grids = init_lab.neuron_grids(at.session_state["lab_initialization"].symmetry)
    assert not any(init_lab.identical_units(g) for g in grids)
    assert any("units differ" in m.value for m in at.markdown)


def test_a_papers_link_opens_its_figure_and_a_click_switches_paper():
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params["preset"] = "glorot-2010"
    at.run()
    assert not at.exception
    lab = at.session_state["lab_initialization"]
    assert lab.schemes == ("standard", "xavier_uniform") and lab.reproduction.paper.name == "glorot_2010"
    assert any(h.value == "The paper's figure: Glorot & Bengio 2010" for h in at.subheader)
    assert any("AISTATS" in m.value for m in at.markdown)
    assert any("theory 0.333" in m.value for m in at.markdown)          # its numbers, beside the theory's
    at.button(key="init_preset_he_2015").click().run()
    assert not at.exception
    assert at.session_state["lab_initialization"].reproduction.paper.name == "he_2015"
    assert any("Training loss over 500 steps" in m.value for m in at.markdown)
    at.button(key="init_preset_tanh").click().run()                         # not a paper: no paper figure
    assert not any(h.value.startswith("The paper's figure") for h in at.subheader)


def test_page_settings_rebuild_the_comparison():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.slider(key="init_depth").set_value(3).run()
    at.selectbox(key="init_activation").set_value("relu").run()
    at.get("button_group")[0].set_value(["xavier_normal", "he_normal"]).run()
    assert not at.exception
    lab = at.session_state["lab_initialization"]
    assert lab.config.hidden == (32,) * 3 and lab.config.activation == "relu"
    assert lab.comparison.schemes == ("xavier_normal", "he_normal")
    at.get("button_group")[0].set_value([]).run()
    assert not at.exception and at.warning                        # no scheme: says so, keeps the last ones
    assert at.session_state["lab_initialization"].comparison.schemes == ("xavier_normal", "he_normal")
