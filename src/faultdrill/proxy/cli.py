"""``faultdrill proxy``: the embedded Toxiproxy-compatible server."""

from __future__ import annotations

from pathlib import Path

import click

from faultdrill.proxy.server import DEFAULT_HOST, DEFAULT_PORT, ServerOptions


@click.group()
def proxy() -> None:
    """The embedded Toxiproxy-compatible server."""


@proxy.command()
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Address of the API."
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the API; 0 picks a free one.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Proxies to create at start: the JSON array /populate takes.",
)
@click.option("--proxy-metrics", is_flag=True, help="Serve byte counters on /metrics.")
@click.option(
    "--runtime-metrics", is_flag=True, help="Serve process metrics on /metrics."
)
@click.option("--seed", type=int, help="Seed for jitter, toxicity and slicing.")
@click.option(
    "--ready-file", type=click.Path(path_type=Path, dir_okay=False), hidden=True
)
def serve(
    host: str,
    port: int,
    config_path: Path | None,
    proxy_metrics: bool,
    runtime_metrics: bool,
    seed: int | None,
    ready_file: Path | None,
) -> None:
    """Serve the Toxiproxy HTTP API until Ctrl-C or SIGTERM.

    Any Toxiproxy client works against it. It listens on loopback unless
    --host says otherwise.
    """
    from faultdrill.proxy.serve import serve as run

    options = ServerOptions(host, port, proxy_metrics, runtime_metrics, seed)
    run(options, config_path, ready_file)
