"""What a running sandbox is: its processes, ports and URLs, kept on disk.

``sandbox up`` writes ``home()/sandbox/state.json``; ``down``, ``status`` and
the experiment runner read it to find the sandbox again.
"""

from __future__ import annotations

import enum
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.home import home
from faultdrill.sandbox.config import PROXY_NAME, SandboxConfig

log = logging.getLogger(__name__)

STATE_FILE = "state.json"


class Component(enum.StrEnum):
    CATALOG = "catalog"
    PROXY = "proxy"  # the embedded Toxiproxy-compatible server
    WEB = "web"


class ProcessRecord(BaseModel):
    """One child process, identified by pid and start time (pids get reused)."""

    model_config = ConfigDict(frozen=True)

    component: Component
    pid: int
    started: float  # the process' creation time, as psutil reports it
    port: int
    log_file: Path


class SandboxState(BaseModel):
    """A sandbox that ``up`` started."""

    model_config = ConfigDict(frozen=True)

    config: SandboxConfig  # as asked for; ports may be 0
    processes: tuple[ProcessRecord, ...]
    web_url: str
    catalog_url: str  # the catalog directly, bypassing the proxy
    toxiproxy_url: str
    proxy_name: str = PROXY_NAME
    proxy_listen: str  # host:port the catalog proxy listens on
    embedded_proxy: bool  # False when the proxy lives on an outside server

    def process(self, component: Component) -> ProcessRecord | None:
        return next((p for p in self.processes if p.component is component), None)

    @property
    def ports(self) -> dict[str, int]:
        """The ports in use, named like the config fields they answer."""
        return {
            "web_port": _port_of(self.web_url),
            "catalog_port": _port_of(self.catalog_url),
            "proxy_port": _port_of(f"tcp://{self.proxy_listen}"),
            "api_port": _port_of(self.toxiproxy_url),
        }


def _port_of(url: str) -> int:
    return urlsplit(url).port or 0


def sandbox_dir() -> Path:
    """Where the state, logs and ready files of the sandbox live."""
    path = home() / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load(directory: Path) -> SandboxState | None:
    """The recorded state, or None when there is none or it cannot be read."""
    path = directory / STATE_FILE
    try:
        return SandboxState.model_validate_json(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as exc:
        log.warning("ignoring unreadable sandbox state %s: %s", path, exc)
        return None


def save(directory: Path, state: SandboxState) -> None:
    path = directory / STATE_FILE
    aside = path.with_name(STATE_FILE + ".tmp")
    aside.write_text(state.model_dump_json(indent=2) + "\n")
    os.replace(aside, path)


def clear(directory: Path) -> None:
    (directory / STATE_FILE).unlink(missing_ok=True)
