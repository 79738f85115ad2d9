"""Where each key of a TOML text stands: the lines a message about its value should name.

`tomllib` gives line numbers for syntax errors only; a reader that finds a wrong value in the parsed
data names the line by looking the key's path up here. A path is the parsed data's: table names,
keys, and the index of an array-of-tables entry (`("steps", 2, "goal", "test_loss")` is the third
`[[steps]]`'s goal's `test_loss`). Only a text `tomllib` has already accepted is read, so the scan
can be simple: it tracks table headers, keys (dotted ones too, and an inline table's keys), and
where each value ends (strings, multi-line strings and arrays may span lines).
"""
from __future__ import annotations

import re

_BARE = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_KEY_LINE = re.compile(rf"\s*({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip()[1:-1] if p.strip()[:1] in "\"'" else p.strip()
            for p in re.findall(rf"{_KEY_PART}", dotted)]


class _Value:
    """Reads a value's text piece by piece: whether it is still open (a string, an array) at a line's end."""

    def __init__(self):
        self.depth, self.quote = 0, ""

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.quote:
                if self.quote == '"' and text[i] == "\\":
                    i += 2
                    continue
                if self.quote == '"""' and text[i] == "\\":
                    i += 2
                    continue
                if text.startswith(self.quote, i):
                    i += len(self.quote)
                    # a multi-line string may end in up to two more quotes of its kind
                    while len(self.quote) == 3 and text.startswith(self.quote[0], i):
                        i += 1
                    self.quote = ""
                    continue
                i += 1
                continue
            c = text[i]
            if c == "#":
                return
            for q in ('"""', "'''", '"', "'"):
                if text.startswith(q, i):
                    self.quote, i = q, i + len(q)
                    break
            else:
                self.depth += c in "[{"
                self.depth -= c in "]}"
                i += 1

    @property
    def open(self) -> bool:
        return bool(self.depth or self.quote)


def key_lines(text: str) -> dict[tuple, tuple[int, int]]:
    """Path -> (first line, last line), 1-based, of every key's value and every table header."""
    found: dict[tuple, tuple[int, int]] = {}
    arrays: dict[tuple, int] = {}          # array-of-tables path -> entries so far
    table: tuple = ()
    pending: tuple | None = None           # the key whose value runs on over lines
    value = _Value()

    def resolve(names: list[str]) -> tuple:
        path: tuple = ()
        for name in names:
            path += (name,)
            if path in arrays:
                path += (arrays[path] - 1,)
        return path

    for n, line in enumerate(text.splitlines(), start=1):
        if pending is not None:
            value.feed(line)
            if not value.open:
                found[pending] = (found[pending][0], n)
                pending = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            names = _parts(stripped[2:stripped.index("]]")])
            parent = resolve(names[:-1]) + (names[-1],)
            arrays[parent] = arrays.get(parent, 0) + 1
            table = parent + (arrays[parent] - 1,)
            found[table] = (n, n)
            continue
        if stripped.startswith("["):
            table = resolve(_parts(stripped[1:stripped.index("]")]))
            found.setdefault(table, (n, n))
            continue
        match = _KEY_LINE.match(line)
        if match is None:
            continue
        path = table + tuple(_parts(match.group(1)))
        found[path] = (n, n)
        rest = line[match.end():]
        if rest.lstrip().startswith("{"):              # an inline table: one line in TOML 1.0
            for inner in _INLINE_KEY.finditer(rest):
                found.setdefault(path + tuple(_parts(inner.group(1))), (n, n))
        value = _Value()
        value.feed(rest)
        if value.open:
            pending = path
    return found


def line_of(lines: dict[tuple, tuple[int, int]], path: tuple, text: str | None = None,
            source: str | None = None) -> int | None:
    """The line to name for `path`: its own, else its nearest ancestor's (a missing key: the table's
    header). With `text`, the first line of the value's span holding it (an item of a long array),
    found in `source`, the file's text."""
    for end in range(len(path), 0, -1):
        span = lines.get(path[:end])
        if span is None:
            continue
        if text is not None and source is not None and end == len(path):
            rows = source.splitlines()
            for n in range(span[0], span[1] + 1):
                if text in rows[n - 1]:
                    return n
        return span[0]
    return None
