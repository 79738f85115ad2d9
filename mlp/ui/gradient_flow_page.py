"""Streamlit glue of the Gradient flow lab: its state, presets, controls and the live charts.

The run is the Playground's `Run` (so Play / Step / Back / Reset from mlp/ui/page.py work as
there), kept under its own session key; beside it the lab keeps the numbers at step 0 and a bounded
record of histograms per recorded step. A new trainer (a preset, a changed setting, Reset) starts
both afresh.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from mlp.run.config import FIELD
from mlp.figures.gradient_flow_figures import (gradient_flow_figure, histogram_over_time_figure, layer_step_heatmap_figure,
                                     layers_histogram_figure, variance_figure)
from mlp.figures.layers import layer_histograms_figure
from mlp.engine.initializers import INITIALIZERS
from mlp.lab import gradient_flow as flow
from mlp.live.paced_batch import paced_batch      # one pace for every page: see mlp/live/pace.py for why
from mlp.run.signals import LayerSignals, open_ends
from mlp.text_safety import literal
from mlp.run.trainer import Trainer
from mlp.notation import metric_text

from mlp.ui import lesson_controls, page_link, stuck_alarm
from mlp.ui.class_session import url_param
from mlp.ui.controls import field_widget
from mlp.ui.lab_stage import frames_chart, growth_css, play_bar
from mlp.ui.play_loop import live_loop
from mlp.ui.plotly_live import live_chart
from mlp.ui.state import Run, budget_problem, config_from_link, link_params, new_trainer

KEY = "lab_gradient_flow"
PAGE = "Gradient flow"            # its title, as page_setup and the link notice name it
DEFAULT_PRESET = "vanishing"
# The two main charts at 1280 x 720, and their shares of a taller screen's extra height.
MAIN_CHARTS = {"flow_by_layer": (300, 0.8), "flow_heatmap": (300, 0.8)}
EXPLANATION = """Backpropagation multiplies the error by W[l]ᵀ and by the activation's slope φ′(Z) once per
layer on its way back, so in a deep net it changes by about the same factor at every layer: below 1 it
**vanishes** before it reaches the first layers, above 1 it **explodes**. Pick a preset, read the verdict,
then press Play and watch the gradients of each layer as the net trains.

**Left, the gradient by layer** (log scale). The headline is **mean |δ[l]|**, the backward error per unit
(per unit rather than ‖δ[l]‖, so a 2-unit output layer and 32-unit hidden layers compare fairly): it falls
towards layer 1 when gradients vanish and rises when they explode, for every activation. Beside it ‖dW[l]‖,
which also carries the forward signal (level in a ReLU net), and ‖ΔW[l]‖/‖W[l]‖, how far a step moves each
layer (about 10⁻³ is healthy). Dotted: at step 0.

**Right, mean |δ[l]| over training**, layer by step: one colour range for the whole run (whole decades from
its smallest to its largest value so far, a tick per decade), so a factor of 1000 between layers is three
ticks apart and a decay over time stays visible.

The tabs above the charts hold the layers' histograms over time, every layer at one recorded step, and
the variance each layer passes on, as the theory predicts it (*Why*)."""
BOX = {"vanishing": st.warning, "exploding": st.error, "decaying": st.warning, "growing": st.warning,
       "healthy": st.success, "not finite": st.error}


@dataclass
class FlowLab:
    run: Run
    timeline: flow.HistogramTimeline | None = None
    trainer: Trainer | None = None                 # the trainer the numbers below belong to
    initial: LayerSignals | None = None            # signals at step 0 (the probe)
    initial_variance: np.ndarray | None = None     # measured Var(Z[l]) / Var(X) at step 0


def flow_lab() -> FlowLab:
    """This session's lab, from the link: its preset (`?preset=exploding`), or the default one unless
    the link holds settings, with the link's settings on top. The address bar then holds the settings."""
    lab = st.session_state.get(KEY)
    if lab is None:
        name, problems = page_link.preset_from_link(flow.PRESETS, DEFAULT_PRESET)
        from_preset = page_link.PARAM in st.query_params or not page_link.has_settings()
        config, more = config_from_link(flow.PRESETS[name].config if from_preset else None)
        config, none = page_link.with_hidden_layers(config, flow.PRESETS[name].config)
        more += none
        too_big = budget_problem(config)
        if too_big:          # with what the other pages hold, the link's run would pass the tab's budget
            config = flow.PRESETS[name].config
            more.append(f"{too_big}; the page opens on {page_link.slug(name)}")
        page_link.remember_notice(PAGE, problems + more + lesson_controls.link_problems())
        lab = st.session_state[KEY] = FlowLab(Run(config, new_trainer(config)))
    write_link(lab.run.config)          # also after coming back from another page: the link stays shareable
    _sync(lab)
    return lab


