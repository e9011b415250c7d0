"""``faultdrill report JOURNAL``: HTML, Markdown, postmortem and JUnit files."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from faultdrill.report.html import render_html
from faultdrill.report.incident_now import with_current_incident
from faultdrill.report.junit import write_junit_records
from faultdrill.report.markdown import render_markdown
from faultdrill.report.postmortem import needs_postmortem, render_postmortem
from faultdrill.report.record import RunRecord, read_journal
from faultdrill.report.write import check_writable, write_text

log = logging.getLogger(__name__)

_OUT = click.Path(path_type=Path, dir_okay=False)


@click.command()
@click.argument("journal", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--html", "html_path", type=_OUT, help="Write the HTML report here.")
@click.option("--markdown", "md_path", type=_OUT, help="Write the Markdown here.")
@click.option(
    "--postmortem",
    "postmortem_path",
    type=_OUT,
    help="Write the postmortem draft here (runs that opened a SEV-1 or SEV-2).",
)
@click.option("--junit", "junit_path", type=_OUT, help="Write JUnit XML here.")
def report(
    journal: Path,
    html_path: Path | None,
    md_path: Path | None,
    postmortem_path: Path | None,
    junit_path: Path | None,
) -> None:
    """Write the reports of a run from its journal.

    \b
    An incident the run opened is shown as it stands now in the incident
    store (root cause, actions, closing), when the store still has it.

    Without options, beside the journal:
      JOURNAL.html             self-contained, with a plot of each SLI
      JOURNAL.md               the same figures in Markdown
      JOURNAL-postmortem.md    a blameless draft, if a SEV-1/SEV-2 was opened
    With options, only the files asked for.

    Exit code 0, or 2 when JOURNAL is not a faultdrill journal.
    """
    record = with_current_incident(read_journal(journal))
    if not any((html_path, md_path, postmortem_path, junit_path)):
        html_path = journal.with_suffix(".html")
        md_path = journal.with_suffix(".md")
        postmortem_path = journal.with_name(f"{journal.stem}-postmortem.md")
    outputs = {
        "--html": html_path,
        "--markdown": md_path,
        "--postmortem": postmortem_path,
        "--junit": junit_path,
    }
    for option, path in outputs.items():
        if path is not None:
            check_writable(path, option)
    postmortem = _postmortem(record, postmortem_path)
    link = postmortem.name if postmortem else None
    if html_path:
        _emit(html_path, render_html(record, link), "--html")
    if md_path:
        _emit(md_path, render_markdown(record, link), "--markdown")
    if junit_path:
        write_junit_records([record], junit_path, option="--junit")
        click.echo(f"wrote {junit_path}")


def _postmortem(record: RunRecord, path: Path | None) -> Path | None:
    if path is None:
        return None
    if not needs_postmortem(record):
        log.debug("no SEV-1 or SEV-2 incident in %s: no postmortem", record.source)
        return None
    _emit(path, render_postmortem(record), "--postmortem")
    return path


def _emit(path: Path, text: str, option: str) -> None:
    write_text(path, text, option)
    click.echo(f"wrote {path}")
