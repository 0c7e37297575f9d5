"""Word documents (.docx): every paragraph is one line of the native format.

Uses python-docx, the standard pure-Python reader of the Office Open XML
format, to walk the document body in order (paragraphs and tables); the text is
then handed to the native reader, so headers (``@therapist: Dr. Lee``),
headings (``## Opening``), labels, annotations and scene notes behave exactly
as in a ``.txt`` transcript.

Line numbers: line N is the N-th block of the document body, 1-based, counting
empty paragraphs: a paragraph, or one row of a table. So "line 7" is the 7th
paragraph when the document has no tables. Columns are positions in the
paragraph's text. A soft line break inside a paragraph (Shift+Enter) becomes a
space, so one paragraph always stays one line and columns still hold.

Word headings (paragraph styles "Heading 1" to "Heading 9", "Title",
"Subtitle") open segments, as ``## `` lines do in a text transcript; the
segment's title is the heading's text.

Tables: a two-column table is read as (speaker, text), each row as the line
``speaker: text``; a row with an empty speaker cell continues the previous
turn; a first row like "Speaker | Text" is a header row and is skipped. Columns
in a table row are positions in that built line, not in a cell. Tables with
any other number of columns are skipped with a warning.

Headers, footers, comments and text boxes are not read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from ..errors import TranscriptError
from ..model import Transcript
from .common import ReadOptions
from .meet import looks_like_meet, read_lines
from .native import read_native

_SPEAKER_HEADINGS = frozenset("speaker name who person role".split())
_TEXT_HEADINGS = frozenset(
    {"text", "utterance", "utterances", "transcript", "speech", "content", "dialogue", "what was said"}
)


def _one_line(text: str) -> str:
    """Paragraph text on one physical line, same length (line breaks -> spaces)."""
    return text.replace("\r", " ").replace("\n", " ")


def _table_lines(table, first_line: int, warnings: list[tuple[int | None, str]]) -> list[str]:
    rows = list(table.rows)
    try:
        ncols = len(table.columns)
    except Exception:  # a table without a column grid: count the cells
        ncols = max((len(r.cells) for r in rows), default=0)
    if ncols != 2:
        warnings.append(
            (
                first_line,
                f"table with {ncols} columns skipped; only two-column (speaker, text) tables are read",
            )
        )
        return [""] * len(rows)
    out = []
    for i, row in enumerate(rows):
        cells = row.cells
        speaker = _one_line(cells[0].text).strip().removesuffix(":").strip() if cells else ""
        text = _one_line(cells[1].text).strip() if len(cells) > 1 else ""
        line = first_line + i
        if i == 0 and speaker.casefold() in _SPEAKER_HEADINGS and text.casefold() in _TEXT_HEADINGS:
            warnings.append((line, f"table header row {speaker!r} | {text!r} skipped"))
            out.append("")
        elif not text:
            if speaker:
                warnings.append((line, f"table row for {speaker!r} has no text; skipped"))
            out.append("")
        elif not speaker:
            out.append(text)  # no speaker: continues the turn above
        else:
            out.append(f"{speaker}: {text}")
    return out


def _blocks_as_lines(data: bytes, path: str) -> tuple[list[str], list[tuple[int | None, str]]]:
    try:
        import docx
        from docx.table import Table
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise TranscriptError(
            path, None, "reading Word documents needs python-docx (pip install python-docx)"
        ) from None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TranscriptError(
            path, None, "not a readable Word document: this is an old .doc file; save it as .docx"
        )
    lines: list[str] = []
    warnings: list[tuple[int | None, str]] = []
    try:
        document = docx.Document(io.BytesIO(data))
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block, len(lines) + 1, warnings))
            else:
                lines.append(_paragraph_line(block))
    except Exception as exc:  # python-docx and lxml raise many kinds: report, never a traceback
        raise TranscriptError(
            path,
            None,
            f"not a readable Word document: {_why(exc)}; open it in Word and save it again as .docx",
        ) from None
    return lines, warnings


def _paragraph_line(paragraph) -> str:
    """A paragraph as a native line; Word headings (style "Heading 1".."Heading 9", "Title") open segments."""
    text = _one_line(paragraph.text)
    try:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
    except Exception:  # a style part python-docx cannot resolve: read the text as it is
        style = ""
    heading = style.casefold().startswith("heading") or style.casefold() in ("title", "subtitle")
    if heading and text.strip() and not text.lstrip().startswith("##"):
        return "## " + text.strip()
    return text


def _why(exc: Exception) -> str:
    """A short, stable reason (python-docx messages carry object addresses)."""
    if isinstance(exc, zipfile.BadZipFile):
        return "not a zip archive, or a damaged or truncated one"
    if isinstance(exc, KeyError):
        return "a zip archive without the parts of a Word document"
    if isinstance(exc, ValueError) and "not a Word file" in str(exc):
        kind = str(exc).rpartition("content type is ")[2].strip("'\"")
        return f"an Office file of another kind ({kind})" if kind else "not a Word file"
    name = type(exc).__name__
    if "XML" in name:
        return f"damaged XML inside ({exc})"
    return f"{name}: {exc}" if str(exc) else name


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One Transcript; the paragraphs are read as the lines of a native transcript."""
    lines, warnings = _blocks_as_lines(data, path)
    if looks_like_meet(lines):  # a Google Meet transcript downloaded as .docx
        transcript = read_lines(lines, path, options, "docx")
    else:
        transcript = read_native("\n".join(lines), path, options)
    merged = sorted(
        [*warnings, *transcript.warnings],
        key=lambda w: (w[0] is None, w[0] or 0),
    )
    return [replace(transcript, format="docx", warnings=tuple(merged))]


def sniff(head: str, name: str) -> bool:
    """Never: a .docx is recognised by its extension or the 'PK' zip magic."""
    return False
