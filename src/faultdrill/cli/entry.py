"""The console script's entry point.

Importing the command line takes a moment; Ctrl-C in that moment must end
the command as quietly as Ctrl-C at any later point, not with a traceback.
Nothing has been touched yet, so there is nothing to roll back.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from faultdrill.cli.main import main as run_cli
    except KeyboardInterrupt:
        from faultdrill.exitcodes import ExitCode

        sys.stderr.write("interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    run_cli()
