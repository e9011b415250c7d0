"""The shipped game-day plan and the CI examples stay in step with the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from faultdrill.cli.main import COMMANDS, cli
from faultdrill.gameday.plan import load_plan

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "ci").glob("*.y*ml"))


def test_the_shipped_plans_load() -> None:
    plans = sorted((REPO / "gamedays").glob("*.yaml"))
    assert plans
    for path in plans:
        assert load_plan(path).steps


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_ci_examples_are_valid_yaml(path: Path) -> None:
    assert isinstance(yaml.safe_load(path.read_text()), dict)


def invocations(text: str) -> list[list[str]]:
    """Each 'faultdrill ...' command line, from shell lines and YAML lists."""
    found = []
    code = "\n".join(
        line.split(" #")[0]
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
    )
    for match in re.finditer(r"faultdrill ([a-z-]+)((?: +-?-?[\w./*-]+)*)", code):
        found.append([match.group(1), *match.group(2).split()])
    document = yaml.safe_load(text)
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += node.values()
        elif isinstance(node, str) and node.startswith("faultdrill "):
            found.append(node.split()[1:])  # a folded run: step, all its lines
        elif isinstance(node, list):
            if node and node[0] == "faultdrill":
                found.append([str(item) for item in node[1:]])
            stack += node
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_ci_examples_use_only_existing_commands_and_options(path: Path) -> None:
    commands = invocations(path.read_text())
    assert commands
    for command in commands:
        name, options = command[0], [a for a in command[1:] if a.startswith("--")]
        assert name in COMMANDS, f"{path.name}: no command {name!r}"
        help_text = CliRunner().invoke(cli, [name, "--help"]).output
        for option in options:
            assert option in help_text, f"{path.name}: {name} has no {option}"
