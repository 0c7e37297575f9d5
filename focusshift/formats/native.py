"""The native focusshift text format (see docs/transcript-format.md)."""

from __future__ import annotations

import re

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, split_lines

_HEADER = re.compile(r"^@([A-Za-z][\w-]*)\s*:\s*(.*)$")
_HEADING = re.compile(r"^##(?:\s+(.*\S))?\s*$")
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
_TIMESTAMP = re.compile(
    rf"^\s*(?:\[(?P<a>{_TS})\]|\((?P<b>{_TS})\)|(?P<c>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d+)?))\s*"
)
_TIMESTAMP_AFTER_LABEL = re.compile(rf"(?:\[(?P<a>{_TS})\]|\((?P<b>{_TS})\))")
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w .'\u2019&-]{0,40}?)\s*:(?P<space>\s+|$|)(?P<text>.*)$")
# "[SPEAKER_00]: text": WhisperX's subtitle writers put the speaker in brackets.
_BRACKET_LABEL = re.compile(r"^\[(?P<label>[^\W\d_][\w .'\u2019&-]{0,40}?)\]\s*:\s*(?P<text>.*)$")
_TITLE_WORDS = frozenset("dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof. miss".split())


def parse_time(value: str) -> float:
    """'01:02:03', '02:03' or '02:03.5' -> seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _plausible_name(label: str) -> bool:
    """A label nobody declared still counts when it looks like a name, not a sentence."""
    words = label.split()
    if not words or len(words) > 4:
        return False
    if len(words) == 1 and len(label) <= 24 and label.replace("-", "").isalpha():
        return True  # "interpreter:", "Mum:": one word before a colon is a speaker
    for w in words:
        if w.casefold() in _TITLE_WORDS:
            continue
        if not (w[0].isupper() or w[0].isdigit()):
            return False
    return True


def match_label(rest: str, roles) -> tuple[str, int] | None:
    """(speaker label, column of its text) when a line starts with a speaker label.

    'Name: text', and the bracketed '[SPEAKER_00]: text' that Whisper tools
    write. A label nobody declared must look like a name; without a space after
    the colon ('T:Fine') only a known label counts, so 'Note:this' stays text.
    """
    m = _BRACKET_LABEL.match(rest)
    if m:
        label = m.group("label").strip()
        if roles.is_known(label) or (_plausible_name(label) and not _nonverbal(label)):
            return label, m.start("text")
    m = _LABEL.match(rest)
    if not m:
        return None
    label = m.group("label").strip()
    if not (roles.is_known(label) or _plausible_name(label)):
        return None
    if not m.group("space") and m.group("text") and not roles.is_known(label):
        return None
    return label, m.start("text")


def _nonverbal(label: str) -> bool:
    from .common import nonverbal_words

    return any(w.casefold() in nonverbal_words() for w in label.split())


def read_native(text: str, path: str, options: ReadOptions | None = None) -> Transcript:
    """Parse native-format text into a Transcript; raise TranscriptError when nothing is usable."""
    b = TranscriptBuilder(path, options, "native")
    lines = split_lines(text)
    start = read_header(lines, b)
    read_body(lines, start, b)
    return b.build()


def read_header(lines: list[str], b: TranscriptBuilder) -> int:
    """'@key: value' lines at the very top (blank lines allowed between them); the first body line's index."""
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        m = _HEADER.match(stripped)
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
        if not raw.strip() or idx in skip:
            continue
        heading = _HEADING.match(raw.strip()) if raw.lstrip().startswith("##") else None
        if heading:
            b.heading(line_no, heading.group(1) or "")
            after_heading = True
            continue
        if raw.lstrip().startswith("@") and _HEADER.match(raw.strip()):
            b.warn(line_no, "header line after the transcript has started; ignored")
            continue

        col = len(raw) - len(raw.lstrip())
        time = None
        ts = _TIMESTAMP.match(raw)
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
            inner = _TIMESTAMP_AFTER_LABEL.match(raw, text_col)  # "Name: [00:01:00] text" (Descript)
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
