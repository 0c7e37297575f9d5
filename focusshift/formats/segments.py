"""Segments: a transcript's headings, or fixed runs of turns, or windows of time."""

from __future__ import annotations

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
    turns: list[Turn],
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
    if kind == "minutes":
        if not any(t.time is not None for t in turns):
            raise TranscriptError(
                path, None, f"--segment-by {rule} needs timestamps and this file has none"
            )
        keys = []
        current = 0.0
        for t in turns:
            if t.time is not None:
                current = t.time
            keys.append(int(current // (size * 60)))
    else:
        keys = []
        spoken = 0
        for t in turns:
            if t.is_note:
                # a note stays with the turn before it (or the first turns)
                keys.append(max(spoken - 1, 0) // int(size))
            else:
                keys.append(spoken // int(size))
                spoken += 1
    groups: list[list[Turn]] = []
    last_key: int | None = None
    for t, k in zip(turns, keys):
        if last_key is None or k != last_key:
            groups.append([])
            last_key = k
        groups[-1].append(t)
    return tuple(
        Segment(
            index=i + 1,
            title=None,
            start_line=min(t.line for t in g),
            end_line=max(t.end_line for t in g),
            turns=tuple(t.index for t in g),
        )
        for i, g in enumerate(groups)
    )


def _by_headings(
    turns: list[Turn], headings: list[tuple[int, str]], last_line: int
) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    first_heading = headings[0][0]
    before = [t for t in turns if t.line < first_heading]
    if before:
        segments.append(
            Segment(1, None, before[0].line, before[-1].end_line, tuple(t.index for t in before))
        )
    for i, (line, title) in enumerate(headings):
        nxt = headings[i + 1][0] if i + 1 < len(headings) else last_line + 1
        inside = [t for t in turns if line < t.line < nxt]
        end = max([t.end_line for t in inside], default=line)
        segments.append(
            Segment(
                index=len(segments) + 1,
                title=title,
                start_line=line,
                end_line=end,
                turns=tuple(t.index for t in inside),
                heading_line=line,
            )
        )
    return tuple(segments)
