"""Focus shifts and focus-balance scores: pure functions, no spaCy, no I/O.

The score of a segment is

    score = 100 * (1 - load / units)

where ``units`` is the number of speaking turns in the segment (plus any scene
note that carries an event), and ``load`` adds up, over those units,

    min(1, sum of the unit's event weights + shift_turn_weight if the turn is inside a focus shift)

so a turn never counts for more than one whole turn of therapist focus. A
segment with no event scores 100; adding an event never raises a score.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .config import Config
from .turntable import TurnTable, columns
from .model import (
    CLIENT_CARETAKING,
    THERAPIST_EMOTION,
    THERAPIST_REPAIR,
    Event,
    Segment,
    SegmentScore,
    Shift,
    Turn,
)

_SELF = re.compile(r"\b(i|i'm|im|i've|i'd|i'll|me|my|mine|myself)\b", re.IGNORECASE)


def own_material(turn: Turn, min_words: int) -> bool:
    """A client turn that talks about the client again: long enough, in the first person."""
    if turn.is_note or turn.role != "client":
        return False
    return turn.words >= min_words and bool(_SELF.search(turn.spoken.replace("\u2019", "'")))


class IndexMap:
    """int -> int for keys 0..size-1 (turn indices), in 8 bytes a key: a long session's positions
    would otherwise cost a dictionary entry and an int object each, several times over."""

    __slots__ = ("_values",)
    _MISSING = -(2**63)

    def __init__(self, size: int) -> None:
        self._values = array("q", [self._MISSING]) * max(size, 0)

    def __setitem__(self, key: int, value: int) -> None:
        self._values[key] = value

    def copy(self) -> "IndexMap":
        out = IndexMap(0)
        out._values = array("q", self._values)
        return out

    def __getitem__(self, key: int) -> int:
        value = self._values[key] if 0 <= key < len(self._values) else self._MISSING
        if value == self._MISSING:
            raise KeyError(key)
        return value

    def get(self, key: int, default: int | None = None) -> int | None:
        value = self._values[key] if 0 <= key < len(self._values) else self._MISSING
        return default if value == self._MISSING else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def values(self) -> list[int]:
        return [v for v in self._values if v != self._MISSING]


def segment_of_turns(segments: Sequence[Segment]) -> IndexMap:
    """Turn index -> the index of its segment (8 bytes a turn, not a dictionary entry)."""
    out = IndexMap(max((t for s in segments for t in s.turns), default=-1) + 1)
    for s in segments:
        for t in s.turns:
            out[t] = s.index
    return out


def _size(turns: Sequence[Turn]) -> int:
    return max(columns(turns).index, default=-1) + 1


def places(turns: Sequence[Turn]) -> IndexMap:
    """Turn.index -> the turn's place in `turns` (read from the columns: no Turn is made)."""
    index = columns(turns).index
    out = IndexMap(max(index, default=-1) + 1)
    for k, i in enumerate(index):
        out[i] = k
    return out


_last_positions: tuple[Sequence[Turn] | None, IndexMap | None] = (None, None)  # of the last session


def exchange_positions(turns: Sequence[Turn]) -> IndexMap:
    """Each turn's place in the conversation, counted in changes of speaker.

    Consecutive turns of one speaker (two lines of one label, caption cues a
    reader could not merge) share a place, as do scene notes and interjections
    with the turn they sit in: windows ("within 3 turns") count exchanges, so
    the same dialogue gives the same result however a tool split it into lines.
    Detection, the classifier's context and scoring all ask for one session's
    positions: the last answer is kept for that same (immutable) tuple of turns.
    """
    global _last_positions
    last_turns, last = _last_positions  # one tuple, read and replaced whole: safe across threads
    if last is not None and turns is last_turns and isinstance(turns, tuple):
        return last.copy()
    pos = _positions(turns)
    if isinstance(turns, tuple):
        _last_positions = (turns, pos.copy())
    return pos


def _positions(turns: Sequence[Turn]) -> IndexMap:
    pos = IndexMap(_size(turns))
    k = -1
    last: str | None = None
    keys: dict[str | None, str] = {}  # a session has a few speakers and many turns
    cols = columns(turns)
    for index, speaker, note, inter in zip(cols.index, cols.speaker, cols.is_note, cols.interjection):
        if not note and not inter:
            key = keys.get(speaker)
            if key is None:
                key = keys[speaker] = " ".join((speaker or "").split()).casefold()
            if key != last:
                k += 1
                last = key
        pos[index] = max(k, 0)
    return pos


