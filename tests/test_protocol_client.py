"""mlp/ui/protocol_client.py against a real server: a `Student` without a browser loads the Playground,
presses Play, keeps playing on the fragment's timer, and counts the Output chart's frames exactly.
"""
import asyncio
import time

from mlp.ui.protocol_client import CHART_KEY, Student
from mlp.live.payload import Held, read_chart_payload
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from tests.browser import run_async, start_streamlit

PLAY_TIMEOUT_S = 20.0
MIN_FRAMES = 20              # about a second of Play: several batches, each on the fragment's timer


def chart_frames(raw_messages: list[bytes]) -> tuple[int, int]:
    """(frames, batches) of the Output chart in these raw ForwardMsgs, counted here from the payloads
    (not with Student's own code), resolving cached references and reading each payload from the figure
    the one before left, as the browser does."""
    by_hash: dict[str, ForwardMsg] = {}
    frames = batches = 0
    held = None             # each payload continues the last one's last frame, which this reader holds
    for raw in raw_messages:
        msg = ForwardMsg.FromString(raw)
        msg = by_hash[msg.ref_hash] if msg.HasField("ref_hash") else msg
        by_hash[msg.hash] = msg
        element = msg.delta.new_element
        if element.WhichOneof("type") == "bidi_component" and element.bidi_component.id.endswith(CHART_KEY):
            payload = read_chart_payload(element.bidi_component.bytes, held)
            held = Held(payload["id"], payload["frames"][-1])
            frames += len(payload["frames"])
            batches += 1
    return frames, batches


async def play(url: str) -> tuple[Student, list[bytes], float]:
    """One student opens the page and presses Play; returns it (closed), every raw message, seconds to a frame."""
    student, received = Student(url), []
    student.on_message = received.append
    await student.open()
    assert "Play" in student.buttons
    loaded = student.frames                   # the page shows one picture before Play
    await student.press("Play")
    assert "Pause" in student.buttons and "Play" not in student.buttons
    start = time.monotonic()
    first = None
    while student.frames < loaded + MIN_FRAMES and time.monotonic() - start < PLAY_TIMEOUT_S:
        await asyncio.sleep(0.1)
        if first is None and student.frames > loaded:
            first = time.monotonic() - start
    await student.close()
    return student, received, first


def test_a_student_plays_and_counts_every_frame():
    proc, url = start_streamlit()
    try:
        student, received, first = run_async(play(url))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert student.error is None
    assert first is not None, f"no frame within {PLAY_TIMEOUT_S:g} s of Play"
    # the counts equal what actually arrived, batch by batch
    assert (student.frames, student.batches) == chart_frames(received)
    assert student.batches >= 2 and student.frames > student.batches      # batches carry several frames
    assert student.step > 0
    assert student.bytes == sum(map(len, received))
