"""A student's side of the class wall: the membership this session joined, and the snapshots it posts.

The Playground's live fragment calls `post_snapshot` on every rerun; while playing it posts at most
every POST_EVERY_S (and at once when the run's state changes: paused, diverged), so the teacher's
wall, which rereads every WALL_EVERY_S, is at most POST_EVERY_S + WALL_EVERY_S behind. A paused run
posts whenever its step or state changes (a Step, a Reset): those come at a human pace. A session that
joined no class does nothing here. What is posted is the snapshot (mlp/classroom/wall.py) and the run's
checkpoint, nothing else; leaving deletes the card.

A playing run's posts go through the process's post queue (mlp/classroom/wall_posts.py): written in one
transaction with the other students' of the same quarter second, from a thread of their own, and the
write brings back the class's challenge (no read of the class per post). A paused run's post (a Step,
a Pause) and a join ask the writer to go at once and wait for it a moment (PAGE_WAIT_S), so the card
shows it before the page is drawn when the store is quick, and the page never waits longer. When the
store is down, the page says so in plain words (`status`), training goes on, and the queue keeps the
student's latest post and sends it when the store is back.

A class that runs a lesson (mlp/ui/lesson_follow.py applies its steps): the class is reread every
LESSON_CHECK_EVERY_S instead of CHECK_EVERY_S, and a post's answer brings the lesson's state too,
so a step the teacher moved to reaches the page within about that long (the page reruns whole when
the step it shows is not the class's). A paused page's header rereads it on its timer; a playing
page's live fragment does (keep_up), and its header's timer waits CHECK_EVERY_S as outside a lesson.
Each rerun of a playing run judges the step's goal (cheap: a few comparisons), and the first time it
is met records it in the store with the run's checkpoint and says so once (a toast).

The student's card is named in the address bar (MEMBER_PARAM = "<class id>.<student id>"), so a reloaded
page (a new Streamlit session, with nothing in session_state) takes the same card back, name and all,
instead of joining again. The share links (state.link_params) never carry it.
"""
from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass, field

import streamlit as st

from mlp.classroom import wall
from mlp.classroom.lesson_goals import Goal, first_met
from mlp.run.checkpoint import save_trainer
from mlp.run.config import Config
from mlp.classroom.wall_posts import UNKNOWN, post_queue
from mlp.classroom.store import KEEP, MAX_WEIGHT_BYTES, TOKEN, LessonState, new_student_id, open_store
from mlp.classroom.store.guard import StoreDown
from mlp.run.stuck_units import StuckWatch
from mlp.run.trainer import Trainer


SESSION_KEY = "class_membership"
MEMBER_PARAM = "member"
RESTORE_TRIED_KEY = "class_member_restore_tried"     # the address bar's member param, once looked up
NOTE_KEY = "class_note"       # why this session's card left the wall by the store's doing (removed, class full)
POST_EVERY_S = 1.0
CHECK_EVERY_S = 5.0     # how often a student's header rereads the class: its challenge, or its end
LESSON_CHECK_EVERY_S = 1.0   # ... while it runs a lesson: a step the teacher moved to shows within 3 s
CHECK_EARLY = 0.75      # a reread is due this share of the period after the last (a timer's rerun comes a bit early)
CLOSED_KEY = "class_closed_title"   # the title of the class the teacher erased, to say so once
OPENED_KEY = "class_opened_run"     # (student's name, trainer) of a card the teacher opened from the wall
WEIGHTS_EVERY_S = 5.0   # the checkpoint (for the teacher's Open) goes along at most this often: making
                        # it (about 1 ms for the default net) costs more than the rest of a post


