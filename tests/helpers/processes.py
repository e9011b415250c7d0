"""Child processes a test leaves behind."""

from __future__ import annotations

import psutil


def running_children() -> list[psutil.Process]:
    """Running (not zombie) processes this test process started."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found
