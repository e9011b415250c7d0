"""Which client identity each request carries, so that streams use separate keys.

A rate-limit validation needs three kinds of key: the one the over-limit
load comes from, a fresh one for the volley that measures the burst, and
one per legitimate client. How a key travels depends on the limit:

- ``ip``: the client socket is bound to its own loopback address. Linux
  routes all of 127.0.0.0/8 to the loopback interface, so 127.a.b.c is a
  distinct client to a service listening on 127.0.0.1. Each run draws its
  own 127.a.b.0/24 block, so a run does not meet the buckets an earlier
  run emptied.
- ``header``: a header (``key-name``, X-Client-Id by default) with an id.
- ``user``: a JSON body field (``key-name``, ``user`` by default).
- ``global``: one bucket for all; no key is fresh, so the burst is measured
  after waiting for the bucket to fill.
"""

from __future__ import annotations

import ipaddress
import random
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from faultdrill.errors import InvalidInput
from faultdrill.load.limit import (
    DEFAULT_KEY_HEADER,
    DEFAULT_USER_FIELD,
    DeclaredLimit,
    KeyKind,
)

SOURCE = "validate_rate_limit"

# Host offsets inside a run's 127.a.b.0/24 block: attack, volley, then legit.
_ATTACK_HOST, _VOLLEY_HOST, _FIRST_LEGIT_HOST = 1, 2, 10
# .10 to .254 of the block: the most legitimate keys one run can have.
MAX_LEGIT_KEYS = 245


@dataclass(frozen=True)
class ClientKey:
    """One client identity: how its requests differ on the wire."""

    label: str
    source: str | None = None  # local address to bind; None: the kernel picks
    header: tuple[str, str] | None = None
    body_field: tuple[str, str] | None = None

    def headers(self, base: dict[str, str]) -> dict[str, str]:
        if self.header is None:
            return dict(base)
        return base | {self.header[0]: self.header[1]}

    def body(self, base: Any) -> Any:
        if self.body_field is None:
            return base
        if not isinstance(base, dict):
            raise InvalidInput.single(
                SOURCE,
                "request.json",
                "a limit keyed by user needs a JSON object body to carry the user; "
                f"add {{{self.body_field[0]!r}: ...}} to the request",
            )
        return base | {self.body_field[0]: self.body_field[1]}


@dataclass(frozen=True)
class KeyPlan:
    """The keys of one validation run."""

    limit: DeclaredLimit
    loopback_target: bool
    block: tuple[int, int]  # 127.a.b.0/24
    token: str

    @classmethod
    def for_run(
        cls, limit: DeclaredLimit, url: str, rng: random.Random | None = None
    ) -> KeyPlan:
        rng = rng or random.Random()
        block = (rng.randint(1, 254), rng.randint(0, 255))
        token = f"{rng.getrandbits(32):08x}"
        return cls(limit, is_loopback(url), block, token)

    @property
    def fresh_keys(self) -> bool:
        """Whether the volley and legitimate clients can have keys of their own."""
        if self.limit.key is KeyKind.GLOBAL:
            return False
        return self.limit.key is not KeyKind.IP or self.loopback_target

    def attack(self) -> ClientKey:
        return self._key("attack", _ATTACK_HOST)

    def volley(self) -> ClientKey:
        return self._key("volley", _VOLLEY_HOST)

    def legit(self, index: int) -> ClientKey:
        if not 0 <= index < MAX_LEGIT_KEYS:
            raise InvalidInput.single(
                SOURCE,
                "legit.keys",
                f"at most {MAX_LEGIT_KEYS} legitimate keys, got {index + 1}",
            )
        return self._key(f"legit-{index}", _FIRST_LEGIT_HOST + index)

    def _key(self, label: str, host: int) -> ClientKey:
        kind = self.limit.key
        if kind is KeyKind.IP:
            if not self.loopback_target:
                return ClientKey(label)
            return ClientKey(
                label, source=f"127.{self.block[0]}.{self.block[1]}.{host}"
            )
        ident = f"faultdrill-{self.token}-{label}"
        if kind is KeyKind.HEADER:
            return ClientKey(
                label, header=(self.limit.key_name or DEFAULT_KEY_HEADER, ident)
            )
        if kind is KeyKind.USER:
            return ClientKey(
                label, body_field=(self.limit.key_name or DEFAULT_USER_FIELD, ident)
            )
        return ClientKey(label)


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine over IPv4 loopback."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        return False


def connect_host(host: str) -> str:
    """The address to connect to: ``localhost`` as IPv4, so 127.x sources fit."""
    return "127.0.0.1" if host == "localhost" else host


def can_bind(address: str) -> bool:
    """Whether this machine lets a socket bind ``address`` (all of 127/8 on Linux)."""
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True
