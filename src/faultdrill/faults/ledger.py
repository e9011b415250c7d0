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
import fcntl
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

import psutil
from pydantic import BaseModel, ConfigDict, Field

from faultdrill.errors import FaultError
from faultdrill.home import home

log = logging.getLogger(__name__)

RUN_ID_ENV = "FAULTDRILL_RUN_ID"
START_TIME_TOLERANCE_S = 0.05


class FaultKind(enum.StrEnum):
    TOXIC = "toxiproxy.toxic"  # target: api_url, proxy, toxic
    PROXY_DOWN = "toxiproxy.proxy-disabled"  # target: api_url, proxy


class EventKind(enum.StrEnum):
    APPLYING = "applying"  # written before the fault is applied
    REVERTED = "reverted"  # the fault is gone (or was never applied)


def _this_process_started() -> float:
    return psutil.Process().create_time()


class FaultRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    run_id: str | None = None
    kind: FaultKind
    target: dict[str, Any]
    description: str
    applied_at: float = Field(default_factory=time.time)
    # The process that applied it: while it lives, the fault is its to revert.
    owner_pid: int = Field(default_factory=os.getpid)
    owner_started: float = Field(default_factory=_this_process_started)
    # When applying it got no answer (a timeout, a lost connection): the
    # server may still carry the request out later, so its revert looks again.
    unanswered_at: float | None = None

    def owner_alive(self) -> bool:
        """Whether the very process that applied this fault still runs.

        A zombie (killed, not yet reaped by its parent) runs no more: its
        rollback will never come, wherever PID 1 is slow to reap.
        """
        try:
            owner = psutil.Process(self.owner_pid)
            started, status = owner.create_time(), owner.status()
        except psutil.Error:
            return False
        # psutil reads start times in clock ticks (1/100 s): equal within that.
        same = abs(started - self.owner_started) < START_TIME_TOLERANCE_S
        return same and status != psutil.STATUS_ZOMBIE


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

    def unanswered(self, record: FaultRecord) -> FaultRecord:
        """Note that applying ``record`` got no answer; it stays pending."""
        return self.applying(record.model_copy(update={"unanswered_at": time.time()}))

    def reverted(self, record: FaultRecord, note: str = "") -> None:
        """Cross the fault off: it is gone, or it was never applied."""
        self._append(_Event(event=EventKind.REVERTED, fault=record, note=note))

    def orphans(self) -> list[FaultRecord]:
        """Pending faults whose run is gone: what ``recover`` must revert."""
        return [fault for fault in self.pending() if not fault.owner_alive()]

    def forget(self, fault_id: str, note: str) -> FaultRecord | None:
        """Cross a fault off without reverting it (its server is gone)."""
        for fault in self.pending():
            if fault.id == fault_id:
                self.reverted(fault, note=f"forgotten: {note}")
                return fault
        return None

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
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _ends_torn(fd):
                # A crash tore the last line: start ours on a line of its own.
                line = b"\n" + line
            _write_all(fd, line)
            os.fsync(fd)
        except OSError as exc:
            raise FaultError(
                f"cannot write the fault ledger {self.path}: {exc}; the fault "
                "was not applied"
            ) from exc
        finally:
            os.close(fd)  # also releases the lock

    def _events(self) -> list[_Event]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise FaultError(
                f"cannot read the fault ledger {self.path}: {exc}; fix or move it"
            ) from exc
        events = []
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                events.append(_Event.model_validate_json(line))
            except ValueError:
                # A torn line from a crash mid-write: the fault it describes
                # was not applied yet (we write before applying).
                log.warning(
                    "fault ledger %s line %d is unreadable; skipped", self.path, number
                )
        return events


def _ends_torn(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"


def _write_all(fd: int, data: bytes) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def current_run_id() -> str | None:
    """The run that activities of this process belong to, if any."""
    return os.environ.get(RUN_ID_ENV)
