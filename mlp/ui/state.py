"""One browser tab's run, and the one place that decides what a click does to it.

`Run` holds the config, trainer and play state (kept in st.session_state), and its methods are the
transitions every page and lab goes through: play, pause, step, back, reset, start, load, propose a
change, switch to the student's own points, take a played batch, edit a weight by hand. A teacher's
lock is checked in `proposal`, which every change of settings passes, so no widget has to remember it.

The config lives in the URL too: a page reads it once when the session starts (a bad or hand-edited
link gives messages and falls back per setting, never a traceback) and writes it back on every
change, so copying the address reproduces the run. Nothing here is module-level mutable state: each
student's net stays in their own session.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from mlp.run.config import Config, ConfigError
from mlp.live.pace import Pace
from mlp.run.session_budget import over_budget, trainer_bytes
from mlp.run.trainer import Readout, Trainer
from mlp.run.own_points import USER_SETS, UserPoints, config_for_points

from mlp.ui import lesson_controls, page_link
from mlp.ui.session_memory import held
from mlp.ui.tfp_link_panel import take_notes
from mlp.ui.class_session import challenge_config, url_param

USER_POINTS = "user_points"     # this session's own points (mlp.run.own_points.UserPoints), once it has some


def proposal(old: Config, **changes) -> tuple[Config | None, list[str]]:
    """The config `changes` make of `old` (a new data set brings its natural output: Config.changed),
    or None and why not: an invalid value, or a setting the teacher's link locked."""
    try:
        new = old.changed(**changes)
    except ConfigError as err:
        return None, err.problems
    refused = lesson_controls.refusals(old, new)
    return (None, refused) if refused else (new, [])


def budget_problem(config: Config, points: int | None = None, replacing=None) -> str | None:
    """Why a run of `config` (on `points` points) in place of `replacing` would pass the tab's memory
    budget (mlp/run/session_budget.py), with what the other pages hold; None when it fits."""
    return over_budget(trainer_bytes(config, points), held(replacing=replacing), "This network",
                       "Choose fewer or narrower hidden layers or fewer points, or put the labs you opened "
                       "back on a light preset")


def load_refusals(old: Config, running: Trainer, loaded: Trainer) -> list[str]:
    """Why a loaded run may not replace the running one: a sentence per locked setting it changes, and
    one when the points are locked (by `points` or `dataset`) and it brings other points."""
    refused = lesson_controls.refusals(old, loaded.config)
    rules = lesson_controls.rules()
    if (rules.locks("points") or rules.locks("dataset")) and not same_points(running.data, loaded.data):
        refused.append("the points are locked by your teacher's link, and the file holds other points")
    return refused


def same_points(a, b) -> bool:
    """Do two Datasets hold the same points and labels?"""
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("X_train", "y_train", "X_test", "y_test"))


