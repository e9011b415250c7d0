"""JSON as Toxiproxy's Go server reads and writes it.

Clients compare bodies and parse error texts, so the embedded server decodes
request bodies with the rules of Go's ``encoding/json`` that they can see:

- only the first JSON value of a body is read; anything after it is ignored;
- an empty body is the error ``EOF``; a truncated one ``unexpected EOF``;
- object keys match struct fields case-insensitively, an exact match first;
- ``null`` leaves a field at its default; unknown keys are ignored;
- a value of the wrong kind names the Go struct field and its type.

Responses are compact JSON with ``<``, ``>`` and ``&`` escaped, as Go does.

TODO(exact Go texts for rarer decode errors): syntax errors inside nested
values and type errors in nested objects are worded like Go's but not
checked against its output; clients only compare the common ones.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any


class DecodeError(Exception):
    """A body Go's decoder would reject; the message is Go's wording."""


class Kind(enum.Enum):
    """The Go field types the Toxiproxy API decodes."""

    STRING = "string"
    BOOL = "bool"
    INT64 = "int64"
    FLOAT32 = "float32"
    ANY = "interface {}"


def first_value(body: bytes) -> Any:
    """The first JSON value of ``body``, as ``json.Decoder.Decode`` reads it."""
    text = body.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    if not text:
        raise DecodeError("EOF")
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise DecodeError(_syntax_message(text, exc)) from None
    except RecursionError:
        # Go's decoder stops at 10,000 levels of nesting with this error.
        raise DecodeError("exceeded max depth") from None
    return value


def _syntax_message(text: str, exc: json.JSONDecodeError) -> str:
    if exc.pos >= len(text.rstrip(" \t\r\n")):
        return "unexpected EOF"
    char = text[exc.pos]
    if exc.msg.startswith("Expecting property name"):
        context = "looking for beginning of object key string"
    elif exc.msg.startswith("Expecting ':'"):
        context = "after object key"
    elif exc.msg.startswith("Expecting ','"):
        context = (
            "after object key:value pair"
            if _in_object(text, exc.pos)
            else ("after array element")
        )
    else:
        context = "looking for beginning of value"
    return f"invalid character {_quote_char(char)} {context}"


def _in_object(text: str, pos: int) -> bool:
    opener = max(text.rfind("{", 0, pos), text.rfind("[", 0, pos))
    return opener >= 0 and text[opener] == "{"


def _quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return f"'{char}'"


def kind_of(value: Any) -> str:
    """Go's name for the JSON kind of ``value`` in unmarshal errors."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def expect_object(value: Any, go_type: str) -> Mapping[str, Any]:
    """``value`` as an object; ``null`` counts as an empty one, as in Go."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DecodeError(
            f"json: cannot unmarshal {kind_of(value)} into Go value of type {go_type}"
        )
    return value


def lookup(obj: Mapping[str, Any], field: str) -> tuple[bool, Any]:
    """Find ``field`` the way Go matches keys: exact first, then any case."""
    if field in obj:
        return True, obj[field]
    lowered = field.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return True, value
    return False, None


def read_field(
    obj: Mapping[str, Any], field: str, kind: Kind, struct: str
) -> tuple[bool, Any]:
    """Read one field; ``(False, None)`` when absent or null."""
    present, value = lookup(obj, field)
    if not present or value is None:
        return False, None
    if not _fits(value, kind):
        raise DecodeError(_type_message(value, kind, f"{struct}.{field}"))
    if kind is Kind.FLOAT32:
        return True, float(value)
    return True, value


def _fits(value: Any, kind: Kind) -> bool:
    if kind is Kind.ANY:
        return True
    if kind is Kind.STRING:
        return isinstance(value, str)
    if kind is Kind.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is Kind.INT64:
        return isinstance(value, int) and -(2**63) <= value < 2**63
    return isinstance(value, (int, float))


def _type_message(value: Any, kind: Kind, where: str) -> str:
    shown = kind_of(value)
    if shown == "number":
        shown = f"number {json.dumps(value)}"
    target = f"Go struct field {where} of type {kind.value}"
    return f"json: cannot unmarshal {shown} into {target}"


def encode(value: Any) -> bytes:
    """Compact JSON with Go's HTML escaping."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode("utf-8")


def go_float(value: float) -> float | int:
    """Go prints whole floats without a fraction (``1``, not ``1.0``)."""
    return int(value) if value.is_integer() else value
