"""How much of the client's hour went to the therapist: time and words, per episode and per session.

A session may be the one hour in a client's week that is theirs. This module
measures the part of it that went to the therapist instead: the stretch of
each focus-shift episode (therapist emotion, then the client looking after the
therapist, until the client is back on their own material) and the therapist's
emotion turns outside them. Everything else is the client's share.

Time comes from the transcript's timestamps where it has them (native stamps,
VTT/SRT cues, WhisperX segments, CSV times): the time from one timestamp to
the next is shared by the turns in between in proportion to their words.
Turns without a usable timestamp (before the first one, around a gap that runs
backwards or is longer than MAX_TURN_SECONDS a turn, after the last one), and
every turn of a transcript without any, are estimated from their words at
SPEAKING_RATE_WPM, and the figures they are part of are marked as estimates.
The last timed turn has no next start; it lasts as long as its words take at
the session's own pace, measured from its timestamps (see turn_seconds).

Turns are counted as the conversation counts them (as a shift's
`recovery_turns` does): scene notes and interjections ("(T: Mhm)", said inside
another speaker's turn) are not turns of their own. An interjection's words
count, but it takes no time: it overlaps the turn it sits in.

The description says where attention went and for how long; it never rates anyone.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import THERAPIST_EMOTION, Event, Shift, Turn
from .scoring import IndexMap, places
from .turntable import columns

# Conversational English runs at about 130-170 words a minute; therapy talk, with
# its pauses, nearer the low end. Used only for turns no timestamp dates.
SPEAKING_RATE_WPM = 140.0
# A gap longer than this (per turn it covers) between two timestamps is a break or a
# cut recording, not the length of the turns: they are estimated from their words instead.
MAX_TURN_SECONDS = 300.0
# The session's own pace, used for its last timed turn, is kept within these bounds.
PACE_BOUNDS_WPM = (40.0, 300.0)


@dataclass(frozen=True)
class Stretch:
    """Turns, words and seconds of part of a session."""

    turns: int  # conversation turns: scene notes and interjections are not counted
    words: int
    seconds: float
    estimated: bool  # some of the seconds come from words at SPEAKING_RATE_WPM, not timestamps


@dataclass(frozen=True)
class EpisodeTime:
    """One focus-shift episode: how long the client's attention went to the therapist."""

    start_line: int
    end_line: int | None
    recovery_turns: int | None  # speaking turns until the client was back on their own material
    repaired: bool
    span: Stretch
    members: tuple[int, ...] = ()  # Turn.index of every turn and scene note in the span


@dataclass(frozen=True)
class SessionTime:
    """The whole session, what went to the therapist, and the client's share."""

    session: Stretch
    to_therapist: Stretch  # shift episodes plus therapist-emotion turns outside them
    episodes: tuple[EpisodeTime, ...]
    emotion_outside: int = 0  # therapist-emotion turns (or scene notes) outside every episode

    @property
    def estimated(self) -> bool:
        """Whether the figures rest in part on words rather than timestamps."""
        return self.session.estimated or self.to_therapist.estimated

    @property
    def client_share(self) -> float:
        """The fraction of the session (by time) that stayed the client's, in [0, 1]."""
        if self.session.seconds <= 0:
            return 1.0 if self.to_therapist.seconds <= 0 else 0.0
        return min(1.0, max(0.0, 1.0 - self.to_therapist.seconds / self.session.seconds))

    @property
    def therapist_share(self) -> float:
        return 1.0 - self.client_share

    def sentence(self) -> str:
        """One line for a supervisor: '4 min 10 s of 52 min (8 %) went to the therapist; ...'."""
        approx = "about " if self.estimated else ""
        total = clock(self.session.seconds)
        if not self.episodes and not self.emotion_outside:
            return f"none of {approx}{total} went to the therapist"
        head = (f"{approx}{clock(self.to_therapist.seconds)} of {total} "
                f"({percent(self.therapist_share)}) went to the therapist")
        if not self.episodes:
            return head + " (therapist emotion, no client caretaking)"
        if len(self.episodes) == 1:
            e = self.episodes[0]
            if e.recovery_turns is not None:
                tail = f"back to the client after {_turns(e.recovery_turns)}"
            elif e.repaired:
                tail = f"the therapist handed the session back after {_turns(e.span.turns)}"
            else:
                tail = "the client did not get back to their own material"
            return f"{head}; {tail}"
        recoveries = [e.recovery_turns for e in self.episodes if e.recovery_turns is not None]
        without = len(self.episodes) - len(recoveries)
        parts = [f"{head} in {len(self.episodes)} episodes"]
        if recoveries:
            parts.append(f"back to the client after {_listing(recoveries)} "
                         f"turn{'' if recoveries == [1] else 's'}")
        if without == len(self.episodes):
            parts.append("none ended with the client back on their own material")
        elif without:
            parts.append(f"{without} ended before the client was back on their own material")
        return "; ".join(parts)


