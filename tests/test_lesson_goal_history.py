"""A goal met between two looks of a playing page (mlp/classroom/lesson_goals.py: first_met): the page
trains a batch of frames between looks, so a goal "within n steps" is judged on the run's recorded
history, not only on where the run is when the page looks. The lesson's own words give the numbers:
first-neural-network.toml's step 1 says that at learning rate 0.03 "the test loss falls below 0.05 in
well under 300 steps", its goal being test loss ≤ 0.05 within 300 steps."""
from mlp.classroom import lesson_files
from mlp.classroom.lesson_goals import first_met, judge
from mlp.run.trainer import Trainer

STEP = lesson_files.load("first-neural-network").steps[0]


def _play(trainer, frames: int, steps_per_frame: int):
    """Frames as a playing page trains them: every other one with its numbers recorded."""
    report = None
    for i in range(frames):
        report = trainer.run(steps_per_frame, signals=i % 2 == 1)
    return report


def test_a_goal_met_within_its_budget_is_found_though_the_page_looks_only_after_it():
    config = STEP.solved()
    trainer = Trainer(config)
    latest = _play(trainer, 12, 50)                     # one look, at step 600
    assert latest.step == 600 and not judge(STEP.goal, config, latest).met       # 600 is past the budget
    point = first_met(STEP.goal, config, trainer.history, latest, after_step=-1)
    assert point is not None and point.step <= 300 and point.test_loss <= 0.05
    assert point.step % 100 == 0                        # a recorded frame's step (every other frame of 50)


def test_nothing_is_met_twice_nor_before_the_point_already_judged():
    config = STEP.solved()
    trainer = Trainer(config)
    latest = _play(trainer, 12, 50)
    assert first_met(STEP.goal, config, trainer.history, latest, after_step=latest.step) is None


def test_the_steps_own_settings_do_not_meet_it_in_the_budget():
    """At the step's starting learning rate, 0.003, "the line creeps": not met by step 300."""
    trainer = Trainer(STEP.config)
    latest = _play(trainer, 12, 50)
    assert first_met(STEP.goal, STEP.config, trainer.history, latest, after_step=-1) is None
