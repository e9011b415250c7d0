"""The ``--config`` file of ``faultdrill proxy serve``: the JSON array that
``/populate`` takes (Toxiproxy's ``-config``). YAML is accepted too.

A ``toxics`` key is ignored, as Toxiproxy ignores it (upstream issue #79).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from faultdrill.errors import InvalidInput
from faultdrill.proxy.proxyspec import ProxySpec
from faultdrill.validation import problems_from, read_document


class ConfiguredProxy(BaseModel):
    """One proxy of the file."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    name: str = Field(min_length=1)
    upstream: str = Field(min_length=1, description="host:port to forward to")
    listen: str = Field(default="", description="host:port; port 0 picks a free one")
    enabled: bool = True


PROXIES = TypeAdapter(list[ConfiguredProxy])


def load(path: Path) -> list[ProxySpec]:
    """The proxies of ``path``; every problem is reported with its field."""
    document = read_document(path)
    try:
        items = PROXIES.validate_python(document)
    except ValidationError as exc:
        raise InvalidInput(problems_from(str(path), exc)) from None
    names = [item.name for item in items]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput.single(
            str(path),
            "name",
            f"each proxy needs its own name; repeated: {', '.join(duplicates)}",
        )
    return [ProxySpec(i.name, i.listen, i.upstream, i.enabled) for i in items]
