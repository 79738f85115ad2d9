"""The teacher's side of a lesson, on the class wall: start one, pace it, see who met each step's goal.

`start_form` (no lesson running): pick a built-in lesson and start it. `panel` (a lesson running):
the current step and how long ago it began, Previous / Next (the teacher's key moves the class: every
student's page follows within a few seconds), for each step with a goal how many met it and who,
the step's best run one click away (Open: the run as it was when it met the goal, on this screen, to
project), the whole lesson's results as CSV, and End. The panel is drawn by the wall's one-second
fragment, so the timer and the counts are live and another tab's Next shows here too.
"""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from mlp.classroom import lesson_runs
from mlp.classroom.lesson_files import LessonError
from mlp.classroom.store import GoalResult, LessonState, Store, StoreError
from mlp.classroom.store.guard import StoreDown
from mlp.text_safety import literal

PROBLEM_KEY = "lesson_wall_problem"      # session_state: why the last click did nothing
LESSON_KEY = "lesson_wall_lesson"        # session_state: (lesson id, Lesson), read from the store once per lesson
NAMES_SHOWN = 12                         # names listed under a step; the CSV has them all


def _say(problem: str) -> None:
    st.session_state[PROBLEM_KEY] = problem


def start(store: Store, class_id: str, key: str, name: str) -> bool:
    """Start the built-in lesson `name` in the class; False (and why, for the page) when it did not start."""
    try:
        if lesson_runs.start(store, class_id, key, name) is None:
            _say("The lesson did not start: this wall's key no longer fits the class.")
            return False
    except (LessonError, StoreError) as err:
        _say(f"The lesson did not start: {err}")
        return False
    except StoreDown as err:
        _say(f"The lesson did not start: {err}. Press the button again in a moment.")
        return False
    return True


def lesson_picker(label: str, key: str, optional: bool = False) -> str | None:
    """A select box of the built-in lessons (by title); `optional`: "No lesson" first. The lesson's name."""
    titles = lesson_runs.builtin_titles()
    options = ([None] if optional else []) + list(titles)
    return st.selectbox(label, options, key=key, format_func=lambda n: "No lesson" if n is None else titles[n],
                        help="A sequence of exercises you pace with Next: every student's page shows the step's "
                             "text and goal, with its settings, and follows you. `python -m mlp lesson list` "
                             "lists them; `python -m mlp class new --lesson FILE` runs your own file.")


def start_form(store: Store, class_id: str, key: str) -> None:
    with st.expander("Lesson", icon=":material/school:"):
        with st.form("start_lesson", border=False):
            name = lesson_picker("Lesson", "lesson_to_start")
            if st.form_submit_button("Start the lesson", type="primary") and start(store, class_id, key, name):
                st.rerun()


def _move(store: Store, class_id: str, key: str, lesson: LessonState, to: int) -> None:
    try:
        if store.go_to_step(class_id, key, lesson.lesson_id, to) is None:
            _say("The class was not moved: another lesson was started meanwhile, or the key no longer fits.")
    except StoreDown as err:
        _say(f"The class was not moved: {err}. Press the button again in a moment.")


def _end(store: Store, class_id: str, key: str) -> None:
    try:
        store.end_lesson(class_id, key)
    except StoreDown as err:
        _say(f"The lesson did not end: {err}. Press the button again in a moment.")


def _names(results: list[GoalResult]) -> str:
    names = [r.name for r in results]
    more = len(names) - NAMES_SHOWN
    return ", ".join(names[:NAMES_SHOWN]) + (f" and {more} more" if more > 0 else "")


def panel(store: Store, class_id: str, key: str, lesson: LessonState, results: list[GoalResult],
          students: dict[str, str], open_run: Callable[[int, str, str], None]) -> None:
    """The running lesson (see the module's docstring). `students`: student id -> name of the cards on the
    wall (everyone counted); `open_run(step, student_id, name)` opens a step's recorded run."""
    found = st.session_state.get(LESSON_KEY)
    if found is None or found[0] != lesson.lesson_id:       # the wall redraws every second: read the text once
        text = store.lesson_text(class_id)
        found = st.session_state[LESSON_KEY] = (lesson.lesson_id,
                                                None if text is None else lesson_runs.lesson_of(text, lesson.source))
    parsed = found[1]
    if parsed is None:
        st.warning("This class's lesson cannot be read by this version of the app: end it and start another.")
        return
    step = parsed.steps[lesson.step]
    problem = st.session_state.pop(PROBLEM_KEY, None)
    if problem:
        st.warning(problem)
    grouped = lesson_runs.by_step(results, len(parsed.steps))
    with st.container(border=True, key="lesson_panel"):
        head, clock, back, ahead, csv_col, end = st.columns([5, 1.3, 1.3, 1.3, 1.2, 1.1], vertical_alignment="center")
        head.markdown(f"**{literal(parsed.title)}** · step {lesson.step + 1} of {lesson.steps}: "
                      f"**{literal(step.title)}**")
        clock.metric("On this step", lesson_runs.clock(time.time() - lesson.started), label_visibility="collapsed",
                     help="How long ago the class moved to this step.")
        back.button("Previous", icon=":material/arrow_back:", width="stretch", disabled=lesson.step == 0,
                    key="lesson_previous", on_click=_move, args=(store, class_id, key, lesson, lesson.step - 1),
                    help="Move every student's page to the previous step.")
        ahead.button("Next", icon=":material/arrow_forward:", type="primary", width="stretch",
                     disabled=lesson.step == lesson.steps - 1, key="lesson_next", on_click=_move,
                     args=(store, class_id, key, lesson, lesson.step + 1),
                     help="Move every student's page to the next step: its settings, locks and text.")
        csv_col.download_button("CSV", icon=":material/download:", file_name="lesson-results.csv", mime="text/csv",
                                on_click="ignore", width="stretch", key="lesson_csv",
                                data=lambda: lesson_runs.results_csv(parsed, results, students),   # on click
                                help="The whole lesson's results: for each step with a goal, a row per student.")
        with end.popover("End", width="stretch"):
            st.caption("The lesson ends for everyone (its results go with it); the class and its wall stay.")
            st.button("End the lesson", key="lesson_end", on_click=_end, args=(store, class_id, key))
        counted = len(set(students) | {r.student_id for r in results})
        for i, s in enumerate(parsed.steps):
            if s.goal is None:
                continue
            met = grouped[i]
            line, best_col = st.columns([8.5, 2.2], vertical_alignment="center")
            mark = "▶ " if i == lesson.step else ""
            who = f": {_names(met)}" if met else ""
            line.text(f"{mark}Step {i + 1} · {len(met)} of {counted} met the goal{who}")
            best = lesson_runs.best(met)
            if best is not None and best_col.button(
                    f"Open best: {best.name}"[:40], key=f"lesson_best_{i}", icon=":material/open_in_full:",
                    type="tertiary", help=f"Step {i + 1}'s best run (test loss "
                                          f"{best.test_loss if best.test_loss is None else f'{best.test_loss:.4g}'}, "
                                          f"at training step {best.at_step:,}), as it was when it met the goal: "
                                          "open it here, large, to show the room."):
                open_run(i, best.student_id, best.name)



def goals_line(results: list[GoalResult], student_id: str) -> str | None:
    """A card's line: the steps whose goal this student met ("lesson goals ✓ 1, 2"); None when none yet."""
    steps = sorted({r.step + 1 for r in results if r.student_id == student_id})
    return f"lesson goals ✓ {', '.join(map(str, steps))}" if steps else None
