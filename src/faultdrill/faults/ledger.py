"""A durable, append-only record of faults, so none is ever forgotten.

Each fault is written (and fsynced) *before* it is applied and crossed off
after it is reverted. A run that crashes leaves its uncrossed entries behind;
``faultdrill recover`` and the next run find them there.

The file is JSON lines under ``FAULTDRILL_HOME``; each line is one event.
Appends of a single short line with ``O_APPEND`` do not interleave between
processes on a local file system, so concurrent runs can share the file.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from faultdrill.home import home

log = logging.getLogger(__name__)

RUN_ID_ENV = "FAULTDRILL_RUN_ID"


class FaultKind(enum.StrEnum):
    TOXIC = "toxiproxy.toxic"  # target: api_url, proxy, toxic
    PROXY_DOWN = "toxiproxy.proxy-disabled"  # target: api_url, proxy


class EventKind(enum.StrEnum):
    APPLYING = "applying"  # written before the fault is applied
    REVERTED = "reverted"  # the fault is gone (or was never applied)


class FaultRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    run_id: str | None = None
    kind: FaultKind
    target: dict[str, Any]
    description: str
    applied_at: float = Field(default_factory=time.time)


class _Event(BaseModel):
    event: EventKind
    fault: FaultRecord
    at: float = Field(default_factory=time.time)
    note: str = ""


class FaultLedger:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def default(cls) -> FaultLedger:
        return cls(home() / "faults.jsonl")

    def applying(self, record: FaultRecord) -> FaultRecord:
        """Write the fault down before it is applied."""
        self._append(_Event(event=EventKind.APPLYING, fault=record))
        return record

    def reverted(self, record: FaultRecord, note: str = "") -> None:
        """Cross the fault off: it is gone, or it was never applied."""
        self._append(_Event(event=EventKind.REVERTED, fault=record, note=note))

    def pending(self, run_id: str | None = None) -> list[FaultRecord]:
        """Faults written down and not crossed off, oldest first."""
        open_faults: dict[str, FaultRecord] = {}
        for event in self._events():
            if event.event is EventKind.APPLYING:
                open_faults[event.fault.id] = event.fault
            else:
                open_faults.pop(event.fault.id, None)
        faults = list(open_faults.values())
        if run_id is not None:
            faults = [f for f in faults if f.run_id == run_id]
        return faults

    def find(self, kind: FaultKind, **target: Any) -> list[FaultRecord]:
        """Pending faults of a kind whose target has the given values."""
        return [
            f
            for f in self.pending()
            if f.kind is kind and all(f.target.get(k) == v for k, v in target.items())
        ]

    def _append(self, event: _Event) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (event.model_dump_json() + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _events(self) -> list[_Event]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        events = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                events.append(_Event.model_validate(json.loads(line)))
            except ValueError:
                # A torn last line from a crash mid-write: the fault it
                # describes was not applied yet (we write before applying).
                log.warning(
                    "fault ledger %s line %d is unreadable; skipped", self.path, number
                )
        return events


def current_run_id() -> str | None:
    """The run that activities of this process belong to, if any."""
    return os.environ.get(RUN_ID_ENV)
