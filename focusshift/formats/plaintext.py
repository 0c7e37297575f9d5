"""The plain-text line grammar of the native format, shared by every reader of text lines.

``@key: value`` header lines, ``## heading`` lines, ``Name: text`` turns (with
an optional timestamp before the label or right after it), scene notes,
continuation lines, and a timestamp alone on its line dating the turns after
it. The native reader, the Google Meet reader (for the body of a Meet
transcript) and the Word reader (paragraphs as lines) all read text through
these functions; see docs/transcript-format.md.
"""

from __future__ import annotations

import re

from .builder import TranscriptBuilder
from .labels import match_label
from .timecodes import BRACKETED_TIMESTAMP, LEADING_TIMESTAMP, parse_time

HEADER = re.compile(r"^@([A-Za-z][\w-]*)\s*:\s*(.*)$")
HEADING = re.compile(r"^##(?:\s+(.*\S))?\s*$")


def read_header(lines: list[str], b: TranscriptBuilder) -> int:
    """'@key: value' lines at the very top (blank lines allowed between them); the first body line's index."""
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        m = HEADER.match(stripped)
        if not m:
            break
        key, value = m.group(1).lower(), m.group(2).strip()
        if key in ("therapist", "client"):
            b.declare(key, [n.strip() for n in value.split(",") if n.strip()])  # type: ignore[arg-type]
        else:
            b.meta[key] = value
        i += 1
    return i


def read_body(lines: list[str], start: int, b: TranscriptBuilder, skip: frozenset[int] = frozenset()) -> None:
    """Turns, scene notes, headings and continuations from line index `start` on.

    `skip` holds indices of lines another reader has already taken as metadata.
    The list is consumed: each line is released once read, so that a long file's
    lines and its turns' text are not held at once.
    A line holding only a timestamp ('00:05:00', as Google Meet writes every five
    minutes) dates the turns after it that carry no timestamp of their own.
    """
    b.apply_options()
    b.first_body_line = next((n + 1 for n in range(start, len(lines)) if lines[n].strip() and n not in skip),
                             start + 1)
    b.last_line = len(lines)
    after_heading = False
    clock: float | None = None  # from the last timestamp-only line

    for idx in range(start, len(lines)):
        line_no = idx + 1
        raw = lines[idx]
        lines[idx] = ""
        if not raw.strip() or idx in skip:
            continue
        heading = HEADING.match(raw.strip()) if raw.lstrip().startswith("##") else None
        if heading:
            b.heading(line_no, heading.group(1) or "")
            after_heading = True
            continue
        if raw.lstrip().startswith("@") and HEADER.match(raw.strip()):
            b.warn(line_no, "header line after the transcript has started; ignored")
            continue

        col = len(raw) - len(raw.lstrip())
        time = None
        ts = LEADING_TIMESTAMP.match(raw)
        if ts:
            time = parse_time(ts.group("a") or ts.group("b") or ts.group("c"))
            col = ts.end()
            if not raw[col:].strip():
                clock = time  # a timestamp on its own line
                continue
        rest = raw[col:]

        found = match_label(rest, b.roles)
        if found:
            label, offset = found
            after_heading = False
            text_col = col + offset
            inner = BRACKETED_TIMESTAMP.match(raw, text_col)  # "Name: [00:01:00] text" (Descript)
            if inner and time is None:
                time = parse_time(inner.group("a") or inner.group("b"))
            if time is None:
                time, clock = clock, None
            b.turn(label, line_no, text_col, raw[text_col:].rstrip(), time)
            continue

        # No label: a scene note if it holds only annotations, else a continuation.
        body = raw[col:].rstrip()
        if b.is_only_annotations(body, line_no, col):
            b.note(line_no, col, body, time)
            continue
        if not b.continuation(line_no, col, body):
            where = "after a heading" if after_heading else "before any turn"
            b.warn(line_no, f"text with no speaker label {where}; ignored")