@dataclass
class Membership:
    class_id: str
    student_id: str
    name: str
    title: str
    challenge: dict | None = None
    reached: dict | None = None       # when this run met `challenge`: {"step", "n_params"}
    next_post: float = 0.0            # time.monotonic() when the next post of a playing run is due
    last_post: float = 0.0            # time.monotonic() of the last post ...
    last_weights: float = -1e9        # ... and of the last one that carried the weights
    last_seen: tuple = (None, None)   # (state, step) of the last post
    problem: str | None = None        # why the last post failed, if it did
    last_check: float = -1e9          # time.monotonic() when the header last reread the class
    lesson: LessonState | None = None  # the class's lesson as last read (None: it runs none, or not read yet)
    lesson_read: bool = False         # `lesson` was read since this session took the card
    applied: tuple | None = None      # (lesson id, step) this page shows (mlp/ui/lesson_follow.py sets it)
    goal: Goal | None = None          # the goal of the step this page shows
    met: set = field(default_factory=set)   # (lesson id, step) whose goal this session met and recorded
    judged: tuple = (None, -1)        # (id of the trainer, step) the goal was judged up to: the history after it is new
    followed: tuple | None = ("",)    # the (lesson id, step) the header last reran the page for (None: no lesson)

    def lesson_moved(self) -> bool:
        """Whether the class's lesson is at a step this page does not show (or ended, or began), and the
        page was not yet rerun for it (once: a page that cannot show it, the store down, does not loop)."""
        now = None if self.lesson is None else (self.lesson.lesson_id, self.lesson.step)
        return self.lesson_read and now != self.applied and now != self.followed


def membership() -> Membership | None:
    """This session's class, or, in a session that has none yet, the one its address names (a reload)."""
    state = st.session_state
    m = state.get(SESSION_KEY)
    # every Playground rerun asks (post_snapshot): look at the address only while it names a card
    if m is None and MEMBER_PARAM in st.query_params and state.get(RESTORE_TRIED_KEY) != st.query_params[MEMBER_PARAM]:
        m = _restore()
    return m


def _restore() -> Membership | None:
    """The card named by the address bar's member param, taken back: same student id, same name."""
    raw = st.query_params.get(MEMBER_PARAM)
    st.session_state[RESTORE_TRIED_KEY] = raw
    class_id, _, student_id = (raw or "").partition(".")
    if not (TOKEN.fullmatch(class_id) and TOKEN.fullmatch(student_id)):
        return None
    try:
        store = open_store()
        info = store.class_info(class_id)
        name = store.student_name(class_id, student_id) if info is not None else None
    except StoreDown:           # not reachable now: look again on a later rerun (the store fails fast meanwhile)
        st.session_state[RESTORE_TRIED_KEY] = None
        return None
    except Exception:           # the wall is an extra: nothing here may stop the page
        logging.getLogger("mlp.classroom.store").exception("class wall: taking a card back failed")
        return None
    if name is None:            # the student left, or the class was erased: a stale link, nothing to take back
        return None
    m = st.session_state[SESSION_KEY] = Membership(class_id, student_id, name, info.title, info.challenge)
    post_queue(store).confirm(class_id, student_id)
    return m


def url_param() -> dict[str, str]:
    """The address bar's param naming this session's card (empty when it is in no class)."""
    m = st.session_state.get(SESSION_KEY)
    return {MEMBER_PARAM: f"{m.class_id}.{m.student_id}"} if m is not None else {}


def keep_in_url() -> None:
    """Put the card's param back into the address bar (Streamlit drops query params on a page change);
    run by every page first (page_setup), so a reloaded page takes its card back before anything
    rewrites the address bar."""
    membership()
    for param, text in url_param().items():
        if st.query_params.get(param) != text:
            st.query_params[param] = text


def join(class_id: str, title: str, name: str, challenge: dict | None) -> tuple[Membership | None, str | None]:
    """Join: the card appears on the wall (state "joined", no picture yet), through the post queue, and
    is named in the address bar, so a reload keeps it. (membership, None), or (None, why) when the class
    refuses a new card (full, too many joins this minute). With the store down the student is in the
    class all the same: the card goes up when it is back."""
    m = Membership(class_id, new_student_id(), name, title, challenge)
    st.session_state[SESSION_KEY] = m
    st.session_state.pop(NOTE_KEY, None)
    try:
        queue = post_queue(open_store())
        queue.put(class_id, m.student_id, name, {"state": "joined", "time": time.time()}, None)
        queue.flush_soon()
        refused = queue.refused(class_id, m.student_id)
        m.problem = queue.problem(class_id, m.student_id)
    except StoreDown as err:
        refused, m.problem = None, str(err)
    if refused:
        st.session_state.pop(SESSION_KEY, None)
        return None, refused
    return m, None


