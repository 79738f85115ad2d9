"""A lesson is a file: a title and a list of steps, written in TOML, read whole or not at all.

    title = "First neural network"

    [[steps]]
    title = "One neuron draws a line"
    text = \"\"\"Markdown, in the app's notation: n_in·Var(W), ‖dW‖, 10⁻³.\"\"\"
    settings = { dataset = "gauss", hidden = [], lr = 0.1 }    # or a TensorFlow Playground link, as text
    hide = ["views"]                # names as a Lesson link's hide / lock (mlp/classroom/lesson_link.py)
    lock = ["dataset", "hidden"]
    hints = ["Press Play and watch the line turn."]

    [steps.goal]                    # optional: at least one of test_loss, test_accuracy
    test_accuracy = 0.95            # at least (a share, 0 to 1); test_loss: at most
    within_steps = 500              # optional: by this step; max_hidden_neurons, max_features: caps

    [steps.solution]                # optional, never shown: settings changes that reach the goal
    lr = 0.3

Settings are this app's URL keys (values as TOML numbers, strings or arrays, or as a link writes
them) and are checked as strictly as `python -m mlp --url` checks a link; a step starts from the
defaults plus its own settings, so each step stands alone and a teacher may jump to any. A settings
text is a TensorFlow Playground link, read by mlp/run/tfp_link.py: its `_hide` keys add to `hide`,
and what it cannot carry over is kept as a note (`Step.notes`), not an error.

A file with any problem raises `LessonError` listing all of them, each with the line it is about
(tomllib's for a syntax error, else the line of the offending key, found by mlp/classroom/toml_lines.py);
nothing of it is returned. Pure Python: no Streamlit.
"""
from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mlp.classroom import toml_lines
from mlp.classroom.display_text import clean_text
from mlp.classroom.lesson_goals import DATA_KEYS, Goal
from mlp.classroom.lesson_link import Rules, parse_rules
from mlp.engine.datasets import DATASETS, FEATURES
from mlp.run import tfp_link
from mlp.run.config import FIELD, MAX_HIDDEN_LAYERS, MAX_WIDTH, Config, ConfigError, natural_output, value_problems

MAX_FILE_BYTES = 256_000        # a long workshop is a few kilobytes
MAX_STEPS = 40
MAX_TITLE = 120
MAX_TEXT = 10_000               # one step's text, or one hint
MAX_HINTS = 10
MAX_WITHIN_STEPS = 1_000_000
MAX_LOSS = 10.0                 # as the config's target_loss

LESSON_KEYS = ("title", "steps")
STEP_KEYS = ("title", "text", "settings", "hide", "lock", "goal", "hints", "solution")
GOAL_KEYS = ("test_loss", "test_accuracy", "within_steps", "max_hidden_neurons", "max_features")
BUILTIN_FOLDER = "lessons"      # mlp/classroom/lessons/*.toml, beside this module


@dataclass(frozen=True)
class Problem:
    line: int | None
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}" if self.line else self.text


class LessonError(ValueError):
    """Every problem of a lesson file, each with its line."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda p: p.line or 0))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """"FILE:LINE: what is wrong", as compilers write them."""
        return [f"{self.source}:{p.line}: {p.text}" if p.line else f"{self.source}: {p.text}" for p in self.problems]


@dataclass(frozen=True)
class Step:
    title: str
    text: str                         # Markdown
    config: Config                    # the settings the step starts from
    rules: Rules                      # what it hides and locks
    goal: Goal | None = None
    hints: tuple[str, ...] = ()
    solution: dict[str, str] = field(default_factory=dict)   # settings changes that reach the goal; never shown
    notes: tuple[str, ...] = ()       # what a TensorFlow Playground link could not carry over

    def params(self) -> dict[str, str]:
        """The query params a page opens this step with: the settings that differ from the defaults, then
        the hide / lock lists (unsigned: a page signs them with its server's secret)."""
        default = Config().to_query()
        return {**{k: v for k, v in self.config.to_query().items() if v != default[k]}, **self.rules.to_params()}

    def solved(self) -> Config:
        """The step's settings with its solution applied (the step's own settings when it has none)."""
        return settings_config({**self.config.to_query(), **self.solution})


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[Step, ...]
    source: str = ""                  # the file or built-in name it was read from


# -- reading ---------------------------------------------------------------------------------------
def builtin() -> dict[str, Path]:
    """The built-in lessons: name (the file's stem) -> file, in name order."""
    folder = resources.files("mlp.classroom").joinpath(BUILTIN_FOLDER)
    return {p.stem: Path(str(p)) for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".toml")}


