"""The ``faultdrill`` command: its groups, logging set-up and exit codes."""

from __future__ import annotations

import logging
import sys

import click

from faultdrill import __version__, errors
from faultdrill.exitcodes import ExitCode, for_error

log = logging.getLogger("faultdrill")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="faultdrill")
@click.option("-v", "--verbose", count=True, help="More detail: -v for debug logs.")
def cli(verbose: int) -> None:
    """Run chaos experiments that stay inside the error budget.

    \b
    Typical use:
      faultdrill validate experiments/*.yaml
      faultdrill sandbox up
      faultdrill run experiments/api-latency-absorbed.yaml
      faultdrill sandbox down

    Exit codes: 0 held, 1 SLO deviated, 2 invalid input, 3 refused by a gate,
    4 aborted by the guard, 5 inconclusive, 70 internal error, 130 interrupted.
    """
    _configure_logging(verbose)


def _configure_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-5s %(message)s", "%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("faultdrill").setLevel(level)
    logging.getLogger("chaosfaultdrill").setLevel(level)


def _register_commands() -> None:
    from faultdrill.cli.experiments import recover, run, validate
    from faultdrill.cli.plan import plan
    from faultdrill.cli.report import report
    from faultdrill.cli.slo_commands import SLO_COMMANDS
    from faultdrill.proxy.cli import proxy
    from faultdrill.sandbox.cli import sandbox

    for command in (
        validate,
        plan,
        run,
        recover,
        proxy,
        sandbox,
        report,
        *SLO_COMMANDS,
    ):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Entry point: run the CLI and turn every ending into its exit code."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.INVALID_INPUT)
    except errors.FaultdrillError as exc:
        click.echo(f"faultdrill: {exc}", err=True)
        sys.exit(for_error(exc))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except Exception:
        log.exception("internal error; please report it with the log above")
        sys.exit(ExitCode.INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else ExitCode.HELD)
