"""One toxic at work on one direction of one connection.

Each stage runs its toxic as a task reading from its own pipe. Adding,
updating or removing a toxic on a live connection only ever touches stages:
an update restarts the task on the same pipe, a removal hands whatever the
pipe holds to the next stage in order. Because a toxic never holds a chunk
outside its pipe across an ``await``, stopping a task loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Protocol

from faultdrill.clock import Clock
from faultdrill.proxy.pipe import Chunk, Pipe, Receiver

if TYPE_CHECKING:
    from faultdrill.proxy.toxics.base import Toxic
    from faultdrill.proxy.toxics.entry import ToxicEntry

log = logging.getLogger(__name__)


class StageHost(Protocol):
    """What a stage may ask of the direction it belongs to."""

    @property
    def clock(self) -> Clock: ...

    @property
    def rng(self) -> random.Random: ...

    def release(self, nbytes: int) -> None:
        """``nbytes`` left the chain without being sent (dropped)."""
        ...

    def reset_connection(self) -> None:
        """Close both sockets of the connection with a TCP RST."""
        ...


class StageIO:
    """The operations a toxic performs on its pipe and its connection."""

    def __init__(self, stage: Stage) -> None:
        self._stage = stage
        self._pipe = stage.pipe
        self.clock = stage.host.clock
        self.rng = stage.host.rng
        self.state = stage.state

    async def sleep_until(self, deadline: float) -> None:
        """Wait until the clock reads ``deadline`` or later.

        Event loop timers may fire up to a millisecond early (uvloop rounds
        to whole milliseconds from a cached loop time); waiting again for
        the remainder keeps delays from coming out short.
        """
        while self.clock.now() < deadline:
            await self.clock.sleep_until(deadline)

    async def next(self) -> Chunk:
        """The chunk at the head of the pipe; it stays there until handled."""
        return await self._pipe.head()

    async def next_until(self, deadline: float) -> Chunk | None:
        """Like ``next``, but ``None`` once the clock passes ``deadline``."""
        head = self._pipe.peek()
        if head is not None:
            return head
        arrival = asyncio.ensure_future(self._pipe.head())
        alarm = asyncio.ensure_future(self.clock.sleep_until(deadline))
        try:
            await asyncio.wait((arrival, alarm), return_when=asyncio.FIRST_COMPLETED)
        finally:
            arrival.cancel()
            alarm.cancel()
        return self._pipe.peek()

    def forward(self) -> Chunk:
        """Send the head on unchanged."""
        chunk = self._pipe.pop()
        self._stage.output.put(chunk)
        if chunk.eof:
            self._stage.closed = True
        return chunk

    def forward_part(self, size: int) -> None:
        """Send the first ``size`` bytes of the head; the rest stays at the head."""
        head = self._pipe.pop()
        self._stage.output.put(Chunk(head.data[:size], head.stamp))
        self._pipe.push_front([Chunk(head.data[size:], head.stamp)])

    def split_head(self, pieces: list[bytes]) -> None:
        """Replace the head by ``pieces`` (which must add up to it)."""
        head = self._pipe.pop()
        self._pipe.push_front(Chunk(piece, head.stamp) for piece in pieces)

    def drop(self) -> Chunk:
        """Discard the head."""
        chunk = self._pipe.pop()
        self._stage.host.release(len(chunk.data))
        return chunk

    def truncate_head(self, size: int) -> None:
        """Keep only the first ``size`` bytes of the head."""
        head = self._pipe.pop()
        self._stage.host.release(len(head.data) - size)
        self._pipe.push_front([Chunk(head.data[:size], head.stamp)])

    def close(self) -> None:
        """Drop what is queued and end the stream here, as if the source closed."""
        for chunk in self._pipe.take_all():
            self._stage.host.release(len(chunk.data))
        self._stage.output.put(Chunk(b"", self.clock.now(), eof=True))
        self._stage.closed = True

    def flush(self) -> None:
        """Send everything queued on, in order."""
        for chunk in self._pipe.take_all():
            self._stage.output.put(chunk)

    def reset(self) -> None:
        """Reset the whole connection (TCP RST on both sockets)."""
        self._stage.closed = True
        self._stage.host.reset_connection()

    async def hold(self) -> None:
        """Wait until the stage is updated or removed (a stalled stream)."""
        await asyncio.get_running_loop().create_future()


class Stage:
    """A toxic entry applied to one direction of one connection."""

    def __init__(self, entry: ToxicEntry, output: Receiver, host: StageHost) -> None:
        self.entry = entry
        self.output = output
        self.host = host
        self.pipe = Pipe()
        self.state = entry.toxic.new_state()
        self.closed = False
        self._behaviour: Toxic = entry.toxic
        self._task: asyncio.Task[None] | None = None

    def put(self, chunk: Chunk) -> None:
        if self.closed:
            self.host.release(len(chunk.data))
            return
        self.pipe.put(chunk)

    def start(self) -> None:
        """Draw whether the toxic applies (its toxicity), then run it."""
        from faultdrill.proxy.toxics.noop import Noop

        applies = self.host.rng.random() < self.entry.toxicity
        self._behaviour = self.entry.toxic if applies else Noop()
        self._task = asyncio.get_running_loop().create_task(self._run(self._behaviour))

    def update(self, entry: ToxicEntry) -> None:
        """Restart with new attributes; the pipe and per-connection state stay."""
        self.stop()
        self.entry = entry
        if not self.closed:
            self.start()

    def remove(self) -> None:
        """Stop, and let the toxic hand on (or end) what the pipe holds."""
        self.stop()
        if not self.closed:
            self._behaviour.on_remove(StageIO(self))
        self.closed = True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, toxic: Toxic) -> None:
        io = StageIO(self)
        try:
            await toxic.pipe(io)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("toxic %s failed; closing its connection", self.entry.name)
            io.close()
            return
        if not self.closed:
            io.close()