def load(name_or_path: str) -> Lesson:
    """A built-in lesson by name, else the file at this path; LessonError when it cannot be used."""
    lessons = builtin()
    if name_or_path in lessons:
        return read(lessons[name_or_path], name_or_path)
    return read(Path(name_or_path))


def read(path: Path, source: str | None = None) -> Lesson:
    source = source or str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise LessonError(source, [Problem(None, f"cannot read it: {err.strerror or err}")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise LessonError(source, [Problem(None, f"larger than {MAX_FILE_BYTES // 1000} KB: not a lesson file")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise LessonError(source, [Problem(line, "not UTF-8 text")]) from None
    return parse(text, source)


def parse(text: str, source: str = "<lesson>") -> Lesson:
    """The lesson in a TOML text; LessonError with every problem and its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # its message ends "(at line L, column C)"; Python 3.11 has no lineno attribute
        message = str(err)
        line = None
        if "(at line " in message:
            line = int(message.rsplit("(at line ", 1)[1].split(",")[0].rstrip(")"))
            message = message.rsplit(" (at line ", 1)[0]
        raise LessonError(source, [Problem(line, f"not valid TOML: {message}")]) from None
    reader = _Reader(text)
    lesson = reader.lesson(data, source)
    if reader.problems:
        raise LessonError(source, reader.problems)
    return lesson


def settings_config(params: dict[str, str]) -> Config:
    """Settings as a link gives them, read strictly; a data set of the other kind without an output
    gets its natural one, as in a link. Raises ConfigError."""
    if "dataset" in params and "output" not in params and params["dataset"] in DATASETS:
        params = {**params, "output": natural_output(params["dataset"])}
    return Config.from_query(params)


def _text_of(value) -> str | None:
    """A TOML value as a link writes it: 0.1 -> "0.1", [8, 8] -> "8,8"; None for a table or a date."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = [_text_of(v) for v in value]
        return None if any(i is None or isinstance(v, list) for i, v in zip(items, value)) else ",".join(items)
    return None


def _kind(value) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(value), "a date")


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f": did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"


class _Reader:
    """Walks the parsed data, collecting every problem with its line."""

    def __init__(self, text: str):
        self.text = text
        self.lines = toml_lines.key_lines(text)
        self.problems: list[Problem] = []

    def fail(self, path: tuple, message: str, item: str | None = None) -> None:
        """A problem at `path`'s line; a key missing from the top of the file is named at line 1."""
        line = toml_lines.line_of(self.lines, path, item, self.text)
        self.problems.append(Problem(line or 1, message))

    def unknown_keys(self, table: dict, known: tuple[str, ...], path: tuple, where: str) -> None:
        for key in table:
            if key not in known:
                self.fail(path + (key,), f"{where}: unknown key {key[:40]!r}{_did_you_mean(key, known)}")

    def title(self, value, path: tuple, where: str) -> str:
        if value is None:
            self.fail(path, f"{where} needs a title")
            return ""
        title, why = clean_text(value, MAX_TITLE, "its title")     # control and bidi characters go
        if why:
            got = "" if isinstance(value, str) else f" (got {_kind(value)})"
            self.fail(path, f"{where}: {why}{got}")
            return ""
        return title

    def lesson(self, data: dict, source: str) -> Lesson | None:
        self.unknown_keys(data, LESSON_KEYS, (), "the lesson")
        title = self.title(data.get("title"), ("title",), "the lesson")
        steps = data.get("steps")
        if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
            self.fail(("steps",), "the lesson needs steps: one [[steps]] table for each"
                      + ("" if steps is None else f" (got {_kind(steps)})"))
            return None
        if len(steps) > MAX_STEPS:
            self.fail(("steps", MAX_STEPS), f"at most {MAX_STEPS} steps in a lesson, got {len(steps)}")
        parsed = [self.step(s, ("steps", i), f"step {i + 1}") for i, s in enumerate(steps[:MAX_STEPS])]
        if self.problems:
            return None
        return Lesson(title, tuple(parsed), source)

    def step(self, data: dict, path: tuple, where: str) -> Step | None:
        self.unknown_keys(data, STEP_KEYS, path, where)
        title = self.title(data.get("title"), path + ("title",) if "title" in data else path, where)
        text = self.markdown(data.get("text"), path + ("text",), f"{where}: its text", required=True)
        settings, notes, tfp_hides = self.settings(data.get("settings", {}), path + ("settings",), where)
        rules = self.rules(data, path, where, tfp_hides)
        hints = self.hints(data.get("hints", []), path + ("hints",), where)
        solution = None
        if settings is not None and rules is not None:
            solution = self.solution(data.get("solution", {}), path + ("solution",), where, settings, rules)
        goal = self.goal(data["goal"], path + ("goal",), where, settings, solution) if "goal" in data else None
        if "solution" in data and "goal" not in data:
            self.fail(path + ("solution",), f"{where}: a solution without a goal solves nothing: add a [steps.goal]")
        if settings is None or rules is None:
            return None
        return Step(title, text, settings, rules, goal, hints, solution or {}, notes)

    def markdown(self, value, path: tuple, where: str, required: bool = False) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"{where} must be text (Markdown)" + ("" if value is None else f", got {_kind(value)}"))
            return ""
        if len(value) > MAX_TEXT:
            self.fail(path, f"{where} is longer than {MAX_TEXT:,} characters")
        return value.strip()

    def hints(self, value, path: tuple, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(path, f"{where}: hints must be a list of texts, got {_kind(value)}")
            return ()
        if len(value) > MAX_HINTS:
            self.fail(path, f"{where}: at most {MAX_HINTS} hints, got {len(value)}")
        return tuple(self.markdown(h, path, f"{where}: hint {i + 1}") for i, h in enumerate(value[:MAX_HINTS]))

    # -- settings ----------------------------------------------------------------------------------
    def params(self, value, path: tuple, where: str) -> dict[str, str] | None:
        """A table of settings as link params, each key and value checked on its own; None on a problem."""
        params, ok = {}, True
        for key, item in value.items():
            text = _text_of(item)
            if key not in FIELD:
                self.fail(path + (key,), f"{where}: unknown setting {key[:40]!r}{_did_you_mean(key, FIELD)}")
            elif text is None:
                self.fail(path + (key,), f"{where}: {key} must be a number, text or a list, not {_kind(item)}")
            else:
                problems = value_problems({key: text})
                for problem in problems:
                    self.fail(path + (key,), f"{where}: {problem}")
                if not problems:
                    params[key] = text
                    continue
            ok = False
        return params if ok else None

    def settings(self, value, path: tuple, where: str) -> tuple[Config | None, tuple[str, ...], str]:
        """(the step's starting config, notes from a TensorFlow Playground link, the names its `_hide` keys hide)."""
        notes, hides = (), ""
        if isinstance(value, str):
            params = tfp_link.params_of_link(value)
            if not tfp_link.is_tfp(params):
                self.fail(path, f"{where}: settings given as text must be a TensorFlow Playground link "
                                "(https://playground.tensorflow.org/#…); this app's settings are a table: "
                                "settings = { dataset = \"circle\", hidden = [4, 2] }")
                return None, (), ""
            reading = tfp_link.read(params)
            notes, hides = tuple(reading.notes), reading.params.get("hide", "")
            params = {k: v for k, v in reading.params.items() if k in FIELD}
        elif isinstance(value, dict):
            params = self.params(value, path, f"{where}: settings")
            if params is None:
                return None, (), ""
        else:
            self.fail(path, f"{where}: settings must be a table of settings or a TensorFlow Playground link, "
                            f"got {_kind(value)}")
            return None, (), ""
        try:
            return settings_config(params), notes, hides
        except ConfigError as err:
            for problem in err.problems:
                self.fail(path, f"{where}: the settings do not fit together: {problem}")
            return None, (), ""

    def rules(self, data: dict, path: tuple, where: str, tfp_hides: str) -> Rules | None:
        chosen, ok = {"hide": [n for n in tfp_hides.split(",") if n], "lock": []}, True
        for param in ("hide", "lock"):
            value = data.get(param, [])
            if isinstance(value, str):
                value = [n.strip() for n in value.split(",") if n.strip()]
            if not isinstance(value, list):
                self.fail(path + (param,), f"{where}: {param} must be a list of names, got {_kind(value)}")
                ok = False
                continue
            for name in value:
                if not isinstance(name, str):
                    self.fail(path + (param,), f"{where}: {param} must list names as text, got {_kind(name)}")
                    ok = False
                    continue
                problems = parse_rules({param: name}).problems
                for problem in problems:
                    self.fail(path + (param,), f"{where}: " + problem.replace("the link's ", "the step's ", 1),
                              item=f'"{name}"' if f'"{name}"' in self.text else name)
                ok = ok and not problems
                chosen[param].append(name)
        if not ok:
            return None
        return parse_rules({param: ",".join(names) for param, names in chosen.items()})

    def solution(self, value, path: tuple, where: str, start: Config, rules: Rules) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.fail(path, f"{where}: solution must be a table of settings, got {_kind(value)}")
            return None
        params = self.params(value, path, f"{where}: solution")
        if params is None:
            return None
        barred = [k for k in params if rules.hides(k) or rules.locks(k)]
        for key in barred:
            self.fail(path + (key,), f"{where}: the solution changes {key}, which the step "
                                     f"{'hides' if rules.hides(key) else 'locks'}: a student could not do that")
        if barred:
            return None
        try:
            settings_config({**start.to_query(), **params})
        except ConfigError as err:
            for problem in err.problems:
                self.fail(path, f"{where}: the solution's settings do not fit together: {problem}")
            return None
        return params

    # -- the goal ----------------------------------------------------------------------------------
    def number(self, goal: dict, key: str, path: tuple, where: str, lo: float, hi: float, whole: bool,
               low_open: bool = False) -> float | int | None:
        if key not in goal:
            return None
        value = goal[key]
        kind = "a whole number" if whole else "a number"
        fits = (isinstance(value, int) if whole else isinstance(value, (int, float))) and not isinstance(value, bool)
        if fits and isinstance(value, float) and not math.isfinite(value):
            fits = False
        if fits and (value < lo or value > hi or (low_open and value == lo)):
            fits = False
        if not fits:
            span = f"above {lo:g}" if low_open else f"from {lo:g}"
            extra = " (a share: 0.95 for 95%)" if key == "test_accuracy" else ""
            self.fail(path + (key,), f"{where}: goal {key} must be {kind} {span} to {hi:g}{extra}; got "
                                     f"{value!r}"[:200])
            return None
        return value

    def goal(self, value, path: tuple, where: str, start: Config | None, solution) -> Goal | None:
        if not isinstance(value, dict):
            self.fail(path, f"{where}: goal must be a table ([steps.goal]), got {_kind(value)}")
            return None
        self.unknown_keys(value, GOAL_KEYS, path, f"{where}: goal")
        n = len(self.problems)
        loss = self.number(value, "test_loss", path, where, 0.0, MAX_LOSS, False, low_open=True)
        accuracy = self.number(value, "test_accuracy", path, where, 0.0, 1.0, False, low_open=True)
        within = self.number(value, "within_steps", path, where, 1, MAX_WITHIN_STEPS, True)
        neurons = self.number(value, "max_hidden_neurons", path, where, 0, MAX_WIDTH * MAX_HIDDEN_LAYERS, True)
        features = self.number(value, "max_features", path, where, 1, len(FEATURES), True)
        if "test_loss" not in value and "test_accuracy" not in value:
            self.fail(path, f"{where}: a goal needs test_loss (at most) or test_accuracy (at least), or both")
        if accuracy is not None and start is not None and start.problem != "classification":
            self.fail(path + ("test_accuracy",), f"{where}: the {start.dataset} set is regression, so it has no "
                                                 "test accuracy: use test_loss")
        if len(self.problems) > n or start is None:
            return None
        data = tuple((k, start.to_query()[k]) for k in DATA_KEYS
                     if k != "n_classes" or DATASETS[start.dataset].classes_from_config)
        goal = Goal(loss, accuracy, within, neurons, features, data)
        if solution:
            solved = settings_config({**start.to_query(), **solution})
            if neurons is not None and sum(solved.hidden) > neurons:
                self.fail(path + ("max_hidden_neurons",), f"{where}: the solution has {sum(solved.hidden)} hidden "
                                                          f"neurons, more than the goal's {neurons}")
            if features is not None and len(solved.features) > features:
                self.fail(path + ("max_features",), f"{where}: the solution has {len(solved.features)} features, "
                                                    f"more than the goal's {features}")
            if any(k in solution for k in DATA_KEYS):
                self.fail(path, f"{where}: the solution changes the data, but the goal is judged on the step's data")
        return goal
