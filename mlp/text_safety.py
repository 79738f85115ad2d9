r"""Text someone else wrote, shown literally inside a message the app renders as Markdown.

Streamlit renders every message (st.warning, st.error, st.markdown, ...) as GitHub Markdown with
KaTeX (`$x$`), HTML entities, `:red[...]` colours and `:material/...:` icons. A link value echoed
in a message (`?dataset=[Sign in again](https://e.vil/x)`, `?activation=![](http://host/px.png)`)
would become a clickable link or an image every browser fetches. `literal` is the one function that
turns such text into Markdown that renders as exactly those characters: each character that can
start markup gets a backslash (CommonMark lets any ASCII punctuation be escaped), and line breaks
become spaces so a value cannot start a new block. Bare web and mail addresses need more: Streamlit's
GFM turns `https://…`, `www.…` and `a@b.c` into links after the escapes are resolved (a real browser
showed `https\://e.vil` linked), so an invisible word joiner (U+2060) goes inside each: it
shows the same, and no longer reads as an address.

It has no Streamlit in it: the pages' messages, the link notice and the labs' warnings all call it.
"""
from __future__ import annotations

import re

# characters that open or close Markdown, KaTeX, HTML, Streamlit's colour directives or a table cell
MARKUP = set("\\`*_{}[]()<>#|~$!&@^")
JOINER = "\u2060"          # WORD JOINER: invisible, and it splits what GFM reads as an address
_ADDRESS = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(?<=@)")


def literal(text: str) -> str:
    """`text` as Markdown that shows exactly its characters: no link, image, formula, HTML or heading."""
    text = re.sub(r"[\r\n\u2028\u2029]+", " ", str(text))
    text = _ADDRESS.sub(lambda m: (m.group(1) or "") + JOINER, text)    # "https⁠://", "www⁠.", "a@⁠b.c"
    out = []
    for i, ch in enumerate(text):
        if ch in MARKUP:
            out.append("\\" + ch)
        elif ch == ":" and i + 1 < len(text) and not text[i + 1].isspace():
            out.append("\\:")                  # ":material/x:" icons and ":red[" colours stay text
        else:
            out.append(ch)
    return "".join(out)