def write_link(config) -> None:
    """The address bar: the settings, and `?preset=` while they are exactly a preset's (seed too), so
    the link opens what the page shows whichever way it is read."""
    wanted = {**link_params(config), **url_param()}      # the class card too: a reload keeps it
    preset = next((name for name, p in flow.PRESETS.items() if p.config == config), None)
    if preset is not None:
        wanted[page_link.PARAM] = page_link.slug(preset)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _sync(lab: FlowLab) -> None:
    """A new trainer: probe it at step 0, measure its variances, start a fresh histogram record."""
    run = lab.run
    if lab.trainer is run.trainer:
        return
    lab.trainer = t = run.trainer
    run.probe()
    lab.initial, lab.initial_variance = run.report.signals, flow.measured_variance(t)
    lab.timeline = flow.HistogramTimeline(t.net.n_layers)
    lab.timeline.record(0, lab.initial)


# -- presets and settings ------------------------------------------------------------------------
def _start_preset(lab: FlowLab, name: str) -> None:
    """The preset's config, seed included: a button gives the numbers its link (`?preset=`) gives.
    (The tests check every preset's claim on several seeds; the seed box draws others.)"""
    run = lab.run
    config = flow.PRESETS[name].config
    run.start(config)
    write_link(config)


def preset_buttons(lab: FlowLab) -> None:
    rules = lesson_controls.rules()
    # each button as wide as its label needs (equal columns cut the longest at 1280 wide)
    widths = [len(p.label) + 4 for p in flow.PRESETS.values()]
    for col, (name, preset) in zip(st.columns(widths, gap="small") if not rules.hides("presets") else (),
                                   flow.PRESETS.items()):
        col.button(preset.label, key=f"flow_preset_{name}", on_click=_start_preset, args=(lab, name),
                   use_container_width=True, **rules.control("presets", f"{preset.setting}."))


def explain(lab: FlowLab) -> None:
    """"What am I looking at?": the preset's story, then the page's text."""
    preset = flow.preset_of(lab.run.config)
    if preset:
        st.info(f"**{preset.label}** ({preset.setting}) — what the theory predicts: {preset.story}",
                icon=":material/lightbulb:")
    st.markdown(EXPLANATION)


def _apply(apply, key: str, value) -> None:
    if value is not None:            # a cleared number box: nothing to apply
        apply(**{key: value})


def setting(key: str, value, container, *, prefix: str, apply) -> None:
    """One setting through the shared field widget; `apply(**{key: new value})` takes the change."""
    field_widget(key, value, key=f"{prefix}_{key}", on_change=_apply, args=(apply, key), container=container)


def _hidden_changed(part: str, hidden: tuple[int, ...], wkey: str, apply) -> None:
    depth, width, value = len(hidden), (hidden or (8,))[0], int(st.session_state[wkey])
    apply(hidden=(width,) * value if part == "depth" else (value,) * depth)


def depth_width_widgets(hidden: tuple[int, ...], depth_col, width_col, *, prefix: str, apply) -> None:
    """The "hidden" field as two sliders: how many hidden layers, and how many units each (all equal)."""
    f = FIELD["hidden"]
    allowed = lesson_controls.rules().control("hidden", f.help)
    if allowed is None:
        return
    for part, col, label, lo, hi, value in (("depth", depth_col, f.label, 1, f.max_items, len(hidden)),
                                            ("width", width_col, "Units per layer", int(f.lo), int(f.hi),
                                             (hidden or (8,))[0])):
        wkey = f"{prefix}_{part}"
        st.session_state[wkey] = value
        col.slider(label, lo, hi, key=wkey, on_change=_hidden_changed, args=(part, hidden, wkey, apply), **allowed)


