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
from urllib.parse import urlsplit


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

    Accepts ``{"port": N, "pid": P}`` as written by :func:`write`, and
    ``{"url": "http://host:N", "pid": P}`` as the fault proxy writes it.
    """
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    port = data.get("port")
    if port is None and isinstance(data.get("url"), str):
        port = urlsplit(data["url"]).port
    if not isinstance(port, int):
        return None
    return Ready(pid=pid if isinstance(pid, int) else 0, port=port)
