from __future__ import annotations

from faultdrill.probe.sample import ProbeSample
from faultdrill.report.series import Series, series_from_samples
from faultdrill.slo.model import Slo, default_slo_file

T0 = 1_700_000_000.0
API = "GET /api/videos/42"
HOME = "GET /"


def sample(
    at: float,
    latency_ms: float,
    status: int | None = 200,
    request: str = API,
    phase: str = "during",
) -> ProbeSample:
    return ProbeSample(
        request=request,
        phase=phase,
        intended_at=at,
        wall=T0 + at,
        latency_s=latency_ms / 1000.0,
        status=status,
        error=None if status else "timeout",
    )


def slos() -> list[Slo]:
    slo_file = default_slo_file()
    return [slo_file.get("api-latency-p95"), slo_file.get("homepage-availability")]


def test_samples_are_counted_per_second_and_slo() -> None:
    samples = [
        sample(0.1, 10),
        sample(0.9, 20),
        sample(1.5, 700),
        sample(0.2, 5, request=HOME),
    ]
    series = series_from_samples(slos(), samples, T0)
    latency = series.of("api-latency-p95")
    assert latency is not None
    assert [(p.t, p.count, p.good) for p in latency.points] == [
        (0.0, 2, 2),
        (1.0, 1, 0),
    ]
    assert latency.threshold_ms == 500
    home = series.of("homepage-availability")
    assert home is not None and [(p.count, p.good) for p in home.points] == [(1, 1)]


def test_p95_per_second_is_the_nearest_rank_of_answered_requests() -> None:
    samples = [sample(i / 100, latency_ms=float(i + 1)) for i in range(20)]
    samples.append(sample(0.5, 9000, status=None))
    (point,) = series_from_samples(slos()[:1], samples, T0).slos[0].points
    assert point.p95_ms == 19.0  # 19th of 20 answered; the timeout is not a latency
    assert (point.count, point.good) == (21, 20)


def test_a_second_belongs_to_the_phase_most_of_its_samples_had() -> None:
    samples = [sample(0.1, 1, phase="before"), sample(0.5, 1), sample(0.7, 1)]
    (point,) = series_from_samples(slos()[:1], samples, T0).slos[0].points
    assert point.phase == "during"


def test_the_series_round_trips_through_journal_json() -> None:
    series = series_from_samples(slos(), [sample(0.1, 10)], T0)
    again = Series.model_validate(series.model_dump(mode="json"))
    assert again == series
