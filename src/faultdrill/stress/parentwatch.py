"""Noticing that the process which started us is gone.

When a parent dies its children are re-parented (to init or to the nearest
subreaper), so ``os.getppid()`` changes. Comparing it with the pid the parent
passed us also catches a parent that died before we got to look.

We poll rather than use ``prctl(PR_SET_PDEATHSIG)``: that signal fires when
the parent *thread* that forked us exits, and Chaos Toolkit runs background
activities in pool threads that end long before the experiment does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# How often workers look at their parent at the latest. The stop-latency
# budget for a crashed runner is about one second; 50 ms leaves most of it
# for the kill itself.
POLL_INTERVAL_S = 0.050


@dataclass(frozen=True)
class ParentWatch:
    """The parent we were started by; ``gone()`` once it has exited."""

    expected_pid: int

    def gone(self) -> bool:
        return os.getppid() != self.expected_pid
