"""Exclusive locks on experiment targets, so two experiments never share one.

One lock file per target under ``FAULTDRILL_HOME/locks``. A lock is an
``flock`` held on an open file, so the kernel drops it the moment its
holder exits, however it exits (crash, SIGKILL): a lock can never be left
stuck. While held, the file says who holds it (pid, experiment, run id).

    with target_lock(["proxy:catalog"], experiment="catalog latency", run_id=...):
        ...                          # Refused names the holder if taken
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.errors import InvalidInput, Refused
from faultdrill.experiment.model import Experiment
from faultdrill.home import home

log = logging.getLogger(__name__)

DIRECTORY = "locks"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Characters of the name's hash in the file name: distinct targets that
# slug alike ("a/b", "a:b") still get their own files.
_HASH_CHARS = 10


class LockHolder(BaseModel):
    model_config = ConfigDict(frozen=True)

    target: str
    pid: int
    experiment: str
    run_id: str | None
    since: float  # epoch seconds

    def describe(self) -> str:
        when = time.strftime("%H:%M:%S UTC", time.gmtime(self.since))
        run = f"run {self.run_id}, " if self.run_id else ""
        return (
            f"target {self.target} is held by experiment {self.experiment!r} "
            f"({run}pid {self.pid}, since {when}); wait for it to finish"
        )


def experiment_targets(experiment: Experiment) -> list[str]:
    """The lock names of what an experiment's blast radius may touch."""
    targets = experiment.blast_radius.targets
    names = [f"proxy:{p}" for p in targets.proxies]
    names += [f"host:{h}" for h in targets.hosts]
    names += [f"endpoint:{e}" for e in targets.endpoints]
    names += [f"namespace:{n}" for n in targets.namespaces]
    names += [f"label:{k}={v}" for k, v in sorted(targets.labels.items())]
    return sorted(set(names))


@contextlib.contextmanager
def target_lock(
    targets: Iterable[str],
    experiment: str,
    run_id: str | None = None,
    directory: Path | None = None,
) -> Iterator[list[str]]:
    """Hold every target exclusively for the block; Refused if any is taken.

    Targets are locked in sorted order, so two experiments wanting
    overlapping sets cannot deadlock; on refusal nothing stays locked.
    """
    where = _directory(directory)
    names = sorted(set(targets))
    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(_one(where, name, experiment, run_id))
        log.debug("locked targets %s for %s", names, experiment)
        yield names


def holders(targets: Iterable[str], directory: Path | None = None) -> list[LockHolder]:
    """Who holds any of ``targets`` right now, without taking them."""
    where = _directory(directory)
    found = []
    for name in sorted(set(targets)):
        holder = _peek(_path(where, name), name)
        if holder is not None:
            found.append(holder)
    return found


def _directory(directory: Path | None) -> Path:
    """Where the lock files are; InvalidInput if a file stands in its place."""
    where = directory or home() / DIRECTORY
    if where.exists() and not where.is_dir():
        raise InvalidInput.single(
            str(where),
            "",
            "is a file, not the directory of target locks; move it aside "
            "(no experiment holds a lock through it)",
        )
    return where


@contextlib.contextmanager
def _one(where: Path, name: str, experiment: str, run_id: str | None) -> Iterator[None]:
    path = _path(where, name)
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise _unusable(path, name, _why(exc)) from exc
    _check_regular(fd, path, name)
    try:
        if not _try(fd, fcntl.LOCK_EX):
            raise Refused([_held_message(fd, name)])
        _write_holder(fd, name, experiment, run_id)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _peek(path: Path, name: str) -> LockHolder | None:
    try:
        # Non-blocking: a FIFO in the lock's place must not hang the gate.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unusable(path, name, _why(exc)) from exc
    _check_regular(fd, path, name)
    try:
        # A shared lock is granted only while nobody holds the exclusive one.
        if _try(fd, fcntl.LOCK_SH):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        return _read_holder(fd, name)
    finally:
        os.close(fd)


def _try(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise
    return True


def _write_holder(fd: int, name: str, experiment: str, run_id: str | None) -> None:
    holder = LockHolder(
        target=name,
        pid=os.getpid(),
        experiment=experiment,
        run_id=run_id,
        since=time.time(),
    )
    os.ftruncate(fd, 0)
    os.pwrite(fd, holder.model_dump_json().encode(), 0)


def _held_message(fd: int, name: str) -> str:
    holder = _read_holder(fd, name)
    return holder.describe()


def _read_holder(fd: int, name: str) -> LockHolder:
    raw = os.pread(fd, 4096, 0)
    try:
        return LockHolder.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        # Taken a moment ago, its holder not yet written down.
        return LockHolder(
            target=name, pid=0, experiment="(unknown)", run_id=None, since=time.time()
        )


def _check_regular(fd: int, path: Path, name: str) -> None:
    """Close ``fd`` and raise unless it is a regular file."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return
    os.close(fd)
    kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
    raise _unusable(path, name, f"it is {kind}")


def _why(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    return str(exc.strerror)


def _unusable(path: Path, name: str, why: str) -> InvalidInput:
    return InvalidInput.single(
        str(path),
        "",
        f"the lock file of target {name} cannot be used ({why}); move it aside "
        "(a lock is only held while its file is open, so none is lost)",
    )


def _path(where: Path, name: str) -> Path:
    slug = _UNSAFE.sub("_", name).strip("_")[:60] or "target"
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_CHARS]
    return where / f"{slug}-{digest}.lock"
