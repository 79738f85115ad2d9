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
from mlp.live.paced_batch import paced_batch      # one pace for every page: see mlp/live/pace.py for why
from mlp.live.pace import Pace
from mlp.notation import number_text
from mlp.live.compute_slots import compute_slot
from mlp.run.session_budget import most_that_fit, over_budget, trainer_bytes
from mlp.text_safety import literal
from mlp.run.trainer import Trainer

from mlp.ui import lesson_controls, page_link
from mlp.ui.gradient_flow_page import depth_width_widgets, setting
from mlp.ui.lab_stage import frames_chart, growth_css, play_bar
from mlp.ui.play_loop import live_loop
from mlp.ui.plotly_live import live_chart
from mlp.ui.session_memory import held
from mlp.ui.state import config_from_link, proposal

KEY = "lab_initialization"
PAGE = "Initialization"           # its title, as page_setup and the link notice name it
DEFAULT_PRESET = "tanh"
TRAIN_CLICK_STEPS = 200
# The two main charts at 1280 x 720, and their shares of a taller screen's extra height.
MAIN_CHARTS = {"init_spread": (315, 0.8), "init_loss": (315, 0.8)}
EXPLANATION = """The same network, data and seed, started from different weight distributions. Too small and the
signal fades layer by layer; too large and it saturates or blows up; the right variance keeps every layer's
activations spread out. Pick a preset or choose the schemes (*Compare*), then press Play: they train side by
side, taking the same steps on the same minibatches (plain SGD); only the starting weights differ.

**Left, the spread of each layer**: the std of each hidden layer's activations on the training set, one line
per scheme (log scale), now (solid) and at step 0 (dotted). **Right, the race**: each scheme's training loss.

The tabs hold each scheme's histograms at the start (with the variance it gives a weight), why the weights
must start random (*Symmetry*), and on a paper's preset the paper's figure reproduced."""


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
    steps_per_frame: int = 1                            # per scheme, steered by the pace (paced_batch)
    pace: Pace = field(default_factory=Pace)

    # the play bar's transitions (mlp/ui/page.py: Playable), as a Run has them
    def play(self) -> None:
        self.playing = len(self.comparison.diverged()) < len(self.comparison.schemes)

    def pause(self) -> None:
        self.playing = False

    def step(self) -> None:
        """One minibatch step of every scheme, paused."""
        self.playing = False
        self.comparison.train(1)

    def back(self) -> None:
        self.playing = False
        self.comparison.back()

    def reset(self) -> None:
        _rebuild(self)

    @property
    def can_step_back(self) -> bool:
        return self.comparison.can_step_back


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


def button_label(preset: init_lab.Preset) -> str:
    """"ReLU, 6 layers: Xavier vs He" -> "ReLU: Xavier vs He": every preset on one row at 1280 wide."""
    return preset.label.replace(", 6 layers", "")


def preset_buttons(lab: InitLab) -> None:
    """The demonstrations, then the papers' figures, in one row."""
    allowed = lesson_controls.rules().control("presets")
    if allowed:
        names = list(init_lab.PRESETS)
        # each button as wide as its label needs (equal columns cut the longest at 1280 wide)
        widths = [len(button_label(init_lab.PRESETS[n])) + (7 if init_lab.PRESETS[n].paper else 4) for n in names]
        for col, name in zip(st.columns(widths, gap="small"), names):
            preset = init_lab.PRESETS[name]
            col.button(button_label(preset), key=f"init_preset_{name}", on_click=_start_preset, args=(lab, name),
                       icon=":material/description:" if preset.paper else None, use_container_width=True,
                       **{**allowed, "help": f"{'The paper’s figure, reproduced: ' if preset.paper else ''}"
                                             f"{preset.label} (its story: What am I looking at?)"})


def explain(lab: InitLab) -> None:
    """"What am I looking at?": the preset's story, then the page's text."""
    name = _preset_of(lab)
    if name:
        preset = init_lab.PRESETS[name]
        st.info(f"**{preset.label}** — {preset.story}", icon=":material/lightbulb:")
    st.markdown(EXPLANATION)


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


def bar(lab: InitLab) -> None:
    """The Playground's Play / Step / Back / Reset, a longer stride, the schemes compared, and the net."""
    rules = lesson_controls.rules()
    cols = play_bar(lab, [1.15, 1.1, 1.1, 1.2, 1.35, 1.75, 1.5, 1.6, 1.75, 1.0], prefix="init_",
                    help_play="Train every scheme, side by side.",
                    help_step="One minibatch step of every scheme: the same batch for each.")
    train = rules.control("step", f"{TRAIN_CLICK_STEPS} steps of every scheme at once.")
    if train:
        cols[0].button(f"+{TRAIN_CLICK_STEPS} steps", key="init_train", use_container_width=True,
                       on_click=_train, args=(lab, TRAIN_CLICK_STEPS), **train)
    f = FIELD["init"]
    options = f.choices()
    allowed = rules.control("init", f.help)
    if allowed:
        with cols[1].popover(f"Compare {len(lab.schemes)}", icon=":material/tune:", width="stretch",
                             help="Which initializations train side by side"):
            st.session_state["init_schemes"] = list(lab.schemes)
            st.pills(f"{f.label}s to compare", list(options), selection_mode="multi", format_func=options.get,
                     key="init_schemes", on_change=_schemes_changed, args=(lab,), **allowed)
    c, apply = lab.config, functools.partial(_change, lab)
    setting("activation", c.activation, cols[2], prefix="init", apply=apply)
    depth_width_widgets(c.hidden, cols[3], cols[4], prefix="init", apply=apply)
    with cols[5].popover("More", width="stretch", help="The data set and the weight seed"):
        setting("dataset", c.dataset, st, prefix="init", apply=apply)
        setting("seed", c.seed, st, prefix="init", apply=apply)
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
    """Per scheme a row of per-layer activation histograms at step 0, its variance formula beside it."""
    comp = lab.comparison
    if not ACTIVATIONS[lab.config.activation].smooth:
        st.caption("The tall bar at 0 in the ReLU family's histograms is the half of the units that are switched "
                   "off; values beyond the right end are counted in the last bar.")
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


