"""Classroom mode: a teacher's link hides or locks controls, so students see only what the lesson needs.

`?hide=lr,views&lock=activation,hidden`: the names are the config's FIELDS keys (a setting's URL key),
"settings" (all of them at once) and a few parts of the pages (PARTS). A hidden control is not drawn;
a locked one is drawn disabled, and `refusals` stops any other route (a typed box, a callback) from
changing a locked setting. A lab's preset buttons are their own part ("presets"): locking a setting
does not lock the presets that change it.

The rules are read from the link once per session and kept for it: Streamlit empties the address bar
when the page changes, so `keep_in_url` (run by every page) puts them back, and every link the page
writes or offers for copying carries them. An unknown name gives a message, never a traceback.

The rules themselves, and the signature of a teacher's Lesson link (`lesson=`, which keeps a student
from undoing the lesson by editing the link), live in mlp/classroom/lesson_link.py; this module gives them the
server's secret and the session.
"""
from __future__ import annotations

import streamlit as st

from mlp.classroom import lesson_link
from mlp.run.config import FIELDS, Config
from mlp.classroom.lesson_link import LOCKED_HELP, PARTS, Rules, names, parse_rules  # noqa: F401 (the pages use them from here)

SESSION_KEY = "classroom_rules"
LINK_KEY = "classroom_rules_of_link"    # the link's own reading, while a class's lesson step imposes its rules


def secret() -> str:
    """The key lesson links are signed with: the server's cookie secret, which every worker behind
    mlp.classroom.serving shares (Streamlit makes a random one per process when none is set)."""
    return st.get_option("server.cookieSecret") or ""


def lesson_params(rules: Rules, config: Config) -> dict[str, str]:
    """The signed hide / lock / lesson params of a teacher's link with these rules and settings."""
    return lesson_link.sign(rules, config, secret())


def reading() -> lesson_link.Reading:
    """What this session made of its link, on first use: a signed lesson that was changed puts the
    teacher's settings back into the address bar here, before the page reads its settings from it
    (page_setup, the first thing every page does, gets here first)."""
    found = st.session_state.get(SESSION_KEY)
    if found is None:
        link = st.query_params.to_dict()
        found = st.session_state[SESSION_KEY] = lesson_link.read_link(link, secret())
        if found.params != link:
            st.query_params.from_dict(found.params)
    return found


def impose(rules: Rules) -> None:
    """A class's lesson step (mlp/ui/lesson_follow.py) hides and locks these, whatever the link said: they
    come from the store, which a student cannot edit. `lift` gives the link's rules back."""
    st.session_state.setdefault(LINK_KEY, reading())
    st.session_state[SESSION_KEY] = lesson_link.Reading("class lesson", rules, {})


def lift() -> None:
    """The link's own rules again (the class's lesson ended, or the student left the class)."""
    link = st.session_state.pop(LINK_KEY, None)
    if link is not None:
        st.session_state[SESSION_KEY] = link


def rules() -> Rules:
    """This session's rules, read from the link on first use."""
    return reading().rules


def link_problems() -> list[str]:
    """A signed lesson's one-line notice and the link's mistakes about hide / lock, a line each, as a
    page lists them in its link notice (page_link.notice)."""
    return ([reading().notice] if reading().notice else []) + list(rules().problems)


def keep_in_url() -> None:
    """Put the rules back into the address bar (Streamlit drops query params on a page change)."""
    for param, text in rules().to_params().items():
        if st.query_params.get(param) != text:
            st.query_params[param] = text


def refusals(old: Config, new: Config) -> list[str]:
    """Why `new` may not replace `old`: one sentence per locked setting it changes."""
    return [f"{f.label} is locked by your teacher's link" for f in FIELDS
            if rules().locks(f.key) and getattr(old, f.key) != getattr(new, f.key)]