def bar(lab: FlowLab) -> None:
    """Play / Step / Back / Reset, then the settings the lab is about; the rest behind "More"."""
    run, c = lab.run, lab.run.config
    apply = run.propose
    cols = play_bar(run, [1.2, 1.15, 1.15, 1.25, 1.5, 3.45, 1.6, 1.6, 1.0], help_play="Train continuously, and watch "
                    "the gradient of every layer.")
    setting("activation", c.activation, cols[0], prefix="flow", apply=apply)
    setting("init", c.init, cols[1], prefix="flow", apply=apply)
    depth_width_widgets(c.hidden, cols[2], cols[3], prefix="flow", apply=apply)
    with cols[4].popover("More", width="stretch", help="Learning rate and weight seed (the init gain: in the *Why* tab)"):
        setting("lr", c.lr, st, prefix="flow", apply=apply)
        setting("seed", c.seed, st, prefix="flow", apply=apply)
    for problem in run.problems:
        st.warning(literal(problem))


# -- the live part ------------------------------------------------------------------------------
def _verdict(lab: FlowLab) -> None:
    """The diagnosis in words, and its numbers on one line (what each means: their tooltip)."""
    run, s = lab.run, lab.run.report.signals
    ratio, factor = flow.gradient_ratio(s), flow.per_layer_factor(s)
    depth = len(run.config.hidden)
    when = "At initialisation" if run.report.step == 0 else f"At step {run.report.step:,}"
    said = f"{when}, measured on this net: " + flow.verdict(ratio, factor, depth)
    if run.trainer.diverged_at is None:
        BOX[flow.regime(ratio, factor)](said)
    else:       # one box, so the charts below stay where they were
        st.error(f"{said}  \n**Training diverged: step {run.trainer.diverged_at:,} overflowed** (NaN/∞), the end "
                 "of an exploding gradient. The last good weights are kept; press Reset or pick a preset.")
    kept = flow.number_text(factor) if not np.isnan(factor) else "–"
    st.caption(f"**Step** {run.report.step:,} · **training loss** {metric_text(run.report.train_loss)} · "
               f"**|δ| layer 1 ÷ last** {flow.number_text(ratio)} · **δ kept per layer** {kept} · "
               f"**‖dW‖ layer 1 ÷ last** {flow.number_text(flow.weight_gradient_ratio(s))}",
               help="Training loss: the data loss on the training set, without any L2/L1 penalty.  \n"
                    "|δ| layer 1 ÷ last: mean |δ| of the first hidden layer ÷ that of the last hidden layer, how "
                    "much of the error at the last hidden layer reaches the first one (the verdict's number). The "
                    "output layer's own error A − Y is left out: its size is set by the loss, not by how the "
                    "layers pass the error back.  \n"
                    "δ kept per layer: the geometric mean of δ[l] / δ[l+1] over the hidden layers; 1 is ideal, "
                    "below ½ or above 2 the error decays or grows steadily, whatever the total.  \n"
                    "‖dW‖ layer 1 ÷ last: dW = Aᵀ δ also carries the forward signal A; in a ReLU net it stays "
                    "level across the layers even when δ vanishes or explodes. So the verdict reads δ.")


def _update_ratio(lab: FlowLab) -> np.ndarray | None:
    """‖ΔW[l]‖ / ‖W[l]‖: of the last training step (recorded in the history), or at step 0 the
    first step plain SGD would take on the whole training set, lr·‖dW‖/‖W‖ (None for other
    optimizers or with a penalty, whose first step differs)."""
    run, s = lab.run, lab.run.report.signals
    if run.report.step > 0:
        last = run.trainer.history.last("update_ratio")
        return None if last is None else np.asarray(last, np.float64)
    c = run.config
    if c.optimizer != "sgd" or c.regularization != "none":
        return None
    with np.errstate(all="ignore"):
        return c.lr * np.asarray(s.grad_norm, np.float64) / np.asarray(s.weight_norm, np.float64)


