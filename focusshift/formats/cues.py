"""The text of caption cues (WebVTT, SubRip) -> builder calls; shared by the vtt and srt readers.

Speakers in cue text: ``<v Name>`` and ``<v.loud Name>`` voice tags anywhere
in a line (several voices on one line give several turns), an unclosed
``<v Name>text`` (the voice lasts to the end of the cue), Zoom's
``Name: text`` at the start of a line (the native format's label rules, with
speakers already seen counting as known) and WhisperX's ``[SPEAKER_00]: text``.
Cues of one speaker that follow each other are merged into one turn (each cue
line its own Piece); a cue with no speaker continues the previous speaker's
turn; a speakerless cue holding only annotations is a scene note.

Text and columns: formatting tags (the reader's pattern) are removed and, when
asked, character references (``&amp;``) decoded. The column is where the
visible text starts in the physical line; the text is verbatim at that column
unless a tag or a character reference sits inside it, after which positions
are approximate.
"""

from __future__ import annotations

import html
import re

from ..errors import TranscriptError
from ..model import Transcript
from .builder import TranscriptBuilder
from .labels import BRACKET_LABEL, colon_label, normalise_label, plausible_name
from .timecodes import TIMING_LIKE

# <v Name>, <v.loud Name>, <v.a.b Name>; <v> without a name has no speaker.
VOICE = re.compile(r"<v(?:\.[^\s.<>]++)*+(?:[ \t]++([^<>]*+))?>")

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
    for m in VOICE.finditer(raw):
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
        m = BRACKET_LABEL.match(text)
        if m and (plausible_name(m.group("label").strip()) or self.b.roles.is_known(m.group("label"))):
            return m.group("label").strip(), m.start("text")
        return colon_label(text, self.known)

    def known(self, name: str) -> bool:
        """A label with a role, or a speaker already found in an earlier cue."""
        return self.b.roles.is_known(name) or normalise_label(name) in self.seen

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


def warn_outside_cue(part: list[tuple[int, str]], b: TranscriptBuilder, expected: str) -> None:
    """A stretch that is not a cue: a malformed timing line if it has one, else stray text.

    `expected` is the timing line the format wants ('HH:MM:SS.mmm --> HH:MM:SS.mmm').
    """
    if not part:
        return
    timing = next(((n, t) for n, t in part if TIMING_LIKE.search(t)), None)
    if timing is not None:
        b.warn(timing[0], f"malformed cue timing line {timing[1].strip()!r} (expected '{expected}'); cue skipped")
    else:
        b.warn(part[0][0], "text outside any cue (no 'start --> end' timing line before it); ignored")
