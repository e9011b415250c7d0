"""OpenSLO v1 import: valid documents become SLOs, the rest is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from faultdrill.cli.main import cli
from faultdrill.errors import InvalidInput
from faultdrill.slo.model import (
    AvailabilitySli,
    CalendarMonthWindow,
    ErrorRatioSli,
    RollingWindow,
    SliSource,
    load_slo_file,
)
from faultdrill.slo.openslo import import_openslo, slo_file_yaml

DOCS = Path(__file__).with_name("openslo")


def problems_of(*names: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as error:
        import_openslo([DOCS / n for n in names])
    return {
        f"{p.source.split('/')[-1]}: {p.field}": p.message for p in error.value.problems
    }


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_objective_becomes_an_slo_with_the_ratio_queries() -> None:
    slo_file = import_openslo([DOCS / "checkout.yaml"])

    assert slo_file.service == "shop"
    assert slo_file.names == [
        "checkout-availability-strict",
        "checkout-availability-relaxed",
    ]
    strict = slo_file.get("checkout-availability-strict")
    assert strict.objective == pytest.approx(99.9)
    assert strict.window == RollingWindow(type="rolling", days=28)
    assert isinstance(strict.sli, AvailabilitySli)
    assert strict.sli.source is SliSource.PROMETHEUS
    assert strict.sli.prometheus is not None
    assert (
        strict.sli.prometheus.good
        == 'http_requests_total{handler="/checkout", code!~"5.."}'
    )
    assert strict.description == "Checkout answers without a server error."


def test_an_sli_by_reference_with_bad_events_and_a_calendar_month() -> None:
    slo = import_openslo([DOCS / "search.yaml"]).get("search-errors")

    assert slo.objective == 99.5
    assert slo.window == CalendarMonthWindow(type="calendar-month")
    assert isinstance(slo.sli, ErrorRatioSli)
    assert slo.sli.prometheus is not None
    # The fixed [5m] range becomes the window faultdrill asks for.
    assert slo.sli.prometheus.bad == (
        'sum(rate(http_requests_total{handler="/search", code=~"5.."}[$window]))'
    )


def test_several_files_import_into_one_slo_file() -> None:
    slo_file = import_openslo([DOCS / "checkout.yaml", DOCS / "search.yaml"])

    assert len(slo_file.slos) == 3


def test_the_written_file_reads_back_as_the_same_slos(tmp_path: Path) -> None:
    imported = import_openslo([DOCS / "checkout.yaml", DOCS / "search.yaml"])
    path = tmp_path / "slos.yaml"
    path.write_text(slo_file_yaml(imported), encoding="utf-8")

    assert load_slo_file(path).slos == imported.slos


def test_what_cannot_be_counted_as_events_is_named_with_document_and_field() -> None:
    problems = problems_of("unsupported.yaml")

    assert problems == {
        "unsupported.yaml#1: spec.timeWindow[0].duration": (
            "'1Q' is not supported; use days (28d), weeks (4w) or a calendar month (1M)"
        ),
        "unsupported.yaml#1: spec.indicator.spec.thresholdMetric": (
            "is a time-slice SLI; faultdrill counts events: write it as a ratioMetric "
            "(good = requests under the threshold, total = all)"
        ),
        "unsupported.yaml#1: spec.budgetingMethod": (
            "is 'Timeslices'; faultdrill counts events, so only 'Occurrences' is supported"
        ),
        "unsupported.yaml#2: spec.indicatorRef": (
            "no 'kind: SLI' document named 'missing-sli' in this import; known: none"
        ),
        "unsupported.yaml#3: spec.indicator.spec.ratioMetric.good.metricSource.type": (
            "is 'Datadog'; only Prometheus sources can be read"
        ),
        "unsupported.yaml#3: spec.indicator.spec.ratioMetric.total.metricSource.spec.query": (
            "'rate(a[5m]) / rate(b[1m])' is neither a counter selector nor an expression "
            "with one range like [5m]; faultdrill must set the window itself"
        ),
    }


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("apiVersion: openslo/v1\nkind: SLO\nspec: {}\n", "metadata", "is required"),
        (
            "apiVersion: openslo/v2alpha\nkind: SLI\nmetadata: {name: a}\nspec: {}\n",
            "apiVersion",
            "only 'openslo/v1' is read",
        ),
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {service: s}\n",
            "spec.timeWindow",
            "is required",
        ),
        (
            "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: a}\nspec: {}\n",
            "kind",
            "no 'kind: SLO' document found",
        ),
    ],
)
def test_malformed_documents_are_invalid_input(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        import_openslo([write(tmp_path, text)])

    assert any(p.field == field and message in p.message for p in error.value.problems)


def test_an_slo_name_faultdrill_cannot_use_is_reported_as_imported(
    tmp_path: Path,
) -> None:
    text = (
        (DOCS / "search.yaml")
        .read_text()
        .replace(
            "metadata:\n  name: search-errors\nspec:\n  service",
            "metadata:\n  name: Search_Errors\nspec:\n  service",
        )
    )

    with pytest.raises(InvalidInput, match="lowercase letters, digits"):
        import_openslo([write(tmp_path, text)])


def test_slo_import_command_prints_a_faultdrill_slo_file() -> None:
    result = CliRunner().invoke(cli, ["slo", "import", str(DOCS / "search.yaml")])

    assert result.exit_code == 0, result.output
    assert "service: shop" in result.stdout
    assert "source: prometheus" in result.stdout
    assert "request:" not in result.stdout
