"""Issue 23, a click-through at 1280 x 720: the defects a new user hit, each checked headless (AppTest)
or from its text. The browser's share is in tests/test_click_through_browser.py."""
import math
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.notation import OVERFLOWED_TEXT, metric_text, number_text, whole_epochs

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60

# Glyphs Debian's Chromium draws as empty boxes without an emoji font (none is installed with it):
# emoji and pictographs (U+1F000 on) and the fullwidth forms (U+FF00-U+FFEF, "＋").
BOXED = re.compile("[\U0001F000-\U0001FFFF\uFF00-\uFFEF]")


def _ui_sources():
    yield ROOT / "app.py"
    yield from (ROOT / "pages").glob("*.py")
    for pattern in ("*.py", "*.js"):
        yield from (ROOT / "mlp").rglob(pattern)


def test_no_glyph_that_a_classroom_chromium_draws_as_a_box():
    """Item 16: 💥, 🧊 and "＋ layer" showed as empty boxes; every glyph the app writes must be in the
    fonts every machine has (Streamlit's Material icons stand in for pictures)."""
    found = [f"{path.relative_to(ROOT)}:{n}: {m.group()!r}" for path in _ui_sources()
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) for m in BOXED.finditer(line)]
    assert not found, found


# -- item 4 and 9: counters and numbers ----------------------------------------------------------------

@pytest.mark.parametrize("epoch, whole", [(0.0, 0), (0.04, 0), (1.0, 1), (147.96, 147), (4506.5, 4506),
                                          (0.1 + 0.2 + 2.7 - 1e-12, 3)])
def test_the_epoch_counter_counts_whole_passes(epoch, whole):
    assert whole_epochs(epoch) == whole


@pytest.mark.parametrize("x, text", [(0.70412, "0.704"), (0.0, "0.000"), (12.5, "12.500"), (2.3e-5, "2.3·10⁻⁵"),
                                     (float("nan"), OVERFLOWED_TEXT), (math.inf, OVERFLOWED_TEXT),
                                     (2.2e28, OVERFLOWED_TEXT), (5.4e33, OVERFLOWED_TEXT),
                                     (2.38e18, OVERFLOWED_TEXT)])
def test_a_metric_says_overflowed_rather_than_nan_or_a_huge_number(x, text):
    assert metric_text(x) == text


def test_number_text_says_overflowed_for_nan_and_infinity():
    assert number_text(float("nan")) == number_text(-math.inf) == OVERFLOWED_TEXT


def _app(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_the_epoch_counter_is_a_whole_number_of_passes():
    """Item 4: Epoch showed "0.0", "147.0", "4,506.5". 250 training points in batches of 10: 25 steps a pass,
    so 60 steps are 2 whole passes (2.4 passes' worth of examples)."""
    at = _app({"batch_size": "10", "n_samples": "500", "train_fraction": "0.5"})
    assert at.metric[0].label == "Epoch" and at.metric[0].value == "0"
    run = at.session_state["run"]
    run.trainer.run(60)
    run.probe()
    at.run()
    assert not at.exception
    assert (at.metric[0].value, at.metric[1].value) == ("2", "60")


# -- item 5: the weight editor ------------------------------------------------------------------------

def _editor_page():
    """The weight editor under a button that does what a click on a neuron does (select_bias)."""
    import streamlit as st

    from mlp.ui.state import current_run
    from mlp.ui.weight_editor import select_bias, weight_editor
    run = current_run()
    if st.button("click neuron 1 of layer 2"):
        select_bias(2, 1)
    weight_editor(run)


def test_a_clicked_neuron_opens_the_editor_without_streamlits_default_value_warning(monkeypatch, caplog):
    """Item 5: a click on a neuron (select_bias) set edit_kind through Session State while the widget
    also had a default: Streamlit logged 'created with a default value but also had its value set via the
    Session State API'. The editor must then show that bias, with no warning."""
    from streamlit.elements.lib import policies
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)     # Streamlit warns once a process
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)            # and checks only on a server
    at = AppTest.from_function(_editor_page, default_timeout=TIMEOUT).run()
    with caplog.at_level("WARNING"):
        at.button[0].click().run()
    assert not at.exception
    assert not [r for r in caplog.records if "default value" in r.getMessage()]
    assert next(w for w in at.button_group if w.label == "Edit").value == "bias"
    run = at.session_state["run"]
    value = next(w for w in at.number_input if w.label == "Value")
    assert value.value == pytest.approx(float(run.trainer.net.biases[1][0, 0]), abs=1e-4)


