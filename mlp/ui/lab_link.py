"""A lab's link: `?preset=vanishing` opens the lab on that preset; setting params change it further.

Shared by the lab pages, so a teacher can send a class straight to one demonstration. A preset is
written as a slug (lowercase, "-" between words: "sigmoid vs ReLU" -> "sigmoid-vs-relu"); the name
itself works too. A name the lab does not have gives a message and the lab's default preset.
"""
from __future__ import annotations

import re
from typing import Iterable

import streamlit as st

from mlp.config import FIELD

PARAM = "preset"


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


def has_settings() -> bool:
    """Whether the link carries any setting (not just a preset or a teacher's rules)."""
    return any(key in FIELD for key in st.query_params)


def show_preset(name: str | None) -> None:
    """Keep the address bar saying which preset the lab is on (nothing when it is on none)."""
    if name is None:
        st.query_params.pop(PARAM, None)
    elif st.query_params.get(PARAM) != slug(name):
        st.query_params[PARAM] = slug(name)
