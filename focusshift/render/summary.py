"""The corpus summary that ends a multi-file table: small, bounded state, filled as files finish."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..model import Analysis

_KEEP = 5


@dataclass
class CorpusSummary:
    """Aggregates over sessions without keeping the sessions themselves."""

    sessions: int = 0
    segments: int = 0
    with_shifts: int = 0
    shifts: int = 0
    units: int = 0
    load: float = 0.0
    subtypes: Counter = field(default_factory=Counter)
    _low_sessions: list = field(default_factory=list)  # max-heap by -score of the lowest
    _low_segments: list = field(default_factory=list)
    _n: int = 0

    unassessed: int = 0
    _unassessed_paths: list = field(default_factory=list)
    # time over the assessed sessions (focusshift.timeshare)
    session_seconds: float = 0.0
    therapist_seconds: float = 0.0
    time_estimated: bool = False

    def add(self, a: Analysis) -> None:
        self.sessions += 1
        self.segments += len(a.segments)
        if a.score is None:
            # not assessed: counted and listed, never averaged in as if all were well
            self.unassessed += 1
            if len(self._unassessed_paths) < _KEEP:
                self._unassessed_paths.append((a.transcript.path, a.reason))
            for e in a.events:
                self.subtypes[f"{e.category}/{e.subtype}"] += 1
            return
        if a.time is not None:
            self.session_seconds += a.time.session.seconds
            self.therapist_seconds += a.time.to_therapist.seconds
            self.time_estimated = self.time_estimated or a.time.estimated
        self.shifts += len(a.shifts)
        self.with_shifts += bool(a.shifts)
        self.units += a.units
        self.load += a.load
        for e in a.events:
            self.subtypes[f"{e.category}/{e.subtype}"] += 1
        self._n += 1
        self._push(self._low_sessions, a.score, (a.transcript.path, len(a.shifts)))
        for s in a.segments:
            self._n += 1
            name = s.segment.title or f"lines {s.segment.start_line}-{s.segment.end_line}"
            self._push(self._low_segments, s.score, (a.transcript.path, s.segment.index, name))

    def time_sentence(self, assessed: int) -> str:
        """'about 12 min of 9 h 40 min (2 %) went to the therapist over 11 assessed sessions'."""
        from ..timeshare import clock, percent

        approx = "about " if self.time_estimated else ""
        share = self.therapist_seconds / self.session_seconds if self.session_seconds > 0 else 0.0
        over = f"over {assessed} assessed session{'' if assessed == 1 else 's'}"
        if self.therapist_seconds <= 0:
            return f"none of {approx}{clock(self.session_seconds)} went to the therapist {over}"
        return (f"{approx}{clock(self.therapist_seconds)} of {clock(self.session_seconds)} "
                f"({percent(min(1.0, share))}) went to the therapist {over}")

    def _push(self, heap: list, score: float, item: tuple) -> None:
        entry = (-score, -self._n, item)  # keep the lowest scores; ties: the earlier one
        if len(heap) < _KEEP:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)

    @staticmethod
    def _sorted(heap: list) -> list:
        return [(-neg, item) for neg, _, item in sorted(heap, key=lambda e: (-e[0], -e[1]))]

    def render(self, *, text: bool = True) -> Group:
        score = 100.0 * (1 - self.load / self.units) if self.units else 100.0
        assessed = self.sessions - self.unassessed
        parts: list = [
            Text("corpus summary", style="bold"),
            Text(
                f"  {self.sessions} sessions, {self.segments} segments, "
                + (f"corpus score {score:.1f}" if assessed else "no session assessed")
                + f"; {self.with_shifts} session(s) with focus shifts ({self.shifts} shifts)"
            ),
        ]
        if assessed:
            parts.append(Text(f"  time: {self.time_sentence(assessed)}"))
        if self.unassessed:
            parts.append(Text(f"  {self.unassessed} session(s) NOT ASSESSED (no therapist or no client found); "
                              "not in the corpus score", style="bold red"))
            for path, reason in self._unassessed_paths:
                parts.append(Text(f"    {path}: {reason}", style="red"))
            if self.unassessed > len(self._unassessed_paths):
                parts.append(Text(f"    ... and {self.unassessed - len(self._unassessed_paths)} more", style="red"))
        low = Table(title="lowest-scoring sessions", title_justify="left", show_edge=False, header_style="bold")
        low.add_column("score", justify="right")
        low.add_column("session", overflow="fold")
        low.add_column("shifts", justify="right")
        for sc, (path, shifts) in self._sorted(self._low_sessions):
            low.add_row(f"{sc:.1f}", path, str(shifts))
        parts.append(low)
        seg = Table(title="lowest-scoring segments", title_justify="left", show_edge=False, header_style="bold")
        seg.add_column("score", justify="right")
        seg.add_column("session", overflow="fold")
        seg.add_column("#", justify="right")
        seg.add_column("segment")
        for sc, (path, index, name) in self._sorted(self._low_segments):
            seg.add_row(f"{sc:.1f}", path, str(index), name if text else "")
        parts.append(seg)
        if self.subtypes:
            ev = Table(title="events by subtype", title_justify="left", show_edge=False, header_style="bold")
            ev.add_column("subtype")
            ev.add_column("events", justify="right")
            for name, n in sorted(self.subtypes.items(), key=lambda kv: (-kv[1], kv[0])):
                ev.add_row(name, str(n))
            parts.append(ev)
        else:
            parts.append(Text("  no events", style="dim"))
        return Group(*parts)
