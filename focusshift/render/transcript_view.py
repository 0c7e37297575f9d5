"""The report's transcript as view data: segments, turns, physical lines, highlighted runs.

`transcript(analysis, ids, text)` decides what goes where; templates/transcript.html
draws it. Each physical line of a turn is cut into runs: a run is plain text or
the exact words of one or more events (a <mark> whose colour is the most serious
category among them), and within a run non-verbal annotations are set apart.
Events that cannot be placed exactly (or every event, with text=False) show as
tags on their line instead. Nothing here is HTML: the template escapes it all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Analysis, Event, Turn
from .labels import PRIORITY, category_class, category_label, event_why, role_class, segment_name


@dataclass(frozen=True)
class Chunk:
    text: str
    annotation: bool  # a non-verbal annotation ([crying]): set apart in italic grey


@dataclass(frozen=True)
class Run:
    """A stretch of one line covered by the same events; category None: no event, plain text."""

    chunks: tuple[Chunk, ...]
    category: str | None = None  # class of the most serious event covering it
    anchor: int | None = None  # id="ev-N": the first event that starts here
    extra_anchors: tuple[int, ...] = ()  # further events starting here, as empty anchors before the mark
    events: str = ""  # every event covering the run, "3 4"
    title: str = ""  # their details, one per line


@dataclass(frozen=True)
class Tag:
    """An event shown as a tag: its words could not be highlighted (or the text is left out)."""

    event: int
    category: str
    label: str
    subtype: str
    title: str


@dataclass(frozen=True)
class Row:
    """One physical line of a turn."""

    line: int | None  # line number to show and anchor (first row of that line only)
    runs: tuple[Run, ...] | None  # the text; None with text=False
    words: int  # word count of the line, shown when the text is left out
    tags: tuple[Tag, ...]
    first: bool  # the turn's first row carries the speaker and the flags
    bare: bool = False  # a turn without lines: its tags go straight into the row


@dataclass(frozen=True)
class TurnView:
    index: int
    classes: str
    note: bool
    role_note: str  # " (therapist)" for a scene note about a known role
    speaker: str
    time: float | None
    flags: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SegmentView:
    index: int | None  # None: the turns outside any segment
    name: str
    start_line: int
    end_line: int
    scored: bool  # has a score entry (its score may still be None: not assessed)
    score: float | None
    turns: tuple[TurnView, ...]


@dataclass(frozen=True)
class TranscriptView:
    text: bool
    segments: tuple[SegmentView, ...]


def transcript(a: Analysis, ids: dict[int, int], text: bool) -> TranscriptView:
    """The transcript of one analysis, segment by segment; `ids` maps id(event) to its number on the page."""
    t = a.transcript
    by_turn: dict[int, list[Event]] = {}
    for e in a.events:
        by_turn.setdefault(e.turn, []).append(e)
    in_shift: dict[int, int] = {}
    shift_start: dict[int, int] = {}
    recovery: dict[int, int] = {}
    for k, sh in enumerate(a.shifts, 1):
        members = (sh.start_turn, *sh.turns)
        for m in range(min(members), max(members) + 1):
            in_shift.setdefault(m, k)
        shift_start.setdefault(sh.start_turn, k)
    turn_at_line = {turn.line: turn.index for turn in t.turns}
    for k, sh in enumerate(a.shifts, 1):
        if sh.recovery_line is not None and sh.recovery_line in turn_at_line:
            recovery.setdefault(turn_at_line[sh.recovery_line], k)
    by_index = {turn.index: turn for turn in t.turns}
    scores = {s.segment.index: s for s in a.segments}

    def view(turn: Turn) -> TurnView:
        flags = []
        if turn.index in shift_start:
            flags.append(f"focus shift {shift_start[turn.index]} begins")
        if turn.index in recovery:
            flags.append(f"client back on own material (shift {recovery[turn.index]})")
        return _turn(turn, by_turn.get(turn.index, []), ids, text, turn.index in in_shift, tuple(flags))

    done: set[int] = set()
    segments = []
    for seg in t.segments:
        s = scores.get(seg.index)
        turns = []
        for ti in seg.turns:
            turn = by_index.get(ti)
            if turn is None or ti in done:
                continue
            done.add(ti)
            turns.append(view(turn))
        segments.append(SegmentView(seg.index, segment_name(seg.title, seg.start_line, seg.end_line), seg.start_line,
                                    seg.end_line, s is not None, s.score if s else None, tuple(turns)))
    rest = [view(turn) for turn in t.turns if turn.index not in done]
    if rest:
        segments.append(SegmentView(None, "Outside any segment", 0, 0, False, None, tuple(rest)))
    return TranscriptView(text, tuple(segments))


def _turn(turn: Turn, events: list[Event], ids: dict[int, int], text: bool, shaded: bool,
          flags: tuple[str, ...]) -> TurnView:
    classes = ["turn", role_class(turn.role)]
    if turn.is_note:
        classes.append("note")
    if shaded:
        classes.append("in-shift")
    ranges = _piece_ranges(turn)
    placed: list[tuple[int, int, Event, int]] = []
    loose: list[tuple[Event, int]] = []
    for e in events:
        off = _event_offsets(turn, e) if text else None
        if off is None:
            loose.append((e, ids[id(e)]))
        else:
            placed.append((off[0], off[1], e, ids[id(e)]))
    anns: list[tuple[int, int]] = []
    for ann in turn.annotations:
        try:
            s = turn.offset_of(ann.line, ann.start)
        except ValueError:
            continue
        anns.append((s, s + ann.end - ann.start))
    # events not highlighted inline (--no-text, or not placeable) show as tags on their line's first row
    tag_rows: dict[int, list[tuple[Event, int]]] = {}
    first_row: dict[int, int] = {}
    for k, (line, _lo, _hi) in enumerate(ranges):
        first_row.setdefault(line, k)
    for e, i in loose:
        tag_rows.setdefault(first_row.get(e.line, 0), []).append((e, i))
    rows = []
    seen_lines: set[int] = set()
    for k, (line, lo, hi) in enumerate(ranges):
        anchor = None
        if line not in seen_lines:
            seen_lines.add(line)
            anchor = line
        runs = tuple(_runs(turn, lo, hi, placed, anns)) if text else None
        words = 0 if text else len([w for w in turn.text[lo:hi].split() if any(c.isalnum() for c in w)])
        rows.append(Row(anchor, runs, words, _tags(tag_rows.get(k, [])), first=k == 0))
    if not ranges:
        rows.append(Row(None, None, 0, _tags(loose), first=True, bare=True))
    about = f" ({turn.role})" if turn.is_note and turn.role in ("therapist", "client") else ""
    return TurnView(turn.index, " ".join(classes), turn.is_note, about, turn.speaker or "?",
                    None if turn.is_note else turn.time, flags, tuple(rows))


def _tags(events: Iterable[tuple[Event, int]]) -> tuple[Tag, ...]:
    return tuple(Tag(i, category_class(e.category), category_label(e.category), e.subtype, event_why(e))
                 for e, i in events)


def _event_offsets(turn: Turn, e: Event) -> tuple[int, int] | None:
    """Where an event's trigger lies in Turn.text, or None if it cannot be placed exactly."""
    try:
        start = turn.offset_of(e.line, e.span[0])
    except ValueError:
        return None
    end = start + (e.span[1] - e.span[0])
    if not (0 <= start < end <= len(turn.text)):
        return None
    if e.text and turn.text[start:end] != e.text:
        found = [m.start() for m in re.finditer(re.escape(e.text), turn.text)]
        if found:
            start = min(found, key=lambda x: abs(x - start))
            end = start + len(e.text)
    return start, end


