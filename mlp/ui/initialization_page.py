"""Streamlit glue of the Initialization lab: its state, presets, controls and charts.

The lab keeps one `Comparison` (a Trainer per chosen scheme, same data and seed), one small net
for the symmetry demo and, on a paper's preset, that paper's reproduction, in this session only.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from mlp.engine.activations import ACTIVATIONS
from mlp.run.config import FIELD, Config
from mlp.figures import layer_histograms_figure
from mlp.figures.initialization_figures import layer_spread_figure, loss_comparison_figure, series_colour
from mlp.figures.papers_figures import layer_statistics_figure
from mlp.engine.initializers import INITIALIZERS
from mlp.lab import initialization as init_lab
from mlp.lab import papers
from mlp.live.frame import network_view_figure
from mlp.notation import number_text
from mlp.live.compute_slots import compute_slot
from mlp.run.session_budget import most_that_fit, over_budget, trainer_bytes
from mlp.text_safety import literal
from mlp.run.trainer import Trainer

from mlp.ui import lesson_controls, page_link
from mlp.ui.gradient_flow_page import depth_width_widgets, setting
from mlp.ui.play_loop import live_loop
from mlp.ui.plotly_live import live_chart
from mlp.ui.session_memory import held
from mlp.ui.state import config_from_link, proposal

KEY = "lab_initialization"
PAGE = "Initialization"           # its title, as page_setup and the link notice name it
DEFAULT_PRESET = "tanh"
TRAIN_CLICK_STEPS = 200
STEPS_PER_RERUN = 50                # while playing, per scheme: 100 steps a second


@dataclass
class InitLab:
    config: Config                      # data, net and training; its init is ignored (see schemes)
    schemes: tuple[str, ...]
    comparison: init_lab.Comparison
    symmetry: Trainer
    playing: bool = False
    frame: int = 0
    problems: list[str] = field(default_factory=list)
    reproduction: papers.Reproduction | None = None     # the last paper preset's, kept for its seed


def current_lab() -> InitLab:
    """This session's lab, on the link's preset (`?preset=relu`) or the default one."""
    lab = st.session_state.get(KEY)
    if lab is None:
        name, problems = page_link.preset_from_link(init_lab.PRESETS, DEFAULT_PRESET)
        preset = init_lab.PRESETS[name]
        config, more = config_from_link(preset.config)
        config, none = page_link.with_hidden_layers(config, preset.config)
        more += none
        too_big = budget_problem(None, config, preset.schemes)
        if too_big:            # the link's network would pass this tab's memory budget: the preset's instead
            config = preset.config
            more.append(f"{too_big}; the {preset.label} preset's network is used instead")
        page_link.remember_notice(PAGE, problems + more + lesson_controls.link_problems())
        lab = st.session_state[KEY] = InitLab(config, preset.schemes, init_lab.Comparison(config, preset.schemes),
                                               Trainer(init_lab.symmetry_config("zeros")))
    page_link.show_preset(_preset_of(lab))
    return lab


def _preset_of(lab: InitLab) -> str | None:
    """The name of the preset the lab is on (any weight seed), if any."""
    return next((name for name, p in init_lab.PRESETS.items()
                 if lab.schemes == p.schemes and lab.config == p.config.replace(seed=lab.config.seed)), None)


def budget_problem(lab: InitLab | None, config: Config, schemes: tuple[str, ...]) -> str | None:
    """Why one trainer per scheme of `config` would pass this tab's memory budget (mlp/run/session_budget.py),
    counting what the other pages hold; None when it fits. Checked before anything is built."""
    per_scheme = trainer_bytes(config)
    others = held(replacing=lab.comparison if lab is not None else None)
    fit = most_that_fit(per_scheme, others)
    n = len(schemes)
    advice = (f"Compare at most {fit} scheme{'s' if fit > 1 else ''} at this size, or" if 0 < fit < n else
              "Choose")
    return over_budget(per_scheme * n, others, f"{n} scheme{'s' if n > 1 else ''} of this network",
                       f"{advice} fewer or narrower hidden layers")


def _rebuild(lab: InitLab) -> None:
    lab.comparison = init_lab.Comparison(lab.config, lab.schemes)
    lab.playing = False


def _change(lab: InitLab, **changes) -> None:
    """Apply changed settings (a refused one keeps the old comparison and says why)."""
    config, lab.problems = proposal(lab.config, **changes)
    if config is not None and config != lab.config:
        too_big = budget_problem(lab, config, lab.schemes)
        if too_big:
            lab.problems = [too_big]
            return
        lab.config = config
        _rebuild(lab)


def _start_preset(lab: InitLab, name: str) -> None:
    preset = init_lab.PRESETS[name]
    config = preset.config.replace(seed=lab.config.seed)
    too_big = budget_problem(lab, config, preset.schemes)
    if too_big:
        lab.problems = [too_big]
        return
    lab.config, lab.schemes, lab.problems = config, preset.schemes, []
    _rebuild(lab)


def preset_buttons(lab: InitLab) -> None:
    """The demonstrations in one row, the papers' figures in a second one."""
    allowed = lesson_controls.rules().control("presets")
    if allowed:
        demos = [name for name, p in init_lab.PRESETS.items() if not p.paper]
        figures = [name for name, p in init_lab.PRESETS.items() if p.paper]
        # each button as wide as its label needs (equal columns cut the longest at 1280 wide)
        for col, name in zip(st.columns([len(init_lab.PRESETS[n].label) + 4 for n in demos], gap="small"), demos):
            col.button(init_lab.PRESETS[name].label, key=f"init_preset_{name}", on_click=_start_preset,
                       args=(lab, name), use_container_width=True, **allowed)
        cols = st.columns(max(len(demos), len(figures)) + 1)
        cols[0].markdown("**The papers' figures, reproduced:**")
        for col, name in zip(cols[1:], figures):
            col.button(init_lab.PRESETS[name].label, key=f"init_preset_{name}", icon=":material/description:",
                       on_click=_start_preset, args=(lab, name), use_container_width=True, **allowed)
    name = _preset_of(lab)
    if name:
        preset = init_lab.PRESETS[name]
        st.info(f"**{preset.label}** — {preset.story}", icon=":material/lightbulb:")


