"""The Class page: a teacher starts a class and projects its wall; a student joins it by name.

Which side a visitor sees depends on the link:
  /Class                          start a class (and, once joined, where a student leaves)
  /Class?join=ID[&name=NAME]      a student joins: a name once (or the link's), then the Playground
  /Class?class=ID&key=KEY         the teacher's wall: one card per student, live
The teacher link's key is read once into this session (TEACHER_KEYS) and taken out of the address
bar at once, so the projected wall shows /Class?class=ID and no heading anchor carries it; a reload
(a new session) needs the teacher link again. A bad link (no such class, a name with nothing visible
in it, a wrong key) gets a message at the top, never a traceback; a wrong key and a missing class get
the same message, so a key guess learns nothing. Names are shown with st.text or escaped, never as
Markdown. The store is mlp/classroom/store/__init__.py; when it is unreachable every part of this page says so in plain
words (StoreDown's text) and looks again every RETRY_S by itself.
"""
from __future__ import annotations

import base64
import functools
import html
import re
import time

import streamlit as st
from streamlit.errors import StreamlitAPIException

from mlp.classroom import wall
from mlp.run.checkpoint import CheckpointError, load_trainer
from mlp.run.config import FIELD, Config
from mlp.engine.datasets import DATASETS
from mlp.figures.wall_thumbnail import thumbnail_png
from mlp.classroom.store import MAX_TITLE, StoreError, open_store
from mlp.classroom.store.guard import RETRY_S, StoreDown
from mlp.text_safety import literal

from mlp.ui import class_session, lesson_controls, lesson_wall, page_link
from mlp.ui.state import Run, config_from_link, url_params

PAGE = "Class"
WALL_EVERY_S = 1.0
CARD_WIDTH = 210                     # px: a card; as many a row as the screen holds (4-5 on a projector)
QUIET_S = 10.0                       # a card not updated for this long says so (paused, or the tab closed)
CREATED_KEY = "class_created"        # session_state: (class id, key) of the class this session started
LINK_SEEN_KEY = "class_link_seen"    # session_state: the link params whose problems were noted
TEACHER_KEYS = "class_teacher_keys"  # session_state: {class id: teacher key}, read from a teacher link once
LAST_WALL = "class_last_wall"        # session_state: the cards last read, shown while the store is down
OPENED = "class_opened_walls"        # session_state: {class id: ClassInfo} of the walls this session's key opened
INCIDENT_SHOWN_S = 600.0             # how long the wall tells of a database file the store put back


def app_base() -> str:
    """The app's address (this page's without /Class), for the links a teacher hands out: absolute,
    from the browser's address, or from the request's Host header when Streamlit has no address."""
    return wall.absolute_base(st.context.url, st.context.headers.get("Host"),
                                    st.context.headers.get("X-Forwarded-Proto"))


def _unreachable(err: StoreDown, what: str) -> None:
    said = str(err)
    st.warning(f"{said[:1].upper()}{said[1:]}: {what}", icon=":material/cloud_off:")


@st.fragment(run_every=RETRY_S)
def _retry_until_back(check) -> None:
    """Look again every RETRY_S; when the store answers, draw the whole page anew."""
    try:
        check()
    except StoreDown:
        return
    st.rerun(scope="app")


def _note_link_problems(problems: list[str]) -> None:
    """Say once per link what it got wrong, its settings and a teacher's rules included (a join link
    may carry settings for the Playground): page_link's notice, shown at the page's top."""
    link = tuple(sorted(st.query_params.to_dict().items()))
    if st.session_state.get(LINK_SEEN_KEY) != link:
        st.session_state[LINK_SEEN_KEY] = link
        _, refused = config_from_link()
        page_link.remember_notice(PAGE, problems + refused + lesson_controls.link_problems())


def _param(name: str) -> str | None:
    return st.query_params.get(name)


