"""The blast radius refuses what it does not allow."""

from __future__ import annotations

from typing import Any

import pytest

from faultdrill.experiment.blast import faults_of, planned_duration, violations
from faultdrill.experiment.model import BlastRadius


def latency(
    proxy: str = "catalog", ms: int = 100, jitter: int = 0, after: Any = None
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "action",
        "name": "slow",
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.network",
            "func": "add_latency",
            "arguments": {"proxy": proxy, "latency_ms": ms, "jitter_ms": jitter},
        },
    }
    if after is not None:
        activity["pauses"] = {"after": after}
    return activity


RADIUS = BlastRadius.model_validate(
    {
        "targets": {"proxies": ["catalog"]},
        "max-duration": 30,
        "max-intensity": {"latency-ms": 500},
    }
)


def test_a_fault_inside_the_radius_passes() -> None:
    assert violations(RADIUS, [latency(ms=400, jitter=100, after=10)]) == []


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            [latency(proxy="payments")],
            "targets proxy 'payments', not in blast-radius.targets.proxies",
        ),
        (
            [latency(ms=450, jitter=60)],
            "exceeds blast-radius.max-intensity.latency-ms 500",
        ),
        (
            [latency(after=20), latency(after="15s")],
            "pauses for 35 s in all, longer than",
        ),
        (
            [
                {
                    "type": "action",
                    "name": "sh",
                    "provider": {"type": "process", "path": "true"},
                }
            ],
            "allow-process-providers",
        ),
    ],
)
def test_each_breach_is_refused_with_its_reason(
    method: list[dict[str, Any]], expected: str
) -> None:
    reasons = violations(RADIUS, method)
    assert len(reasons) == 1
    assert expected in reasons[0]


def test_faults_are_read_from_known_actions_only() -> None:
    unknown = {
        "type": "action",
        "name": "x",
        "provider": {"type": "python", "module": "m", "func": "f"},
    }
    faults = faults_of([latency(ms=100, jitter=5), unknown])
    assert [(f.kind, f.target, f.intensity) for f in faults] == [
        ("latency", "catalog", 105.0)
    ]


def chaostoxi(module: str, func: str, **args: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": func,
        "provider": {
            "type": "python",
            "module": f"chaostoxi.{module}.actions",
            "func": func,
            "arguments": args,
        },
    }


@pytest.mark.parametrize(
    "activity",
    [
        chaostoxi(
            "toxic",
            "create_bandwith_degradation_toxic",
            for_proxy="payments",
            toxic_name="t",
            rate=1,
        ),
        chaostoxi(
            "toxic",
            "create_limiter_toxic",
            for_proxy="payments",
            toxic_name="t",
            bytes_limit=1,
        ),
        chaostoxi(
            "toxic",
            "create_slicer_toxic",
            for_proxy="payments",
            toxic_name="t",
            average_size=1,
            size_variation=0,
            delay=0,
        ),
        chaostoxi(
            "toxic",
            "create_slow_connection_close_toxic",
            for_proxy="payments",
            toxic_name="t",
            delay=1,
        ),
        chaostoxi(
            "toxic",
            "create_timeout_toxic",
            for_proxy="payments",
            toxic_name="t",
            timeout=1,
        ),
        chaostoxi(
            "toxic",
            "create_toxic",
            for_proxy="payments",
            toxic_name="t",
            toxic_type="reset_peer",
        ),
        chaostoxi("proxy", "disable_proxy", proxy_name="payments"),
        chaostoxi("proxy", "delete_proxy", proxy_name="payments"),
        chaostoxi("proxy", "modify_proxy", proxy_name="payments", enabled=False),
    ],
    ids=lambda activity: activity["name"],
)
def test_chaostoolkit_toxiproxy_faults_are_held_to_the_allowed_proxies(
    activity: dict[str, Any],
) -> None:
    reasons = violations(RADIUS, [activity])
    assert len(reasons) == 1
    assert "targets proxy 'payments', not in blast-radius.targets.proxies" in reasons[0]
    inside = {**activity, "provider": {**activity["provider"]}}
    arguments = dict(activity["provider"]["arguments"])
    arguments["for_proxy" if "for_proxy" in arguments else "proxy_name"] = "catalog"
    inside["provider"]["arguments"] = arguments
    assert violations(RADIUS, [inside]) == []


