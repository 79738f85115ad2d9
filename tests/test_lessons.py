"""Lesson files (mlp/classroom/lesson_files.py), goal judging (mlp/classroom/lesson_goals.py) and the
`python -m mlp lesson` commands.

A bad file's expected line is marked in its text with `# <-`: the test finds the mark, so the number
comes from the file as a person reads it, not from the reader's own bookkeeping."""
import math
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from mlp.__main__ import main
from mlp.classroom import lesson_files
from mlp.classroom.lesson_files import LessonError, parse
from mlp.classroom.lesson_goals import Goal, judge
from mlp.run.config import Config
from mlp.run.trainer import Readout

ROOT = Path(__file__).resolve().parent.parent

GOOD = '''title = "Circles"

[[steps]]
title = "Features"
text = """
Use *X₁²* and X₂².
"""
settings = { dataset = "circle", hidden = [], lr = 0.1 }
hide = ["views"]
lock = ["dataset", "hidden"]
hints = ["Squares.", "Reset, then Play."]

[steps.goal]
test_accuracy = 0.95
test_loss = 0.1
within_steps = 1000
max_hidden_neurons = 0
max_features = 2

[steps.solution]
features = ["x1_sq", "x2_sq"]

[[steps]]
title = "Free play"
text = "Anything goes."
'''


