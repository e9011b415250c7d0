"""Security signals without Prometheus: Fail2Ban's log, and configuration."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultdrill.cli.main import cli
from faultdrill.errors import InvalidInput
from faultdrill.gate.fail2ban import bans_since
from faultdrill.gate.security import read_security
from faultdrill.slo.model import SecuritySources, load_slo_file

NOW = datetime(2024, 3, 15, 12, 0, 0).timestamp()  # local time, as Fail2Ban logs
HOUR = 3600.0


def line(minutes_ago: float, action: str = "Ban", jail: str = "sshd") -> str:
    when = datetime.fromtimestamp(NOW - minutes_ago * 60)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") + ",123"
    return f"{stamp} fail2ban.actions        [812]: NOTICE  [{jail}] {action} 192.0.2.7"


def fail2ban_log(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "fail2ban.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_only_new_bans_inside_the_window_count(tmp_path: Path) -> None:
    path = fail2ban_log(
        tmp_path,
        [
            line(120),  # before the window
            line(50),
            line(40, "Restore Ban"),  # re-applied after a restart: not new
            line(30, "Unban"),
            "2024-03-15 11:45:00,000 fail2ban.filter [812]: INFO [sshd] Found 192.0.2.7",
            "garbage that is no log line",
            line(10),
            line(5, jail="nginx-limit-req"),
        ],
    )

    assert bans_since(path, NOW - HOUR) == 3
    assert bans_since(path, NOW - HOUR, jails=["sshd"]) == 2


def test_an_unreadable_log_names_the_file_and_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"security\.fail2ban-log: cannot be read"):
        bans_since(tmp_path / "missing.log", NOW)


def test_fail2ban_alone_gives_signals_without_login_figures(tmp_path: Path) -> None:
    path = fail2ban_log(tmp_path, [line(1), line(2)])

    signals = read_security(SecuritySources(fail2ban_log=path), None, HOUR, NOW)

    assert signals is not None
    assert signals.fail2ban_bans == 2
    assert signals.failed_login_ratio is None
    assert signals.sources == [f"fail2ban:{path}"]


def test_nothing_configured_reads_nothing() -> None:
    assert read_security(None, None, HOUR, NOW) is None


def test_login_attempts_need_failed_logins_beside_them(tmp_path: Path) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(
        "service: s\nsecurity: {login-attempts: a}\n"
        "slos: [{name: x, objective: 99, sli: {type: availability, request: {path: /}}}]\n"
    )

    with pytest.raises(InvalidInput, match="give both 'login-attempts'"):
        load_slo_file(path)


def test_a_relative_fail2ban_log_is_relative_to_the_slo_file(tmp_path: Path) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(
        "service: s\nsecurity: {fail2ban-log: logs/f2b.log}\n"
        "slos: [{name: x, objective: 99, sli: {type: availability, request: {path: /}}}]\n"
    )

    security = load_slo_file(path).security

    assert security is not None
    assert security.fail2ban_log == tmp_path / "logs/f2b.log"


def test_gate_blocks_on_fail2ban_bans_from_the_given_log(tmp_path: Path) -> None:
    now_lines = [
        datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        + f",000 fail2ban.actions [1]: NOTICE  [sshd] Ban 192.0.2.{n}"
        for n in range(5)
    ]
    path = fail2ban_log(tmp_path, now_lines)

    result = CliRunner().invoke(
        cli, ["gate", "--no-host", "--json", "--fail2ban-log", str(path)]
    )

    data = json.loads(result.stdout)
    assert result.exit_code == 3
    assert [r["code"] for r in data["reasons"]] == ["fail2ban-bans"]
    assert data["figures"]["security"]["fail2ban_bans"] == 5
