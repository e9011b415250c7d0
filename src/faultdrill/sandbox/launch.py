"""One run of ``sandbox up``: the three components started in order.

Catalog first, then the fault proxy in front of it (the embedded server, or
a ``catalog`` proxy created on an outside Toxiproxy), then the web app that
reaches the catalog through that proxy; finally one request along the whole
path proves it works. :meth:`Launch.stop_all` undoes a partial start.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from faultdrill.errors import TargetUnavailable
from faultdrill.sandbox import processes
from faultdrill.sandbox.config import HOST, PROXY_NAME, SandboxConfig
from faultdrill.sandbox.state import Component, ProcessRecord, SandboxState
from faultdrill.sandbox.toxiproxy_api import (
    ProxyInfo,
    ProxySpec,
    ToxiproxyApi,
    remove_proxy,
)

log = logging.getLogger(__name__)

POPULATE_FILE = "proxy-populate.json"

# The first request along web -> proxy -> catalog; a working path answers in
# milliseconds, so this only bounds a hang.
PATH_CHECK_TIMEOUT = 5.0
LOG_LINES_EACH = 5  # of each log, quoted when the path does not work


@dataclass(frozen=True)
class _Proxy:
    api_url: str
    listen: str
    embedded: bool


class Launch:
    """Starts the components of one sandbox and remembers what it started."""

    def __init__(self, config: SandboxConfig, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self.records: list[ProcessRecord] = []
        self._outside_url: str | None = None

    def run(self) -> SandboxState:
        catalog_port = self._catalog()
        proxy = self._proxy(catalog_port)
        web_port = self._web(proxy.listen)

        sandbox = SandboxState(
            config=self.config,
            processes=tuple(self.records),
            web_url=f"http://{HOST}:{web_port}",
            catalog_url=f"http://{HOST}:{catalog_port}",
            toxiproxy_url=proxy.api_url,
            proxy_listen=proxy.listen,
            embedded_proxy=proxy.embedded,
        )
        _check_path(sandbox)
        return sandbox

    def stop_all(self) -> None:
        """Stop everything this launch started, newest first."""
        for record in reversed(self.records):
            processes.stop(record.pid, record.started)
        self.records.clear()
        if self._outside_url is not None:
            remove_proxy(self._outside_url, PROXY_NAME)

    def _catalog(self) -> int:
        return self._daemon(Component.CATALOG, self.config.catalog_port, [])

    def _web(self, proxy_listen: str) -> int:
        config = self.config
        options = [
            "--catalog-url", f"http://{proxy_listen}",
            "--login-rate", str(config.login_rate),
            "--login-burst", str(config.login_burst),
            "--login-key", config.login_key.value,
            "--dependency-timeout", str(config.dependency_timeout),
        ]  # fmt: skip
        return self._daemon(Component.WEB, config.web_port, options)

    def _daemon(self, component: Component, port: int, options: list[str]) -> int:
        argv = [
            sys.executable, "-m", "faultdrill.sandbox.daemon", component.value,
            "--port", str(port), "--ready-file", str(self._ready_file(component)),
            *options,
        ]  # fmt: skip
        return self._start(component, argv)

    def _proxy(self, catalog_port: int) -> _Proxy:
        spec = ProxySpec(
            name=PROXY_NAME,
            listen=f"{HOST}:{self.config.proxy_port}",
            upstream=f"{HOST}:{catalog_port}",
        )
        if self.config.toxiproxy_url is not None:
            return self._outside(self.config.toxiproxy_url, spec)
        return self._embedded(spec)

    def _outside(self, url: str, spec: ProxySpec) -> _Proxy:
        api = ToxiproxyApi(url)
        self._outside_url = url
        try:
            created = _named(api.populate([spec]), url)
        finally:
            api.close()
        log.debug("created proxy %r on the Toxiproxy at %s", spec.name, url)
        return _Proxy(api.url, created.listen, embedded=False)

    def _embedded(self, spec: ProxySpec) -> _Proxy:
        populate = self.directory / POPULATE_FILE
        populate.write_text(json.dumps([spec.model_dump()], indent=2) + "\n")
        argv = [
            sys.executable, "-m", "faultdrill", "proxy", "serve",
            "--host", HOST, "--port", str(self.config.api_port),
            "--config", str(populate),
            "--ready-file", str(self._ready_file(Component.PROXY)),
        ]  # fmt: skip
        api_port = self._start(Component.PROXY, argv)

        log_file = self._log_file(Component.PROXY)
        api = ToxiproxyApi(f"http://{HOST}:{api_port}", fix=f"see {log_file}")
        try:
            listen = api.get_proxy(spec.name).listen
        finally:
            api.close()
        return _Proxy(api.url, listen, embedded=True)

    def _start(self, component: Component, argv: list[str]) -> int:
        """Start one daemon, record it, and wait for its port."""
        log_file = self._log_file(component)
        daemon = processes.start(
            component.value, argv, log_file, self._ready_file(component)
        )
        ready = processes.wait_ready(daemon)
        self.records.append(
            ProcessRecord(
                component=component,
                pid=daemon.pid,
                started=daemon.started,
                port=ready.port,
                log_file=log_file,
            )
        )
        log.debug("%s is listening on port %d", component.value, ready.port)
        return ready.port

    def _log_file(self, component: Component) -> Path:
        return self.directory / f"{component.value}.log"

    def _ready_file(self, component: Component) -> Path:
        return self.directory / f"{component.value}.ready"


def _named(proxies: list[ProxyInfo], url: str) -> ProxyInfo:
    for proxy in proxies:
        if proxy.name == PROXY_NAME:
            return proxy
    raise TargetUnavailable(
        f"the Toxiproxy API at {url} did not report proxy {PROXY_NAME!r} "
        "after /populate created it"
    )


def _check_path(sandbox: SandboxState) -> None:
    """One request from web app through the proxy to the catalog must work."""
    url = f"{sandbox.web_url}/api/videos"
    session = requests.Session()
    session.trust_env = False  # loopback only; never via an HTTP proxy
    try:
        status = session.get(url, timeout=PATH_CHECK_TIMEOUT).status_code
    except requests.RequestException as exc:
        message = f"the sandbox web app did not answer {url}: {exc}"
        raise TargetUnavailable(message) from exc
    finally:
        session.close()
    if status != 200:
        logs = "\n".join(
            f"{p.log_file}:\n{processes.log_tail(p.log_file, LOG_LINES_EACH)}"
            for p in sandbox.processes
        )
        raise TargetUnavailable(
            f"GET {url} answered {status}, so web -> proxy {sandbox.proxy_listen} "
            f"-> catalog does not work; see the logs:\n{logs}"
        )
