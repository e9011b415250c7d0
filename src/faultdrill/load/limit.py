"""The rate limit an experiment declares, as the service is meant to enforce it.

    limit:
      rate: 20          # requests per ``per``
      per: second       # or minute
      burst: 10         # requests admitted at once on top of one
      key: ip           # ip | header | user | global: whose requests share a limit
      key-name: X-Client-Id   # the header (header, user) or JSON field (user)
      status: 429       # or 503: what a rejection answers
      retry-after: true # whether rejections carry Retry-After
      nodelay: true     # false: requests within the burst are delayed, not
                        # answered at once (nginx without ``nodelay``)

``burst`` counts as nginx's ``limit_req`` does: N simultaneous requests from
one key admit ``1 + burst`` (reference/slo-and-load.md).
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SECONDS_PER_MINUTE = 60.0

# The header the sandbox keys its login limit by (faultdrill.sandbox.webapp).
DEFAULT_KEY_HEADER = "X-Client-Id"
# The field of the sandbox's login body that names the user.
DEFAULT_USER_FIELD = "user"


class Per(enum.StrEnum):
    SECOND = "second"
    MINUTE = "minute"


class KeyKind(enum.StrEnum):
    """Whose requests share one bucket."""

    IP = "ip"  # the client address, like nginx's $binary_remote_addr
    HEADER = "header"  # a request header, such as an API key or client id
    USER = "user"  # the user a request acts for, in a header or JSON field
    GLOBAL = "global"  # everyone shares one bucket


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )


class DeclaredLimit(_Model):
    rate: float = Field(gt=0)
    per: Per = Per.SECOND
    burst: int = Field(default=0, ge=0)
    key: KeyKind = KeyKind.IP
    key_name: str | None = None
    status: Literal[429, 503] = 429
    retry_after: bool = True
    nodelay: bool = True

    @model_validator(mode="after")
    def _key_name_fits(self) -> DeclaredLimit:
        if self.key_name is not None and self.key in (KeyKind.IP, KeyKind.GLOBAL):
            raise ValueError(
                f"key-name only applies to keys 'header' and 'user', not {self.key!r}"
            )
        return self

    @property
    def rate_per_s(self) -> float:
        if self.per is Per.MINUTE:
            return self.rate / SECONDS_PER_MINUTE
        return self.rate

    @property
    def refill_s(self) -> float:
        """How long an idle bucket takes to fill up from empty."""
        return (1 + self.burst) / self.rate_per_s

    def describe(self) -> str:
        delay = "" if self.nodelay else ", excess delayed"
        return (
            f"{self.rate:g}/{self.per.value} burst {self.burst} per {self.key.value}"
            f", rejected with {self.status}{delay}"
        )
