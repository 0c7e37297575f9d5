"""HTML reports: one self-contained page per session, and an index page for many.

The library half of `focusshift report`: where pages go (one file, or a folder
with an index), their file names, and writing them without ever touching an
input (focusshift.outputs). The pages themselves are rendered by
focusshift.render.html.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import Failure, analyzer_for, discover
from .errors import FocusshiftError
from .model import Analysis
from .options import Options
from .outputs import open_output

INDEX_NAME = "index.html"
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class ReportError(FocusshiftError):
    """An output that cannot take these reports (a file where a folder is needed, ...)."""


@dataclass
class ReportRun:
    """What write_report did: the pages written, the index, and the files that failed."""

    pages: list[Path] = field(default_factory=list)
    index: Path | None = None
    failures: list[Failure] = field(default_factory=list)


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


def write_report(
    paths: Iterable[str],
    output: str | Path,
    options: Options | None = None,
    *,
    text: bool = True,
    private: bool = False,
    jobs: int = 1,
    glob: str | None = None,
    stdin: bytes | None = None,
    missing: Iterable[str] = (),
    on_result: Callable[[Analysis | Failure], None] | None = None,
) -> ReportRun:
    """Write one page for one session at `output`, or a folder of pages plus index.html for many.

    `output` is a folder when it exists as one or ends with '/', or when there
    are several inputs (or one file holding several sessions). text=False
    de-identifies every page, the index and the file names. `on_result` sees
    each result as it comes (to print warnings). Inputs are never written over.
    """
    from . import batch
    from .deidentify import deidentify
    from .render.html import href_for, index_entry, render_index, render_report

    paths = [str(p) for p in paths]
    output = str(output)
    analyzer = analyzer_for(options)
    out_path = Path(output)
    out_is_dir = output != "-" and (out_path.is_dir() or output.endswith(("/", os.sep)))
    many_inputs = len(paths) > 1 or any(p != "-" and Path(p).is_dir() for p in paths)
    if output != "-" and out_path.exists() and not out_path.is_dir() and many_inputs:
        raise ReportError(f"-o {output}: several inputs need a directory for their reports, and {output} is a file")
    if many_inputs and (output == "-" or out_path.suffix.lower() in _HTML_SUFFIXES) and not out_is_dir:
        raise ReportError(f"-o {output}: several inputs give one report per session; give a directory, "
                          "e.g. -o reports/")
    labels = _labels(tuple(paths), glob)
    if not labels and paths:
        raise ReportError("no transcript found in " + ", ".join(paths) + (f" matching --glob {glob}" if glob else ""))
    label_of = dict(labels)
    files = [f for f, _ in labels]
    inputs = [*files, *analyzer.options.files]
    run = ReportRun()

    def write(target: str, html: str) -> None:
        with open_output(target, inputs, private=private) as fh:
            fh.write(html)

    def seen(r: Analysis | Failure) -> None:
        if isinstance(r, Failure):
            run.failures.append(r)
        if on_result is not None:
            on_result(r)

    directory_mode = out_is_dir or many_inputs
    stream = batch.run(files, analyzer, jobs=jobs if directory_mode else 1, stdin=stdin)
    if not directory_mode:
        # One input file: one session gives one page at `output`; several (a CSV) need a directory.
        results = [r for _path, rs in stream for r in rs]
        analyses = [r for r in results if not isinstance(r, Failure)]
        if len(analyses) <= 1:
            for r in results:
                seen(r)
            if analyses:
                write(output, render_report(analyses[0], text=text))
                run.pages.append(out_path)
            return run
        if output == "-" or out_path.suffix.lower() in _HTML_SUFFIXES or out_path.exists():
            raise ReportError(f"-o {output}: {files[0]} holds {len(analyses)} sessions; give a directory instead "
                              "(e.g. -o reports/), which gets one report per session and an index.html")
        stream = iter([(files[0], results)])
    try:
        out_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"-o {output}: cannot create the directory: {exc.strerror or exc}") from None
    taken = {INDEX_NAME}
    entries: list[dict[str, Any]] = []
    for path, results in stream:
        for r in results:
            if isinstance(r, Failure):
                seen(r)
                continue
            if not text:
                r = deidentify(r)  # names out of the page, the index and the file name
            seen(r)
            label = label_of.get(path, path)
            session = r.transcript.path
            if "#" in session:
                label = f"{label}#{session.rpartition('#')[2]}"
            name = safe_name(label, taken)
            write(str(out_path / name), render_report(r, text=text, index_href=href_for(INDEX_NAME)))
            run.pages.append(out_path / name)
            entries.append(index_entry(r, href_for(name)))
    failures = [(f.path, f.line, f.message) for f in run.failures]
    failures += [(p, None, "no such file or directory") for p in missing]
    write(str(out_path / INDEX_NAME), render_index(entries, failures, text=text))
    run.index = out_path / INDEX_NAME
    return run
