"""The student's own points: a CSV of (x1, x2, label-or-target) read with a message per problem, and edits.

`parse_csv(bytes or text, problem)` returns `(UserPoints, notes)` or raises `UserDataError` listing every
problem found (a bad row, a bad column, an empty or non-UTF-8 file, too few or too many points), each a
sentence a student can act on. Nothing else escapes it, whatever the bytes.

Choices made here, which the notes tell the student:
- The separator is a comma, a semicolon or a tab (seen in the first row); with semicolons or tabs a
  decimal comma ("1,5") is read as a decimal point, as European spreadsheets write it. A first row
  without any number is a header and is skipped.
- Problem type ("auto"): whole numbers with at most MAX_CLASSES different values are class labels;
  anything else is a target value (regression). Labels already in 0..MAX_CLASSES-1 keep their number;
  others (say -1 and 1) are renumbered 0, 1, ... in increasing order.
- The playground's plane is fixed (mlp.engine.datasets.DOMAIN, -6..6). Points reaching outside it are all moved
  and scaled by one factor (the shape is kept) to span -FIT..FIT; points already inside are untouched.
  Regression targets beyond -1..1 (the range the colours show) are divided by their largest size.

The points live in the student's session; a config names them by data set ("user", "user_classes",
"user_values": see mlp.engine.datasets.DATASETS), and `UserPoints.dataset(config)` splits them for the trainer
with the config's train_fraction and data_seed (the same split as the generated sets). Points placed by
a click always train: the training points are always drawn and the test points are hidden by default, so
a click must show its point where it was made (and every other point stays in its part). Removing a
point fixes every other point in the part it was in (`held_out` marks the test part), so that the
removal changes nothing else; the training share and the data seed then split only points not fixed.
"""
from __future__ import annotations

import csv
import math
import numbers
from dataclasses import dataclass

import numpy as np

from mlp.run.config import FIELD, MAX_SAMPLES, Config, natural_output
from mlp.engine.datasets import DATASETS, DOMAIN, Dataset, split_dataset, train_size
from mlp.engine.outputs import OUTPUTS

PROBLEMS = {"auto": "Detect", "classification": "Classes", "regression": "Values"}
MIN_POINTS = 4                              # a couple to train on and a couple to test with
MAX_POINTS = MAX_SAMPLES                    # the same cap as generated sets
MAX_CLASSES = int(FIELD["n_classes"].hi)    # class colours and the multi-class set's limit
MAX_BYTES = 1_000_000                       # MAX_POINTS rows take well under 100 kB
MAX_SIZE = 1e12                             # larger coordinates are surely a mistake (and overflow scaling)
FIT = 5.5                                   # rescaled points span -FIT..FIT: inside the plane with a margin
MAX_LISTED = 20                             # problems listed one by one; the rest are counted
REMOVE_RADIUS = 0.35                        # a click this close to a point (plane units) removes it
USER_SETS = tuple(name for name, spec in DATASETS.items() if spec.make is None)

TEMPLATE_CSV = """x1,x2,label
-4,3,0
-2,4.5,0
-3.5,1,0
-1,2.5,0
3,-2,1
1.5,-4,1
4,-1,1
2,-3,1
"""
FORMAT_NOTE = ("One point per row: x1, x2 and a third value: a class label (a whole number 0 to "
               f"{MAX_CLASSES - 1}) or a target value to predict. Separated by commas, semicolons or tabs; "
               f"a header row is optional. {MIN_POINTS} to {MAX_POINTS} points; coordinates outside "
               f"{DOMAIN[0]:g}…{DOMAIN[1]:g} are scaled to fit.")