def paper_of(lab: InitLab):
    """The paper whose preset the lab is on (papers.PAPERS), or None."""
    return papers.PAPERS.get(_preset_of(lab) or "")


def paper_figures(lab: InitLab) -> None:
    """On a paper's preset: its figure reproduced at the lab's weight seed, the numbers it shows beside the
    theory's, and, for a paper that trains, the loss of both inits over its step budget."""
    paper = paper_of(lab)
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


def _verdict(comp: init_lab.Comparison) -> None:
    """Who leads the race and which schemes overflowed, in one box (so the charts below stay put), then
    every scheme's loss now."""
    stopped = comp.diverged()
    finals = {n: float(comp.curve(n)[1][-1]) for n in comp.schemes}
    running = [n for n in comp.schemes if n not in stopped and np.isfinite(finals[n])]
    said = []
    if comp.step and running:
        best = min(running, key=finals.get)
        said.append(f"At step {comp.step:,}, **{INITIALIZERS[best].label}** is ahead: training loss "
                    f"{finals[best]:.3g}.")
    said += [f"**{INITIALIZERS[name].label}** diverged at step {step}: its weights overflowed (NaN/∞), an "
             "exploding start that the first updates made worse." for name, step in stopped.items()]
    if not said:
        said.append("At step 0 every scheme starts from its own weights on the same data: press Play to race "
                    "them.")
    (st.error if stopped else st.success if comp.step else st.info)(" ".join(said), icon=":material/flag:")
    texts = ", ".join(f"{INITIALIZERS[n].label} {finals[n]:.3g}" + (" (stopped)" if n in stopped else "")
                      for n in comp.schemes)
    st.caption(f"Step {comp.step:,}. Training loss now: {texts}.")


def live_initialization(lab: InitLab) -> None:
    """The race's verdict and the two main charts: each layer's spread per scheme (now and at step 0) and
    the training loss of every scheme; trains while playing, as the Playground does."""

    def train(n: int, full: bool) -> tuple[bool, float]:
        comp = lab.comparison
        comp.train(n)
        return len(comp.diverged()) == len(comp.schemes), comp.seconds_per_step

    def figures(every_chart: bool, last: bool = True) -> dict[str, dict]:
        comp, order = lab.comparison, list(INITIALIZERS)
        colour = {n: series_colour(order.index(n)) for n in comp.schemes}
        frame = {"init_loss": loss_comparison_figure([(INITIALIZERS[n].label, colour[n], *comp.curve(n))
                                                      for n in comp.schemes])}
        if every_chart:
            now = comp.spread()
            frame["init_spread"] = layer_spread_figure(
                [(INITIALIZERS[n].label, colour[n], now[n]) for n in comp.schemes],
                at_start=[(INITIALIZERS[n].label, colour[n], comp.initial_spread[n]) for n in comp.schemes]
                if comp.step else None)
        return frame

    def compute() -> list[dict[str, dict]]:
        if lab.playing:
            batch = paced_batch(lab.pace.frames_per_batch(), lab.steps_per_frame, train, figures)
            lab.steps_per_frame = batch.steps_per_frame
            if batch.stopped:
                lab.playing = False
            return batch.frames
        return [figures(True)]

    def draw(frames: list[dict[str, dict]]) -> None:
        _verdict(lab.comparison)
        left, right = st.columns(2)
        with left:
            st.markdown("**Spread of each layer**: std of its activations, per scheme",
                        help="The std of each hidden layer's activations on the training set (log scale): now, "
                             "solid; at step 0, dotted. A spread collapsing towards 0 layer by layer is a signal "
                             "dying out; one stuck near 1 in a tanh net is a layer saturated.")
            frames_chart(frames, "init_spread", key="init_spread", height=MAIN_CHARTS["init_spread"][0],
                         revision=lab.frame)
        with right:
            st.markdown("**The race**: training loss of every scheme",
                        help="Every scheme takes the same steps on the same minibatches (plain SGD): only the "
                             "starting weights differ.")
            frames_chart(frames, "init_loss", key="init_loss", height=MAIN_CHARTS["init_loss"][0],
                         revision=lab.frame)

    st.html(growth_css(MAIN_CHARTS))
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
