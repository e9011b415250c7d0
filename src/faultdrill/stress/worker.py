"""Entry point of stress child processes: ``python -m faultdrill.stress.worker``.

    worker cpu    --parent PID --duration S --share F
    worker memory --parent PID --duration S --bytes N [--ramp S]
    worker guard  --parent PID --duration S -- COMMAND...

``guard`` runs an external stressor (stress-ng) that cannot watch our
runner itself: it starts the command in its own process group, ends it when
the duration is over, and kills the whole group when the runner is gone.

The exit status says why a worker ended: 0 its duration ran out,
``EXIT_PARENT_GONE`` its parent was gone; a guard passes on its command's.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from faultdrill.stress.cpuload import run_cpu
from faultdrill.stress.memload import run_memory, volunteer_for_oom_killer
from faultdrill.stress.model import MemoryTarget
from faultdrill.stress.parentwatch import POLL_INTERVAL_S, ParentWatch

# EX_TEMPFAIL from sysexits.h: the work was cut short, not wrong.
EXIT_PARENT_GONE = 75

# How long stress-ng gets to stop its workers on SIGTERM at the end of its
# duration; it needs a few tens of milliseconds.
GUARD_END_GRACE_S = 1.0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = _parser().parse_args(argv)
    watch = ParentWatch(args.parent)
    if args.kind == "cpu":
        finished = run_cpu(args.share, args.duration, watch.gone)
    elif args.kind == "memory":
        target = MemoryTarget(args.bytes, args.duration, args.ramp)
        volunteer_for_oom_killer()
        finished = run_memory(target, watch.gone)
    else:
        return _guard(args.command, args.duration, watch)
    return 0 if finished else EXIT_PARENT_GONE


def _guard(command: list[str], duration_s: float, watch: ParentWatch) -> int:
    """Run ``command`` in our process group; kill the group if the parent goes."""
    argv = command[1:] if command[:1] == ["--"] else command
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # lead our own group, so killing it spares the caller's
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    end = time.monotonic() + duration_s
    while child.poll() is None:
        if watch.gone():
            os.killpg(os.getpgrp(), signal.SIGKILL)
        if time.monotonic() >= end:
            return _end(child)
        time.sleep(POLL_INTERVAL_S)
    return _status(child.returncode)


def _end(child: subprocess.Popen[bytes]) -> int:
    """Stop the command at the end of its duration; a success, not a failure."""
    child.terminate()
    try:
        child.wait(GUARD_END_GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    return 0


def _status(returncode: int) -> int:
    """A shell-style exit status: 128 + N for a command killed by signal N."""
    return returncode if returncode >= 0 else 128 - returncode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faultdrill.stress.worker")
    kinds = parser.add_subparsers(dest="kind", required=True)

    cpu = kinds.add_parser("cpu", help="hold a share of one core")
    cpu.add_argument("--share", type=float, required=True, help="fraction in (0, 1]")

    memory = kinds.add_parser("memory", help="hold a resident size")
    memory.add_argument("--bytes", type=int, required=True)
    memory.add_argument("--ramp", type=float, default=0.0)

    guard = kinds.add_parser("guard", help="run a command, killed with the parent")
    guard.add_argument("command", nargs=argparse.REMAINDER)

    for sub in (cpu, memory, guard):
        sub.add_argument("--parent", type=int, required=True)
    for sub in (cpu, memory, guard):
        sub.add_argument("--duration", type=float, required=True)
    return parser


if __name__ == "__main__":
    sys.exit(main())