class UserDataError(ValueError):
    """Everything wrong with a file or an edit, each a sentence a student can act on."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, eq=False)
class UserPoints:
    """The student's points: X (n, 2) float64 inside DOMAIN, y (n,) int64 labels or float64 targets;
    placed (n,) bool: the points that always train (placed by a click, or kept there by a removal);
    held_out (n,) bool: the points that always test (kept there by a removal). Default: none of either."""
    X: np.ndarray
    y: np.ndarray
    problem: str                # "classification" or "regression"
    placed: np.ndarray | None = None
    held_out: np.ndarray | None = None

    def __post_init__(self):
        X = np.array(self.X, dtype=np.float64).reshape(-1, 2)
        y = np.array(self.y, dtype=np.int64 if self.problem == "classification" else np.float64).reshape(-1)
        placed, held_out = (np.zeros(len(X), bool) if flags is None else np.array(flags, dtype=bool).reshape(-1)
                            for flags in (self.placed, self.held_out))
        if not len(X) == len(y) == len(placed) == len(held_out):
            raise ValueError(f"X has {len(X)} points but y has {len(y)} values, placed {len(placed)} flags "
                             f"and held_out {len(held_out)}")
        if (placed & held_out).any():
            raise ValueError("a point cannot always train and always test")
        for array in (X, y, placed, held_out):
            array.flags.writeable = False                                   # shared by runs and reruns
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "placed", placed)
        object.__setattr__(self, "held_out", held_out)

    def __len__(self) -> int:
        return len(self.X)

    def __eq__(self, other) -> bool:
        return (isinstance(other, UserPoints) and self.problem == other.problem
                and np.array_equal(self.X, other.X) and np.array_equal(self.y, other.y)
                and np.array_equal(self.placed, other.placed) and np.array_equal(self.held_out, other.held_out))

    @property
    def n_classes(self) -> int:
        """Classes the net must tell apart: the largest label + 1 (at least 2); 0 for regression."""
        if self.problem == "regression":
            return 0
        return max(2, int(self.y.max()) + 1) if len(self.y) else 2

    @property
    def dataset_name(self) -> str:
        """The data set key a config uses for these points."""
        if self.problem == "regression":
            return "user_values"
        return "user" if self.n_classes == 2 else "user_classes"

    def config_changes(self, config: Config) -> dict:
        """What `config` must change to train on these points (output only if it no longer fits)."""
        changes = {"dataset": self.dataset_name}
        if DATASETS[self.dataset_name].classes_from_config:
            changes["n_classes"] = self.n_classes
        output = OUTPUTS[config.output]
        if output.problem != self.problem or (config.output == "sigmoid" and self.n_classes > 2):
            changes["output"] = natural_output(self.dataset_name)
        return changes

    def dataset(self, config: Config) -> Dataset:
        """Shuffled and split by the config's data_seed and train_fraction, as generated sets are; the
        points that always train (`placed`) follow the training part, in their order, and the points
        that always test (`held_out`) follow the test part.

        Only the other points are split, so a click changes no other point's part. With fewer than two
        of them they test, and with no test point at all the oldest placed point tests.
        """
        free = np.flatnonzero(~self.placed & ~self.held_out)
        placed, held_out = np.flatnonzero(self.placed), np.flatnonzero(self.held_out)
        if len(free) >= 2:
            d = split_dataset(self.X[free], self.y[free], self.problem, self.n_classes, config.train_fraction,
                              np.random.default_rng(config.data_seed))
            if not len(placed) and not len(held_out):
                return d
            X_train, y_train, X_test, y_test = d.X_train, d.y_train, d.X_test, d.y_test
        else:                                   # a test point is needed all the same
            test = np.concatenate([free, held_out]).astype(int)
            if not len(test):
                test, placed = placed[:1], placed[1:]
            held_out = held_out[:0]
            X_train, y_train, X_test, y_test = self.X[:0], self.y[:0], self.X[test], self.y[test]
        return Dataset(X_train=np.concatenate([X_train, self.X[placed]]),
                       y_train=np.concatenate([y_train, self.y[placed]]),
                       X_test=np.concatenate([X_test, self.X[held_out]]),
                       y_test=np.concatenate([y_test, self.y[held_out]]), problem=self.problem,
                       n_classes=self.n_classes)

    @classmethod
    def from_dataset(cls, data: Dataset, config: Config | None = None) -> "UserPoints":
        """A data set's points (train and test together), to edit.

        With the config that made `data`, they are ordered so that `dataset(config)` splits them as
        `data` is split (the same points train, in the same order): the first edit moves no point.
        """
        X = np.concatenate([data.X_train, data.X_test])
        y = np.concatenate([data.y_train, data.y_test])
        n = len(X)
        if config is not None and n >= 2 and len(data.X_train) == train_size(n, config.train_fraction):
            order = np.random.default_rng(config.data_seed).permutation(n)    # as split_dataset draws it
            X[order], y[order] = X.copy(), y.copy()
        return cls(X, y, data.problem)

    # -- edits: each returns new points (or raises UserDataError saying why not) ----------------------
    def added(self, x1: float, x2: float, value: float) -> "UserPoints":
        """One more point at (x1, x2), clamped to the plane; `value` is its class or its target."""
        if not all(isinstance(v, numbers.Real) and math.isfinite(v) for v in (x1, x2, value)):
            raise UserDataError(["a point needs finite numbers for x1, x2 and its class or value"])
        if len(self) >= MAX_POINTS:
            raise UserDataError([f"at most {MAX_POINTS} points; remove some before adding more"])
        if self.problem == "classification" and (value != int(value) or not 0 <= value < MAX_CLASSES):
            raise UserDataError([f"a class is a whole number 0 to {MAX_CLASSES - 1}; got {value:g}"])
        point = np.clip([x1, x2], *DOMAIN)
        return UserPoints(np.vstack([self.X, point]), np.append(self.y, value), self.problem,
                          np.append(self.placed, True), np.append(self.held_out, False))

    def removed_near(self, x1: float, x2: float, config: Config | None = None, part: str | None = None,
                     radius: float = REMOVE_RADIUS) -> "UserPoints":
        """Without the point nearest to (x1, x2), which must be within `radius`.

        With the config that splits these points: every other point stays in its part, in its order (the
        points come back in `dataset(config)`'s order, each fixed in its part), and `part` ("train" or
        "test": the points a click was on) limits the search to that part, so a click on a drawn training
        point never removes a hidden test point next to it.
        """
        if len(self) <= MIN_POINTS:
            raise UserDataError([f"keep at least {MIN_POINTS} points: some to train on and some to test with"])
        points = self if config is None else self._fixed_in_parts(config)
        candidates = np.ones(len(points), bool)
        if config is not None and part in ("train", "test"):
            candidates = points.held_out if part == "test" else points.placed
        distance = np.where(candidates, np.hypot(points.X[:, 0] - x1, points.X[:, 1] - x2), np.inf)
        i = int(np.argmin(distance))
        if not distance[i] <= radius:
            raise UserDataError([f"there is no point at ({x1:.2f}, {x2:.2f}) to remove"])
        keep = np.arange(len(points)) != i
        return UserPoints(points.X[keep], points.y[keep], points.problem, points.placed[keep],
                          points.held_out[keep])

    def _fixed_in_parts(self, config: Config) -> "UserPoints":
        """The same points in `dataset(config)`'s order (training part first), each fixed in its part:
        its dataset is the same for any config."""
        d = self.dataset(config)
        n_train, n_test = len(d.X_train), len(d.X_test)
        return UserPoints(np.concatenate([d.X_train, d.X_test]), np.concatenate([d.y_train, d.y_test]),
                          self.problem, np.arange(n_train + n_test) < n_train,
                          np.arange(n_train + n_test) >= n_train)

    def to_csv(self) -> str:
        """The points as CSV text that `parse_csv` reads back exactly."""
        third = "label" if self.problem == "classification" else "target"
        rows = [f"x1,x2,{third}"]
        rows += [f"{a!r},{b!r},{v!r}" for (a, b), v in zip(self.X.tolist(), self.y.tolist())]
        return "\n".join(rows) + "\n"


def config_for_points(config: Config, points: UserPoints | None) -> tuple[Config, list[str]]:
    """`config` made to fit this session's own points, if it names them; with messages, if any.

    A link carries the settings, never the points: without points the default set is used instead.
    """
    if config.dataset not in USER_SETS:
        return config, []
    if points is not None:
        return config.replace(**points.config_changes(config)), []
    default = FIELD["dataset"].default
    changes = {"dataset": default}
    if OUTPUTS[config.output].problem != DATASETS[default].problem:
        changes["output"] = natural_output(default)
    label = DATASETS[default].label
    return config.replace(**changes), [
        f"This link was made with someone's own data points, which a link cannot carry: showing the {label} "
        "set instead. Upload the CSV file (Data → Your own data) to train on those points."]


# ------------------------------------------------------------------------------------------------
# Reading a CSV file


def parse_csv(data: bytes | str, problem: str = "auto") -> tuple[UserPoints, list[str]]:
    """Read points from CSV text; returns (points, notes on what was decided) or raises UserDataError.

    `problem`: "auto" (decide from the third column), "classification" or "regression".
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {', '.join(PROBLEMS)}; got {problem!r}")
    rows = _rows(_decode(data))
    if not rows:
        raise UserDataError(["the file has a header but no data rows"])
    third = {"classification": "label", "regression": "target"}.get(problem, "label or target")
    names = ("x1", "x2", third)
    values, problems = _numbers(rows, names)
    if len(rows) < MIN_POINTS:
        problems.append(f"the file has {len(rows)} point{'s' * (len(rows) != 1)}; at least {MIN_POINTS} are "
                        "needed, so that some train the net and some test it")
    if len(rows) > MAX_POINTS:
        problems.append(f"the file has {len(rows)} points; at most {MAX_POINTS} fit in the playground")
    if problems:
        raise UserDataError(_capped(problems))
    lines = [line for line, _ in rows]
    X, t = values[:, :2], values[:, 2]
    y, chosen, notes = _labels_or_targets(t, lines, problem)
    X, fit_note = _fit_to_plane(X)
    notes += fit_note
    return UserPoints(X, y, chosen), notes


