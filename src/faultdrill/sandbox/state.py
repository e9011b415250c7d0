"""What a running sandbox is: its processes, ports and URLs, kept on disk.

``sandbox up`` writes ``home()/sandbox/state.json``; ``down``, ``status`` and
the experiment runner read it to find the sandbox again.

A state file that exists but cannot be read is never taken for "no sandbox":
its daemons may still run, and starting another set beside them, or
reporting nothing to stop, would leak them. ``load`` raises
``UnreadableState`` instead, which ``control`` completes with what to do.
"""

from __future__ import annotations

import enum
import logging
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.errors import InvalidInput, Problem
from faultdrill.home import state_dir
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


class UnreadableState(InvalidInput):
    """``state.json`` exists but is no sandbox state: the user must clean up."""

    def __init__(self, path: Path, why: str, fix: str) -> None:
        self.path = path
        self.why = why
        super().__init__([Problem(str(path), "", f"{why}; {fix}")])

    def with_fix(self, fix: str) -> UnreadableState:
        return UnreadableState(self.path, self.why, fix)


# What to do when nothing better is known; control names the processes.
DEFAULT_FIX = (
    "stop the sandbox's processes by hand (pgrep -af faultdrill.sandbox.daemon; "
    "pgrep -af 'faultdrill proxy serve'), then delete it or move it aside"
)


def sandbox_dir() -> Path:
    """Where the state, logs and ready files of the sandbox live."""
    return state_dir("sandbox")


def load(directory: Path) -> SandboxState | None:
    """The recorded state, or None when there is none; UnreadableState if bad."""
    path = directory / STATE_FILE
    try:
        return SandboxState.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise UnreadableState(path, "is a directory, not a file", DEFAULT_FIX) from exc
    except OSError as exc:
        why = f"cannot be read ({exc.strerror})"
        raise UnreadableState(path, why, DEFAULT_FIX) from exc
    except ValidationError as exc:
        why = f"is not a sandbox state ({_first(exc)})"
        raise UnreadableState(path, why, DEFAULT_FIX) from exc


def _first(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def save(directory: Path, state: SandboxState) -> None:
    path = directory / STATE_FILE
    aside = path.with_name(STATE_FILE + ".tmp")
    try:
        aside.write_text(state.model_dump_json(indent=2) + "\n")
        os.replace(aside, path)
    except OSError as exc:
        aside.unlink(missing_ok=True)
        raise InvalidInput.single(
            str(path),
            "",
            f"the sandbox state cannot be written ({exc.strerror}); move aside "
            "what is in its way or free the disk, then run 'sandbox up' again",
        ) from exc


def clear(directory: Path) -> None:
    (directory / STATE_FILE).unlink(missing_ok=True)


def set_aside(directory: Path) -> Path:
    """Move an unreadable state file (or directory) aside; where it went."""
    path = directory / STATE_FILE
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{STATE_FILE}.unreadable-{stamp}-{os.getpid()}")
    path.rename(aside)
    return aside
