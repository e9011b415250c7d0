"""A direction's chain never loses or reorders data, whatever toxics are
added, updated or removed while it flows (property test, fake clock)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from proxy_harness import FakeControl, FakeEndpoint, settle

from faultdrill.clock import FakeClock
from faultdrill.proxy.direction import Counters, Direction
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.bandwidth import Bandwidth
from faultdrill.proxy.toxics.base import Toxic
from faultdrill.proxy.toxics.entry import ToxicEntry
from faultdrill.proxy.toxics.latency import Latency
from faultdrill.proxy.toxics.noop import Noop
from faultdrill.proxy.toxics.slicer import Slicer
from faultdrill.proxy.toxics.slow_close import SlowClose

# Toxics that delay, split or hold data but never drop it.
KEEPERS: list[Toxic] = [
    Latency(latency=50, jitter=40),
    Latency(latency=5),
    Bandwidth(rate=1),
    Bandwidth(rate=0),
    Slicer(average_size=3, size_variation=2, delay=100),
    Slicer(average_size=1),
    SlowClose(delay=10),
    Noop(),
]

operation = st.one_of(
    st.tuples(st.just("send"), st.binary(min_size=1, max_size=300)),
    st.tuples(st.just("add"), st.integers(0, len(KEEPERS) - 1)),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("update"), st.integers(0, len(KEEPERS) - 1)),
    st.tuples(st.just("advance"), st.sampled_from([0.0, 0.001, 0.02, 0.3])),
)


async def _play(
    operations: list[tuple[str, Any]], toxicity: float
) -> tuple[bytes, bytes]:
    clock = FakeClock()
    source, destination = FakeEndpoint(), FakeEndpoint()
    direction = Direction(
        Stream.DOWNSTREAM,
        source,  # type: ignore[arg-type]
        destination,  # type: ignore[arg-type]
        FakeControl(),
        clock,
        random.Random(4),
        Counters(),
    )
    sent = bytearray()
    names: list[str] = []
    for number, (kind, value) in enumerate(operations):
        if kind == "send":
            direction.feed(value)
            sent += value
        elif kind == "add":
            name = f"t{number}"
            direction.add(
                ToxicEntry(
                    name, "downstream", Stream.DOWNSTREAM, toxicity, KEEPERS[value]
                )
            )
            names.append(name)
        elif kind == "remove" and names:
            direction.remove(names.pop(value % len(names)))
        elif kind == "update" and names:
            name = names[value % len(names)]
            toxic = KEEPERS[value]
            direction.update(
                ToxicEntry(name, "downstream", Stream.DOWNSTREAM, toxicity, toxic)
            )
        else:
            await settle()
            clock.advance(float(value) if kind == "advance" else 0.0)
            await settle()
    for name in names:
        direction.remove(name)
    await settle()
    direction.stop()
    return bytes(sent), bytes(destination.written)


@settings(max_examples=60, deadline=None)
@given(
    operations=st.lists(operation, max_size=40), toxicity=st.sampled_from([1.0, 0.5])
)
def test_chain_churn_keeps_every_byte_in_order(
    operations: list[tuple[str, Any]], toxicity: float
) -> None:
    sent, written = asyncio.run(_play(operations, toxicity))
    assert written == sent