# -- items 6, 8 and 15: what the charts say -----------------------------------------------------------

def test_the_loss_chart_and_the_gradient_chart_name_their_lines():
    """Item 6: the loss chart's three lines and the ‖dW‖ chart's shades had no key (the live charts draw
    no Plotly legend). The keys name every line, in the charts' own colours."""
    from mlp.figures.curves import METRIC_COLOUR
    from mlp.figures.legend import layers_legend_html, loss_legend_html
    from mlp.figures.palette import sequential_colours
    key = loss_legend_html("test accuracy")
    assert all(words in key for words in ("training loss", "test loss", "test accuracy (right axis, 0 to 1)"))
    assert "solid" in key and "dashed" in key and f"dotted {METRIC_COLOUR}" in key
    assert "accuracy" not in loss_legend_html(None)
    layers = layers_legend_html(3)
    assert [c in layers for c in sequential_colours(3)] == [True] * 3
    assert "layer 1" in layers and "layer 3 (output)" in layers


@pytest.mark.parametrize("figure", ["compare", "initialization", "gradient flow"])
def test_step_axes_tick_whole_steps_only(figure):
    """Item 8: before training Compare and Initialization labelled 0, 0.2 … 1; Gradient flow -0.5 … 1.5."""
    from mlp.figures.compare_figures import loss_pair_figure
    from mlp.figures.gradient_flow_figures import layer_step_heatmap_figure
    from mlp.figures.initialization_figures import loss_comparison_figure
    if figure == "compare":
        x = loss_pair_figure({"A": ([0], [0.7]), "B": ([0], [0.69])})["layout"]["xaxis"]
    elif figure == "initialization":
        x = loss_comparison_figure([("He", "#000", [0], [0.7])])["layout"]["xaxis"]
    else:
        x = layer_step_heatmap_figure([0, 1], [[0.1, 0.2], [0.1, 0.3]])["layout"]["xaxis"]
    assert (x["tickmode"], x["tick0"], x["dtick"]) == ("linear", 0, 1)


def test_show_test_data_keeps_the_output_plots_size_and_its_top_tick():
    """Item 15: Show test data changed the plot's top margin (8 -> 30 px), resizing it, and the y axis
    lacked its "6" at the top edge with 8 px above it."""
    import numpy as np

    from mlp.figures.boundary import decision_boundary_figure
    xs = np.linspace(-6, 6, 5)
    z = np.zeros((5, 5))
    X, y = np.zeros((2, 2)), np.array([0, 1])
    hidden = decision_boundary_figure(xs, xs, z, X, y, problem="classification", n_classes=2)["layout"]
    shown = decision_boundary_figure(xs, xs, z, X, y, X, y, problem="classification", n_classes=2)["layout"]
    assert hidden["margin"] == shown["margin"] and hidden["margin"]["t"] >= 12
    assert 6 in hidden["yaxis"]["tickvals"]


# -- item 9: one number style --------------------------------------------------------------------------

def test_backprops_check_writes_its_numbers_in_the_apps_one_style():
    """Item 9: the text said "1e-7 or better", the chart and verdict "pass below 1e-06", a failed check
    "1.0e+00"; elsewhere the app writes 8.4·10⁻⁵."""
    from mlp.figures.backprop_figures import gradcheck_figure
    fig = gradcheck_figure([1.0, 3.2e-9], 1e-6)
    assert fig["data"][0]["text"] == ["1", "3.2·10⁻⁹"]
    assert fig["layout"]["annotations"][0]["text"] == "pass below 10⁻⁶"
    page = (ROOT / "pages" / "3_Backprop_step_by_step.py").read_text("utf-8")
    lab = (ROOT / "mlp" / "ui" / "backprop_page.py").read_text("utf-8")
    # no e-notation in what the page writes: in its words ("about 1e-7") or a format (":.0e}", "{:.1e}")
    assert not re.search(r"about 1e-7|instead of 1e-7|\.\de\}", page + lab)


