"""Many files: in process, on a local process pool, or on a Dask cluster, in input order.

Results stream: files are handed out in chunks of consecutive files sized by
bytes (small at first, so that output starts soon; big in the middle, so that
tasks are few; small again at the end, so that no worker idles while another
finishes), at most a few chunks per worker are in flight, and each file's
results are handed on, in input order, as soon as it and every file before it
are done. So memory stays flat however many files there are, and JSON Lines or
CSV rows appear while the run goes on.

The local pool forks its workers after the parent has built the spaCy pipeline
and run it once (the classifier and every lazily built part are loaded), with
those objects frozen out of the garbage collector: the workers share them and
start at once. The parent then only hands out chunks and writes what comes
back, already shaped for the output by the workers (docs/parallel.md).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .api import Analyzer, Failure, analyzer_for, discover
from .options import Options
from .errors import TranscriptError
from .formats import load
from .model import Analysis
from .pipeline.split import frozen_objects

FileResult = list  # list[Analysis | Failure]: one file's sessions, or its failure
Chunk = list  # list[str]: consecutive input paths, handed out as one task


_WORKER: Analyzer | None = None


def _init_worker(options: Options) -> None:
    """Each worker builds the spaCy pipeline once; Ctrl-C and SIGTERM are the parent's to handle."""
    global _WORKER
    _ignore_sigint()
    _WORKER = Analyzer(options)
    _warm_up(_WORKER)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C and SIGTERM to the parent, which stops them (SIGKILL) and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


# A session that reaches every lazily loaded part (the pipeline, the rules, the caretaking classifier).
_WARM_UP = b"T: How have you been since last week?\nC: Are you okay? You look tired.\nT: I am fine, thank you.\n"


def _warm_up(analyzer: Analyzer) -> None:
    """Load now what the first file would load: done once before forking, the workers share it."""
    analyzer.nlp
    analyzer.analyze_file("<warm-up>", _WARM_UP)  # a Failure (odd --format, roles) is fine: nothing to keep


def analyze_one(
    analyzer: Analyzer, path: str, data: bytes | None = None, shape: Callable | None = None, workers: int = 1
) -> FileResult:
    """All sessions of one file, or its Failure: the unit of work everywhere.

    `shape` (a picklable function) turns each result into what the caller needs,
    in the worker, so that only that travels back. `workers` > 1 (in the parent
    only) lets a long session's detection be shared by forked processes.
    """
    results: list = analyzer.analyze_file(path, data, workers)
    return [shape(r) for r in results] if shape is not None else results


def _pool_chunk(paths: Chunk, shape: Callable | None = None) -> list[FileResult]:
    """One task on a local worker: several consecutive files, read here (no bytes travel)."""
    assert _WORKER is not None
    return [analyze_one(_WORKER, path, shape=shape) for path in paths]


# --------------------------------------------------------------------------- Dask workers

# One analyzer per worker process and options; a Dask worker runs tasks on several threads, and a
# spaCy pipeline (shared per process by build_nlp's cache, as is the caretaking classifier) must not
# be used by two threads at once: each task holds this lock while it analyzes. Threads of one worker
# gain nothing from running spaCy side by side anyway (the GIL); run one thread per worker process
# (dask worker --nworkers N --nthreads 1) to use N cores.
_DASK_ANALYZERS: dict[str, Analyzer] = {}
_DASK_LOCK = threading.Lock()


def _dask_chunk(options: Options, items: list[tuple[str, bytes]], shape: Callable | None = None
                ) -> list[FileResult]:
    """Runs on a Dask worker: the files' bytes came with the task (no shared file system needed)."""
    key = options.key()
    with _DASK_LOCK:
        analyzer = _DASK_ANALYZERS.get(key)
        if analyzer is None:
            analyzer = Analyzer(options)
            _warm_up(analyzer)
            _DASK_ANALYZERS[key] = analyzer
        return [analyze_one(analyzer, path, data, shape) for path, data in items]


