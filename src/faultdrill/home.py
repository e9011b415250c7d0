"""Where faultdrill keeps its state: ledgers, locks, sandbox records.

Everything lives under one directory, ``FAULTDRILL_HOME``, so that tests and
teams can point it elsewhere. The default follows the XDG base directory
convention (``$XDG_DATA_HOME/faultdrill``, else ``~/.local/share/faultdrill``).

    home()              the state directory, created on first use
    state_dir("locks")  a directory under it, created on first use

Both raise ``InvalidInput`` naming the variable to fix when the path cannot
be a directory (a file is in the way, a parent is a file, the filesystem
refuses), instead of each caller failing on its own.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from faultdrill.errors import InvalidInput

ENV_VAR = "FAULTDRILL_HOME"
XDG_VAR = "XDG_DATA_HOME"


def home() -> Path:
    """The state directory, created on first use."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        path, variable = Path(explicit), ENV_VAR
    else:
        data = os.environ.get(XDG_VAR) or str(Path.home() / ".local" / "share")
        path, variable = Path(data) / "faultdrill", XDG_VAR
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput.single(
            variable, str(path), _why(exc) + _fix(variable)
        ) from exc
    return path


def state_dir(name: str) -> Path:
    """``home()/name``, created on first use; a file in the way is named."""
    path = home() / name
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise InvalidInput.single(
            ENV_VAR,
            str(path),
            f"{_why(exc)}; faultdrill keeps its {name} there: move that "
            f"aside, or point {ENV_VAR} at another directory",
        ) from exc
    return path


def _why(exc: OSError) -> str:
    if exc.errno == errno.EEXIST:
        return "is a file, not a directory"
    if exc.errno == errno.ENOTDIR:
        return "lies under a file, not a directory"
    return f"cannot be created as a directory ({exc.strerror})"


def _fix(variable: str) -> str:
    if variable == ENV_VAR:
        return (
            f"; point {ENV_VAR} at a directory faultdrill may create and "
            f"write, or unset it to use ${XDG_VAR}/faultdrill"
        )
    return f"; point {ENV_VAR} (or {XDG_VAR}) at a directory faultdrill may create"
