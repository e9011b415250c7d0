"""Bad input to validate and run: exit 2, a clear message, nothing started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
BASE = yaml.safe_load((EXPERIMENTS / "api-latency-absorbed.yaml").read_text())


def faultdrill(
    home: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "FAULTDRILL_HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "FAULTDRILL_HOST_CHECK": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "faultdrill", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=cwd,
    )


def experiment(tmp_path: Path, **changes: Any) -> Path:
    document = yaml.safe_load(yaml.safe_dump(BASE))
    for dotted, value in changes.items():
        node = document
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[leaf] = value
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"slo__hypothesis": ["no-such-slo"]},
            "slo.hypothesis: 'no-such-slo' not in the SLO file",
        ),
        (
            {"slo__base-url": "http://[::1"},
            "slo.base-url: 'http://[::1' is not an http(s) URL",
        ),
        ({"slo__base-url": "${typo}"}, "slo.base-url: '${typo}' is not an http(s) URL"),
        ({"slo__before": ".nan"}, "slo.before"),
        ({"slo__before": "99999999h"}, "longer than a week"),
        ({"method__0__pauses": {"after": -8}}, "method[0].pauses.after"),
        (
            {"blast-radius__max-intensity__latency-ms": 50},
            "latency 110 ms at most on catalog",
        ),
    ],
)
def test_validate_and_run_refuse_the_same_bad_files(
    tmp_path: Path, faultdrill_home: Path, changes: dict[str, Any], expected: str
) -> None:
    path = experiment(tmp_path, **changes)
    for command in (
        ("validate", str(path)),
        ("run", str(path), "--journal", str(tmp_path / "j.json")),
    ):
        result = faultdrill(faultdrill_home, *command)
        assert result.returncode in (2, 3), result.stdout + result.stderr
        assert expected in result.stderr + result.stdout
        assert "Traceback" not in result.stderr
    # Invalid input stops before a journal; a refusal (exit 3) records one.
    assert result.returncode == 3 or not (tmp_path / "j.json").exists()
    assert not (faultdrill_home / "faults.jsonl").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: 2001-02-30\n", "invalid YAML value"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_unreadable_values_are_invalid_input(
    tmp_path: Path, faultdrill_home: Path, text: str, expected: str
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    result = faultdrill(faultdrill_home, "validate", str(path))
    assert result.returncode == 2 and expected in result.stderr, result.stderr


def test_a_fifo_is_refused_instead_of_read_forever(
    tmp_path: Path, faultdrill_home: Path
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = faultdrill(faultdrill_home, "validate", str(fifo))
    assert result.returncode == 2 and "not a regular file" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--journal", "afile/j.json"),
            "--journal: afile/j.json: cannot be created: afile is not a directory",
        ),
        (("--journal", "adir"), "is a directory"),
        (("--junit", "afile/x.xml"), "--junit: afile/x.xml: cannot be created"),
        (("--journal", "exp.yaml"), "is the experiment file itself"),
        (("--webhook", "not a url"), "is not an http(s) URL"),
    ],
)
def test_outputs_are_checked_before_anything_runs(
    tmp_path: Path, faultdrill_home: Path, args: tuple[str, ...], expected: str
) -> None:
    experiment(tmp_path)
    (tmp_path / "afile").write_text("")
    (tmp_path / "adir").mkdir()
    result = faultdrill(faultdrill_home, "run", "exp.yaml", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert yaml.safe_load((tmp_path / "exp.yaml").read_text())["title"] == BASE["title"]
    assert not (faultdrill_home / "faults.jsonl").exists()


def test_a_target_that_is_not_running_is_refused_and_journaled(
    tmp_path: Path,
) -> None:
    # Nothing listens on loopback's discard port on a test machine.
    path = experiment(tmp_path, **{"slo__base-url": "http://127.0.0.1:9"})
    journal = tmp_path / "j.json"

    result = faultdrill(tmp_path / "home", "run", str(path), "--journal", str(journal))

    assert result.returncode == 3, result.stdout + result.stderr
    assert "nothing answers at http://127.0.0.1:9" in result.stdout
    assert "Traceback" not in result.stderr
    recorded = json.loads(journal.read_text())["faultdrill"]
    assert recorded["outcome"] == "refused"
    assert recorded["phases"] == {}  # nothing was measured
    assert not (tmp_path / "home" / "faults.jsonl").exists()


def test_validate_reports_an_slo_name_and_a_blast_radius_breach_together(
    tmp_path: Path,
) -> None:
    path = experiment(
        tmp_path,
        slo__hypothesis=["api-latency-p99"],
        method__0__provider__arguments__latency_ms=5000,
    )

    result = faultdrill(tmp_path / "home", "validate", str(path))

    assert result.returncode == 2
    assert f"{path}: slo.hypothesis: 'api-latency-p99' not in the SLO file" in result.stderr
    assert f"{path}: blast-radius: latency 5010 ms at most on catalog" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"latency_ms": "abc"}, "arguments.latency_ms: Input should be a valid integer"),
        ({"latency_ms": float("nan")}, "arguments.latency_ms: Input should be a valid integer"),
        ({"latency_ms": -5}, "arguments.latency_ms: Input should be greater than or equal to 0"),
        ({"stream": "sideways"}, "arguments.stream: Input should be 'upstream' or 'downstream'"),
        ({"toxicity": 2}, "arguments.toxicity: Input should be less than or equal to 1"),
        ({"latncy_ms": 5}, "arguments.latncy_ms: is not a known field; check its spelling; valid here:"),
    ],
)
def test_bad_network_action_arguments_are_invalid_before_anything_runs(
    tmp_path: Path, arguments: dict[str, Any], expected: str
) -> None:
    document = yaml.safe_load(yaml.safe_dump(BASE))
    document["method"][0]["provider"]["arguments"].update(arguments)
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(document))
    journal = tmp_path / "j.json"

    validated = faultdrill(tmp_path / "home", "validate", str(path))
    ran = faultdrill(tmp_path / "home", "run", str(path), "--journal", str(journal))

    for result in (validated, ran):
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"{path}: method[0].provider.arguments." in result.stderr
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
    assert not journal.exists()
    assert not (tmp_path / "home" / "faults.jsonl").exists()


def test_an_unknown_toxic_type_is_invalid(tmp_path: Path) -> None:
    document = yaml.safe_load(yaml.safe_dump(BASE))
    document["method"][0]["provider"].update(
        func="add_toxic",
        arguments={"proxy": "catalog", "toxic_type": "nosuchtoxic", "attributes": {}},
    )
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(document))

    result = faultdrill(tmp_path / "home", "validate", str(path))

    assert result.returncode == 2
    assert "method[0].provider.arguments.toxic_type: Input should be 'latency'" in result.stderr