def _histogram_charts(lab: FlowLab) -> None:
    run, timeline = lab.run, lab.timeline
    L, steps = timeline.n_layers, timeline.steps
    st.caption("**Histograms over time**, as TensorBoard shows them: each column is one recorded step, darker "
               "= more of the layer's values in that bin.")
    st.session_state["flow_layer"] = min(max(int(st.session_state.get("flow_layer", 1)), 1), L)
    layer = st.slider("Layer", 1, L, key="flow_layer",
                      help=f"Layer 1 is the first hidden layer, layer {L} the output layer.")
    left, right = st.columns(2)
    with left:
        st.caption(f"Activations A[{layer}]")
        live_chart(histogram_over_time_figure(steps, timeline.over_time("activations", layer - 1),
                                              timeline.edges("activations", layer - 1),
                                              what=f"activations, layer {layer}", value_label="A", compact=True),
                   key="flow_hist_act", height=280, revision=run.frame)
    with right:
        st.caption(f"Gradients log₁₀|dW[{layer}]| (bottom = tiny, top = huge)")
        live_chart(histogram_over_time_figure(steps, timeline.over_time("gradients", layer - 1),
                                              timeline.edges("gradients", layer - 1),
                                              what=f"gradients, layer {layer}", value_label="log₁₀|dW|",
                                              compact=True),
                   key="flow_hist_grad", height=280, revision=run.frame)
def _one_step_charts(lab: FlowLab) -> None:
    run, timeline = lab.run, lab.timeline
    steps = timeline.steps
    options = [int(s) for s in steps]
    if run.playing or st.session_state.get("flow_scrub") not in options:
        st.session_state["flow_scrub"] = options[-1]
    st.caption("**Every layer at one recorded step**: scrub through training.")
    at = st.select_slider("Recorded step", options, key="flow_scrub", disabled=len(options) < 2)
    index = options.index(at)
    left, right = st.columns(2)
    with left:
        st.caption("Hidden layers' activations, a panel per layer, each on its layer's own range (fitted at step 0; "
                   "a count over a panel's end is what lies beyond it)")
        live_chart(layer_histograms_figure(timeline.at("activations", index)[:-1], timeline.activation_edges[:-1],
                                           title_prefix="activations", open_ends=open_ends(run.trainer.net)[:-1]),
                   key="flow_layers_act", height=260, revision=run.frame)
    with right:
        st.caption("All layers' gradients log₁₀|dW| (rows: layers; the axis spans the values there are)")
        live_chart(layers_histogram_figure(timeline.at("gradients", index), timeline.gradient_edges,
                                           what="gradients", value_label="log₁₀|dW|"),
                   key="flow_layers_grad", height=260, revision=run.frame)


