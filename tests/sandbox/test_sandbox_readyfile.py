"""Ready files as the sandbox daemons and the fault proxy write them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faultdrill.sandbox import readyfile
from faultdrill.sandbox.readyfile import Ready


def test_what_write_writes_read_reads(tmp_path: Path) -> None:
    path = tmp_path / "web.ready"

    readyfile.write(path, 8780)

    assert readyfile.read(path) == Ready(pid=os.getpid(), port=8780)
    assert [p.name for p in tmp_path.iterdir()] == ["web.ready"]


def test_the_proxys_url_form_gives_its_port(tmp_path: Path) -> None:
    path = tmp_path / "proxy.ready"
    path.write_text('{"url": "http://127.0.0.1:8474", "pid": 42}')

    assert readyfile.read(path) == Ready(pid=42, port=8474)


@pytest.mark.parametrize(
    "text", ["", '{"pid": 1', "[8474]", '{"pid": 1}', '{"url": "http://h"}']
)
def test_absent_partial_or_portless_files_are_not_ready(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "x.ready"
    assert readyfile.read(path) is None

    path.write_text(text)

    assert readyfile.read(path) is None
