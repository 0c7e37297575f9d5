"""Spreadsheets and JSON: one utterance per row, possibly many sessions per file.

CSV/TSV go through the standard library's csv module, JSON through json (an
array of objects, located object by object so each keeps its line), JSON Lines
line by line. Columns are found by their header names (see DEFAULT_COLUMNS) or
given with ``--columns speaker=who,text=utterance,transcript=session``. A file
with a transcript column yields one Transcript per session, named
``file.csv#<id>``. Line numbers are the physical line where the row (or JSON
object) starts; an event's column points into the text where the cell appears
verbatim in that line, else to the start of the line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from ..errors import TranscriptError
from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .timecodes import cell_time

FIELDS = ("speaker", "text", "transcript", "time", "segment", "role")
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "speaker": ("speaker", "speaker_name", "interlocutor", "participant", "who", "name", "author", "party"),
    "text": ("text", "utterance", "utterance_text", "content", "message", "transcript_text", "line", "body"),
    "transcript": ("transcript_id", "transcript", "session_id", "session", "conversation_id",
                   "conversation", "dialogue_id", "dialog_id", "file", "filename", "recording"),
    "time": ("timestamp", "time", "start", "start_time", "begin", "start_seconds", "offset"),
    "segment": ("segment", "section", "part", "phase"),
    "role": ("role", "speaker_role", "speaker_type", "type", "interlocutor_role"),
}


def sniff(head: str, name: str) -> bool:
    """Only JSON Lines and a JSON array of objects sniff; CSV/TSV need their extension."""
    stripped = head.lstrip()
    if name == "json":
        return stripped.startswith("[") and stripped[1:].lstrip().startswith("{")
    if name == "jsonl":
        first = stripped.split("\n", 1)[0].strip()
        return first.startswith("{") and first.endswith("}")
    return False


def _columns(header: list[str], options: ReadOptions, path: str) -> dict[str, str]:
    """field -> the column that holds it."""
    given = dict(options.columns)
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise TranscriptError(path, None, f"--columns: unknown field(s) {', '.join(unknown)}; use {', '.join(FIELDS)}")
    lower = {h.strip().lower(): h for h in header}
    out: dict[str, str] = {}
    for field in FIELDS:
        if field in given:
            col = given[field]
            if col not in header and col.lower() not in lower:
                raise TranscriptError(
                    path, 1, f"--columns {field}={col}: no such column (columns: {', '.join(header)})"
                )
            out[field] = col if col in header else lower[col.lower()]
            continue
        for candidate in DEFAULT_COLUMNS[field]:
            if candidate in lower and lower[candidate] not in out.values():
                out[field] = lower[candidate]
                break
    if "text" not in out:
        raise TranscriptError(
            path, 1, f"no text column found (columns: {', '.join(header)}); name it with --columns text=COLUMN"
        )
    if "speaker" not in out and "role" in out:
        out["speaker"] = out.pop("role")
    if "speaker" not in out:
        raise TranscriptError(
            path, 1,
            f"no speaker column found (columns: {', '.join(header)}); name it with --columns speaker=COLUMN",
        )
    return out


FIELD_LIMIT = 16 * 1024 * 1024  # characters in one cell; the csv module's own default is 131,072


def _csv_rows(text: str, delimiter: str, path: str) -> Iterator[tuple[int, dict[str, Any]] | list[str]]:
    """The header, then (first physical line, row) for each row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    last = 0
    old = csv.field_size_limit(FIELD_LIMIT)
    try:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TranscriptError(path, last + 1, f"not a readable CSV row: {exc}") from None
            start = last + 1
            last = reader.line_num
            if header is None:
                header = record
                yield header
                continue
            if not any(cell.strip() for cell in record):
                continue
            yield start, dict(zip(header, record))
    finally:
        csv.field_size_limit(old)


