"""A real nginx on 127.0.0.1 with one ``limit_req`` location per configuration.

Each location has its own zone, keyed by the client address, and serves a
static file: ``return`` would answer before ``limit_req`` ever runs (it
acts in the rewrite phase, the limit in preaccess).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NGINX = "/usr/sbin/nginx"
START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class LimitConf:
    name: str
    rate: int  # r/s
    burst: int
    nodelay: bool
    status: int  # limit_req_status; nginx's default is 503

    def zone(self) -> str:
        return f"limit_req_zone $binary_remote_addr zone={self.name}:1m rate={self.rate}r/s;"

    def location(self) -> str:
        options = f" burst={self.burst}" if self.burst else ""
        options += " nodelay" if self.nodelay and self.burst else ""
        status = f"limit_req_status {self.status};" if self.status != 503 else ""
        return f"location = /{self.name} {{ limit_req zone={self.name}{options}; {status} }}"


def _config(prefix: Path, port: int, limits: list[LimitConf]) -> str:
    zones = "\n    ".join(c.zone() for c in limits)
    locations = "\n        ".join(c.location() for c in limits)
    temp = "\n    ".join(
        f"{kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    {temp}
    {zones}
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
        {locations}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def nginx_serving(limits: list[LimitConf]) -> Iterator[str]:
    """nginx with ``limits`` on an ephemeral port; yields its base URL."""
    prefix = Path(tempfile.mkdtemp(prefix="faultdrill-nginx-"))
    try:
        www = prefix / "www"
        www.mkdir()
        for conf in limits:
            (www / conf.name).write_text("ok\n")
        os.chmod(prefix, 0o755)  # the worker may run as another user
        port = free_port()
        (prefix / "nginx.conf").write_text(_config(prefix, port, limits))
        directives = f"daemon off; pid {prefix}/nginx.pid; error_log stderr;"
        # A file, not a pipe: nginx logs every rejection, and a pipe nobody
        # reads fills up and blocks its worker.
        log = (prefix / "error.log").open("wb")
        server = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", "nginx.conf", "-g", directives],
            stdin=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        try:
            _wait_listening(port, server, prefix / "error.log")
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_listening(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors = log.read_text(errors="replace")
            raise RuntimeError(f"nginx exited with {server.returncode}: {errors}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(
        f"nginx not listening on 127.0.0.1:{port} after {START_TIMEOUT_S} s"
    )
