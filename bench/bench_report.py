"""Report figures for an hour-long run: journal size and rendering time.

    python bench/bench_report.py

An hour of probing four SLOs at 25 requests/s each (360,000 samples) is
stored two ways next to each other: every sample as a JSON object (the
reference: what a journal would hold without aggregation) and the
per-second series faultdrill writes (faultdrill.report.series). Then the
HTML and Markdown reports of that journal are rendered and timed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import time
from pathlib import Path

from faultdrill.probe.sample import ProbeSample
from faultdrill.report.html import render_html
from faultdrill.report.markdown import render_markdown
from faultdrill.report.record import parse_journal
from faultdrill.report.series import series_from_samples
from faultdrill.slo.model import default_slo_file

RATE_PER_S = 25  # the shipped experiments' probe rate
SECONDS = 3600
T0 = 1_700_000_000.0
JOURNAL = Path(__file__).resolve().parents[1] / "tests/report/journals/deviated.json"


def samples() -> list[ProbeSample]:
    rng = random.Random(7)
    slos = default_slo_file().slos
    out = []
    for slo in slos:
        for i in range(RATE_PER_S * SECONDS):
            at = i / RATE_PER_S
            slow = 1800 <= at < 2400
            out.append(
                ProbeSample(
                    request=slo.sli.request.key,
                    phase="during" if slow else "before",
                    intended_at=at,
                    wall=T0 + at,
                    latency_s=rng.uniform(0.003, 0.012) + (0.6 if slow else 0.0),
                    status=200,
                    error=None,
                )
            )
    return out


def main() -> None:
    raw = samples()
    per_sample = len(json.dumps([dataclasses.asdict(s) for s in raw]))
    started = time.perf_counter()
    series = series_from_samples(default_slo_file().slos, raw, T0)
    aggregate_s = time.perf_counter() - started
    per_second = len(json.dumps(series.model_dump(mode="json")))

    journal = json.loads(JOURNAL.read_text())
    journal = copy.deepcopy(journal)
    journal["faultdrill"]["series"] = series.model_dump(mode="json")
    record = parse_journal(journal)
    started = time.perf_counter()
    html = render_html(record)
    html_s = time.perf_counter() - started
    started = time.perf_counter()
    render_markdown(record)
    md_s = time.perf_counter() - started

    print(f"{len(raw):,} samples: 4 SLOs x {RATE_PER_S}/s x {SECONDS} s")
    print(f"{'stored as':<34}{'bytes':>14}")
    print(f"{'every sample (reference)':<34}{per_sample:>14,}")
    print(
        f"{'per-second series (faultdrill)':<34}{per_second:>14,}"
        f"   {per_sample / per_second:.0f}x smaller"
    )
    print(f"aggregating the samples: {aggregate_s:.2f} s")
    print(
        f"HTML report: {html_s:.2f} s, {len(html):,} bytes, {html.count('<svg')} plots"
    )
    print(f"Markdown report: {md_s * 1000:.1f} ms")


if __name__ == "__main__":
    main()