def marked_line(text: str) -> int:
    """The 1-based line that carries the `# <-` mark."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if "# <-" in line]
    assert len(lines) == 1, "a bad file marks exactly one line"
    return lines[0]


def problems_of(text: str) -> list:
    with pytest.raises(LessonError) as caught:
        parse(text, "bad.toml")
    return list(caught.value.problems)


# -- good files ------------------------------------------------------------------------------------
def test_a_good_file_reads_whole():
    lesson = parse(GOOD, "good.toml")
    assert lesson.title == "Circles" and lesson.source == "good.toml" and len(lesson.steps) == 2
    first, second = lesson.steps
    assert first.title == "Features" and first.text == "Use *X₁²* and X₂²."
    assert first.config == Config(dataset="circle", hidden=(), lr=0.1)
    assert first.rules.hide == {"views"} and first.rules.lock == {"dataset", "hidden"}
    assert first.hints == ("Squares.", "Reset, then Play.")
    assert (first.goal.test_accuracy, first.goal.test_loss, first.goal.within_steps) == (0.95, 0.1, 1000)
    assert (first.goal.max_hidden_neurons, first.goal.max_features) == (0, 2)
    assert first.solution == {"features": "x1_sq,x2_sq"}
    assert first.solved() == Config(dataset="circle", hidden=(), lr=0.1, features=("x1_sq", "x2_sq"))
    # a step without settings starts from the defaults; without goal, rules or hints it has none
    assert second.config == Config() and second.goal is None and second.hints == ()
    assert second.rules.hide == frozenset() and second.rules.lock == frozenset()


def test_the_goal_is_about_the_steps_own_data():
    goal = parse(GOOD).steps[0].goal
    assert dict(goal.data) == {"dataset": "circle", "noise": "0.0", "train_fraction": "0.5", "n_samples": "500",
                               "data_seed": "0"}         # n_classes only matters to the multi-class set


def test_settings_may_be_written_as_a_link_writes_them():
    as_text = GOOD.replace('{ dataset = "circle", hidden = [], lr = 0.1 }', '{ dataset = "circle", hidden = "", lr = "0.1" }')
    assert parse(as_text).steps[0].config == parse(GOOD).steps[0].config


def test_a_step_opens_with_its_changed_settings_and_its_rules():
    params = parse(GOOD).steps[0].params()
    # circle is the default data set, so the link leaves it out (a page reads a missing key as its default)
    assert params == {"hidden": "", "lr": "0.1", "hide": "views", "lock": "dataset,hidden"}


def test_a_regression_set_gets_its_natural_output_as_in_a_link():
    text = 'title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { dataset = "plane" }\n'
    assert parse(text).steps[0].config == Config(dataset="plane", output="linear")


def test_a_tensorflow_playground_link_gives_its_settings_hides_and_notes():
    link = ("https://playground.tensorflow.org/#activation=relu&dataset=xor&learningRate=0.1&networkShape=3"
            "&x=true&y=true&xTimesY=true&learningRate_hide=true&tutorial=dataset")
    text = f'title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = "{link}"\nhide = ["views"]\n'
    step = parse(text).steps[0]
    c = step.config
    assert (c.dataset, c.activation, c.lr, c.hidden) == ("xor", "relu", 0.1, (3,))
    assert c.features == ("x1", "x2", "x1x2")
    # its classification output is one unit (sigmoid here), its start U(-0.5, 0.5) and biases 0.1
    assert (c.output, c.init, c.bias_init) == ("sigmoid", "tfp_uniform", 0.1)
    assert step.rules.hide == {"lr", "views"}                # learningRate_hide, and the step's own list
    assert any("tutorial" in note for note in step.notes)   # what the app cannot take over is said


def test_the_builtin_lessons_are_listed_by_name():
    names = lesson_files.builtin()
    assert set(names) == {"first-neural-network", "vanishing-and-exploding-gradients", "why-initialization-matters"}
    assert lesson_files.load("first-neural-network").title == "First neural network"


# -- bad files: every problem with its line, nothing half-loaded ------------------------------------
BAD = {
    "toml syntax": ('title = "T"\n[[steps]]\ntitle = "S  # <- the string never ends\ntext = "x"\n', "not valid TOML"),
    "a key written twice": ('title = "T"\ntitle = "U"  # <-\n[[steps]]\ntitle = "S"\ntext = "x"\n', "not valid TOML"),
    "no title": ('# <-\n[[steps]]\ntitle = "S"\ntext = "x"\n', "the lesson needs a title"),
    "unknown top key": ('title = "T"\ntheme = "dark"  # <-\n[[steps]]\ntitle = "S"\ntext = "x"\n', "unknown key 'theme'"),
    "no steps": ('title = "T"  # <-\n', "the lesson needs steps"),
    "steps not tables": ('title = "T"\nsteps = [1, 2]  # <-\n', "the lesson needs steps"),
    "unknown step key": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nhint = "y"  # <-\n', "did you mean 'hints'?"),
    "no text": ('title = "T"\n[[steps]]  # <-\ntitle = "S"\n', "its text must be text"),
    "title not text": ('title = "T"\n[[steps]]\ntitle = 3  # <-\ntext = "x"\n', "its title must be text"),
    "unknown setting": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.settings]\ncolour = "red"  # <-\n',
                        "unknown setting 'colour'"),
    "setting not a number": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.settings]\ndataset = "xor"\n'
                             'lr = "fast"  # <-\n', "learning rate must be a number"),
    "setting out of range": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { lr = 50 }  # <-\n',
                             "learning rate must be"),
    "layer width 0": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.settings]\nhidden = [4,  # <- a value over lines: its key is named\n  0]\n',
                      "layer width must be"),
    "setting a table": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { lr = { a = 1 } }  # <-\n',
                        "lr must be a number, text or a list"),
    "settings that do not fit together": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n'
                                          'settings = { dataset = "circle", output = "linear" }  # <-\n',
                                          "do not fit together"),
    "settings text not a TFP link": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n'
                                     'settings = "dataset=xor"  # <-\n', "must be a TensorFlow Playground link"),
    "unknown hide name in a long list": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nhide = [\n  "views",\n'
                                         '  "lrr",  # <-\n  "play",\n]\n', "did you mean 'lr'?"),
    "lock not a list": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nlock = 3  # <-\n',
                        "lock must be a list of names"),
    "hints not texts": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nhints = [1]  # <-\n',
                        "hint 1 must be text"),
    "goal loss below 0": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]\ntest_loss = -1  # <-\n',
                          "test_loss must be a number above 0"),
    "goal accuracy as a percentage": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]\n'
                                      'test_accuracy = 95  # <-\n', "0.95 for 95%"),
    "goal steps not whole": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]\ntest_loss = 0.1\n'
                             'within_steps = 1.5  # <-\n', "within_steps must be a whole number"),
    "goal unknown key": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]\ntest_loss = 0.1\n'
                         'max_layers = 2  # <-\n', "unknown key 'max_layers'"),
    "goal with no target": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]  # <-\n'
                            'within_steps = 100\n', "needs test_loss"),
    "accuracy on a regression set": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n'
                                     'settings = { dataset = "plane" }\n[steps.goal]\ntest_accuracy = 0.9  # <-\n',
                                     "regression, so it has no test accuracy"),
    "solution changes a locked setting": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nlock = ["hidden"]\n'
                                          '[steps.goal]\ntest_loss = 0.1\n[steps.solution]\nhidden = [8]  # <-\n',
                                          "which the step locks"),
    "solution over the goal's cap": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.goal]\n'
                                     'test_loss = 0.1\nmax_hidden_neurons = 3  # <-\n[steps.solution]\nhidden = [4]\n',
                                     "the solution has 4 hidden neurons"),
    "solution without a goal": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.solution]  # <-\n'
                                'lr = 0.1\n', "a solution without a goal"),
    "problem in the third step": ('title = "T"\n' + '[[steps]]\ntitle = "S"\ntext = "x"\n' * 2
                                  + '[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { noise = 2 }  # <-\n',
                                  "step 3: settings: noise must be"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_file_names_the_line_and_loads_nothing(case):
    text, message = BAD[case]
    problems = problems_of(text)
    assert [p.line for p in problems if message in p.text] == [marked_line(text)], [str(p) for p in problems]


def test_every_problem_of_a_file_is_named_at_once():
    text = ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { lr = "fast" }\nhide = ["nope"]\n'
            '[steps.goal]\ntest_loss = 0\n')
    problems = problems_of(text)
    assert [p.line for p in problems] == [5, 6, 8]
    with pytest.raises(LessonError) as caught:
        parse(text, "three.toml")
    assert [line.split(": ")[0] for line in caught.value.lines()] == ["three.toml:5", "three.toml:6", "three.toml:8"]


def test_a_file_that_is_not_utf8_or_too_large_is_refused(tmp_path):
    (tmp_path / "latin.toml").write_bytes('title = "T"\n# caf\xe9\n'.encode("latin-1"))
    with pytest.raises(LessonError) as caught:
        lesson_files.read(tmp_path / "latin.toml")
    assert caught.value.problems[0].line == 2 and "not UTF-8" in caught.value.problems[0].text
    (tmp_path / "big.toml").write_text("# " + "x" * lesson_files.MAX_FILE_BYTES)
    with pytest.raises(LessonError, match="larger than"):
        lesson_files.read(tmp_path / "big.toml")
    with pytest.raises(LessonError, match="cannot read it"):
        lesson_files.read(tmp_path / "missing.toml")


# -- judging a goal --------------------------------------------------------------------------------
def readout(step=100, test_loss=0.2, test_metric=0.9, diverged_at=None) -> Readout:
    return Readout(step=step, epoch=0.0, lr=0.03, train_loss=test_loss, test_loss=test_loss, train_metric=test_metric,
                   test_metric=test_metric, test_rmse=math.nan, confusion=None, signals=None, diverged_at=diverged_at)


CIRCLE = Config(dataset="circle", hidden=(3,))
CIRCLE_DATA = tuple((k, CIRCLE.to_query()[k]) for k in ("dataset", "noise", "train_fraction", "n_samples", "data_seed"))


@pytest.mark.parametrize("goal, config, read, met", [
    (Goal(test_loss=0.1), CIRCLE, readout(test_loss=0.1), True),                 # at most: the bound itself is in
    (Goal(test_loss=0.1), CIRCLE, readout(test_loss=0.1001), False),
    (Goal(test_loss=0.1), CIRCLE, readout(test_loss=math.nan), False),
    (Goal(test_accuracy=0.95), CIRCLE, readout(test_metric=0.95), True),         # at least: the bound itself is in
    (Goal(test_accuracy=0.95), CIRCLE, readout(test_metric=0.948), False),
    (Goal(test_loss=0.1, test_accuracy=0.95), CIRCLE, readout(test_loss=0.05, test_metric=0.9), False),   # both
    (Goal(test_loss=0.1, within_steps=500), CIRCLE, readout(step=500, test_loss=0.05), True),
    (Goal(test_loss=0.1, within_steps=500), CIRCLE, readout(step=501, test_loss=0.05), False),
    (Goal(test_loss=0.1, max_hidden_neurons=3), CIRCLE, readout(test_loss=0.05), True),
    (Goal(test_loss=0.1, max_hidden_neurons=3), CIRCLE.replace(hidden=(2, 2)), readout(test_loss=0.05), False),
    (Goal(test_loss=0.1, max_hidden_neurons=0), CIRCLE.replace(hidden=()), readout(test_loss=0.05), True),
    (Goal(test_loss=0.1, max_features=2), CIRCLE.replace(features=("x1", "x2", "x1x2")), readout(test_loss=0.05),
     False),
    (Goal(test_loss=0.1), CIRCLE, readout(test_loss=0.05, diverged_at=40), False),
    (Goal(test_accuracy=0.5), Config(dataset="plane", output="linear"), readout(test_metric=0.99), False),
    (Goal(test_loss=0.1, data=CIRCLE_DATA), CIRCLE.replace(hidden=(8, 8), lr=1.0), readout(test_loss=0.05), True),
    (Goal(test_loss=0.1, data=CIRCLE_DATA), CIRCLE.replace(noise=0.1), readout(test_loss=0.05), False),
])
def test_a_goal_is_met_by_its_definition(goal, config, read, met):
    assert judge(goal, config, read).met is met


def test_the_verdict_says_why_with_the_numbers():
    verdict = judge(Goal(test_loss=0.1, test_accuracy=0.95, within_steps=500, max_hidden_neurons=2, data=CIRCLE_DATA),
                    CIRCLE.replace(noise=0.25), readout(step=120, test_loss=0.0831, test_metric=0.96))
    assert not verdict.met
    why = verdict.why
    assert why.startswith("hidden neurons 3 ✗")          # what fails comes first
    assert "noise=0.25 instead of 0.0" in why and "test loss 0.0831 ✓" in why and "test accuracy 96% ✓" in why
    assert "steps 120 ✓ (wanted ≤ 500)" in why


def test_numbers_are_written_for_a_projector_never_in_e_notation():
    verdict = judge(Goal(test_loss=1e-5), CIRCLE, readout(test_loss=3.2e-6))
    assert verdict.met and verdict.why == "test loss 3.2·10⁻⁶ ✓ (wanted ≤ 10⁻⁵)"
    assert Goal(test_loss=1e-5).describe() == "test loss ≤ 10⁻⁵"
    # four significant digits near the bound: 0.1004 does not read as 0.1
    assert judge(Goal(test_loss=0.1), CIRCLE, readout(test_loss=0.10041)).why == "test loss 0.1004 ✗ (wanted ≤ 0.1)"


def test_a_goal_reads_as_the_student_reads_it():
    goal = Goal(test_loss=0.1, test_accuracy=0.95, within_steps=1000, max_hidden_neurons=4, max_features=2)
    assert goal.describe() == ("test loss ≤ 0.1 and test accuracy ≥ 95% within 1,000 steps, with at most 4 hidden "
                               "neurons and at most 2 input features")
    assert Goal(test_accuracy=0.9, max_hidden_neurons=0).describe() == "test accuracy ≥ 90%, with no hidden neurons"


def test_a_goal_is_judged_on_a_real_trainers_readout():
    from mlp.run.trainer import Trainer
    step = parse(GOOD).steps[0]
    trainer = Trainer(step.solved())
    before = judge(step.goal, trainer.config, trainer.probe())
    assert not before.met                                  # untrained: about half right
    r = trainer.run(300, signals=False)
    after = judge(step.goal, trainer.config, r)
    expected = (r.test_loss <= 0.1 and r.test_metric >= 0.95 and r.step <= 1000)
    assert after.met is expected
    # the test accuracy the verdict reads is the share of the run's own test points predicted right
    predicted = trainer.net.predict(trainer.X_test).argmax(axis=1)
    assert r.test_metric == pytest.approx(np.mean(predicted == trainer.data.y_test))


# -- the commands ----------------------------------------------------------------------------------
def run_main(args, capsys) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exit_:          # argparse's own refusals
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_lesson_list_names_every_builtin_lesson_with_its_step_count(capsys):
    code, out, err = run_main(["lesson", "list"], capsys)
    assert code == 0 and err == ""
    rows = out.splitlines()
    assert len(rows) == 3
    for name, path in lesson_files.builtin().items():
        steps = path.read_text(encoding="utf-8").count("\n[[steps]]\n")       # one header per step
        row = next(r for r in rows if r.startswith(name + " "))
        assert f"({steps} steps" in row


def test_lesson_check_summarises_a_good_file(tmp_path, capsys):
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    code, out, err = run_main(["lesson", "check", str(tmp_path / "good.toml")], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].endswith('good.toml: "Circles", 2 steps, 1 with a goal')
    assert lines[1].startswith("  1. Features: goal: test loss ≤ 0.1 and test accuracy ≥ 95% within 1,000 steps")
    assert "hides views; locks dataset, hidden; 2 hints" in lines[1]
    assert lines[2] == "  2. Free play: no goal"


def test_lesson_check_lists_the_problems_by_line_and_exits_2(tmp_path, capsys):
    text = BAD["unknown hide name in a long list"][0]
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    code, out, err = run_main(["lesson", "check", str(tmp_path / "bad.toml")], capsys)
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'bad.toml'}:{marked_line(text)}: ") and "did you mean 'lr'?" in first
    assert err.splitlines()[-1].endswith("1 problem; nothing of " + str(tmp_path / "bad.toml") + " is used")
    assert "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (["lesson", "check", "missing.toml"], "cannot read it"),
    (["lesson"], "required"),
    (["lesson", "teach"], "invalid choice"),
])
def test_lesson_commands_refuse_bad_input_with_exit_2(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_main(args, capsys)
    assert code == 2 and message in err


@pytest.mark.slow
def test_lesson_check_from_the_shell(tmp_path):
    (tmp_path / "bad.toml").write_text('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = { lr = 50 }\n')
    done = subprocess.run([sys.executable, "-m", "mlp", "lesson", "check", "bad.toml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and done.stderr.startswith("bad.toml:5: step 1: settings: learning rate must be")
    assert "Traceback" not in done.stderr


# -- lines in harder TOML: a text that looks like keys, dotted and quoted keys, literal strings ----------
TRICKY = {
    "key-like lines inside a text": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = """\nlr = 50\n[steps.goal]\n"""\n'
                                     "settings = { lr = 50 }  # <-\n", "learning rate must be"),
    "a literal multi-line text": ("title = 'T'\n[[steps]]\ntitle = 'S'\ntext = '''\nhide = [\"x\"]\n'''\n"
                                  'hide = ["nope"]  # <-\n', "names 'nope'"),
    "a dotted goal key": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\ngoal.test_loss = 0.1\n'
                          "goal.within_steps = 0  # <-\n", "within_steps must be a whole number"),
    "a quoted key": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\n[steps.settings]\n"lr" = 0.1\n'
                     '"n_samples" = 5  # <-\n', "points must be"),
    "a comment holding a bracket": ('title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nhints = ["a"]  # ] [\n'
                                    "[steps.goal]\ntest_loss = 11  # <-\n", "test_loss must be"),
}


@pytest.mark.parametrize("case", TRICKY, ids=list(TRICKY))
def test_the_line_is_found_in_harder_toml(case):
    text, message = TRICKY[case]
    problems = problems_of(text)
    assert [p.line for p in problems if message in p.text] == [marked_line(text)], [str(p) for p in problems]


# -- whatever the file holds: a lesson, or LessonError with lines inside the file; never anything else ----
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edit_of_a_good_file_loads_or_is_refused_with_lines(data):
    text = GOOD
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        insert = data.draw(st.sampled_from(["", "0", "-1", '"', "'", "[", "]", "{", "}", "=", "\n", "x", ",", "#",
                                            "1e999", "nan", "[[steps]]\n", "\ttitle = 3\n", '"""', "é"]))
        text = text[:at] + insert + text[at + cut:]
    try:
        lesson = parse(text)
    except LessonError as err:
        n_lines = max(1, len(text.splitlines()))
        assert err.problems and all(p.line is None or 1 <= p.line <= n_lines + 1 for p in err.problems)
    else:
        assert lesson.steps and all(isinstance(step.config, Config) for step in lesson.steps)


