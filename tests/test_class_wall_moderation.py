"""The class wall in a teacher's hands (issue 21, items 7 and 9-12): the key out of the address bar,
one card removed, caps per class, absolute CSV links, titles cleaned as names, emoji kept whole, and
an alt text Streamlit's sanitizer keeps.
"""
import csv
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.classroom import store as store_module
from mlp.classroom.wall import absolute_base, clean_name, clean_title
from mlp.classroom.store import new_student_id
from mlp.ui.class_page import thumb_alt
from tests.class_pages import page, store, texts  # noqa: F401 (store: a fixture)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
PAGE = str(ROOT / "pages" / "5_Class.py")
SNAP = {"step": 3, "state": "playing", "time": 0.0, "settings": "dataset=xor&lr=0.1"}
# DOMPurify's SAFE_FOR_XML rule (Streamlit's st.html sanitizer, purify.es.js): an attribute whose value
# matches this is dropped
DOMPURIFY_DROPS = re.compile(r"((--!?|])>)|</(style|script|title|xmp|textarea|noscript|iframe|noembed|noframes)", re.I)


# -- 7: the teacher key out of sight ---------------------------------------------------------------
def test_the_teacher_link_sets_the_key_once_and_the_address_bar_keeps_only_the_class(store):
    class_id, key = store.create_class("Projected")
    store.post(class_id, new_student_id(), "Ana", SNAP)
    at = page(**{"class": class_id, "key": key})
    assert not at.exception and "Ana" in texts(at)
    assert "key" not in at.query_params and at.query_params["class"] == class_id
    assert at.title and all(h.proto.hide_anchor for h in [*at.title, *at.subheader, *at.header])
    at.run()                                        # a rerun (a click, the wall's refresh): still the wall
    assert "Ana" in texts(at) and "key" not in at.query_params
    reload = page(**{"class": class_id})            # a reload: a new session, the address without the key
    assert not reload.exception and "Ana" not in texts(reload) and "Projected" not in texts(reload)
    assert any("teacher link again" in w.value for w in reload.warning)


def test_open_the_wall_after_starting_a_class_keeps_the_key_out_of_the_address(store):
    at = page()
    at.text_input[0].input("Started here")
    at.button[0].click().run()
    next(b for b in at.button if b.label == "Open the wall").click().run()
    assert not at.exception and "Class wall" in [t.value for t in at.title]
    assert "key" not in at.query_params and "class" in at.query_params


# -- 9: one card removed; caps ---------------------------------------------------------------------
def test_the_teacher_removes_one_card_and_that_students_posts_stay_off_the_wall(store):
    class_id, key = store.create_class("Remove")
    ana, ben = new_student_id(), new_student_id()
    store.post(class_id, ana, "Ana", SNAP)
    store.post(class_id, ben, "Ben", SNAP)
    at = page(**{"class": class_id, "key": key})
    removes = [b for b in at.button if b.label == "Remove"]
    assert len(removes) == 2
    removes[0].click().run()                       # the first card by name: Ana's
    assert not at.exception
    assert [c.name for c in store.wall(class_id, key)] == ["Ben"] and "Ana" not in texts(at)
    infos, refused = store.post_batch([dict(class_id=class_id, student_id=ana, name="Ana", snapshot=SNAP)])
    assert refused == {(class_id, ana): store_module.REMOVED}
    assert [c.name for c in store.wall(class_id, key)] == ["Ben"]
    assert store.remove_card(class_id, key[::-1], ben) is False           # a wrong key removes nothing


def test_a_removed_student_is_told_and_keeps_training(store):
    class_id, key = store.create_class("Told")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, "Cleo"
    at.run()
    at.switch_page("app.py").run()
    (card,) = store.wall(class_id, key)
    store.remove_card(class_id, key, card.student_id)
    at.button(key="step").click().run()            # the post is refused: the session leaves the class
    at.button(key="step").click().run()
    assert not at.exception and at.session_state["run"].trainer.step == 2
    assert "class_membership" not in at.session_state and "member" not in at.query_params
    said = " ".join(h.proto.body for h in at.get("html"))
    assert "removed your card" in said and store.wall(class_id, key) == []


