"""WebVTT captions (Zoom and Teams transcripts) -> Transcript.

Library: webvtt-py (``import webvtt``). It is the maintained WebVTT parser for
Python and knows the cue grammar: timestamps (with the lenient short fields
real files use), cue identifiers, cue settings, NOTE, STYLE and REGION blocks.
We use it to parse every cue block and for its timestamps.

What webvtt-py does not give, and this module does itself:

- Line numbers. webvtt-py keeps none, so the file is cut into blocks here with
  webvtt-py's own rules (a block ends at an empty line; a line with "-->" that
  cannot be the block's timing line starts a new block; unlike webvtt-py, a
  line of only spaces also ends a block, as hand-edited files have them
  between cues), each block is handed
  to ``webvtt.from_buffer`` on its own, and each cue text line keeps its
  physical line number. A block whose timing webvtt-py rejects (a malformed
  timing line) is a warning on that line; the rest of the file is still read.
- Leniency on the header. webvtt-py refuses a file whose first line is not
  ``WEBVTT`` (MalformedFileError, the whole file lost). Here blank lines before
  the header are tolerated, and a file without the header is read anyway with a
  warning. Timestamps written with a comma (``00:00:01,000``, from SRT
  converters), which webvtt-py rejects, are read as if written with a dot.
- Speakers. webvtt-py's ``Caption.voice`` only looks at a voice tag at the very
  start of the first line. Here every line is scanned: ``<v Name>`` and
  ``<v.loud Name>`` anywhere in a line (several voices on one line give several
  turns), an unclosed ``<v Name>text`` (the voice then lasts to the end of the
  cue), and Zoom's ``Name: text`` at the start of a line (same label rules as the
  native format).

Cues of one speaker that follow each other are merged into one turn (each cue
line stays its own Piece). A cue with no speaker continues the previous
speaker's turn; before any speaker it is a warning. A speakerless cue that holds
only annotations (``[door closes]``) is a scene note. Cues without text are
skipped silently. The turn's time is the start of its first cue, in seconds.

Text and columns: inline tags (``<b>``, ``<i>``, ``<c.x>``, ``</v>``,
``<00:00:01.000>``) are removed and character references (``&amp;``) decoded.
The column is where the visible text starts in the physical line (after the
voice tag or ``Name: ``); the text is verbatim at that column unless a tag or a
character reference sits *inside* it, in which case positions after that point
are approximate. Annotations keep the bracket form they are written in.

The cue-text logic (``CueText``) is shared with the SRT reader.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import webvtt

from ..errors import TranscriptError
from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, normalise_label, split_lines
from .native import _BRACKET_LABEL, _LABEL, _plausible_name

FORMAT = "vtt"

# <v Name>, <v.loud Name>, <v.a.b Name>; <v> without a name has no speaker.
_VOICE = re.compile(r"<v(?:\.[^\s.<>]++)*+(?:[ \t]++([^<>]*+))?>")
# What webvtt-py strips as cue tags (its re.sub('<.*?>', '', line)); a tag holds no '<', so a
# line of many '<' is scanned once, not once per '<'.
VTT_TAGS = re.compile(r"<[^<>]*>")
# A timestamp written with a comma before the milliseconds (SRT style).
_COMMA_TIME = re.compile(r"(\d:\d{1,2}),(\d{1,3})(?!\d)")
# A line that looks like it was meant to be a timing line: starts with a time, or has an arrow.
TIMEISH = re.compile(r"^\s*\d{1,2}:\d{2}|->")


def sniff(head: str, name: str = "vtt") -> bool:
    """A WebVTT file starts with 'WEBVTT' (a BOM and blank lines tolerated)."""
    return head.lstrip("\ufeff \t\r\n").startswith("WEBVTT")


def read(data: bytes, path: str, options: ReadOptions | None = None) -> list[Transcript]:
    """Read a WebVTT file; one Transcript."""
    text = decode(data, path, getattr(options, "encoding", None))
    lines = split_lines(text)
    b = TranscriptBuilder(path, options, FORMAT)
    b.apply_options()
    b.last_line = len(lines)

    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:  # pragma: no cover - decode() already rejects blank files
        raise TranscriptError(path, 1, "the file is empty")
    has_header = lines[first].lstrip().upper().startswith("WEBVTT")
    if not has_header:
        b.warn(first + 1, "no 'WEBVTT' header on the first line; read as WebVTT anyway")
    blocks = list(_blocks(lines, first, has_header))
    if has_header:
        blocks = blocks[1:]

    cues = CueText(b, VTT_TAGS, unescape=True)
    for block in blocks:
        _read_block(block, b, cues)
    return [cues.finish(path, "cue", "'<v Name>text' voice tags (Teams) or 'Name: text' (Zoom)")]


# --------------------------------------------------------------------------- blocks


def _blocks(lines: list[str], start: int, has_header: bool) -> Iterator[list[tuple[int, str]]]:
    """Blocks of (line number, line) by webvtt-py's rules (its vtt._iter_blocks_of_lines)."""
    block: list[tuple[int, str]] = []
    in_header = has_header
    for idx in range(start, len(lines)):
        line = lines[idx]
        new_block = bool(
            block
            and "-->" in line
            and (in_header or len(block) > 1 or "-->" in block[0][1])
        )
        if not line.strip() or new_block:
            if block:
                yield block
                block = []
                in_header = False
        if line.strip():
            block.append((idx + 1, line))
    if block:
        yield block


