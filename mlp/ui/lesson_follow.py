"""A student's Playground follows the class's lesson: the step the teacher moved to, its settings, hides
and locks, its text, goal and hints.

`follow(run)` runs before the page draws anything that obeys the rules: when the class's lesson is at
a step this page does not show yet (a new session: a late joiner, a reload; or the teacher moved the
class), the run starts anew from the step's settings, paused (as TensorFlow Playground's reset pauses:
the student reads the step first), and the step's hides and locks replace the link's
(lesson_controls.impose: they come from the store, not from an address a student could edit). The
header notices a move within class_session.LESSON_CHECK_EVERY_S and reruns the page, so no reload is
needed. `step_panel` is the header's button onto the step: title, text, goal, hints one click each.
The lesson's text is read from the store once per lesson and session and parsed once per process
(mlp/classroom/lesson_runs.py).
"""
from __future__ import annotations

import logging

import streamlit as st

from mlp.classroom import lesson_runs
from mlp.classroom.lesson_files import Lesson, Step
from mlp.classroom.store import open_store
from mlp.text_safety import literal

from mlp.ui import class_session, lesson_controls
from mlp.ui.state import Run, budget_problem, write_url

LESSON_KEY = "lesson_follow_lesson"     # session_state: (lesson id, Lesson) last read from the store


def _lesson(m: class_session.Membership) -> Lesson | None:
    """The lesson the class runs, read from the store once per lesson id in this session."""
    found = st.session_state.get(LESSON_KEY)
    if found is not None and found[0] == m.lesson.lesson_id:
        return found[1]
    text = open_store().lesson_text(m.class_id)
    lesson = None if text is None else lesson_runs.lesson_of(text, m.lesson.source)
    if lesson is not None:
        st.session_state[LESSON_KEY] = (m.lesson.lesson_id, lesson)
    return lesson


def current_step(m: class_session.Membership | None = None) -> tuple[int, Step, int] | None:
    """(index from 0, the step, the lesson's step count) of the step this page shows; None outside a lesson."""
    m = m or class_session.membership()
    found = st.session_state.get(LESSON_KEY)
    if m is None or m.applied is None or found is None or found[0] != m.applied[0]:
        return None
    steps = found[1].steps
    return m.applied[1], steps[m.applied[1]], len(steps)


def follow(run: Run) -> None:
    """Show the step the class's lesson is at (see the module's docstring); nothing outside a lesson.
    A store that cannot be read leaves the page as it is: the header says so and tries again."""
    m = class_session.membership()
    if m is None:
        if lesson_controls.LINK_KEY in st.session_state:      # left the class: the link's rules again
            lesson_controls.lift()
        return
    try:
        if not m.lesson_read:       # a new session (a late joiner, a reload): where is the class now?
            info = open_store().class_info(m.class_id)
            if info is None:
                return
            m.lesson, m.lesson_read = info.lesson, True
        if m.lesson is None:
            if m.applied is not None:       # the teacher ended the lesson: the link's rules again
                m.applied, m.goal = None, None
                lesson_controls.lift()
            return
        at = (m.lesson.lesson_id, m.lesson.step)
        if at == m.applied:
            return
        lesson = _lesson(m)
    except Exception as err:        # StoreDown and the like: the lesson is an extra, the page goes on
        logging.getLogger("mlp.classroom.store").info("lesson: the class could not be read: %s", err)
        return
    if lesson is None or not 0 <= m.lesson.step < len(lesson.steps):     # stored by another version
        m.applied, m.goal = at, None
        return
    step = lesson.steps[m.lesson.step]
    lesson_controls.impose(step.rules)
    too_big = budget_problem(step.config, replacing=run)
    run.start(step.config)
    if too_big:             # the other pages hold much: said, and the step's run is started all the same
        run.problems = [too_big]
    write_url(step.config)
    m.applied, m.goal = at, step.goal
    st.toast(f"Step {m.lesson.step + 1} of {len(lesson.steps)}: {step.title}", icon=":material/school:")


def step_panel() -> bool:
    """The header's button onto the step the page shows: its title, text, goal and hints (a hint a click
    each). False, drawing nothing, outside a lesson."""
    m = class_session.membership()
    found = current_step(m)
    if found is None:
        return False
    index, step, count = found
    with st.popover(f"Step {index + 1} of {count}", icon=":material/school:", width="stretch"):
        st.markdown(f"**{literal(step.title)}**")
        st.markdown(step.text)
        if step.goal is not None:
            met = " — met ✓" if m.applied in m.met else ""
            st.markdown(f"**Goal:** {literal(step.goal.describe())}{met}")
        for i, hint in enumerate(step.hints, start=1):
            with st.expander(f"Hint {i}" if len(step.hints) > 1 else "Hint", icon=":material/lightbulb:"):
                st.markdown(hint)
        for note in step.notes:
            st.caption(note)
    return True

