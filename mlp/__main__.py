"""Train a run from the command line and write its take-home files: for a teacher preparing material.

    python -m mlp --url "http://localhost:8501/?dataset=xor&lr=0.1" --steps 2000 --out runs/xor
    python -m mlp --config runs/xor/settings.json --set hidden=8,8 --set activation=relu --steps 500
    python -m mlp --resume runs/xor/weights.npz --steps 1000 --out runs/xor-more
    python -m mlp --tfp "https://playground.tensorflow.org/#dataset=xor&networkShape=4&…" --steps 2000
    python -m mlp class new --title "Workshop, Tuesday"   # prints a join link, then the teacher link
    python -m mlp class new --title T --lesson first-neural-network   # the same, the class running a lesson
    python -m mlp lesson list                             # the built-in lessons
    python -m mlp lesson check my-lesson.toml             # what is wrong with a lesson file, by line

Settings start from the defaults, then the --config file (a settings.json, as this command or the
Playground's Save & export writes it) or the --url's query (a link copied from the Playground) or the
--tfp link (a TensorFlow Playground link, # and all, read as mlp/run/tfp_link.py maps it), then
each --set key=value, and are checked as strictly as the app checks them. Into --out go
settings.json, data.csv, history.csv, weights.npz (load it in the app or --resume it), predict.py
(the net as plain NumPy) and report.html (offline). A progress bar goes to stderr. Bad input gets a
message and exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import logging
import math
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mlp.run.checkpoint import MAX_FILE_BYTES, CheckpointError, load_trainer, save_trainer
from mlp.run.config import FIELD, Config, ConfigError
from mlp.engine.datasets import DATASETS
from mlp.run.run_files import data_csv, history_csv, settings_json, standalone_script
from mlp.run.trainer import Trainer
from mlp.run.own_points import USER_SETS
from mlp.run import tfp_link

HISTORY_ROWS = 500          # about this many recorded moments by default (the history keeps at most 1024)
MAX_STEPS = 10_000_000
BAR_WIDTH = 30
DEFAULT_OUT = "runs/mlp-run"   # under runs/, which .gitignore keeps out of a checkout's changes


class InputError(Exception):
    """Something the user gave us is wrong; the message says what."""


def _arguments() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mlp", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Examples:\n" + __doc__.split("\n\n")[1])
    source = p.add_mutually_exclusive_group()
    source.add_argument("--config", metavar="FILE",
                        help="a settings.json, as this command or the Playground's Save & export writes it")
    source.add_argument("--url", help="a Playground link: its query holds the settings")
    source.add_argument("--tfp", metavar="LINK",
                        help="a TensorFlow Playground link (playground.tensorflow.org/#…), quoted: its experiment")
    source.add_argument("--resume", metavar="WEIGHTS.npz", help="carry on a saved run exactly where it stopped")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="change one setting, as in the link (e.g. lr=0.1, hidden=8,8); repeatable")
    p.add_argument("--steps", type=int, default=1000, help="training steps to take (default 1000)")
    p.add_argument("--every", type=int, default=0, metavar="K",
                   help=f"record the history every K steps (default: about {HISTORY_ROWS} records in all)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where the files go (default ./{DEFAULT_OUT})")
    p.add_argument("--no-report", action="store_true", help="skip report.html (the slowest file)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _overrides(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise InputError(f"--set needs KEY=VALUE, got {pair!r}")
        if key not in FIELD:
            raise InputError(f"unknown setting {key!r}; the settings are: {', '.join(FIELD)}")
        out[key] = value
    return out


def _settings_of_tfp(params: dict[str, str]) -> dict[str, str]:
    """A TensorFlow Playground link's params as settings; what it cannot take over goes to stderr."""
    if not tfp_link.is_tfp(params):
        raise InputError("--tfp needs a TensorFlow Playground link, e.g. 'https://playground.tensorflow.org/"
                         "#activation=tanh&networkShape=4,2&…' (quoted, # and all): this one has none of its keys")
    reading = tfp_link.read(params)
    notes = list(reading.notes)
    if "hide" in reading.params:
        notes.append(f"its hidden controls ({reading.params['hide']}) mean nothing on the command line")
    for note in notes:
        print(f"python -m mlp: from the TensorFlow Playground link: {note}", file=sys.stderr)
    return {k: v for k, v in reading.params.items() if k in FIELD}