def _is_keyword_block(first: str, word: str) -> bool:
    return first.startswith(word) and first[len(word) :][:1] in ("", " ", "\t")


def _read_block(block: list[tuple[int, str]], b: TranscriptBuilder, cues: CueText) -> None:
    texts = [t for _, t in block]
    if "-->" in texts[0]:
        timing = 0
    elif len(texts) > 1 and "-->" in texts[1]:
        timing = 1
    else:
        if any(_is_keyword_block(texts[0], w) for w in ("NOTE", "STYLE", "REGION")):
            return  # comments, styles and regions say nothing about who speaks
        where = next((n for n, t in block if TIMEISH.search(t)), None)
        if where is not None:
            b.warn(where, f"malformed cue timing line {_line_text(block, where)!r} "
                   "(expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm'); cue skipped")
        else:
            b.warn(block[0][0], "text outside any cue (no 'start --> end' timing line before it); ignored")
        return

    # webvtt-py sees one block at a time, after a header of its own. A lone CR inside a line
    # would be a line break to it: a space keeps the lines aligned with ours.
    fed = [t.replace("\r", " ") for t in texts]
    fed[timing] = _COMMA_TIME.sub(r"\1.\2", fed[timing])
    try:
        captions = webvtt.from_buffer(["WEBVTT", "", *fed]).captions
    except Exception:  # webvtt-py raises a few kinds on odd input; none may escape as a traceback
        captions = []
    if len(captions) != 1 or len(captions[0].lines) != len(texts) - timing - 1:
        line_no = block[timing][0]
        b.warn(line_no, f"malformed cue timing line {texts[timing].strip()!r} "
               "(expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm'); cue skipped")
        return
    caption = captions[0]
    time = caption.start_time.in_milliseconds() / 1000
    cues.cue(time, block[timing + 1 :])


def _line_text(block: list[tuple[int, str]], line_no: int) -> str:
    return next(t for n, t in block if n == line_no).strip()


# --------------------------------------------------------------------------- cue text


_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def clean_span(
    raw: str, start: int, end: int, tags: re.Pattern[str], unescape: bool
) -> tuple[str, list[int]]:
    """The visible text of raw[start:end] and, for each of its characters, its column in raw.

    Tags are removed, character references decoded (when unescape), leading and
    trailing whitespace dropped.
    """
    chars: list[str] = []
    cols: list[int] = []
    i = start
    while i < end:
        m = tags.match(raw, i, end) if raw[i] in "<{" else None
        if m and m.end() > i:
            i = m.end()
            continue
        e = _ENTITY.match(raw, i, end) if unescape and raw[i] == "&" else None
        if e:
            decoded = html.unescape(e.group(0))
            chars.extend(decoded)
            cols.extend([i] * len(decoded))
            i = e.end()
            continue
        chars.append(raw[i])
        cols.append(i)
        i += 1
    text = "".join(chars)
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return text[left:right], cols[left:right]