def _schemes_changed(lab: InitLab) -> None:
    chosen = tuple(name for name in INITIALIZERS if name in (st.session_state["init_schemes"] or ()))
    if not chosen:
        lab.problems = ["choose at least one initialization to compare"]
        return
    too_big = budget_problem(lab, lab.config, chosen)
    if too_big:                     # the pills show lab.schemes again on the next run
        lab.problems = [too_big]
        return
    lab.schemes, lab.problems = chosen, []
    _rebuild(lab)


def settings(lab: InitLab) -> None:
    f = FIELD["init"]
    options = f.choices()
    allowed = lesson_controls.rules().control("init", f.help)
    if allowed:
        st.session_state["init_schemes"] = list(lab.schemes)
        st.pills(f"{f.label}s to compare", list(options), selection_mode="multi", format_func=options.get,
                 key="init_schemes", on_change=_schemes_changed, args=(lab,), **allowed)
    c, apply = lab.config, functools.partial(_change, lab)
    cols = st.columns(5)
    setting("activation", c.activation, cols[0], prefix="init", apply=apply)
    depth_width_widgets(c.hidden, cols[1], cols[2], prefix="init", apply=apply)
    setting("dataset", c.dataset, cols[3], prefix="init", apply=apply)
    setting("seed", c.seed, cols[4], prefix="init", apply=apply)
    for problem in lab.problems:
        st.warning(literal(problem))


