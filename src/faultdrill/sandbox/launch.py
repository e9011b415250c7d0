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
    """Starts the components of one sandbox and remembers what it started.

    A component whose port is known in advance need not be waited for before
    the next one starts: with fixed ports all three start at once, and only
    a port of 0 makes the next component wait to learn it.
    """

    def __init__(self, config: SandboxConfig, directory: Path) -> None:
        self.config = config
        self.directory = directory
        self._daemons: dict[Component, processes.Daemon] = {}
        self._ports: dict[Component, int] = {}
        self._outside_url: str | None = None

    def run(self) -> SandboxState:
        catalog_port = self._catalog()
        proxy = self._proxy(catalog_port)
        web_port = self._web(proxy.listen)
        records = tuple(self._record(component) for component in self._daemons)

        sandbox = SandboxState(
            config=self.config,
            processes=records,
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
        for daemon in reversed(self._daemons.values()):
            processes.stop(daemon.pid, daemon.started)
        self._daemons.clear()
        if self._outside_url is not None:
            remove_proxy(self._outside_url, PROXY_NAME)

    def _catalog(self) -> int:
        self._start_daemon(Component.CATALOG, self.config.catalog_port, [])
        return self._port(Component.CATALOG, self.config.catalog_port)

    def _web(self, proxy_listen: str) -> int:
        config = self.config
        options = [
            "--catalog-url", f"http://{proxy_listen}",
            "--login-rate", str(config.login_rate),
            "--login-burst", str(config.login_burst),
            "--login-key", config.login_key.value,
            "--dependency-timeout", str(config.dependency_timeout),
        ]  # fmt: skip
        self._start_daemon(Component.WEB, config.web_port, options)
        return self._port(Component.WEB, config.web_port)

    def _start_daemon(
        self, component: Component, port: int, options: list[str]
    ) -> None:
        argv = [
            sys.executable, "-m", "faultdrill.sandbox.daemon", component.value,
            "--port", str(port), "--ready-file", str(self._ready_file(component)),
            *options,
        ]  # fmt: skip
        self._start(component, argv)

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
        self._start(Component.PROXY, argv)
        api_url = f"http://{HOST}:{self._port(Component.PROXY, self.config.api_port)}"
        if self.config.proxy_port:
            return _Proxy(api_url, spec.listen, embedded=True)

        self._wait(Component.PROXY)  # the API knows the port only once it runs
        log_file = self._log_file(Component.PROXY)
        api = ToxiproxyApi(api_url, fix=f"see {log_file}")
        try:
            listen = api.get_proxy(spec.name).listen
        finally:
            api.close()
        return _Proxy(api_url, listen, embedded=True)

    def _start(self, component: Component, argv: list[str]) -> None:
        self._daemons[component] = processes.start(
            component.value,
            argv,
            self._log_file(component),
            self._ready_file(component),
        )

    def _port(self, component: Component, asked: int) -> int:
        """The port asked for, or, for 0, the one the component reports."""
        return asked or self._wait(component)

    def _wait(self, component: Component) -> int:
        """Wait until the component is ready; its port."""
        if component not in self._ports:
            ready = processes.wait_ready(self._daemons[component])
            self._ports[component] = ready.port
            log.debug("%s is listening on port %d", component.value, ready.port)
        return self._ports[component]

    def _record(self, component: Component) -> ProcessRecord:
        port = self._wait(component)
        daemon = self._daemons[component]
        return ProcessRecord(
            component=component,
            pid=daemon.pid,
            started=daemon.started,
            port=port,
            log_file=daemon.log_file,
        )

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
