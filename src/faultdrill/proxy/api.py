"""The Toxiproxy HTTP API: routes and handlers (Toxiproxy's ``api.go``).

Handlers decode with Toxiproxy's rules (``proxyspec``, ``toxics.parse``),
make the change under the collection's lock, and answer with the status
codes and bodies of Toxiproxy 2.12.0.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry

from faultdrill.proxy import httpcompat, metrics, proxyspec
from faultdrill.proxy.apierror import ApiError
from faultdrill.proxy.collection import ProxyCollection
from faultdrill.proxy.proxy import Proxy
from faultdrill.proxy.toxics import parse

TOXIPROXY_VERSION = "2.12.0"  # the Toxiproxy release whose API this server speaks
MAX_BODY = 1024 * 1024  # bytes; aiohttp's default, ample for any API body

Handler = Callable[[web.Request], Awaitable[web.Response]]


class Api:
    """Handlers bound to one collection of proxies."""

    def __init__(
        self, proxies: ProxyCollection, collectors: CollectorRegistry | None = None
    ) -> None:
        self.proxies = proxies
        self.collectors = collectors

    def app(self) -> web.Application:
        app = web.Application(
            middlewares=[httpcompat.toxiproxy_middleware], client_max_size=MAX_BODY
        )
        app.on_response_prepare.append(httpcompat.drop_server_header)
        for method, path, handler in self._routes():
            app.router.add_route(method, path, handler)
        return app

    def _routes(self) -> list[tuple[str, str, Handler]]:
        proxy = "/proxies/{proxy}"
        toxic = "/proxies/{proxy}/toxics/{toxic}"
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/reset", self.reset),
            ("GET", "/version", self.version),
            ("GET", "/proxies", self.list_proxies),
            ("POST", "/proxies", self.create_proxy),
            ("POST", "/populate", self.populate),
            ("GET", proxy, self.get_proxy),
            ("POST", proxy, self.update_proxy),
            ("PATCH", proxy, self.update_proxy),
            ("DELETE", proxy, self.delete_proxy),
            ("GET", f"{proxy}/toxics", self.list_toxics),
            ("POST", f"{proxy}/toxics", self.create_toxic),
            ("GET", toxic, self.get_toxic),
            ("POST", toxic, self.update_toxic),
            ("PATCH", toxic, self.update_toxic),
            ("DELETE", toxic, self.delete_toxic),
        ]
        if self.collectors is not None:
            routes.append(("GET", "/metrics", self.metrics))
        return routes

    # Server-wide

    async def version(self, request: web.Request) -> web.Response:
        body = f'{{"version": "{TOXIPROXY_VERSION}"}}\n'
        response = web.Response(body=body.encode("utf-8"))
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        return response

    async def reset(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            await self.proxies.reset()
        return web.Response(status=HTTPStatus.NO_CONTENT)

    async def metrics(self, request: web.Request) -> web.Response:
        assert self.collectors is not None
        response = web.Response(body=metrics.render(self.collectors))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    # Proxies

    async def list_proxies(self, request: web.Request) -> web.Response:
        listing = {p.name: p.to_json() for p in sorted(self.proxies.all(), key=_name)}
        return httpcompat.json_response(listing)

    async def create_proxy(self, request: web.Request) -> web.Response:
        spec = proxyspec.parse_create(await request.read())
        async with self.proxies.lock:
            proxy = await self.proxies.create(spec)
            return httpcompat.json_response(proxy.to_json(), HTTPStatus.CREATED)

    async def populate(self, request: web.Request) -> web.Response:
        body = await request.read()
        async with self.proxies.lock:
            try:
                done, error = await self.proxies.populate(
                    proxyspec.parse_populate(body)
                )
            except ApiError as exc:
                done, error = [], exc
            proxies = [p.to_json() for p in done] or None  # Go marshals nil as null
        if error is None:
            return httpcompat.json_response({"proxies": proxies}, HTTPStatus.CREATED)
        answer = {
            "error": error.message,
            "status": int(error.status),
            "proxies": proxies,
        }
        return httpcompat.json_response(answer, int(error.status))

    async def get_proxy(self, request: web.Request) -> web.Response:
        return httpcompat.json_response(self._proxy(request).to_json())

    async def update_proxy(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            proxy = self._proxy(request)
            change = proxyspec.parse_change(await request.read())
            await self.proxies.update(proxy, change)
            return httpcompat.json_response(proxy.to_json())

    async def delete_proxy(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            await self.proxies.delete(request.match_info["proxy"])
        return web.Response(status=HTTPStatus.NO_CONTENT)

    # Toxics

    async def list_toxics(self, request: web.Request) -> web.Response:
        proxy = self._proxy(request)
        return httpcompat.json_response([t.to_json() for t in proxy.toxics.in_order()])

    async def create_toxic(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            proxy = self._proxy(request)
            entry = parse.parse_new(await request.read(), proxy.toxics.exists)
            proxy.add_toxic(entry)
            return httpcompat.json_response(entry.to_json())

    async def get_toxic(self, request: web.Request) -> web.Response:
        entry = self._proxy(request).toxics.get(request.match_info["toxic"])
        return httpcompat.json_response(entry.to_json())

    async def update_toxic(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            proxy = self._proxy(request)
            current = proxy.toxics.get(request.match_info["toxic"])
            entry = parse.parse_update(current, await request.read())
            proxy.update_toxic(entry)
            return httpcompat.json_response(entry.to_json())

    async def delete_toxic(self, request: web.Request) -> web.Response:
        async with self.proxies.lock:
            proxy = self._proxy(request)
            proxy.remove_toxic(request.match_info["toxic"])
        return web.Response(status=HTTPStatus.NO_CONTENT)

    def _proxy(self, request: web.Request) -> Proxy:
        return self.proxies.get(request.match_info["proxy"])


def _name(proxy: Proxy) -> str:
    return proxy.name
