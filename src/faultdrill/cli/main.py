"""The ``faultdrill`` command: its groups, logging set-up and exit codes."""

from __future__ import annotations

import importlib
import logging
import signal
import sys
from types import FrameType

import click

from faultdrill import __version__, errors
from faultdrill.exitcodes import ExitCode, for_error

log = logging.getLogger("faultdrill")


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return super().get_command(ctx, name)
        module_name, attribute = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[name]} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="faultdrill")
@click.option("-v", "--verbose", count=True, help="More detail: -v for debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per log line, for log pipelines.",
)
def cli(verbose: int, log_format: str) -> None:
    """Run chaos experiments that stay inside the error budget.

    \b
    Typical use:
      faultdrill validate experiments/*.yaml
      faultdrill sandbox up
      faultdrill run experiments/api-latency-absorbed.yaml
      faultdrill sandbox down

    Exit codes: 0 held, 1 SLO deviated, 2 invalid input, 3 refused by a gate,
    4 aborted (the guard, a failing action), 5 inconclusive, 6 a fault could
    not be reverted (run faultdrill recover), 70 internal error, 130
    interrupted.
    """
    _configure_logging(verbose, log_format)


def _configure_logging(verbose: int, log_format: str) -> None:
    level = logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from faultdrill.report.logformat import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-5s %(message)s", "%H:%M:%S")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("faultdrill").setLevel(level)
    logging.getLogger("chaosfaultdrill").setLevel(level)


# Every command, as "module:attribute", imported only when it is used: a
# run must not wait for the report's plotting library to load, and SIGTERM
# must find our handler installed within milliseconds of start-up.
COMMANDS = {
    "validate": "faultdrill.cli.experiments:validate",
    "plan": "faultdrill.cli.plan:plan",
    "run": "faultdrill.cli.experiments:run",
    "recover": "faultdrill.cli.experiments:recover",
    "proxy": "faultdrill.proxy.cli:proxy",
    "sandbox": "faultdrill.sandbox.cli:sandbox",
    "report": "faultdrill.cli.report:report",
    "gameday": "faultdrill.cli.gameday:gameday",
    "budget": "faultdrill.cli.slo_commands:budget",
    "gate": "faultdrill.cli.slo_commands:gate",
    "incident": "faultdrill.cli.slo_commands:incident",
    "slo": "faultdrill.cli.slo_commands:slo",
}


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main() -> None:
    """Entry point: run the CLI and turn every ending into its exit code."""
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
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
    except (OSError, UnicodeDecodeError) as exc:
        # A path or file the user pointed us at (or FAULTDRILL_HOME) is not
        # usable; the message names it.
        click.echo(f"faultdrill: {exc}", err=True)
        sys.exit(ExitCode.INVALID_INPUT)
    except Exception:
        log.exception("internal error; please report it with the log above")
        sys.exit(ExitCode.INTERNAL_ERROR)
    sys.exit(code if isinstance(code, int) else ExitCode.HELD)
