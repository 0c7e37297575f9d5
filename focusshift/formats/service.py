"""Transcription-service text: the plain-text exports of Otter and Rev.

Plain Python (``re``), no library: both exports are a handful of line shapes.

Otter style: a header line, the speaker's name, two or more spaces (or a tab)
and a timestamp ``H:MM:SS`` / ``MM:SS`` / ``M:SS``; the speaker's text on the
following lines; a blank line between blocks::

    Dr. Lee  0:12
    [voice breaks] I'm sorry. Give me a second.

Rev style: the name, a timestamp in parentheses or square brackets, a colon,
and the text on the same line or on the following lines::

    Speaker 1 (00:00:05):
    Dr. Lee (01:02): How have things been?
    Sam [01:05]: Not great.

Rules:

- Every header starts a new turn. Turns are NEVER merged, not even two blocks of
  the same speaker in a row: a service splits a speaker's talk into blocks where
  there was a pause, and the native reader keeps consecutive lines of one label
  apart too.
- Speakers are named as written ("Speaker 1", "Dr. Lee"). Roles come only from
  ReadOptions (command line, config): this module guesses nothing.
- Each text line is its own Piece, with its physical line number and the column
  where its text starts. Text is kept verbatim, so annotations (``[crying]``,
  ``(laughs)``, ``((sighs))``) are found and attributed as in native text. The
  first text line under a header always belongs to that speaker, even when it
  is only an annotation; a later line holding only annotations is a scene note,
  as in native text, and text after it still continues the turn.
- A non-header line after a blank line continues the open turn (a second
  paragraph of the same block).
- Skipped with a warning, never an error: text before the first header (an Otter
  title or date line), the "Transcribed by https://otter.ai" footer, and a
  header with no text under it.
"""

from __future__ import annotations

import re

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .labels import LABEL, TITLE_WORDS
from .plaintext import HEADER
from .timecodes import CLOCK, LEADING_TIMESTAMP, TIME, parse_time

# Names are words separated by single spaces; possessive quantifiers keep both patterns
# linear on long runs of spaces or words (tests/test_reliability.py).
_OTTER = re.compile(rf"^[ \t]*+(?P<name>\S++(?: \S++)*+)(?: {{2,}}+|\t)[ \t]*+(?P<ts>{CLOCK})[ \t]*+$")
_REV = re.compile(
    rf"^[ \t]*+(?P<name>[^\s(\[]++(?: [^\s(\[]++)*+)[ \t]*+"
    rf"(?:\((?P<p>{TIME})\)|\[(?P<s>{TIME})\])"
    r"[ \t]*+:(?P<text>.*)$"
)
_FOOTER = re.compile(r"^\s*transcribed\s+by\s+(?:https?://)?(?:www\.)?otter\.ai/?\s*\.?\s*$", re.I)
_NAME_WORD = re.compile(r"^[\w.'\u2019&-]+$")


def _name_ok(name: str) -> bool:
    """A speaker name as services write them: 'Speaker 1', 'Dr. Lee', 'Unknown Speaker'."""
    words = name.split()
    if not words or len(words) > 5 or len(name) > 40 or not name[0].isalpha():
        return False
    if not all(_NAME_WORD.match(w) for w in words):
        return False  # sentence punctuation, brackets, colons: not a name
    if len(words) == 1 and name.replace("-", "").replace("'", "").isalpha():
        return True
    return all(w.casefold() in TITLE_WORDS or w[0].isupper() or w[0].isdigit() for w in words)


def parse_header(line: str) -> tuple[str, float, int | None] | None:
    """(speaker, seconds, column of same-line text or None) for a header line, else None."""
    m = _OTTER.match(line)
    if m and _name_ok(m.group("name")):
        return m.group("name"), parse_time(m.group("ts")), None
    m = _REV.match(line)
    if m and _name_ok(m.group("name")):
        time = parse_time(m.group("p") or m.group("s"))
        text = m.group("text")
        if not text.strip():
            return m.group("name"), time, None
        return m.group("name"), time, m.start("text") + len(text) - len(text.lstrip())
    return None


def _native_label(stripped: str) -> bool:
    """A native 'Name: text' line ('T: hi', '[00:05] Dr. Reyes: hi'), as far as sniffing needs."""
    ts = LEADING_TIMESTAMP.match(stripped)
    m = LABEL.match(stripped[ts.end():] if ts else stripped)
    # a space after the colon, or nothing: "Sam:hi" and "Note:this" are not labels
    return bool(m and (m.group("space") or not m.group("text")) and _name_ok(m.group("label").strip()))


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One Transcript from Otter- or Rev-style text; warnings for what is skipped."""
    lines = split_lines(decode(data, path, getattr(options, "encoding", None)))
    b = TranscriptBuilder(path, options, "service")
    b.apply_options()
    b.last_line = len(lines)
    b.first_body_line = next((n + 1 for n, ln in enumerate(lines) if ln.strip()), 1)
    pending: tuple[str, int, float] | None = None  # a header still waiting for its text

    def drop_pending() -> None:
        if pending is not None:
            b.warn(pending[1], f"speaker header for {pending[0]!r} has no text under it; ignored")

    for idx, raw in enumerate(lines):
        line_no = idx + 1
        if not raw.strip():
            continue
        if _FOOTER.match(raw):
            b.warn(line_no, "'Transcribed by otter.ai' footer; ignored")
            continue
        header = parse_header(raw)
        if header is not None:
            drop_pending()
            pending = None
            b.close_turn()  # text after this header never continues the turn before it
            speaker, time, text_col = header
            if text_col is None:
                pending = (speaker, line_no, time)
            else:
                b.turn(speaker, line_no, text_col, raw[text_col:].rstrip(), time)
            continue
        col = len(raw) - len(raw.lstrip())
        body = raw[col:].rstrip()
        if pending is not None:
            b.turn(pending[0], line_no, col, body, pending[2])
            pending = None
            continue
        if b.is_only_annotations(body, line_no, col):
            b.note(line_no, col, body)
            continue
        if not b.continuation(line_no, col, body):
            b.warn(line_no, "text before the first speaker header (a title line?); ignored")
    drop_pending()
    return [b.build()]


def sniff(head: str, name: str) -> bool:
    """At least two Otter/Rev header lines, and native 'Label: text' lines rare."""
    headers = native = 0
    lines = split_lines(head)[:500]
    for i, raw in enumerate(lines):
        if native * 4 > headers + len(lines) - i:  # even if every line left were a header: no
            return False
        stripped = raw.strip()
        if not stripped:
            continue
        if parse_header(raw) is not None:
            headers += 1
            continue
        if stripped.startswith("@") and HEADER.match(stripped):
            native += 1
            continue
        if _native_label(stripped):
            native += 1
    return headers >= 2 and native * 4 <= headers
