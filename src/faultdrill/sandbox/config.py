"""What a user may choose about the sandbox: ports, login limit, proxy server.

The web, catalog and proxy ports are consecutive, so a sandbox is easy to
spot in ``ss -ltn``, and away from the 8000 and 8080 that development servers
usually take; 8474 is Toxiproxy's own default API port, so existing clients
find the embedded proxy without configuration.
"""

from __future__ import annotations

import enum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

HOST = "127.0.0.1"  # the sandbox only ever listens on loopback
LOOPBACK = ("127.0.0.1", "localhost", "::1")

DEFAULT_WEB_PORT = 8780
DEFAULT_CATALOG_PORT = 8781
DEFAULT_PROXY_PORT = 8782  # where the "catalog" proxy listens
DEFAULT_API_PORT = 8474  # Toxiproxy's default API port (cmd/server/server.go)

# 20 requests/s with a burst of 10: a person logging in never notices, while
# a load test of a few hundred requests/s is clearly limited within a second.
DEFAULT_LOGIN_RATE = 20.0
DEFAULT_LOGIN_BURST = 10

# Four times the 500 ms p95 SLO threshold: a slow catalog shows up as API
# latency well before the web app gives up on it and answers 504.
DEFAULT_DEPENDENCY_TIMEOUT = 2.0

PROXY_NAME = "catalog"  # the proxy name experiments refer to


class LimitKey(enum.StrEnum):
    """Whose requests share one login token bucket."""

    IP = "ip"  # the peer address, like nginx's $binary_remote_addr
    HEADER = "header"  # the X-Client-Id header, falling back to the peer address
    USER = "user"  # the user named in the login body, falling back to the peer
    GLOBAL = "global"  # one bucket for every client


Port = Annotated[int, Field(ge=0, le=65535)]


class SandboxConfig(BaseModel):
    """How to bring the sandbox up. A port of 0 lets the system pick one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    web_port: Port = DEFAULT_WEB_PORT
    catalog_port: Port = DEFAULT_CATALOG_PORT
    proxy_port: Port = DEFAULT_PROXY_PORT
    api_port: Port = DEFAULT_API_PORT
    login_rate: float = Field(DEFAULT_LOGIN_RATE, ge=0)
    login_burst: int = Field(DEFAULT_LOGIN_BURST, ge=0)
    login_key: LimitKey = LimitKey.IP
    dependency_timeout: float = Field(DEFAULT_DEPENDENCY_TIMEOUT, gt=0)
    toxiproxy_url: str | None = None

    @field_validator("toxiproxy_url")
    @classmethod
    def _on_this_machine(cls, url: str | None) -> str | None:
        # The proxy must reach the catalog on 127.0.0.1 and the web app must
        # reach the proxy there too, so only a server on this machine works.
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
            raise ValueError(
                f"{url!r} is not a Toxiproxy API on this machine; give "
                "http://127.0.0.1:PORT (the sandbox only uses loopback)"
            )
        return url.rstrip("/")

    @property
    def host(self) -> str:
        return HOST

    @classmethod
    def ephemeral(cls, **overrides: object) -> SandboxConfig:
        """Every port picked by the system; for tests and parallel sandboxes."""
        ports: dict[str, object] = {
            "web_port": 0,
            "catalog_port": 0,
            "proxy_port": 0,
            "api_port": 0,
        }
        return cls.model_validate(ports | overrides)
