"""Reading YAML/JSON files into typed models, with errors a person can act on.

Every problem names the file, the field path (``method[2].provider.module``)
and what would be valid; all problems of a file are reported at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.errors import InvalidInput, Problem

M = TypeVar("M", bound=BaseModel)


def kebab(name: str) -> str:
    """``max_duration`` is written ``max-duration`` in files."""
    return name.replace("_", "-")


class FileModel(BaseModel):
    """Something people write in a file: kebab-case keys (Python names are
    accepted too), misspelled keys are errors, and nothing changes it once
    loaded."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, alias_generator=kebab
    )


def read_document(path: Path) -> Any:
    """Parse a YAML or JSON file; a missing or malformed file is InvalidInput."""
    source = str(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise InvalidInput.single(source, "", "is not a regular file; give a file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput.single(source, "", "no such file; check the path") from None
    except IsADirectoryError:
        raise InvalidInput.single(source, "", "is a directory; give a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.single(source, "", f"cannot be read: {exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            return _parse_json(source, text)
        return _parse_yaml(source, text)
    except RecursionError:
        raise InvalidInput.single(source, "", "is nested too deeply to read") from None


def _parse_json(source: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InvalidInput.single(source, where, f"invalid JSON: {exc.msg}") from exc


def _parse_yaml(source: str, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput.single(source, where, f"invalid YAML: {problem}") from exc
    except ValueError as exc:
        # PyYAML turns date-like scalars into dates and fails on impossible
        # ones (2001-02-30); quote such a value to keep it a string.
        raise InvalidInput.single(
            source, "", f"invalid YAML value: {exc}; quote it if it is text"
        ) from exc


def field_path(location: tuple[int | str, ...]) -> str:
    """``('method', 2, 'provider')`` becomes ``method[2].provider``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def problems_from(
    source: str, error: ValidationError, model: type[BaseModel] | None = None
) -> list[Problem]:
    """Translate pydantic's errors into our problems, one per bad field.

    With ``model``, a misspelled key is answered with the keys that would be
    valid where it stands.
    """
    problems = []
    for item in error.errors(include_url=False):
        location = tuple(p for p in item["loc"] if not _is_union_tag(p))
        message = _message(item)
        if item["type"] == "extra_forbidden" and model is not None:
            known = known_keys(model, location[:-1])
            if known:
                message += f"; valid here: {', '.join(known)}"
        problems.append(Problem(source, field_path(location) or "(top level)", message))
    return problems


def known_keys(model: type[BaseModel], location: tuple[int | str, ...]) -> list[str]:
    """The keys a file may use at ``location`` inside ``model``; [] if unknown.

    Follows plain nested models only: where a list, a dict or a union stands
    on the way, the keys depend on the value and are not listed.
    """
    current: Any = model
    for part in location:
        fields = getattr(current, "model_fields", None)
        info = fields.get(_python_name(current, part)) if fields else None
        current = info.annotation if info is not None else None
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
    return [info.alias or name for name, info in current.model_fields.items()]


def _python_name(model: Any, key: int | str) -> str:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return str(name)
    return str(key)


def _is_union_tag(part: int | str) -> bool:
    # pydantic inserts the tried model's name (e.g. "function-after[...]",
    # "PythonProvider") into locations of union members; people never write it.
    return isinstance(part, str) and (part[:1].isupper() or "[" in part)


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field; check its spelling"
    text = str(item["msg"])
    return text.removeprefix("Value error, ")


def parse_model(model: type[M], data: Any, source: str) -> M:
    """Validate ``data`` as ``model``; every problem is reported as InvalidInput."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(source, exc, model)) from None


def load_model(model: type[M], path: Path) -> M:
    """Read and validate a file in one step."""
    return parse_model(model, read_document(path), str(path))