def _turns(n: int) -> str:
    return f"{n} turn{'' if n == 1 else 's'}"


def _listing(numbers: Sequence[int]) -> str:
    """'3', '3 and 2', '3, 2 and 5'."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def clock(seconds: float) -> str:
    """'52 min', '4 min 10 s', '35 s', '1 h 5 min', '<1 s': how people say durations."""
    if 0 < seconds < 0.5:
        return "<1 s"
    total = _half_up(max(0.0, seconds))
    minutes, secs = divmod(total, 60)
    if minutes >= 60:  # past an hour, seconds say nothing
        hours, minutes = divmod(_half_up(total / 60), 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def percent(share: float) -> str:
    """'8 %', '<1 %' (some, but under one per cent), '>99 %' (nearly, not all), '0 %', '100 %'."""
    value = 100.0 * share
    if value <= 0:
        return "0 %"
    if value >= 100:
        return "100 %"
    if value < 1:
        return "<1 %"
    if value > 99:
        return ">99 %"
    return f"{_half_up(value)} %"


def _usable(time: float | None) -> bool:
    return time is not None and math.isfinite(time)


def turn_seconds(turns: Sequence[Turn], rate_wpm: float = SPEAKING_RATE_WPM) -> list[tuple[float, bool]]:
    """(seconds, estimated) for every turn and scene note, in order.

    - Between two timestamps, the time from the one to the next is shared by
      the turns from the first up to the next (the timed one, untimed turns
      and scene notes after it, and turns stamped with the same time) in
      proportion to their words; when none of them has words, equally.
    - A gap that runs backwards, or is longer than MAX_TURN_SECONDS a turn (a
      break, a cut), dates nothing: its turns are estimated.
    - The last timed turn (and any turn stamped with its time) lasts as long as
      its words take at the session's own pace: the timed seconds over the
      timed words, within PACE_BOUNDS_WPM, at most MAX_TURN_SECONDS. This is
      not marked as an estimate; without a pace to measure (one timestamp) it
      is estimated at `rate_wpm` like the others.
    - Estimated: `words` at `rate_wpm`, for turns before the first timestamp,
      after the last one, inside a gap that dates nothing, and every turn of a
      transcript without timestamps. A scene note has no words: 0 s.
    - An interjection takes no time (it overlaps the turn it sits in).
    """
    seconds, estimated = _seconds(turns, rate_wpm)
    return [(s, bool(e)) for s, e in zip(seconds, estimated)]


def _seconds(turns: Sequence[Turn], rate_wpm: float) -> tuple[array, bytearray]:
    """turn_seconds as two arrays (seconds; estimated 0/1): 9 bytes a turn, not two objects."""
    per_word = 60.0 / rate_wpm
    cols = columns(turns)
    inter, n_words, times = cols.interjection, cols.words, cols.time
    seconds = array("d", [0.0 if i else w * per_word for i, w in zip(inter, n_words)])
    estimated = bytearray(0 if i else 1 for i in inter)
    anchors: list[tuple[int, float]] = []  # the first turn of each run of one timestamp
    for k, (i, time) in enumerate(zip(inter, times)):
        if i or not _usable(time):
            continue
        if not anchors or float(time) != anchors[-1][1]:  # type: ignore[arg-type]
            anchors.append((k, float(time)))  # type: ignore[arg-type]
    if not anchors:
        return seconds, estimated
    timed_seconds, timed_words = 0.0, 0
    for (a, ta), (b, tb) in zip(anchors, anchors[1:]):
        block = [k for k in range(a, b) if not inter[k]]
        gap = tb - ta
        if not 0 < gap <= MAX_TURN_SECONDS * len(block):
            continue
        words = sum(n_words[k] for k in block)
        for k in block:
            seconds[k] = gap * (n_words[k] / words if words else 1 / len(block))
            estimated[k] = 0
        if words:
            timed_seconds += gap
            timed_words += words
    last, t_last = anchors[-1]
    if timed_words:
        low, high = PACE_BOUNDS_WPM
        pace = min(max(timed_seconds / timed_words, 60.0 / high), 60.0 / low)  # seconds a word
        for k in range(last, len(turns)):
            time = times[k]
            if not inter[k] and _usable(time) and float(time) == t_last:  # type: ignore[arg-type]
                seconds[k] = min(n_words[k] * pace, MAX_TURN_SECONDS)
                estimated[k] = 0
    return seconds, estimated


def _stretch(positions: Iterable[int], turns: Sequence[Turn], seconds: tuple[array, bytearray]) -> Stretch:
    ks = positions if isinstance(positions, (range, list)) else list(positions)
    secs, estimated = seconds
    cols = columns(turns)
    return Stretch(
        turns=sum(1 for k in ks if not cols.is_note[k] and not cols.interjection[k]),
        words=sum(cols.words[k] for k in ks),
        seconds=sum((secs[k] for k in ks), 0.0),
        estimated=any(estimated[k] and secs[k] > 0 for k in ks),
    )


def _episode(shift: Shift, turns: Sequence[Turn], position: IndexMap) -> range:
    """Positions of the episode: from its first turn (or its marker) up to the turn that ends it.

    Shift.turns holds only speaking turns; the scene notes and interjections
    among them belong to the episode too.
    """
    inside = [position[i] for i in (*shift.turns, shift.start_turn) if i in position]
    if not inside:
        return range(0)
    first, end = min(inside), max(inside) + 1
    cols = columns(turns)
    while end < len(turns) and (cols.is_note[end] or cols.interjection[end]):
        end += 1
    return range(first, end)


def session_time(
    turns: Sequence[Turn],
    events: Sequence[Event],
    shifts: Sequence[Shift],
    rate_wpm: float = SPEAKING_RATE_WPM,
) -> SessionTime:
    """Time and words of the session, of each shift episode, and of everything that went to the therapist."""
    seconds = _seconds(turns, rate_wpm)
    index = columns(turns).index
    position = places(turns)  # turn index -> place in `turns`
    given: set[int] = set()
    episodes = []
    for s in shifts:
        span = _episode(s, turns, position)
        given.update(span)
        episodes.append(EpisodeTime(
            start_line=s.start_line,
            end_line=s.end_line,
            recovery_turns=s.recovery_turns,
            repaired=s.repaired,
            span=_stretch(span, turns, seconds),
            members=tuple(index[k] for k in span),
        ))
    outside = {position[e.turn] for e in events if e.category == THERAPIST_EMOTION and e.turn in position} - given
    given |= outside
    return SessionTime(
        session=_stretch(range(len(turns)), turns, seconds),
        to_therapist=_stretch(sorted(given), turns, seconds),
        episodes=tuple(episodes),
        emotion_outside=len(outside),
    )
