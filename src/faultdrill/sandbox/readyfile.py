"""Ready files: how a child process tells its parent it is listening.

A child writes its pid and bound port once its socket accepts connections;
the file appears atomically (written aside, then renamed), so a reader never
sees half of it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ready:
    pid: int
    port: int


def write(path: Path, port: int) -> None:
    aside = path.with_name(path.name + ".tmp")
    aside.write_text(json.dumps({"pid": os.getpid(), "port": port}) + "\n")
    os.replace(aside, path)


def read(path: Path) -> Ready | None:
    """What the file says, or None while it is absent or not yet readable.

    Accepts ``{"port": N, ...}`` as written by :func:`write`, and a bare port
    number, so that the fault proxy's ready file reads the same way.
    """
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if isinstance(data, int):
        return Ready(pid=0, port=data)
    if isinstance(data, dict) and isinstance(data.get("port"), int):
        pid = data.get("pid")
        return Ready(pid=pid if isinstance(pid, int) else 0, port=data["port"])
    return None
