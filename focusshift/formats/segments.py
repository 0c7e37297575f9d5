"""Segments: a transcript's headings, or fixed runs of turns, or windows of time."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..errors import ConfigError, TranscriptError
from ..model import Segment, Turn


def parse_segment_rule(rule: str) -> tuple[str, float]:
    """'turns:N' or 'minutes:M' -> (kind, size); raises ValueError with a readable message."""
    kind, _, value = rule.partition(":")
    kind = kind.strip().lower()
    if kind not in ("turns", "minutes"):
        raise ValueError(f"unknown segmentation {rule!r}; use turns:N or minutes:M")
    try:
        size = float(value) if kind == "minutes" else int(value)
    except ValueError:
        raise ValueError(f"bad number in {rule!r}; use e.g. turns:20 or minutes:10") from None
    if size <= 0:
        raise ValueError(f"segment size must be positive in {rule!r}")
    return kind, size


def segment(
    turns: Sequence[Turn],
    headings: list[tuple[int, str]],
    rule: str,
    path: str,
    last_line: int,
) -> tuple[Segment, ...]:
    """Headings when the file has them, otherwise fixed turn counts or time windows."""
    if headings:
        return _by_headings(turns, headings, last_line)
    try:
        kind, size = parse_segment_rule(rule)
    except ValueError as exc:
        raise ConfigError(f"--segment-by: {exc}") from None
    if kind == "minutes" and not any(t.time is not None for t in turns):
        raise TranscriptError(path, None, f"--segment-by {rule} needs timestamps and this file has none")
    # One pass, holding indices and line numbers only: `turns` may be a TurnTable that makes
    # each Turn as it is read, so the turns are neither held at once nor made twice.
    segments: list[Segment] = []
    members: list[int] = []
    first = last = 0
    key: int | None = None
    current = 0.0
    spoken = 0
    for t in turns:
        if kind == "minutes":
            if t.time is not None:
                current = t.time
            k = int(current // (size * 60))
        elif t.is_note:
            k = max(spoken - 1, 0) // int(size)  # a note stays with the turn before it (or the first turns)
        else:
            k = spoken // int(size)
            spoken += 1
        if key is None or k != key:
            if members:
                segments.append(Segment(len(segments) + 1, None, first, last, tuple(members)))
            members, first, last, key = [], t.line, t.end_line, k
        members.append(t.index)
        first, last = min(first, t.line), max(last, t.end_line)
    if members:
        segments.append(Segment(len(segments) + 1, None, first, last, tuple(members)))
    return tuple(segments)


def _by_headings(
    turns: Sequence[Turn], headings: list[tuple[int, str]], last_line: int
) -> tuple[Segment, ...]:
    # Each turn goes to the heading before it (one pass; a turn on a heading's line to none).
    starts = [line for line, _ in headings]
    ends = starts[1:] + [last_line + 1]
    before: list[tuple[int, int, int]] = []
    inside: list[list[tuple[int, int, int]]] = [[] for _ in headings]
    for t in turns:
        k = bisect.bisect_left(starts, t.line)
        if k == 0:
            if t.line < starts[0]:
                before.append((t.index, t.line, t.end_line))
        elif t.line < ends[k - 1]:
            inside[k - 1].append((t.index, t.line, t.end_line))
    segments: list[Segment] = []
    if before:
        segments.append(Segment(1, None, before[0][1], before[-1][2], tuple(i for i, _, _ in before)))
    for (line, title), members in zip(headings, inside):
        segments.append(
            Segment(
                index=len(segments) + 1,
                title=title,
                start_line=line,
                end_line=max([e for _, _, e in members], default=line),
                turns=tuple(i for i, _, _ in members),
                heading_line=line,
            )
        )
    return tuple(segments)
