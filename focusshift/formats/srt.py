"""SubRip captions (.srt) -> Transcript.

A line-by-line reader of our own. We used the ``srt`` library's block regex
before; its regular expression backtracks catastrophically on some inputs
(two long lines of digits took minutes per kilobyte), so this reader walks the
lines once and is linear on any input. It keeps what made ``srt`` lenient with
the SRT found in the wild: no blank line at the end, no blank line between two
cues (an index line followed by a timing line starts a cue anywhere), "."
instead of "," before the milliseconds, a missing index line, and a cue's text
running on across a blank line until something that looks like the next cue.

A stretch that is not a cue (a malformed timing line, text before the first
cue) is a warning on its line and the rest is still read. After a blank line
inside a cue's text, an index line or a timing-like line ends the cue (a
malformed cue follows: warned about and skipped); ordinary text after a blank
line stays with its cue.

Speakers are ``Name: text`` at the start of a cue line (the native format's
label rules), ``[SPEAKER_00]: text`` (WhisperX) and ``<v Name>`` voice tags.
Consecutive cues of one speaker merge into one turn, each line its own Piece;
a cue without a speaker continues the previous speaker's turn (a warning
before any speaker). The turn's time is the start of its first cue, in
seconds. Formatting tags (``<i>``, ``<font ...>``) and ASS overrides
(``{\\an8}``) are removed: the text is verbatim at its column unless such a tag
sits inside it, after which positions are approximate. Cue text logic is
shared with the WebVTT reader (``cues.CueText``).
"""

from __future__ import annotations

import re

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .cues import CueText, warn_outside_cue
from .timecodes import SRT_START, SRT_TIMING, TIMING_LIKE, srt_start

FORMAT = "srt"

_TAGS = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")
_INDEX = re.compile(r"^\s*-?\d+\s*$")


def sniff(head: str, name: str = "srt") -> bool:
    """A SubRip file's first block is an index line, then '00:00:01,000 --> 00:00:02,000'."""
    return bool(SRT_START.match(head.lstrip("\ufeff")))


def read(data: bytes, path: str, options: ReadOptions | None = None) -> list[Transcript]:
    """Read a SubRip file; one Transcript."""
    text = decode(data, path, getattr(options, "encoding", None))
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = split_lines(text)
    n = len(lines)
    b = TranscriptBuilder(path, options, FORMAT)
    b.apply_options()
    b.last_line = n
    cues = CueText(b, _TAGS, unescape=False)

    def blank(i: int) -> bool:
        return not lines[i].strip()

    def cue_at(i: int) -> int | None:
        """The index of the timing line when a cue starts at line i, else None."""
        if SRT_TIMING.match(lines[i]):
            return i
        if i + 1 < n and _INDEX.match(lines[i]) and SRT_TIMING.match(lines[i + 1]):
            return i + 1
        return None

    i = 0
    while i < n:
        if blank(i):
            i += 1
            continue
        timing = cue_at(i)
        if timing is None:
            # not a cue: a malformed one, or text outside any cue; warned about, skipped
            part = []
            while i < n and not blank(i) and (not part or cue_at(i) is None):
                part.append((i + 1, lines[i]))
                i += 1
            warn_outside_cue(part, b, "HH:MM:SS,mmm --> HH:MM:SS,mmm")
            continue
        start = srt_start(SRT_TIMING.match(lines[timing]))  # type: ignore[arg-type]
        k = timing + 1
        body: list[tuple[int, str]] = []
        while k < n:
            if blank(k):
                m = k
                while m < n and blank(m):
                    m += 1
                if m >= n or cue_at(m) is not None or _INDEX.match(lines[m]) or TIMING_LIKE.search(lines[m]):
                    break  # the next cue (or a malformed one) starts after the blank line
                k += 1
                continue
            if body and cue_at(k) is not None:
                break  # a cue with no blank line before it
            body.append((k + 1, lines[k]))
            k += 1
        i = k
        if not any(t.strip() for _, t in body):
            cues.cues += 1
            continue  # a cue without text
        cues.cue(start, body)
    return [cues.finish(path, "subtitle", "'Name: text' at the start of the subtitle text")]