def find_shifts(
    turns: Sequence[Turn],
    events: Iterable[Event],
    config: Config,
    segments: Sequence[Segment] = (),
) -> tuple[Shift, ...]:
    """Therapist emotion, then client caretaking within `config.shift_window` speaking turns.

    A shift lasts until the client is back on their own material; if that does
    not happen before the end of the segment of the last caretaking (or within
    `config.shift_max_turns` speaking turns after it), it ends there and its
    recovery is None.
    """
    # The speaking turns by where they stand in `turns` and by index (8 bytes each, not a list of
    # Turns: a long session's turns are made as they are read and are never all held at once).
    size = _size(turns)
    speaking = array("q")  # speaking position -> position in `turns`
    speaking_index = array("q")  # speaking position -> Turn.index
    spoken_at = IndexMap(size)
    pos_of = IndexMap(size)  # position among speaking turns (recovery and episode spans)
    k = -1
    cols = columns(turns)
    for n, (index, note, inter) in enumerate(zip(cols.index, cols.is_note, cols.interjection)):
        if not note and not inter:
            k += 1
            spoken_at[index] = k
            speaking.append(n)
            speaking_index.append(index)
        pos_of[index] = max(k, 0)
    seg_end = IndexMap(len(speaking))  # speaking position -> first position after its segment
    for seg in segments:
        ps = sorted(spoken_at[i] for i in seg.turns if i in spoken_at)
        for pos in ps:
            seg_end[pos] = ps[-1] + 1
    # The window counts exchanges (changes of speaker), as detection's windows do.
    exchange = exchange_positions(turns)
    evs = sorted(events, key=lambda e: (pos_of.get(e.turn, 0), e.line, e.span[0]))
    care_turns = {e.turn for e in evs if e.category == CLIENT_CARETAKING}
    repair_positions = sorted(pos_of[x.turn] for x in evs if x.category == THERAPIST_REPAIR)
    shifts: list[Shift] = []
    i = 0
    window = config.shift_window
    while i < len(evs):
        e = evs[i]
        if e.category != THERAPIST_EMOTION:
            i += 1
            continue
        start = e
        anchor = exchange[e.turn]
        care: list[Event] = []
        repaired = False
        j = i + 1
        while j < len(evs):
            f = evs[j]
            p = exchange[f.turn]
            if p - anchor > window:
                break
            if f.category == THERAPIST_EMOTION:
                anchor = p
            elif f.category == CLIENT_CARETAKING:
                care.append(f)
                anchor = p
            elif f.category == THERAPIST_REPAIR and care:
                repaired = True
            j += 1
        if not care:
            i += 1
            continue
        last_care = pos_of[care[-1].turn]
        start_pos = pos_of[start.turn]
        limit = min(
            seg_end.get(last_care, len(speaking)),
            last_care + 1 + config.shift_max_turns,
            len(speaking),
        )
        # Recovery: the client's first turn back on their own material.
        back: Turn | None = None
        for n in speaking[last_care + 1 : limit]:
            t = turns[n]
            if t.index in care_turns:
                continue
            if own_material(t, config.recovery_min_words):
                back = t
                break
        # The therapist's repair after the last caretaking also ends the shift.
        repair_pos = next((p for p in repair_positions[bisect.bisect_right(repair_positions, last_care):]
                           if p < limit), None)
        back_pos = pos_of[back.index] if back is not None else None
        ends = [p for p in (back_pos, repair_pos) if p is not None]
        end_pos = min(ends) if ends else max(limit, last_care + 1)
        if repair_pos is not None and end_pos == repair_pos:
            ended_by = "repair"
        elif back_pos is not None:
            ended_by = "own_material"
        else:
            ended_by = "segment_end" if limit == seg_end.get(last_care, -1) else "limit"
        repaired = repaired or repair_pos is not None
        end_turn = turns[speaking[end_pos]] if end_pos < len(speaking) and ends else None
        inside = tuple(speaking_index[start_pos:end_pos])
        shifts.append(
            Shift(
                start_turn=start.turn,
                start_line=start.line,
                caretaking_lines=tuple(sorted({c.line for c in care})),
                end_turn=end_turn.index if end_turn else None,
                end_line=end_turn.line if end_turn else None,
                recovery_turns=(back_pos - start_pos) if back_pos is not None else None,
                repaired=repaired,
                turns=inside,
                ended_by=ended_by,
                recovery_line=back.line if back is not None else None,
            )
        )
        # continue after the episode
        while j < len(evs) and pos_of[evs[j].turn] < end_pos:
            j += 1
        i = j
    return tuple(shifts)


