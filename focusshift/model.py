"""The data model every reader produces and every later stage consumes.

Frozen dataclasses so that a Transcript can be shared between detection,
scoring and rendering without anyone mutating it behind the others' backs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .timeshare import SessionTime

Role = Literal["therapist", "client", "unknown"]
ROLES: tuple[str, ...] = ("therapist", "client", "unknown")

THERAPIST_EMOTION = "therapist_emotion"
CLIENT_CARETAKING = "client_caretaking"
THERAPIST_REPAIR = "therapist_repair"
_WORDY = re.compile(r"(?<!\S)\S*?[^\W_]")  # the start of each whitespace-separated word with an alnum
CATEGORIES: tuple[str, ...] = (THERAPIST_EMOTION, CLIENT_CARETAKING)


@dataclass(frozen=True, slots=True)
class Annotation:
    """A non-verbal event written in brackets, and whom it is about."""

    text: str  # the inner text, e.g. "voice catches"
    line: int  # 1-based physical line
    start: int  # column of the opening bracket in that line (0-based)
    end: int  # column after the closing bracket
    about: Role | None  # whose event it is; None when nobody can be named
    raw: str  # as written, brackets included


@dataclass(frozen=True, slots=True)
class Piece:
    """One physical line's share of a turn's text: lets spans map back to the file."""

    offset: int  # where this piece starts in Turn.text
    line: int  # 1-based physical line
    column: int  # where the piece starts in that physical line (0-based)


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker's turn, or a scene note (a line holding only annotations)."""

    index: int  # 0-based position among all turns and notes of the transcript
    speaker: str | None  # the label as written; None for a scene note
    role: Role  # for a scene note: the party it names, else "unknown"
    text: str  # the turn's text, annotations included, lines joined by "\n"
    pieces: tuple[Piece, ...]
    annotations: tuple[Annotation, ...] = ()
    time: float | None = None  # seconds from the start, when the file has timestamps
    is_note: bool = False
    # A short turn written inside another speaker's turn, "(T: Mhm)": it has its own
    # speaker and role, and takes the conversation position of the turn it sits in.
    interjection: bool = False
    # How many words the turn holds: computed once (scoring, output and progress read it).
    words: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Whitespace-separated words holding a letter or digit (isalnum), counted in one regex pass.
        count = 0 if self.is_note else len(_WORDY.findall(self.spoken))
        object.__setattr__(self, "words", count)

    @property
    def line(self) -> int:
        return self.pieces[0].line

    @property
    def end_line(self) -> int:
        return self.pieces[-1].line

    @property
    def spoken(self) -> str:
        """The text with annotations blanked out, same length, so offsets still hold."""
        if not self.annotations:
            return self.text
        chars = list(self.text)
        for ann in self.annotations:
            start = self.offset_of(ann.line, ann.start)
            for i in range(start, min(start + ann.end - ann.start, len(chars))):
                if chars[i] != "\n":
                    chars[i] = " "
        return "".join(chars)

    def offset_of(self, line: int, column: int) -> int:
        """Offset in Turn.text of a (line, column) position inside this turn."""
        for piece in self.pieces:
            if piece.line == line:
                return piece.offset + column - piece.column
        raise ValueError(f"line {line} is not part of turn {self.index}")

    def locate(self, offset: int) -> tuple[int, int]:
        """(line, column) in the source file of an offset in Turn.text."""
        starts = [p.offset for p in self.pieces]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        piece = self.pieces[i]
        return piece.line, piece.column + offset - piece.offset


@dataclass(frozen=True)
class Segment:
    """A stretch of the session: a heading's section, N turns, or a time window."""

    index: int  # 1-based
    title: str | None
    start_line: int
    end_line: int
    turns: tuple[int, ...]  # Turn.index values, notes included
    heading_line: int | None = None


@dataclass(frozen=True)
class Speaker:
    """A speaker of the session, their role and where the role came from (focusshift.roles)."""

    label: str  # as written in the file
    role: Role
    role_source: str | None  # cli, declared, label or inferred; None when unresolved
    confidence: float | None = None  # for inferred roles: the probability of this assignment
    evidence: str = ""  # why, in words
    turns: int = 0  # speaking turns
    first_line: int | None = None


