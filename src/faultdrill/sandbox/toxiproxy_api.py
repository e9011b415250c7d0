"""The few Toxiproxy API calls the sandbox needs to set up its proxy.

Works with a real toxiproxy-server and with faultdrill's embedded one; both
answer the same JSON (see the reference notes on the Toxiproxy API).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.errors import TargetUnavailable

log = logging.getLogger(__name__)

# A healthy API answers in milliseconds; this only bounds a hang.
API_TIMEOUT = 5.0

# What to do when an outside server does not answer. A TOXIPROXY_URL left
# exported from an earlier sandbox names an embedded proxy that is gone.
OUTSIDE_FIX = (
    "start that server, correct --toxiproxy-url / TOXIPROXY_URL, or unset "
    "both to use the embedded proxy"
)


class ProxySpec(BaseModel):
    """One proxy as /populate takes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    listen: str
    upstream: str
    enabled: bool = True


class ProxyInfo(BaseModel):
    """One proxy as the API describes it (unknown fields such as Logger ignored)."""

    name: str
    listen: str
    upstream: str
    enabled: bool


class ToxiproxyApi:
    """A Toxiproxy HTTP API at ``url``; every failure is TargetUnavailable."""

    def __init__(
        self, url: str, fix: str = OUTSIDE_FIX, timeout: float = API_TIMEOUT
    ) -> None:
        self.url = url.rstrip("/")
        self._fix = fix
        self._timeout = timeout
        self._session = requests.Session()
        # The API is on loopback or a host the user named; never go through
        # the HTTP proxy the environment may configure.
        self._session.trust_env = False

    def version(self) -> str:
        return self._call("GET", "/version").text.strip()

    def populate(self, proxies: list[ProxySpec]) -> list[ProxyInfo]:
        body = [p.model_dump() for p in proxies]
        answer = self._call("POST", "/populate", json=body).json()
        return [self._info(p) for p in answer.get("proxies") or []]

    def get_proxy(self, name: str) -> ProxyInfo:
        return self._info(self._call("GET", f"/proxies/{name}").json())

    def delete_proxy(self, name: str) -> None:
        """Remove a proxy; one that does not exist is fine."""
        self._call("DELETE", f"/proxies/{name}", missing_ok=True)

    def close(self) -> None:
        self._session.close()

    def _call(
        self, method: str, path: str, missing_ok: bool = False, **kwargs: Any
    ) -> requests.Response:
        url = self.url + path
        try:
            response = self._session.request(
                method, url, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise TargetUnavailable(
                f"no Toxiproxy API answers at {self.url} ({method} {path}): {exc}; "
                f"{self._fix}"
            ) from exc
        if response.status_code == 404 and missing_ok:
            return response
        if response.status_code >= 400:
            raise TargetUnavailable(
                f"the Toxiproxy API at {self.url} refused {method} {path}: "
                f"{response.status_code} {_error_text(response)}"
            )
        return response

    def _info(self, data: Any) -> ProxyInfo:
        try:
            return ProxyInfo.model_validate(data)
        except ValidationError as exc:
            raise TargetUnavailable(
                f"the Toxiproxy API at {self.url} described a proxy in an "
                f"unexpected shape: {data!r}"
            ) from exc


def remove_proxy(url: str, name: str) -> None:
    """Delete a proxy we created, warning (not failing) if that is impossible.

    Used while cleaning up, where a second error must not hide the first.
    """
    api = ToxiproxyApi(url)
    try:
        api.delete_proxy(name)
    except TargetUnavailable as exc:
        log.warning("could not delete proxy %r; delete it by hand: %s", name, exc)
    finally:
        api.close()


def _error_text(response: requests.Response) -> str:
    """Toxiproxy's ``{"error": ...}`` message, whatever the Content-Type says."""
    try:
        return str(response.json()["error"])
    except (ValueError, KeyError, TypeError):
        return response.text.strip()[:200]