class _TurnFacts:
    """What scoring reads of a turn (note or not, role, words) by Turn.index, from the turns'
    columns: a long session's turns are not all made, or held, as objects at once."""

    __slots__ = ("_row", "_cols")

    def __init__(self, turns: Sequence[Turn]) -> None:
        self._cols = columns(turns)
        self._row = places(turns)

    def __getitem__(self, index: int) -> _Facts:
        k, cols = self._row[index], self._cols
        return _Facts(cols.is_note[k], cols.role[k], cols.words[k])


@dataclass(frozen=True, slots=True)
class _Facts:
    is_note: bool
    role: str
    words: int


def unit_loads(
    segment: Segment,
    turns_by_index: dict[int, Turn] | _TurnFacts,
    events: Iterable[Event],
    shift_turns: set[int],
    shift_turn_weight: float,
) -> dict[int, float]:
    """Therapist-focused load of each unit (turn or event-bearing note) in the segment."""
    weights: dict[int, float] = {}
    for e in events:
        if e.category in (THERAPIST_EMOTION, CLIENT_CARETAKING):
            weights[e.turn] = weights.get(e.turn, 0.0) + e.weight
    loads: dict[int, float] = {}
    for idx in segment.turns:
        turn = turns_by_index[idx]
        if turn.is_note and idx not in weights:
            continue
        value = weights.get(idx, 0.0)
        if not turn.is_note and idx in shift_turns:
            value += shift_turn_weight
        loads[idx] = min(1.0, value)
    return loads


def score(load: float, units: int) -> float:
    """100 * (1 - load / units), clamped to [0, 100]; an empty segment scores 100."""
    if units <= 0:
        return 100.0
    return max(0.0, min(100.0, 100.0 * (1.0 - load / units)))


def score_segments(
    segments: Sequence[Segment],
    turns: Sequence[Turn],
    events: Sequence[Event],
    shifts: Sequence[Shift],
    config: Config,
) -> tuple[SegmentScore, ...]:
    # A table's turns would each be made to be read: its columns are read instead.
    by_index = _TurnFacts(turns) if isinstance(turns, TurnTable) else {t.index: t for t in turns}
    shift_turns = {t for s in shifts for t in s.turns}
    segment_of = {i: k for k, seg in enumerate(segments) for i in seg.turns}
    events_of: dict[int, list[Event]] = {}
    for e in events:
        k = segment_of.get(e.turn)
        if k is not None:
            events_of.setdefault(k, []).append(e)
    out = []
    for k, seg in enumerate(segments):
        seg_events = events_of.get(k, [])
        loads = unit_loads(seg, by_index, seg_events, shift_turns, config.shift_turn_weight)
        load = sum(loads.values())
        units = len(loads)
        counts = {THERAPIST_EMOTION: 0, CLIENT_CARETAKING: 0, THERAPIST_REPAIR: 0}
        for e in seg_events:
            counts[e.category] = counts.get(e.category, 0) + 1
        t_by_role = {"therapist": 0, "client": 0, "unknown": 0}
        w_by_role = {"therapist": 0, "client": 0, "unknown": 0}
        for idx in seg.turns:
            t = by_index[idx]
            if t.is_note:
                continue
            t_by_role[t.role] += 1
            w_by_role[t.role] += t.words
        out.append(
            SegmentScore(
                segment=seg,
                score=score(load, units),
                units=units,
                load=load,
                counts=counts,
                turns_by_role=t_by_role,
                words_by_role=w_by_role,
            )
        )
    return tuple(out)


def session_score(segments: Sequence[SegmentScore]) -> tuple[float, int, float]:
    """(score, units, load) over the whole session: the same formula on the sums."""
    units = sum(s.units for s in segments)
    load = sum(s.load for s in segments)
    return score(load, units), units, load
