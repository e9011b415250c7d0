"""``faultdrill sandbox up|down|status``: the LocalizeVideos demo target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from faultdrill.errors import TargetUnavailable
from faultdrill.sandbox import control, probe
from faultdrill.sandbox.config import (
    DEFAULT_API_PORT,
    DEFAULT_CATALOG_PORT,
    DEFAULT_LOGIN_BURST,
    DEFAULT_LOGIN_RATE,
    DEFAULT_PROXY_PORT,
    DEFAULT_WEB_PORT,
    LimitKey,
    SandboxConfig,
)
from faultdrill.sandbox.state import SandboxState, sandbox_dir
from faultdrill.validation import parse_model

SANDBOX_URL_ENV = "FAULTDRILL_SANDBOX_URL"
TOXIPROXY_URL_ENV = "TOXIPROXY_URL"

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def sandbox() -> None:
    """The LocalizeVideos demo target on loopback.

    \b
    A web app (homepage, login, video API, /metrics) that calls a catalog
    service through a Toxiproxy-compatible proxy named "catalog", so that
    network faults on that proxy reach the video API.
    """


def _port_option(name: str, default: int, what: str) -> Callable[[F], F]:
    return click.option(
        name, type=click.IntRange(0, 65535), default=default, show_default=True,
        help=f"Port of {what}; 0 picks a free one.",
    )  # fmt: skip


@sandbox.command()
@_port_option("--web-port", DEFAULT_WEB_PORT, "the web app")
@_port_option("--catalog-port", DEFAULT_CATALOG_PORT, "the catalog service")
@_port_option("--proxy-port", DEFAULT_PROXY_PORT, "the catalog proxy's listener")
@_port_option("--api-port", DEFAULT_API_PORT, "the embedded proxy's API")
@click.option(
    "--login-rate", type=click.FloatRange(min=0), default=DEFAULT_LOGIN_RATE,
    show_default=True, help="Login requests per second per client; 0 = no limit.",
)  # fmt: skip
@click.option(
    "--login-burst", type=click.IntRange(min=0), default=DEFAULT_LOGIN_BURST,
    show_default=True, help="Login requests a client may send at once beyond one.",
)  # fmt: skip
@click.option(
    "--login-key", type=click.Choice([k.value for k in LimitKey]),
    default=LimitKey.IP.value, show_default=True,
    help="What makes a client: its address, its X-Client-Id header, the user "
    "it logs in as, or nothing (one limit for all).",
)  # fmt: skip
@click.option(
    "--toxiproxy-url", envvar=TOXIPROXY_URL_ENV, default=None,
    help="Create the proxy on this Toxiproxy server instead of starting "
    "the embedded one [env: TOXIPROXY_URL].",
)  # fmt: skip
def up(**options: Any) -> None:
    """Start the sandbox in the background; fine if it is already up.

    Prints the URLs, then shell exports, so that
    `eval "$(faultdrill sandbox up)"` sets them.
    """
    config = parse_model(SandboxConfig, options, "sandbox up")
    before = control.status()
    state = control.up(config)
    if before is not None and before == state:
        click.echo("# the sandbox was already up")
    click.echo(_describe(state))


@sandbox.command()
def down() -> None:
    """Stop the sandbox and forget it; fine if none is up."""
    if control.recorded() is None:
        click.echo("no sandbox is up")
        return
    control.down()
    click.echo("the sandbox is down")


@sandbox.command()
def status() -> None:
    """What of the sandbox runs, and whether each part answers."""
    state = control.recorded()
    if state is None:
        click.echo("no sandbox is up")
        return
    checks = probe.check(state)
    for item in checks:
        mark = "ok  " if item.ok else "FAIL"
        click.echo(f"{mark} {item.name:<44} {item.detail:<22} {item.target}")
    failed = [item.name for item in checks if not item.ok]
    if failed:
        raise TargetUnavailable(
            f"part of the sandbox does not answer ({', '.join(failed)}); "
            "restart it: faultdrill sandbox down, then faultdrill sandbox up"
        )


def _describe(state: SandboxState) -> str:
    proxy_kind = "embedded" if state.embedded_proxy else "outside server"
    lines = [
        "# LocalizeVideos sandbox",
        f"#   web app        {state.web_url}",
        f"#   catalog        {state.catalog_url}",
        f"#   proxy          {state.proxy_listen} -> catalog "
        f"(Toxiproxy proxy {state.proxy_name!r})",
        f"#   Toxiproxy API  {state.toxiproxy_url} ({proxy_kind})",
        f"#   logs           {sandbox_dir()}",
        f"export {SANDBOX_URL_ENV}={state.web_url}",
        f"export {TOXIPROXY_URL_ENV}={state.toxiproxy_url}",
    ]
    return "\n".join(lines)
