"""Chunks of data and the ordered queue in front of each toxic stage.

A chunk is what one socket read returned, stamped with the time it arrived,
so that delays are measured from arrival and never add up to a throttle.
The end of a stream travels through the same queues as a chunk marked
``eof``, behind the data that came before it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class Chunk:
    """Bytes read in one go, or the end of the stream when ``eof``."""

    data: bytes
    stamp: float
    eof: bool = False


class Receiver(Protocol):
    """Where a stage sends its output: the next stage's pipe, or the socket."""

    def put(self, chunk: Chunk) -> None: ...


class Pipe:
    """A first-in first-out queue whose reader can wait for the next chunk.

    The head stays in the queue while a toxic works on it (waits, splits it);
    it leaves only when forwarded or dropped. So a stage that is stopped at
    any moment holds nothing outside its pipe, and its contents can be
    handed on whole, in order.
    """

    def __init__(self) -> None:
        self._items: deque[Chunk] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def put(self, chunk: Chunk) -> None:
        self._items.append(chunk)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def head(self) -> Chunk:
        """The oldest chunk, waiting for one to arrive if the pipe is empty."""
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                # A cancelled reader may finish after a new one started waiting.
                if self._waiter is waiter:
                    self._waiter = None
        return self._items[0]

    def peek(self) -> Chunk | None:
        return self._items[0] if self._items else None

    def pop(self) -> Chunk:
        return self._items.popleft()

    def push_front(self, chunks: Iterable[Chunk]) -> None:
        """Put ``chunks`` back at the head, keeping their order."""
        self._items.extendleft(reversed(list(chunks)))

    def take_all(self) -> list[Chunk]:
        items = list(self._items)
        self._items.clear()
        return items

    def byte_count(self) -> int:
        return sum(len(c.data) for c in self._items)
