"""Bytes on the wire between a browser and the server: a TCP relay that counts what passes.

    with WireMeter(server_url) as meter:       # meter.url: open this instead of server_url
        ...; meter.received                    # bytes the server sent to the browsers so far

What the page receives is counted as it travels, after any WebSocket compression (permessage-deflate
is negotiated end to end through a plain TCP relay), with frame headers, exactly as a classroom's
Wi-Fi would carry it. Chromium's DevTools report WebSocket frames decompressed, so they cannot say
what compression saves.
"""
from __future__ import annotations

import asyncio
import threading
from urllib.parse import urlsplit

from mlp.harness.servers import free_port

CHUNK = 1 << 16


class WireMeter:
    """A relay on a free local port (MLP_PORTS) to `url`'s host and port, in a thread of its own."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._target = (parts.hostname, parts.port)
        self.port = free_port()
        self.url = f"{parts.scheme}://127.0.0.1:{self.port}{parts.path}"
        self.received = 0                  # server -> browser bytes (the GIL makes += safe enough here)
        self.sent = 0                      # browser -> server
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WireMeter":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _relay(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return

        async def pipe(src, dst, downstream: bool) -> None:
            try:
                while data := await src.read(CHUNK):
                    if downstream:
                        self.received += len(data)
                    else:
                        self.sent += len(data)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))
