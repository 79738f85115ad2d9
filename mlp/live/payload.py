"""The wire format of a live chart: figures as compact JSON, their arrays as binary beside it.

The decoder is the browser's (mlp/ui/plotly_live.js: `decode`); read_chart_payload is the same
contract in Python, for the tests and the protocol client. Change both sides together.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import orjson

from mlp.live import pace


# What the browser's playback needs of the pace (mlp/live/pace.py), sent rather than copied into plotly_live.js:
# a longer gap between batches is a pause, and how far one gap moves the smoothed period between batches.
BROWSER_PACE = {"pauseMs": pace.FIRST_AFTER_PAUSE_S * 1000, "smoothing": pace.SMOOTHING}


@dataclass(frozen=True)
class Held:
    """A chart's last figure as the browser holds it, and the id of the payload that brought it there."""
    id: str
    fig: dict


class NotHeld(ValueError):
    """A payload told as changes from a figure the reader does not hold (a payload was lost, or the reader is new)."""


def chart_payload(frames: list[dict], height: int, revision: int, plane_clicks: bool = False, *,
                  id: str | None = None, held: Held | None = None) -> bytes:
    """What the live chart component receives: the figures as compact JSON, their arrays as binary.

    plane_clicks: the browser reports every click on the plot as {x, y, on: trace name}.
    id: this payload's name, which the next one may refer to. held: the figure the browser holds from
    the last payload (Held(its id, its last frame)): the first frame is then told as changes from it,
    as every later frame is from the one before. Each batch would otherwise send every curve's whole
    history and every layout again, and the last batch's copy, 100-150 KB of stream back, is outside
    the 32 KB window WebSocket compression finds repeats in. A browser that does not hold that figure
    (a message was lost) asks for a whole one (mlp/ui/plotly_live.py: resync).

    Layout: a little-endian uint32 n, n bytes of JSON, then every `bytes` value of the figures
    (typed arrays' bdata, heatmap codes) back to back. In the JSON each stands as {"@bin": [offset,
    length]} into that tail, which the browser turns into an ArrayBuffer (mlp/ui/plotly_live.js).
    Base64 would add a third to every array and JSON-escaping it costs more than building the frame.
    A trace or layout equal to the previous frame's in the same payload is sent as {"@prev": 1}
    (the training points under a boundary that moves), any other as its changes from the previous
    frame's (_changes: the boundary's codes as byte deltas, a curve's new points). A NaN or inf
    outside a typed array goes as null, which Plotly draws as a gap. Bytes travel in Streamlit's protobuf message as they are; a
    dict would be re-serialised with spaces after every comma and colon.

    orjson, not the standard json: the same JSON six times faster (0.09 ms instead of 0.56 for the
    charts of a 6 x 8 net's frame, bench/frame_cost.py), on every frame of every student.
    """
    first = frames[0] if held is None else _as_changes(held.fig, frames[0])
    frames = [first] + [_as_changes(before, fig) for before, fig in zip(frames, frames[1:])]
    payload = {"frames": frames, "height": height, "revision": revision, "pace": BROWSER_PACE}
    if plane_clicks:
        payload["planeClicks"] = True
    if id is not None:
        payload["id"] = id
    if held is not None:
        payload["base"] = held.id
    blobs, size = [], 0

    def binary(value):
        nonlocal size
        if not isinstance(value, bytes):
            raise TypeError(f"a chart cannot send {type(value).__name__}")
        blobs.append(value)
        size += len(value)
        return {"@bin": [size - len(value), len(value)]}

    # numpy scalars too (np.float64 and np.int64 slip into figures through round() and indexing)
    header = orjson.dumps(payload, default=binary, option=orjson.OPT_SERIALIZE_NUMPY)
    return b"".join([len(header).to_bytes(4, "little"), header, *blobs])


_PREVIOUS = {"@prev": 1}


def _as_changes(before: dict, fig: dict) -> dict:
    """fig as its changes from before: each trace, and the layout, that equals before's as _PREVIOUS,
    any other as _changes from before's (the decoder is _applied)."""
    old = before["data"]
    return {"data": [_changes(old[j], trace) if j < len(old) else trace for j, trace in enumerate(fig["data"])],
            "layout": _changes(before["layout"], fig["layout"])}