def test_the_std_by_layer_of_a_deep_net_marks_the_layers_it_leaves_out():
    """Item 9: "std by layer: 0.029 → 0.0016 → 3.6e-07 → 1.8e-08" showed 4 values for 6 layers, no "…"."""
    import numpy as np

    from mlp.ui.initialization_page import _spread_text
    stds = np.array([0.029, 0.0016, 1e-4, 1e-5, 3.6e-7, 1.8e-8])
    assert _spread_text(stds) == "0.029 → 1.6·10⁻³ → … → 3.6·10⁻⁷ → 1.8·10⁻⁸"
    assert _spread_text(stds[:3]) == "0.029 → 1.6·10⁻³ → 10⁻⁴"


def test_the_papers_table_says_which_figure_is_measured_and_which_is_theory():
    """Item 9: "2⁻¹·⁴ (theory 2⁰·⁰)" mixed a power of two with the app's powers of ten."""
    from mlp.lab import papers
    rep = papers.reproduce(next(iter(papers.PAPERS.values())))
    table = papers.findings(rep)[0]
    assert "2⁻" not in table and "2⁰" not in table
    assert table.count("measured **") == 4 * len(rep.paper.schemes)


# -- item 14: Share after a hand edit ------------------------------------------------------------------

def test_share_after_a_hand_edit_says_the_link_starts_from_the_initial_weights():
    """Item 14: after a weight was set to 3, Share gave the plain address (which opens with the original
    weights) under a tooltip saying it "reproduces this exact run"."""
    at = _app()
    assert not any("set weights by hand" in w.value for w in at.warning)
    run = at.session_state["run"]
    run.edit(run.trainer.net.weights[0], (0, 0), 3.0)
    at.run()
    assert not at.exception
    assert any("starts from the initial weights" in w.value for w in at.warning)
    share = next(b.proto for b in at.get("popover") if b.proto.popover.label == "Share").popover
    assert not share.help                      # its tooltip lay over the popover's first line
    at.button(key="reset").click().run()      # the same run from its start: nothing edited any more
    assert not any("set weights by hand" in w.value for w in at.warning)


# -- items 12 and 13: the class challenge reaches the students; an erased class says so ----------------

@pytest.fixture
def store(tmp_path, monkeypatch):
    from mlp.classroom.store import Store
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("MLP_STORE", url)
    return Store(url)


