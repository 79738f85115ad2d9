"""Checks at the engine's public boundary: a bad argument gets one short message, never NumPy's.

Each refusal is a ValueError (or a TypeError, for a value of the wrong kind altogether) reading
"<argument> must be <what it accepts>; got <what it got>", under MAX_MESSAGE characters however
large the input: what it got is a repr cut short, or an array's shape and dtype.

Shapes follow the row-as-example convention: X (m, n_in), Y (m, n_out), m >= 1. A 1-D X of n_in
values is ONE example, the row (1, n_in), and a 1-D Y of n_out values is that example's target
row; any other 1-D array is refused (a (m,) Y is never stretched across (m, k) outputs).

Only public methods call these. The training loop hands arrays it built itself to the unchecked
fast paths (MLP.forward_unchecked, loss_unchecked, backward_unchecked, step.train_step_unchecked),
which check nothing.
"""
from __future__ import annotations

import math
import numbers
import reprlib

import numpy as np

MAX_MESSAGE = 300       # characters in any message
MAX_SHOWN = 60          # characters of what an argument got
MAX_LISTED = 3          # bad entries of a list named one by one; the rest are counted
MAX_QUOTED = 40         # characters of text someone typed that a message quotes
MAX_ITEMS = 5           # items a message lists of many (the rest are counted)

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxtuple = 24, 40, 6, 6


def describe(value) -> str:
    """Any value as a message shows it, in at most about 60 characters, whatever it is.

    The one place that turns a value into words, so no message can grow with its input or fail on it:
    1e-05 reads as 0.00001, 10**400 as "a 401-digit number", text is quoted and cut.
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10**15:
            return str(value)
        return f"a {int(math.log10(abs(value))) + 1}-digit number"
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0:
            return repr(value)
        if 1e-6 <= abs(value) < 1e15:
            return f"{value:.6f}".rstrip("0").rstrip(".") if value == round(value, 6) else repr(value)
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return listed([describe(v) for v in value], "nothing")
    text = str(value)
    return repr(text[:MAX_QUOTED] + "…") if len(text) > MAX_QUOTED else repr(text)


def listed(items: list[str], empty: str = "", most: int = MAX_ITEMS) -> str:
    """"a, b, c" for a few items; "a, b, c, d, e and 995 more" for many."""
    if not items:
        return empty
    first = ", ".join(items[:most])
    return first if len(items) <= most else f"{first} and {len(items) - most} more"


def shown(value, limit: int = MAX_SHOWN) -> str:
    """What a message says an argument got: an array's shape and dtype, a number or text as `describe`
    gives it, anything else its repr; cut to `limit`."""
    if isinstance(value, np.ndarray):
        text = f"an array of shape {value.shape}, dtype {value.dtype}"
    elif isinstance(value, (numbers.Real, str)) and not isinstance(value, np.generic):
        text = describe(value)
    else:
        try:
            text = _repr.repr(value)
        except Exception:           # a repr that fails: its type is still worth saying
            text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def refuse(argument: str, accepts: str, got: str, error: type[Exception] = ValueError) -> Exception:
    """The exception for `raise`: "<argument> must be <accepts>; got <got>", cut to MAX_MESSAGE."""
    return error(_bounded(f"{argument} must be {accepts}; got {got}"))


def _bounded(text: str) -> str:
    return text if len(text) < MAX_MESSAGE else text[:MAX_MESSAGE - 2] + "…"


# -- names ---------------------------------------------------------------------------------------

class UnknownName(KeyError, ValueError):
    """A name no registry entry has. Still a KeyError, for code that catches a failed dict lookup."""

    def __str__(self) -> str:       # KeyError's own str() would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class Registry(dict):
    """name -> entry, for entries with a `.name`; looking up an unknown name lists the known ones."""

    def __init__(self, argument: str, entries):
        super().__init__((entry.name, entry) for entry in entries)
        self.argument = argument       # what the choice is called where it is passed, e.g. "init"

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except (KeyError, TypeError):      # TypeError: an unhashable name, e.g. a list
            choices = ", ".join(map(repr, self))
            raise UnknownName(_bounded(f"{self.argument} must be one of {choices}; got {shown(name)}")) from None


# -- numbers -------------------------------------------------------------------------------------

def real(value, argument: str, low: float = -math.inf, high: float = math.inf, *,
         above: bool = False, below: bool = False) -> float:
    """value as a float if it is a finite real number from `low` to `high`.

    The ends are included unless `above` (value > low) or `below` (value < high) says otherwise.
    Text and booleans are refused, though float() would take "0.1" and True.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    try:
        x = float(value) if ok else math.nan
    except OverflowError:           # an int beyond any float
        x = math.inf
    if not (math.isfinite(x) and (low < x if above else low <= x) and (x < high if below else x <= high)):
        raise refuse(argument, _range_text(low, high, above, below), shown(value),
                     ValueError if ok else TypeError)
    return x


def _range_text(low: float, high: float, above: bool, below: bool) -> str:
    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    if math.isinf(high):
        return f"a finite number {'>' if above else '≥'} {low:g}"
    return f"a number in {'(' if above else '['}{low:g}, {high:g}{')' if below else ']'}"


