"""A busy port is the user's to fix: exit 2 naming the option, nothing started."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.sandbox import control
from faultdrill.sandbox.config import SandboxConfig


def test_a_busy_web_port_names_the_option_and_starts_nothing(
    faultdrill_home: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = SandboxConfig.ephemeral(web_port=port)
        with pytest.raises(InvalidInput) as caught:
            control.up(config)
    problem = caught.value.problems[0]
    assert problem.field == "--web-port"
    assert f"127.0.0.1:{port} is already in use" in problem.message
    assert control.recorded() is None
