"""The embedded server in a background thread, for use from synchronous code.

    with EmbeddedProxy() as server:
        requests.post(f"{server.url}/proxies", json={...})

The thread owns its own event loop; nothing else touches the server's
objects, so callers talk to it through the HTTP API only.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from types import TracebackType

from faultdrill.clock import Clock
from faultdrill.errors import FaultdrillError, TargetUnavailable
from faultdrill.proxy.loop import new_loop, raise_open_files_limit
from faultdrill.proxy.server import ProxyServer, ServerOptions

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0  # seconds to bind and start the API; loopback takes ms
STOP_TIMEOUT = 10.0  # seconds to close every proxy and connection


class EmbeddedProxy:
    """A Toxiproxy-compatible server running in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        proxy_metrics: bool = False,
        runtime_metrics: bool = False,
        seed: int | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._options = ServerOptions(host, port, proxy_metrics, runtime_metrics, seed)
        self._clock = clock
        self._url: str | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None

    @property
    def url(self) -> str:
        """The API's base URL, e.g. ``http://127.0.0.1:41234``."""
        if self._url is None:
            raise TargetUnavailable(
                "the embedded proxy is not running; call start() first"
            )
        return self._url

    def start(self) -> EmbeddedProxy:
        """Start the server; returns once the API is listening."""
        if self._thread is not None:
            return self
        raise_open_files_limit()
        self._thread = threading.Thread(
            target=self._run, name="faultdrill-proxy", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise TargetUnavailable(
                f"the embedded proxy did not start within {START_TIMEOUT} s"
            )
        if self._error is not None:
            self._thread.join(STOP_TIMEOUT)
            self._thread = None
            if isinstance(self._error, FaultdrillError):
                raise self._error
            raise TargetUnavailable(
                f"the embedded proxy failed to start: {self._error}"
            )
        return self

    def stop(self) -> None:
        """Close every proxy, connection and the API; safe to call twice."""
        thread, loop, event = self._thread, self._loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("the embedded proxy did not stop within %s s", STOP_TIMEOUT)
        self._thread = None
        self._url = None

    def __enter__(self) -> EmbeddedProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        # The runner cancels and awaits leftover tasks before closing the loop.
        with asyncio.Runner(loop_factory=new_loop) as runner:
            runner.run(self._serve())

    async def _serve(self) -> None:
        server = ProxyServer(self._options, self._clock)
        try:
            self._url = await server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        self._ready.set()
        try:
            await self._stop_requested.wait()
        finally:
            await server.close()