def _changes(before, after):
    """after, told as changes from before, small where after is like before:

    - equal: {"@prev": 1};
    - dict from a dict: {"@patch": {key: changes of each changed or new key}, "@drop": [keys gone]};
    - list from a list as long: {"@items": [changes of each item]};
    - bytes that continue before (a curve that grew by a point): {"@ext": the new bytes};
    - bytes as long as before (a heatmap's codes, a curve of a full history): {"@delta": after - before,
      byte by byte mod 256}, which is mostly zeros or near zero: the same size, but WebSocket compression
      (.streamlit/config.toml) squeezes it to a fraction of the frame it stands for;
    - anything else: after itself.
    """
    if type(before) is not type(after):
        return after
    if isinstance(after, dict):
        if _same(after, before):
            return _PREVIOUS
        change = {"@patch": {k: (_changes(before[k], v) if k in before else v)
                             for k, v in after.items() if k not in before or not _same(before[k], v)}}
        dropped = [k for k in before if k not in after]
        if dropped:
            change["@drop"] = dropped
        return change
    if isinstance(after, list):
        if _same(after, before):
            return _PREVIOUS
        if len(after) == len(before):
            return {"@items": [_changes(b, a) for b, a in zip(before, after)]}
        return after
    if isinstance(after, bytes):
        if after == before:
            return _PREVIOUS
        if len(after) > len(before) and after.startswith(before):
            return {"@ext": after[len(before):]}
        if len(after) == len(before):
            delta = np.frombuffer(after, np.uint8) - np.frombuffer(before, np.uint8)    # wraps mod 256
            return {"@delta": delta.tobytes()}
        return after
    return _PREVIOUS if _same(before, after) else after


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN (a NaN outside a typed array is sent as null either way). A numpy array
    in a figure (sent as a list) makes values unequal, not an error."""
    try:
        return bool(a == b) or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)
    except ValueError:                  # "the truth value of an array ... is ambiguous"
        return False


def _applied(before, change):
    """The inverse of _changes: what `after` was, from before and its changes (before is not modified)."""
    if not isinstance(change, dict) or not change.keys() & _MARKS:
        return change
    if change == _PREVIOUS:
        return before
    if "@patch" in change:
        out = {k: v for k, v in before.items() if k not in change.get("@drop", ())}
        for k, v in change["@patch"].items():
            out[k] = _applied(before[k], v) if k in before else v
        return out
    if "@items" in change:
        return [_applied(b, c) for b, c in zip(before, change["@items"])]
    if "@ext" in change:
        return before + change["@ext"]
    return (np.frombuffer(before, np.uint8) + np.frombuffer(change["@delta"], np.uint8)).tobytes()


_MARKS = {"@prev", "@patch", "@items", "@ext", "@delta"}


def read_chart_payload(data: bytes, held: Held | None = None) -> dict:
    """The inverse of chart_payload, as the browser reads it: every binary part back as bytes, every
    frame rebuilt from the one before and its changes (_applied), the first from `held` when the
    payload names a base (NotHeld when held is not that figure)."""
    n = int.from_bytes(data[:4], "little")
    tail = data[4 + n:]

    def restore(obj: dict):
        if obj.keys() == {"@bin"}:
            start, length = obj["@bin"]
            return tail[start:start + length]
        return obj

    payload = json.loads(data[4:4 + n], object_hook=restore)     # (orjson.loads has no hook)
    frames = payload["frames"]
    if "base" in payload:
        if held is None or held.id != payload["base"]:
            raise NotHeld(f"the payload continues {payload['base']!r}, the reader holds "
                          f"{None if held is None else held.id!r}")
        frames[0] = _applied_figure(held.fig, frames[0])
    for i in range(1, len(frames)):
        frames[i] = _applied_figure(frames[i - 1], frames[i])
    return payload


def _applied_figure(before: dict, fig: dict) -> dict:
    return {"data": [_applied(before["data"][j], trace) if j < len(before["data"]) else trace
                     for j, trace in enumerate(fig["data"])],
            "layout": _applied(before["layout"], fig["layout"])}