def test_a_chaostoolkit_toxiproxy_generic_latency_is_bounded_by_intensity() -> None:
    activity = chaostoxi(
        "toxic",
        "create_toxic",
        for_proxy="catalog",
        toxic_name="slow",
        toxic_type="latency",
        attributes={"latency": 480, "jitter": 40},
    )
    reasons = violations(RADIUS, [activity])
    assert len(reasons) == 1
    assert "exceeds blast-radius.max-intensity.latency-ms 500" in reasons[0]


def test_planned_duration_adds_pauses_before_and_after() -> None:
    activity = latency()
    activity["pauses"] = {"before": "500ms", "after": 2}
    assert planned_duration([activity, latency(after="1m")]) == 62.5


def k8s(func: str = "terminate_pods", **args: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": "k8s",
        "provider": {
            "type": "python",
            "module": "chaosk8s.pod.actions",
            "func": func,
            "arguments": args,
        },
    }


K8S_RADIUS = BlastRadius.model_validate(
    {
        "targets": {
            "namespaces": ["staging"],
            "labels": {"app": "video-api"},
            "hosts": ["node-a"],
        },
        "max-duration": 30,
        "max-intensity": {"pods": 2, "cpu-percent": 50, "memory-mb": 256},
        "max-traffic-share": 25,
    }
)


def test_kubernetes_pods_inside_the_radius_pass() -> None:
    assert (
        violations(
            K8S_RADIUS, [k8s(ns="staging", label_selector="app=video-api", qty=2)]
        )
        == []
    )


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (
            k8s(ns="prod", label_selector="app=video-api"),
            "namespace 'prod', not in blast-radius.targets.namespaces",
        ),
        (k8s(label_selector="app=video-api"), "namespace 'default'"),
        (k8s(ns="staging"), "label_selector containing app=video-api"),
        (
            k8s(ns="staging", label_selector="app=login"),
            "label_selector containing app=video-api",
        ),
        (
            k8s(ns="staging", label_selector="app=video-api", qty=3),
            "exceeds blast-radius.max-intensity.pods 2",
        ),
        (
            k8s(
                ns="staging", label_selector="app=video-api", mode="percentage", qty=50
            ),
            "affects 50%, over blast-radius.max-traffic-share 25%",
        ),
        (
            k8s(ns="staging", label_selector="app=video-api", all=True),
            "selects all pods",
        ),
        (
            k8s("drain_nodes", name="node-b"),
            "node 'node-b', not in blast-radius.targets.hosts",
        ),
    ],
)
def test_kubernetes_breaches_are_refused(
    activity: dict[str, Any], expected: str
) -> None:
    reasons = violations(K8S_RADIUS, [activity])
    assert any(expected in r for r in reasons), reasons


def stress(func: str, **args: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": func,
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.stress",
            "func": func,
            "arguments": args,
        },
    }


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (
            stress("start_cpu", percent=75),
            "exceeds blast-radius.max-intensity.cpu-percent 50",
        ),
        (
            stress("start_memory", megabytes=512),
            "exceeds blast-radius.max-intensity.memory-mb 256",
        ),
    ],
)
def test_stress_beyond_its_intensity_is_refused(
    activity: dict[str, Any], expected: str
) -> None:
    assert any(expected in r for r in violations(K8S_RADIUS, [activity]))


def test_stress_without_a_declared_limit_is_refused() -> None:
    reasons = violations(RADIUS, [stress("start_cpu", percent=10)])
    assert (
        reasons == [reasons[0]]
        and "needs blast-radius.max-intensity.cpu-percent" in reasons[0]
    )


def test_toxicity_counts_as_traffic_share() -> None:
    radius = BlastRadius.model_validate(
        {
            "targets": {"proxies": ["catalog"]},
            "max-duration": 30,
            "max-traffic-share": 10,
        }
    )
    activity = latency()
    activity["provider"]["arguments"]["toxicity"] = 0.5
    assert any("affects 50%" in r for r in violations(radius, [activity]))
    activity["provider"]["arguments"]["toxicity"] = 0.1
    assert violations(radius, [activity]) == []


