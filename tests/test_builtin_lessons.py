"""The three built-in lessons (mlp/classroom/lessons/*.toml): each loads, says what the issue asks of it,
and every goal is reachable: the engine trains the step's starting settings plus the solution its hints
point to (the step's `[steps.solution]` table, which the app never shows) and meets the goal within the
step's budget, judged every 25 steps as a page judges it while playing. The starting settings alone do
not meet it: each exercise asks the student to change something."""
import pytest

from mlp.classroom import lesson_files
from mlp.classroom.lesson_goals import judge
from mlp.run.config import Config
from mlp.run.trainer import Trainer

CHUNK = 25
LESSONS = {name: lesson_files.load(name) for name in lesson_files.builtin()}
GOAL_STEPS = [(name, i) for name, lesson in LESSONS.items() for i, step in enumerate(lesson.steps) if step.goal]


def reached(config: Config, goal) -> tuple[bool, str]:
    """Train `config` up to the goal's budget; whether the goal was met at some judged moment, and the last why."""
    trainer = Trainer(config)
    verdict = None
    while trainer.step < goal.within_steps:
        readout = trainer.run(min(CHUNK, goal.within_steps - trainer.step), signals=False)
        verdict = judge(goal, config, readout)
        if verdict.met:
            return True, verdict.why
        if readout.diverged_at is not None:
            break
    return False, verdict.why


def test_the_three_lessons_the_issue_names_are_built_in():
    assert {lesson.title for lesson in LESSONS.values()} == {
        "First neural network", "Vanishing and exploding gradients", "Why initialization matters"}
    for lesson in LESSONS.values():
        assert len(lesson.steps) >= 4
        assert all(step.title and step.text for step in lesson.steps)


def test_each_lesson_tells_its_story_in_order():
    """The sequence the issue gives, read from each step's starting settings."""
    first = [s.config for s in LESSONS["first-neural-network"].steps]
    assert first[0].hidden == () and first[0].dataset == "gauss"                  # a linear model, separable set
    assert first[1].hidden == () and first[1].dataset == "circle"                 # features instead of layers
    assert LESSONS["first-neural-network"].steps[1].goal.max_hidden_neurons == 0
    assert "features" in LESSONS["first-neural-network"].steps[2].rules.lock      # hidden layers, not features
    assert first[3].dataset == "spiral"
    grads = [s.config for s in LESSONS["vanishing-and-exploding-gradients"].steps]
    assert grads[0].activation == "sigmoid" and len(grads[0].hidden) >= 5         # a deep sigmoid net
    assert LESSONS["vanishing-and-exploding-gradients"].steps[1].solved().init == "he_normal"
    assert grads[2].init == "standard"                                            # Glorot 2010's standard init
    assert LESSONS["vanishing-and-exploding-gradients"].steps[2].solved().init == "xavier_uniform"
    assert grads[3].lr >= 1 and grads[4].clip_norm == 0 and "lr" in LESSONS[
        "vanishing-and-exploding-gradients"].steps[4].rules.lock                  # the lr stays; clipping tames it
    init = [s.config for s in LESSONS["why-initialization-matters"].steps]
    assert init[0].init == "zeros"
    assert init[1].init_gain < init[2].init_gain                                  # too small, then too large
    assert LESSONS["why-initialization-matters"].steps[3].solved().init == "he_normal"


def test_every_goal_has_a_budget_a_solution_and_hints():
    for name, i in GOAL_STEPS:
        step = LESSONS[name].steps[i]
        assert step.goal.within_steps and step.solution and step.hints, (name, step.title)


@pytest.mark.parametrize("name, index", GOAL_STEPS, ids=[f"{n}-{i + 1}" for n, i in GOAL_STEPS])
def test_every_goal_is_reachable_and_needs_the_change(name, index):
    step = LESSONS[name].steps[index]
    met, why = reached(step.solved(), step.goal)
    assert met, f"{step.title}: {why}"
    met, why = reached(step.config, step.goal)
    assert not met, f"{step.title}: met without any change ({why})"
