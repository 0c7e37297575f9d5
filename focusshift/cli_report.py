"""`focusshift report`: self-contained HTML reports, one per session, and an index for many.

Kept apart from cli.py (which registers it) because HTML is a concern of its
own. The shared pieces of cli.py (options, analyzer, atomic writes, errors) are
imported inside functions, so importing either module first works.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

INDEX_NAME = "index.html"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _analysis_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """analyze's shared options (--therapist, --config, --input-format ...), applied lazily."""
    from .cli import analysis_options

    return analysis_options(fn)


def safe_name(label: str, taken: set[str], suffix: str = ".html") -> str:
    """A portable file name for a session label (path, 'x.csv#id', '-'), unique within `taken`.

    Only letters, digits, '.', '_' and '-' survive; folders become '__', a
    session id after '#' becomes '--id'; no leading dot, no Windows device
    names, no clash with index.html (case-insensitively, for macOS/Windows).
    """
    text = unicodedata.normalize("NFKD", label)
    text = text.encode("ascii", "ignore").decode("ascii")
    base, sep, session = text.partition("#")
    base = base.replace("\\", "/").strip("/")
    parts = [p for p in base.split("/") if p not in ("", ".", "..")]
    if parts:
        stem, dot, ext = parts[-1].rpartition(".")
        if dot and stem and ext.lower() in {"txt", "vtt", "srt", "cha", "docx", "text", "md"}:
            parts[-1] = stem
    name = "__".join(parts)
    if sep:
        name = f"{name}--{session}" if name else session
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-") or "session"
    name = name[:120].rstrip("._-") or "session"
    if name.lower() in _RESERVED or name.lower() == "index":
        name = f"session-{name}"
    candidate = name + suffix
    n = 2
    while candidate.lower() in taken:
        candidate = f"{name}-{n}{suffix}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def _labels(paths: tuple[str, ...], glob: str | None) -> list[tuple[str, str]]:
    """(file to read, name to derive its report's file name from), in input order.

    Files inside a folder are named by their path below that folder, so
    a/s1.txt and b/s1.txt give different reports.
    """
    from .api import discover

    out: list[tuple[str, str]] = []
    for p in paths:
        if p == "-":
            out.append(("-", "stdin"))
        elif Path(p).is_dir():
            for f in discover([p], glob):
                try:
                    rel = Path(f).relative_to(p).as_posix()
                except ValueError:
                    rel = Path(f).name
                out.append((f, rel))
        else:
            out.append((p, Path(p).name))
    return out


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
@_analysis_options
def report(paths, output, no_text, private, quiet, jobs, therapist, client, segment_by, config_path, lexicon_files,
           model, input_format, glob, columns, role_specs, infer_roles, detector, min_confidence, encoding, timeout) -> None:
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
    from . import batch
    from .api import Failure
    from .cli import EXIT_ERROR, FocusshiftUsageError, Report, _build_analyzer, drop_missing, err, failed
    from .deidentify import deidentify
    from .errors import FocusshiftError
    from .outputs import OutputError, open_output
    from .render.html import href_for, index_entry, render_index, render_report

    try:
        analyzer = _build_analyzer(therapist, client, segment_by, config_path, lexicon_files, model,
                                   input_format, glob, columns, role_specs, infer_roles, encoding, timeout,
                                   detector, min_confidence)
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None

    text = not no_text
    out_path = Path(output)
    out_is_dir = output != "-" and (out_path.is_dir() or output.endswith(("/", os.sep)))
    many_inputs = len(paths) > 1 or any(p != "-" and Path(p).is_dir() for p in paths)
    if output != "-" and out_path.exists() and not out_path.is_dir() and many_inputs:
        raise FocusshiftUsageError(
            f"-o {output}: several inputs need a directory for their reports, and {output} is a file")
    if many_inputs and (output == "-" or out_path.suffix.lower() in _HTML_SUFFIXES) and not out_is_dir:
        raise FocusshiftUsageError(
            f"-o {output}: several inputs give one report per session; give a directory, e.g. -o reports/")

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    status = Report()
    present = drop_missing(paths, status)
    labels = _labels(tuple(present), glob)
    if not labels and len(present) == len(paths):
        raise FocusshiftUsageError("no transcript found in " + ", ".join(paths)
                                   + (f" matching --glob {glob}" if glob else ""))
    label_of = dict(labels)
    files = [f for f, _ in labels]
    inputs = [*files, *lexicon_files, *([config_path] if config_path else [])]

    def write(target: str, html: str) -> None:
        """One page, written safely: never over an input, never a partial file."""
        try:
            with open_output(target, inputs, private=private) as fh:
                fh.write(html)
        except OutputError as exc:
            raise FocusshiftUsageError(str(exc)) from None

    def warn(result) -> None:
        if quiet:
            return
        for line, message in result.transcript.warnings:
            where = f"{result.transcript.path}:{line}" if line else result.transcript.path
            err(f"warning: {where}: {message}")

    def fail(result) -> None:
        failed(status, result.path, result.line, result.message, result.traceback)

    directory_mode = out_is_dir or many_inputs
    stream = batch.run(files, analyzer, jobs=(jobs or batch.default_jobs()) if directory_mode else 1,
                       stdin=stdin)
    try:
        if not directory_mode:
            # One input file: one session gives one page at -o; several (a CSV) need a directory.
            results = [r for _path, rs in stream for r in rs]
            analyses = [r for r in results if not isinstance(r, Failure)]
            if len(analyses) <= 1:
                for r in results:
                    if isinstance(r, Failure):
                        fail(r)
                    else:
                        warn(r)
                if analyses:
                    write(output, render_report(analyses[0], text=text))
                    if not quiet and output != "-":
                        err(f"wrote {output}")
                sys.exit(status.return_code if analyses else EXIT_ERROR)
            if output == "-" or out_path.suffix.lower() in _HTML_SUFFIXES or out_path.exists():
                raise FocusshiftUsageError(
                    f"-o {output}: {files[0]} holds {len(analyses)} sessions; give a directory instead "
                    f"(e.g. -o reports/), which gets one report per session and an index.html")
            stream = iter([(files[0], results)])

        try:
            out_path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FocusshiftUsageError(f"-o {output}: cannot create the directory: {exc.strerror or exc}") from None
        taken = {INDEX_NAME}
        entries: list[dict[str, Any]] = []
        failures: list[tuple[str, int | None, str]] = []
        for path, results in stream:
            for r in results:
                if isinstance(r, Failure):
                    fail(r)
                    failures.append((r.path, r.line, r.message))
                    continue
                if not text:
                    r = deidentify(r)  # names out of the page, the index and the file name
                warn(r)
                label = label_of.get(path, path)
                session = r.transcript.path
                if "#" in session:
                    label = f"{label}#{session.rpartition('#')[2]}"
                name = safe_name(label, taken)
                write(str(out_path / name), render_report(r, text=text, index_href=href_for(INDEX_NAME)))
                entries.append(index_entry(r, href_for(name)))
                status.done += 1
        failures += [(p, None, "no such file or directory") for p in paths if p not in present]
        write(str(out_path / INDEX_NAME), render_index(entries, failures, text=text))
        if not quiet:
            err(f"wrote {len(entries)} report(s) and {out_path / INDEX_NAME}")
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    sys.exit(status.return_code)


def _register() -> None:
    """Make sure the group knows the command, whichever module was imported first."""
    mod = sys.modules.get("focusshift.cli")
    group = getattr(mod, "cli", None) if mod is not None else None
    if group is not None and "report" not in getattr(group, "commands", {}):
        group.add_command(report)


_register()
