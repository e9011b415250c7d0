"""Proxy request bodies: create, update and ``/populate``, decoded with
Toxiproxy's defaults and checks, in its order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faultdrill.proxy import apierror
from faultdrill.proxy.gojson import (
    DecodeError,
    Kind,
    expect_object,
    first_value,
    kind_of,
    read_field,
)

STRUCT = "Proxy"  # Go type of a proxy body, named in decode errors
GO_TYPE = "proxy.Proxy"
GO_LIST_TYPE = '[]struct { proxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'


@dataclass(frozen=True)
class ProxySpec:
    """What a client asked for; ``listen`` is not resolved yet."""

    name: str
    listen: str
    upstream: str
    enabled: bool


@dataclass(frozen=True)
class ProxyChange:
    """An update: each field ``None`` when the body left it out."""

    listen: str | None
    upstream: str | None
    enabled: bool | None


def parse_create(body: bytes) -> ProxySpec:
    """A POST /proxies body; ``enabled`` defaults to true."""
    try:
        obj = expect_object(first_value(body), GO_TYPE)
        spec = _spec(obj)
    except DecodeError as exc:
        raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None
    _require(spec, "")
    return spec


def parse_change(body: bytes) -> ProxyChange:
    """A POST/PATCH /proxies/{name} body; ``name`` is ignored."""
    try:
        obj = expect_object(first_value(body), GO_TYPE)
        read_field(obj, "name", Kind.STRING, STRUCT)
        return ProxyChange(
            listen=_optional(obj, "listen", Kind.STRING),
            upstream=_optional(obj, "upstream", Kind.STRING),
            enabled=_optional(obj, "enabled", Kind.BOOL),
        )
    except DecodeError as exc:
        raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None


def parse_populate(body: bytes) -> list[ProxySpec]:
    """A /populate body: every item checked before any is used."""
    try:
        items = first_value(body)
        if items is None:
            items = []
        if not isinstance(items, list):
            kind = kind_of(items)
            raise DecodeError(
                f"json: cannot unmarshal {kind} into Go value of type {GO_LIST_TYPE}"
            )
        specs = [_spec(expect_object(item, GO_TYPE)) for item in items]
    except DecodeError as exc:
        raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None
    for position, spec in enumerate(specs, start=1):
        _require(spec, f" at proxy {position}")
    return specs


def _spec(obj: Mapping[str, Any]) -> ProxySpec:
    enabled = _optional(obj, "enabled", Kind.BOOL)
    return ProxySpec(
        name=_optional(obj, "name", Kind.STRING) or "",
        listen=_optional(obj, "listen", Kind.STRING) or "",
        upstream=_optional(obj, "upstream", Kind.STRING) or "",
        enabled=True if enabled is None else enabled,
    )


def _optional(obj: Mapping[str, Any], field: str, kind: Kind) -> Any:
    _, value = read_field(obj, field, kind, STRUCT)
    return value


def _require(spec: ProxySpec, where: str) -> None:
    if not spec.name:
        raise apierror.MISSING_FIELD.with_detail(f"name{where}")
    if not spec.upstream:
        raise apierror.MISSING_FIELD.with_detail(f"upstream{where}")
