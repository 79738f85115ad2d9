"""The class wall (issue 16): snapshots, thumbnails, challenge, CSV, the CLI, and the Class page itself.

Expected values come from the math: a net with zero weights predicts 1/2 everywhere; a net that
looks only at x1 puts class 1 on the right half of the plane; the CSV is read back with the csv module.
"""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp.classroom import wall
from mlp.classroom.wall import THUMB, clean_name, make_challenge, meets, read_thumb, snapshot, sort_cards, wall_csv
from mlp.run.checkpoint import save_trainer
from mlp.run.config import Config
from mlp.engine.datasets import grid
from mlp.figures.wall_thumbnail import thumbnail_svg
from mlp.classroom.store import MAX_NAME, Card, Store, new_student_id
from mlp.run.trainer import Trainer
from tests.class_pages import page, store, texts  # noqa: F401 (store: a fixture)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
PAGE = str(ROOT / "pages" / "5_Class.py")


# -- names -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw,name", [
    ("  Ana  ", "Ana"), ("Ana\u202eevil", "Anaevil"), ("A\u200bn\u0000a", "Ana"), ("a\tb\n\nc", "a b c"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"), ("**bold** :red[x]", "**bold** :red[x]"),
    ("x" * 500, "x" * MAX_NAME), ("Zoë 😀", "Zoë 😀")])
def test_a_name_keeps_what_is_visible_and_stays_text(raw, name):
    assert clean_name(raw) == (name, None)


@pytest.mark.parametrize("raw", ["", "   ", "\u200b\u202e", "\x00\x01", None, 42])
def test_a_name_with_nothing_visible_is_refused_with_a_reason(raw):
    name, why = clean_name(raw)
    assert name is None and why and len(why) < 200


# -- snapshots and thumbnails ----------------------------------------------------------------------
def test_a_net_with_zero_weights_gives_a_thumbnail_of_one_half_everywhere():
    t = Trainer(Config(dataset="xor", hidden=(3,)))
    t.net.params[:] = 0.0                      # softmax of equal logits: 1/2 for each class
    snap = snapshot(t, t.probe(), "paused", None)
    assert snap["thumb_kind"] == "prob"
    assert np.allclose(read_thumb(snap), 128 / 255)          # round(255 / 2) = 128 (half to even)
    assert snap["arch"] == "2-3-2" and snap["n_params"] == 2 * 3 + 3 + 3 * 2 + 2
    assert snap["settings"] == "dataset=xor&hidden=3"


def test_the_thumbnail_puts_x1_along_the_columns_and_x2_up_the_rows():
    t = Trainer(Config(dataset="xor", hidden=()))            # logistic regression: z = x @ W + b
    W, b = t.net.weights[0], t.net.biases[0]
    W[:] = [[-1.0, 1.0], [0.0, 0.0]]; b[:] = 0.0             # P(class 1) = sigmoid(2 x1)
    cells = read_thumb(snapshot(t, t.probe(), "paused", None))
    xs, _, _ = grid(THUMB)
    expected = 1 / (1 + np.exp(-2 * xs))
    assert np.allclose(cells, np.broadcast_to(expected, (THUMB, THUMB)), atol=0.5 / 255 + 1e-12)
    W[:] = [[0.0, 0.0], [-1.0, 1.0]]                         # now P(class 1) = sigmoid(2 x2): rises by row
    cells = read_thumb(snapshot(t, t.probe(), "paused", None))
    assert np.allclose(cells, np.broadcast_to(expected[:, None], (THUMB, THUMB)), atol=0.5 / 255 + 1e-12)


def test_a_snapshot_of_a_diverged_run_holds_no_nan_and_says_so():
    t = Trainer(Config(dataset="circle", hidden=(16, 16, 16), activation="relu", init="normal", init_gain=5.0,
                       lr=10.0, batch_size=500))              # test_trainer.py's diverging run
    report = t.run(200)
    assert report.diverged_at is not None
    state = wall.run_state(True, report, set())
    assert state == "diverged"
    json.dumps(snapshot(t, report, state, None), allow_nan=False)     # raises on NaN or inf


