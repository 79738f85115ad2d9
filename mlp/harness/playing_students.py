"""Protocol students (mlp/ui/protocol_client.py) who open their page and play on an event loop of their own
thread, beside a browser test whose own thread Playwright's sync API holds.

A Chromium page costs a quarter of a CPU second per rerun and five to load; a student whose page no test
looks at need not be drawn: the server serves these as it serves browsers (the wall's students, the
heaviest net beside a calm one).

    with PlayingStudents(class_students(url, class_id, 3)):
        ... the wall in Chromium; each Student's .step is its step counter as last received ...
"""
from __future__ import annotations

import asyncio
import threading

from mlp.ui.protocol_client import Student


class PlayingStudents:
    def __init__(self, students: list[Student], timeout: float = 120):
        self.students = students
        self._timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> "PlayingStudents":
        self._thread.start()
        try:
            self._call(self._open_and_play())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._call(self._close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    async def _open_and_play(self) -> None:
        await asyncio.gather(*(s.open(self._timeout) for s in self.students))
        await asyncio.gather(*(s.press("Play", self._timeout) for s in self.students))

    async def _close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.students), return_exceptions=True)

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=2 * self._timeout)