def _settings_of_url(url: str) -> dict[str, str]:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if tfp_link.is_tfp(query):          # TensorFlow Playground's keys after this app's address and ?
        return _settings_of_tfp({k: v[-1] for k, v in query.items()})
    unknown = sorted(set(query) - set(FIELD))
    if unknown:
        raise InputError(f"the link has unknown settings: {', '.join(unknown)}")
    return {k: v[-1] for k, v in query.items()}


MAX_INPUT_BYTES = MAX_FILE_BYTES     # a weights file or settings.json, at most


def _read(path: str, mode: str = "r"):
    try:
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            data = f.read(MAX_INPUT_BYTES + 1)         # a huge file is refused, not read whole
            if len(data) > MAX_INPUT_BYTES:
                raise InputError(f"{path} is larger than {MAX_INPUT_BYTES / 1e6:.0f} MB: it is not a file this "
                                 "command wrote")
            return data
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read {path}: {getattr(err, 'strerror', None) or err}") from None


def build_trainer(args) -> Trainer:
    """The trainer the arguments describe; InputError when they describe nothing valid."""
    changes = _overrides(args.set)
    try:
        if args.resume:
            trainer = load_trainer(_read(args.resume, "rb"))
            if changes:
                config = Config.from_query({**trainer.config.to_query(), **changes})
                if not trainer.apply(config):
                    raise InputError("a resumed run can only change the training settings (learning rate, "
                                     "optimizer, batch size, ...), not the data or the network")
            return trainer
        settings = {}
        if args.config:
            settings = Config.from_json(_read(args.config)).to_query()
        elif args.url:
            settings = _settings_of_url(args.url)
        elif args.tfp:
            settings = _settings_of_tfp(tfp_link.params_of_link(args.tfp))
        config = Config.from_query({**settings, **changes})
        if config.dataset in USER_SETS:
            generated = ", ".join(name for name in DATASETS if name not in USER_SETS)
            raise InputError(f"the {config.dataset} data set is a student's own points, which settings do not "
                             f"carry: --resume the run's weights.npz (it holds them), or choose a generated set "
                             f"with --set dataset=NAME ({generated})")
        return Trainer(config)
    except ConfigError as err:       # one problem on one line; several, a line each
        sep = "\n  " if len(err.problems) > 1 else " "
        raise InputError("the settings are not valid:" + sep + sep.join(err.problems)) from None
    except CheckpointError as err:
        raise InputError(f"cannot resume from {args.resume}: {err}") from None


class Progress:
    """A one-line text bar on stderr, redrawn at most 10 times a second (each tenth on a non-terminal)."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet = max(total, 1), quiet
        self.tty = sys.stderr.isatty()
        self.last_time, self.last_tenth, self.last_done = 0.0, -1, -1

    def show(self, done: int, loss: float, final: bool = False) -> None:
        if self.quiet:
            return
        now, tenth = time.monotonic(), 10 * done // self.total
        if done == self.last_done and not (final and self.tty):
            return
        if not final and (now - self.last_time < 0.1 if self.tty else tenth == self.last_tenth):
            return
        self.last_time, self.last_tenth, self.last_done = now, tenth, done
        filled = BAR_WIDTH * done // self.total
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{self.total:,} steps  loss {loss:.4f}"
        sys.stderr.write(("\r" + line) if self.tty else line + "\n")
        if final and self.tty:
            sys.stderr.write("\n")
        sys.stderr.flush()


def train(trainer: Trainer, steps: int, every: int, progress: Progress) -> tuple[str | None, int]:
    """Take `steps` steps in chunks of `every`; (why it stopped early or None, steps taken)."""
    start, why = trainer.step, None
    report = trainer.probe()           # the curves start at the first step's state
    try:
        while trainer.step - start < steps:
            report = trainer.run(min(every, steps - (trainer.step - start)))
            progress.show(trainer.step - start, report.train_loss)
            if report.diverged_at is not None:
                why = (f"the training diverged at step {report.diverged_at} (NaN/∞): the last good weights "
                       "are saved; try a lower learning rate")
            elif report.tripped_layer is not None:
                why = f"the gradient tripwire tripped at step {report.step} (layer {report.tripped_layer + 1})"
            elif report.reached_target:
                why = f"the training loss reached the target {trainer.config.target_loss:g}"
            if why:
                break
    except KeyboardInterrupt:
        why = "interrupted"
    progress.show(trainer.step - start, report.train_loss, final=True)
    return why, trainer.step - start


def write_files(trainer: Trainer, out: Path, report: bool) -> list[Path]:
    files = {"settings.json": settings_json(trainer), "data.csv": data_csv(trainer),
             "history.csv": history_csv(trainer), "weights.npz": save_trainer(trainer),
             "predict.py": standalone_script(trainer)}
    if report:
        from mlp.live.offline_report import run_report_html     # plotly only when a report is wanted
        files["report.html"] = run_report_html(trainer)
    written = []
    for name, content in files.items():
        path = out / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def default_base_url(config_file: Path = Path(".streamlit") / "config.toml") -> str:
    """http://localhost with the port `streamlit run` uses from this folder: its config's server.port,
    else Streamlit's default 8501."""
    port = 8501
    try:
        port = int(tomllib.loads(config_file.read_text("utf-8")).get("server", {}).get("port", port))
    except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError):
        pass
    return f"http://localhost:{port}"


