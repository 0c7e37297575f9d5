"""One long session's work shared by forked workers: its turns cut into consecutive parts.

Rule detection's first pass and the classifier's scoring look at one turn (with
context that is already computed) at a time, so a long session's turns can be
cut into parts, each done by a forked copy of this process, and the parts'
results joined in turn order: exactly what one process finds. Everything that
looks across the whole session (roles, the conversation rules, shifts, scores)
stays in the parent. See docs/parallel.md.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..progress import silence, tick

SPLIT_FROM = 20000  # turns: below this, starting workers costs more than they save
_STATE: Any = None  # what the forked workers read (set in the parent just before they fork)


def can_split(workers: int, size: int) -> bool:
    """Whether a session of `size` turns may be shared by `workers` forked processes.

    Only in a top-level process's only thread, where fork exists: fork copies no
    other thread, and a pool worker, a Dask worker or a caller's thread pool runs alone.
    """
    return (workers > 1 and size >= SPLIT_FROM and "fork" in multiprocessing.get_all_start_methods()
            and multiprocessing.parent_process() is None and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


def state() -> Any:
    """In a worker: what the parent shared."""
    return _STATE


@contextmanager
def frozen_objects() -> Iterator[None]:
    """The objects alive now kept out of garbage collection while the block runs.

    A forked worker's collections would otherwise write to (and so copy) the pages
    it shares with its parent, and a long batch's would walk the pipeline's tables
    again and again. A caller that froze objects itself keeps them frozen.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _quiet_worker() -> None:
    """A forked worker shows no progress (the bar is its parent's) and leaves Ctrl-C to the parent."""
    silence()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def shared_map(work: Callable[[tuple[int, int]], Any], size: int, workers: int, shared: Any,
               phase: str) -> Iterator[Any]:
    """work((start, stop)) for consecutive parts of range(size), run by `workers` forked processes
    that see `shared` through state(); the results in order, as they come.

    An interruption (--timeout, Ctrl-C) or a failure stops the workers at once;
    where no process can be started, this one does every part (the same results).
    """
    global _STATE
    parts = workers * 4  # small parts at the end: the workers finish together
    bounds = [(size * k // parts, size * (k + 1) // parts) for k in range(parts)]
    _STATE = shared
    try:
        with frozen_objects():
            try:
                pool = multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker)
            except OSError:  # no process to be had (a limit on processes or memory): this one does every part
                for part in bounds:
                    yield work(part)
                    tick(part[1], size, phase)
                return
            try:
                for (_, stop), result in zip(bounds, pool.imap(work, bounds)):
                    tick(stop, size, phase)
                    yield result
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
    finally:
        _STATE = None