@dataclass
class Run:
    config: Config
    trainer: Trainer
    playing: bool = False
    frame: int = 0                                  # batches of frames sent to the browser
    steps_per_frame: int = 1                        # adapted to keep each frame cheap
    pace: Pace = field(default_factory=Pace)        # when batches of frames are made, how many
    problems: list[str] = field(default_factory=list)   # what the last change got wrong
    report: Readout | None = None                    # what the charts show now
    from_file: bool = False                         # the run came from a weights file (its steps unverified)
    hand_edited: bool = False                       # a weight was set by hand: a link cannot carry that

    # -- playing -----------------------------------------------------------------------------------
    def play(self) -> None:
        """Train on every rerun of the live fragment (not while diverged: the last good state stays)."""
        self.playing = self.trainer.diverged_at is None

    def pause(self) -> None:
        self.playing = False

    @property
    def can_step_back(self) -> bool:
        return self.trainer.can_step_back

    def step(self) -> None:
        """One minibatch step, paused."""
        self.playing = False
        self.report = self.trainer.run(1)

    def back(self) -> None:
        """Return exactly to the state before the last frame or step."""
        self.playing = False
        if self.trainer.step_back():
            self.report = None

    def played(self, report: Readout, steps_per_frame: int, stopped: bool) -> None:
        """A batch the live loop trained: what the charts show, the steps the next frame takes, and a
        stop (divergence, tripwire, target) that pauses."""
        self.report, self.steps_per_frame = report, steps_per_frame
        if stopped:
            self.playing = False

    def probe(self) -> None:
        """The charts show the whole training set's gradient at the current step, without taking one."""
        self.report = self.trainer.probe()

    def edit(self, array, index, value: float) -> None:
        """Set one weight or bias by hand, `array[index] = value` (`array` one of the net's own): Back
        undoes it as it undoes a step."""
        self.trainer.before_hand_edit()
        array[index] = value
        self.hand_edited = True
        self.edited()

    def edited(self) -> None:
        """A weight changed by hand: the charts are computed afresh."""
        self.report = None

    # -- starting over -----------------------------------------------------------------------------
    def start(self, config: Config) -> None:
        """A new run of `config` from its first step, paused."""
        self.config, self.trainer = config, new_trainer(config)
        self.playing, self.report, self.problems, self.from_file, self.hand_edited = False, None, [], False, False

    def reset(self) -> None:
        """The same config again from its first step: same data, same initial weights."""
        self.start(self.config)

    def load(self, trainer: Trainer) -> list[str]:
        """Carry on with a saved run exactly where it stopped, paused; the address bar then holds its
        settings. A loaded file is a proposed change like any other: one that changes a setting the
        teacher's link locked, or the points while they are locked, is refused whole (the weights were
        trained for its settings, so none of it would fit the lesson's) and the run stays as it was.
        Returns why it was refused, a sentence each; [] when it was loaded."""
        refused = load_refusals(self.config, self.trainer, trainer)
        too_big = self.budget_problem(trainer.config, len(trainer.data.X_train) + len(trainer.data.X_test))
        if refused or too_big:
            return refused + ([too_big] if too_big else [])
        if trainer.config.dataset in USER_SETS:        # its own points become this session's (for Reset)
            st.session_state[USER_POINTS] = UserPoints.from_dataset(trainer.data)
        self.config, self.trainer = trainer.config, trainer
        self.playing, self.report, self.problems, self.hand_edited = False, None, [], False
        self.from_file = True
        write_url(trainer.config)
        return []

    # -- changing settings -------------------------------------------------------------------------
    def propose(self, **changes) -> bool:
        """Apply changed settings: live ones to the running net (as TF Playground does), others by
        starting a new run. A refused change leaves the run untouched and says why in `problems`."""
        config, self.problems = proposal(self.config, **changes)
        if config is None:
            return False
        if config != self.config:
            if self.trainer.apply(config):
                self.config = config
            else:
                too_big = self.budget_problem(config)
                if too_big:
                    self.problems = [too_big]
                    return False
                self.start(config)
            write_url(config)
        return True

    def budget_problem(self, config: Config, points: int | None = None) -> str | None:
        return budget_problem(config, points, replacing=self)

    def refuse(self, problems: list[str]) -> None:
        """A change the page could not even read (e.g. widths typed as words): say why, change nothing."""
        self.problems = list(problems)

    def use_points(self, points: UserPoints) -> bool:
        """Train on the student's own `points` from now on; the config changes only as they demand
        (data set, classes, an output that fits), and only if the teacher's link allows it."""
        config, self.problems = proposal(self.config, **points.config_changes(self.config))
        if config is None:
            return False
        too_big = self.budget_problem(config, len(points))
        if too_big:
            self.problems = [too_big]
            return False
        st.session_state[USER_POINTS] = points
        self.start(config)
        write_url(config)
        return True


def current_run(key: str = "run", page: str = "Playground") -> Run:
    """This session's run, created from the URL's query params on first use; what the link got wrong is
    kept as `page`'s link notice (page_link.show_notice)."""
    run = st.session_state.get(key)
    if run is None:
        config, problems = config_from_link()
        too_big = budget_problem(config)
        if too_big:         # the other pages already hold much: the link's run would pass the tab's budget
            config = Config()
            problems.append(f"{too_big}; the default settings are used instead")
        page_link.remember_notice(page, problems + lesson_controls.link_problems(), take_notes())
        run = Run(config, new_trainer(config))
        st.session_state[key] = run
        write_url(config)
    return run


def config_from_link(base: Config | None = None) -> tuple[Config, list[str]]:
    """The link's settings over `base` (default: the defaults), and a line for each one left out.

    A link naming the student's own points, opened in a session that has none, falls back too.
    """
    config, problems = Config.from_query_lenient(st.query_params.to_dict(), base)
    config, missing = config_for_points(config, st.session_state.get(USER_POINTS))
    return config, problems + missing


def url_params(config: Config) -> dict[str, str]:
    """The query params of a config: only what differs from the defaults, to keep links short."""
    default = Config().to_query()
    return {k: v for k, v in config.to_query().items() if v != default[k]}


def link_params(config: Config) -> dict[str, str]:
    """What a link to this run holds: its settings and the teacher's hide / lock rules."""
    return {**url_params(config), **lesson_controls.rules().to_params()}


def new_trainer(config: Config) -> Trainer:
    """A trainer for `config`: on this session's own points when the config names them."""
    points = st.session_state.get(USER_POINTS) if config.dataset in USER_SETS else None
    return Trainer(config, data=points.dataset(config) if points is not None else None)


def write_url(config: Config) -> None:
    """Put every setting, and the teacher's rules, into the address bar (and the class card's param,
    which no share link carries)."""
    wanted = {**link_params(config), **url_param()}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def go_to_challenge(run: Run) -> None:
    """Switch the run to the class challenge's data (and its natural output), keeping the rest; the
    address bar follows (the header's "Go to it")."""
    config = challenge_config(run)
    if config is not None:
        run.start(config)
        write_url(config)
