"""The report's timeline chart as view data: where each column, band and dot goes.

`chart(analysis, ids)` only computes geometry and labels; templates/chart.html
draws the inline SVG from it. One x step per turn; a column per segment whose
height is its score (a dashed box when not assessed); the events as dots in one
lane per category; focus shifts shaded across lanes and columns, each over the
stretch given to the therapist (focusshift.timeshare), labelled with its time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, THERAPIST_REPAIR, Analysis
from ..timeshare import clock
from .bands import band_name, thresholds
from .labels import category_class, event_why, segment_name

WIDTH = 960
LEFT = 132  # room for the lane labels
RIGHT = 16
LANES = ((THERAPIST_EMOTION, 24, "Therapist emotion"), (CLIENT_CARETAKING, 46, "Client caretaking"),
         (THERAPIST_REPAIR, 68, "Therapist repair"))
TOP = 100  # top of the score area (score 100)
PLOT_H = 150  # height of the score area
BOTTOM = TOP + PLOT_H
HEIGHT = BOTTOM + 44
LABEL_MIN_WIDTH = 30  # narrower columns go without their number and score


@dataclass(frozen=True)
class Lane:
    y: int
    label: str


@dataclass(frozen=True)
class Gridline:
    value: float  # score
    y: float
    axis: bool  # the 0 line


@dataclass(frozen=True)
class Column:
    index: int
    name: str
    start_line: int
    end_line: int
    score: float | None  # None: not assessed
    band: str
    load: float
    units: int
    x0: float
    x1: float
    height: float  # of the score column (0 when not assessed)

    @property
    def width(self) -> float:
        return max(self.x1 - self.x0, 1.0)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def labelled(self) -> bool:
        return self.width >= LABEL_MIN_WIDTH


@dataclass(frozen=True)
class ShiftBand:
    number: int
    start_line: int
    end_line: int | None
    x0: float
    x1: float
    given: str | None = None  # the time it took from the client ("34 s", "about 34 s"); None when not assessed
    turns: int | None = None  # its turns (timeshare's count)

    @property
    def width(self) -> float:
        return max(self.x1 - self.x0, 2)

    @property
    def label(self) -> str:
        """'shift 1 · 34 s' where the band is wide enough for it, else 'shift 1'."""
        short = f"shift {self.number}"
        full = f"{short} · {self.given}" if self.given else short
        return full if self.width >= 6 * len(full) else short


@dataclass(frozen=True)
class Dot:
    event: int  # the event's id: links to #ev-N
    category: str  # te / cc / rp / ot
    cx: float
    cy: int
    title: str


@dataclass(frozen=True)
class Chart:
    lanes: tuple[Lane, ...]
    gridlines: tuple[Gridline, ...]
    columns: tuple[Column, ...]
    shifts: tuple[ShiftBand, ...]
    dots: tuple[Dot, ...]
    n_segments: int
    n_events: int
    n_shifts: int
    empty: bool  # no turns at all
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    plot_h: int = PLOT_H
    bottom: int = BOTTOM


def chart(a: Analysis, ids: dict[int, int]) -> Chart:
    """The chart of one analysis; `ids` maps id(event) to the event's number on the page."""
    turns = a.transcript.turns
    n = max(1, len(turns))
    pos = {turn.index: i for i, turn in enumerate(turns)}
    step = (WIDTH - LEFT - RIGHT) / n

    gridlines = tuple(Gridline(v, BOTTOM - v / 100 * PLOT_H, v == 0) for v in (100, *thresholds(), 0))

    columns = []
    for s in a.segments:
        seg = s.segment
        members = [m for m in seg.turns if m in pos]
        if not members:
            continue
        lo, hi = min(pos[m] for m in members), max(pos[m] for m in members)
        x0, x1 = LEFT + lo * step + 1, LEFT + (hi + 1) * step - 1
        height = 0.0 if s.score is None else max(0.0, min(100.0, s.score)) / 100 * PLOT_H
        columns.append(Column(seg.index, segment_name(seg.title, seg.start_line, seg.end_line), seg.start_line,
                              seg.end_line, s.score, band_name(s.score), s.load, s.units, x0, x1, height))

    shifts = []
    episodes = a.time.episodes if a.time is not None else (None,) * len(a.shifts)
    for k, (sh, ep) in enumerate(zip(a.shifts, episodes), 1):
        if ep is not None and ep.members:
            # the stretch given to the therapist, as timeshare measures it: up to the turn that ends it
            members = list(ep.members)
        else:
            members = [sh.start_turn, *sh.turns] + ([sh.end_turn] if sh.end_turn is not None else [])
        members = [m for m in members if m in pos]
        if not members:
            continue
        lo, hi = min(pos[m] for m in members), max(pos[m] for m in members)
        given = None if ep is None else ("about " if ep.span.estimated else "") + clock(ep.span.seconds)
        shifts.append(ShiftBand(k, sh.start_line, sh.end_line, LEFT + lo * step, LEFT + (hi + 1) * step,
                                given, None if ep is None else ep.span.turns))

    lane_y = {cat: y for cat, y, _ in LANES}
    seen: dict[tuple[str, int], int] = {}
    dots = []
    for e in a.events:
        key = (e.category, e.turn)
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        dx = min(nth * 3.0, max(step / 2 - 3, 0))  # fan out several events of one turn a little
        cx = LEFT + (pos.get(e.turn, 0) + 0.5) * step + dx
        dots.append(Dot(ids[id(e)], category_class(e.category), cx, lane_y.get(e.category, LANES[-1][1]),
                        event_why(e)))

    return Chart(
        lanes=tuple(Lane(y, label) for _cat, y, label in LANES),
        gridlines=gridlines,
        columns=tuple(columns),
        shifts=tuple(shifts),
        dots=tuple(dots),
        n_segments=len(a.segments),
        n_events=len(a.events),
        n_shifts=len(a.shifts),
        empty=not turns,
    )
