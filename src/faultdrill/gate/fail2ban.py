"""Fail2Ban bans, counted from its log.

Fail2Ban logs each ban as a NOTICE of ``fail2ban.actions``::

    2024-03-15 12:00:01,234 fail2ban.actions [812]: NOTICE  [sshd] Ban 192.0.2.7

in the server's local time. ``Restore Ban`` lines re-apply old bans after a
restart and are not new bans; ``Unban`` lines end one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from faultdrill.errors import InvalidInput

log = logging.getLogger(__name__)

# Only the end of a long log is read: 8 MiB is ~80,000 lines, days of bans
# on a busy host and far more than any signal window needs.
TAIL_BYTES = 8 * 1024 * 1024
_BAN = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),\d+\s+fail2ban\.actions\s*"
    r"\[\d+\]:\s+NOTICE\s+\[(?P<jail>[^\]]+)\]\s+Ban\s+(?P<ip>\S+)"
)
_STAMP = "%Y-%m-%d %H:%M:%S"


def bans_since(path: Path, since: float, jails: Sequence[str] = ()) -> int:
    """Bans logged at or after ``since`` (epoch s), in ``jails`` if given."""
    return sum(1 for _ in _bans(_tail(path), since, set(jails)))


def _bans(lines: Iterable[str], since: float, jails: set[str]) -> Iterable[str]:
    for line in lines:
        match = _BAN.match(line)
        if match is None:
            continue
        if jails and match["jail"] not in jails:
            continue
        # Naive timestamps are local time, as Fail2Ban writes them.
        if datetime.strptime(match["stamp"], _STAMP).timestamp() >= since:
            yield match["ip"]


def _tail(path: Path) -> list[str]:
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            data = handle.read()
    except OSError as exc:
        raise InvalidInput.single(
            str(path),
            "security.fail2ban-log",
            f"cannot be read ({exc.strerror}); give Fail2Ban's log file "
            "(its logtarget, often /var/log/fail2ban.log) and read access to it",
        ) from exc
    return data.decode("utf-8", errors="replace").splitlines()
