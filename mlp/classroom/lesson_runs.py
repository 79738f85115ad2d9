"""A lesson run by a class: starting one in the store, reading it back, and its results, without Streamlit.

The store keeps the lesson's TOML text (mlp/classroom/store/__init__.py: lessons), so every worker and
every page reads the same lesson, whatever file it came from; `lesson_of` parses it once per process.
The results are the goals met (store.GoalResult): `by_step` groups them, `best` picks the run a
teacher opens on the projector, `results_csv` writes the whole lesson, a row per student and step.
"""
from __future__ import annotations

import csv
import functools
import io
import time
from pathlib import Path

from mlp.classroom import lesson_files
from mlp.classroom.lesson_files import Lesson, LessonError, Problem
from mlp.classroom.store import GoalResult, LessonState, Store
from mlp.classroom.wall import csv_cell

CSV_COLUMNS = ("step", "step_title", "name", "goal_met", "at_training_step", "test_loss", "test_metric",
               "met_utc")


def lesson_file(name_or_path: str) -> tuple[Lesson, str]:
    """A built-in lesson by name, else the file at this path: (the lesson, its text as the store keeps it).
    Raises LessonError (with every problem and its line) when it cannot be used."""
    builtin = lesson_files.builtin()
    path = builtin.get(name_or_path, Path(name_or_path))
    lesson = lesson_files.load(name_or_path)         # the checks and their messages, whatever the file is
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:     # changed between the two reads
        raise LessonError(name_or_path, [Problem(None, f"cannot read it: {err}")]) from None
    return lesson, text


def start(store: Store, class_id: str, key: str, name_or_path: str, now: float | None = None) -> LessonState | None:
    """The class runs this lesson from its first step; None when the key is wrong. Raises LessonError for
    a lesson that cannot be used (nothing is started then), StoreError / StoreDown as the store does."""
    lesson, text = lesson_file(name_or_path)
    return store.start_lesson(class_id, key, name_or_path, lesson.title, text, len(lesson.steps), now)


@functools.lru_cache(maxsize=1)
def builtin_titles() -> dict[str, str]:
    """The built-in lessons: name -> title, read once per process."""
    return {name: lesson_files.read(path, name).title for name, path in lesson_files.builtin().items()}


@functools.lru_cache(maxsize=64)
def lesson_of(text: str, source: str) -> Lesson | None:
    """The lesson a store's text holds (parsed once per process); None when it no longer reads (a lesson
    stored by another version of the app)."""
    try:
        return lesson_files.parse(text, source)
    except LessonError:
        return None


def by_step(results: list[GoalResult], steps: int) -> list[list[GoalResult]]:
    """The goals met, a list per step (from 0), each in the order they were met."""
    grouped: list[list[GoalResult]] = [[] for _ in range(steps)]
    for r in sorted(results, key=lambda r: (r.time, r.student_id)):
        if 0 <= r.step < steps:
            grouped[r.step].append(r)
    return grouped


def best(results: list[GoalResult]) -> GoalResult | None:
    """The run to show the room: among those that met the goal and can be opened, the lowest test loss;
    on equal loss the one that got there in fewer training steps, then the first to get there."""
    openable = [r for r in results if r.has_weights]
    if not openable:
        return None
    return min(openable, key=lambda r: (r.test_loss if r.test_loss is not None else float("inf"), r.at_step, r.time))


def results_csv(lesson: Lesson, results: list[GoalResult], names: dict[str, str]) -> str:
    """The whole lesson as CSV: for each step with a goal, a row per student (everyone in `names`, a
    student id -> name, and everyone who met a goal), whether they met it, when and with what numbers."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    everyone = {**names, **{r.student_id: r.name for r in results}}
    grouped = by_step(results, len(lesson.steps))
    for i, step in enumerate(lesson.steps):
        if step.goal is None:
            continue
        met = {r.student_id: r for r in grouped[i]}
        for student_id, name in sorted(everyone.items(), key=lambda item: (item[1].casefold(), item[0])):
            r = met.get(student_id)
            row = (i + 1, step.title, name, "yes" if r else "no") + ((
                r.at_step, r.test_loss, r.test_metric, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(r.time)))
                if r else ("", "", "", ""))
            w.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def clock(seconds: float) -> str:
    """A step's timer as the wall shows it: 0:42, 12:05, 1:02:05."""
    s = max(0, int(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
