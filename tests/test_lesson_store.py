"""A class's lesson in the store (mlp/classroom/store/__init__.py: lessons, goals) and its results
(mlp/classroom/lesson_runs.py): on SQLite, and on PostgreSQL when MLP_TEST_POSTGRES names one."""
import csv
import io

import pytest

from mlp.classroom import lesson_runs
from mlp.classroom.lesson_files import LessonError
from mlp.classroom.store import GoalResult, Store, new_student_id

LESSON = "first-neural-network"         # its file has four [[steps]], each with a goal
SNAP = {"step": 1, "state": "playing"}


def test_a_started_lesson_is_at_its_first_step_for_everyone_who_reads_the_class(store):
    class_id, key = store.create_class("Lesson")
    state = lesson_runs.start(store, class_id, key, LESSON, now=1000.0)
    assert (state.step, state.steps, state.started, state.title) == (0, 4, 1000.0, "First neural network")
    assert store.class_info(class_id).lesson == state
    lesson = lesson_runs.lesson_of(store.lesson_text(class_id), state.source)
    assert [s.title for s in lesson.steps][:2] == ["One neuron draws a line", "Features instead of layers"]
    # a student's post brings the lesson's state back with the class
    assert store.post_and_read_class(class_id, new_student_id(), "Ana", SNAP).lesson == state


def test_only_the_teachers_key_starts_or_moves_a_lesson(store):
    class_id, key = store.create_class("Keys")
    other_id, other_key = store.create_class("Other")
    assert lesson_runs.start(store, class_id, other_key, LESSON) is None
    assert store.class_info(class_id).lesson is None
    state = lesson_runs.start(store, class_id, key, LESSON)
    for bad in (other_key, None, "", "x" * 80, key[:-1] + ("A" if key[-1] != "A" else "B")):
        assert store.go_to_step(class_id, bad, state.lesson_id, 1) is None
        assert not store.end_lesson(class_id, bad)
        assert store.lesson_results(class_id, bad) is None
    assert store.class_info(class_id).lesson.step == 0


def test_moving_the_class_restarts_the_steps_clock_and_stays_within_the_lesson(store):
    class_id, key = store.create_class("Pacing")
    state = lesson_runs.start(store, class_id, key, LESSON, now=1000.0)
    moved = store.go_to_step(class_id, key, state.lesson_id, 1, now=1060.0)
    assert (moved.step, moved.started) == (1, 1060.0)
    # two tabs that both saw step 1 press Next: the class goes to step 2 once, its clock started by the first
    assert store.go_to_step(class_id, key, state.lesson_id, 2, now=1100.0).started == 1100.0
    assert store.go_to_step(class_id, key, state.lesson_id, 2, now=1101.0).started == 1100.0
    assert store.go_to_step(class_id, key, state.lesson_id, 99, now=1200.0).step == 3     # the last of four
    assert store.go_to_step(class_id, key, state.lesson_id, -5, now=1300.0).step == 0
    assert store.class_info(class_id).lesson.step == 0


def test_a_page_showing_an_older_lesson_cannot_move_the_new_one(store):
    class_id, key = store.create_class("Two lessons")
    first = lesson_runs.start(store, class_id, key, LESSON)
    second = lesson_runs.start(store, class_id, key, "why-initialization-matters")
    assert first.lesson_id != second.lesson_id
    assert store.go_to_step(class_id, key, first.lesson_id, 1) is None
    assert store.class_info(class_id).lesson.step == 0


def test_a_restarted_server_finds_the_lesson_at_its_step(url):
    """A second Store on the same URL is what a restarted worker (or another worker) sees."""
    first = Store(url)
    class_id, key = first.create_class("Restart")
    state = lesson_runs.start(first, class_id, key, LESSON, now=500.0)
    first.go_to_step(class_id, key, state.lesson_id, 2, now=600.0)
    first.engine.dispose()
    again = Store(url).class_info(class_id).lesson
    assert (again.lesson_id, again.step, again.started) == (state.lesson_id, 2, 600.0)


