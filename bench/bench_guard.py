"""How fast does a breaking fault come back out?

Both tools run the same fault against the sandbox: 3 s of latency on every
catalog answer, planned for 60 s, which breaks the video API's latency SLO
at once. This bench watches the proxy from outside (polling its toxics
every 10 ms) and reports, for each run, how long the fault stayed in place:

- faultdrill: its guard (burn rate over 14.4, proven at 95% confidence)
  aborts and rolls back; the journal also gives the time from the guard's
  detection to the fault being reverted.
- chaostoolkit: ``chaos run --hypothesis-strategy continuously
  --hypothesis-frequency 0.25 --fail-fast`` with an http steady-state probe
  of the API that fails when an answer takes longer than 500 ms.

Target (DESIGN/issue): breach measurable -> all faults reverted <= 2 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import yaml

from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
POLL_S = 0.01


class FaultWatch:
    """Polls the proxy's toxics; records when a toxic appeared and left."""

    def __init__(self, api: str) -> None:
        self.url = f"{api}/proxies/catalog/toxics"
        self.appeared: float | None = None
        self.gone: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> FaultWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            present = bool(session.get(self.url, timeout=2).json())
            now = time.monotonic()
            if present and self.appeared is None:
                self.appeared = now
            if not present and self.appeared is not None and self.gone is None:
                self.gone = now
            time.sleep(POLL_S)

    @property
    def in_place_s(self) -> float | None:
        if self.appeared is None or self.gone is None:
            return None
        return self.gone - self.appeared


def faultdrill_run(sandbox: SandboxState, work: Path, index: int) -> dict[str, Any]:
    document = yaml.safe_load(
        (ROOT / "experiments" / "api-latency-guard-aborts.yaml").read_text()
    )
    document["slo"].update(before="3s", after="1s", **{"recovery-within": 0})
    document["slo"]["probe-rate"] = 40
    path = work / f"fd-{index}.yaml"
    path.write_text(yaml.safe_dump(document))
    journal = work / f"fd-{index}.json"
    # A home per run: each aborted run opens an incident, which would
    # (rightly) gate the next one.
    env = dict(
        os.environ,
        FAULTDRILL_HOME=str(work / f"home-{index}"),
        FAULTDRILL_SANDBOX_URL=sandbox.web_url,
        TOXIPROXY_URL=sandbox.toxiproxy_url,
        FAULTDRILL_HOST_CHECK="0",
    )
    with FaultWatch(sandbox.toxiproxy_url) as watch:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "faultdrill",
                "run",
                str(path),
                "--journal",
                str(journal),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    guard = json.loads(journal.read_text())["faultdrill"].get("guard") or {}
    return {
        "exit": result.returncode,
        "in_place_s": watch.in_place_s,
        "abort_to_reverted_s": guard.get("abort_to_reverted_s"),
    }


def chaostoolkit_run(sandbox: SandboxState, work: Path, index: int) -> dict[str, Any]:
    experiment = {
        "title": "catalog outage latency",
        "description": "3 s on every catalog answer; continuous hypothesis with fail-fast",
        "configuration": {"toxiproxy_url": sandbox.toxiproxy_url},
        "steady-state-hypothesis": {
            "title": "the video API answers within 500 ms",
            "probes": [
                {
                    "type": "probe",
                    "name": "api-answers-fast",
                    "tolerance": 200,
                    "provider": {
                        "type": "http",
                        "url": f"{sandbox.web_url}/api/videos/42",
                        "timeout": 0.5,
                    },
                }
            ],
        },
        "method": [
            {
                "type": "action",
                "name": "add-latency",
                "provider": {
                    "type": "python",
                    "module": "chaosfaultdrill.network",
                    "func": "add_latency",
                    "arguments": {"proxy": "catalog", "latency_ms": 3000},
                },
                "pauses": {"after": 60},
            }
        ],
        "rollbacks": [
            {
                "type": "action",
                "name": "remove-latency",
                "provider": {
                    "type": "python",
                    "module": "chaosfaultdrill.network",
                    "func": "remove_toxic",
                    "arguments": {"proxy": "catalog", "name": "latency_downstream"},
                },
            }
        ],
    }
    path = work / f"ctk-{index}.json"
    path.write_text(json.dumps(experiment))
    chaos = str(Path(sys.executable).parent / "chaos")
    env = dict(os.environ, FAULTDRILL_HOME=str(work / "home-ctk"))
    with FaultWatch(sandbox.toxiproxy_url) as watch:
        result = subprocess.run(
            [
                chaos,
                "--no-version-check",
                "run",
                "--journal-path",
                str(work / f"ctk-{index}-journal.json"),
                "--hypothesis-strategy",
                "continuously",
                "--hypothesis-frequency",
                "0.25",
                "--fail-fast",
                "--rollback-strategy",
                "always",
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=work,
        )
    return {"exit": result.returncode, "in_place_s": watch.in_place_s}


def summary(values: list[float | None]) -> str:
    seen = [v for v in values if v is not None]
    if not seen:
        return "n/a"
    return f"median {statistics.median(seen):.2f} s, max {max(seen):.2f} s ({len(seen)}/{len(values)} runs)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, running_sandbox() as sandbox:
        work = Path(tmp)
        fd = [faultdrill_run(sandbox, work, i) for i in range(RUNS)]
        ctk = [chaostoolkit_run(sandbox, work, i) for i in range(RUNS)]
    print(f"fault: 3000 ms latency on the catalog, planned for 60 s; {RUNS} runs each")
    print(f"{'tool':<40} {'fault in place (applied -> reverted)':<44}")
    print(
        f"{'faultdrill run (guard)':<40} {summary([r['in_place_s'] for r in fd]):<44}"
    )
    print(
        f"{'chaos run --fail-fast (continuous)':<40} {summary([r['in_place_s'] for r in ctk]):<44}"
    )
    print(
        f"faultdrill guard detection -> reverted: {summary([r['abort_to_reverted_s'] for r in fd])} (target <= 2 s)"
    )
    print(
        f"exit codes: faultdrill {[r['exit'] for r in fd]}, chaostoolkit {[r['exit'] for r in ctk]}"
    )


if __name__ == "__main__":
    main()
