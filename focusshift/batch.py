"""Many files: in process, on a local process pool, or on a Dask cluster, in input order.

Results stream: at most a few files per worker are in flight, and each file's
results are handed on, in input order, as soon as it and every file before it
are done. So memory stays flat however many files there are, and JSON Lines
or CSV rows appear while the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import Analyzer, Failure, analyzer_for, discover
from .options import Options
from .errors import TranscriptError
from .model import Analysis

FileResult = list  # list[Analysis | Failure]: one file's sessions, or its failure


_WORKER: Analyzer | None = None
_WORKERS_BY_SETTINGS: dict[str, Analyzer] = {}


def _init_worker(options: Options) -> None:
    """Each worker builds the spaCy pipeline once; Ctrl-C and SIGTERM are the parent's to handle."""
    global _WORKER
    _ignore_sigint()
    _WORKER = Analyzer(options)
    _WORKER.nlp  # build now, not on the first file


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C and SIGTERM to the parent, which stops them (SIGKILL) and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def analyze_one(
    analyzer: Analyzer, path: str, data: bytes | None = None, shape: Callable | None = None
) -> FileResult:
    """All sessions of one file, or its Failure: the unit of work everywhere.

    `shape` (a picklable function) turns each result into what the caller needs,
    in the worker, so that only that travels back.
    """
    results: list = analyzer.analyze_file(path, data)
    return [shape(r) for r in results] if shape is not None else results


def _pool_task(path: str, shape: Callable | None = None) -> FileResult:
    assert _WORKER is not None
    return analyze_one(_WORKER, path, shape=shape)


def _dask_task(options: Options, path: str, data: bytes, shape: Callable | None = None) -> FileResult:
    """Runs on a Dask worker: the analyzer is built once per worker process and options (its key)."""
    key = options.key()
    analyzer = _WORKERS_BY_SETTINGS.get(key)
    if analyzer is None:
        analyzer = _WORKERS_BY_SETTINGS[key] = Analyzer(options)
    return analyze_one(analyzer, path, data, shape)


def default_jobs() -> int:
    """FOCUSSHIFT_JOBS, else the machine's cores."""
    env = os.environ.get("FOCUSSHIFT_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


def _ordered(submit: Callable[[str], Future], paths: Iterable[str], window: int) -> Iterator[tuple[str, Future]]:
    """Submit ahead at most `window` files; hand back (path, future) in input order."""
    pending: deque[tuple[str, Future]] = deque()
    it = iter(paths)
    for path in it:
        pending.append((path, submit(path)))
        if len(pending) >= window:
            break
    while pending:
        path, fut = pending.popleft()
        yield path, fut
        nxt = next(it, None)
        if nxt is not None:
            pending.append((nxt, submit(nxt)))


def run(
    paths: Iterable[str | Path],
    analyzer: Analyzer,
    *,
    jobs: int = 1,
    glob: str | None = None,
    stdin: bytes | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    shape: Callable | None = None,
) -> Iterator[tuple[str, FileResult]]:
    """(path, results) per file, in input order, computed by the chosen executor."""
    files = list(discover(paths, glob))
    if executor == "dask":
        yield from _run_dask(files, analyzer, scheduler, stdin, shape)
        return
    if jobs <= 1 or _small(files, jobs):
        for path in files:
            yield path, analyze_one(analyzer, path, (stdin or b"") if path == "-" else None, shape)
        return
    yield from _run_pool(files, analyzer, jobs, stdin, shape)


SMALL_BATCH_BYTES = 256 * 1024


def _small(files: list[str], jobs: int) -> bool:
    """Starting workers (each loads spaCy, ~2 s) costs more than a small batch saves."""
    real = [f for f in files if f != "-"]
    if len(real) <= 1:
        return True
    size = 0
    for f in real:
        try:
            size += os.path.getsize(f)
        except OSError:
            pass
        if size >= SMALL_BATCH_BYTES:
            return False
    return True


def _run_pool(
    files: list[str], analyzer: Analyzer, jobs: int, stdin: bytes | None, shape: Callable | None = None
) -> Iterator[tuple[str, FileResult]]:
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        # Build the pipeline once here and fork: the workers inherit it, so none of
        # them spends two seconds importing spaCy and building it again. (Only with
        # no other thread alive, since fork copies just the calling thread.)
        global _WORKER
        analyzer.nlp
        _WORKER = analyzer
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_sigint
        )
    else:
        # "spawn": workers start clean and build their own pipeline.
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(analyzer.options,),
        )
    done: Future
    try:
        def submit(path: str) -> Future:
            if path == "-":  # stdin is only in this process
                f: Future = Future()
                f.set_result(analyze_one(analyzer, path, stdin or b"", shape))
                return f
            return pool.submit(_pool_task, path, shape)

        for path, done in _ordered(submit, files, window=jobs * 4):
            yield path, done.result()
    except BaseException:
        # Ctrl-C, a closed pipe or an abandoned generator: stop the workers now,
        # not after the queue drains.
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.kill()  # workers ignore SIGTERM (a signal to the whole group is the parent's)
        for proc in procs:
            proc.join(timeout=5)
        raise
    else:
        pool.shutdown(wait=True)


def _run_dask(
    files: list[str], analyzer: Analyzer, scheduler: str | None, stdin: bytes | None,
    shape: Callable | None = None,
) -> Iterator[tuple[str, FileResult]]:
    try:
        from dask.distributed import Client
    except ImportError:
        from .errors import FocusshiftError

        raise FocusshiftError(
            "--executor dask needs the dask extra: pip install 'focusshift[dask]'"
        ) from None
    from .errors import FocusshiftError

    if not scheduler:
        raise FocusshiftError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise FocusshiftError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(path: str) -> Future:
            if path == "-":
                data = stdin or b""
            else:
                try:
                    data = Path(path).read_bytes()
                except OSError as exc:
                    f: Future = Future()
                    failure = Failure(path, TranscriptError(path, None, f"cannot read: {exc.strerror or exc}"))
                    f.set_result([shape(failure) if shape else failure])
                    return f
            # Data travels with the task: the workers need no shared file system.
            return client.submit(_dask_task, analyzer.options, path, data, shape, pure=False)

        for path, fut in _ordered(submit, files, window=workers * 4):
            yield path, fut.result()
    finally:
        client.close()


def analyze_many(
    paths: Iterable[str | Path],
    options: Options | None = None,
    *,
    jobs: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    glob: str | None = None,
    stdin: bytes | None = None,
    **settings: Any,
) -> Iterator[Analysis | Failure]:
    """Every session of every file (folders expanded), in input order, on `jobs` processes or Dask.

    A file that cannot be read comes back as a Failure; the others go on.
    Settings as Options' fields (detector="rules") apply over `options`.
    """
    analyzer = analyzer_for(options, **settings)
    for _path, results in run(paths, analyzer, jobs=jobs, glob=glob, stdin=stdin, executor=executor,
                                    scheduler=scheduler):
        yield from results


def results_only(stream: Iterator[tuple[str, FileResult]]) -> Iterator[Analysis | Failure]:
    for _, results in stream:
        yield from results
