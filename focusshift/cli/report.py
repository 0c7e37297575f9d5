"""`focusshift report`: self-contained HTML pages, one per session, and an index for many."""

from __future__ import annotations

import sys

import click

from ..errors import FocusshiftError
from ..options import Options
from .common import EXIT_ERROR, FocusshiftUsageError, Report, analysis_options, drop_missing, err, failed, warn


@click.command("report")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", required=True, metavar="FILE|DIR",
              help="For one session: the HTML file to write. For a folder, several paths or a file holding "
                   "several sessions: a directory (created if needed) that gets one report per session "
                   "and an index.html.")
@click.option("--no-text", is_flag=True,
              help="De-identified reports: the structure (lines, roles, events' categories, subtypes and rules), "
                   "no transcript text, speaker names, titles or metadata.")
@click.option("--private", is_flag=True, help="Create report files readable by you only (mode 0600); "
                                               "default: the mode your umask gives.")
@click.option("-q", "--quiet", is_flag=True, help="No parse warnings and no summary on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), metavar="N",
              help="Worker processes for folders (default: the machine's cores, or FOCUSSHIFT_JOBS).")
@analysis_options
def report(paths: tuple[str, ...], options: Options, glob: str | None, output: str, no_text: bool, private: bool,
           quiet: bool, jobs: int | None) -> None:
    """Write self-contained HTML reports: timeline, segment table, highlighted transcript.

    Each page has the session's summary score, a chart of segment scores with
    therapist emotion, client caretaking and focus shifts marked, the segment
    table, the evidence, and the transcript with every event's words
    highlighted (hover for subtype, rule, context and weight). Pages use inline
    CSS and SVG only: nothing is fetched, no script runs, and they can be sent
    as a single file or printed.

    \b
    Examples:
      focusshift report session.txt -o session.html
      focusshift report transcripts/ -o reports/        # reports/index.html ranks the sessions
      focusshift report export.csv -o reports/ --no-text

    \b
    Exit codes: 0 done; 2 usage error, or a file that could not be read
    (reported on stderr with file and line; the other reports are still written).
    """
    from .. import batch
    from ..api import Failure
    from ..outputs import OutputError
    from ..report import write_report

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    status = Report()
    present = drop_missing(paths, status)

    def on_result(r) -> None:
        if isinstance(r, Failure):
            failed(status, r.path, r.line, r.message, r.traceback)
            return
        status.done += 1
        if not quiet:
            for line, message in r.transcript.warnings:
                warn(r.transcript.path, line, message)

    try:
        run = write_report(present, output, options, text=not no_text, private=private,
                           jobs=jobs or batch.default_jobs(), glob=glob, stdin=stdin,
                           missing=[p for p in paths if p not in present], on_result=on_result)
    except (OutputError, FocusshiftError) as exc:
        raise FocusshiftUsageError(str(exc)) from None
    if run.index is None:  # one page at -o
        if not run.pages:
            sys.exit(EXIT_ERROR)
        if not quiet and output != "-":
            err(f"wrote {output}")
    elif not quiet:
        err(f"wrote {len(run.pages)} report(s) and {run.index}")
    sys.exit(status.return_code)
