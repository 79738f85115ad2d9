"""A student without a browser: Streamlit's own WebSocket protocol, spoken from Python.

bench/workshop.py --client protocol runs many `Student`s in one asyncio loop. A Chromium page costs
about a quarter of a second of CPU per fragment rerun (mlp/live/pace.py), so on the server's own two
cores the browsers, not the server, were the limit; a `Student` costs a few milliseconds per rerun,
which leaves the cores to the server and shows what the server itself can serve.

A `Student` does what the browser's Streamlit frontend (1.67) does on the Playground, no more:

- it GETs the page first, which is where nginx (mlp.classroom.serving) hands out its `mlp_route` cookie and
  Streamlit its XSRF cookie, and opens /_stcore/stream with those cookies and the subprotocols the
  browser sends: ["streamlit", <XSRF cookie, or "PLACEHOLDER_AUTH_TOKEN">];
- it asks for the first run with a `rerun_script` BackMsg (empty query string and page hash, as a
  browser does on "/"), then sends every later rerun with the page hash and query string the server
  gave it (new_session, page_info_changed);
- it echoes every widget's value back with each rerun, as the browser's widget manager does (only
  the widget kinds on this app's pages; a button's trigger is sent once, with its click);
- it keeps the browser's fragment timers: `auto_rerun` starts a plain timer that asks for a rerun of
  that fragment every `interval` seconds whether or not the last one has finished, `stop_auto_rerun`
  and the start of a full run stop them;
- it keeps the browser's cache of large messages (hashes announced in `cached_message_hashes`,
  `ref_hash` answers resolved, entries expired after `max_cached_message_age` runs), so plotly.js
  (4.9 MB) is sent once per student, not on every full run.

A full run is over when its `script_finished` arrives, or, failing that, when a fragment run starts
after it: Streamlit loses a full run's `script_finished` when a fragment's timer asks for a rerun
just as the run ends (AppSession.request_rerun finds the ScriptRunner stopping, starts a new one and
ignores the old one's last events: Streamlit's own comment there names the race). Under a class's
load that took one student in thirty's Play click with it, and `press` waited for a finish that
never came (bench/class_wall.py's TimeoutError). One ScriptRunner runs at a time and a fragment run
never interrupts a full one, so a fragment run's start means the full run before it ended.

What it counts is what bench/workshop.py reads from a browser's Output chart: `frames` (figures
received, the pictures the chart plays) and `batches` (updates of the chart), plus the payload bytes
received and the "Step" metric. It draws nothing and never reads the other charts' data. From the
`script_finished` messages it also counts the fragment runs whose output the server sent (`runs`)
and those whose output it dropped unsent (`runs_cut`, see `_run_finished`; mlp/ui/streamlit_seams.py: wait_until_sent is
why there are few).
"""
from __future__ import annotations

import asyncio
import json
import urllib.request
from http.cookies import SimpleCookie
from typing import Callable
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CHART_KEY = "chart_boundary"          # the Output chart (mlp/ui/stage_live.py), a components-v2 element
XSRF_COOKIE = "_streamlit_xsrf"
NO_TOKEN = "PLACEHOLDER_AUTH_TOKEN"   # what the browser sends when it has no XSRF cookie
WORKER_HEADER = "X-Mlp-Worker"        # mlp.classroom.serving's nginx: which worker answered (mlp/classroom/serving.py)
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


class _CountingConnection(ClientConnection):
    """A client WebSocket that counts the bytes it receives as they travel (frames, compressed)."""
    wire_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        super().data_received(data)


