"""`focusshift analyze`: score each segment, in any output format, for one file or a whole corpus."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import FocusshiftError
from ..options import Options
from ..writers import FORMATS, Outcome
from .common import (
    COLOR,
    FocusshiftUsageError,
    Report,
    analysis_options,
    drop_missing,
    err,
    failed,
    files_to_read,
    progress_bar,
    read_stdin,
    warn,
    warn_unused,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format (convokit: ConvoKit utterances.jsonl with focusshift's labels as metadata).")
@click.option("--rows", type=click.Choice(("segments", "events")), default="segments", show_default=True,
              help="CSV/TSV: one row per segment, or one row per event (with its evidence).")
@click.option("--explain", is_flag=True, help="List each segment's evidence under its row (table format).")
@click.option("--no-text", is_flag=True,
              help="De-identify every output: no transcript text, speaker names (role and a number instead), "
                   "titles or header metadata (docs/output.md).")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="SCORE",
              help="Exit 1 when any segment scores below SCORE, or a session could not be assessed.")
@click.option("--allow-unassessed", is_flag=True,
              help="With --fail-under: a session that could not be assessed (no therapist or no client "
                   "found) does not fail the run; it is still reported as not assessed.")
@click.option("-o", "--output", metavar="FILE",
              help="Write results to FILE, replaced only when the run completes (never an input file; "
                   "a device such as /dev/null is written to, not replaced).")
@click.option("--private", is_flag=True, help="Create -o files readable by you only (mode 0600); "
                                               "default: the mode your umask gives.")
@click.option("--raw-csv", is_flag=True, help="CSV/TSV cells as they are: no apostrophe before a cell a "
                                               "spreadsheet would run as a formula (=, +, -, @).")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour in the table: auto is on a terminal, unless NO_COLOR is set.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no parse warnings on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), metavar="N",
              help="Worker processes (default: the machine's cores, or FOCUSSHIFT_JOBS); 1 runs in-process. "
                   "A session of 20,000 turns or more has its detection shared between them.")
@click.option("--executor", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="Run locally, or on a Dask cluster (pip install 'focusshift[dask]').")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@analysis_options
def analyze(paths: tuple[str, ...], options: Options, glob: str | None, fmt: str, rows: str, explain: bool,
            no_text: bool, fail_under: float | None, allow_unassessed: bool, output: str | None, private: bool,
            raw_csv: bool, color: str, quiet: bool, jobs: int | None, executor: str, scheduler: str | None) -> None:
    """Score each segment of the transcripts at PATH... ('-' reads stdin).

    A PATH may be a file or a folder (every supported file below it, in sorted
    order: .txt, .vtt, .srt, .cha, .csv, .tsv, .json, .jsonl, .docx). Folders
    are analyzed in parallel; results come out in input order as files finish.

    \b
    Examples:
      focusshift analyze session.txt --explain
      focusshift analyze session.txt --format json | jq '.[0].summary'
      focusshift analyze transcripts/ --format jsonl > results.jsonl
      focusshift analyze transcripts/ --format csv -o corpus.csv
      focusshift analyze transcripts/ --format csv --rows events -o events.csv
      focusshift analyze transcripts/ --format convokit -o utterances.jsonl
      focusshift analyze notes.txt --therapist "Dr. Reyes" --client Anna
      focusshift analyze sessions/ --fail-under 60
      focusshift analyze corpus/ --executor dask --scheduler tcp://10.0.0.5:8786 -f csv

    \b
    Roles: a speaker's role comes from --therapist/--client/--role, else the
    file (@therapist:, CHAT participants, a role column), else the label
    (T, Client, Dr. Lee), else the conversation (inferred, with a confidence,
    reported on stderr). A session with no therapist or no client is "not
    assessed": no score, never 100.

    \b
    Exit codes: 0 done; 1 a segment scored below --fail-under (or a session
    could not be assessed, unless --allow-unassessed); 2 usage error or a file
    that could not be read (the others are still done).
    """
    from .. import batch
    from ..api import analyzer_for
    from ..outputs import OutputError, open_output
    from ..writers import open_writer, shaper

    if scheduler and executor != "dask":
        raise FocusshiftUsageError("--scheduler needs --executor dask")
    if executor == "dask" and not scheduler:
        raise FocusshiftUsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    warn_unused(explain and fmt != "table", "--explain only changes the table format; ignored")
    warn_unused(raw_csv and fmt not in ("csv", "tsv"), "--raw-csv only changes CSV/TSV output; ignored")
    warn_unused(rows != "segments" and fmt not in ("csv", "tsv"), "--rows only changes CSV/TSV output; ignored")
    warn_unused(allow_unassessed and fail_under is None, "--allow-unassessed only matters with --fail-under")
    warn_unused(color != "auto" and fmt != "table", "--color only changes the table format; ignored")
    warn_unused(private and not output, "--private only changes an -o file; ignored")
    warn_unused(bool(jobs) and executor == "dask", "--jobs is ignored with --executor dask (the cluster decides)")

    stdin = read_stdin(paths)
    report = Report()
    files = files_to_read(drop_missing(paths, report), glob, report)
    if not files:
        raise FocusshiftUsageError("nothing to analyze")
    inputs = [*files, *options.files]
    settings: dict[str, Any] = {"rows": rows, "raw": raw_csv, "explain": explain,
                                "color": COLOR[color]}
    text = not no_text
    try:
        with open_output(output, inputs, private=private) as out, \
                progress_bar(files, enabled=not quiet and sys.stderr.isatty()) as progress, \
                open_writer(fmt, out, text=text, **settings) as writer:
            stream = batch.run(files, analyzer_for(options), jobs=jobs or batch.default_jobs(), stdin=stdin,
                               executor=executor, scheduler=scheduler, shape=shaper(fmt, text, **settings))
            for _path, outcomes in stream:
                for o in outcomes:
                    _tally(o, report, fail_under, allow_unassessed, quiet)
                    writer.write(o)
                out.flush()
                progress.advance(sum(o.words for o in outcomes))
    except OutputError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    if report.unassessed and report.done > 1:
        err(f"{report.unassessed} of {report.done} session(s) not assessed: no therapist or no client found "
            "(see the warnings above; pin roles with --therapist/--client or --role)")
    sys.exit(report.return_code)


def _tally(o: Outcome, report: Report, fail_under: float | None, allow_unassessed: bool, quiet: bool) -> None:
    """One result's part in the exit status, and its warnings on stderr."""
    if o.failure is not None:
        failed(report, o.path, *o.failure, o.traceback)
        return
    report.done += 1
    if not o.assessable:
        report.unassessed += 1
        if fail_under is not None and not allow_unassessed:
            report.breached += 1
    elif fail_under is not None and any(s is not None and s < fail_under for s in o.scores):
        report.breached += 1
    if not quiet:
        for line, message in o.warnings:
            warn(o.path, line, message)
    if not o.assessable:
        warn(o.path, None, f"not assessed: {o.reason}")
