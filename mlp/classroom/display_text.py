"""Text a person typed or a link carried, made safe to show as a name or a title: one rule for both.

Control and format characters go (bidi overrides like U+202E, zero-width spaces, NUL), runs of spaces
become one, at most `max_chars` are kept. One format character stays where it joins two emoji: the
zero-width joiner (U+200D) of a woman student (U+1F469 U+200D U+1F393) or a rainbow flag, which would
otherwise fall apart into two pictures.
Between letters it goes, so "A\u200dna" cannot pass for a second "Ana". The text is never markup:
the pages show it as text or escaped.
"""
from __future__ import annotations

import unicodedata

ZWJ = "\u200d"


def _emoji_side(ch: str) -> bool:
    """Can this character sit on either side of an emoji's joiner? Pictographs (So), skin-tone
    modifiers (Sk), and the variation selector U+FE0F that makes a symbol a picture (Mn)."""
    return unicodedata.category(ch) in ("So", "Sk") or ch == "\ufe0f"


def clean_text(raw, max_chars: int, what: str = "a name") -> tuple[str | None, str | None]:
    """(text, None), or (None, why not) when nothing visible is left or it is not text."""
    if not isinstance(raw, str):
        return None, f"{what} must be text"
    spaced = "".join(" " if ch.isspace() else ch for ch in raw[:1000])
    kept = []
    for i, ch in enumerate(spaced):
        if not unicodedata.category(ch).startswith("C"):
            kept.append(ch)
        elif ch == ZWJ and kept and _emoji_side(kept[-1]) and i + 1 < len(spaced) and _emoji_side(spaced[i + 1]):
            kept.append(ch)
    text = " ".join("".join(kept).split())
    if len(text) > max_chars:                  # cut, but never between an emoji and its joiner
        text = text[:max_chars].rstrip(ZWJ)
    text = text.strip()
    if not text:
        return None, f"{what} needs at least one visible character (got {len(raw)} characters without any)"
    return text, None
