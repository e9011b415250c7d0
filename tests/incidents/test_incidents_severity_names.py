"""Severities written in files or options: SEV-1 to SEV-4 and nothing else."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from faultdrill.incidents.model import Severity, SeverityName

NAMES = TypeAdapter(list[SeverityName])


@pytest.mark.parametrize(
    ("written", "severity"),
    [
        ("SEV-1", Severity.SEV1),
        ("sev2", Severity.SEV2),
        ("SEV 3", Severity.SEV3),
        (" 4 ", Severity.SEV4),
        (1, Severity.SEV1),
        (Severity.SEV2, Severity.SEV2),
    ],
)
def test_every_form_of_a_known_severity_is_read(
    written: object, severity: Severity
) -> None:
    assert NAMES.validate_python([written]) == [severity]


@pytest.mark.parametrize(
    "written", ["SEV-9", "SEV-0", "SEV-12", "SEV-1.5", "S1E", "", "critical", 9, True]
)
def test_an_unknown_severity_is_refused_naming_the_valid_ones(written: object) -> None:
    with pytest.raises(ValidationError) as caught:
        NAMES.validate_python([written])

    assert "SEV-1', 'SEV-2', 'SEV-3' or 'SEV-4" in str(caught.value) or (
        "use SEV-1, SEV-2, SEV-3 or SEV-4" in str(caught.value)
    )


@pytest.mark.parametrize("written", ["SEV-9", "sev12", "S1E"])
def test_parse_refuses_what_only_contains_a_digit(written: str) -> None:
    with pytest.raises(ValueError, match="is not a severity"):
        Severity.parse(written)


def test_a_severity_name_equals_the_text_journals_hold() -> None:
    (sev1,) = NAMES.validate_python(["sev1"])

    assert "SEV-1" in [sev1]