def _decode(data: bytes | str) -> str:
    if len(data) > MAX_BYTES:
        raise UserDataError([f"the file is {len(data) / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:g} MB "
                             f"({MAX_POINTS} points need far less)"])
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")       # -sig: drop the mark some spreadsheets write first
        except UnicodeDecodeError as err:
            raise UserDataError([f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} at position "
                                 f"{err.start} cannot be read). Save it as \"CSV UTF-8\"; a spreadsheet (.xlsx) "
                                 "must be exported as CSV first"]) from None
    if not data.strip():
        raise UserDataError(["the file is empty"])
    if "\x00" in data:
        raise UserDataError(["the file holds NUL bytes, so it is not CSV text (a spreadsheet file?); "
                             "export it as CSV first"])
    return data


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank row, without a header row."""
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    rows = []
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                if delimiter != ",":
                    fields = [f.replace(",", ".") for f in fields]    # a decimal comma
                rows.append((reader.line_num, fields))
    except csv.Error as err:
        raise UserDataError([f"row {reader.line_num}: the file could not be read as CSV ({err})"]) from None
    if rows and not any(_is_number(f) for f in rows[0][1]):
        rows = rows[1:]                                   # a header: names, not numbers
    return rows


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 20 else text[:20] + "…")


def _numbers(rows, names) -> tuple[np.ndarray, list[str]]:
    """Rows -> (n, 3) float64 and the problems: one per bad row, or one per column bad in every row."""
    n_cols = len(names)
    counts = {len(fields) for _, fields in rows}
    if len(counts) == 1 and n_cols not in counts and len(rows) > 1:
        k = counts.pop()
        return np.zeros((0, n_cols)), [f"every row has {k} value{'s' * (k != 1)}; expected {n_cols} columns: "
                                       f"{', '.join(names)}"]
    values = np.zeros((len(rows), n_cols))
    bad: dict[int, list[tuple[int, str, str]]] = {c: [] for c in range(n_cols)}   # (row, text, what is wrong)
    short_rows = []                                           # (row, message): a wrong number of values
    for r, (line, fields) in enumerate(rows):
        if len(fields) != n_cols:
            short_rows.append((line, f"row {line} has {len(fields)} value{'s' * (len(fields) != 1)}, expected "
                                     f"{n_cols} ({', '.join(names)})"))
            continue
        for c, text in enumerate(fields):
            try:
                v = float(text)
            except ValueError:
                bad[c].append((line, text, "not a number"))
                continue
            if not math.isfinite(v):
                bad[c].append((line, text, "not a finite number"))
            elif abs(v) > MAX_SIZE:
                bad[c].append((line, text, f"too large (at most {MAX_SIZE:g} in size)"))
            else:
                values[r, c] = v
    full_rows = len(rows) - len(short_rows)
    columns, row_problems = [], list(short_rows)
    for c, found in bad.items():
        if full_rows > 1 and len(found) == full_rows:          # the whole column: say it once
            line, text, _ = found[0]
            hint = (f"; class names must be written as numbers 0 to {MAX_CLASSES - 1}"
                    if c == 2 and text.strip() else "")
            columns.append(f"column {c + 1} ({names[c]}) holds no numbers (row {line} has {_shown(text)})" + hint)
        else:
            row_problems += [(line, f"row {line}: {names[c]} is empty" if not text.strip()
                              else f"row {line}: {names[c]} is {_shown(text)}, {what}") for line, text, what in found]
    return values, columns + [message for _, message in sorted(row_problems, key=lambda p: p[0])]


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_LISTED:
        return problems
    return problems[:MAX_LISTED] + [f"…and {len(problems) - MAX_LISTED} more problems like these"]


def _labels_or_targets(t: np.ndarray, lines: list[int], problem: str) -> tuple[np.ndarray, str, list[str]]:
    """The third column as labels or targets: (y (n,), the problem chosen, notes)."""
    whole = t == np.round(t)
    distinct = np.unique(t)
    if problem == "classification":
        problems = [f"labels must be whole numbers 0–{MAX_CLASSES - 1} for classification; found {v:g} on row "
                    f"{line}" for v, line, w in zip(t, lines, whole) if not (w and 0 <= v < MAX_CLASSES)]
        if problems:
            raise UserDataError(_capped(problems))
        return t.astype(np.int64), problem, _class_notes(t.astype(np.int64), "")
    if problem == "auto" and whole.all() and len(distinct) <= MAX_CLASSES:
        if distinct.min() >= 0 and distinct.max() < MAX_CLASSES:
            return t.astype(np.int64), "classification", _class_notes(t.astype(np.int64), "")
        y = np.searchsorted(distinct, t).astype(np.int64)
        renumbered = ", ".join(f"{v:g} → {k}" for k, v in enumerate(distinct))
        return y, "classification", _class_notes(y, f" (renumbered: {renumbered})")
    notes = []
    if problem == "auto":
        if not whole.all():
            i = int(np.argmin(whole))
            why = f"holds numbers that are not whole (such as {t[i]:g} on row {lines[i]})"
        else:
            why = f"holds {len(distinct)} different whole numbers, more than the {MAX_CLASSES} classes it can draw"
        notes.append(f"The third column {why}, so it is read as a value to predict (regression). "
                     "Choose “Classes” if it holds class labels.")
    size = float(np.abs(t).max())
    if size > 1:
        notes.append(f"Targets run from {t.min():g} to {t.max():g}; they were divided by {size:g} so that they lie "
                     "within −1…1, the range the colours show.")
        t = t / size
    return t.astype(np.float64), "regression", notes


def _class_notes(y: np.ndarray, renumbered: str) -> list[str]:
    k = max(2, int(y.max()) + 1)
    notes = [f"The third column holds class labels: {k} classes{renumbered}."]
    empty = [str(c) for c in range(k) if not (y == c).any()]
    if empty:
        notes.append(f"Class{'es' * (len(empty) > 1)} {', '.join(empty)} {'have' if len(empty) > 1 else 'has'} "
                     "no points; the net still has an output for each class up to the largest label.")
    return notes


def _fit_to_plane(X: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Points reaching outside DOMAIN moved and scaled (one factor for both axes) to span -FIT..FIT."""
    lo, hi = DOMAIN
    if X.min() >= lo and X.max() <= hi:
        return X, []
    centre = X.min(axis=0) / 2 + X.max(axis=0) / 2
    half = float((X.max(axis=0) / 2 - X.min(axis=0) / 2).max())
    scale = FIT / half if half > 0 else 1.0
    fitted = np.clip((X - centre) * scale, lo, hi)
    shift = ", ".join(f"{-c:.4g}" for c in centre)
    return fitted, [f"Some points lie outside the plane's {lo:g}…{hi:g} (x1 from {X[:, 0].min():g} to "
                    f"{X[:, 0].max():g}, x2 from {X[:, 1].min():g} to {X[:, 1].max():g}): all points were shifted "
                    f"by ({shift}) and scaled by {scale:.4g} to fit, keeping their shape."]