# -- starting a class ------------------------------------------------------------------------------
def start_class() -> None:
    st.subheader("Start a class", anchor=False)
    st.caption("You get two links: the join link for your students, and your teacher link, which opens the "
               "wall. Keep the teacher link to yourself: it carries the class's secret key.")
    with st.form("new_class", border=False):
        title = st.text_input("Title", max_chars=MAX_TITLE, placeholder="Workshop, Tuesday morning")
        lesson = lesson_wall.lesson_picker("Lesson", "class_lesson", optional=True)
        if st.form_submit_button("Start the class", type="primary", icon=":material/groups:"):
            try:
                store = open_store()
                st.session_state[CREATED_KEY] = class_id, key = store.create_class(title)
                if lesson is not None:      # the class is there even if the lesson did not start: the wall can start it
                    lesson_wall.start(store, class_id, key, lesson)
            except StoreError as err:
                st.error(f"Not started: {err}.")
            except StoreDown as err:
                st.error(f"Not started: {err}. Press the button again in a moment: the title is kept.")
    created = st.session_state.get(CREATED_KEY)
    if created:
        class_id, key = created
        st.markdown("**Join link**, for the students (add `&name=…` to make a link for one student):")
        st.code(wall.join_link(app_base(), class_id), language=None)
        st.markdown("**Teacher link**, for you alone:")
        st.code(wall.teacher_link(app_base(), class_id, key), language=None)
        if st.button("Open the wall", icon=":material/grid_view:"):
            st.session_state.setdefault(TEACHER_KEYS, {})[class_id] = key
            st.query_params.from_dict({"class": class_id})       # the key stays out of the address bar
            st.rerun()


# -- the student's side ----------------------------------------------------------------------------
def _to_playground(challenge: dict | None) -> None:
    """To the Playground: with the join link's settings, on the challenge's data when there is one."""
    run: Run | None = st.session_state.get("run")
    params = {**url_params(config_from_link()[0]), **(wall.challenge_params(challenge) if challenge else {})}
    if run is not None and params:
        config, _ = Config.from_query_lenient(params, run.config)
        run.propose(**{k: getattr(config, k) for k in params if k in FIELD})
        params = url_params(run.config)
    _switch("app.py", {**params, **class_session.url_param()})


def _switch(page: str, params: dict[str, str]) -> None:
    try:
        st.switch_page(page, query_params=params)
    except StreamlitAPIException:       # this page run on its own (AppTest) has no other page to go to
        st.info("Open the Playground from the page list to train.")


def joined(m: class_session.Membership) -> None:
    st.subheader("You are in a class", anchor=False)
    st.text(f"{m.title}\nYour name on the wall: {m.name}")
    if m.challenge:
        st.text("Challenge: " + wall.describe_challenge(m.challenge))
    why = class_session.status(m)
    if why == class_session.PENDING:
        st.info(f"Your card is not on the wall yet: {why}.")
    elif why:
        st.warning(f"Your card is not on the wall just now: {why}. Your training goes on, and your latest "
                   "snapshot is sent when it is back.", icon=":material/cloud_off:")
    st.caption("While you train in the Playground, your teacher sees your name, settings, step, losses, "
               "accuracy, a small picture of your output and your current weights. Nothing else is kept, "
               "and leaving removes it.")
    cols = st.columns(2)
    if cols[0].button("Go to the Playground", type="primary", icon=":material/scatter_plot:"):
        _to_playground(m.challenge)
    if cols[1].button("Leave the class", icon=":material/logout:"):
        class_session.leave()
        st.rerun()


