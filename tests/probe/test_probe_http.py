"""The real HTTP sender against a service on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.probe.http import HttpSender
from faultdrill.slo.model import Request


def send(url: str, request: Request) -> tuple[int | None, str | None]:
    async def once() -> tuple[int | None, str | None]:
        async with HttpSender(url, connections=4) as sender:
            return await sender(request)

    return asyncio.run(asyncio.wait_for(once(), timeout=5))


def test_an_answer_gives_its_status(loopback_url: str) -> None:
    assert send(loopback_url, Request(path="/")) == (200, None)
    assert send(loopback_url, Request(path="/fail")) == (503, None)


def test_the_json_body_is_posted(loopback_url: str) -> None:
    good = Request.model_validate(
        {
            "method": "POST",
            "path": "/login",
            "json": {"user": "demo", "password": "demo"},
        }
    )
    bad = Request.model_validate(
        {"method": "POST", "path": "/login", "json": {"user": "demo", "password": "x"}}
    )

    assert send(loopback_url, good) == (200, None)
    assert send(loopback_url, bad) == (401, None)


def test_a_refused_connection_is_an_error_not_an_exception() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: refused

        status, error = send(f"http://127.0.0.1:{port}", Request(path="/"))

    assert status is None
    assert error == "connect: connection refused"


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "ftp://host/", "http://"])
def test_a_base_url_that_is_not_http_is_rejected(url: str) -> None:
    with pytest.raises(InvalidInput, match="base_url"):
        HttpSender(url, connections=1)