# -- trying a goal: what `lesson check --train` does ------------------------------------------------
def test_try_goal_stops_at_the_first_judged_moment_the_goal_is_met():
    from mlp.classroom.lesson_goals import TRY_EVERY, try_goal
    from mlp.run.trainer import Trainer
    step = parse(GOOD).steps[0]
    verdict, taken = try_goal(step.goal, step.solved())
    assert verdict.met and 0 < taken <= step.goal.within_steps and taken % TRY_EVERY == 0
    # the same run, trained afresh: met at that step, not yet one judgement earlier
    for steps, met in ((taken, True), (taken - TRY_EVERY, False)):
        trainer = Trainer(step.solved())
        assert judge(step.goal, trainer.config, trainer.run(steps, signals=False)).met is met


def test_try_goal_gives_up_when_the_run_diverges():
    from mlp.classroom.lesson_goals import try_goal
    exploding = Config(dataset="plane", output="linear", hidden=(8,) * 6, lr=1.0)
    verdict, taken = try_goal(Goal(test_loss=0.01, within_steps=500), exploding)
    assert not verdict.met and taken < 500 and "diverged" in verdict.why


def test_lesson_check_train_says_which_goals_a_solution_misses(tmp_path, capsys):
    # the second step's "solution" keeps X₁ and X₂ on the circle without hidden layers: no line separates it
    missed = GOOD.replace('[[steps]]\ntitle = "Free play"\ntext = "Anything goes."\n',
                          '[[steps]]\ntitle = "Linear circle"\ntext = "x"\nsettings = { dataset = "circle", hidden = [] }\n'
                          '[steps.goal]\ntest_accuracy = 0.95\nwithin_steps = 300\n[steps.solution]\nlr = 0.3\n')
    (tmp_path / "missed.toml").write_text(missed, encoding="utf-8")
    code, out, err = run_main(["lesson", "check", str(tmp_path / "missed.toml"), "--train"], capsys)
    assert code == 1 and err.strip() == "python -m mlp lesson: 1 goal not reached"
    trained = out.split("Training each goal's solution:\n")[1].splitlines()
    assert trained[0].startswith("  1. reached with its solution at step ")
    assert trained[1].startswith("  2. NOT reached with its solution in 300 steps: test accuracy ")


