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
from mlp.live.frame import Views, boundary_figure
from mlp.live.pace import Pace
from mlp.run.session_budget import over_budget, trainer_bytes
from mlp.text_safety import literal
from mlp.notation import OVERFLOWED_TEXT, metric_text

from mlp.ui import lesson_controls, page_link
from mlp.ui.controls import field_widget, parse_widths
from mlp.ui.play_loop import live_loop
from mlp.ui.plotly_live import live_chart
from mlp.ui.session_memory import held
from mlp.ui.state import config_from_link, proposal

STATE_KEY = "lab_compare"
PAGE = "Compare"                  # its title, as page_setup and the link notice name it
TRAIN_STEPS = 200                 # the "Train 200 steps" button
TRAIN_CHUNK = 10                  # ... records a point of the loss curves every 10 steps
STEPS_PER_BATCH = 50              # while playing, per side and rerun (split between its frames)
SIDE_COLOUR = {"A": "green", "B": "violet"}     # Streamlit's names nearest the charts' colours


@dataclass
class CompareLab:
    pair: compare.Pair
    preset: str | None = compare.DEFAULT_PRESET
    playing: bool = False
    frame: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)     # "A", "B" or "shared" -> messages
    pace: Pace = field(default_factory=Pace)


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
    if state.preset:
        st.caption(compare.PRESETS[state.preset].note)


def side_label(side: str) -> str:
    style = "solid" if "dash" not in SIDE_STYLE[side] else "dashed"
    return f":{SIDE_COLOUR[side]}[**{side}**] ({style} lines)"


def shared_sidebar(state: CompareLab) -> None:
    if lesson_controls.rules().hides("settings"):
        for problem in state.problems.get("shared", []):
            st.warning(literal(problem))
        return
    with st.sidebar:
        st.markdown("**Shared by A and B**")
        for name in compare.SHARED_FIELDS:
            field_widget(name, getattr(state.pair.base, name), key=f"cmp_shared_{name}", on_change=_change,
                         args=(state, None, name))
        for problem in state.problems.get("shared", []):
            st.warning(literal(problem))


def side_settings(state: CompareLab) -> None:
    for side, col in zip(compare.SIDES, st.columns(2, gap="large")):
        config = state.pair.config(side)
        with col:
            st.markdown(f"{side_label(side)} — {compare.describe(config)}")
            with st.expander(f"Settings of {side}"):
                top = st.columns(3)
                for name, box in zip(("activation", "init", "optimizer"), top):
                    field_widget(name, getattr(config, name), key=f"cmp_{side}_{name}", on_change=_change,
                                 args=(state, side, name), container=box)
                low = st.columns([2, 1])
                field_widget("lr", config.lr, key=f"cmp_{side}_lr", on_change=_change, args=(state, side, "lr"),
                             container=low[0])
                field_widget("hidden", config.hidden, key=f"cmp_{side}_hidden", on_change=_change,
                             args=(state, side, "hidden"), container=low[1])
            for problem in state.problems.get(side, []):
                st.warning(literal(problem))


def _play(state: CompareLab) -> None:
    state.playing = not all(v is not None for v in state.pair.diverged.values())


def _pause(state: CompareLab) -> None:
    state.playing = False


def _train(state: CompareLab) -> None:
    state.playing = False
    state.pair.train(TRAIN_STEPS, TRAIN_CHUNK)


def _reset(state: CompareLab) -> None:
    state.playing = False
    state.pair.rebuild()


def play_bar(state: CompareLab) -> None:
    rules = lesson_controls.rules()
    cols = st.columns([1, 1.5, 1, 1.5, 2], vertical_alignment="center")
    play = rules.control("play", "Train both sides continuously, step for step.")
    if play and state.playing:
        cols[0].button("Pause", key="cmp_pause", type="primary", icon=":material/pause:", width="stretch",
                       on_click=_pause, args=(state,), **play)
    elif play:
        cols[0].button("Play", key="cmp_play", type="primary", icon=":material/play_arrow:", width="stretch",
                       on_click=_play, args=(state,), **play)
    allowed = rules.control("step", f"{TRAIN_STEPS} minibatch steps on each side.")
    if allowed:
        cols[1].button(f"Train {TRAIN_STEPS} steps", key="cmp_train", icon=":material/fast_forward:",
                       width="stretch", on_click=_train, args=(state,), **allowed)
    allowed = rules.control("reset", "Both sides back to step 0: same data, same starting weights.")
    if allowed:
        cols[2].button("Reset", key="cmp_reset", icon=":material/restart_alt:", width="stretch", on_click=_reset,
                       args=(state,), **allowed)
    allowed = rules.control("views", "A log axis shows late progress, and both curves, better.")
    if allowed:
        cols[3].toggle("Log-scale loss", value=True, key="cmp_log_loss", **allowed)


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


def live_comparison(state: CompareLab) -> None:
    """Status, both decision boundaries, the overlaid loss curves and gradient norms; animated while playing."""

    def compute():
        pair, views = state.pair, Views(show_test=False)
        boundaries = {side: [] for side in compare.SIDES}       # one figure per frame, played back in turn
        n_frames = state.pace.frames_per_batch() if state.playing else 1
        for _ in range(n_frames):
            reports = pair.train(max(1, STEPS_PER_BATCH // n_frames)) if state.playing else pair.probe()
            for side in compare.SIDES:
                boundaries[side].append(boundary_figure(pair.trainers[side], views))
            if all(v is not None for v in pair.diverged.values()):
                state.playing = False
                break
        return pair, reports, boundaries

    def draw(computed) -> None:
        pair, reports, boundaries = computed
        for side, col in zip(compare.SIDES, st.columns(2, gap="large")):
            with col:
                _status(side, pair, reports[side])
                live_chart(boundaries[side], key=f"cmp_boundary_{side}", height=380, revision=state.frame)
                _diverged(side, pair.trainers[side], reports[side])
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown(f"**Training loss** — {side_label('A')}, {side_label('B')}")
            curves = {s: (t.history.column("step"), t.history.column("train_loss")) for s, t in pair.trainers.items()}
            live_chart(loss_pair_figure(curves, log_y=st.session_state.get("cmp_log_loss", True),
                                        diverged=pair.diverged), key="cmp_loss", height=320, revision=state.frame)
        with right:
            st.markdown("**Gradient norm per layer** ‖dW[l]‖ in the last step (log scale): a line falling "
                        "towards layer 1 is a vanishing gradient.")
            norms, notes = {}, []
            for s, r in reports.items():
                good = pair.last_good(s) if pair.diverged[s] is not None else None
                if good is not None:                     # a line per layer still: the last good step's
                    norms[s] = good[2]
                    notes.append(f"{s}: step {good[0]:,}, its last good one")
                elif r.signals is not None:
                    norms[s] = r.signals.grad_norm
            if notes:
                st.caption("Diverged sides show their last good step: " + "; ".join(notes) + ".")
            live_chart(grad_norms_pair_figure(norms), key="cmp_grad_norms", height=320, revision=state.frame)

    live_loop(state, compute, draw)