def class_command(argv: list[str]) -> int:
    """`class new --title T [--lesson NAME_OR_FILE] [--base-url URL]`: start a class in the store (MLP_STORE),
    running the lesson from its first step when one is given, and print its join link on the first line
    and its teacher link on the second. A lesson that cannot be used is one line on stderr, exit 2, and
    no class is started."""
    p = argparse.ArgumentParser(prog="python -m mlp class", description="Start a class for the class wall.")
    p.add_argument("action", choices=["new"], help="new: start a class")
    p.add_argument("--title", required=True, help="the class's title, shown on the wall and to students")
    p.add_argument("--lesson", default=None, metavar="NAME_OR_FILE",
                   help="run this lesson: a built-in one's name (python -m mlp lesson list) or a lesson file")
    p.add_argument("--base-url", default=None,
                   help="the app's address as students open it (default: http://localhost and the port "
                        "in .streamlit/config.toml, else Streamlit's 8501)")
    args = p.parse_args(argv)
    base = args.base_url or default_base_url()
    from mlp.classroom import lesson_runs, wall          # the store (SQLAlchemy) only for this command
    from mlp.classroom.store import StoreError, open_store
    from mlp.classroom.store.guard import StoreDown
    logging.getLogger("mlp.classroom.store").addHandler(logging.NullHandler())    # the one line below says it all
    if args.lesson is not None:       # checked before the class is made: a bad lesson starts nothing
        problem = _lesson_problem(args.lesson)
        if problem:
            print(f"python -m mlp class: {problem}", file=sys.stderr)
            return 2
    try:
        store = open_store()
        class_id, key = store.create_class(args.title)
        if args.lesson is not None:
            lesson_runs.start(store, class_id, key, args.lesson)
    except StoreError as err:
        print(f"python -m mlp class: {err}", file=sys.stderr)
        return 2
    except StoreDown as err:          # one line for the operator: the plain reason and the driver's first line
        print(f"python -m mlp class: the class wall's store cannot be used: {err.reason}"
              + (f" ({err.detail})" if err.detail else ""), file=sys.stderr)
        return 2
    if args.base_url is None:         # the links name a guess: say which, and how to give the real one
        print(f"python -m mlp class: the links use {base}; if the app runs at another address (another port, "
              "another machine), start the class again with --base-url and the address students open.",
              file=sys.stderr)
    print(wall.join_link(base, class_id))
    print(wall.teacher_link(base, class_id, key))
    return 0


def _lesson_problem(name_or_file: str) -> str | None:
    """Why `class new --lesson` cannot run this lesson, in one line; None when it can."""
    from mlp.classroom import lesson_files
    builtin = lesson_files.builtin()
    if name_or_file not in builtin and not Path(name_or_file).exists():
        return (f"no built-in lesson or file named {name_or_file!r} (the built-in lessons: "
                f"{', '.join(builtin)})")
    try:
        lesson_files.load(name_or_file)
    except lesson_files.LessonError as err:
        lines = err.lines()
        more = (f" (and {len(lines) - 1} more: python -m mlp lesson check {name_or_file} lists them)"
                if len(lines) > 1 else "")
        return f"the lesson cannot be used: {lines[0]}{more}"
    return None


def _lesson_line(index: int, step) -> list[str]:
    """One step of a checked lesson: its title, goal, rules and hints; a line for each link note."""
    parts = [f"goal: {step.goal.describe()}" if step.goal else "no goal"]
    for verb, names in (("hides", step.rules.hide), ("locks", step.rules.lock)):
        if names:
            parts.append(f"{verb} {', '.join(sorted(names))}")
    if step.hints:
        parts.append(f"{len(step.hints)} hint{'s' * (len(step.hints) != 1)}")
    if step.solution:
        parts.append("a solution")
    return [f"  {index}. {step.title}: {'; '.join(parts)}"] + [f"     note: {note}" for note in step.notes]


