"""How much of the client's hour went to the therapist: time and words, per episode and per session.

A session may be the one hour in a client's week that is theirs. This module
measures the part of it that went to the therapist instead: the speaking
turns inside focus-shift episodes (therapist emotion, then the client looking
after the therapist, until the client is back on their own material) and the
therapist's emotion turns outside them. Everything else is the client's share.

Time comes from the transcript's timestamps where it has them (native stamps,
VTT/SRT cues, WhisperX segments, CSV times): a turn lasts from its start to
the start of the next timed turn. A turn without a usable timestamp, and every
turn of a transcript without any, is estimated from its words at
SPEAKING_RATE_WPM, and the figure is marked as an estimate. The description
says where attention went and for how long; it never rates anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import THERAPIST_EMOTION, Event, Shift, Turn

# Conversational English runs at about 130-170 words a minute; therapy talk, with
# its pauses, nearer the low end. Used only where the transcript has no timestamps.
SPEAKING_RATE_WPM = 140.0
# A gap longer than this between two timed turns is a break or a cut recording,
# not the length of the first turn: that turn is estimated from its words instead.
MAX_TURN_SECONDS = 300.0


@dataclass(frozen=True)
class Stretch:
    """Turns, words and seconds of part of a session."""

    turns: int
    words: int
    seconds: float
    estimated: bool  # some of the seconds come from words, not timestamps


@dataclass(frozen=True)
class EpisodeTime:
    """One focus-shift episode: how long the client's attention went to the therapist."""

    start_line: int
    end_line: int | None
    recovery_turns: int | None  # speaking turns until the client was back on their own material
    repaired: bool
    span: Stretch


@dataclass(frozen=True)
class SessionTime:
    """The whole session, what went to the therapist, and the client's share."""

    session: Stretch
    to_therapist: Stretch  # shift episodes plus therapist-emotion turns outside them
    episodes: tuple[EpisodeTime, ...]

    @property
    def client_share(self) -> float:
        """The fraction of the session (by time) that stayed the client's."""
        if self.session.seconds <= 0:
            return 1.0
        return max(0.0, 1.0 - self.to_therapist.seconds / self.session.seconds)

    @property
    def therapist_share(self) -> float:
        return 1.0 - self.client_share

    def sentence(self) -> str:
        """One line for a supervisor: '4 min 10 s of 52 min (8 %) went to the therapist; ...'."""
        approx = "about " if self.to_therapist.estimated or self.session.estimated else ""
        if not self.episodes and self.to_therapist.turns == 0:
            return f"none of {approx}{clock(self.session.seconds)} went to the therapist"
        head = (f"{approx}{clock(self.to_therapist.seconds)} of {clock(self.session.seconds)} "
                f"({percent(self.therapist_share)}) went to the therapist")
        if not self.episodes:
            return head + " (therapist emotion, no caretaking)"
        recoveries = [e.recovery_turns for e in self.episodes if e.recovery_turns is not None]
        if len(self.episodes) == 1:
            e = self.episodes[0]
            tail = (f"back to the client after {e.recovery_turns} turns" if e.recovery_turns is not None
                    else "the client did not get back to their own material")
            return f"{head}; {tail}"
        back = (f"back to the client after {', '.join(map(str, recoveries))} turns" if recoveries
                else "the client did not get back to their own material")
        unrecovered = len(self.episodes) - len(recoveries)
        if recoveries and unrecovered:
            back += f" ({unrecovered} episode{'s' if unrecovered > 1 else ''} without)"
        return f"{head} in {len(self.episodes)} episodes; {back}"


def clock(seconds: float) -> str:
    """'52 min', '4 min 10 s', '35 s': how people say durations."""
    total = int(round(seconds))
    minutes, secs = divmod(total, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min"
    if minutes and secs:
        return f"{minutes} min {secs} s"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def percent(share: float) -> str:
    value = 100.0 * share
    return f"{value:.0f} %" if value >= 1 or value == 0 else "<1 %"


def turn_seconds(turns: Sequence[Turn], rate_wpm: float = SPEAKING_RATE_WPM) -> list[tuple[float, bool]]:
    """(seconds, estimated) for every turn, in order.

    Between two timed turns, the time from one start to the next is shared by
    the turns in between (the first timed one and any untimed ones after it)
    in proportion to their words. Turns before the first timestamp, from the
    last one on, around a gap that is negative or longer than MAX_TURN_SECONDS
    a turn, and every turn of an untimed transcript are estimated from words.
    """
    out: list[tuple[float, bool]] = [(60.0 * t.words / rate_wpm, True) for t in turns]
    timed = [i for i, t in enumerate(turns) if t.time is not None]
    for a, b in zip(timed, timed[1:]):
        gap = float(turns[b].time) - float(turns[a].time)  # type: ignore[arg-type]
        block = range(a, b)
        if not 0 <= gap <= MAX_TURN_SECONDS * len(block):
            continue
        words = sum(turns[k].words for k in block)
        for k in block:
            share = turns[k].words / words if words else 1 / len(block)
            out[k] = (gap * share, False)
    return out


def _stretch(indices: Sequence[int], turns: Sequence[Turn], seconds: list[tuple[float, bool]]) -> Stretch:
    position = {t.index: k for k, t in enumerate(turns)}
    ks = [position[i] for i in indices if i in position]
    speaking = [k for k in ks if not turns[k].is_note]
    return Stretch(
        turns=len(speaking),
        words=sum(turns[k].words for k in ks),
        seconds=sum(seconds[k][0] for k in ks),
        estimated=any(seconds[k][1] for k in ks),
    )


def session_time(
    turns: Sequence[Turn],
    events: Sequence[Event],
    shifts: Sequence[Shift],
    rate_wpm: float = SPEAKING_RATE_WPM,
) -> SessionTime:
    """Time and words of the session, of each shift episode, and of everything that went to the therapist."""
    seconds = turn_seconds(turns, rate_wpm)
    session = _stretch([t.index for t in turns], turns, seconds)
    episodes = tuple(
        EpisodeTime(
            start_line=s.start_line,
            end_line=s.end_line,
            recovery_turns=s.recovery_turns,
            repaired=s.repaired,
            span=_stretch(s.turns, turns, seconds),
        )
        for s in shifts
    )
    given = {i for s in shifts for i in s.turns}
    given |= {e.turn for e in events if e.category == THERAPIST_EMOTION}
    return SessionTime(session=session, to_therapist=_stretch(sorted(given), turns, seconds), episodes=episodes)
