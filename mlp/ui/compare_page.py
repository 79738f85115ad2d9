"""Streamlit glue of the Compare page: the pair's state, its settings, the play loop, both sides' charts.

The comparison itself (which settings a side may change, the presets, training both) lives in
mlp.lab.compare; widgets come from the config's FIELDS table through `field_widget`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from mlp.run.config import FIELD, Config, ConfigError
from mlp.figures.compare_figures import SIDE_STYLE, grad_norms_pair_figure, loss_pair_figure
from mlp.lab import compare
from mlp.live.frame import PLAYING_BOUNDARY_RESOLUTION, Views, boundary_figure
from mlp.live.paced_batch import paced_batch      # one pace for every page: see mlp/live/pace.py for why
from mlp.live.pace import Pace
from mlp.run.session_budget import over_budget, trainer_bytes
from mlp.text_safety import literal
from mlp.notation import OVERFLOWED_TEXT, metric_text

from mlp.ui import lesson_controls, page_link
from mlp.ui.controls import field_widget, parse_widths
from mlp.ui.lab_stage import frames_chart, growth_css, play_bar
from mlp.ui.play_loop import live_loop
from mlp.ui.session_memory import held
from mlp.ui.state import config_from_link, proposal

STATE_KEY = "lab_compare"
PAGE = "Compare"                  # its title, as page_setup and the link notice name it
TRAIN_STEPS = 200                 # the "Train 200 steps" button
TRAIN_CHUNK = 10                  # ... records a point of the loss curves every 10 steps
# The charts at 1280 x 720, and their shares of a taller screen's extra height: the two boundaries side by
# side, the loss and the gradient norms stacked beside them.
CHARTS = {"cmp_boundary_A": (350, 0.8), "cmp_boundary_B": (350, 0.8), "cmp_loss": (200, 0.4),
          "cmp_grad_norms": (250, 0.4)}
EXPLANATION = """A and B see the same points in the same order and start from the same random draws; only the
settings of each side differ (*Settings of A*, *Settings of B*; what they share: *Shared*). Train them
together and watch where their decision boundaries, loss curves and gradients part ways.

