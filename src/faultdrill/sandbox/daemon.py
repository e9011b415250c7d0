"""One sandbox component as a long-running process.

    python -m faultdrill.sandbox.daemon catalog --port N --ready-file PATH
    python -m faultdrill.sandbox.daemon web --port N --ready-file PATH \\
        --catalog-url URL [--login-rate R --login-burst B
        --login-key ip|header|user|global]

It listens on 127.0.0.1, writes the ready file once it accepts connections,
and stops cleanly on SIGTERM or SIGINT. :mod:`faultdrill.sandbox.control`
starts these; people normally do not.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from faultdrill.sandbox import readyfile
from faultdrill.sandbox.catalog import build_catalog_app
from faultdrill.sandbox.config import (
    DEFAULT_DEPENDENCY_TIMEOUT,
    DEFAULT_LOGIN_BURST,
    DEFAULT_LOGIN_RATE,
    HOST,
    LimitKey,
)
from faultdrill.sandbox.webapp import WebSettings, build_web_app

log = logging.getLogger("faultdrill.sandbox")

# How long requests in flight may finish after SIGTERM: the longest a request
# can take with the default 2 s dependency timeout. aiohttp's own default, 60 s,
# would outlast the grace ``sandbox down`` gives before SIGKILL.
SHUTDOWN_TIMEOUT = 2.0


async def serve(app: web.Application, port: int, ready_file: Path) -> None:
    """Serve ``app`` on HOST:port until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        bound = runner.addresses[0][1]
        readyfile.write(ready_file, bound)
        log.info("listening on http://%s:%d", HOST, bound)
        await stop.wait()
        log.info("stopping")
    finally:
        await runner.cleanup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m faultdrill.sandbox.daemon")
    parser.add_argument("component", choices=["catalog", "web"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--catalog-url", help="the catalog, through the proxy")
    parser.add_argument("--login-rate", type=float, default=DEFAULT_LOGIN_RATE)
    parser.add_argument("--login-burst", type=int, default=DEFAULT_LOGIN_BURST)
    parser.add_argument(
        "--login-key", choices=[k.value for k in LimitKey], default=LimitKey.IP.value
    )
    parser.add_argument(
        "--dependency-timeout", type=float, default=DEFAULT_DEPENDENCY_TIMEOUT
    )
    return parser


def _app_for(args: argparse.Namespace) -> web.Application:
    if args.component == "catalog":
        return build_catalog_app()
    if not args.catalog_url:
        raise SystemExit("the web component needs --catalog-url")
    settings = WebSettings(
        catalog_url=args.catalog_url,
        login_rate=args.login_rate,
        login_burst=args.login_burst,
        login_key=LimitKey(args.login_key),
        dependency_timeout=args.dependency_timeout,
    )
    return build_web_app(settings)


def _run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run on uvloop when it is installed, else on the default loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)-5s {args.component}: %(message)s",
        datefmt="%H:%M:%S",
    )
    app = _app_for(args)
    _run(lambda: serve(app, args.port, args.ready_file))


if __name__ == "__main__":
    main()