def _piece_ranges(turn: Turn) -> list[tuple[int, int, int]]:
    """(line, start, end) offsets in Turn.text of each physical line of the turn."""
    out = []
    pieces = turn.pieces
    for k, p in enumerate(pieces):
        end = pieces[k + 1].offset if k + 1 < len(pieces) else len(turn.text)
        if k + 1 < len(pieces) and end > p.offset and turn.text[end - 1] == "\n":
            end -= 1
        out.append((p.line, p.offset, max(end, p.offset)))
    return out


def _chunks(text: str, lo: int, hi: int, anns: list[tuple[int, int]]) -> tuple[Chunk, ...]:
    """text[lo:hi] cut where annotations begin and end."""
    cuts = sorted({lo, hi, *(x for a in anns for x in a if lo < x < hi)})
    return tuple(Chunk(text[x:y], any(s <= x and y <= e for s, e in anns)) for x, y in zip(cuts, cuts[1:]))


def _runs(turn: Turn, lo: int, hi: int, placed: list[tuple[int, int, Event, int]],
          anns: list[tuple[int, int]]) -> Iterable[Run]:
    """One physical line of a turn, cut wherever an event's exact span begins or ends."""
    text = turn.text
    mine = [(max(s, lo), min(e, hi), ev, i) for s, e, ev, i in placed if s < hi and e > lo and s >= lo]
    cuts = sorted({lo, hi, *(x for s, e, _, _ in mine for x in (s, e))})
    anchored: set[int] = set()
    for x, y in zip(cuts, cuts[1:]):
        if x >= y:
            continue
        cover = [(ev, i) for s, e, ev, i in mine if s <= x and y <= e]
        chunks = _chunks(text, x, y, anns)
        if not cover:
            yield Run(chunks)
            continue
        cover.sort(key=lambda c: (PRIORITY.get(c[0].category, 9), c[1]))
        starting = [i for s, _e, _ev, i in mine if s == x and i not in anchored]
        anchored.update(starting)
        yield Run(
            chunks,
            category=category_class(cover[0][0].category),
            anchor=starting[0] if starting else None,
            extra_anchors=tuple(starting[1:]),
            events=" ".join(str(i) for _, i in cover),
            title="\n".join(event_why(ev) for ev, _ in cover),
        )
