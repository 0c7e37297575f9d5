"""SubRip captions (.srt) -> Transcript.

Library: ``srt`` (the small, dependency-free SubRip library). Its block regex
``srt.SRT_REGEX`` is what makes it worth using: it copes with the SRT found in
the wild (no blank line at the end, no blank line between two cues, "." instead
of "," before the milliseconds, a missing index line), and
``srt.srt_timestamp_to_timedelta`` reads the timings. ``srt.parse()`` itself
yields Subtitle objects without any position in the file, so this module runs
the same ``SRT_REGEX.finditer`` that ``srt.parse`` runs and keeps each match's
offset, which gives every cue text line its physical line number. Text between
two matches (what ``srt.parse`` would raise SRTParseError for, e.g. a cue with a
malformed timing line) is a warning on that line and the rest is still read.

``srt`` lets a cue's text run on across blank lines until something that looks
like the next cue. When such a run holds what looks like a cue of its own (an
index line or a timing-like line: a malformed cue the regex swallowed), that
part is warned about and skipped; ordinary text after a blank line stays with
its cue.

Speakers are ``Name: text`` at the start of a cue line (the native format's
label rules; ``<v Name>`` voice tags are honoured too). Consecutive cues of one
speaker merge into one turn, each line its own Piece; a cue without a speaker
continues the previous speaker's turn (a warning before any speaker). The turn's
time is the start of its first cue, in seconds. Formatting tags (``<i>``,
``<font ...>``) and ASS overrides (``{\\an8}``) are removed: the text is
verbatim at its column unless such a tag sits inside it, after which positions
are approximate. Cue text logic is shared with the WebVTT reader
(``vtt.CueText``).
"""

from __future__ import annotations

import bisect
import re

import srt

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .vtt import TIMEISH, CueText

FORMAT = "srt"

_TAGS = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_INDEX = re.compile(r"^\s*-?\d+\s*$")
_SNIFF = re.compile(
    r"\A\s*\d+[ \t]*\r?\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
)


def sniff(head: str, name: str = "srt") -> bool:
    """A SubRip file's first block is an index line, then '00:00:01,000 --> 00:00:02,000'."""
    return bool(_SNIFF.match(head.lstrip("\ufeff")))


def read(data: bytes, path: str, options: ReadOptions | None = None) -> list[Transcript]:
    """Read a SubRip file; one Transcript."""
    text = decode(data, path)
    if text.startswith("\ufeff"):
        text = text[1:]  # a second BOM; split_lines drops it too, so line numbers agree
    lines = split_lines(text)
    newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    b = TranscriptBuilder(path, options, FORMAT)
    b.apply_options()
    b.last_line = len(lines)
    cues = CueText(b, _TAGS, unescape=False)

    expected = 0
    for m in srt.SRT_REGEX.finditer(text):
        _stray(text[expected : m.start()], line_of(expected), lines, b)
        expected = m.end()
        try:
            start = srt.srt_timestamp_to_timedelta(m.group(2)).total_seconds()
        except ValueError:  # TimestampParseError; the regex and the parser agree, but be safe
            b.warn(line_of(m.start(2)), f"unreadable timing {m.group(2)!r}; cue skipped")
            continue
        content = m.group(5)
        if not content.strip():
            cues.cues += 1
            continue  # a cue without text
        first = line_of(m.start(5))
        count = content.count("\n") + 1
        cue_lines = [(first + i, lines[first + i - 1]) for i in range(count) if first + i <= len(lines)]
        cues.cue(start, _own_lines(cue_lines, b))
    _stray(text[expected:], line_of(expected), lines, b)
    return [cues.finish(path, "subtitle", "'Name: text' at the start of the subtitle text")]


def _stray(gap: str, first_line: int, lines: list[str], b: TranscriptBuilder) -> None:
    """Text between the cues srt could read: a malformed cue, or text outside any cue."""
    if not gap.strip():
        return
    numbered = [(first_line + i, lines[first_line + i - 1]) for i in range(gap.count("\n") + 1)
                if first_line + i <= len(lines)]
    _warn_part([(n, t) for n, t in numbered if t.strip()], b)


def _warn_part(part: list[tuple[int, str]], b: TranscriptBuilder) -> None:
    if not part:
        return
    timing = next(((n, t) for n, t in part if TIMEISH.search(t)), None)
    if timing is not None:
        b.warn(timing[0], f"malformed cue timing line {timing[1].strip()!r} "
               "(expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'); cue skipped")
    else:
        b.warn(part[0][0], "text outside any cue (no 'start --> end' timing line before it); ignored")


def _own_lines(cue_lines: list[tuple[int, str]], b: TranscriptBuilder) -> list[tuple[int, str]]:
    """The cue's text, without what srt swallowed after a blank line that looks like a cue."""
    kept: list[tuple[int, str]] = []
    part: list[tuple[int, str]] = []
    in_first = True

    def flush() -> None:
        if not part:
            return
        head = part[0][1]
        if not in_first and (_INDEX.match(head) or TIMEISH.search(head)):
            _warn_part(part, b)
        else:
            kept.extend(part)

    for n, t in cue_lines:
        if not t.strip():
            flush()
            part = []
            in_first = False
            continue
        part.append((n, t))
    flush()
    return kept
