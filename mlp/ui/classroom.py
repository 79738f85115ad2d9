"""Classroom mode: a teacher's link hides or locks controls, so students see only what the lesson needs.

`?hide=lr,views&lock=activation,hidden`: the names are the config's FIELDS keys (a setting's URL key),
"settings" (all of them at once) and a few parts of the pages (PARTS). A hidden control is not drawn;
a locked one is drawn disabled, and `refusals` stops any other route (a typed box, a callback) from
changing a locked setting. A lab's preset buttons are their own part ("presets"): locking a setting
does not lock the presets that change it.

The rules are read from the link once per session and kept for it: Streamlit empties the address bar
when the page changes, so `keep_in_url` (run by every page) puts them back, and every link the page
writes or offers for copying carries them. An unknown name gives a message, never a traceback.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Mapping

import streamlit as st

from mlp.config import FIELD, FIELDS, Config

PARTS = {                      # name -> what the teacher's menu says
    "settings": "Every setting",
    "play": "Play / Pause",
    "step": "Step and Back (a lab's Train button)",
    "reset": "Reset",
    "views": "View toggles",
    "gallery": "Dataset pictures and Regenerate",
    "weights": "Editing a weight by hand",
    "points": "Your own data (upload, Edit points)",
    "presets": "A lab's preset buttons",
    "pages": "Links to the other pages",
    "share": "Share popover",
}
PARAMS = ("hide", "lock")
LOCKED_HELP = "🔒 Locked by your teacher's link."
SESSION_KEY = "classroom_rules"
MAX_TEXT = 2000


def names() -> dict[str, str]:
    """Every name a link may hide or lock -> its label: the settings, then the page parts."""
    return {**{f.key: f.label for f in FIELDS}, **PARTS}


@dataclass(frozen=True)
class Rules:
    hide: frozenset[str] = frozenset()
    lock: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()          # what the link got wrong (unknown names)

    def hides(self, name: str) -> bool:
        return name in self.hide or (name in FIELD and "settings" in self.hide)

    def locks(self, name: str) -> bool:
        return name in self.lock or (name in FIELD and "settings" in self.lock)

    def control(self, name: str, help: str | None = None, *, locked_by: tuple[str, ...] = ()) -> dict | None:
        """A widget's `disabled` and `help` under these rules; None when it is hidden. `locked_by`: other
        names whose lock disables it too (a button that changes a setting)."""
        if self.hides(name):
            return None
        if any(self.locks(n) for n in (name, *locked_by)):
            return {"disabled": True, "help": f"{LOCKED_HELP} {help or ''}".strip()}
        return {"disabled": False, "help": help}

    def to_params(self) -> dict[str, str]:
        """The query params that give these rules back (only the non-empty lists, in menu order)."""
        order = list(names())
        return {param: ",".join(sorted(chosen, key=order.index))
                for param, chosen in (("hide", self.hide), ("lock", self.lock)) if chosen}


def _unknown_name_text(param: str, name: str) -> str:
    known = names()
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else (
        f"use a setting's name as in the link (e.g. lr, activation) or one of {', '.join(PARTS)}")
    return f"the link's {param} list names {name[:40]!r}, which is not a control here: {hint}"


def parse_rules(params: Mapping) -> Rules:
    """`hide` and `lock` from query params (comma-separated names, any case); unknown names are
    reported in `problems` and left out."""
    known, chosen, problems = names(), {}, []
    for param in PARAMS:
        raw = params.get(param, "")
        if isinstance(raw, (list, tuple)):          # a repeated key: the last one wins, as in browsers
            raw = raw[-1] if raw else ""
        raw = str(raw)
        if len(raw) > MAX_TEXT:
            problems.append(f"the link's {param} list is far too long, so it is ignored")
            raw = ""
        chosen[param] = set()
        for name in (t.strip().lower() for t in raw.split(",")):
            if name in known:
                chosen[param].add(name)
            elif name:
                problems.append(_unknown_name_text(param, name))
    return Rules(frozenset(chosen["hide"]), frozenset(chosen["lock"]), tuple(problems))


def rules() -> Rules:
    """This session's rules, read from the link on first use."""
    found = st.session_state.get(SESSION_KEY)
    if found is None:
        found = st.session_state[SESSION_KEY] = parse_rules(st.query_params.to_dict())
    return found


def link_problems() -> list[str]:
    """The link's mistakes about hide / lock, as a page shows them with its other link messages."""
    problems = list(rules().problems)
    return ["Some names in the teacher's link were not understood and are ignored:"] + problems if problems else []


def keep_in_url() -> None:
    """Put the rules back into the address bar (Streamlit drops query params on a page change)."""
    for param, text in rules().to_params().items():
        if st.query_params.get(param) != text:
            st.query_params[param] = text


def refusals(old: Config, new: Config) -> list[str]:
    """Why `new` may not replace `old`: one sentence per locked setting it changes."""
    return [f"{f.label} is locked by your teacher's link" for f in FIELDS
            if rules().locks(f.key) and getattr(old, f.key) != getattr(new, f.key)]