def leave() -> None:
    """Remove this student's card and stop posting (the card goes when the store can take it)."""
    m = st.session_state.pop(SESSION_KEY, None)
    st.query_params.pop(MEMBER_PARAM, None)
    st.session_state[RESTORE_TRIED_KEY] = None          # nothing in the address bar to take back now
    if m is not None:        # through the queue: a post still waiting there must not bring the card back
        try:
            post_queue(open_store()).leave(m.class_id, m.student_id)
        except StoreDown:    # a bad MLP_STORE: there is no card to take down
            pass


PENDING = "its first snapshot is on its way"


def status(m: Membership) -> str | None:
    """Why this session's card is not on the wall just now (a plain sentence), or None when it is:
    what the last write said, looked up afresh (the writer may have caught up since the last post).
    A card no write has taken yet is not said to be on the wall."""
    try:
        queue = post_queue(open_store())
    except StoreDown as err:
        m.problem = str(err)
        return m.problem
    m.problem = queue.problem(m.class_id, m.student_id)
    if m.problem is None and not queue.confirmed(m.class_id, m.student_id):
        return PENDING
    return m.problem


def _weights(trainer: Trainer) -> bytes | None:
    """The run's checkpoint, when it can fit the store's cap: the weights, the last good ones and up
    to two optimizer vectors, 8 bytes each, barely compress. A bigger net's card cannot be opened."""
    if 4 * 8 * trainer.net.params.size > MAX_WEIGHT_BYTES:
        return None
    return save_trainer(trainer)


def post_snapshot(run, watch: StuckWatch) -> None:
    """Post this run's snapshot to the class wall when this session is in a class and one is due.

    `run`: the tab's `mlp.ui.state.Run` (not imported: the state imports this module for its link param)."""
    m = membership()
    if m is None or run.report is None:
        return
    _judge_goal(m, run)
    now = time.monotonic()
    # every rerun of every student comes here: a playing run that is not due yet (and has not just
    # diverged) leaves before the stuck-unit check; a dead or saturated layer shows on the next post
    if (run.playing and now < m.next_post and run.report.diverged_at is None
            and m.last_seen[0] not in (None, "paused", "diverged")):
        return
    state = wall.run_state(run.playing, run.report, {a.kind for a in watch.alarms()})
    seen = (state, run.report.step)
    if seen == m.last_seen or (run.playing and state == m.last_seen[0] and now < m.next_post):
        return
    # Due every POST_EVERY_S from when it was due, not from when it went: a page reruns about twice a
    # second, and "a second after the last post" would mostly wait for the rerun after next (1.5 s).
    # Never sooner than half of POST_EVERY_S, so a page that lagged does not post in a burst.
    m.next_post = max(m.next_post + POST_EVERY_S, now + POST_EVERY_S / 2)
    m.last_post, m.last_seen = now, seen
    try:
        # the challenge is the one the last write brought back: a new one counts from the next post on
        if m.reached is None and wall.meets(m.challenge, run.trainer, run.report):
            m.reached = {"step": int(run.report.step), "n_params": int(run.trainer.net.params.size)}
            if run.from_file:       # a file's step counter is its own word: ranked after runs trained here
                m.reached["from_file"] = True
        snap = wall.snapshot(run.trainer, run.report, state, m.reached)
        if now - m.last_weights >= WEIGHTS_EVERY_S or not run.playing:
            weights, m.last_weights = _weights(run.trainer), now
        else:
            weights = KEEP
        queue = post_queue(open_store())
        queue.put(m.class_id, m.student_id, m.name, snap, weights)
        if not run.playing:
            queue.flush_soon()
        info = queue.known(m.class_id)
        refused = queue.refused(m.class_id, m.student_id)
        if info is None or refused:             # the teacher erased the class (or it expired), or removed the card
            st.session_state.pop(SESSION_KEY, None)
            st.query_params.pop(MEMBER_PARAM, None)
            st.session_state[NOTE_KEY] = refused or "the class has ended: your teacher erased it"
            return
        if info is not UNKNOWN and info.challenge != m.challenge:
            m.challenge, m.reached = info.challenge, None
        if info is not UNKNOWN:
            m.lesson, m.lesson_read = info.lesson, True
        m.problem = queue.problem(m.class_id, m.student_id)
    except StoreDown as err:    # a bad MLP_STORE: said in the header; training goes on
        m.problem = str(err)
    except Exception:           # the wall is an extra: nothing here may stop a student's run
        logging.getLogger("mlp.classroom.store").exception("class wall: a post failed")
        m.problem = "the class wall could not take this snapshot"


