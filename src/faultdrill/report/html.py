"""The HTML run report: one self-contained file, plots inline as SVG."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, StrictUndefined

from faultdrill import __version__
from faultdrill.report import sections
from faultdrill.report.capacity import capacity_table
from faultdrill.report.html_template import STYLE, TEMPLATE
from faultdrill.report.plots import charts
from faultdrill.report.record import RunRecord
from faultdrill.report.spend import spend_rows


def _environment() -> Environment:
    # Autoescape everything: titles, reasons and arguments come from files
    # and from the service; only our own SVG is marked safe.
    return Environment(autoescape=True, undefined=StrictUndefined)


def render_html(record: RunRecord, postmortem: str | None = None) -> str:
    """The report of one run; ``postmortem`` is a link to its draft, if any."""
    template = _environment().from_string(TEMPLATE)

    def since(moment: datetime) -> float:
        return record.seconds_since_start(moment)

    return template.render(
        r=record,
        style=STYLE,
        meaning=sections.OUTCOME_MEANING[record.outcome],
        phases=sections.phase_names(),
        verdicts=sections.verdict_rows(record),
        charts=charts(record),
        spend=spend_rows(record),
        blast=sections.blast_radius_lines(record),
        activities=sections.activity_rows(record),
        capacity=capacity_table(record.capacity),
        postmortem=postmortem,
        version=__version__,
        pct=sections.percent,
        compact=sections.compact,
        since=since,
    )
