"""The web app's endpoints, against an in-process catalog on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from faultdrill.clock import Clock, FakeClock
from faultdrill.sandbox.catalog import build_catalog_app
from faultdrill.sandbox.config import LimitKey
from faultdrill.sandbox.webapp import WebSettings, build_web_app

Scenario = Callable[[TestClient[web.Request, web.Application]], Awaitable[None]]

DEMO = {"user": "demo", "password": "demo"}


def settings(catalog_url: str, **changes: Any) -> WebSettings:
    values: dict[str, Any] = {
        "catalog_url": catalog_url,
        "login_rate": 0.0,
        "login_burst": 0,
        "login_key": LimitKey.IP,
        "dependency_timeout": 2.0,
    }
    return WebSettings(**(values | changes))


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@asynccontextmanager
async def web_client(
    catalog_url: str, clock: Clock | None = None, **changes: Any
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = build_web_app(settings(catalog_url, **changes), clock or FakeClock())
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def run_with_catalog(scenario: Scenario, **changes: Any) -> None:
    async def main() -> None:
        async with (
            serving(build_catalog_app()) as catalog_url,
            web_client(catalog_url, **changes) as client,
        ):
            await scenario(client)

    asyncio.run(main())


def test_homepage_is_html() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        response = await client.get("/")
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "LocalizeVideos" in await response.text()

    run_with_catalog(scenario)


def test_healthz_answers_200() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        assert (await client.get("/healthz")).status == 200

    run_with_catalog(scenario)


def test_demo_credentials_get_a_token() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        response = await client.post("/login", json=DEMO)
        assert response.status == 200
        body = await response.json()
        assert body["user"] == "demo"
        assert len(body["token"]) >= 32

    run_with_catalog(scenario)


def test_wrong_password_is_401() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        response = await client.post("/login", json={"user": "demo", "password": "x"})
        assert response.status == 401
        assert "wrong user or password" in (await response.json())["error"]

    run_with_catalog(scenario)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'{"user": "demo"}', b'{"user": 1, "password": 2}'],
    ids=["empty", "not-json", "array", "no-password", "not-strings"],
)
def test_malformed_login_body_is_400(body: bytes) -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        response = await client.post("/login", data=body)
        assert response.status == 400
        assert "password" in (await response.json())["error"]

    run_with_catalog(scenario)


def test_login_over_the_limit_is_429_with_retry_after_until_refilled() -> None:
    clock = FakeClock()

    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        statuses = [(await client.post("/login", json=DEMO)).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]

        rejected = await client.post("/login", json=DEMO)
        assert rejected.status == 429
        assert rejected.headers["Retry-After"] == "1"

        clock.advance(0.5)  # one token at 2 per second
        assert (await client.post("/login", json=DEMO)).status == 200

    run_with_catalog(scenario, clock=clock, login_rate=2.0, login_burst=2)


def test_rate_limit_counts_bad_attempts_too() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        bad = {"user": "demo", "password": "guess"}
        assert (await client.post("/login", json=bad)).status == 401
        assert (await client.post("/login", json=DEMO)).status == 429

    run_with_catalog(scenario, login_rate=1.0, login_burst=0)


def test_header_keyed_limit_gives_each_client_id_its_own_bucket() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        def as_client(name: str) -> dict[str, str]:
            return {"X-Client-Id": name}

        assert (await client.post("/login", json=DEMO, headers=as_client("a"))).ok
        assert (await client.post("/login", json=DEMO, headers=as_client("b"))).ok
        again = await client.post("/login", json=DEMO, headers=as_client("a"))
        assert again.status == 429

    run_with_catalog(scenario, login_rate=1.0, login_burst=0, login_key=LimitKey.HEADER)


def test_user_keyed_limit_gives_each_named_user_its_own_bucket() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        other = {"user": "someone", "password": "guess"}
        assert (await client.post("/login", json=DEMO)).ok
        assert (await client.post("/login", json=other)).status == 401  # not limited
        assert (await client.post("/login", json=DEMO)).status == 429

    run_with_catalog(scenario, login_rate=1.0, login_burst=0, login_key=LimitKey.USER)


def test_global_limit_is_shared_by_every_client() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        first = await client.post("/login", json=DEMO, headers={"X-Client-Id": "a"})
        second = await client.post("/login", json=DEMO, headers={"X-Client-Id": "b"})
        assert (first.status, second.status) == (200, 429)

    run_with_catalog(scenario, login_rate=1.0, login_burst=0, login_key=LimitKey.GLOBAL)


def test_video_list_comes_from_the_catalog() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        response = await client.get("/api/videos")
        assert response.status == 200
        videos = (await response.json())["videos"]
        assert [v["id"] for v in videos] == [1, 2, 3, 4, 5, 42]

    run_with_catalog(scenario)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/videos/2", 200), ("/api/videos/99", 404), ("/api/videos/abc", 404)],
)
def test_one_video_by_id(path: str, status: int) -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        assert (await client.get(path)).status == status

    run_with_catalog(scenario)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def metrics_text(client: TestClient[web.Request, web.Application]) -> str:
    return await (await client.get("/metrics")).text()


def test_unreachable_catalog_is_502_and_counted() -> None:
    async def main() -> None:
        url = f"http://127.0.0.1:{closed_port()}"
        async with web_client(url) as client:
            response = await client.get("/api/videos/1")
            assert response.status == 502
            assert "unreachable" in (await response.json())["error"]
            assert (
                'dependency_errors_total{dependency="catalog",kind="unreachable"} 1.0'
                in await metrics_text(client)
            )

    asyncio.run(main())


def test_catalog_slower_than_the_timeout_is_504() -> None:
    async def stall(request: web.Request) -> web.Response:
        await asyncio.Event().wait()  # never answers; cancelled at shutdown
        raise AssertionError("unreachable")

    async def main() -> None:
        slow = web.Application()
        slow.router.add_get("/videos", stall)
        async with (
            serving(slow) as url,
            web_client(url, dependency_timeout=0.05) as client,
        ):
            response = await client.get("/api/videos")
            assert response.status == 504
            assert 'kind="timeout"} 1.0' in await metrics_text(client)

    asyncio.run(main())


def test_catalog_server_error_is_502_bad_status() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/videos", broken)
        async with serving(app) as url, web_client(url) as client:
            assert (await client.get("/api/videos")).status == 502
            assert 'kind="bad_status"} 1.0' in await metrics_text(client)

    asyncio.run(main())


class SteppingClock(FakeClock):
    """Every reading is 0.3 s after the previous one."""

    def now(self) -> float:
        self.advance(0.3)
        return super().now()


def test_metrics_count_requests_by_route_template_and_status() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        await client.get("/api/videos/1")
        await client.get("/api/videos/99")
        await client.get("/nowhere")
        await client.post("/login", json=DEMO)

        response = await client.get("/metrics")
        text = await response.text()
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        video = 'method="GET",route="/api/videos/{id}"'
        for line in [
            f'http_requests_total{{{video},status="200"}} 1.0',
            f'http_requests_total{{{video},status="404"}} 1.0',
            'http_requests_total{method="GET",route="unmatched",status="404"} 1.0',
            'login_attempts_total{outcome="success"} 1.0',
            'login_attempts_total{outcome="rate_limited"} 0.0',
        ]:
            assert line in text

    run_with_catalog(scenario)


def test_request_duration_lands_in_the_bucket_of_its_time() -> None:
    async def scenario(client: TestClient[web.Request, web.Application]) -> None:
        await client.get("/healthz")

        text = await metrics_text(client)
        route = 'route="/healthz"'
        assert f'http_request_duration_seconds_bucket{{le="0.25",{route}}} 0.0' in text
        assert f'http_request_duration_seconds_bucket{{le="0.3",{route}}} 1.0' in text

    run_with_catalog(scenario, clock=SteppingClock())