def student_join(class_id: str) -> None:
    try:
        info = open_store().class_info(class_id)
    except StoreDown as err:
        _note_link_problems([])
        page_link.show_notice(PAGE)
        st.subheader("Join the class", anchor=False)
        _unreachable(err, "this join link cannot be checked yet. This page tries again by itself every "
                          f"{RETRY_S:g} s; you can train in the Playground meanwhile and join when it is back.")
        _retry_until_back(lambda: open_store().class_info(class_id))
        return
    if info is None:
        _note_link_problems(["this join link's class was not found: it may have ended, or the link was cut "
                             "short. Ask your teacher for the link again."])
        page_link.show_notice(PAGE)
        return
    m = class_session.membership()
    if m is not None and m.class_id == info.id:
        joined(m)
        return
    problems = []
    if _param("name") is not None:
        name, why = wall.clean_name(_param("name"))
        if name is not None and m is None:
            m, refused = class_session.join(info.id, info.title, name, info.challenge)
            if refused is None:
                _to_playground(info.challenge)
            else:
                problems.append(f"not joined: {refused}")
        if why:
            problems.append(f"the link's name could not be used: {why}")
    _note_link_problems(problems)
    page_link.show_notice(PAGE)
    st.subheader("Join the class", anchor=False)
    st.text(info.title)
    if m is not None:
        st.info("You are in another class now: joining this one leaves it.")
    with st.form("join", border=False):
        typed = st.text_input("Your name", max_chars=40, help="Shown to your teacher, and on the wall they "
                                                              "may project. No account, no password.")
        if st.form_submit_button("Join", type="primary", icon=":material/login:"):
            name, why = wall.clean_name(typed)
            if name is None:
                st.error(f"Not joined: {literal(why)}.")
            else:
                class_session.leave()
                _, refused = class_session.join(info.id, info.title, name, info.challenge)
                if refused is None:
                    _to_playground(info.challenge)
                else:
                    st.error(f"Not joined: {refused}.")


# -- the teacher's wall ----------------------------------------------------------------------------
def _ago(seconds: float) -> str:
    return f"{10 * (seconds // 10):.0f} s" if seconds < 120 else f"{seconds // 60:.0f} min"


def _number(value, fmt: str) -> str:
    return format(value, fmt) if isinstance(value, (int, float)) else "–"


def card_lines(snap: dict, now: float, challenge: dict | None = None, goals: str | None = None) -> str:
    """A card's text under the name: plain text, the student's values never read as markup. With the
    class's challenge: whether the run is on its data (a loss on other data does not count). `goals`:
    the lesson's steps whose goal the student met, as a line (lesson_wall.goals_line)."""
    metric = "acc." if snap.get("problem") == "classification" else "R²"
    if snap.get("state") == "joined":          # the card a join makes, before the first post from the Playground
        lines = ["joined · not training yet"]
    else:
        data = wall.data_label(snap)         # what it learns: losses on different data do not compare
        lines = [f"{snap.get('arch', '?')} · {snap.get('state', '?')}", *([data] if data else []),
                 f"step {_number(snap.get('step'), ',')}",
                 f"test loss {_number(snap.get('test_loss'), '.3f')} · {metric} "
                 f"{_number(snap.get('test_metric'), '.0%' if metric == 'acc.' else '.2f')}"]
    reached = snap.get("reached")
    if challenge and snap.get("state") != "joined" and not isinstance(reached, dict):
        on_it = wall.card_data(snap) == challenge.get("data")
        lines.append("challenge: not yet" if on_it else "challenge: on other data")
    if isinstance(reached, dict):
        lines.append(f"✓ target at step {_number(reached.get('step'), ',')} with "
                     f"{_number(reached.get('n_params'), ',')} weights")
    if goals:
        lines.append(goals)
    # said only of a quiet card, and coarsely: a line that changed every second would resend every card
    age = now - snap["time"] if isinstance(snap.get("time"), (int, float)) else 0.0
    if age >= QUIET_S:
        lines.append("quiet for " + _ago(age))
    return "\n".join(lines)


def _open_run(class_id: str, key: str, student_id: str, name: str, lesson_step: int | None = None) -> None:
    """The student's run, as this session's Playground run: same settings, their current weights (with
    `lesson_step`: the weights it had when it met that step's goal)."""
    try:
        store = open_store()
        raw = (store.weights(class_id, key, student_id) if lesson_step is None
               else store.goal_weights(class_id, key, lesson_step, student_id))
    except StoreDown as err:
        st.session_state["class_open_problem"] = f"That run cannot be opened now: {err}."
        return
    if raw is None:
        st.session_state["class_open_problem"] = "That run cannot be opened: its weights were not kept."
        return
    try:
        trainer = load_trainer(raw)
    except CheckpointError as err:
        st.session_state["class_open_problem"] = f"That run cannot be opened: {err}"
        return
    run = st.session_state.get("run")
    if run is None:
        st.session_state["run"] = Run(trainer.config, trainer)
    else:
        refused = run.load(trainer)
        if refused:
            st.session_state["class_open_problem"] = f"That run cannot be opened here: {'; '.join(refused)}"
            return
    st.session_state[class_session.OPENED_KEY] = (name, trainer)      # the Playground's header names it
    _switch("app.py", url_params(trainer.config))