def test_http_actions_only_reach_declared_hosts() -> None:
    action = {
        "type": "action",
        "name": "purge",
        "provider": {"type": "http", "url": "http://10.1.2.3/purge"},
    }
    probe = {
        "type": "probe",
        "name": "look",
        "provider": {"type": "http", "url": "http://10.1.2.3/"},
    }
    reasons = violations(RADIUS, [action, probe])
    assert len(reasons) == 1 and "outside blast-radius.targets.hosts" in reasons[0]


def test_process_providers_in_rollbacks_are_refused_too() -> None:
    shell = {
        "type": "action",
        "name": "sh",
        "provider": {"type": "process", "path": "true"},
    }
    assert any("allow-process-providers" in r for r in violations(RADIUS, [], [shell]))


def load(func: str, **args: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": func,
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.load",
            "func": func,
            "arguments": args,
        },
    }


LOAD_RADIUS = BlastRadius.model_validate(
    {
        "targets": {"endpoints": ["http://127.0.0.1:8780/login"]},
        "max-duration": 30,
        "max-intensity": {"request-rate": 500},
    }
)


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (
            load(
                "validate_rate_limit",
                url="http://127.0.0.1:8780/login",
                offered_rate=400,
                legit={"keys": 20, "rate-per-key": 10},
            ),
            "load 600 requests/s",
        ),
        (
            load(
                "run_load",
                target_url="http://127.0.0.1:8780/login",
                profile={"type": "steps", "rates": [100, 900]},
            ),
            "load 900 requests/s",
        ),
        (
            load("find_capacity", url="http://127.0.0.1:8780/login", steps=[100, 1000]),
            "load 1000 requests/s",
        ),
    ],
)
def test_offered_load_is_bounded_by_request_rate(
    activity: dict[str, Any], expected: str
) -> None:
    reasons = violations(LOAD_RADIUS, [activity])
    assert (
        len(reasons) == 1
        and expected in reasons[0]
        and "request-rate 500" in reasons[0]
    )


def test_load_outside_the_declared_endpoints_is_refused() -> None:
    activity = load(
        "run_load",
        target_url="http://127.0.0.1:8780/api/videos",
        profile={"type": "constant", "rate": 10},
    )
    assert any("sends load outside" in r for r in violations(LOAD_RADIUS, [activity]))
    assert (
        violations(
            LOAD_RADIUS,
            [
                load(
                    "run_load",
                    target_url="http://127.0.0.1:8780/login",
                    profile={"type": "constant", "rate": 10},
                )
            ],
        )
        == []
    )


def toxic(kind: str, **attributes: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": kind,
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.network",
            "func": "add_toxic",
            "arguments": {"proxy": "catalog", "toxic_type": kind, "attributes": attributes},
        },
    }


@pytest.mark.parametrize(
    ("activity", "says"),
    [
        (toxic("slow_close", delay=10**9), "slow_close 1e+09 ms of delay"),
        (toxic("timeout", timeout=0), "timeout inf ms of delay"),
        (toxic("timeout", timeout=600), "timeout 600 ms of delay"),
        (toxic("bandwidth", rate=0), "bandwidth inf ms of delay"),
        (toxic("slicer", average_size=1, delay=10**9), "slicer 1e+06 ms of delay"),
        (
            chaostoxi("toxic", "create_timeout_toxic", for_proxy="catalog", toxic_name="t", timeout=0),
            "timeout inf ms of delay",
        ),
        (
            chaostoxi("toxic", "create_slow_connection_close_toxic", for_proxy="catalog", toxic_name="t", delay=5000),
            "slow_close 5000 ms of delay",
        ),
    ],
    ids=lambda v: v["name"] if isinstance(v, dict) else "",
)
def test_toxics_that_hold_data_up_are_bounded_like_latency(
    activity: dict[str, Any], says: str
) -> None:
    reasons = violations(RADIUS, [activity])
    assert len(reasons) == 1
    assert says in reasons[0]
    assert "exceeds blast-radius.max-intensity.latency-ms 500" in reasons[0]


@pytest.mark.parametrize(
    "activity",
    [
        toxic("timeout", timeout=400),
        toxic("bandwidth", rate=100),
        toxic("slicer", average_size=64, delay=10),
        toxic("limit_data", bytes=10),
        toxic("reset_peer", timeout=0),
    ],
    ids=lambda v: v["name"],
)
def test_toxics_within_the_latency_limit_or_without_delay_pass(
    activity: dict[str, Any],
) -> None:
    assert violations(RADIUS, [activity]) == []
