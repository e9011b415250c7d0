"""Nothing is dropped or reordered while toxics come and go (Toxiproxy's
TestNoDataDropped), on a live connection through a real proxy."""

from __future__ import annotations

import random
import threading
import time

from proxy_helpers import Api, Upstream, connect

BATCHES = 400  # writes of PER_BATCH numbered lines each
PER_BATCH = 50
PAUSE = 0.004  # seconds between writes: about 2 s of churn in all
LINE = 8  # bytes per numbered line: "0000042\n"
READ_TIMEOUT = 30.0  # seconds; generous for a loaded machine, never reached

TOXICS = [
    {"name": "lat", "type": "latency", "attributes": {"latency": 2, "jitter": 2}},
    {"name": "slice", "type": "slicer", "attributes": {"average_size": 3, "delay": 10}},
    {"name": "bw", "type": "bandwidth", "attributes": {"rate": 5000}},
    {"name": "noop", "type": "noop"},
    {"name": "close", "type": "slow_close", "attributes": {"delay": 1}},
    {"name": "half", "type": "latency", "toxicity": 0.5, "attributes": {"latency": 1}},
]


def _churn(api: Api, stop: threading.Event, changes: list[int]) -> None:
    rng = random.Random(11)
    installed: set[str] = set()
    while not stop.is_set():
        toxic = rng.choice(TOXICS)
        name = str(toxic["name"])
        stream = rng.choice(["upstream", "downstream"])
        if name in installed:
            if rng.random() < 0.3 and toxic["type"] == "latency":
                api.post(
                    f"/proxies/p/toxics/{name}", json={"attributes": {"latency": 3}}
                )
            else:
                api.delete(f"/proxies/p/toxics/{name}")
                installed.discard(name)
        else:
            api.post("/proxies/p/toxics", json={**toxic, "stream": stream})
            installed.add(name)
        changes[0] += 1


def test_numbered_writes_survive_toxic_churn(api: Api, upstream: Upstream) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    expected = b"".join(f"{i:07d}\n".encode() for i in range(BATCHES * PER_BATCH))
    stop = threading.Event()
    changes = [0]
    churner = threading.Thread(target=_churn, args=(api, stop, changes), daemon=True)
    received = bytearray()
    with connect(listen) as client:
        client.settimeout(READ_TIMEOUT)

        def read() -> None:
            while len(received) < len(expected):
                part = client.recv(65536)
                if not part:
                    return
                received.extend(part)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        churner.start()
        batch = PER_BATCH * LINE
        for start in range(0, len(expected), batch):
            client.sendall(expected[start : start + batch])
            time.sleep(PAUSE)
        stop.set()
        churner.join(READ_TIMEOUT)
        api.post("/reset")  # hands on whatever toxics still hold
        reader.join(READ_TIMEOUT)
    assert changes[0] > 20
    assert len(received) == len(expected)
    assert bytes(received) == expected
