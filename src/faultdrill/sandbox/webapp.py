"""The LocalizeVideos web app: the service chaos experiments aim at.

    GET  /                   homepage (HTML)
    POST /login              {"user", "password"} -> 200 {"token"} | 400 | 401 | 429
    GET  /api/videos         list, from the catalog
    GET  /api/videos/{id}    one video, from the catalog; 404 when unknown
    GET  /metrics            Prometheus exposition
    GET  /healthz            200

The video API calls the catalog through the fault proxy: a catalog that
takes longer than the dependency timeout gives 504, one that cannot be
reached or answers nonsense gives 502.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.sandbox import login
from faultdrill.sandbox.config import LimitKey
from faultdrill.sandbox.dependency import CatalogClient, DependencyFailure
from faultdrill.sandbox.metrics import (
    UNMATCHED_ROUTE,
    DependencyErrorKind,
    LoginOutcome,
    WebMetrics,
)
from faultdrill.sandbox.ratelimit import RateLimiter

log = logging.getLogger(__name__)

CLIENT_ID_HEADER = "X-Client-Id"  # the login limit's key when keyed by header

HOMEPAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>LocalizeVideos</title></head>
<body>
<h1>LocalizeVideos</h1>
<p>Subtitles and dubbing for your videos, in every language you sell in.</p>
<p><a href="/api/videos">Browse the catalog</a></p>
</body>
</html>
"""


@dataclass(frozen=True)
class WebSettings:
    """What the web app needs to know; the daemon fills it from its arguments."""

    catalog_url: str  # the catalog as seen through the proxy
    login_rate: float
    login_burst: int
    login_key: LimitKey
    dependency_timeout: float


@dataclass(frozen=True)
class _Parts:
    """The app's collaborators, kept in one app key."""

    settings: WebSettings
    clock: Clock
    metrics: WebMetrics
    limiter: RateLimiter
    catalog: CatalogClient


PARTS = web.AppKey("parts", _Parts)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(settings: WebSettings, clock: Clock | None = None) -> web.Application:
    """The app, ready to serve; ``clock`` drives the rate limit and timings."""
    clock = clock or MonotonicClock()
    parts = _Parts(
        settings=settings,
        clock=clock,
        metrics=WebMetrics(),
        limiter=RateLimiter(settings.login_rate, settings.login_burst, clock),
        catalog=CatalogClient(settings.catalog_url, settings.dependency_timeout),
    )
    app = web.Application(middlewares=[_measure])
    app[PARTS] = parts
    app.cleanup_ctx.append(_catalog_session)
    _add_routes(app)
    return app


def _add_routes(app: web.Application) -> None:
    app.router.add_get("/", homepage)
    app.router.add_post("/login", login_handler)
    app.router.add_get("/api/videos", list_videos)
    app.router.add_get(r"/api/videos/{id:\d+}", get_video)
    app.router.add_get("/metrics", metrics_handler)
    app.router.add_get("/healthz", healthz)


async def _catalog_session(app: web.Application) -> AsyncIterator[None]:
    catalog = app[PARTS].catalog
    await catalog.start()
    yield
    await catalog.close()


@web.middleware
async def _measure(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every answer and time it, by route template."""
    parts = request.app[PARTS]
    started = parts.clock.now()
    status = 500  # what the client gets if the handler fails unexpectedly
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = parts.clock.now() - started
        parts.metrics.observe(_route_of(request), request.method, status, elapsed)


def _route_of(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


async def homepage(request: web.Request) -> web.Response:
    return web.Response(text=HOMEPAGE, content_type="text/html")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def metrics_handler(request: web.Request) -> web.Response:
    body = request.app[PARTS].metrics.exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def login_handler(request: web.Request) -> web.Response:
    parts = request.app[PARTS]
    key = await _client_key(request, parts.settings.login_key)
    decision = parts.limiter.check(key)
    if not decision.allowed:
        parts.metrics.login(LoginOutcome.RATE_LIMITED)
        return _error(
            429,
            "too many login attempts; retry after the Retry-After delay",
            headers={"Retry-After": decision.retry_after_header},
        )

    credentials = login.parse_credentials(await request.read())
    if credentials is None:
        parts.metrics.login(LoginOutcome.MALFORMED)
        return _error(400, 'send a JSON object {"user": "...", "password": "..."}')
    if not login.is_valid(credentials):
        parts.metrics.login(LoginOutcome.FAILURE)
        return _error(401, "wrong user or password")

    parts.metrics.login(LoginOutcome.SUCCESS)
    return web.json_response({"user": credentials.user, "token": login.new_token()})


# The key of a limit shared by everyone; no peer address looks like it.
GLOBAL_KEY = "*"


async def _client_key(request: web.Request, key: LimitKey) -> str:
    peer = request.remote or "unknown"
    if key is LimitKey.HEADER:
        return request.headers.get(CLIENT_ID_HEADER) or peer
    if key is LimitKey.USER:
        # aiohttp keeps the body, so the handler reads it again for free.
        credentials = login.parse_credentials(await request.read())
        return f"user:{credentials.user}" if credentials is not None else peer
    if key is LimitKey.GLOBAL:
        return GLOBAL_KEY
    return peer


# TODO(token check): the video API does not ask for the login token; add it
# when an experiment needs authentication on the API path.
async def list_videos(request: web.Request) -> web.Response:
    return await _from_catalog(request, "/videos")


async def get_video(request: web.Request) -> web.Response:
    return await _from_catalog(request, f"/videos/{request.match_info['id']}")


async def _from_catalog(request: web.Request, path: str) -> web.Response:
    """Relay the catalog's answer, or say which way the catalog failed."""
    parts = request.app[PARTS]
    try:
        answer = await parts.catalog.get(path)
    except DependencyFailure as failure:
        parts.metrics.dependency_error(parts.catalog.name, failure.kind)
        log.debug("%s", failure)
        status = 504 if failure.kind is DependencyErrorKind.TIMEOUT else 502
        return _error(status, str(failure))
    return web.json_response(answer.body, status=answer.status)


def _error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)
