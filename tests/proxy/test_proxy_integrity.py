"""Nothing is dropped or reordered while toxics come and go (Toxiproxy's
TestNoDataDropped), on a live connection through a real proxy."""

from __future__ import annotations

import random
import threading
import time

from proxy_helpers import Api, Upstream, connect

CHURN_SECONDS = 2.0  # long enough for hundreds of toxic changes
LINE = 8  # bytes per numbered write: "0000042\n"

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
    stop = threading.Event()
    changes = [0]
    churner = threading.Thread(target=_churn, args=(api, stop, changes), daemon=True)
    received = bytearray()
    with connect(listen) as client:
        client.settimeout(10)

        def read() -> None:
            while not stop.is_set() or len(received) < sent[0] * LINE:
                part = client.recv(65536)
                if not part:
                    return
                received.extend(part)

        sent = [0]
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        churner.start()
        deadline = time.monotonic() + CHURN_SECONDS
        while time.monotonic() < deadline:
            client.sendall(b"".join(f"{sent[0] + i:07d}\n".encode() for i in range(50)))
            sent[0] += 50
            time.sleep(0.001)
        stop.set()
        churner.join(5)
        api.post("/reset")
        reader.join(10)
    expected = b"".join(f"{i:07d}\n".encode() for i in range(sent[0]))
    assert changes[0] > 50
    assert bytes(received) == expected
