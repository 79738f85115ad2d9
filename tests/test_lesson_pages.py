"""A lesson through AppTest: the student's Playground follows the class's step (settings, locks, text,
goal met), the teacher's wall paces it. Expected values come from the built-in lesson files' meaning:
first-neural-network.toml's step 1 is a TensorFlow Playground link on the Gaussian set at learning
rate 0.003 with no hidden layer, locking the data set; its step 2 is the circle at 0.1, features free;
step 1's goal (test loss ≤ 0.05 within 300 steps) is met by its solution, learning rate 0.03."""
import time

from streamlit.testing.v1 import AppTest

from mlp.classroom import lesson_runs
from mlp.classroom.store import new_student_id
from tests.class_pages import ROOT, TIMEOUT, page, store, texts  # noqa: F401 (store: a fixture)

LESSON = "first-neural-network"


def _student(class_id: str, name: str) -> AppTest:
    """A student who joined by the join link and is on the Playground."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, name
    at.run()
    at.switch_page("app.py").run()
    assert not at.exception, at.exception
    return at


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _rules(at):
    return at.session_state["classroom_rules"].rules


def test_a_student_lands_on_the_lessons_step_with_its_settings_locks_and_text(store):
    class_id, key = store.create_class("Lesson")
    lesson_runs.start(store, class_id, key, LESSON)
    at = _student(class_id, "Ana")
    config = at.session_state["run"].config
    assert (config.dataset, config.lr, config.hidden) == ("gauss", 0.003, ())
    assert _rules(at).locks("dataset") and _rules(at).locks("hidden") and not _rules(at).locks("lr")
    assert "One neuron draws a line" in _markdown(at)              # the step's title and text, in the panel
    assert "test loss ≤ 0.05 within 300 steps" in _markdown(at)
    assert at.session_state["run"].trainer.step == 0


def test_a_step_the_teacher_moves_to_reaches_a_student_without_a_reload(store):
    class_id, key = store.create_class("Pacing")
    state = lesson_runs.start(store, class_id, key, LESSON)
    at = _student(class_id, "Ben")
    at.button(key="step").click().run()
    store.go_to_step(class_id, key, state.lesson_id, 1)
    time.sleep(1.1)                 # the header rereads the class every second while a lesson runs
    at.run()                        # a rerun of the same session: what the header's timer does
    config = at.session_state["run"].config
    assert (config.dataset, config.lr, config.hidden) == ("circle", 0.1, ())
    assert at.session_state["run"].trainer.step == 0             # the run started again, from the step's settings
    assert not _rules(at).locks("features") and _rules(at).locks("dataset")
    assert "Features instead of layers" in _markdown(at)


def test_a_goal_met_is_said_once_and_recorded_for_the_wall(store):
    class_id, key = store.create_class("Goal")
    lesson_runs.start(store, class_id, key, LESSON)
    at = _student(class_id, "Cy")
    run = at.session_state["run"]
    run.start(run.config.changed(lr=0.03))                       # the step's solution (lr is not locked)
    run.report = run.trainer.run(300)
    at.run()
    said = [t.value for t in at.toast if "Goal met" in t.value]
    assert len(said) == 1
    results = store.lesson_results(class_id, key)
    assert [(r.step, r.name, r.at_step) for r in results] == [(0, "Cy", 300)]
    assert results[0].test_loss <= 0.05 and results[0].has_weights
    at.run()
    assert not [t for t in at.toast if "Goal met" in t.value]     # once
    assert len(store.lesson_results(class_id, key)) == 1


def test_a_run_on_other_data_does_not_meet_the_goal(store):
    """The goal is about the step's data: the same net on noisier Gaussian clouds (as a weights file of
    another run could bring) has not met it, whatever its loss."""
    class_id, key = store.create_class("Other data")
    lesson_runs.start(store, class_id, key, LESSON)
    at = _student(class_id, "Di")
    run = at.session_state["run"]
    run.start(run.config.changed(lr=0.03, noise=0.1))
    run.report = run.trainer.run(300)
    at.run()
    assert not [t for t in at.toast if "Goal met" in t.value]
    assert store.lesson_results(class_id, key) == []


def test_the_teachers_wall_shows_the_step_and_next_moves_the_class(store):
    class_id, key = store.create_class("Wall")
    state = lesson_runs.start(store, class_id, key, LESSON)
    ana, ben = new_student_id(), new_student_id()
    for sid, name in ((ana, "Ana"), (ben, "Ben")):
        store.post(class_id, sid, name, {"state": "joined", "time": time.time()})
    store.record_goal(class_id, ana, "Ana", state.lesson_id, 0, 150, 0.03, None, b"weights")
    at = page(**{"class": class_id, "key": key})
    assert not at.exception, at.exception
    shown = _markdown(at) + texts(at)
    assert "step 1 of 4" in shown and "One neuron draws a line" in shown
    assert "Step 1 · 1 of 2 met the goal: Ana" in texts(at)
    assert "Step 2 · 0 of 2 met the goal" in texts(at)
    assert "lesson goals ✓ 1" in texts(at)                       # Ana's card keeps the step she met
    assert at.button(key="lesson_previous").disabled
    at.button(key="lesson_next").click().run()
    assert store.class_info(class_id).lesson.step == 1
    assert "step 2 of 4" in _markdown(at)
    assert any(b.label.startswith("Open best: Ana") for b in at.button)


def test_the_wall_starts_a_built_in_lesson(store):
    class_id, key = store.create_class("Start")
    at = page(**{"class": class_id, "key": key})
    at.selectbox(key="lesson_to_start").set_value("why-initialization-matters")
    next(b for b in at.button if b.label == "Start the lesson").click().run()
    assert not at.exception, at.exception
    lesson = store.class_info(class_id).lesson
    assert (lesson.title, lesson.step) == ("Why initialization matters", 0)
    assert "step 1 of 4" in _markdown(at)


def test_a_lesson_ended_by_the_teacher_frees_the_steps_locks(store):
    class_id, key = store.create_class("Ending")
    lesson_runs.start(store, class_id, key, LESSON)
    at = _student(class_id, "Eve")
    assert _rules(at).locks("dataset")
    store.end_lesson(class_id, key)
    time.sleep(1.1)
    at.run()
    assert not _rules(at).locks("dataset") and not _rules(at).hide
    assert "One neuron draws a line" not in _markdown(at) and "Neural network playground" in _markdown(at)
