"""`focusshift caseload`: sessions grouped by therapist and by client, with the time given to the therapist."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import FocusshiftError
from ..options import Options
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

FORMATS = ("table", "csv", "json", "html")


def _check_rising(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from ..caseloads import RisingRule

    try:
        RisingRule.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@click.command("caseload")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--map", "mapping", type=click.Path(dir_okay=False), metavar="MAPPING.csv",
              help="CSV with the header path,therapist,client,date (paths relative to this file, or absolute; "
                   "file.csv#id for one session of a table). Its non-empty cells win over the transcripts' "
                   "headers and columns. Without PATH: the files it names.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for the terminal, csv/json for scripts (fields: docs/caseload.md), html: one "
                   "self-contained page with a chart per therapist.")
@click.option("-o", "--output", metavar="FILE",
              help="Write to FILE, replaced only when the run completes (never an input or the mapping file). "
                   "Needed for html.")
@click.option("--last", type=click.IntRange(1, 100), default=3, show_default=True, metavar="N",
              help="How many of a group's latest dated sessions the rising rule looks at.")
@click.option("--rising", "rising_specs", multiple=True, callback=_check_rising, metavar="RULE",
              help="When the share of session time given to the therapist counts as rising: steps[:POINTS] "
                   "(each of the last N sessions more than POINTS percentage points above the one before; "
                   "default 1), mean[:POINTS] (the last N sessions' mean more than POINTS above the earlier "
                   "sessions' mean; default 5), or off. Repeatable: flagged when any holds. "
                   "Default: steps:1 and mean:5.")
@click.option("--rows", type=click.Choice(("groups", "sessions")), default="groups", show_default=True,
              help="CSV: a row per therapist and per client, or a row per session.")
@click.option("--reports", "reports", type=click.Path(file_okay=False), metavar="DIR",
              help="Also write each session's HTML report into DIR (as `focusshift report` does) and link "
                   "the sessions on the caseload page to them.")
@click.option("--no-text", is_flag=True,
              help="De-identified: therapists and clients become 'therapist 1', 'client 3' (numbered in order "
                   "of first appearance), sessions their number, dates days since the first session; no "
                   "transcript text, file names, session labels or names anywhere in the output.")
@click.option("--private", is_flag=True, help="Create output files readable by you only (mode 0600).")
@click.option("--raw-csv", is_flag=True, help="CSV cells as they are: no apostrophe before a cell a spreadsheet "
                                               "would run as a formula.")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour in the table: auto is on a terminal, unless NO_COLOR is set.")
@click.option("-q", "--quiet", is_flag=True, help="No parse warnings and no summary on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), metavar="N",
              help="Worker processes (default: the machine's cores, or FOCUSSHIFT_JOBS); 1 runs in-process.")
@analysis_options
def caseload(paths: tuple[str, ...], options: Options, glob: str | None, mapping: str | None, fmt: str,
             output: str | None, last: int, rising_specs: tuple[str, ...], rows: str, reports: str | None,
             no_text: bool, private: bool, raw_csv: bool, color: str, quiet: bool, jobs: int | None) -> None:
    """Group sessions by therapist and by client: focus shifts, recovery, and the time given to the therapist.

    Who and when come from a mapping file (--map), else a table's therapist,
    client and date columns, else the transcript's header (@therapist,
    @client, @date, @session). Sessions with no therapist, client or date known
    are listed as such. For each therapist and each client: sessions, sessions
    with a focus shift, shifts per session, median recovery turns, the time
    given to the therapist (in total, per session, and as a share of session
    time; ~ marks estimates from words), the trend by date, and whether that
    share is rising over the last N sessions (--last, --rising; docs/caseload.md).

    \b
    Examples:
      focusshift caseload sessions/
      focusshift caseload sessions/ --map sessions.csv -f csv > caseload.csv
      focusshift caseload --map sessions.csv -f html -o caseload.html --reports reports/
      focusshift caseload sessions/ --no-text -f json

    \b
    Exit codes: 0 done; 2 usage error, a file that could not be read or a date
    that could not be read (each reported on stderr with file and line; the
    rest is still grouped and written).
    """
    from .. import batch
    from ..api import Failure
    from ..caseloads import CaseloadError, RisingRule, caseload as build_caseload, read_mapping
    from ..outputs import OutputError, check_not_input, check_writable_place, open_output
    from ..render.caseload import render_html, render_table, write_csv, write_json
    from ..render.table import make_console

    rule = RisingRule.parse(rising_specs, last=last)
    warn_unused(rows != "groups" and fmt != "csv", "--rows only changes CSV output; ignored")
    warn_unused(raw_csv and fmt != "csv", "--raw-csv only changes CSV output; ignored")
    warn_unused(color != "auto" and fmt != "table", "--color only changes the table format; ignored")
    warn_unused(private and not output and not reports, "--private only changes -o and --reports files; ignored")
    if fmt == "html" and (not output or output == "-"):
        raise FocusshiftUsageError("-f html needs -o FILE (e.g. -o caseload.html): the page is one file")
    if not paths and not mapping:
        raise FocusshiftUsageError("give PATH... (transcripts or folders), or --map MAPPING.csv naming them")

    status = Report()
    mapped = None
    if mapping:
        try:
            mapped = read_mapping(mapping)
        except CaseloadError as exc:
            raise FocusshiftUsageError(str(exc)) from None
    stdin = read_stdin(paths)
    if paths:
        files = files_to_read(drop_missing(paths, status), glob, status)
    else:
        assert mapped is not None
        files = []
        for f in mapped.files():
            if Path(f).exists():
                files.append(f)
            else:
                failed(status, f, None, f"no such file (named in {mapping})")
    if not files:
        raise FocusshiftUsageError("no session to group")
    inputs = [*files, *options.files, *([mapping] if mapping else [])]
    page_dir = None
    if output and output != "-":
        try:
            check_not_input(output, inputs)
        except OutputError as exc:
            raise FocusshiftUsageError(str(exc)) from None
        page_dir = os.path.dirname(os.path.abspath(output))
        target = Path(output)
        if not target.exists() or target.is_dir():  # a device (/dev/null) is fine as it is
            try:
                check_writable_place(target)  # before the analysis, not after it
            except OutputError as exc:
                raise FocusshiftUsageError(str(exc)) from None
    back = None
    if reports and output and output != "-" and fmt == "html":
        back = os.path.relpath(os.path.abspath(output), os.path.abspath(reports)).replace(os.sep, "/")
        from urllib.parse import quote

        back = quote(back, safe="/")

    try:
        with progress_bar(files, enabled=not quiet and sys.stderr.isatty()) as progress:
            seen: set[str] = set()

            def on_result(r) -> None:
                source = r.path.split("#", 1)[0]  # the bar counts files; a table file holds many sessions
                if source not in seen:
                    seen.add(source)
                    progress.advance(0 if isinstance(r, Failure) else r.words)
                if isinstance(r, Failure):
                    return
                if not quiet:
                    for line, message in r.warnings:
                        warn(r.path, line, message)

            result = build_caseload(files, options, mapping=mapped, rule=rule,
                                    jobs=jobs or batch.default_jobs(), stdin=stdin, text=not no_text,
                                    reports=reports, report_back=back, private=private, on_result=on_result)
    except (OutputError, FocusshiftError) as exc:
        raise FocusshiftUsageError(str(exc)) from None

    for f in result.failures:
        failed(status, f.path, f.line, f.message, f.traceback)
    for p in result.problems:
        failed(status, p.path, p.line, p.message)
    if not quiet:
        for p in result.warnings:
            warn(p.path, p.line, p.message)
        if fmt != "table" or output:
            _missing_summary(result)

    try:
        with open_output(output, inputs, private=private) as out:
            if fmt == "json":
                write_json(result, out)
            elif fmt == "csv":
                write_csv(result, out, rows=rows, raw=raw_csv)
            elif fmt == "html":
                out.write(render_html(result, page_dir=page_dir))
            else:
                console = make_console(out, color=COLOR[color])
                if not console.is_terminal:
                    console.width = 200  # a file or a pipe: the whole table, never cut to 80 columns
                console.print(render_table(result))
    except OutputError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    if not quiet and output and output != "-":
        written = f"wrote {output}"
        if reports:
            written += f" and {sum(1 for r in result.sessions if r.report)} report(s) in {reports}"
        err(written)
    sys.exit(status.return_code)


def _missing_summary(result) -> None:
    """One line per kind of unknown, so sessions without a therapist, client or date are never silent."""
    for what in ("therapist", "client", "date"):
        rs = result.missing(what)
        if rs:
            names = ", ".join(r.path for r in rs[:5]) + (f" and {len(rs) - 5} more" if len(rs) > 5 else "")
            err(f"warning: {what} not known for {len(rs)} session(s): {names}")