def _outputs(snap: dict) -> int:
    """The output layer's width, from the snapshot's "2-8-3"."""
    try:
        return int(str(snap.get("arch")).rsplit("-", 1)[-1])
    except ValueError:
        return 2


@functools.lru_cache(maxsize=512)
def _thumb_src(thumb, kind: str, outputs: int) -> str:
    """A card's picture as a data URL: a PNG of one pixel a cell (about 0.4 KB; an SVG was 10 KB),
    made once per snapshot, not once per wall refresh (the wall redraws every card every second)."""
    png = thumbnail_png(wall.read_thumb({"thumb": thumb}), kind, outputs)
    return "data:image/png;base64," + base64.b64encode(png).decode()


def thumb_alt(name: str) -> str:
    """A card's picture's alt text, escaped for an attribute. st.html's sanitizer (DOMPurify) drops an
    attribute whose text holds "</script", "</style" (and the like), "-->" or "]>", so a zero-width
    space goes between "<" and "/" and before a ">" that follows "-", "!" or "]": the name reads the
    same, and the alt text stays."""
    text = re.sub(r"<(?=/)", "<\u200b", f"{name}'s output")
    text = re.sub(r"(?<=[-!\]])>", "\u200b>", text)
    return html.escape(text)


def _card(card, class_id: str, key: str, now: float, live: bool = True,
          challenge: dict | None = None, goals: str | None = None) -> None:
    snap = card.snapshot
    thumb = snap.get("thumb") if isinstance(snap.get("thumb"), str) else None
    kind = snap.get("thumb_kind") if isinstance(snap.get("thumb_kind"), str) else "prob"
    with st.container(border=True, width=CARD_WIDTH):
        st.text(card.name)
        # an <img>: st.html's sanitizer drops inline SVG, and an image runs nothing a snapshot might hold
        st.html(f'<div class="mlp-wall-thumb" data-time="{_number(snap.get("time"), ".3f")}"><img alt="{thumb_alt(card.name)}" width="96" height="96" '
                f'style="image-rendering: pixelated" src="{_thumb_src(thumb, kind, _outputs(snap))}"></div>')
        st.text(card_lines(snap, now, challenge, goals))
        if not live:                # the store is down: the card as last read, no buttons that need it
            return
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            if card.has_weights and st.button("Open", key=f"open_{card.student_id}", icon=":material/open_in_full:",
                                              width="content", help="Open this run here, large: the same settings "
                                              "and the student's current weights, ready to play."):
                _open_run(class_id, key, card.student_id, card.name)
            if st.button("Remove", key=f"remove_{card.student_id}", icon=":material/person_remove:", type="tertiary",
                         width="content", help="Take this card off the wall: the student keeps training, off the "
                                               "wall, and is told so (the join link lets them join again)."):
                try:
                    open_store().remove_card(class_id, key, card.student_id)
                except StoreDown as err:
                    st.session_state["class_open_problem"] = f"That card was not removed: {err}."
                st.rerun()


