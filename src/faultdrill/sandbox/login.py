"""Who may log in to the sandbox, and what a login request must look like.

The sandbox has one demo account; its password is public on purpose.
"""

from __future__ import annotations

import hmac
import json
import secrets

from pydantic import BaseModel, ConfigDict, ValidationError

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"

# 32 random bytes: the length Python's secrets module recommends for tokens.
TOKEN_BYTES = 32


class Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True)

    user: str
    password: str


def parse_credentials(body: bytes) -> Credentials | None:
    """The credentials in a JSON body, or None when it is not one."""
    try:
        return Credentials.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        return None


def is_valid(credentials: Credentials) -> bool:
    """Constant-time comparison, as a real login would do."""
    user_ok = hmac.compare_digest(credentials.user.encode(), DEMO_USER.encode())
    password_ok = hmac.compare_digest(
        credentials.password.encode(), DEMO_PASSWORD.encode()
    )
    return user_ok and password_ok


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
