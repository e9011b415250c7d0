"""Whether each part of a recorded sandbox runs and answers, for ``status``."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from faultdrill.sandbox import processes
from faultdrill.sandbox.state import ProcessRecord, SandboxState

# Every part answers in milliseconds when healthy; this only bounds a hang.
PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class Check:
    """One thing ``status`` looked at."""

    name: str
    target: str  # a pid or URL
    ok: bool
    detail: str


def check(sandbox: SandboxState) -> list[Check]:
    """Every process alive, every endpoint answering, the proxy path working."""
    checks = [_process(p) for p in sandbox.processes]
    session = requests.Session()
    session.trust_env = False  # loopback only; never via an HTTP proxy
    with session:
        checks += [
            _get(session, "web app", f"{sandbox.web_url}/healthz"),
            _get(session, "catalog", f"{sandbox.catalog_url}/healthz"),
            _get(session, "Toxiproxy API", f"{sandbox.toxiproxy_url}/version"),
            _get(
                session,
                f"web -> proxy {sandbox.proxy_listen} -> catalog",
                f"{sandbox.web_url}/api/videos",
            ),
        ]
    return checks


def _process(record: ProcessRecord) -> Check:
    alive = processes.is_alive(record.pid, record.started)
    detail = "running" if alive else f"not running; see {record.log_file}"
    return Check(
        f"{record.component.value} process", f"pid {record.pid}", alive, detail
    )


def _get(session: requests.Session, name: str, url: str) -> Check:
    try:
        status = session.get(url, timeout=PROBE_TIMEOUT).status_code
    except requests.RequestException as exc:
        return Check(name, url, False, f"no answer: {type(exc).__name__}")
    return Check(name, url, status == 200, f"HTTP {status}")
