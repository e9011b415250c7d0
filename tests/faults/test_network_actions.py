"""Network actions keep the fault ledger honest about what is applied."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from chaoslib.exceptions import ActivityFailed

from chaosfaultdrill import network
from faultdrill.faults import revert as revert_module
from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord
from faultdrill.faults.revert import revert_pending
from faultdrill.proxy.embedded import EmbeddedProxy


@pytest.fixture
def proxy_api() -> Iterator[str]:
    with EmbeddedProxy() as server:
        requests.post(
            f"{server.url}/proxies",
            json={
                "name": "catalog",
                "listen": "127.0.0.1:0",
                "upstream": "127.0.0.1:9",
            },
            timeout=5,
        ).raise_for_status()
        yield server.url


def toxics(api: str) -> list[dict[str, object]]:
    result: list[dict[str, object]] = requests.get(
        f"{api}/proxies/catalog/toxics", timeout=5
    ).json()
    return result


def test_apply_and_remove_cross_the_fault_off(proxy_api: str) -> None:
    config = {"toxiproxy_url": proxy_api}
    network.add_latency("catalog", 100, configuration=config)
    assert len(FaultLedger.default().pending()) == 1
    network.remove_toxic("catalog", "latency_downstream", configuration=config)
    assert FaultLedger.default().pending() == [] and toxics(proxy_api) == []


@pytest.mark.parametrize("name", ["lag?v=1", "a/b", "x#y", "sp ace"])
def test_names_that_cannot_travel_in_a_url_are_refused_before_anything(
    proxy_api: str, name: str
) -> None:
    with pytest.raises(ActivityFailed, match="not usable in the Toxiproxy API's URLs"):
        network.add_latency(
            "catalog", 100, name=name, configuration={"toxiproxy_url": proxy_api}
        )
    assert toxics(proxy_api) == []
    assert FaultLedger.default().pending() == []


def test_a_refused_toxic_is_crossed_off_as_not_applied(proxy_api: str) -> None:
    with pytest.raises(ActivityFailed, match="refused"):
        network.add_toxic(
            "catalog", "no-such-toxic", configuration={"toxiproxy_url": proxy_api}
        )
    assert FaultLedger.default().pending() == []


def test_an_unanswered_apply_stays_in_the_ledger_and_is_reverted_later(
    proxy_api: str, monkeypatch: pytest.MonkeyPatch, faultdrill_home: Path
) -> None:
    # The proxy lookup answers; the apply itself times out.
    real_call = network._call

    def slow_apply(api_url: str, method: str, path: str, body: object = None) -> object:
        if method == "post" and path.endswith("/toxics"):
            real_call(api_url, method, path, body)  # the server applies it...
            raise requests.ReadTimeout("no answer in time")  # ...we never hear
        return real_call(api_url, method, path, body)

    monkeypatch.setattr(network, "_call", slow_apply)
    with pytest.raises(ActivityFailed, match="cannot reach"):
        network.add_latency("catalog", 100, configuration={"toxiproxy_url": proxy_api})
    ledger = FaultLedger.default()
    assert len(ledger.pending()) == 1 and len(toxics(proxy_api)) == 1
    revert_pending(ledger)
    assert ledger.pending() == [] and toxics(proxy_api) == []


def test_a_silent_api_times_out_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network, "HTTP_TIMEOUT_S", 0.3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ActivityFailed):
            network.remove_toxic(
                "catalog", "latency_downstream", configuration={"toxiproxy_url": url}
            )


def toxic_record(api: str, unanswered_at: float | None) -> FaultRecord:
    return FaultLedger.default().applying(
        FaultRecord(
            kind=FaultKind.TOXIC,
            target={"api_url": api, "proxy": "catalog", "toxic": "late"},
            description="latency toxic 'late' on proxy 'catalog'",
            unanswered_at=unanswered_at,
        )
    )


def add_late_toxic(api: str) -> None:
    body = {"name": "late", "type": "latency", "attributes": {"latency": 100}}
    requests.post(f"{api}/proxies/catalog/toxics", json=body, timeout=5)


def test_an_unanswered_apply_that_lands_after_the_revert_is_removed_too(
    proxy_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revert_module, "LATE_APPLY_GRACE_S", 5.0)
    toxic_record(proxy_api, unanswered_at=time.time())
    lands = threading.Timer(0.5, add_late_toxic, [proxy_api])  # after the DELETE
    lands.start()
    try:
        ((_, outcome),) = revert_pending(FaultLedger.default())
    finally:
        lands.join()
    assert outcome == "toxic removed after its unanswered apply landed late"
    assert toxics(proxy_api) == []
    assert FaultLedger.default().pending() == []


def test_an_unanswered_apply_that_never_lands_is_crossed_off_after_the_grace(
    proxy_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revert_module, "LATE_APPLY_GRACE_S", 0.5)
    toxic_record(proxy_api, unanswered_at=time.time())
    ((_, outcome),) = revert_pending(FaultLedger.default())
    assert outcome == "already gone (its apply was unanswered)"
    assert FaultLedger.default().pending() == []


def test_an_answered_apply_is_not_waited_for(proxy_api: str) -> None:
    toxic_record(proxy_api, unanswered_at=None)
    started = time.monotonic()
    ((_, outcome),) = revert_pending(FaultLedger.default())
    assert outcome == "already gone"
    assert time.monotonic() - started < revert_module.LATE_APPLY_GRACE_S


def test_an_apply_that_times_out_is_kept_as_unanswered(
    monkeypatch: pytest.MonkeyPatch, proxy_api: str
) -> None:
    calls = {"n": 0}
    real_call = network._call

    def silent_post(api_url: str, method: str, path: str, body: object = None) -> object:
        calls["n"] += 1
        if method == "post":
            raise requests.ReadTimeout("no answer")
        return real_call(api_url, method, path, body)

    monkeypatch.setattr(network, "_call", silent_post)
    with pytest.raises(ActivityFailed):
        network.add_latency("catalog", 100, configuration={"toxiproxy_url": proxy_api})
    (record,) = FaultLedger.default().pending()
    assert record.unanswered_at is not None
    # A declared rollback's 404 does not cross it off; the safety net will.
    network.remove_toxic("catalog", "latency_downstream", configuration={"toxiproxy_url": proxy_api})
    assert [r.id for r in FaultLedger.default().pending()] == [record.id]
