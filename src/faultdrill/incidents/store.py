"""Incidents on disk: one JSON file each under ``FAULTDRILL_HOME/incidents``.

Ids are ``INC-0001``, ``INC-0002``, ... Opening (which picks the next id)
and updating hold an exclusive ``flock`` on the directory's lock file, so
processes never hand out one id twice or lose each other's updates. Files
are replaced atomically: a reader never sees half an incident.

A file that cannot be read as an incident (not UTF-8, not JSON, a directory
where a file should be, the whole ``incidents`` path a file) is never taken
for "no incident": ``all()`` and ``get()`` raise InvalidInput naming it, and
``scan()`` hands back what was read beside what was not, for the gate to
refuse on and ``incident list`` to warn about.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from faultdrill.errors import InvalidInput, Problem
from faultdrill.home import home
from faultdrill.incidents.model import Incident, IncidentStatus

log = logging.getLogger(__name__)

DIRECTORY = "incidents"
LOCK_FILE = ".lock"
ID_PREFIX = "INC-"
ID_DIGITS = 4  # INC-0001; more digits appear by themselves past 9999
_ID = re.compile(rf"^{ID_PREFIX}(\d+)$")


@dataclass(frozen=True)
class IncidentScan:
    """The incidents that could be read, and a problem for each that could not."""

    incidents: tuple[Incident, ...]
    problems: tuple[Problem, ...]

    @property
    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.status is IncidentStatus.OPEN]


class IncidentStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def default(cls) -> IncidentStore:
        return cls(home() / DIRECTORY)

    def create(self, make: Callable[[str], Incident]) -> Incident:
        """Store the incident ``make(new_id)`` builds, under a fresh id."""
        with self._locked():
            incident = make(self._next_id())
            self._write(incident)
        log.info(
            "incident %s opened (%s): %s",
            incident.id,
            incident.severity,
            incident.title,
        )
        return incident

    def update(
        self, incident_id: str, change: Callable[[Incident], Incident]
    ) -> Incident:
        """Replace an incident with ``change(current)``, under the lock."""
        with self._locked():
            updated = change(self.get(incident_id))
            self._write(updated)
        return updated

    def get(self, incident_id: str) -> Incident:
        path = self._path(incident_id)
        self.check_directory()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            readable = self.scan().incidents[-5:]
            known = ", ".join(i.id for i in readable) or "none yet"
            raise InvalidInput.single(
                "incident",
                incident_id,
                f"no such incident; known: {known} (see 'faultdrill incident list')",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput([_unreadable(path, exc)]) from exc
        return _parse(path, text)

    def all(self) -> list[Incident]:
        """Every incident, oldest first; InvalidInput if any cannot be read."""
        scan = self.scan()
        if scan.problems:
            raise InvalidInput(scan.problems)
        return list(scan.incidents)

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.all() if i.status is IncidentStatus.OPEN]

    def scan(self) -> IncidentScan:
        """Every incident that can be read, oldest first, and what could not be."""
        if not self.directory.exists():
            return IncidentScan((), ())
        if not self.directory.is_dir():
            return IncidentScan((), (_not_a_directory(self.directory),))
        incidents, problems = [], []
        for path in self._files():
            try:
                incidents.append(_parse(path, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(_unreadable(path, exc))
            except InvalidInput as exc:
                problems.extend(exc.problems)
        return IncidentScan(tuple(incidents), tuple(problems))

    def _files(self) -> list[Path]:
        return sorted(
            (p for p in self.directory.glob(f"{ID_PREFIX}*.json") if _number(p.stem)),
            key=lambda p: _number(p.stem) or 0,
        )

    def check_directory(self) -> None:
        """InvalidInput when something other than a directory holds its place."""
        if self.directory.exists() and not self.directory.is_dir():
            raise InvalidInput([_not_a_directory(self.directory)])

    def _next_id(self) -> str:
        numbers = [_number(p.stem) or 0 for p in self.directory.glob("*.json")]
        return f"{ID_PREFIX}{max(numbers, default=0) + 1:0{ID_DIGITS}d}"

    def _path(self, incident_id: str) -> Path:
        if _number(incident_id) is None:
            raise InvalidInput.single(
                "incident", incident_id, "is not an incident id; ids look like INC-0001"
            )
        return self.directory / f"{incident_id}.json"

    def _write(self, incident: Incident) -> None:
        data = incident.model_dump_json(indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".incident-", dir=self.directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, self._path(incident.id))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.check_directory()
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _number(stem: str) -> int | None:
    match = _ID.match(stem)
    return int(match.group(1)) if match else None


def _not_a_directory(directory: Path) -> Problem:
    return Problem(
        str(directory),
        "",
        "is a file, not the directory of incidents; move it aside so that "
        "incidents can be recorded and read",
    )


def _unreadable(path: Path, exc: OSError | UnicodeDecodeError) -> Problem:
    if isinstance(exc, IsADirectoryError):
        why = "is a directory, not an incident file"
    elif isinstance(exc, UnicodeDecodeError):
        why = f"is not UTF-8 text (byte {exc.start})"
    else:
        why = f"cannot be read ({exc.strerror})"
    return Problem(str(path), "", f"{why}; restore it from a backup or move it aside")


def _parse(path: Path, text: str) -> Incident:
    try:
        return Incident.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput.single(
            str(path),
            "",
            f"is not a readable incident ({exc.error_count()} "
            "problems); restore it from a backup or delete it",
        ) from exc
