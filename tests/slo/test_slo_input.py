"""SLO files that would only fail later: refused at load, naming file and SLO."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.slo.model import UnknownSlo, default_slo_file, load_slo_file
from faultdrill.slo.stats import samples_needed

SLO = """\
service: shop
slos:
  - name: home
    objective: {objective}
    sli: {{type: availability, request: {{path: /}}}}
"""
PROMETHEUS = """\
service: shop
slos:
  - name: api-availability
    objective: 99
    sli:
      type: availability
      source: prometheus
      prometheus: {total: http_requests_total, bad: 'http_requests_total{code="500"}'}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "slos.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("objective", "ratio"),
    [("99.9999999999999", "1"), ("99.99999999999995", "1"), ("1e-14", "0")],
)
def test_objective_whose_ratio_rounds_to_0_or_1_is_refused_at_load(
    tmp_path: Path, objective: str, ratio: str
) -> None:
    path = _write(tmp_path, SLO.format(objective=objective))

    with pytest.raises(InvalidInput) as caught:
        load_slo_file(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: slos[0].objective: ")
    assert f"rounds to a ratio of {ratio} at 12 decimals" in message
    assert "between 0.0000000001 and 99.9999999999 percent" in message


@pytest.mark.parametrize("objective", ["99.9999999999", "0.0000000001", "99.9"])
def test_the_extreme_objectives_still_have_a_budget_to_judge(
    tmp_path: Path, objective: str
) -> None:
    slo = load_slo_file(_write(tmp_path, SLO.format(objective=objective))).get("home")

    assert 0 < slo.target_ratio < 1
    assert 0 < slo.error_budget < 1
    assert samples_needed(slo.target_ratio) >= 1


def test_unknown_slo_names_it_the_file_and_the_known_ones() -> None:
    with pytest.raises(UnknownSlo) as caught:
        default_slo_file().get("homepage-avail")

    assert str(caught.value) == (
        "SLO 'homepage-avail': no SLO named 'homepage-avail'; known SLOs: "
        "homepage-availability, login-success, api-latency-p95, api-5xx-ratio "
        "(in the SLO file faultdrill/data/slos.yaml); use one of them, or add "
        "'homepage-avail' to that file"
    )


def test_unknown_slo_can_be_reported_where_the_name_was_written() -> None:
    with pytest.raises(UnknownSlo) as caught:
        default_slo_file().get("nope")

    moved = caught.value.at("exp.yaml", "slo.hypothesis")

    assert str(moved).startswith("exp.yaml: slo.hypothesis: no SLO named 'nope'")
    assert caught.value.known[0] == "homepage-availability"


def test_request_of_a_prometheus_slo_names_the_file_and_the_slo(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, PROMETHEUS)
    slo = load_slo_file(path).get("api-availability")

    with pytest.raises(InvalidInput) as caught:
        _ = slo.sli.request

    assert str(caught.value).startswith(
        f"{path}: SLO 'api-availability': sli.request: missing: this SLI is "
        "measured by prometheus"
    )


def test_sli_of_the_shipped_file_knows_where_it_was_read() -> None:
    slo = default_slo_file().get("homepage-availability")

    assert slo.sli.request.path == "/"
    assert slo.sli._origin.slo_file == "faultdrill/data/slos.yaml"
    assert slo.sli._origin.slo == "homepage-availability"


def test_where_an_slo_was_read_does_not_change_what_it_is(tmp_path: Path) -> None:
    text = SLO.format(objective="99.9")
    first = load_slo_file(_write(tmp_path, text)).get("home")
    (tmp_path / "b").mkdir()
    second = load_slo_file(_write(tmp_path / "b", text)).get("home")

    assert first == second
    assert first.sli._origin.slo_file != second.sli._origin.slo_file