def _spread_text(stds: np.ndarray) -> str:
    """"0.029 → 1.6·10⁻³ → … → 3.6·10⁻⁷ → 1.8·10⁻⁸": the first two and the last two of a deep net, the gap
    marked, every number in the app's one style (notation.number_text)."""
    shown = [number_text(float(v)) for v in stds]
    if len(shown) > 4:
        shown = shown[:2] + ["…"] + shown[-2:]
    return " → ".join(shown)


def distributions(lab: InitLab) -> None:
    """Per scheme a row of per-layer activation histograms, its variance formula beside it."""
    comp = lab.comparison
    order = list(INITIALIZERS)
    if not ACTIVATIONS[lab.config.activation].smooth:
        st.caption("The tall bar at 0 in the ReLU family's histograms is the half of the units that are switched "
                   "off; values beyond the right end are counted in the last bar.")
    live_chart(layer_spread_figure([(INITIALIZERS[n].label, series_colour(order.index(n)), comp.initial_spread[n])
                                    for n in comp.schemes]), key="init_spread", height=280)
    for name in comp.schemes:
        scheme = INITIALIZERS[name]
        left, right = st.columns([1, 4])
        counts, edges = init_lab.hidden_histograms(comp.initial[name])
        with left:
            st.markdown(f"**{scheme.label}**  \n{scheme.formula}")
            n = len(comp.initial_spread[name])
            st.caption(f"std of the activations, measured, layer 1 to {n}: {_spread_text(comp.initial_spread[name])}")
        with right:
            live_chart(layer_histograms_figure(counts, edges, title_prefix=name), key=f"init_hist_{name}", height=170)


def paper_figures(lab: InitLab) -> None:
    """On a paper's preset: its figure reproduced at the lab's weight seed, the numbers it shows beside the
    theory's, and, for a paper that trains, the loss of both inits over its step budget."""
    paper = papers.PAPERS.get(_preset_of(lab) or "")
    if paper is None:
        return
    rep = lab.reproduction
    if rep is None or rep.paper != paper or rep.seed != lab.config.seed:
        with compute_slot():
            rep = lab.reproduction = papers.reproduce(paper, lab.config.seed)
    st.subheader(f"The paper's figure: {paper.label}")
    st.markdown(paper.citation)
    st.caption(paper.setup)
    order = list(INITIALIZERS)
    colours = {s: series_colour(order.index(s)) for s in paper.schemes}
    series = [(INITIALIZERS[s].label, colours[s], rep.at_init[s]) for s in paper.schemes]
    live_chart(layer_statistics_figure(series, statistic=paper.statistic), key="init_paper_layers", height=330)
    for block in papers.findings(rep):
        st.markdown(block)
    if rep.curves:
        live_chart(loss_comparison_figure([(INITIALIZERS[s].label, colours[s], *rep.curves[s]) for s in paper.schemes]),
                   key="init_paper_loss", height=300)
        st.markdown(papers.training_finding(rep))


def _train(lab: InitLab, n: int) -> None:
    lab.playing = False
    lab.comparison.train(n)


def _set_playing(lab: InitLab, playing: bool) -> None:
    lab.playing = playing