def pieces(
    raw: str, tags: re.Pattern[str], unescape: bool
) -> list[tuple[str | None, str, list[int]]]:
    """(voice, text, columns) for each stretch of one line; voice None where no <v> tag opens it."""
    bounds: list[tuple[str | None, int, int]] = []
    pos = 0
    voice: str | None = None
    for m in _VOICE.finditer(raw):
        bounds.append((voice, pos, m.start()))
        name = " ".join((m.group(1) or "").split())
        voice = (html.unescape(name) if unescape else name) or None
        pos = m.end()
    bounds.append((voice, pos, len(raw)))
    out = []
    for v, a, e in bounds:
        text, cols = clean_span(raw, a, e, tags, unescape)
        if text or v is not None:
            out.append((v, text, cols))
    return out


class CueText:
    """Turns the text lines of caption cues into builder calls (shared by vtt and srt)."""

    def __init__(self, b: TranscriptBuilder, tags: re.Pattern[str], unescape: bool) -> None:
        self.b = b
        self.tags = tags
        self.unescape = unescape
        self.seen: set[str] = set()  # speakers found so far: their labels count as known
        self.cues = 0
        self.first_cue_line: int | None = None
        self.spoken = False

    def label(self, text: str) -> tuple[str, int] | None:
        """Zoom's 'Name: text' or WhisperX's '[SPEAKER_00]: text': (name, offset of the text)."""
        m = _BRACKET_LABEL.match(text)
        if m and (_plausible_name(m.group("label").strip()) or self.b.roles.is_known(m.group("label"))):
            return m.group("label").strip(), m.start("text")
        m = _LABEL.match(text)
        if not m:
            return None
        name = m.group("label").strip()
        known = self.b.roles.is_known(name) or normalise_label(name) in self.seen
        if not (known or _plausible_name(name)):
            return None
        if not m.group("space") and m.group("text") and not known:
            return None  # "Note:this" stays text, as in the native format
        return name, m.start("text")

    def speak(self, speaker: str, line: int, column: int, text: str, time: float | None) -> None:
        self.seen.add(normalise_label(speaker))
        self.spoken = True
        self.b.turn(speaker, line, column, text, time, merge=True)

    def cue(self, time: float | None, lines: list[tuple[int, str]]) -> None:
        """One cue: its start time and its text lines (physical line number, line as written)."""
        self.cues += 1
        if self.first_cue_line is None and lines:
            self.first_cue_line = lines[0][0]
        pending: str | None = None  # a speaker named with no text after it yet
        has_speaker = False
        warned = False
        for line_no, raw in lines:
            for voice, text, cols in pieces(raw, self.tags, self.unescape):
                if voice is not None:
                    pending = voice
                if not text:
                    continue
                col = cols[0]
                if pending is not None:
                    self.speak(pending, line_no, col, text, time)
                    pending, has_speaker = None, True
                    continue
                found = self.label(text)
                if found:
                    name, offset = found
                    rest = text[offset:]
                    has_speaker = True
                    if rest:
                        self.speak(name, line_no, cols[offset], rest, time)
                    else:
                        pending = name  # 'Sam:' alone, the text on the next line
                    continue
                if not has_speaker and self.b.is_only_annotations(text, line_no, col):
                    self.b.note(line_no, col, text, time)
                    continue
                if self.b.continuation(line_no, col, text):
                    has_speaker = True
                elif not warned:
                    warned = True
                    self.b.warn(line_no, "cue text with no speaker, and no earlier speaker to "
                                "continue; ignored")

    def finish(self, path: str, what: str, expected: str) -> Transcript:
        if not self.cues:
            if self.b.warnings:  # every cue was unreadable: say where the first one is
                line, message = self.b.warnings[0]
                raise TranscriptError(path, line, f"no readable {what}s found; {message}")
            raise TranscriptError(path, None, f"no {what}s found; expected 'start --> end' timing "
                                  f"lines followed by text")
        if not self.spoken:
            raise TranscriptError(path, self.first_cue_line,
                                  f"no speaker found in any {what}; expected {expected}")
        return self.b.build()
