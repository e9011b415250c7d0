"""What every Toxiproxy response carries beyond its body, matched exactly.

- Unknown paths answer 404 ``404 page not found`` as Go's ``http.NotFound``;
  a known path with another method answers 405 with an empty body. Neither
  passes the middleware below (gorilla/mux runs it on matched routes only).
- Matched routes get an ``X-Toxiproxy-Request-Id`` header, and a browser
  (User-Agent ``Mozilla/...``) gets 403 ``User agent not allowed``.
- Errors are ``{"error": ..., "status": ...}`` plus a newline, sent through
  Go's ``http.Error``: ``text/plain; charset=utf-8`` and ``nosniff``.
- No ``Server`` header (Go's server sends none).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

from faultdrill.proxy import gojson
from faultdrill.proxy.apierror import ApiError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

REQUEST_ID_HEADER = "X-Toxiproxy-Request-Id"
BROWSER_PREFIX = "Mozilla/"  # Toxiproxy's stopBrowsersMiddleware (api.go)
HANDLER_TIMEOUT = 25.0  # seconds; Toxiproxy's http.TimeoutHandler (api.go)
TEXT = "text/plain; charset=utf-8"


def text_error(status: int, body: str) -> web.Response:
    """A plain-text error as Go's ``http.Error`` writes it."""
    response = web.Response(status=status, body=body.encode("utf-8"))
    response.headers["Content-Type"] = TEXT
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def api_error(error: ApiError) -> web.Response:
    body = gojson.encode({"error": error.message, "status": int(error.status)})
    return text_error(int(error.status), body.decode("utf-8") + "\n")


def json_response(value: object, status: int = 200) -> web.Response:
    response = web.Response(status=status, body=gojson.encode(value))
    response.headers["Content-Type"] = "application/json"
    return response


def new_request_id() -> str:
    """A 20-character id, the shape of the xid Toxiproxy sends."""
    return base64.b32hexencode(os.urandom(12)).decode("ascii").rstrip("=").lower()


@web.middleware
async def toxiproxy_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    unmatched = request.match_info.http_exception
    if unmatched is not None:
        if unmatched.status == HTTPStatus.METHOD_NOT_ALLOWED:
            return web.Response(status=HTTPStatus.METHOD_NOT_ALLOWED)
        return text_error(HTTPStatus.NOT_FOUND, "404 page not found\n")
    request_id = new_request_id()
    response = await _answer(request, handler)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.headers.get("User-Agent", "").startswith(BROWSER_PREFIX):
        return text_error(HTTPStatus.FORBIDDEN, "User agent not allowed\n")
    try:
        async with asyncio.timeout(HANDLER_TIMEOUT):
            return await handler(request)
    except ApiError as exc:
        return api_error(exc)
    except TimeoutError:
        log.error("%s %s took over %s s", request.method, request.path, HANDLER_TIMEOUT)
        return api_error(ApiError(HTTPStatus.SERVICE_UNAVAILABLE, "request timed out"))


async def drop_server_header(
    request: web.Request, response: web.StreamResponse
) -> None:
    response.headers.popall("Server", None)
