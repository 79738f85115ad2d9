"""mlp/ui/protocol_client.py without a server: when a `Student` takes a full run to be over.

The messages are made here as Streamlit sends them (ForwardMsg protos) and fed to the client in
process, so the order that broke bench/class_wall.py replays exactly: a full run (the Play click's)
whose `script_finished` never arrives, because a fragment's timer asked for a rerun just as the run
ended and Streamlit started a new ScriptRunner, dropping the old one's last events (its own comment in
AppSession.request_rerun describes the race). The run is over all the same: a fragment run only starts
once the full run before it has ended. Expected values come from that protocol, not from the client.
"""
import asyncio

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from mlp.ui.protocol_client import Student
from tests.browser import run_async

FINISHED = ForwardMsg.ScriptFinishedStatus
LIVE, HEADER = "fragment-live", "fragment-header"      # a live chart's fragment, the class line's


class NoSocket:
    """Stands for the WebSocket: keeps what the client sends."""

    def __init__(self):
        self.sent: list[bytes] = []

    async def send(self, data: bytes) -> None:
        self.sent.append(data)


def new_session(*fragments: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = "page"
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def button(label: str, widget_id: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.button.id = widget_id
    msg.delta.new_element.button.label = label
    return msg


def finished(status) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def a_loaded_page() -> Student:
    """A student whose page was loaded (one full run, with Play on it), without a server."""
    student = Student("http://127.0.0.1:1")
    student._ws = NoSocket()

    async def load():
        for msg in (new_session(), button("Play", "play-id"), button("Step", "step-id"),
                    finished(FINISHED.FINISHED_SUCCESSFULLY)):
            await student._handle(msg)

    run_async(load())
    return student


async def press_while(student: Student, server_says: list[ForwardMsg], timeout: float = 2.0) -> None:
    """Press Play while these messages arrive, one per turn of the loop (after the click was sent)."""

    async def server():
        while not student._ws.sent:         # the click first, as a server answers it
            await asyncio.sleep(0)
        for msg in server_says:
            await student._handle(msg)

    await asyncio.gather(student.press("Play", timeout=timeout), server())


def test_a_full_run_whose_finish_was_lost_ends_when_a_fragment_run_starts():
    student = a_loaded_page()
    runs = student._full_runs
    # the click's full run draws Pause and the live fragment, then no script_finished: a fragment run
    # of the class line starts (and is cut once, as in the bench's log) before the next one finishes
    run_async(press_while(student, [
        new_session(), button("Pause", "play-id"), button("Step", "step-id"),
        new_session(HEADER), finished(FINISHED.FINISHED_EARLY_FOR_RERUN),
        new_session(HEADER), finished(FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)]))
    assert student._full_runs == runs + 1
    # the page is the click's: Play became Pause, which is what the browser shows
    assert "Pause" in student.buttons and "Play" not in student.buttons


def test_a_full_run_that_finished_is_counted_once_though_fragments_follow():
    student = a_loaded_page()
    runs = student._full_runs
    run_async(press_while(student, [
        new_session(), button("Pause", "play-id"), finished(FINISHED.FINISHED_SUCCESSFULLY),
        new_session(LIVE), finished(FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY),
        new_session(HEADER), finished(FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)]))
    assert student._full_runs == runs + 1
    assert student.buttons == ["Pause"]            # Step was not drawn by the click's run: gone


def test_a_full_run_cut_by_another_waits_for_that_one():
    """A full run cut for a rerun (FINISHED_EARLY_FOR_RERUN) is not the end: the next full run is."""
    student = a_loaded_page()
    runs = student._full_runs

    async def scenario():
        press = asyncio.ensure_future(student.press("Play", timeout=2.0))
        while not student._ws.sent:
            await asyncio.sleep(0)
        for msg in (new_session(), button("Pause", "play-id"), finished(FINISHED.FINISHED_EARLY_FOR_RERUN)):
            await student._handle(msg)
        await asyncio.sleep(0.05)
        assert not press.done()                    # still waiting: that run was cut
        for msg in (new_session(), button("Pause", "play-id"), finished(FINISHED.FINISHED_SUCCESSFULLY)):
            await student._handle(msg)
        await press

    run_async(scenario())
    assert student._full_runs == runs + 1