@dataclass(frozen=True)
class Transcript:
    """One session, whatever format it came from."""

    path: str
    meta: dict[str, object]
    turns: Sequence[Turn]  # a tuple, or for a long session a TurnTable (focusshift.turntable)
    segments: tuple[Segment, ...]
    warnings: tuple[tuple[int | None, str], ...] = ()
    format: str = "native"
    speakers: tuple[Speaker, ...] = ()

    @property
    def assessable(self) -> bool:
        """False when no speaker is the therapist or none is the client: nothing can be scored."""
        return self._assessability()[0]

    @property
    def unassessed_reason(self) -> str | None:
        """Why the session cannot be scored (None when it can)."""
        return self._assessability()[1]

    def _assessability(self) -> tuple[bool, str | None]:
        speakers = self.speakers
        if not speakers:  # a Transcript built by hand: its turns say who is who
            seen: dict[str, Speaker] = {}
            for t in self.turns:
                if not t.is_note and t.speaker is not None:
                    old = seen.get(t.speaker)
                    seen[t.speaker] = Speaker(t.speaker, t.role, None, turns=(old.turns if old else 0) + 1)
            speakers = tuple(seen.values())
        return assessability(speakers)


def assessability(speakers: Iterable[Speaker]) -> tuple[bool, str | None]:
    """Whether a session can be scored: it needs a therapist and a client; else why not."""
    speaking = [s for s in speakers if s.turns]
    if not speaking:
        return False, "no speaker turns"
    roles = {s.role for s in speaking}
    if len(speaking) == 1:
        only = speaking[0]
        return False, f"only one speaker ({only.label!r}); a session needs a therapist and a client"
    listing = ", ".join(f"{s.label!r} {s.role}" for s in speaking[:6]) + (", ..." if len(speaking) > 6 else "")
    pin = "name them with --therapist/--client or --role LABEL=ROLE"
    if "therapist" not in roles and "client" not in roles:
        return False, f"no speaker could be identified as therapist or client ({listing}); {pin}"
    if "therapist" not in roles:
        return False, f"no speaker could be identified as the therapist ({listing}); {pin}"
    if "client" not in roles:
        return False, f"no speaker could be identified as the client ({listing}); {pin}"
    return True, None


@dataclass(frozen=True)
class Event:
    """One piece of evidence: a therapist-emotion marker, client caretaking, or a repair."""

    category: str
    subtype: str
    turn: int  # Turn.index
    line: int  # 1-based physical line of the trigger
    span: tuple[int, int]  # columns of the trigger in that line
    speaker: str | None
    role: Role
    text: str  # the trigger text as written
    rule: str  # id of the rule that matched
    source: str  # "speech" or "annotation"
    modifiers: tuple[str, ...] = ()  # context rules that applied but did not cancel it
    weight: float = 0.0
    segment: int = 0
    condition: str = "always"  # the rule's condition (always, after_emotion, with_support), or "model"
    anchor_line: int | None = None  # the event that let a conditional rule count
    detector: str = "rule"  # which layer found it: "rule" or "model"
    confidence: float | None = None  # the rule's measured precision, or the model's probability
    evidence: tuple[str, ...] = ()  # for the model: the words that weighed most


@dataclass(frozen=True)
class Shift:
    """A focus shift: a therapist-emotion marker followed closely by client caretaking."""

    start_turn: int
    start_line: int
    caretaking_lines: tuple[int, ...]
    end_turn: int | None  # the turn that ended the shift (recovery or repair)
    end_line: int | None
    recovery_turns: int | None  # speaking turns from the marker to recovery; None if never
    repaired: bool = False
    turns: tuple[int, ...] = ()  # speaking turns inside the episode (Turn.index)
    ended_by: str = "own_material"  # own_material, repair, segment_end or limit
    recovery_line: int | None = None  # the client's first turn back on their own material


@dataclass(frozen=True)
class SegmentScore:
    """The score of one segment with the numbers it was computed from."""

    segment: Segment
    score: float | None  # None when the transcript is not assessable (no therapist or no client)
    units: int
    load: float
    counts: dict[str, int]
    turns_by_role: dict[str, int]
    words_by_role: dict[str, int]


@dataclass(frozen=True)
class Analysis:
    """Everything focusshift says about one transcript."""

    transcript: Transcript
    events: tuple[Event, ...]
    segments: tuple[SegmentScore, ...]
    shifts: tuple[Shift, ...]
    score: float | None  # None when not assessable
    units: int = 0
    load: float = 0.0
    config: dict[str, object] = field(default_factory=dict)
    assessable: bool = True  # False: no speaker is the therapist, or none is the client
    reason: str | None = None  # why not assessable
    # Time and words that went to the therapist (focusshift.timeshare); None when not assessable:
    # with no therapist or no client known, nothing can be said about where attention went.
    time: SessionTime | None = None