def _challenge_form(class_id: str, key: str, current: dict | None) -> None:
    with st.expander("Challenge", icon=":material/flag:"):
        if current:
            st.text("Now: " + wall.describe_challenge(current))
        names = list(wall.CHALLENGE_DATASETS)
        with st.form("challenge", border=False):
            dataset = st.selectbox("Data set", names, format_func=lambda n: DATASETS[n].label,
                                   index=names.index("spiral") if "spiral" in names else 0)
            noise = st.number_input("Noise", FIELD["noise"].lo, FIELD["noise"].hi, 0.0, 0.05)
            target = st.number_input("Target: test loss at most", 1e-4, 10.0, 0.1, 0.01, format="%.4f")
            max_params = st.number_input("At most this many weights and biases (empty: no cap)", 1, 10_000_000,
                                         None, 10)
            max_layers = st.number_input("At most this many hidden layers (empty: no cap)", 0, 10, None, 1)
            st.caption("Every other data setting stays at its default, so everyone is ranked on the same test set. "
                       "Students who join from now on start on this data.")
            if st.form_submit_button("Set the challenge", type="primary"):
                try:
                    challenge = wall.make_challenge(dataset, float(noise), float(target),
                                                          None if max_params is None else int(max_params),
                                                          None if max_layers is None else int(max_layers))
                    open_store().set_challenge(class_id, key, challenge)
                except ValueError as err:
                    st.error(f"Not set: {err}.")
                except StoreDown as err:
                    st.error(f"Not set: {err}. Press the button again in a moment.")
                else:
                    st.rerun()
        if current and st.button("End the challenge"):
            try:
                open_store().set_challenge(class_id, key, None)
            except StoreDown as err:
                st.error(f"Not ended: {err}. Press the button again in a moment.")
            else:
                st.rerun()


def _erase(class_id: str, key: str) -> None:
    with st.popover("Erase the class", icon=":material/delete:"):
        st.caption("Every card and the class itself are deleted now; students' runs go on, off the wall.")
        if st.button("Erase it", type="primary", key="erase_class"):
            try:
                open_store().erase_class(class_id, key)
            except StoreDown as err:
                st.error(f"Not erased: {err}. Press the button again in a moment.")
                return
            st.session_state.pop(CREATED_KEY, None)
            st.session_state.get(TEACHER_KEYS, {}).pop(class_id, None)
            st.query_params.clear()
            st.session_state["class_erased"] = True
            st.rerun()


def _csv(store, class_id: str, key: str, base: str, last: list):
    """The download's data, made when the teacher clicks (outside this script run: `base` is the app's
    address read now, while st.context knows it). With the store down: the cards last read."""
    def data() -> str:
        try:
            cards = store.wall(class_id, key)
        except StoreDown:
            cards = None
        return wall.wall_csv(wall.sort_cards(cards if cards is not None else last, "name"), base + "/")
    return data


def _unopened_wall(err: StoreDown, class_id: str, key: str) -> None:
    """A teacher link while the store is down, its key not yet checked: said, and tried again."""
    _note_link_problems([])
    page_link.show_notice(PAGE)
    st.title("Class wall", anchor=False)
    _unreachable(err, f"the wall cannot be shown yet. This page tries again by itself every {RETRY_S:g} s; "
                      "your students keep training, and their latest snapshots go up when it is back.")
    _retry_until_back(lambda: open_store().is_teacher(class_id, key))


