"""JSON read from a file someone handed us, within bounds: no deep nesting, no huge numbers, no megabytes.

Python's json module turns 100,000 `[` into a RecursionError and a 5,000-digit integer into a
ValueError (the int-conversion limit), and reads any length. The settings and training state this
app writes are a few hundred characters, a few levels deep, with numbers of at most 39 digits (a
random generator's 128-bit state), so anything far beyond that is refused here with one sentence
naming the problem, before json parses it.
"""
from __future__ import annotations

import json

MAX_CHARS = 20_000      # the app's own JSON is under 2,000 characters
MAX_DEPTH = 16          # the app's own JSON nests 4 levels
MAX_DIGITS = 60         # the app's own integers have at most 39 digits (2**128)


class JSONBoundsError(ValueError):
    """JSON that is not valid or beyond the bounds; the message says which, in one short sentence."""


def _nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings (an unbalanced text gives what it reached)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:      # no need to read further
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JSONBoundsError(f"it holds a number of {len(text.lstrip('-')):,} digits (at most {MAX_DIGITS})")
    return int(text)


def loads(text: str):
    """json.loads(text), or JSONBoundsError: too long, nested too deeply, a number too long, not JSON."""
    if not isinstance(text, str):
        raise JSONBoundsError("it is not text")
    if len(text) > MAX_CHARS:
        raise JSONBoundsError(f"it is {len(text):,} characters long (at most {MAX_CHARS:,})")
    if _nesting(text) > MAX_DEPTH:
        raise JSONBoundsError(f"it is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as err:
        raise JSONBoundsError(f"it is not valid JSON ({err.msg}, line {err.lineno})") from None
    except RecursionError:            # cannot happen below MAX_DEPTH; kept so nothing escapes as a traceback
        raise JSONBoundsError(f"it is nested more than {MAX_DEPTH} levels deep") from None