def test_a_full_class_and_too_many_joins_a_minute_refuse_new_cards_with_a_reason(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CARDS", 3)
    monkeypatch.setattr(store_module, "MAX_JOINS_PER_MIN", 2)
    class_id, key = store.create_class("Caps")
    ids = [new_student_id() for _ in range(5)]
    post = lambda sid, now: store.post_batch([dict(class_id=class_id, student_id=sid, name=sid[:4],  # noqa: E731
                                                   snapshot=SNAP)], now=now)[1]
    assert post(ids[0], 1000.0) == {} and post(ids[1], 1010.0) == {}
    assert "in the last minute" in post(ids[2], 1020.0)[(class_id, ids[2])]     # a third join within 60 s
    assert post(ids[0], 1030.0) == {}                                            # a card posting again is no join
    assert post(ids[2], 1071.0) == {}                                            # a minute on: room again
    assert "full" in post(ids[3], 1200.0)[(class_id, ids[3])]                    # three cards: full
    store.leave(class_id, ids[0])
    assert post(ids[4], 1300.0) == {}                                            # one left: room for one
    assert len(store.wall(class_id, key)) == 3


def test_a_join_link_into_a_full_class_says_so(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_CARDS", 1)
    class_id, _ = store.create_class("Full")
    store.post(class_id, new_student_id(), "First", SNAP)
    at = page(join=class_id, name="Second")
    assert not at.exception and "class_membership" not in at.session_state
    assert any("full" in w.value for w in at.warning)


# -- 11: absolute links in the CSV -----------------------------------------------------------------
@pytest.mark.parametrize("url,host,proto,base", [
    ("http://room:8501/Class", None, None, "http://room:8501"),
    ("https://school.example/nn/Class/", None, None, "https://school.example/nn"),
    (None, "10.0.0.5:8080", None, "http://10.0.0.5:8080"),          # st.context.url unknown: the Host header
    ("", "wall.example", "https", "https://wall.example"),
    (None, "evil.example/<x>", None, ""),                           # not a host: no address rather than a bad one
])
def test_the_apps_address_is_absolute_from_the_page_or_its_host_header(url, host, proto, base):
    assert absolute_base(url, host, proto) == base


def test_the_walls_csv_download_has_absolute_settings_links_made_outside_the_script_run(store):
    from mlp.ui.class_page import _csv
    class_id, key = store.create_class("CSV")
    store.post(class_id, new_student_id(), "Ana", SNAP)
    store.post(class_id, new_student_id(), "Ben", {**SNAP, "settings": ""})
    data = _csv(store, class_id, key, "http://room:8501", [])        # as the download button calls it, later
    rows = list(csv.DictReader(io.StringIO(data())))
    assert [r["settings_link"] for r in rows] == ["http://room:8501/?dataset=xor&lr=0.1", "http://room:8501/"]


# -- 12: titles cleaned as names; emoji whole; alt text kept ---------------------------------------
@pytest.mark.parametrize("raw,text", [
    ("Room\u202e 1", "Room 1"), ("  Tuesday\u200b  morning ", "Tuesday morning"),
    ("👩\u200d🎓 Workshop", "👩\u200d🎓 Workshop"), ("🏳️\u200d🌈 club", "🏳️\u200d🌈 club"),
    ("👨\u200d👩\u200d👧 family", "👨\u200d👩\u200d👧 family"), ("👍🏽 ok", "👍🏽 ok"),
    ("A\u200dna", "Ana"), ("\u200d👩", "👩"), ("👩\u200d", "👩")])
def test_titles_and_names_are_cleaned_alike_and_emoji_stay_one_glyph(raw, text):
    assert clean_title(raw) == (text, None) and clean_name(raw) == (text, None)


def test_the_store_cleans_a_title_and_refuses_one_with_nothing_visible(store):
    class_id, _ = store.create_class("Room\u202e 👩\u200d🎓")
    assert store.class_info(class_id).title == "Room 👩\u200d🎓"
    with pytest.raises(store_module.StoreError, match="title"):
        store.create_class("\u202e\u200b")


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "a --> b", "x ]> y", "<style>", "</TITLE>", "Ana"])
def test_a_cards_alt_text_survives_the_sanitizer_and_reads_as_the_name(name):
    import html
    alt = html.unescape(thumb_alt(name))
    assert not DOMPURIFY_DROPS.search(alt)
    assert alt.replace("\u200b", "") == f"{name}'s output"
    assert "<" not in thumb_alt(name) and '"' not in thumb_alt(name)       # escaped for the attribute


def test_the_wall_draws_a_script_name_with_its_alt_text(store):
    class_id, key = store.create_class("Alt")
    store.post(class_id, new_student_id(), "<script>alert(1)</script>", SNAP)
    at = page(**{"class": class_id, "key": key})
    (img,) = [h.proto.body for h in at.get("html") if "mlp-wall-thumb" in h.proto.body]
    alt = re.search(r'alt="([^"]*)"', img).group(1)
    import html
    assert not DOMPURIFY_DROPS.search(html.unescape(alt)) and "alert(1)" in alt
