"""``faultdrill proxy serve``: run the server until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

from faultdrill.errors import InvalidInput
from faultdrill.proxy import config
from faultdrill.proxy.api import TOXIPROXY_VERSION
from faultdrill.proxy.loop import new_loop, raise_open_files_limit
from faultdrill.proxy.proxyspec import ProxySpec
from faultdrill.proxy.server import PopulateFailed, ProxyServer, ServerOptions

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def serve(
    options: ServerOptions, config_path: Path | None, ready_file: Path | None
) -> None:
    """Serve until a stop signal; then close every proxy and connection."""
    specs = config.load(config_path) if config_path is not None else []
    raise_open_files_limit()
    with asyncio.Runner(loop_factory=new_loop) as runner:
        runner.run(_serve(options, specs, config_path, ready_file))


async def _serve(
    options: ServerOptions,
    specs: list[ProxySpec],
    config_path: Path | None,
    ready_file: Path | None,
) -> None:
    server = ProxyServer(options)
    url = await server.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        await _populate(server, specs, config_path)
        if ready_file is not None:
            write_ready_file(ready_file, url)
        print(
            f"faultdrill proxy: Toxiproxy {TOXIPROXY_VERSION} API on {url}",
            file=sys.stderr,
        )
        await stop.wait()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        await server.close()


async def _populate(
    server: ProxyServer, specs: list[ProxySpec], config_path: Path | None
) -> None:
    try:
        await server.populate(specs)
    except PopulateFailed as exc:
        spec = specs[exc.position]
        raise InvalidInput.single(
            str(config_path),
            f"[{exc.position}].listen",
            f"proxy {spec.name!r} cannot start: {exc.error.message}; "
            "fix its listen address (port 0 picks a free one)",
        ) from None


def write_ready_file(path: Path, url: str) -> None:
    """Write ``{"url": ..., "pid": ...}`` atomically (rename into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"url": url, "pid": os.getpid()}, handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