**Left and middle**: each side's prediction over the plane, with its step, training loss and test score.
**Right**: the training loss of both (A solid, B dashed), and each layer's gradient norm ‖dW[l]‖ in the last
step (log scale): a line falling towards layer 1 is a vanishing gradient."""
SIDE_COLOUR = {"A": "green", "B": "violet"}     # Streamlit's names nearest the charts' colours


@dataclass
class CompareLab:
    pair: compare.Pair
    preset: str | None = compare.DEFAULT_PRESET
    playing: bool = False
    frame: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)     # "A", "B" or "shared" -> messages
    pace: Pace = field(default_factory=Pace)
    steps_per_frame: int = 1                        # per side, steered by the pace (paced_batch)

    # the play bar's transitions (mlp/ui/page.py: Playable), as a Run has them
    def play(self) -> None:
        self.playing = not all(v is not None for v in self.pair.diverged.values())

    def pause(self) -> None:
        self.playing = False

    def step(self) -> None:
        """One minibatch step on each side, paused."""
        self.playing = False
        self.pair.train(1)

    def back(self) -> None:
        self.playing = False
        self.pair.back()

    def reset(self) -> None:
        self.playing = False
        self.pair.rebuild()

    @property
    def can_step_back(self) -> bool:
        return self.pair.can_step_back


def current_lab() -> CompareLab:
    """This session's pair, on the link's preset (`?preset=sgd-vs-adam`) or the default one."""
    if STATE_KEY not in st.session_state:
        name, problems = page_link.preset_from_link(compare.PRESETS, compare.DEFAULT_PRESET)
        pair, more = pair_from_link(compare.Pair.from_preset(name))
        page_link.remember_notice(PAGE, problems + more + lesson_controls.link_problems())
        st.session_state[STATE_KEY] = CompareLab(pair, name if pair.base == compare.Pair.from_preset(name).base else None)
    state = st.session_state[STATE_KEY]
    page_link.show_preset(state.preset)
    return state


def pair_from_link(pair: compare.Pair) -> tuple[compare.Pair, list[str]]:
    """The link's settings on top of the pair's shared ones, and a line for each it could not take.

    A setting both sides set for themselves (the lr of "lr 0.03 vs 3") is theirs: the link's is said
    to be unused rather than silently dropped.
    """
    config, problems = config_from_link(pair.base)
    own = [name for name in compare.SIDE_FIELDS
           if all(name in pair.sides[s] for s in compare.SIDES) and getattr(config, name) != getattr(pair.base, name)]
    problems += [f"{FIELD[name].label.lower()} is set by each side on this page, so the link's value is not used"
                 for name in own]
    changes = {f: getattr(config, f) for f in config.to_query() if getattr(config, f) != getattr(pair.base, f)}
    try:
        base = pair.base.replace(**changes)
        too_big = budget_problem(None, [compare.side_config(base, pair.sides[s]) for s in compare.SIDES])
        if too_big:
            return pair, problems + [too_big, "so the page opens on the preset"]
        return pair.with_changes(None, **changes), problems
    except (ConfigError, ValueError) as err:       # the link's shared settings do not suit a side
        return pair, problems + getattr(err, "problems", [str(err)]) + ["so the page opens on the preset"]


def budget_problem(pair: compare.Pair | None, configs: list[Config]) -> str | None:
    """Why the two sides' trainers of `configs`, in place of `pair`'s, would pass this tab's memory budget
    (mlp/run/session_budget.py); None when they fit. Checked before they are built."""
    return over_budget(sum(trainer_bytes(c) for c in configs), held(replacing=pair), "Both sides of this network",
                       "Choose fewer or narrower hidden layers or fewer points")


def _change(state: CompareLab, side: str | None, name: str, value) -> None:
    where = side or "shared"
    state.problems.pop(where, None)
    try:
        value = parse_widths(value) if name == "hidden" else value
    except ValueError as err:
        state.problems[where] = [str(err)]
        return
    # the one proposal every page makes (state.proposal), of each side the change reaches
    proposals = [proposal(state.pair.config(s), **{name: value}) for s in ((side,) if side else compare.SIDES)]
    refused = [p for config, problems in proposals if config is None for p in problems]
    if refused:
        state.problems[where] = list(dict.fromkeys(refused))       # a shared setting: once, not per side
        return
    changed, before = proposals[0][0], state.pair.config(side or compare.SIDES[0])
    sides = [config for config, _ in proposals] if side is None else \
        [changed if s == side else state.pair.config(s) for s in compare.SIDES]
    too_big = budget_problem(state.pair, sides)
    if too_big:
        state.problems[where] = [too_big]
        return
    changes = {k: getattr(changed, k) for k in (name, "output") if k == name or getattr(changed, k) != getattr(before, k)}
    try:
        pair = state.pair.with_changes(side, **changes)
    except (ConfigError, ValueError) as err:
        state.problems[where] = getattr(err, "problems", [str(err)])
        return
    state.pair = pair
    state.playing, state.preset = False, None


def _apply_preset(state: CompareLab, name: str) -> None:
    state.pair, state.preset, state.playing, state.problems = compare.Pair.from_preset(name), name, False, {}


def preset_buttons(state: CompareLab) -> None:
    allowed = lesson_controls.rules().control("presets")
    for col, name in zip(st.columns(len(compare.PRESETS)) if allowed else (), compare.PRESETS):
        col.button(name, key=f"cmp_preset_{name}", width="stretch", on_click=_apply_preset, args=(state, name),
                   type="primary" if name == state.preset else "secondary", **allowed)


def explain(state: CompareLab) -> None:
    """"What am I looking at?": the preset's note, then the page's text."""
    if state.preset:
        st.info(f"**{state.preset}** — {compare.PRESETS[state.preset].note}", icon=":material/lightbulb:")
    st.markdown(EXPLANATION)


def side_label(side: str) -> str:
    style = "solid" if "dash" not in SIDE_STYLE[side] else "dashed"
    return f":{SIDE_COLOUR[side]}[**{side}**] ({style} lines)"


def _shared_settings(state: CompareLab) -> None:
    for name in compare.SHARED_FIELDS:
        field_widget(name, getattr(state.pair.base, name), key=f"cmp_shared_{name}", on_change=_change,
                     args=(state, None, name))


def _side_settings(state: CompareLab, side: str) -> None:
    config = state.pair.config(side)
    for name in ("activation", "init", "optimizer", "lr", "hidden"):
        field_widget(name, getattr(config, name), key=f"cmp_{side}_{name}", on_change=_change,
                     args=(state, side, name))


def _train(state: CompareLab) -> None:
    state.playing = False
    state.pair.train(TRAIN_STEPS, TRAIN_CHUNK)


def bar(state: CompareLab) -> None:
    """The Playground's Play / Step / Back / Reset, a longer stride, each side's settings, the shared ones
    and the loss axis; then what a change got wrong."""
    rules = lesson_controls.rules()
    cols = play_bar(state, [1.15, 1.1, 1.1, 1.2, 1.4, 1.75, 1.75, 1.3, 1.75], prefix="cmp_",
                    help_play="Train both sides continuously, step for step.",
                    help_step="One minibatch step on each side: the same batch for both.")
    allowed = rules.control("step", f"{TRAIN_STEPS} minibatch steps on each side.")
    if allowed:
        cols[0].button(f"+{TRAIN_STEPS} steps", key="cmp_train", width="stretch", on_click=_train, args=(state,),
                       **allowed)
    if not rules.hides("settings"):
        for side, col in zip(compare.SIDES, cols[1:3]):
            with col.popover(f"Settings of {side}", width="stretch", help=compare.describe(state.pair.config(side))):
                _side_settings(state, side)
        with cols[3].popover("Shared", width="stretch", help="What A and B share: data, seeds, batch size"):
            _shared_settings(state)
    allowed = rules.control("views", "A log axis shows late progress, and both curves, better.")
    if allowed:
        cols[4].toggle("Log-scale loss", value=True, key="cmp_log_loss", **allowed)
    for where in ("shared", *compare.SIDES):
        for problem in state.problems.get(where, []):
            st.warning(literal(problem) if where == "shared" else f"{where}: {literal(problem)}")


def _status(side: str, pair, report) -> None:
    """Step, training loss and test score of one side. A diverged side says so in the loss metric, with
    no delta badge: the badge made its metrics taller and pushed its plot below the other side's."""
    trainer = pair.trainers[side]
    c = trainer.config
    cols = st.columns(3)
    cols[0].metric(f"{side} step", f"{report.step:,}", help="Minibatch steps completed.")
    good = pair.last_good(side) if trainer.diverged_at is not None else None
    if trainer.diverged_at is not None:
        last = (f" The last good loss, at step {good[0]:,}, was {metric_text(good[1])}." if good is not None
                else "")
        cols[1].metric(f"{side} training loss", OVERFLOWED_TEXT,
                       help=f"Step {trainer.diverged_at:,} overflowed (NaN/∞); the side stopped after step "
                            f"{trainer.diverged_at - 1:,}.{last}")
    else:
        cols[1].metric(f"{side} training loss", metric_text(report.train_loss),
                       help="The data loss, without any L2/L1 penalty.")
    if c.problem == "classification":
        cols[2].metric(f"{side} test accuracy", f"{report.test_metric:.1%}")
    else:
        cols[2].metric(f"{side} test RMSE", metric_text(report.test_rmse))