def training(lab: InitLab) -> None:
    """Loss curves of every scheme on one chart; Play animates, the button trains a fixed number of steps."""
    rules = lesson_controls.rules()
    cols = st.columns([1, 1, 1, 3])
    play = rules.control("play", "Train every scheme, side by side.")
    if play and lab.playing:
        cols[0].button("Pause", key="init_pause", type="primary", icon=":material/pause:", use_container_width=True,
                       on_click=_set_playing, args=(lab, False), **play)
    elif play:
        cols[0].button("Play", key="init_play", type="primary", icon=":material/play_arrow:", use_container_width=True,
                       on_click=_set_playing, args=(lab, True), **play)
    train = rules.control("step", "Every scheme takes the same steps.")
    if train:
        cols[1].button(f"Train {TRAIN_CLICK_STEPS} steps", key="init_train", use_container_width=True,
                       on_click=_train, args=(lab, TRAIN_CLICK_STEPS), **train)
    allowed = rules.control("reset", "Back to the initial weights.")
    if allowed:
        cols[2].button("Reset", key="init_reset", icon=":material/restart_alt:", use_container_width=True,
                       on_click=_rebuild, args=(lab,), **allowed)

    # one figure per rerun: loss curves moving twice a second read well, and every frame of them would
    # resend every curve (up to 3 x 512 points)
    def compute() -> dict:
        comp, order = lab.comparison, list(INITIALIZERS)
        if lab.playing:
            comp.train(STEPS_PER_RERUN)
        series = [(INITIALIZERS[n].label, series_colour(order.index(n)), *comp.curve(n)) for n in comp.schemes]
        return loss_comparison_figure(series)

    def draw(figure: dict) -> None:
        comp = lab.comparison
        live_chart(figure, key="init_loss", height=340, revision=lab.frame)
        stopped = comp.diverged()
        finals = ", ".join(f"{INITIALIZERS[n].label} {comp.curve(n)[1][-1]:.3g}"
                           + (" (stopped)" if n in stopped else "") for n in comp.schemes)
        st.caption(f"Step {comp.step:,}. Training loss now: {finals}.")
        for name, step in stopped.items():
            st.error(f"**{INITIALIZERS[name].label}** diverged at step {step}: its weights overflowed (NaN/∞), an "
                     "exploding start that the first updates made worse.", icon=":material/error:")

    live_loop(lab, compute, draw)


def _symmetry_start(lab: InitLab, init: str) -> None:
    lab.symmetry = Trainer(init_lab.symmetry_config(init, lab.config.seed))


def _symmetry_train(lab: InitLab) -> None:
    lab.symmetry.run(init_lab.SYMMETRY_STEPS, signals=False)


def symmetry(lab: InitLab) -> None:
    t = lab.symmetry
    c = t.config
    cols = st.columns([1, 1.35, 1.15, 1.8])       # room for each button's label at 1280 wide
    cols[0].button("Zero init", key="init_sym_zeros", icon=":material/exposure_zero:", use_container_width=True,
                   on_click=_symmetry_start, args=(lab, "zeros"), help=INITIALIZERS["zeros"].help)
    cols[1].button("Random init (Xavier)", key="init_sym_random", icon=":material/casino:", use_container_width=True,
                   on_click=_symmetry_start, args=(lab, "xavier_normal"), help=INITIALIZERS["xavier_normal"].help)
    cols[2].button(f"Train {init_lab.SYMMETRY_STEPS} steps", key="init_sym_train", icon=":material/skip_next:",
                   use_container_width=True, on_click=_symmetry_train, args=(lab,))
    report = t.probe()
    cols[3].markdown(f"**{INITIALIZERS[c.init].label}**, step {t.step}, training loss {report.train_loss:.3f}, "
                     f"test accuracy {report.test_metric:.0%}")
    left, right = st.columns([3, 2])
    with left:
        live_chart(network_view_figure(t), key="init_symmetry_net", height=380, revision=t.step)
    with right:
        summary = init_lab.symmetry_summary(t)
        st.markdown(summary[:1].upper() + summary[1:])
        st.caption(f"{c.activation} units, every bias starting at {c.bias_init:g}, {c.dataset} data, "
                   f"learning rate {c.lr:g}.")
        st.markdown("With zero weights every unit of a layer computes the same thing, receives the same error and "
                    "takes the same step: the units stay copies of each other for ever, so the layer works like a "
                    "single unit. At the start each shows one flat colour, tanh of its bias; training tilts them "
                    "all the same way. Had the biases been 0 too, every hidden unit would output tanh(0) = 0, the "
                    "next layer's gradient A·δ would be 0, and nothing but the output biases would ever move. "
                    "Random weights break the tie: the units start different and learn different features.")
