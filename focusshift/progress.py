"""Progress inside one file: a long transcript reports how far analysis has got, not only when it ends.

The analysis functions call `tick(done, total, phase)` now and then; whoever
wants to show progress (the CLI's bar) installs a callback for the duration of
a run with `reporting(callback)`. With no callback installed a tick costs one
lookup. Worker processes have none: progress there is per file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The phases of one file's analysis and the share of its time each takes (roughly, on real sessions).
PHASES = {"detect": (0.0, 0.7), "model": (0.7, 1.0)}

_CALLBACK: ContextVar[Callable[[float], None] | None] = ContextVar("focusshift_progress", default=None)
_BEST: ContextVar[list[float] | None] = ContextVar("focusshift_progress_best", default=None)


def begin() -> None:
    """A new file starts: its progress counts from 0 again."""
    best = _BEST.get()
    if best is not None:
        best[0] = -1.0


def tick(done: int, total: int, phase: str) -> None:
    """Report that `done` of `total` units of `phase` are finished (never less than reported before)."""
    callback = _CALLBACK.get()
    best = _BEST.get()
    if callback is None or best is None or total <= 0:
        return
    start, end = PHASES.get(phase, (0.0, 1.0))
    fraction = start + (end - start) * min(1.0, done / total)
    if fraction > best[0]:
        best[0] = fraction
        callback(fraction)


@contextmanager
def reporting(callback: Callable[[float], None]) -> Iterator[None]:
    """Call `callback(fraction of the current file done)` while the block runs."""
    token = _CALLBACK.set(callback)
    best = _BEST.set([-1.0])
    try:
        yield
    finally:
        _CALLBACK.reset(token)
        _BEST.reset(best)


def silence() -> None:
    """This process shows no progress from now on (a forked worker: the bar is its parent's)."""
    _CALLBACK.set(None)