def live_gradient_flow(lab: FlowLab) -> None:
    """The verdict, its numbers and the charts that move while training (the two main ones first, the
    histograms and the variance one tab away); trains while playing, as the Playground does."""
    run = lab.run

    def train(n: int, full: bool) -> tuple[bool, float]:
        """n steps (recorded in the trainer's history), then probe: the charts show the whole training
        set's gradient, steadier than the last minibatch's."""
        report = run.trainer.run(n, signals=False)
        run.report = run.trainer.probe()
        lab.timeline.record(run.report.step, run.report.signals)
        return report.diverged_at is not None, run.trainer.seconds_per_step

    def figures(every_chart: bool, last: bool = True) -> dict[str, dict]:
        s, first = run.report.signals, lab.initial if run.report.step > 0 else None
        frame = {"flow_by_layer": gradient_flow_figure(
            s.grad_norm, s.delta_mean_abs, update_ratio=_update_ratio(lab),
            init_grad_norm=None if first is None else first.grad_norm,
            init_delta=None if first is None else first.delta_mean_abs)}
        if every_chart:
            h = run.trainer.history
            frame["flow_heatmap"] = layer_step_heatmap_figure(h.column("step"), h.column("delta_mean_abs"),
                                                              compact=True, playing=run.playing)
        return frame

    def compute():
        _sync(lab)
        if run.playing:
            batch = paced_batch(run.pace.frames_per_batch(), run.steps_per_frame, train, figures)
            run.played(run.report, batch.steps_per_frame, batch.stopped)
            frames = batch.frames
        else:
            if run.report is None or run.report.step != run.trainer.step or run.report.signals is None:
                run.probe()
            lab.timeline.record(run.report.step, run.report.signals)
            frames = [figures(True)]
        return stuck_alarm.observe(run, KEY), frames

    def draw(computed) -> None:
        watch, frames = computed
        _verdict(lab)
        stuck_alarm.alarm_banner(run, watch, "flow", network_view=False)
        main, histograms, one_step, why = st.tabs(["Gradient by layer", "Histograms over time",
                                                   "Every layer at one step", "Why: the variance"])
        with main:
            left, right = st.columns(2)
            with left:
                st.markdown("**Gradient by layer** (log scale): mean |δ[l]|, ‖dW[l]‖, ‖ΔW[l]‖/‖W[l]‖",
                            help="mean |δ[l]|, the backward error per unit, falls towards layer 1 when gradients "
                                 "vanish and rises when they explode. ‖dW[l]‖ also carries the forward signal; "
                                 "‖ΔW[l]‖/‖W[l]‖ is how far a step moves each layer (about 10⁻³ is healthy). "
                                 "Dotted: at step 0.")
                frames_chart(frames, "flow_by_layer", key="flow_by_layer", height=MAIN_CHARTS["flow_by_layer"][0],
                             revision=run.frame)
            with right:
                st.markdown("**mean |δ[l]| over training**, layer by step",
                            help="One colour range for the whole run (whole decades from its smallest to its "
                                 "largest value so far, a tick per decade), so a factor of 1000 between layers is "
                                 "three ticks apart and a decay over time stays visible.")
                frames_chart(frames, "flow_heatmap", key="flow_heatmap", height=MAIN_CHARTS["flow_heatmap"][0],
                             revision=run.frame)
        with histograms:
            _histogram_charts(lab)
        with one_step:
            _one_step_charts(lab)
        with why:
            variance_section(lab)

    st.html(growth_css(MAIN_CHARTS))
    live_loop(run, compute, draw)


# -- variance: the derivation as a control --------------------------------------------------------
def variance_section(lab: FlowLab) -> None:
    run, c = lab.run, lab.run.config
    scheme = INITIALIZERS[c.init]
    factors = flow.layer_factors(c)
    moment = flow.second_moment_factor(c.activation)
    st.caption("A unit adds up n_in inputs, each times a weight, so at initialisation "
               "Var(Z[l]) ≈ n_in · Var(W) · gain² · c · Var(Z[l−1]), where c is the share of E[z²] the activation "
               "passes on. Multiply that factor over the layers and you have the theory's prediction; the dots are "
               "what this net measures on the training set (before training).")
    left, right = st.columns([2, 3])
    with left:
        setting("init_gain", c.init_gain, st, prefix="flow", apply=run.propose)
        hidden = factors[1:-1]                       # hidden layer to hidden layer
        text = (f"**{scheme.label}**: {scheme.formula}, times gain² = {c.init_gain ** 2:.3g}.  \n"
                f"Layer 1 ({c.layer_sizes[0]} inputs): n_in·Var(W)·gain² = {factors[0]:.3g}.")
        if hidden.size:
            inputs = f"{c.hidden[0]} inputs each" if len(set(c.hidden)) == 1 else "various widths, on average"
            text += f"  \nLayers 2–{len(c.hidden)} ({inputs}): n_in·Var(W)·gain² = {hidden.mean():.3g}."
        st.markdown(text)
        if np.isfinite(moment) and hidden.size:
            per_layer = hidden.mean() * moment
            st.markdown(f"The activation passes on c = {moment:.2g} of E[z²] (ReLU ½, tanh 1 for small z), so each "
                        f"of those layers multiplies Var(Z) by {per_layer:.3g}: "
                        f"{flow.number_text(per_layer ** hidden.size)} over all {hidden.size} of them.")
        elif not np.isfinite(moment):
            st.markdown("This activation is not centred on 0 (sigmoid(0) = ½): its outputs carry a mean that "
                        "adds to E[a²] whatever the variance, so only the first layer has a simple prediction.")
        st.caption("Try Xavier or He and move the gain: 1 keeps the line level, above 1 it climbs "
                   "(exploding), below it falls (vanishing). tanh bends the measured line down where it saturates.")
    with right:
        live_chart(variance_figure(flow.predicted_variance(c), lab.initial_variance), key="flow_variance",
                   height=320, revision=run.frame)
