"""A student who is playing when the teacher moves the lesson, against a real server, as a protocol
client (mlp/ui/protocol_client.py): the page follows within the issue's 3 s, and while it plays its
header keeps no timer of its own at the lesson's pace.

Why the second: with thirty students on one worker, each playing page's header rerunning every second
was thirty more fragment runs a second for the worker (bench/class_wall.py, bench/workshop.py
--lesson), beside the live fragment that reruns every half second anyway. So a playing page's live
fragment rereads the lesson (class_session.keep_up) and the header waits CHECK_EVERY_S, as outside a
lesson; a paused page's header keeps the lesson's pace. Expected values come from the built-in lesson
first-neural-network's meaning: step 2 is the circle at learning rate 0.1 with a fresh, paused run.
"""
import asyncio
import time

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from mlp.classroom import lesson_runs
from mlp.classroom.store import open_store
from mlp.harness.class_room import class_students
from mlp.ui.class_session import CHECK_EVERY_S, LESSON_CHECK_EVERY_S
from mlp.live.pace import RERUN_EVERY_S
from tests.browser import run_async, start_streamlit

# The 3 s for a student's page to switch is a time, measured by bench/workshop.py --lesson, not
# asserted here (a loaded machine stretches it); a page that does not follow misses this deadline.
FOLLOW_DEADLINE_S = 15


def _timers(raw_messages: list[bytes]) -> list[float]:
    """The intervals of the fragment timers the server asked for, in order."""
    intervals = []
    for raw in raw_messages:
        msg = ForwardMsg.FromString(raw)
        if msg.WhichOneof("type") == "auto_rerun":
            intervals.append(round(msg.auto_rerun.interval, 3))
    return intervals


async def _play_then_move(url: str, class_id: str, key: str, lesson_id: str) -> tuple[list[float], float | None, list]:
    student = class_students(url, class_id, 1)[0]
    received: list[bytes] = []
    student.on_message = received.append
    await student.open()
    assert b"Lesson step 1 of 4" in b"".join(received)
    received.clear()
    await student.press("Play")
    await asyncio.sleep(2.5)                      # playing: the live fragment reruns every half second
    assert student.frames > 0 and "Pause" in student.buttons
    playing_timers = _timers(received)
    received.clear()
    open_store().go_to_step(class_id, key, lesson_id, 1)
    moved, followed = time.monotonic(), None
    while time.monotonic() - moved < FOLLOW_DEADLINE_S and followed is None:
        if b"Lesson step 2 of 4" in b"".join(received):
            followed = time.monotonic() - moved
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)                      # the full run that shows the step ends
    buttons = student.buttons
    await student.close()
    return playing_timers, followed, buttons


def test_a_playing_student_follows_a_step_move_and_its_header_waits(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STORE", f"sqlite:///{tmp_path / 'classes.sqlite'}")    # the server inherits it
    class_id, key = open_store().create_class("Playing")
    state = lesson_runs.start(open_store(), class_id, key, "first-neural-network")
    proc, url = start_streamlit()
    try:
        timers, followed, buttons = run_async(_play_then_move(url, class_id, key, state.lesson_id))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # Play's full run set the page's timers: the live fragment's and the header's at the class's pace
    assert RERUN_EVERY_S in timers and CHECK_EVERY_S in timers
    assert LESSON_CHECK_EVERY_S not in timers, f"a playing page's header reran at the lesson's pace: {timers}"
    assert followed is not None, f"the playing page did not show step 2 within {FOLLOW_DEADLINE_S} s"
    assert "Play" in buttons and "Pause" not in buttons        # the step's run starts paused