def _judge_goal(m: Membership, run) -> None:
    """The first time this run meets the goal of the step the page shows: recorded in the store, with the
    run's checkpoint, and said once. A run from a weights file or with weights set by hand does not count
    (its step counter and its training are not this step's)."""
    if m.goal is None or m.applied is None or m.applied in m.met or run.from_file or run.hand_edited:
        return
    # from where this run was last judged: a new run (Reset, a new step) or a step Back starts again
    trainer, upto = m.judged
    after = min(upto, run.report.step - 1) if trainer == id(run.trainer) else -1
    m.judged = (id(run.trainer), run.report.step)
    point = first_met(m.goal, run.config, run.trainer.history, run.report, after)
    if point is None:
        return
    lesson_id, step = m.applied
    try:
        open_store().record_goal(m.class_id, m.student_id, m.name, lesson_id, step, point.step, point.test_loss,
                                 point.test_metric if run.config.problem == "classification" else None,
                                 _weights(run.trainer))
    except StoreDown as err:        # said in the header; judged again on the next rerun, from the same point
        m.problem, m.judged = str(err), (id(run.trainer), after)
        return
    except Exception:               # the wall is an extra: nothing here may stop a student's run
        logging.getLogger("mlp.classroom.store").exception("class wall: recording a goal failed")
    m.met.add(m.applied)
    st.toast(f"Goal met at step {point.step:,}: {m.goal.describe()}. Your teacher's wall shows it.",
             icon=":material/emoji_events:")


def _class_line(m: Membership, why: str | None) -> str:
    """The header's class line as HTML: which class, which name, whether the card is on the wall (names
    are text, never markup)."""
    if why is None:
        state = "on the wall"
    elif why == PENDING:
        state = f"not on the wall yet: {why}"
    else:   # short, for the header's one line; the whole sentence on hover
        state = (f'<span style="color:#8a5a00" title="{html.escape(why)}: your training goes on, and your latest '
                 f'snapshot is sent when it is back">not on the wall just now (retrying)</span>')
    return (f'<div style="font-size:0.85rem;color:#555">In class <b>{html.escape(m.title)}</b> as '
            f'<b>{html.escape(m.name)}</b> · {state}</div>')



# -- the student's line in the Playground's header -------------------------------------------------


def on_challenge_data(challenge: dict, config) -> bool:
    """Whether `config` trains on the challenge's data (its data settings, as a link writes them)."""
    query = config.to_query()
    return all(query.get(k) == v for k, v in challenge.get("data", {}).items())


def challenge_config(run) -> Config | None:
    """The run's settings switched to the class challenge's data (and its natural output), the rest kept;
    None outside a class or without a challenge. `run`: the tab's mlp.ui.state.Run."""
    m = st.session_state.get(SESSION_KEY)
    if m is None or not m.challenge:
        return None
    config, _ = Config.from_query_lenient({**run.config.to_query(), **wall.challenge_params(m.challenge)},
                                          run.config)
    return config


def _refresh(m: Membership) -> Membership | None:
    """Reread the class (at most every CHECK_EVERY_S): a new challenge reaches a student who is not
    training too, and an erased class ends the membership (None)."""
    now = time.monotonic()
    if now - m.last_check < CHECK_EARLY * (CHECK_EVERY_S if m.lesson is None else LESSON_CHECK_EVERY_S):
        return m
    m.last_check = now
    try:
        info = open_store().class_info(m.class_id)
    except Exception:           # the wall is an extra: try again at the next check
        return m
    if info is None:            # erased by the teacher (or expired)
        st.session_state.pop(SESSION_KEY, None)
        st.query_params.pop(MEMBER_PARAM, None)
        st.session_state[RESTORE_TRIED_KEY] = None
        st.session_state[CLOSED_KEY] = m.title
        return None
    if info.challenge != m.challenge:
        m.challenge, m.reached = info.challenge, None
    m.lesson, m.lesson_read = info.lesson, True
    return m


