"""Writing report files atomically: a reader never sees half a report.

A path that cannot be written is the user's to fix, so it is InvalidInput
naming the option that gave it (``--html``) and why: a directory is in the
way, a part of the path is a file, the filesystem refuses.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from faultdrill.errors import InvalidInput

DEFAULT_OPTION = "output"


def check_writable(path: Path, option: str = DEFAULT_OPTION) -> None:
    """Raise InvalidInput now if ``path`` can never be written as a file.

    Called before any work, so that a long render does not end in a typo.
    Whatever only shows when writing (a full disk, procfs) is caught then.
    """
    if path.is_dir():
        raise _unwritable(path, option, "is a directory; give a file name")
    existing = next(p for p in (path.parent, *path.parent.parents) if p.exists())
    if not existing.is_dir():
        raise _unwritable(
            path, option, f"lies under {existing}, which is a file, not a directory"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _unwritable(path, option, f"{existing} is not writable")


def write_text(path: Path, text: str, option: str = DEFAULT_OPTION) -> None:
    """Write ``text`` to ``path`` atomically, creating its directory if needed."""
    check_writable(path, option)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as exc:
        raise _unwritable(path, option, _why(exc)) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _unwritable(path, option, _why(exc)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _why(exc: OSError) -> str:
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a part of the path is a file, not a directory"
    if exc.errno == errno.EISDIR:
        return "is a directory; give a file name"
    return f"cannot be written there ({exc.strerror})"


def _unwritable(path: Path, option: str, why: str) -> InvalidInput:
    return InvalidInput.single(
        option, str(path), f"{why}; give a file path in a writable directory"
    )