# -- the README's Lessons section, as a newcomer reads it --------------------------------------------
def test_the_readmes_lesson_example_is_a_lesson_whose_goal_its_solution_reaches():
    import re
    from mlp.classroom.lesson_goals import try_goal
    from tests.test_readme import section
    example = re.findall(r"```toml\n(.*?)```", section("Lessons"), flags=re.S)
    assert len(example) == 1
    step = parse(example[0], "README").steps[0]
    assert step.goal is not None and step.solution
    assert try_goal(step.goal, step.solved())[0].met


@pytest.mark.slow
def test_the_readmes_lesson_commands_run_as_written():
    from tests.test_readme import bash_lines, run_as_written, section
    lines = bash_lines(section("Lessons"))
    lesson = [line for line in lines if line.split()[:4] == ["python", "-m", "mlp", "lesson"]]
    class_new = [line for line in lines if line.split()[:5] == ["python", "-m", "mlp", "class", "new"]]
    assert len(lesson) == 2 and len(class_new) == 2 and len(lines) == 4
    for line in lesson:
        done = run_as_written(line, ROOT)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    # `class new` makes a class in the reader's store and names their machine: its lesson is what is checked
    names = [shlex.split(line, comments=True)[shlex.split(line, comments=True).index("--lesson") + 1]
             for line in class_new]
    assert names[0] in lesson_files.builtin() and names[1].endswith(".toml")


def test_lesson_check_prints_what_a_tensorflow_playground_link_could_not_carry_over(tmp_path, capsys):
    link = "https://playground.tensorflow.org/#dataset=xor&networkShape=3&cosX=true"
    (tmp_path / "tfp.toml").write_text(f'title = "T"\n[[steps]]\ntitle = "S"\ntext = "x"\nsettings = "{link}"\n')
    code, out, _ = run_main(["lesson", "check", str(tmp_path / "tfp.toml")], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[1] == "  1. S: no goal"
    assert lines[2].startswith("     note: cosX") and "one input fewer" in lines[2]     # cos(X₁) is no input here