def default_jobs() -> int:
    """FOCUSSHIFT_JOBS, else the machine's cores."""
    env = os.environ.get("FOCUSSHIFT_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


# --------------------------------------------------------------------------- chunks, in order

CHUNK_MIN_BYTES = 24 * 1024  # a task's fixed cost (a pickle, a pipe, a wake-up) is well under 1% of this much work
CHUNK_MAX_BYTES = 512 * 1024  # bounds the memory in flight (a window of these per worker) and the wait for output
CHUNK_MAX_FILES = 256
CHUNKS_PER_WORKER = 4  # a chunk is at most remaining/(workers*4) bytes: the last ones are small, no idle tail
WINDOW_PER_WORKER = 4  # chunks in flight per worker


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # the worker reports it


def chunks(files: list[str], sizes: list[int], workers: int) -> Iterator[Chunk]:
    """Consecutive files in chunks sized by bytes, in input order.

    Each chunk holds about remaining/(workers*CHUNKS_PER_WORKER) bytes ("guided"
    scheduling), within CHUNK_MIN_BYTES..CHUNK_MAX_BYTES and CHUNK_MAX_FILES
    files: big chunks while there is much left (few tasks), small ones at the
    end (the workers finish together). The first chunks start small and double
    (the first results come out soon). stdin ('-') is a chunk of its own (the
    parent reads it).
    """
    remaining = sum(sizes)
    chunk: Chunk = []
    have = 0
    target = 0
    ramp = CHUNK_MIN_BYTES
    for path, size in zip(files, sizes):
        if path == "-":
            if chunk:
                yield chunk
                chunk, have = [], 0
            yield [path]
            continue
        if not chunk:
            guided = remaining // (workers * CHUNKS_PER_WORKER)
            target = max(CHUNK_MIN_BYTES, min(CHUNK_MAX_BYTES, guided, ramp))
            ramp *= 2
        chunk.append(path)
        have += size
        remaining -= size
        if have >= target or len(chunk) >= CHUNK_MAX_FILES:
            yield chunk
            chunk, have = [], 0
    if chunk:
        yield chunk


def _ordered(submit: Callable[[Chunk], Future], work: Iterable[Chunk], window: int
             ) -> Iterator[tuple[str, FileResult]]:
    """Submit ahead at most `window` chunks; hand back (path, results) per file, in input order."""
    pending: deque[tuple[Chunk, Future]] = deque()
    it = iter(work)
    for chunk in it:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= window:
            break
    while pending:
        chunk, fut = pending.popleft()
        results = fut.result()
        nxt = next(it, None)  # keep the workers fed before the caller writes
        if nxt is not None:
            pending.append((nxt, submit(nxt)))
        yield from zip(chunk, results)


def _done(value: Any) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


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
        with _frozen_pipeline(analyzer, len(files) > 1):
            for path in files:
                yield path, analyze_one(analyzer, path, (stdin or b"") if path == "-" else None, shape, jobs)
        return
    yield from _run_pool(files, analyzer, jobs, stdin, shape)


@contextmanager
def _frozen_pipeline(analyzer: Analyzer, many: bool) -> Iterator[None]:
    """For a batch: the pipeline, rules and classifier loaded, then kept out of garbage collection.

    A full collection would otherwise walk the vocabulary, the lemma table and
    the rule tables (hundreds of thousands of objects that live as long as the
    process) again and again while the files are analysed.
    """
    if not many or gc.get_freeze_count():  # one file; or a caller froze objects itself
        yield
        return
    _warm_up(analyzer)
    with frozen_objects():
        yield


SMALL_BATCH_BYTES = 256 * 1024


def _small(files: list[str], jobs: int) -> bool:
    """Starting workers (each loads spaCy, ~2 s) costs more than a small batch saves."""
    real = [f for f in files if f != "-"]
    if len(real) <= 1:
        return True
    size = 0
    for f in real:
        size += _size(f)
        if size >= SMALL_BATCH_BYTES:
            return False
    return True


def _run_pool(
    files: list[str], analyzer: Analyzer, jobs: int, stdin: bytes | None, shape: Callable | None = None
) -> Iterator[tuple[str, FileResult]]:
    pool: ProcessPoolExecutor | None = None
    try:
        pool = _start_pool(analyzer, jobs)

        def submit(chunk: Chunk) -> Future:
            if chunk == ["-"]:  # stdin is only in this process
                return _done([analyze_one(analyzer, "-", stdin or b"", shape)])
            assert pool is not None
            return pool.submit(_pool_chunk, chunk, shape)

        sizes = [_size(f) if f != "-" else len(stdin or b"") for f in files]
        yield from _ordered(submit, chunks(files, sizes, jobs), window=jobs * WINDOW_PER_WORKER)
    except BaseException:
        # Ctrl-C, SIGTERM, a closed pipe or an abandoned generator: stop the workers
        # now, not after the queue drains.
        if pool is not None:
            _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _start_pool(analyzer: Analyzer, jobs: int) -> ProcessPoolExecutor:
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
        # "spawn" (or threads alive, which fork would not copy): workers start clean
        # and build their own pipeline.
        return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(analyzer.options,))
    # Build and warm up the pipeline once here and fork: the workers inherit it, so
    # none of them spends seconds importing spaCy, building it and loading the
    # classifier again.
    global _WORKER
    _warm_up(analyzer)
    _WORKER = analyzer
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_ignore_sigint)
    # Objects alive now stay out of the workers' garbage collections (frozen while they fork).
    with frozen_objects():
        try:
            pool.submit(int).result()  # with fork, the first submit starts every worker
        except BaseException:
            _stop(pool)
            raise
    return pool


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers at once (SIGKILL: they ignore SIGTERM, which is the parent's to handle)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.join(timeout=5)


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
        info = client.scheduler_info().get("workers", {})
        # Threads of one worker share its pipeline under a lock: processes are what run in parallel.
        workers = max(1, len(info))
        options = analyzer.options

        def submit(chunk: Chunk) -> Future:
            items: list[tuple[str, bytes]] = []
            failed: dict[int, FileResult] = {}
            for i, path in enumerate(chunk):
                if path == "-":
                    items.append((path, stdin or b""))
                    continue
                try:
                    items.append((path, load(path)))
                except TranscriptError as exc:  # as the local runs say it: "no such file", "cannot read: ..."
                    failed[i] = [shape(Failure(path, exc)) if shape else Failure(path, exc)]
            if not items:
                return _done([failed[i] for i in range(len(chunk))])
            # Data travel with the task: the workers need no shared file system.
            fut = client.submit(_dask_chunk, options, items, shape, pure=False)
            return _Merged(fut, failed, len(chunk)) if failed else fut

        sizes = [_size(f) if f != "-" else len(stdin or b"") for f in files]
        yield from _ordered(submit, chunks(files, sizes, workers), window=workers * WINDOW_PER_WORKER)
    finally:
        client.close()


class _Merged:
    """A Dask future's results with the files the parent could not read put back in their places."""

    def __init__(self, fut: Any, failed: dict[int, FileResult], n: int) -> None:
        self.fut, self.failed, self.n = fut, failed, n

    def result(self) -> list[FileResult]:
        done = iter(self.fut.result())
        return [self.failed[i] if i in self.failed else next(done) for i in range(self.n)]


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