def member_line(run, go_to_challenge) -> None:
    """"In class … as … · on the wall" (or why not just now: the store unreachable, retried), the class's
    challenge with a button onto its data (`go_to_challenge(run)`), or that the class was closed or the
    card removed. Reruns on its own every CHECK_EVERY_S (LESSON_CHECK_EVERY_S while the class runs a
    lesson), so these reach a paused student too; a lesson moved to another step reruns the whole page,
    which then shows that step. `run`: the tab's mlp.ui.state.Run (not imported: the state imports this
    module)."""
    m = st.session_state.get(SESSION_KEY)
    # a playing page's live fragment rereads the lesson (keep_up): the header's own timer would be one
    # more fragment run a second per student, 30 a second for a room on one worker
    lesson_paused = m is not None and m.lesson is not None and not run.playing
    every = LESSON_CHECK_EVERY_S if lesson_paused else CHECK_EVERY_S

    @st.fragment(run_every=every)
    def _line() -> None:
        _member_line(run, go_to_challenge)

    _line()


def _follow_if_moved(m: Membership) -> None:
    """Rerun the whole page (lesson_follow.follow then shows the step) when the class's lesson moved."""
    if m.lesson_moved():
        m.followed = None if m.lesson is None else (m.lesson.lesson_id, m.lesson.step)
        st.rerun(scope="app")


def keep_up(run) -> None:
    """While the page plays in a class that runs a lesson: reread the class (at most every
    LESSON_CHECK_EVERY_S) and follow a step the teacher moved to. Run by the live fragment, which
    reruns every half second while playing anyway, so the header's timer can wait CHECK_EVERY_S then
    (member_line). `run`: the tab's mlp.ui.state.Run."""
    m = st.session_state.get(SESSION_KEY)
    if m is None or m.lesson is None or not run.playing:
        return
    m = _refresh(m)
    if m is not None:
        _follow_if_moved(m)


def _member_line(run, go_to_challenge) -> None:
    m = membership()
    m = _refresh(m) if m is not None else None
    if m is not None:
        _follow_if_moved(m)
    if m is None:
        closed = st.session_state.get(CLOSED_KEY)
        opened = st.session_state.get(OPENED_KEY)
        note = st.session_state.get(NOTE_KEY)
        if closed:
            st.caption(f"The class “{closed}” was closed by the teacher: your run is no longer on the wall.")
        elif note:
            st.html(f'<div style="font-size:0.85rem;color:#8a5a00">Not in a class now: {html.escape(note)}.</div>')
        elif opened is not None and opened[1] is run.trainer:      # until a new run replaces it
            st.html(f'<div style="font-size:0.85rem;color:#555">Showing <b>{html.escape(opened[0])}</b>’s run, '
                    'opened from the class wall</div>')
        return
    line = _class_line(m, status(m))
    if m.lesson is not None and m.applied is not None:
        st.html(line + _lesson_line(m))
        return
    if not m.challenge:
        st.html(line)
        return
    text, button = st.columns([3, 1.4], vertical_alignment="center")
    reached = " · reached ✓" if m.reached else ""
    text.html(line + f'<div style="font-size:0.8rem;color:#555">Challenge: '
                     f'{html.escape(wall.describe_challenge(m.challenge))}{reached}</div>')
    if not on_challenge_data(m.challenge, run.config):
        if button.button("Go to it", icon=":material/flag:", key="class_go_to_challenge",
                         help="Switch to the challenge's data set (a new run; your other settings stay)."):
            go_to_challenge(run)
            st.rerun(scope="app")


def _lesson_line(m: Membership) -> str:
    """The header's second line in a lesson: the step's number and whether its goal is met."""
    step = m.applied[1] + 1
    goal = "" if m.goal is None else (" · goal met ✓" if m.applied in m.met else " · goal: not yet")
    return (f'<div style="font-size:0.8rem;color:#555">Lesson step {step} of {m.lesson.steps}{goal}</div>')