def test_a_uniform_thumbnail_is_one_rectangle_per_row_and_a_missing_one_is_grey():
    svg = thumbnail_svg(np.full((THUMB, THUMB), 0.5), "prob")
    assert svg.count("<rect") == THUMB
    assert "#eeeeee" in thumbnail_svg(None, "prob")
    three = thumbnail_svg(np.tile([0.0, 0.5, 1.0], (THUMB, THUMB // 3)), "class", 3)
    assert three.count("<rect") == THUMB * THUMB          # neighbours all differ: nothing merges


def _png_pixels(png: bytes) -> np.ndarray:
    """An 8-bit RGB PNG of filter-0 rows (what thumbnail_png writes), read by the PNG spec's layout."""
    import struct
    import zlib
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (depth, colour) == (8, 2)                                  # 8 bits, truecolour
    idat = png[png.index(b"IDAT") + 4:]
    rows = np.frombuffer(zlib.decompressobj().decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert not rows[:, 0].any()                                       # no row filter
    return rows[:, 1:].reshape(h, w, 3)


def test_the_walls_png_thumbnail_puts_the_upper_plane_on_top_in_the_svgs_colours():
    from mlp.figures.palette import BLUE, ORANGE
    from mlp.figures.wall_thumbnail import thumbnail_png
    cells = np.zeros((THUMB, THUMB))
    cells[THUMB // 2:] = 1.0                   # rows rise with x2: P(class 1) = 1 on the upper half
    px = _png_pixels(thumbnail_png(cells, "prob"))
    rgb = lambda h: [int(h[i:i + 2], 16) for i in (1, 3, 5)]       # noqa: E731
    assert px.shape == (THUMB, THUMB, 3)
    assert (px[:THUMB // 2] == rgb(BLUE)).all() and (px[THUMB // 2:] == rgb(ORANGE)).all()
    assert (_png_pixels(thumbnail_png(None, "prob")) == 0xEE).all()  # no picture yet: grey
    assert len(thumbnail_png(np.random.default_rng(0).random((THUMB, THUMB)), "prob")) < 2 * THUMB * THUMB


@pytest.mark.parametrize("thumb", [None, "", "!!!", "AAAA", 5])
def test_a_broken_thumbnail_reads_as_none(thumb):
    assert read_thumb({"thumb": thumb}) is None


# -- the challenge ---------------------------------------------------------------------------------
def test_a_challenge_counts_only_runs_on_its_data_under_its_caps():
    challenge = make_challenge("xor", 0.0, 0.6, max_params=30, max_layers=1)
    assert challenge["data"]["dataset"] == "xor" and challenge["max_layers"] == 1
    on = Trainer(Config(dataset="xor", hidden=(4,)))          # 2*4+4 + 4*2+2 = 22 parameters
    on.net.params[:] = 0.0
    report = on.probe()
    assert report.test_loss == pytest.approx(np.log(2))        # equal logits: cross-entropy log 2 = 0.693
    assert meets(make_challenge("xor", 0.0, 0.8), on, report)
    assert not meets(make_challenge("xor", 0.0, 0.69), on, report)
    assert meets(make_challenge("xor", 0.0, 0.8, max_params=22), on, report)
    assert not meets(make_challenge("xor", 0.0, 0.8, max_params=21), on, report)
    assert not meets(make_challenge("xor", 0.1, 0.8), on, report)          # another noise: another test set
    assert not meets(make_challenge("xor", 0.0, 0.8, max_layers=0), on, report)
    assert not meets(None, on, report)


@pytest.mark.parametrize("args,word", [(("user", 0.0, 0.1), "dataset"), (("xor", 0.0, float("nan")), "target"),
                                       (("xor", 0.0, -1.0), "target"), (("xor", 0.0, 0.1, 0), "max_params"),
                                       (("xor", 0.0, 0.1, None, -1), "max_layers")])
def test_a_bad_challenge_names_its_argument(args, word):
    with pytest.raises(ValueError, match=word):
        make_challenge(*args)


def _card(name, loss, reached=None, updated=0.0):
    return Card(new_student_id(), name, {"test_loss": loss, "reached": reached, "settings": "dataset=xor",
                                         "step": 5}, True, updated)


def test_the_wall_sorts_by_name_loss_and_challenge():
    cards = [_card("bob", 0.3), _card("Ann", None), _card("cy", 0.1, {"step": 90, "n_params": 40}),
             _card("dee", 0.2, {"step": 50, "n_params": 99}), _card("eve", 0.05, {"step": 50, "n_params": 20})]
    assert [c.name for c in sort_cards(cards, "name")] == ["Ann", "bob", "cy", "dee", "eve"]
    assert [c.name for c in sort_cards(cards, "test loss")] == ["eve", "cy", "dee", "bob", "Ann"]
    assert [c.name for c in sort_cards(cards, "challenge")] == ["eve", "dee", "cy", "bob", "Ann"]
    with pytest.raises(ValueError, match="sort"):
        sort_cards(cards, "age")


def test_the_csv_reads_back_and_a_name_never_becomes_a_formula():
    cards = [_card('=HYPERLINK("x")', 0.25, {"step": 7, "n_params": 12}, updated=0.0), _card('a, "b"', -1.0)]
    rows = list(csv.DictReader(io.StringIO(wall_csv(cards, "http://h/"))))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(\"x\")", 'a, "b"']
    assert rows[0]["settings_link"] == "http://h/?dataset=xor"
    assert rows[0]["test_loss"] == "0.25" and rows[1]["test_loss"] == "-1.0"    # numbers stay numbers
    assert rows[0]["challenge_step"] == "7" and rows[1]["challenge_step"] == ""
    assert rows[0]["updated_utc"] == "1970-01-01T00:00:00Z"


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.slow      # runs the command line as a process
def test_class_new_prints_the_join_link_then_the_teacher_link(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    done = subprocess.run([sys.executable, "-m", "mlp", "class", "new", "--title", "Tuesday", "--base-url",
                           "http://room:8080/"], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MLP_STORE": url})
    assert done.returncode == 0, done.stderr
    join, teacher = done.stdout.splitlines()
    j, t = urlsplit(join), urlsplit(teacher)
    assert (j.netloc, j.path, t.netloc, t.path) == ("room:8080", "/Class", "room:8080", "/Class")
    class_id = parse_qs(j.query)["join"][0]
    assert parse_qs(t.query)["class"][0] == class_id
    store = Store(url)
    assert store.class_info(class_id).title == "Tuesday"
    assert store.wall(class_id, parse_qs(t.query)["key"][0]) == []
    bad = subprocess.run([sys.executable, "-m", "mlp", "class", "new", "--title", " "], capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                      "MLP_STORE": url})
    assert bad.returncode == 2 and "title" in bad.stderr and "Traceback" not in bad.stderr


# -- the Class page (AppTest) ----------------------------------------------------------------------
def test_the_wall_shows_each_students_card_and_a_wrong_key_shows_none(store):
    class_id, key = store.create_class("Wall test")
    students = {}
    for name, dataset in (("<b>Ana</b>", "xor"), ("Ben", "spiral")):
        t = students[name] = Trainer(Config(dataset=dataset, hidden=(4,)))
        report = t.run(20)
        store.post(class_id, new_student_id(), name, snapshot(t, report, "playing", None), save_trainer(t))
    at = page(**{"class": class_id, "key": key})
    assert not at.exception
    shown = texts(at)
    assert "<b>Ana</b>" in shown and "Ben" in shown and "step 20" in shown and "test loss" in shown
    assert not any("Ana" in m.value for m in at.markdown)           # a name is text, never markup
    opened = next(b for b in at.button if b.label == "Open")            # the first card by name: Ana's
    opened.click().run()
    assert not at.exception
    assert np.array_equal(at.session_state["run"].trainer.net.params, students["<b>Ana</b>"].net.params)
    assert at.session_state["run"].trainer.step == 20
    wrong = page(**{"class": class_id, "key": key[::-1]})
    assert not wrong.exception
    assert "Ana" not in texts(wrong) and "Wall test" not in texts(wrong)
    assert any("does not open a wall" in w.value for w in wrong.warning)


@pytest.mark.parametrize("query", [
    {"join": "'; DROP TABLE classes; --"}, {"join": "x" * 3000}, {"join": ""}, {"join": "\u202e<b>"},
    {"class": "<script>", "key": "k"}, {"key": "only-a-key"}, {"class": "a" * 16, "key": "b" * 32},
    {"join": "nope-nope-nope", "name": "<img src=x onerror=alert(1)>"}])
def test_hostile_class_links_give_a_message_not_a_traceback(store, query):
    at = page(**query)
    assert not at.exception
    assert at.warning and all(len(w.value) < 600 for w in at.warning)


def test_a_student_joins_by_the_links_name_and_the_playground_posts_their_card(store):
    class_id, key = store.create_class("Join test")
    store.set_challenge(class_id, key, make_challenge("xor", 0.0, 10.0))    # met from the first step
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, "  Cleo\u200b "
    at.run()                                       # joins, and goes on to the Playground
    assert not at.exception
    member = at.session_state["class_membership"]
    assert (member.class_id, member.name) == (class_id, "Cleo")
    assert at.button(key="step")                   # on the Playground now
    at.switch_page("app.py").run()                 # (AppTest reruns the page it was told, not the switched-to one)
    at.button(key="step").click().run()            # one step: the live loop posts a snapshot
    cards = store.wall(class_id, key)
    assert [c.name for c in cards] == ["Cleo"] and cards[0].snapshot["step"] == 1 and cards[0].has_weights
    assert at.session_state["run"].config.dataset == "xor"                  # the join put Cleo on its data
    assert cards[0].snapshot["reached"] == {"step": 0, "n_params": 2 * 4 + 4 + 4 * 2 + 2 + 2 * 2 + 2}
    at.switch_page("pages/5_Class.py").run()
    leave = next(b for b in at.button if b.label == "Leave the class")
    leave.click().run()
    assert store.wall(class_id, key) == []


def test_a_reloaded_page_keeps_its_one_card_and_asks_no_name_again(store):
    class_id, key = store.create_class("Reload test")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, "Dora"
    at.run()                                       # joins, and goes on to the Playground
    at.switch_page("app.py").run()
    at.button(key="step").click().run()
    assert [c.name for c in store.wall(class_id, key)] == ["Dora"]
    address = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert "Dora" not in str(address)             # the address names the card, not the student
    # a reload: a new session (empty session_state) on the same address
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in address.items():
        again.query_params[k] = v
    again.run()
    assert not again.exception and not [t for t in again.text_input if t.label == "Your name"]   # no name question
    for _ in range(3):
        again.button(key="step").click().run()
    cards = store.wall(class_id, key)
    assert [c.name for c in cards] == ["Dora"] and cards[0].snapshot["step"] == 3     # the same card, posted anew
    assert again.session_state["class_membership"].name == "Dora"
    # after leaving, the same address takes nothing back
    again.switch_page("pages/5_Class.py").run()
    next(b for b in again.button if b.label == "Leave the class").click().run()
    assert store.wall(class_id, key) == []
    third = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in address.items():
        third.query_params[k] = v
    third.run()
    third.button(key="step").click().run()
    assert store.wall(class_id, key) == [] and "class_membership" not in third.session_state


def test_a_bad_name_in_the_join_link_asks_for_one(store):
    class_id, _ = store.create_class("Name test")
    at = page(join=class_id, name="\u200b\u0000")
    assert not at.exception and "class_membership" not in at.session_state
    assert any("name" in w.value for w in at.warning) and at.text_input


def test_a_cards_text_changes_only_with_its_snapshot_until_it_goes_quiet():
    from mlp.ui.class_page import card_lines
    snap = {"arch": "2-4-2", "state": "playing", "step": 1234, "test_loss": 0.12345, "test_metric": 0.875,
            "problem": "classification", "time": 1000.0, "reached": {"step": 900, "n_params": 22}}
    assert card_lines(snap, 1000.0) == card_lines(snap, 1009.9) == (
        "2-4-2 · playing\nstep 1,234\ntest loss 0.123 · acc. 88%\n✓ target at step 900 with 22 weights")
    assert card_lines(snap, 1065.0).endswith("quiet for 60 s")
    assert card_lines(snap, 1600.0).endswith("quiet for 10 min")
    assert card_lines({"test_loss": "<b>", "problem": "regression"}, 0.0) == "? · ?\nstep –\ntest loss – · R² –"


def test_a_card_made_by_a_join_says_so_until_the_first_post():
    from mlp.ui.class_page import card_lines
    assert card_lines({"state": "joined", "time": 100.0}, 105.0) == "joined · not training yet"
    assert card_lines({"state": "joined", "time": 100.0}, 130.0) == "joined · not training yet\nquiet for 30 s"


def test_the_playground_says_which_class_and_name_as_text_never_markup(store):
    class_id, _ = store.create_class("<i>Room</i> 1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/5_Class.py")
    at.query_params["join"], at.query_params["name"] = class_id, "<b onmouseover=x>Eve</b>"
    at.run()
    at.switch_page("app.py").run()
    (said,) = [h.proto.body for h in at.get("html") if "on the wall" in h.proto.body]
    assert "&lt;b onmouseover=x&gt;Eve&lt;/b&gt;" in said and "&lt;i&gt;Room&lt;/i&gt; 1" in said
    assert "<b onmouseover" not in said and "<i>Room" not in said
