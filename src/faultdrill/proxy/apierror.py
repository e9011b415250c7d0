"""Errors of the HTTP API: a status code and Toxiproxy's exact message.

The messages are the ones Toxiproxy's server answers with (its ``api.go``),
because clients and tests match on them.
"""

from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """An error answered as ``{"error": message, "status": code}``."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def with_detail(self, detail: str) -> ApiError:
        """This error with ``: detail`` appended, as Toxiproxy joins errors."""
        return ApiError(self.status, f"{self.message}: {detail}")


BAD_REQUEST_BODY = ApiError(HTTPStatus.BAD_REQUEST, "bad request body")
MISSING_FIELD = ApiError(HTTPStatus.BAD_REQUEST, "missing required field")
PROXY_NOT_FOUND = ApiError(HTTPStatus.NOT_FOUND, "proxy not found")
PROXY_EXISTS = ApiError(HTTPStatus.CONFLICT, "proxy already exists")
INVALID_STREAM = ApiError(
    HTTPStatus.BAD_REQUEST, "stream was invalid, can be either upstream or downstream"
)
INVALID_TOXIC_TYPE = ApiError(HTTPStatus.BAD_REQUEST, "invalid toxic type")
TOXIC_EXISTS = ApiError(HTTPStatus.CONFLICT, "toxic already exists")
TOXIC_NOT_FOUND = ApiError(HTTPStatus.NOT_FOUND, "toxic not found")


def invalid_attribute(toxic_type: str, detail: str) -> ApiError:
    """A toxic attribute Toxiproxy would hang or crash on; we refuse it instead."""
    return ApiError(
        HTTPStatus.BAD_REQUEST, f"invalid attributes for {toxic_type} toxic: {detail}"
    )


def internal(message: str) -> ApiError:
    """A failure with no status of its own, such as a bind error (500)."""
    return ApiError(HTTPStatus.INTERNAL_SERVER_ERROR, message)