def test_a_goal_is_kept_the_first_time_a_student_meets_it(store):
    class_id, key = store.create_class("Goals")
    state = lesson_runs.start(store, class_id, key, LESSON)
    ana, ben = new_student_id(), new_student_id()
    assert store.record_goal(class_id, ana, "Ana", state.lesson_id, 0, 120, 0.04, None, b"ana-w", now=10.0)
    assert store.record_goal(class_id, ana, "Ana", state.lesson_id, 0, 90, 0.01, None, b"later", now=20.0)
    assert store.record_goal(class_id, ben, "Ben", state.lesson_id, 1, 800, 0.08, 0.97, None, now=30.0)
    assert not store.record_goal(class_id, ben, "Ben", state.lesson_id, 4, 10, 0.0, 1.0, None)    # no 5th step
    assert not store.record_goal(class_id, ben, "Ben", "another-lesson", 0, 10, 0.0, 1.0, None)
    results = store.lesson_results(class_id, key)
    assert [(r.step, r.name, r.at_step, r.test_loss) for r in results] == [(0, "Ana", 120, 0.04), (1, "Ben", 800, 0.08)]
    assert store.goal_weights(class_id, key, 0, ana) == b"ana-w"
    assert store.goal_weights(class_id, key, 1, ben) is None
    assert store.goal_weights(class_id, "wrong-key-wrong-key", 0, ana) is None


def test_a_removed_card_meets_no_goal_and_ending_the_lesson_drops_its_results(store):
    class_id, key = store.create_class("Removed")
    state = lesson_runs.start(store, class_id, key, LESSON)
    ana = new_student_id()
    store.post(class_id, ana, "Ana", SNAP)
    store.remove_card(class_id, key, ana)
    assert not store.record_goal(class_id, ana, "Ana", state.lesson_id, 0, 10, 0.01, None, None)
    ben = new_student_id()
    assert store.record_goal(class_id, ben, "Ben", state.lesson_id, 0, 10, 0.01, None, None)
    assert store.end_lesson(class_id, key)
    assert store.class_info(class_id).lesson is None and store.lesson_results(class_id, key) == []
    assert store.erase_class(class_id, key)
    assert store.lesson_text(class_id) is None


def test_a_bad_lesson_starts_nothing(store, tmp_path):
    class_id, key = store.create_class("Bad")
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "Broken"\n\n[[steps]]\ntitle = "One"\ntext = "t"\nsettings = { lr = "fast" }\n')
    with pytest.raises(LessonError, match=r"broken.toml:6:"):
        lesson_runs.start(store, class_id, key, str(broken))
    with pytest.raises(LessonError):
        lesson_runs.start(store, class_id, key, "no-such-lesson")
    assert store.class_info(class_id).lesson is None


def _result(step, name, loss, at, has_weights=True, t=0.0):
    return GoalResult(step, name.lower() + "-id", name, at, loss, None, t, has_weights)


def test_the_best_run_of_a_step_is_the_lowest_test_loss_that_can_be_opened():
    runs = [_result(0, "Ana", 0.05, 100), _result(0, "Ben", 0.02, 300), _result(0, "Cy", 0.01, 50, has_weights=False),
            _result(0, "Di", 0.02, 200)]
    assert lesson_runs.best(runs).name == "Di"          # Ben's loss, in fewer steps; Cy's run cannot be opened
    assert lesson_runs.best([]) is None


def test_the_lessons_csv_has_a_row_per_student_and_step_with_a_goal():
    lesson, _ = lesson_runs.lesson_file(LESSON)
    results = [_result(0, "Ana", 0.04, 120, t=0.0), _result(2, "=Ben", 0.2, 600, t=60.0)]
    rows = list(csv.DictReader(io.StringIO(lesson_runs.results_csv(lesson, results, {"cy-id": "Cy"}))))
    assert len(rows) == 4 * 3                            # four steps with a goal, three students
    met = [(r["step"], r["name"], r["at_training_step"]) for r in rows if r["goal_met"] == "yes"]
    assert met == [("1", "Ana", "120"), ("3", "'=Ben", "600")]       # a name is never a spreadsheet formula
    assert rows[0]["step_title"] == "One neuron draws a line"


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (42.9, "0:42"), (725, "12:05"), (3725, "1:02:05")])
def test_the_steps_timer_reads_as_a_clock(seconds, text):
    assert lesson_runs.clock(seconds) == text
