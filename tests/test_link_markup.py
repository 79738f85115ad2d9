"""Link values shown in a message are text, never markup (issue 21, item 5), on every page.

`/?dataset=[Sign in again](https://e.vil/x)` must not show a clickable link inside the app's own
warning, `/?activation=![](http://host/px.png)` must not make the browser fetch that address, and the
same through `?preset=` on the labs, `?hide=`, `?lock=` and join links. Every page is opened with such
links (AppTest); every element Streamlit renders as Markdown that quotes the crafted value must hold
it escaped: once the escaped characters (a backslash and the next character) are taken out, no link
`](`, image `![`, HTML `<`, KaTeX `$` or Streamlit colour `:red[` is left; and the text as shown (the
escapes resolved) holds no bare address GFM would link (`https://`, `www.`, `a@b.c`): Streamlit's
autolinking runs after the escapes are resolved, as a real browser showed.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.text_safety import JOINER, literal

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["app.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]
MARK = "EVILMARK"       # in every payload, to find the elements that quote it
PAYLOADS = [
    f"[Sign in again {MARK}](https://e.vil/x)",
    f"![{MARK}](http://host/px.png)",
    f"<img src=http://host/px.png alt={MARK}>",
    f"$\\href{{https://e.vil}}{{{MARK}}}$",
    f":red[{MARK}] www.e.vil/{MARK} and mail to {MARK}@e.vil",
    f"{MARK}\n# heading\n[y](https://e.vil)",
]
KEYS = ["dataset", "activation", "hidden", "preset", "hide", "lock"]
MARKUP_LEFT = ["](", "![", "<", "$", ":red[", "\n#"]
# what GFM's autolink literal reads as an address (mdast-util-gfm-autolink-literal's patterns, simplified)
ADDRESS = re.compile(r"(?i)(https?://|www\.)|[-.\w+]+@[-\w]+(\.[-\w]+)+")
MARKDOWN_ELEMENTS = ["markdown", "caption", "warning", "error", "info", "success", "toast"]


def unescaped(body: str) -> str:
    """What Markdown reads as markup in `body`: the text with every backslash escape taken out."""
    return re.sub(r"\\.", "", body, flags=re.S)


def shown(body: str) -> str:
    """The text Markdown shows for `body`: every backslash escape resolved to its character."""
    return re.sub(r"\\(.)", r"\1", body, flags=re.S)


def quoted_bodies(at: AppTest) -> list[str]:
    bodies = []
    for kind in MARKDOWN_ELEMENTS:
        for element in at.get(kind):
            body = getattr(element, "value", None) or getattr(element.proto, "body", "")
            if MARK in str(body):
                bodies.append(str(body))
    return bodies


def assert_no_markup_from_the_link(at: AppTest, where: str) -> None:
    assert not at.exception, where
    for body in quoted_bodies(at):
        left = unescaped(body)
        for markup in MARKUP_LEFT:
            assert markup not in left, f"{where}: {markup!r} rendered from the link in {body!r}"
        assert not ADDRESS.search(shown(body)), f"{where}: an address would be linked in {body!r}"


def open_page(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_literal_escapes_every_markup_and_keeps_the_text():
    for payload in PAYLOADS:
        text = literal(payload)
        left = unescaped(text)
        assert all(m not in left for m in MARKUP_LEFT) and not ADDRESS.search(shown(text)), text
        # it reads the same once the escapes are shown as Markdown shows them (the joiners are invisible)
        assert shown(text).replace(JOINER, "") == payload.replace("\n", " ")


@pytest.mark.parametrize("page", PAGES)
def test_crafted_links_render_no_markup_on_any_page(page):
    shown = 0
    for i, payload in enumerate(PAYLOADS):
        key = KEYS[i % len(KEYS)]
        # each payload in one key, and all keys at once (the page's notice lists them together)
        for params in ({key: payload}, {k: payload for k in KEYS}):
            at = open_page(page, params)
            assert_no_markup_from_the_link(at, f"{page} {params}")
            shown += bool(quoted_bodies(at))
    assert shown, f"{page} never quoted a crafted value: the test saw nothing"


def test_a_join_link_with_crafted_values_renders_no_markup(tmp_path, monkeypatch):
    from mlp.classroom.store import STORE_ENV, open_store
    monkeypatch.setenv(STORE_ENV, f"sqlite:///{tmp_path / 'wall.db'}")
    class_id, _ = open_store().create_class("Workshop")
    for payload in PAYLOADS:
        at = open_page("pages/5_Class.py", {"join": class_id, "name": payload, "dataset": payload, "hide": payload})
        assert_no_markup_from_the_link(at, f"join {payload!r}")
        assert quoted_bodies(at)
        at = open_page("pages/5_Class.py", {"join": payload})
        assert_no_markup_from_the_link(at, f"join id {payload!r}")
