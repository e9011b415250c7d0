"""A stress registry that is not what recovery wrote: named, with the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from faultdrill.errors import FaultError, InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.stress.recovery import kill_recorded_stressors
from faultdrill.stress.registry import Registry
from state.cli_run import faultdrill

GOOD = {
    "id": "cpu-1", "kind": "cpu", "engine": "builtin", "pgid": 4242,
    "members": [{"pid": 4242, "create_time": 1.7e9}], "started_wall": 1.7e9,
    "duration_s": 30.0, "target": {"percent": 50.0, "cores": 1}, "owner": None,
}  # fmt: skip


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in GOOD.items() if k != key}


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ([], "is not an object with a 'stressors' list"),
        ({"stressors": {}}, "is not an object with a 'stressors' list"),
        ({"version": 1}, "is not an object with a 'stressors' list"),
        ({"stressors": [_without("pgid")]}, "stressors[0] lacks 'pgid'"),
        ({"stressors": [GOOD, _without("target")]}, "stressors[1] lacks 'target'"),
        ({"stressors": ["cpu-1"]}, "stressors[0] is malformed"),
        ({"stressors": [GOOD | {"kind": "disk"}]}, "stressors[0] is malformed"),
        ({"stressors": [GOOD | {"pgid": "x"}]}, "stressors[0] is malformed"),
    ],
    ids=[
        "a-list", "stressors-an-object", "no-stressors", "no-pgid", "no-target",
        "item-a-string", "unknown-kind", "pgid-not-a-number",
    ],
)  # fmt: skip
def test_recovery_from_a_registry_of_the_wrong_shape_names_file_and_fix(
    tmp_path: Path, document: Any, says: str
) -> None:
    registry = Registry(tmp_path)
    registry.path.write_text(json.dumps(document))

    with pytest.raises(FaultError) as caught:
        kill_recorded_stressors(registry)

    message = str(caught.value)
    assert message.startswith(f"{registry.path}: {says}")
    assert "kill leftover stress processes by hand" in message
    assert "then delete or move aside the file" in message


def test_a_registry_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.path.write_bytes(b'{"stressors": ["\xff"]}')

    with pytest.raises(FaultError, match=r"registry\.json: cannot be read"):
        registry.records()


def test_a_directory_in_place_of_the_lock_file_is_named(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    (tmp_path / "registry.lock").mkdir()

    with pytest.raises(FaultError, match=r"registry\.lock: cannot be opened"):
        registry.records()


def test_an_unreadable_registry_is_invalid_input_too(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.path.write_text("[]")

    with pytest.raises(InvalidInput, match="kill leftover stress processes"):
        registry.records()


def test_recover_with_a_broken_registry_exits_two_naming_it(
    faultdrill_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = faultdrill_home / "stress" / "registry.json"
    path.parent.mkdir(parents=True)
    path.write_text("[]")

    ran = faultdrill("recover", monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: is not an object" in ran.err