def _diverged(side: str, trainer, report) -> None:
    if report.diverged_at is not None:
        c = trainer.config
        st.error(f"**{side} diverged: step {report.diverged_at:,} overflowed** (NaN/∞) — an exploding update, "
                 f"from a learning rate ({c.lr:g}) or initial weights too large. It stopped after step "
                 f"{report.diverged_at - 1:,} with its last good weights; the other side trains on.",
                 icon=":material/error:")


def _norms(pair, reports) -> tuple[dict, list[str]]:
    """Each side's ‖dW‖ per layer to draw (a diverged side's last good step's), and notes saying so."""
    norms, notes = {}, []
    for s, r in reports.items():
        good = pair.last_good(s) if pair.diverged[s] is not None else None
        if good is not None:                     # a line per layer still: the last good step's
            norms[s] = good[2]
            notes.append(f"{s}: step {good[0]:,}, its last good one")
        elif r is not None and r.signals is not None:
            norms[s] = r.signals.grad_norm
    return norms, notes


def live_comparison(state: CompareLab) -> None:
    """Both sides' status and decision boundaries side by side, beside the overlaid loss curves and gradient
    norms; animated while playing, as the Playground is."""
    views = Views(show_test=False)

    def train(n: int, full: bool) -> tuple[bool, float]:
        state.pair.train(n)
        return all(v is not None for v in state.pair.diverged.values()), state.pair.seconds_per_step

    def figures(every_chart: bool, last: bool = True) -> dict[str, dict]:
        pair = state.pair
        resolution = {"resolution": PLAYING_BOUNDARY_RESOLUTION} if state.playing else {}
        frame = {f"cmp_boundary_{side}": boundary_figure(pair.trainers[side], views, **resolution)
                 for side in compare.SIDES}
        if every_chart:
            curves = {s: (t.history.column("step"), t.history.column("train_loss")) for s, t in pair.trainers.items()}
            frame["cmp_loss"] = loss_pair_figure(curves, log_y=st.session_state.get("cmp_log_loss", True),
                                                 diverged=pair.diverged)
            frame["cmp_grad_norms"] = grad_norms_pair_figure(_norms(pair, pair.reports)[0])
        return frame

    def compute():
        if state.playing:
            batch = paced_batch(state.pace.frames_per_batch(), state.steps_per_frame, train, figures)
            state.steps_per_frame = batch.steps_per_frame
            if batch.stopped:
                state.playing = False
            return state.pair.reports, batch.frames
        return state.pair.probe(), [figures(True)]

    def draw(computed) -> None:
        reports, frames = computed
        pair = state.pair
        *sides, right = st.columns([1, 1, 1.15], gap="medium")
        for side, col in zip(compare.SIDES, sides):
            with col:
                st.caption(f"{side_label(side)} — {compare.describe(pair.config(side))}")
                _status(side, pair, reports[side])
                frames_chart(frames, f"cmp_boundary_{side}", key=f"cmp_boundary_{side}",
                             height=CHARTS[f"cmp_boundary_{side}"][0], revision=state.frame)
                _diverged(side, pair.trainers[side], reports[side])
        with right:
            st.markdown(f"**Training loss** — {side_label('A')}, {side_label('B')}")
            frames_chart(frames, "cmp_loss", key="cmp_loss", height=CHARTS["cmp_loss"][0], revision=state.frame)
            notes = _norms(pair, reports)[1]
            st.markdown("**Gradient norm per layer** ‖dW[l]‖ (log scale)",
                        help="In the last step: a line falling towards layer 1 is a vanishing gradient."
                             + (" Diverged sides show their last good step: " + "; ".join(notes) + "."
                                if notes else ""))
            frames_chart(frames, "cmp_grad_norms", key="cmp_grad_norms", height=CHARTS["cmp_grad_norms"][0],
                         revision=state.frame)

    st.html(growth_css(CHARTS))
    live_loop(state, compute, draw)
