"""The memory worker: grow to a resident size, optionally ramped, and hold it.

Resident size is what counts, so the worker measures its own RSS (the
interpreter's own few megabytes included) and allocates only what is missing,
writing one byte in every page so the kernel has to back each page with RAM.

Memory comes from anonymous mmap rather than ``bytearray``: a bytearray is
zero-filled byte by byte first, which made reaching 1 GiB several times
slower (2.9 s against 0.5-0.9 s, measured on a 2-core VM).
"""

from __future__ import annotations

import logging
import mmap
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from faultdrill.stress.model import MemoryTarget
from faultdrill.stress.parentwatch import POLL_INTERVAL_S

log = logging.getLogger(__name__)

# Linux x86-64 and arm64 base page size; touching one byte per page is enough
# to make the page resident.
PAGE_SIZE = 4096

# Largest single allocation: 64 MiB reached 1 GiB in 0.46-0.65 s against
# 0.56-0.90 s with 16 MiB (2-core VM); a ramp still advances in steps small
# next to any target worth ramping, and the last step is cut to what is missing.
CHUNK_BYTES = 64 * 1024 * 1024


# /proc/<pid>/oom_score_adj maximum: the OOM killer picks this process first.
OOM_SCORE_ADJ_FIRST = 1000


def volunteer_for_oom_killer() -> None:
    """Be the first process the OOM killer takes, not the service under test.

    Raising one's own score needs no privilege; failing to is logged and
    otherwise harmless.
    """
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as adj:
            adj.write(str(OOM_SCORE_ADJ_FIRST))
    except OSError as exc:
        log.warning("could not raise our OOM score (%s); continuing", exc)


def resident_bytes() -> int:
    """Our own resident set size, from /proc/self/statm (field 2, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


Chunk = bytearray | mmap.mmap


def _never() -> bool:
    return False


def _anonymous_map(size: int) -> mmap.mmap:
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)


@dataclass
class Hoard:
    """The memory held, as a list of touched buffers."""

    measure: Callable[[], int] = resident_bytes
    allocate: Callable[[int], Chunk] = _anonymous_map
    chunks: list[Chunk] = field(default_factory=list)
    exhausted: str | None = None  # why the last allocation failed, if it did

    def grow_to(self, wanted: float, stop: Callable[[], bool] = _never) -> None:
        """Allocate until resident size reaches ``wanted`` bytes.

        Ends early when memory runs out, or when ``stop`` says so: it is asked
        between chunks, so a parent watch is not blind while gigabytes fill.
        """
        missing = wanted - self.measure()
        while missing >= PAGE_SIZE and self.exhausted is None and not stop():
            self._allocate(int(min(missing, CHUNK_BYTES)))
            before, missing = missing, wanted - self.measure()
            if missing >= before:
                return  # resident size did not grow: try again next round

    def _allocate(self, size: int) -> None:
        try:
            chunk = self.allocate(size)
            _touch(chunk)
        except (MemoryError, OSError) as exc:
            self.exhausted = f"allocation of {size} bytes failed ({exc!r})"
            log.warning("memory stressor stopped growing: %s", self.exhausted)
            return
        self.chunks.append(chunk)


def _touch(chunk: Chunk) -> None:
    count = len(range(0, len(chunk), PAGE_SIZE))
    chunk[::PAGE_SIZE] = b"\x01" * count


def run_memory(
    target: MemoryTarget,
    parent_gone: Callable[[], bool],
    hoard: Hoard | None = None,
    now: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Ramp to the target, hold it until the duration ends or the parent dies.

    Returns True when the duration ran out, False when the parent was gone.
    """
    held = hoard or Hoard()
    start = now()
    end = start + target.duration_s
    while now() < end:
        if parent_gone():
            return False
        # TODO(swap): pages swapped out are replaced by new allocations rather
        # than touched again, so swap use can grow past the target; hosts we
        # stress so far run without swap.
        held.grow_to(target.at(now() - start), parent_gone)
        sleep(min(POLL_INTERVAL_S, max(end - now(), 0.0)))
    return True