def teacher_wall(class_id: str, key: str) -> None:
    opened = st.session_state.setdefault(OPENED, {})
    try:
        store = open_store()
        teacher = store.is_teacher(class_id, key)
        info = store.class_info(class_id) if teacher else None
    except StoreDown as err:
        if class_id not in opened:
            _unopened_wall(err, class_id, key)
            return
        # a wall this session opened: drawn as last read (its cards say the store is down)
        store, teacher, info = open_store(), True, opened[class_id]
    if not teacher or info is None:
        opened.pop(class_id, None)
        _note_link_problems(["this teacher link does not open a wall: its key does not fit, or the class has "
                             "ended. Start a new class below."])
        page_link.show_notice(PAGE)
        start_class()
        return
    opened[class_id] = info
    _note_link_problems([])
    page_link.show_notice(PAGE)
    st.title("Class wall", anchor=False)          # no anchor: a heading's link would copy the address
    st.text(info.title)
    if store.incident and time.time() - store.incident[0] < INCIDENT_SHOWN_S:
        st.info(f"{store.incident[1][:1].upper()}{store.incident[1][1:]}.", icon=":material/history:")
    st.markdown("**Join link** for the students:")
    base = app_base()
    st.code(wall.join_link(base, class_id), language=None)
    last = st.session_state.get(LAST_WALL, [])
    cols = st.columns([2, 1, 1])
    with cols[0]:
        sort = st.segmented_control("Sort by", wall.SORTS, default="name", key="wall_sort") or "name"
    with cols[1]:
        st.download_button("Download the wall (CSV)", icon=":material/download:", file_name="class-wall.csv",
                           mime="text/csv", on_click="ignore", data=_csv(store, class_id, key, base, last))
    with cols[2]:
        _erase(class_id, key)
    _challenge_form(class_id, key, info.challenge)
    if info.lesson is None:
        lesson_wall.start_form(store, class_id, key)
    problem = st.session_state.pop("class_open_problem", None)
    if problem:
        st.warning(literal(problem))

    @st.fragment(run_every=WALL_EVERY_S)
    def _cards() -> None:
        live = True
        try:
            cards = store.wall(class_id, key)
        except StoreDown as err:
            cards, live = st.session_state.get(LAST_WALL, []), False
            _unreachable(err, f"the cards below are as they were; this wall tries again every {RETRY_S:g} s "
                              "and catches up by itself. Your students keep training, and their latest "
                              "snapshots go up when it is back.")
        challenge = info.challenge
        if cards is None:
            st.info("This class has ended: it was erased.")
            return
        results = _lesson(store, class_id, key, cards) if live else []
        st.session_state[LAST_WALL] = cards
        st.caption(f"{len(cards)} student{'' if len(cards) == 1 else 's'} · refreshed every {WALL_EVERY_S:g} s")
        now = time.time()
        # one wrapping row of fixed-width cards: rows of st.columns were six blocks more per five cards,
        # all resent every second
        with st.container(horizontal=True, wrap=True, gap="small"):
            for card in wall.sort_cards(cards, sort):
                _card(card, class_id, key, now, live, challenge, lesson_wall.goals_line(results, card.student_id))

    _cards()


def _lesson(store, class_id: str, key: str, cards: list) -> list:
    """The running lesson's panel (read afresh: another tab may have moved it); the goals met, [] without
    a lesson. A lesson ended or started elsewhere redraws the whole wall (its start form comes and goes)."""
    try:
        lesson = store.class_info(class_id)
    except StoreDown:           # the cards say so; the panel comes back with the store
        return []
    lesson = None if lesson is None else lesson.lesson
    shown = st.session_state.get(OPENED, {}).get(class_id)
    if shown is not None and (shown.lesson is None) != (lesson is None):
        st.rerun(scope="app")
    if lesson is None:
        return []
    try:
        results = store.lesson_results(class_id, key) or []
    except StoreDown:
        return []
    lesson_wall.panel(store, class_id, key, lesson, results, {c.student_id: c.name for c in cards},
                      lambda step, student_id, name: _open_run(class_id, key, student_id, name, step))
    return results


def _teacher_key(class_id: str | None) -> str | None:
    """The teacher key for `class_id`: from the link once (then out of the address bar), else as this
    session remembers it."""
    keys = st.session_state.setdefault(TEACHER_KEYS, {})
    link_key = _param("key")
    if link_key is not None:
        st.query_params.pop("key", None)     # out of sight: the address bar (and so any heading anchor) loses it
        if class_id:
            keys[class_id] = link_key
        return link_key
    return keys.get(class_id or "")


def class_page() -> None:
    if st.session_state.pop("class_erased", False):
        st.success("The class was erased.")
    join_id, class_id = _param("join"), _param("class")
    if class_id is not None or _param("key") is not None:
        key = _teacher_key(class_id)
        if key is None:
            _note_link_problems(["this wall's address holds no key: the key is kept out of the address bar, so a "
                                 "projected screen does not show it, and a reloaded page needs the teacher link "
                                 "again. Open your teacher link (or start a class below)."])
            page_link.show_notice(PAGE)
            start_class()
            return
        teacher_wall(class_id or "", key)
        return
    if join_id is not None:
        student_join(join_id)
        return
    st.title("Class", anchor=False)
    _note_link_problems([])
    page_link.show_notice(PAGE)
    m = class_session.membership()
    if m is not None:           # a student: their class, not the teacher's form
        joined(m)
        return
    start_class()