def _whole(value) -> int | None:
    """value as an int if it is a whole number (5, np.int64(5), 5.0), else None; never a bool."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def seed(value, argument: str = "seed") -> int:
    """A seed for np.random.default_rng: a whole number ≥ 0."""
    n = _whole(value)
    if n is None or n < 0:
        raise refuse(argument, "a whole number ≥ 0", shown(value))
    return n


def widths(sizes, argument: str = "sizes") -> tuple[int, ...]:
    """Layer widths, input first and output last: at least two whole numbers ≥ 1."""
    example = "a list of layer widths, input first and output last, e.g. [2, 8, 2]"
    if isinstance(sizes, (str, bytes)) or not _iterable(sizes):
        raise refuse(argument, example, shown(sizes), TypeError)
    entries = list(sizes)
    out = [_whole(n) for n in entries]
    bad = [i for i, w in enumerate(out) if w is None or w < 1]
    if bad:
        raise refuse(argument, "whole numbers ≥ 1, the layer widths, e.g. [2, 8, 2]",
                     listed([f"{shown(entries[i], 20)} at {i}" for i in bad], most=MAX_LISTED))
    if len(out) < 2:
        raise refuse(argument, example, shown(sizes))
    return tuple(out)


def _iterable(value) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def float_dtype(dtype, default) -> np.dtype:
    """None (the default) or a float type the engine computes in: float32 or float64."""
    if dtype is None:
        return np.dtype(default)
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    if dt not in (np.float32, np.float64):
        raise refuse("dtype", "None (float32), 'float32' or 'float64'", shown(dtype))
    return dt


def instance(value, kind: type, argument: str) -> None:
    """Refuse anything but a `kind`, e.g. "net must be an mlp.MLP"."""
    if not isinstance(value, kind):
        raise refuse(argument, f"an {kind.__module__.split('.')[0]}.{kind.__name__}", shown(value), TypeError)


# -- arrays --------------------------------------------------------------------------------------

def rows(X, n_in: int, dtype, argument: str = "X") -> np.ndarray:
    """X as an (m, n_in) array of `dtype`, m >= 1, finite; no copy when it already is one.

    A 1-D X of n_in values is one example: the row (1, n_in).
    """
    a = number_array(X, argument)
    if a.ndim == 1 and len(a) == n_in:
        a = a.reshape(1, n_in)
    if a.ndim != 2 or a.shape[1] != n_in:
        hint = ""
        if a.ndim == 1 and n_in == 1:
            hint = f" (for {len(a)} examples of one value, pass X.reshape(-1, 1))"
        values = f"{n_in} value{'s' if n_in != 1 else ''}"
        raise refuse(argument, f"an (m, {n_in}) array: a row per example, {values} each (sizes[0]); a 1-D X is "
                               "one example", f"shape {a.shape}{hint}")
    if a.shape[0] == 0:
        raise refuse(argument, "an array with at least one row (an empty batch has no mean loss)",
                     f"shape {a.shape}")
    return finite(a, dtype, argument)


def targets(Y, m: int, n_out: int, dtype, argument: str = "Y") -> np.ndarray:
    """Y as an (m, n_out) array of `dtype`, finite: a row per example, a column per output unit.

    A 1-D Y of n_out values is the target row of a single example (m == 1).
    """
    a = number_array(Y, argument)
    if a.ndim == 1 and m == 1 and len(a) == n_out:
        a = a.reshape(1, n_out)
    if a.shape != (m, n_out):
        hint = ""
        if a.ndim == 1 and len(a) == m:
            hint = (f" (labels? mlp.engine.datasets.one_hot(y, {n_out}) makes the rows)" if n_out > 1
                    else " (use y.reshape(-1, 1))")
        raise refuse(argument, f"an array of shape ({m}, {n_out}): a row per row of X, a column per output unit",
                     f"shape {a.shape}{hint}")
    return finite(a, dtype, argument)


def number_array(value, argument: str) -> np.ndarray:
    """value as an array of real numbers (any shape), refusing text, objects and ragged lists."""
    accepts = "an array of numbers"
    if isinstance(value, np.ndarray):
        a = value
    else:
        try:
            a = np.asarray(value)
        except (ValueError, TypeError, OverflowError):      # ragged nesting, or numbers too large
            raise refuse(argument, accepts, f"{shown(value)}, which is ragged or not numbers", TypeError) from None
    if a.dtype.kind not in "biuf":
        got = {"O": shown(value), "U": f"text (dtype {a.dtype})", "S": f"bytes (dtype {a.dtype})"}
        raise refuse(argument, accepts, got.get(a.dtype.kind, f"dtype {a.dtype}"), TypeError)
    return a


def finite(a: np.ndarray, dtype, argument: str) -> np.ndarray:
    """a in `dtype`, refused if any entry is nan or ±inf there (1e39 is inf in float32)."""
    if a.dtype != dtype:
        with np.errstate(over="ignore", invalid="ignore"):     # what overflows is refused just below
            a = a.astype(dtype)
    ok = np.isfinite(a)
    if not ok.all():
        where = np.unravel_index(int(np.argmin(ok)), a.shape)
        place = f"row {where[0]}, column {where[1]}" if a.ndim == 2 else f"index {', '.join(map(str, where))}"
        raise refuse(argument, f"finite numbers in {np.dtype(dtype).name}",
                     f"{a.size - int(np.count_nonzero(ok))} nan or inf, the first at {place}")
    return a