def _http_get(url: str) -> tuple[dict[str, str], str | None]:
    """GET the page as a browser does first: (cookies set, worker that answered)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never a proxy for localhost
    with opener.open(url, timeout=30) as response:
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return {k: m.value for k, m in cookies.items()}, response.headers.get(WORKER_HEADER)


def widget_state(kind: str, w) -> WidgetState | None:
    """The value the browser's widget manager holds for a widget just drawn (None: nothing held).

    A widget the user has not touched holds the server's value (`value` when the server set one,
    else its default), encoded as the frontend encodes that widget kind. Buttons hold nothing
    until clicked; uploaders nothing until a file is chosen.
    """
    s = WidgetState(id=w.id)
    current = getattr(w, "set_value", False)
    if kind == "checkbox":
        s.bool_value = w.value if current else w.default
    elif kind == "slider" and w.options:        # st.select_slider: the options' labels
        s.string_array_value.data.extend(w.raw_value if current else [w.options[int(i)] for i in w.default])
    elif kind == "slider":
        s.double_array_value.data.extend(w.value if current else w.default)
    elif kind == "number_input":
        field = "value" if current else "default"
        if not w.HasField(field):              # an empty input holds nothing
            return None
        if w.data_type == type(w).INT:
            s.int_value = int(getattr(w, field))
        else:
            s.double_value = getattr(w, field)
    elif kind in ("selectbox", "radio"):
        if current and w.HasField("raw_value"):
            s.string_value = w.raw_value
        elif not current and w.HasField("default"):
            s.string_value = w.options[w.default]
        else:
            return None
    elif kind == "text_input":
        field = "value" if current else "default"
        if not w.HasField(field):
            return None
        s.string_value = getattr(w, field)
    elif kind == "multiselect":
        s.string_array_value.data.extend(w.raw_values if current else [w.options[i] for i in w.default])
    elif kind == "button_group":
        s.string_array_value.data.extend(w.raw_values if current else [w.options[i].content for i in w.default])
    else:
        return None
    return s


class _MessageCache:
    """The browser's ForwardMsg cache: large messages kept by hash, dropped after a few unused runs."""

    def __init__(self) -> None:
        self.messages: dict[str, tuple[ForwardMsg, int]] = {}     # hash -> (message, run last used)
        self.runs = 0
        self.max_age = 2

    def keep(self, msg: ForwardMsg) -> None:
        if msg.metadata.cacheable and msg.hash and msg.hash not in self.messages:
            self.messages[msg.hash] = (msg, self.runs)

    def resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """A `ref_hash` message becomes the message it refers to."""
        if not msg.HasField("ref_hash"):
            return msg
        cached, _ = self.messages[msg.ref_hash]       # a miss is a protocol error, as in the browser
        self.messages[msg.ref_hash] = (cached, self.runs)
        return cached

    def run_finished(self, fragment_ids: list[str]) -> None:
        """A run ended: age the cache (a fragment run only ages that fragment's messages)."""
        self.runs += 1
        for h, (msg, used) in list(self.messages.items()):
            if fragment_ids and msg.delta.fragment_id not in fragment_ids:
                continue
            if self.runs - used > self.max_age:
                del self.messages[h]