def lesson_command(argv: list[str]) -> int:
    """`lesson list`: the built-in lessons; `lesson check FILE`: a lesson file read as the app reads it,
    exit 0 with a summary or 2 with every problem and its line."""
    p = argparse.ArgumentParser(prog="python -m mlp lesson",
                                description="Lessons: a sequence of exercises, each a step with settings and a goal.")
    actions = p.add_subparsers(dest="action", required=True, metavar="{list,check}")
    actions.add_parser("list", help="the built-in lessons with their step counts")
    check = actions.add_parser("check", help="read a lesson file and list its problems with their line numbers")
    check.add_argument("file", metavar="FILE", help="a lesson file (TOML), or a built-in lesson's name")
    check.add_argument("--train", action="store_true",
                       help="also train each goal's solution within its budget and say whether it gets there")
    args = p.parse_args(argv)
    from mlp.classroom import lesson_files
    try:
        if args.action == "list":
            lessons = {name: lesson_files.read(path, name) for name, path in lesson_files.builtin().items()}
            width = max(map(len, lessons), default=0)
            for name, lesson in lessons.items():
                goals = sum(step.goal is not None for step in lesson.steps)
                print(f"{name:<{width}}  {lesson.title} ({len(lesson.steps)} steps, {goals} with a goal)")
            return 0
        lesson = lesson_files.load(args.file)
    except lesson_files.LessonError as err:
        for line in err.lines():
            print(line, file=sys.stderr)
        count = len(err.problems)
        print(f"python -m mlp lesson: {count} problem{'s' * (count != 1)}; nothing of {err.source} is used",
              file=sys.stderr)
        return 2
    goals = sum(step.goal is not None for step in lesson.steps)
    print(f"{args.file}: \"{lesson.title}\", {len(lesson.steps)} steps, {goals} with a goal")
    for i, step in enumerate(lesson.steps, start=1):
        print("\n".join(_lesson_line(i, step)))
    return _try_solutions(lesson) if args.train else 0


def _try_solutions(lesson) -> int:
    """Train every goal's solution (the step's settings with its solution table) and say where it got:
    0 when every goal was reached, 1 when one was not."""
    from mlp.classroom.lesson_goals import try_goal
    print("Training each goal's solution:")
    missed = 0
    for i, step in enumerate(lesson.steps, start=1):
        if step.goal is None:
            continue
        verdict, taken = try_goal(step.goal, step.solved())
        what = "its solution" if step.solution else "its starting settings (it has no solution)"
        if verdict.met:
            print(f"  {i}. reached with {what} at step {taken:,}")
        else:
            missed += 1
            print(f"  {i}. NOT reached with {what} in {taken:,} steps: {verdict.why}")
    if missed:
        print(f"python -m mlp lesson: {missed} goal{'s' * (missed != 1)} not reached", file=sys.stderr)
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["class"]:
        return class_command(argv[1:])
    if argv[:1] == ["lesson"]:
        return lesson_command(argv[1:])
    args = _arguments().parse_args(argv)
    try:
        if not 0 <= args.steps <= MAX_STEPS:
            raise InputError(f"--steps must be 0 to {MAX_STEPS:,}, got {args.steps}")
        if args.every < 0:
            raise InputError(f"--every must be a positive number of steps, got {args.every}")
        trainer = build_trainer(args)
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create the folder {out}: {err.strerror or err}") from None
    except InputError as err:
        print(f"python -m mlp: {err}", file=sys.stderr)
        return 2
    every = args.every or max(1, math.ceil(args.steps / HISTORY_ROWS))
    why, taken = train(trainer, args.steps, every, Progress(args.steps, args.quiet))
    if why:
        print(f"Stopped early: {why}.", file=sys.stderr)
    try:
        written = write_files(trainer, out, not args.no_report)
    except OSError as err:
        print(f"python -m mlp: cannot write into {out}: {err.strerror or err}", file=sys.stderr)
        return 2
    print(f"Trained {taken:,} steps (now at step {trainer.step:,}). Wrote:")
    for path in written:
        print(f"  {path}")
    return 130 if why == "interrupted" else 0


if __name__ == "__main__":
    sys.exit(main())