def _json_rows(text: str, path: str) -> Iterator[tuple[int, dict[str, Any]] | list[str]]:
    decoder = json.JSONDecoder()
    i = len(text) - len(text.lstrip())
    if not text.startswith("[", i):
        raise TranscriptError(path, 1, "expected a JSON array of utterance objects (or use .jsonl)")
    i += 1
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] = []
    line, counted = 1, 0  # newlines counted up to `counted`: linear however many objects
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text):
            raise TranscriptError(path, text.count("\n") + 1, "the JSON array is not closed")
        if text[i] == "]":
            break
        line += text.count("\n", counted, i)
        counted = i
        try:
            obj, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise TranscriptError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise TranscriptError(path, line, "JSON nested too deeply to be an utterance") from None
        except ValueError as exc:  # e.g. a number with more digits than Python converts
            raise TranscriptError(path, line, f"not valid JSON: {exc}") from None
        _add_row(rows, header, obj, line, path, "each array item")
    yield header
    yield from rows


def _add_row(
    rows: list[tuple[int, dict[str, Any]]], header: list[str], obj: Any, line: int, path: str, what: str
) -> None:
    """One JSON utterance: it must be an object; its keys join the header in order of appearance."""
    if not isinstance(obj, dict):
        raise TranscriptError(path, line, f"{what} must be a JSON object with speaker and text")
    header.extend(k for k in obj if k not in header)
    rows.append((line, obj))


def _jsonl_rows(text: str, path: str) -> Iterator[tuple[int, dict[str, Any]] | list[str]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] = []
    for n, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TranscriptError(path, n, f"not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise TranscriptError(path, n, "JSON nested too deeply to be an utterance") from None
        except ValueError as exc:
            raise TranscriptError(path, n, f"not valid JSON: {exc}") from None
        _add_row(rows, header, obj, n, path, "each line")
    yield header
    yield from rows


def read(data: bytes, path: str, options: ReadOptions, kind: str = "csv") -> list[Transcript]:
    """Every session in the table, in order of first appearance."""
    text = decode(data, path, getattr(options, "encoding", None))
    if kind == "json":
        rows = _json_rows(text, path)
    elif kind == "jsonl":
        rows = _jsonl_rows(text, path)
    else:
        rows = _csv_rows(text, "\t" if kind == "tsv" else ",", path)
    header = next(rows, None)
    if not header:
        raise TranscriptError(path, 1, "no header row")
    cols = _columns(list(header), options, path)  # type: ignore[arg-type]
    lines = split_lines(text)
    sessions: dict[str, TranscriptBuilder] = {}
    last_segment: dict[str, str] = {}
    for start, row in rows:  # type: ignore[misc]
        sid = str(row.get(cols["transcript"], "") or "") if "transcript" in cols else ""
        name = f"{path}#{sid}" if "transcript" in cols else path
        b = sessions.get(name)
        if b is None:
            b = sessions[name] = TranscriptBuilder(name, options, kind)
            b.apply_options()
            b.first_body_line = start
            if sid:
                b.meta["transcript"] = sid
            if "transcript" in cols:
                b.meta["session_number"] = len(sessions)  # what --no-text shows instead of the id
        speaker = str(row.get(cols["speaker"], "") or "").strip()
        body = row.get(cols["text"])
        body = "" if body is None else str(body)
        if "role" in cols and speaker:
            role = str(row.get(cols["role"], "") or "").strip().lower()
            mapped = b.roles.role_of(role) if role else "unknown"
            if mapped != "unknown" and b.roles.given(speaker) is None:  # the file's role column declares
                b.declare(mapped, [speaker])
        if "segment" in cols:
            seg = str(row.get(cols["segment"], "") or "").strip()
            if seg and seg != last_segment.get(name):
                b.heading(start, seg)
                last_segment[name] = seg
        flat = " ".join(body.split("\n")) if "\n" in body else body
        if not flat.strip():
            b.warn(start, "row with an empty text; skipped")
            continue
        physical = lines[start - 1] if 0 < start <= len(lines) else ""
        column = physical.find(flat)
        if column < 0:
            column = 0
        time = cell_time(row.get(cols["time"])) if "time" in cols else None
        if not speaker:
            if b.is_only_annotations(flat, start, column):
                b.note(start, column, flat, time)  # "[She wipes her eyes]": a scene note, as in text
                continue
            if not b.continuation(start, column, flat):
                b.warn(start, "row with no speaker before any turn; skipped")
            else:
                b.warn(start, "row with no speaker; taken as a continuation of the previous turn")
            continue
        b.turn(speaker, start, column, flat, time)  # a row with only "[crying]" is still that speaker's
    if not sessions:
        raise TranscriptError(path, 1, "no rows after the header")
    return [b.build() for b in sessions.values()]
