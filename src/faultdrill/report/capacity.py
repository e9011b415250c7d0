"""Capacity figures from step tests, as a table.

Step tests (a load profile that raises the offered rate step by step) record
their figures in the journal under ``faultdrill.capacity``: a list of one
mapping per step. Their keys belong to the load generator, so the table
takes its columns from the data, in first-seen order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


def capacity_table(raw: Any) -> Table | None:
    """The step-test figures as a table; None when there are none."""
    if isinstance(raw, dict):
        raw = raw.get("steps")
    if not isinstance(raw, list):
        return None
    steps = [step for step in raw if isinstance(step, dict)]
    if not steps:
        return None
    columns: list[str] = []
    for step in steps:
        columns += [str(key) for key in step if str(key) not in columns]
    rows = [[_cell(step.get(column)) for column in columns] for step in steps]
    return Table(columns, rows)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
