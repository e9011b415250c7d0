"""The durable list of running stressors, so a later process can kill them.

One JSON file under the state home, rewritten atomically (write a temporary
file, then rename) under an exclusive ``flock``, because several runners may
share a home. A record is written as soon as its processes are spawned (a
runner dying in the few milliseconds before is covered by the workers'
parent watch) and removed once it has stopped, so after a crash the file
lists exactly what may still be running.

A registry that cannot be read is a ``FaultError`` naming the file and how
to clean up by hand: guessing would either kill the wrong processes or
leave stressors running while saying all is clean.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from faultdrill.errors import FaultError, InvalidInput, Problem
from faultdrill.home import state_dir
from faultdrill.stress.model import (
    CpuTarget,
    Engine,
    Kind,
    Member,
    MemoryTarget,
    Record,
    Target,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# How a person finds stressors the registry can no longer name: every
# worker runs this module; the stress-ng engine runs stress-ng.
_FIND_BY_HAND = "pgrep -af 'faultdrill.stress.worker|stress-ng'"


def stress_dir() -> Path:
    """``<home>/stress``: the registry and the stressors' logs."""
    return state_dir("stress")


class Registry:
    """Records of stressors that may be running, keyed by stressor id."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or stress_dir()
        self.path = self.directory / "registry.json"
        self._lock_path = self.directory / "registry.lock"

    def add(self, record: Record) -> None:
        self._update(lambda records: {**records, record.stressor_id: record})

    def remove(self, stressor_id: str) -> None:
        self._update(
            lambda records: {k: v for k, v in records.items() if k != stressor_id}
        )

    def records(self) -> list[Record]:
        with self._locked():
            return list(self._read().values())

    def _update(self, change: Callable[[dict[str, Record]], dict[str, Record]]) -> None:
        with self._locked():
            self._write(change(self._read()))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            lock = open(self._lock_path, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise _unusable(
                self._lock_path, f"cannot be opened ({exc.strerror})"
            ) from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Record]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise _unusable(self.path, f"cannot be read: {exc}") from exc
        items = document.get("stressors") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise _unusable(self.path, "is not an object with a 'stressors' list")
        records = [self._parse(index, item) for index, item in enumerate(items)]
        return {r.stressor_id: r for r in records}

    def _parse(self, index: int, item: Any) -> Record:
        try:
            return _record_from_json(item)
        except KeyError as exc:
            raise _unusable(self.path, f"stressors[{index}] lacks {exc}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise _unusable(
                self.path, f"stressors[{index}] is malformed: {exc}"
            ) from exc

    def _write(self, records: dict[str, Record]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "stressors": [_record_to_json(r) for r in records.values()],
        }
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(document, indent=1), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise _unusable(self.path, f"cannot be written: {exc.strerror}") from exc


class UnreadableRegistry(FaultError, InvalidInput):
    """The registry cannot be used: recovery cannot know what to kill.

    A FaultError, since no stressor can be reverted through it, and invalid
    input, since the fix is the user's: clean up by hand, then remove it.
    """


def _unusable(path: Path, why: str) -> UnreadableRegistry:
    return UnreadableRegistry(
        [
            Problem(
                str(path),
                "",
                f"{why}; the stressors it lists cannot be found from it: kill "
                f"leftover stress processes by hand (list them with "
                f"{_FIND_BY_HAND}), then delete or move aside the file",
            )
        ]
    )


def _record_to_json(record: Record) -> dict[str, Any]:
    return {
        "id": record.stressor_id,
        "kind": record.kind.value,
        "engine": record.engine.value,
        "pgid": record.pgid,
        "members": [_member_to_json(m) for m in record.members],
        "started_wall": record.started_wall,
        "duration_s": record.duration_s,
        "target": _target_to_json(record.target),
        "owner": None if record.owner is None else _member_to_json(record.owner),
    }


def _member_to_json(member: Member) -> dict[str, Any]:
    return {"pid": member.pid, "create_time": member.create_time}


def _member_from_json(item: dict[str, Any]) -> Member:
    return Member(int(item["pid"]), float(item["create_time"]))


def _target_to_json(target: Target) -> dict[str, Any]:
    if isinstance(target, CpuTarget):
        return {"percent": target.percent, "cores": target.cores}
    return {"size_bytes": target.size_bytes, "ramp_s": target.ramp_s}


def _record_from_json(item: dict[str, Any]) -> Record:
    kind = Kind(item["kind"])
    raw = item["target"]
    duration = float(item["duration_s"])
    target: Target
    if kind is Kind.CPU:
        target = CpuTarget(float(raw["percent"]), int(raw["cores"]), duration)
    else:
        target = MemoryTarget(int(raw["size_bytes"]), duration, float(raw["ramp_s"]))
    return Record(
        stressor_id=str(item["id"]),
        kind=kind,
        engine=Engine(item["engine"]),
        pgid=int(item["pgid"]),
        members=tuple(_member_from_json(m) for m in item["members"]),
        started_wall=float(item["started_wall"]),
        duration_s=duration,
        target=target,
        owner=_member_from_json(item["owner"]) if item.get("owner") else None,
    )
