"""Fixtures for the embedded proxy: a running server, an upstream echo
server on loopback, and an HTTP client pointed at the API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Test modules import the helpers beside them; make them importable here too
# (pytest puts a test module's folder on sys.path, but not a conftest's).
sys.path.insert(0, str(Path(__file__).parent))

from proxy_helpers import Api, Upstream

from faultdrill.proxy.embedded import EmbeddedProxy


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@pytest.fixture
def toxiproxy() -> Iterator[EmbeddedProxy]:
    with EmbeddedProxy() as server:
        yield server


@pytest.fixture
def api(toxiproxy: EmbeddedProxy) -> Iterator[Api]:
    client = Api(toxiproxy.url)
    yield client
    client.close()