def _student(class_id: str, name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, name
    at.run()
    return at.switch_page("app.py").run()


def _header(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html") if "on the wall" in h.proto.body or "Challenge" in
                     h.proto.body) + "\n".join(c.value for c in at.caption)


def test_a_challenge_set_after_joining_reaches_a_student_who_is_not_training(store, monkeypatch):
    """Item 12: with "Spiral, test loss ≤ 0.1" set, a student already in the class stayed on Moons with no
    notice. Their header rereads the class, names the challenge and offers to switch to its data."""
    from mlp.classroom import wall
    from mlp.ui import class_session
    monkeypatch.setattr(class_session, "CHECK_EVERY_S", 0.0)       # the header's reread, at every run here
    class_id, key = store.create_class("Room 4")
    at = _student(class_id, "Finn")
    assert "Challenge:" not in _header(at)
    store.set_challenge(class_id, key, wall.make_challenge("spiral", 0.0, 0.1))
    at.run()                                         # a rerun of the paused page, as its timer makes one
    assert not at.exception
    assert "Challenge: Spiral (noise 0" in _header(at) and "test loss ≤ 0.1" in _header(at)
    assert at.session_state["run"].config.dataset == "circle"
    at.button(key="class_go_to_challenge").click().run()
    assert not at.exception
    assert at.session_state["run"].config.dataset == "spiral"
    assert not [b for b in at.button if b.key == "class_go_to_challenge"]     # on its data: nothing to offer


def test_an_erased_class_says_so_in_the_students_header(store, monkeypatch):
    """Item 13: 11 s after "Erase the class" a student's header still said "In class … · on the wall"."""
    from mlp.ui import class_session
    monkeypatch.setattr(class_session, "CHECK_EVERY_S", 0.0)
    class_id, key = store.create_class("Erase test")
    at = _student(class_id, "Gil")
    assert "In class" in _header(at)
    assert store.erase_class(class_id, key)
    at.run()
    assert not at.exception
    assert "In class" not in _header(at) and "was closed by the teacher" in _header(at)
    assert at.session_state.get("class_membership") is None


def test_the_wall_says_what_each_card_learns_and_ranks_losses_within_one_data_set():
    """Item 12: wall cards never showed the data set, so "sort by test loss" ranked different problems
    against each other. Item 13: "2 student(s)"."""
    from types import SimpleNamespace

    from mlp.classroom import wall
    from mlp.ui.class_page import card_lines
    spiral = {"settings": "dataset=spiral&output=softmax", "test_loss": 0.30, "state": "playing", "arch": "2-8-2"}
    circle = {"settings": "", "test_loss": 0.05, "state": "playing", "arch": "2-4-2"}
    circle_worse = {"settings": "hidden=3", "test_loss": 0.40, "state": "playing", "arch": "2-3-2"}
    assert "Spiral (noise 0)" in card_lines(spiral, 0.0) and "Circle (noise 0)" in card_lines(circle, 0.0)
    cards = [SimpleNamespace(name=n, snapshot=s) for n, s in (("Ana", spiral), ("Ben", circle_worse),
                                                              ("Cy", circle))]
    ranked = [c.name for c in wall.sort_cards(cards, "test loss")]
    assert ranked == ["Cy", "Ben", "Ana"]            # the circle group (best 0.05) first, then spiral
    source = (ROOT / "mlp" / "ui" / "class_page.py").read_text("utf-8")
    assert "student(s)" not in source


def test_class_new_without_an_address_says_which_one_its_links_use(tmp_path):
    """Item 13: `python -m mlp class new` printed links on port 8501 while the app ran elsewhere. It takes
    the port from the folder's .streamlit/config.toml and says on stderr which address the links name."""
    import subprocess
    import sys
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text("[server]\nport = 8642\n")
    done = subprocess.run([sys.executable, "-m", "mlp", "class", "new", "--title", "Room"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                               "MLP_STORE": f"sqlite:///{tmp_path / 'c.sqlite'}"})
    assert done.returncode == 0, done.stderr
    join, teacher = done.stdout.splitlines()
    assert join.startswith("http://localhost:8642/Class?join=") and teacher.startswith("http://localhost:8642/")
    assert "http://localhost:8642" in done.stderr and "--base-url" in done.stderr


# -- item 15: Edit points' class chips ------------------------------------------------------------------

def test_edit_points_offers_a_two_class_set_its_two_classes_in_the_plots_colours():
    """Item 15: the chips were brown / royal blue / green (Streamlit's named colours) and offered class 2
    on a two-class set. Each chip is edged in its class's colour on the plot."""
    from mlp.figures.palette import CLASS_COLOURS
    at = _app()
    at.toggle(key="view_edit_points").set_value(True).run()
    assert not at.exception
    pills = next(w for w in at.button_group if w.label == "Add class")
    assert pills.options == ["class 0", "class 1"]
    css = next(h.proto.body for h in at.get("html") if "edit_points_class" in h.proto.body)
    assert CLASS_COLOURS[0] in css and CLASS_COLOURS[1] in css
    blobs = _app({"dataset": "blobs", "n_classes": "3"})
    blobs.toggle(key="view_edit_points").set_value(True).run()
    assert next(w for w in blobs.button_group if w.label == "Add class").options == [
        "class 0", "class 1", "class 2", "class 3"]              # a set of several classes: one more


def test_a_bias_square_sits_on_its_neurons_corner_not_over_its_picture():
    """Item 10: the bias squares (9 px, centred 0.12 cells inside the corner) covered a third of a deep
    net's ~20 px neurons. Centred just outside the lower left corner, at most a quarter of the square
    (a few pixels of the picture's corner) overlaps the neuron, however small the cells."""
    from mlp.run.config import Config
    from mlp.live.frame import network_view_figure
    from mlp.run.trainer import Trainer
    fig = network_view_figure(Trainer(Config(hidden=(8,) * 7)), False, None, controls=True, playing=False)
    labels = next(t for t in fig["data"] if t.get("name") == "neuron labels")
    centres = {tuple(c): (x, y) for c, x, y in zip(labels["customdata"], labels["x"], labels["y"])}
    biases = next(t for t in fig["data"] if t.get("name") == "biases")
    for (_, layer, unit), x, y in zip(biases["customdata"], biases["x"], biases["y"]):
        cx, cy = centres[("neuron", layer, unit)]
        assert x <= cx - 0.5 and y <= cy - 0.5                 # on or beyond the lower left corner
    assert fig["layout"]["margin"]["l"] >= 50               # room for "sin(X₁)" in pixels, not in cells


def test_backprops_point_numbers_stay_inside_the_plot():
    """Item 15: the regression preset clipped point 2's label at the plot edge ("top right" of a point
    near the top). A point near the right or top edge gets its number on the inner side."""
    import numpy as np

    from mlp.figures.backprop_figures import batch_figure
    X = np.array([[0.0, 0.0], [1.0, 5.4], [5.6, -1.0], [5.5, 5.5]])
    fig = batch_figure(X, np.array([0.1, -0.2, 0.3, 0.0]), 0, problem="regression")
    assert fig["data"][0]["textposition"] == ["top right", "bottom right", "top left", "bottom left"]


def test_a_run_opened_from_the_wall_is_named_on_the_playground(store):
    """Item 13: after Open on a card nothing told the teacher whose run was loaded."""
    from mlp.run.checkpoint import save_trainer
    from mlp.classroom.wall import snapshot
    from mlp.run.config import Config
    from mlp.classroom.store import new_student_id
    from mlp.run.trainer import Trainer
    class_id, key = store.create_class("Open test")
    t = Trainer(Config(dataset="xor", hidden=(4,)))
    store.post(class_id, new_student_id(), "Hana", snapshot(t, t.run(5), "playing", None), save_trainer(t))
    at = AppTest.from_file(str(ROOT / "pages" / "5_Class.py"), default_timeout=TIMEOUT)
    at.query_params["class"], at.query_params["key"] = class_id, key
    at.run()
    assert "Hana" in "\n".join(t.value for t in at.text)
    next(b for b in at.button if b.label == "Open").click().run()
    assert not at.exception
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.session_state["run"] = at.session_state["run"]
    app.session_state["class_opened_run"] = at.session_state["class_opened_run"]
    app.run()
    assert any("<b>Hana</b>’s run, opened from the class wall" in h.proto.body for h in app.get("html"))


def test_a_wall_card_says_how_it_stands_with_the_challenge():
    """Item 12: wall cards never showed the challenge progress."""
    from mlp.classroom import wall
    from mlp.ui.class_page import card_lines
    challenge = wall.make_challenge("spiral", 0.0, 0.1)
    on_it = {"settings": "dataset=spiral", "state": "playing", "test_loss": 0.3}
    elsewhere = {"settings": "", "state": "playing", "test_loss": 0.05}
    reached = {**on_it, "reached": {"step": 40, "n_params": 30}}
    assert card_lines(on_it, 0.0, challenge).endswith("challenge: not yet")
    assert card_lines(elsewhere, 0.0, challenge).endswith("challenge: on other data")
    assert "✓ target at step 40" in card_lines(reached, 0.0, challenge) and "not yet" not in card_lines(
        reached, 0.0, challenge)
    assert "challenge" not in card_lines(on_it, 0.0)
