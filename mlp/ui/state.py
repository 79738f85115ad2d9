"""One browser tab's run: its config, trainer and play state, kept in st.session_state.

The config lives in the URL too: a page reads it once when the session starts (a bad or hand-edited
link gives messages and falls back per setting, never a traceback) and writes it back on every
change, so copying the address reproduces the run. Nothing here is module-level mutable state: each
student's net stays in their own session.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from mlp.config import Config, ConfigError
from mlp.live.pace import Pace
from mlp.trainer import Report, Trainer
from mlp.userdata import USER_SETS, config_for_points

USER_POINTS = "user_points"     # this session's own points (mlp.userdata.UserPoints), once it has some

from . import classroom, lab_link


@dataclass
class Run:
    config: Config
    trainer: Trainer
    playing: bool = False
    frame: int = 0                                  # batches of frames sent to the browser
    steps_per_frame: int = 1                        # adapted to keep each frame cheap
    pace: Pace = field(default_factory=Pace)        # when batches of frames are made, how many
    problems: list[str] = field(default_factory=list)   # what the last change or link got wrong
    report: Report | None = None                    # what the charts show now


def current_run(key: str = "run", page: str = "Playground") -> Run:
    """This session's run, created from the URL's query params on first use; what the link got wrong is
    kept as `page`'s link notice (lab_link.show_notice)."""
    run = st.session_state.get(key)
    if run is None:
        config, problems = config_from_link()
        lab_link.remember_notice(page, problems + classroom.link_problems())
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
    return {**url_params(config), **classroom.rules().to_params()}


def new_trainer(config: Config) -> Trainer:
    """A trainer for `config`: on this session's own points when the config names them."""
    points = st.session_state.get(USER_POINTS) if config.dataset in USER_SETS else None
    return Trainer(config, data=points.dataset(config) if points is not None else None)


def write_url(config: Config) -> None:
    """Put every setting, and the teacher's rules, into the address bar."""
    wanted = link_params(config)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def change_config(run: Run, **changes) -> bool:
    """Apply changed settings: live ones to the running net, others by starting a new run.

    Invalid settings, and changes to settings a teacher's link locked, are refused with messages
    (the old run keeps going untouched).
    """
    try:
        config = run.config.replace(**changes)
    except ConfigError as err:
        run.problems = err.problems
        return False
    refused = classroom.refusals(run.config, config)
    if refused:
        run.problems = refused
        return False
    run.problems = []
    if config == run.config:
        return True
    if not run.trainer.apply(config):
        run.trainer = new_trainer(config)
        run.playing = False
        run.report = None
    run.config = config
    write_url(config)
    return True


def reset(run: Run) -> None:
    """Start the same config again from its first step (same data, same initial weights)."""
    run.trainer = new_trainer(run.config)
    run.playing = False
    run.report = None
