"""Helpers for proxy tests: loopback upstream servers, an API client, sockets."""

from __future__ import annotations

import contextlib
import socket
import threading

import requests

IO_TIMEOUT = 5.0  # seconds any test socket may block before the test fails


class Upstream:
    """A loopback TCP server that echoes, or greets then echoes, in threads."""

    def __init__(self, greeting: bytes = b"") -> None:
        self._greeting = greeting
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.accepted = 0
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was shut down
            with self._lock:
                self.accepted += 1
                self._clients.append(client)
            threading.Thread(target=self._echo, args=(client,), daemon=True).start()

    def _echo(self, client: socket.socket) -> None:
        try:
            if self._greeting:
                client.sendall(self._greeting)
            while data := client.recv(256 * 1024):
                client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept
        self._listener.close()
        with self._lock:
            for client in self._clients:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
                client.close()
        self._thread.join(2)


class Api:
    """Requests against the server's API, with its base URL filled in."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, **kw: object) -> requests.Response:
        return self.session.get(self.base + path, timeout=IO_TIMEOUT, **kw)  # type: ignore[arg-type]

    def post(self, path: str, **kw: object) -> requests.Response:
        return self.session.post(self.base + path, timeout=IO_TIMEOUT, **kw)  # type: ignore[arg-type]

    def patch(self, path: str, **kw: object) -> requests.Response:
        return self.session.patch(self.base + path, timeout=IO_TIMEOUT, **kw)  # type: ignore[arg-type]

    def delete(self, path: str, **kw: object) -> requests.Response:
        return self.session.delete(self.base + path, timeout=IO_TIMEOUT, **kw)  # type: ignore[arg-type]

    def proxy(
        self, name: str, upstream: str, listen: str = "127.0.0.1:0"
    ) -> dict[str, object]:
        """Create a proxy and return its JSON (fails the test if refused)."""
        reply = self.post(
            "/proxies", json={"name": name, "listen": listen, "upstream": upstream}
        )
        assert reply.status_code == 201, reply.text
        body: dict[str, object] = reply.json()
        return body

    def toxic(self, proxy: str, **body: object) -> dict[str, object]:
        reply = self.post(f"/proxies/{proxy}/toxics", json=body)
        assert reply.status_code == 200, reply.text
        result: dict[str, object] = reply.json()
        return result

    def close(self) -> None:
        self.session.close()


def connect(listen: object) -> socket.socket:
    """A client socket to a proxy's ``listen`` address."""
    assert isinstance(listen, str)
    host, port = listen.rsplit(":", 1)
    host = host.strip("[]")
    if host in ("::", "0.0.0.0"):
        host = "127.0.0.1"
    sock = socket.create_connection((host, int(port)), timeout=IO_TIMEOUT)
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = sock.recv(size - len(data))
        if not part:
            break
        data += part
    return bytes(data)


def recv_until_closed(sock: socket.socket) -> bytes:
    data = bytearray()
    while part := sock.recv(65536):
        data += part
    return bytes(data)
