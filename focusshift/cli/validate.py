"""`focusshift validate`: parse without analyzing, to check format, speakers and roles first."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..options import Options
from .common import FocusshiftUsageError, Report, analysis_options, drop_missing, failed, read_stdin, usage_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="Output format.")
@analysis_options
@usage_errors
def validate(paths: tuple[str, ...], options: Options, glob: str | None, fmt: str) -> None:
    """Parse transcripts without analyzing them: check format, speakers and roles.

    For each file: the format detected, each speaker with its role, where the
    role came from (cli, declared, label, inferred with its confidence and
    evidence) and number of turns, whether the session can be assessed, the
    segments, and every warning with its line. Check the roles here before
    trusting a score. Exit 2 when a file cannot be read.

    \b
    Examples:
      focusshift validate session.vtt
      focusshift validate transcripts/ --glob '*.cha'
      focusshift validate export.csv --columns speaker=who,text=said --format json
    """
    from ..api import Failure
    from ..validation import validate as run_validate
    from .common import files_to_read

    stdin = read_stdin(paths)
    report = Report()
    files = files_to_read(drop_missing(paths, report), glob, report)
    if not files:
        raise FocusshiftUsageError("nothing to validate")
    docs: list[dict[str, Any]] = []
    for item in run_validate(files, options, stdin=stdin):
        if isinstance(item, Failure):
            failed(report, item.path, item.line, item.message, item.traceback)
            docs.append({"path": item.path, "errors": [{"line": item.line, "message": item.message}]})
        else:
            docs.append(item)
    if fmt == "json":
        click.echo(json.dumps(docs, indent=2, ensure_ascii=False))
    else:
        for d in docs:
            if not d["errors"]:
                _print(d)
    sys.exit(report.return_code)


def _print(d: dict[str, Any]) -> None:
    click.echo(f"{d['path']}: {d['format']}, {d['turns']} turns, {len(d['segments'])} segment(s), "
               f"{d['scene_notes']} scene note(s), {d['annotations']} annotation(s)"
               + (", timestamps" if d["timestamps"] else ""))
    for sp in d["speakers"]:
        click.echo(f"  {sp['label']}: {sp['role']} ({_role_why(sp)}{sp['turns']} turns, "
                   f"first on line {sp['first_line']})")
    if not d["assessable"]:
        click.echo(f"  NOT ASSESSED: {d['reason']}")
    for w in d["warnings"]:
        where = f"line {w['line']}: " if w["line"] else ""
        click.echo(f"  warning: {where}{w['message']}")


def _role_why(sp: dict[str, Any]) -> str:
    """'inferred 0.93: why; ' — where a speaker's role came from, for validate's listing."""
    source, evidence = sp["role_source"], sp["evidence"]
    if source is None:
        return f"no role: {evidence}; " if evidence else "no role; "
    if source == "inferred":
        return f"inferred {sp['confidence']:.2f}: {evidence}; "
    if evidence in ("declared in the file", "given on the command line or in the config",
                    f"the label {sp['label']!r}"):
        return f"{source}; "
    return f"{source}: {evidence}; "
