"""Toxic request bodies into entries, with Toxiproxy's checks in its order.

Creating (``AddToxicJson``): decode, stream, default name, type, duplicate
name, attributes. Updating (``UpdateToxicJson``): attributes are merged into
the current ones and an omitted toxicity is kept. On top of Toxiproxy's
checks, attributes it would hang or crash on are refused with a 400.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
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
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.base import Toxic
from faultdrill.proxy.toxics.entry import ToxicEntry
from faultdrill.proxy.toxics.registry import TOXIC_TYPES

WRAPPER = "ToxicWrapper"  # Go type of a toxic body, named in decode errors
DEFAULT_STREAM = "downstream"  # Toxiproxy's default (toxic_collection.go)
DEFAULT_TOXICITY = 1.0  # Toxiproxy's default (toxic_collection.go)


def parse_new(body: bytes, exists: Callable[[str], bool]) -> ToxicEntry:
    """A new toxic from a POST body; ``exists`` tells taken names."""
    obj = _decode(body, lambda o: _check_wrapper_fields(o))
    stream = _string(obj, "stream") or DEFAULT_STREAM
    direction = Stream.parse(stream)
    if direction is None:
        raise apierror.INVALID_STREAM
    toxic_type = _string(obj, "type")
    name = _string(obj, "name") or f"{toxic_type}_{stream}"
    cls = TOXIC_TYPES.get(toxic_type)
    if cls is None:
        raise apierror.INVALID_TOXIC_TYPE
    if exists(name):
        raise apierror.TOXIC_EXISTS
    toxic = _attributes(cls(), obj)
    toxicity = _toxicity(obj, DEFAULT_TOXICITY)
    return ToxicEntry(name, stream, direction, toxicity, _checked(toxic))


def parse_update(current: ToxicEntry, body: bytes) -> ToxicEntry:
    """``current`` with the attributes and toxicity of an update body."""
    obj = _decode(body, lambda o: _toxicity(o, 0.0))
    toxic = _attributes(current.toxic, obj)
    toxicity = _toxicity(obj, current.toxicity)
    return dataclasses.replace(current, toxicity=toxicity, toxic=_checked(toxic))


def _decode(
    body: bytes, check: Callable[[Mapping[str, Any]], object]
) -> Mapping[str, Any]:
    try:
        obj = expect_object(first_value(body), f"toxics.{WRAPPER}")
        check(obj)
    except DecodeError as exc:
        raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None
    return obj


def _check_wrapper_fields(obj: Mapping[str, Any]) -> None:
    for field in ("name", "type", "stream"):
        read_field(obj, field, Kind.STRING, WRAPPER)
    read_field(obj, "toxicity", Kind.FLOAT32, WRAPPER)


def _string(obj: Mapping[str, Any], field: str) -> str:
    _, value = read_field(obj, field, Kind.STRING, WRAPPER)
    return value if isinstance(value, str) else ""


def _toxicity(obj: Mapping[str, Any], default: float) -> float:
    try:
        present, value = read_field(obj, "toxicity", Kind.FLOAT32, WRAPPER)
    except DecodeError as exc:
        raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None
    return float(value) if present else default


def _attributes(toxic: Toxic, obj: Mapping[str, Any]) -> Toxic:
    """``toxic`` with the integer attributes found in ``obj`` merged in."""
    _, raw = read_field(obj, "attributes", Kind.ANY, WRAPPER)
    if raw is None:
        return toxic
    if not isinstance(raw, dict):
        raise apierror.BAD_REQUEST_BODY.with_detail(
            f"json: cannot unmarshal {kind_of(raw)} into Go struct field "
            f".attributes of type toxics.{toxic.go_struct}"
        )
    changes: dict[str, int] = {}
    for field in toxic.attributes():
        try:
            present, value = read_field(raw, field, Kind.INT64, f"{toxic.go_struct}")
        except DecodeError as exc:
            raise apierror.BAD_REQUEST_BODY.with_detail(str(exc)) from None
        if present:
            changes[field] = value
    return dataclasses.replace(toxic, **changes)


def _checked(toxic: Toxic) -> Toxic:
    problem = toxic.problem()
    if problem is not None:
        raise apierror.invalid_attribute(toxic.type_name, problem)
    return toxic
