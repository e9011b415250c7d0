"""Listen and upstream addresses, parsed and resolved the way Go's ``net``
package does it, so that the ``listen`` a client reads back is the one
Toxiproxy would report:

- ``localhost:3310`` becomes ``127.0.0.1:3310`` (IPv4 preferred);
- port 0 becomes the port actually bound;
- an empty host, ``0.0.0.0`` and ``::`` listen on every interface, both IPv4
  and IPv6, and read back as ``[::]:PORT`` (Go's dual-stack listener).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import socket
from dataclasses import dataclass

from faultdrill.proxy import apierror
from faultdrill.proxy.apierror import ApiError

WILDCARDS = frozenset({"", "0.0.0.0", "::"})  # Go listens dual-stack on these
BACKLOG = 4096  # accept queue; the kernel caps it at net.core.somaxconn


class AddressError(ValueError):
    """An address Go's ``net.SplitHostPort`` or port lookup would reject."""


@dataclass(frozen=True)
class Endpoint:
    """A resolved socket address."""

    family: socket.AddressFamily
    host: str  # a literal IP address
    port: int

    @property
    def dual_stack(self) -> bool:
        return self.family == socket.AF_INET6 and self.host == "::"

    def __str__(self) -> str:
        return join(self.host, self.port)


def join(host: str, port: int) -> str:
    """``host:port``, with IPv6 literals in brackets (``net.JoinHostPort``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def split(text: str) -> tuple[str, str]:
    """Host and port of ``host:port``, ``[v6]:port`` or ``:port``."""
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise AddressError(f"address {text}: missing ']' in address")
        if close + 1 == len(text) or text[close + 1] != ":":
            raise AddressError(f"address {text}: missing port in address")
        return text[1:close], text[close + 2 :]
    host, colon, port = text.rpartition(":")
    if not colon:
        raise AddressError(f"address {text}: missing port in address")
    if ":" in host:
        raise AddressError(f"address {text}: too many colons in address")
    return host, port


def port_number(text: str, address: str) -> int:
    """A port given as a number or a service name (``http`` is 80)."""
    if text.isdigit():
        port = int(text)
        if port > 65535:
            raise AddressError(f"address {address}: invalid port")
        return port
    if text == "":
        return 0
    try:
        return socket.getservbyname(text, "tcp")
    except OSError:
        raise AddressError(f"lookup tcp/{text}: unknown port") from None


async def resolve(text: str) -> Endpoint:
    """The address a listener for ``text`` binds (Go's ``ResolveTCPAddr``)."""
    if text == "":
        return _wildcard(0)  # Go's net.Listen("tcp", ""): any interface, any port
    host, port_text = split(text)
    port = port_number(port_text, text)
    if host in WILDCARDS:
        return _wildcard(port)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return await _lookup(host, port)
    family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
    return Endpoint(family, str(literal), port)


def _wildcard(port: int) -> Endpoint:
    if socket.has_ipv6 and _ipv6_works():
        return Endpoint(socket.AF_INET6, "::", port)
    return Endpoint(socket.AF_INET, "0.0.0.0", port)


def _ipv6_works() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM):
            return True
    except OSError:
        return False


async def _lookup(host: str, port: int) -> Endpoint:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise AddressError(f"lookup {host}: no such host") from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # Go prefers IPv4
    family, _, _, _, sockaddr = infos[0]
    return Endpoint(family, str(sockaddr[0]), port)


async def resolve_for_api(text: str, op: str = "listen") -> Endpoint:
    """``resolve``, with failures as the 500 Toxiproxy answers."""
    try:
        return await resolve(text)
    except AddressError as exc:
        raise apierror.internal(f"{op} tcp: {exc}") from None


def bind(endpoint: Endpoint) -> socket.socket:
    """A listening socket on ``endpoint``; failures read like Go's."""
    sock = socket.socket(endpoint.family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if endpoint.dual_stack:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((endpoint.host, endpoint.port))
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise _bind_error(endpoint, exc) from None
    return sock


def _bind_error(endpoint: Endpoint, exc: OSError) -> ApiError:
    code = exc.errno or errno.EINVAL
    reason = os.strerror(code)
    reason = reason[:1].lower() + reason[1:]
    return apierror.internal(f"listen tcp {endpoint}: bind: {reason}")


def bound(sock: socket.socket, endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with the port the kernel actually gave ``sock``."""
    return Endpoint(endpoint.family, endpoint.host, sock.getsockname()[1])


def upstream(text: str) -> tuple[str, int]:
    """Host and port to dial for an upstream string; ``AddressError`` if bad."""
    host, port_text = split(text)
    return host, port_number(port_text, text)
