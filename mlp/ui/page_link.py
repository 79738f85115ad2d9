"""A page's link: `?preset=vanishing` opens a lab on that preset; setting params change it further.

Shared by the pages, so a teacher can send a class straight to one demonstration. A preset is
written as a slug (lowercase, "-" between words: "sigmoid vs ReLU" -> "sigmoid-vs-relu"); the name
itself works too. A name the lab does not have gives a message and the lab's default preset.

Whatever a page could not take from its link (a preset it lacks, a bad setting, an unknown name in a
teacher's rules) is said in one message at the top of that page (`remember_notice`, `show_notice`),
until the student dismisses it.
"""
from __future__ import annotations

import re
from typing import Iterable

import streamlit as st

from mlp.run.config import FIELD, Config, ConfigError
from mlp.text_safety import literal

PARAM = "preset"
NOTICE_HEADER = "Some settings in the link were not valid and were replaced:"
TFP_HEADER = "This TensorFlow Playground link opened with its meaning, except:"
NOTICE_KEY = "link_notice"          # session_state: page title -> the message, while not dismissed


def slug(name: str) -> str:
    """"sigmoid vs ReLU" -> "sigmoid-vs-relu", "tanh_xavier" -> "tanh-xavier"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def preset_from_link(presets: Iterable[str], default: str) -> tuple[str, list[str]]:
    """The preset the link asks for, or `default` (with a message when the link names another)."""
    presets = list(presets)
    raw = st.query_params.get(PARAM)
    if raw is None:
        return default, []
    found = next((name for name in presets if slug(name) == slug(raw)), None)
    if found is not None:
        return found, []
    return default, [f"this page has no preset {raw[:40]!r} (it has {', '.join(map(slug, presets))}), so it opens "
                     f"on {slug(default)}"]


def with_hidden_layers(config: Config, preset: Config) -> tuple[Config, list[str]]:
    """A lab about layers needs at least one: a link that leaves none gets the preset's, and a line saying so."""
    if config.hidden:
        return config, []
    try:
        config = config.replace(hidden=preset.hidden)
    except ConfigError:
        config = preset
    return config, [f"this page needs at least one hidden layer, so it uses {','.join(map(str, config.hidden))}"]


def has_settings() -> bool:
    """Whether the link carries any setting (not just a preset or a teacher's rules)."""
    return any(key in FIELD for key in st.query_params)


def show_preset(name: str | None) -> None:
    """Keep the address bar saying which preset the lab is on (nothing when it is on none)."""
    if name is None:
        st.query_params.pop(PARAM, None)
    elif st.query_params.get(PARAM) != slug(name):
        st.query_params[PARAM] = slug(name)


def notice(problems: Iterable[str], tfp_notes: Iterable[str] = ()) -> str | None:
    """The link's problems as one message: a header and a line each; None when there are none. A
    TensorFlow Playground link's notes (what mlp/run/tfp_link.py could not take over) come first, under their own."""
    parts = [(TFP_HEADER, [literal(n) for n in dict.fromkeys(tfp_notes)]),
             (NOTICE_HEADER, [literal(p) for p in dict.fromkeys(problems)])]
    text = "\n\n".join(header + "\n" + "\n".join(f"- {p}" for p in lines) for header, lines in parts if lines)
    return text or None


def remember_notice(page: str, problems: Iterable[str], tfp_notes: Iterable[str] = ()) -> None:
    """Keep what `page` replaced of its link, to show at its top (once per session: when it first opens)."""
    text = notice(problems, tfp_notes)
    notices = st.session_state.setdefault(NOTICE_KEY, {})
    if text is None:
        notices.pop(page, None)
    else:
        notices[page] = text


def _dismiss(page: str) -> None:
    st.session_state.get(NOTICE_KEY, {}).pop(page, None)


def show_notice(page: str) -> None:
    """The message about `page`'s link, if any, with a button that puts it away."""
    text = st.session_state.get(NOTICE_KEY, {}).get(page)
    if text is None:
        return
    st.warning(text)
    st.button("Dismiss this message", key=f"link_notice_dismiss_{slug(page)}", on_click=_dismiss, args=(page,),
              type="tertiary", icon=":material/close:")