class Student:
    """One student's page: its own cookies, WebSocket, Streamlit session, widgets and timers.

        student = Student("http://127.0.0.1:8501")
        await student.open()           # loads the page: one full run
        await student.press("Play")    # clicks; from here the fragment timer keeps it playing
        ... student.frames, student.batches, student.bytes, student.step ...
        await student.close()
    """

    def __init__(self, url: str, chart_key: str = CHART_KEY, page: str = "", query: str = "") -> None:
        """page, query: open another page than the Playground ("Class"), with this query string (as a
        link does); a page that switches to another (st.switch_page) is followed."""
        self.url = url.rstrip("/")
        self._page_name = page
        self.chart_suffix = "-" + chart_key          # element ids end in "-<user key>"
        self.frames = 0                # figures received by the Output chart
        self.batches = 0               # updates of the Output chart
        self.bytes = 0                 # WebSocket message bytes received (decompressed)
        self.step: int | None = None   # the "Step" metric, as last received
        self.runs = 0                  # fragment runs whose output was sent whole ...
        self.runs_cut = 0              # ... and runs whose output it dropped unsent
        self._batches_at_finish = 0
        self.worker: str | None = None
        self.on_message: Callable[[bytes], None] | None = None     # sees every raw ForwardMsg (tests)
        self.error: BaseException | None = None
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, timer)
        self._widgets: dict[str, WidgetState] = {}
        self._drawn: set[str] = set()              # widget ids drawn in the current full run
        self._buttons: dict[str, str] = {}         # label -> widget id
        self._cache = _MessageCache()
        self._query = query
        self._page_hash = ""
        self._run_fragments: list[str] = []
        self._full_runs = 0
        self._full_run_open = False                # a full run started and its end was not seen yet
        self._full_run_done = asyncio.Condition()
        self._closing = False

    # -- what a student does ---------------------------------------------------------------------

    async def open(self, timeout: float = 120) -> None:
        """Load the page: cookies from a GET, the WebSocket, the first full run."""
        cookies, self.worker = await asyncio.to_thread(_http_get, self.url + "/")
        parts = urlsplit(self.url)
        self._ws = await connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream", origin=f"{parts.scheme}://{parts.netloc}",
            subprotocols=["streamlit", cookies.get(XSRF_COOKIE, NO_TOKEN)],
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None,
            # permessage-deflate offered, as a browser does: used when the server enables it
            max_size=None, proxy=None, compression="deflate", create_connection=_CountingConnection)
        self.worker = self._ws.response.headers.get(WORKER_HEADER, self.worker)   # the one holding the session
        self._reader = asyncio.create_task(self._read())
        await self._until_full_run(lambda: self._rerun(), timeout)

    async def press(self, label: str, timeout: float = 60) -> None:
        """Click the button labelled `label` and wait for the full run it starts to finish."""
        button = self._buttons[label]
        click = WidgetState(id=button, trigger_value=True)
        await self._until_full_run(lambda: self._rerun(triggers=[click]), timeout)

    @property
    def wire_bytes(self) -> int:
        """Bytes received over the WebSocket as they travelled (after compression, with frame headers)."""
        return self._ws.wire_bytes if self._ws is not None else 0

    @property
    def buttons(self) -> list[str]:
        """Labels of the buttons on the page."""
        return list(self._buttons)

    async def close(self) -> None:
        """Close the tab: timers stop, the WebSocket closes (the server keeps the session for its TTL)."""
        self._closing = True
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader                 # ends with the WebSocket: counts are final after close()

    # -- sending -----------------------------------------------------------------------------------

    async def _rerun(self, fragment_id: str = "", auto: bool = False, triggers: list[WidgetState] = ()) -> None:
        """A `rerun_script` BackMsg as the browser sends it: every widget's value, then any triggers."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self._query
        state.page_script_hash = self._page_hash
        state.page_name = self._page_name          # "" is the main page ("/"); once in a session, the hash says
        state.widget_states.widgets.extend(
            [w for w in self._widgets.values() if all(w.id != t.id for t in triggers)] + list(triggers))
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.cached_message_hashes.extend(self._cache.messages)
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = self.url + "/" + (f"?{self._query}" if self._query else "")
        info.is_embedded, info.color_scheme = False, "light"
        await self._ws.send(msg.SerializeToString())

    async def _until_full_run(self, send, timeout: float) -> None:
        async with self._full_run_done:
            runs = self._full_runs
            await send()
            await asyncio.wait_for(self._full_run_done.wait_for(lambda: self._full_runs > runs or self.error),
                                   timeout)
        if self.error:
            raise RuntimeError(f"the connection ended: {self.error!r}")

    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        """The browser's setInterval: a rerun of the fragment every `interval` s, done or not."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due = max(due + interval, loop.time())   # a late timer fires once, it does not catch up
            await asyncio.sleep(due - loop.time())
            try:
                await self._rerun(fragment_id, auto=True)
            except ConnectionClosed:
                return                               # the reader reports why

    # -- receiving ---------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.bytes += len(raw)
                if self.on_message:
                    self.on_message(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                await self._handle(msg)
        except Exception as err:                   # noqa: BLE001  (reported by open/press and the bench)
            self.error = err
        else:
            if not self._closing:
                self.error = ConnectionError("the server closed the WebSocket")
        finally:
            for _, timer in self._timers.values():
                timer.cancel()
            async with self._full_run_done:
                self._full_run_done.notify_all()

    async def _handle(self, msg: ForwardMsg) -> None:
        msg = self._cache.resolve(msg)
        self._cache.keep(msg)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            if self._full_run_open and msg.metadata.run.fragment_ids:
                await self._full_run_over()        # its script_finished was lost (see the module's docstring)
            self._new_run(msg)
        elif kind == "page_info_changed":
            self._query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element)
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "script_finished":
            await self._run_finished(msg.script_finished)

    def _new_run(self, msg: ForwardMsg) -> None:
        session = msg.new_session
        self._page_hash, self._page_name = session.page_script_hash, ""
        self._cache.max_age = session.config.max_cached_message_age
        self._run_fragments = list(msg.metadata.run.fragment_ids)
        self._full_run_open = not self._run_fragments
        if not self._run_fragments:        # a full run: the browser drops every fragment timer
            for fragment_id in list(self._timers):
                self._stop_timer(fragment_id)
            self._drawn.clear()

    async def _run_finished(self, status: int) -> None:
        if self._run_fragments:
            # Streamlit clears a session's unsent deltas when its next run starts (and then marks the
            # run FINISHED_EARLY_FOR_RERUN): a fragment run whose chart never arrived was cut
            delivered = self.batches > self._batches_at_finish
            self._batches_at_finish = self.batches
            self.runs += delivered
            self.runs_cut += not delivered
        if not self._run_fragments:
            self._full_run_open = False
        if status == FINISHED_EARLY:
            return
        if self._run_fragments:
            self._cache.run_finished(self._run_fragments)
        else:
            await self._full_run_over()

    async def _full_run_over(self) -> None:
        """A full run ended whole: the cache ages, widgets it did not draw are gone from the page (and
        from what the browser sends), and whoever waits for it (open, press) goes on."""
        self._full_run_open = False
        self._cache.run_finished([])
        self._widgets = {k: v for k, v in self._widgets.items() if k in self._drawn}
        self._buttons = {label: i for label, i in self._buttons.items() if i in self._drawn}
        async with self._full_run_done:
            self._full_runs += 1
            self._full_run_done.notify_all()

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        w = getattr(element, kind)
        if kind == "bidi_component" and w.id.endswith(self.chart_suffix):
            # mlp/live/payload.py: chart_payload: uint32 n, n bytes of JSON, binary arrays (not needed here)
            n = int.from_bytes(w.bytes[:4], "little")
            payload = json.loads(w.bytes[4:4 + n])
            self.batches += 1
            self.frames += len(payload["frames"])
        elif kind == "metric" and w.label == "Step":
            self.step = int(w.body.replace(",", ""))
        elif kind == "button":      # a keyed button keeps its id when its label changes (Play -> Pause)
            self._buttons = {label: i for label, i in self._buttons.items() if i != w.id}
            self._buttons[w.label] = w.id
        if getattr(w, "id", ""):
            self._drawn.add(w.id)
            state = widget_state(kind, w)
            if state is not None:
                self._widgets[w.id] = state

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return                             # as the browser: the same timer keeps running
        self._stop_timer(fragment_id)
        self._timers[fragment_id] = (interval, asyncio.create_task(self._auto_rerun(fragment_id, interval)))

    def _stop_timer(self, fragment_id: str) -> None:
        if fragment_id in self._timers:
            self._timers.pop(fragment_id)[1].cancel()
