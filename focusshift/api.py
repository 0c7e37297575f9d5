"""The library API: the one set of calls the CLI, the tests and researchers all use."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .errors import InternalError, TranscriptError
from .failure import Failure
from .options import Options
from .formats import ReadOptions, load, read_all, supported_suffixes
from .lexicon import Lexicon
from .model import Analysis, Transcript
from .scoring import find_shifts, score_segments, session_score
from .timeshare import session_time
from .turntable import TurnTable, give_back_memory


class Analyzer:
    """Holds the spaCy pipeline and the rules for one Options: built once, reused for every file.

        Analyzer()                                   # the defaults
        Analyzer(Options.create("my.toml", detector="rules"))
        Analyzer(detector="rules", timeout=30)       # the defaults with these settings
    """

    def __init__(self, options: Options | None = None, **settings: Any) -> None:
        if "config" in settings and not isinstance(settings["config"], Config):
            settings["config"] = load_config(settings["config"])
        base = options or Options()
        self.options: Options = replace(base, **settings) if settings else base
        self._nlp: Any = None

    def __getattr__(self, name: str) -> Any:
        """The settings read as attributes: analyzer.detector is analyzer.options.detector."""
        options = self.__dict__.get("options")
        if options is not None and name in Options.__dataclass_fields__:
            return getattr(options, name)
        raise AttributeError(name)

    @property
    def lexicon(self) -> Lexicon:
        """The rules in force: the pipeline's own once it is built (a saved pipeline keeps its rules)."""
        if self._nlp is not None:
            from .pipeline.components import focusshift_pipes

            return focusshift_pipes(self._nlp)[0].ensure_rules()
        from .pipeline.rules import rules_for

        return rules_for(self.options.lexicon_files)

    @property
    def nlp(self):  # -> spacy.Language
        if self._nlp is None:
            from .pipeline.nlp import build_nlp

            self._nlp = build_nlp(self.options.model, self.options.lexicon_files)
        return self._nlp

    def read_options(self) -> ReadOptions:
        therapist = tuple(self.therapist) + tuple(
            k for k, v in self.config.roles.items() if v == "therapist"
        )
        client = tuple(self.client) + tuple(k for k, v in self.config.roles.items() if v == "client")
        return ReadOptions(
            therapist=therapist,
            client=client,
            segment_by=self.segment_by or self.config.segment_by,
            input_format=self.input_format,
            columns=tuple(self.columns),
            infer_roles=self.infer_roles,
            encoding=self.encoding,
        )

    def read_all(self, path: str | Path, data: bytes | None = None) -> list[Transcript]:
        """Every session in one input, whatever its format."""
        raw = load(path) if data is None else data
        return read_all(raw, str(path), self.read_options())

    def read(self, path: str | Path) -> Transcript:
        found = self.read_all(path)
        if len(found) != 1:
            raise TranscriptError(str(path), None, f"holds {len(found)} sessions; use read_all()")
        return found[0]

    def read_bytes(self, data: bytes, name: str = "-") -> Transcript:
        found = self.read_all(name, data)
        if len(found) != 1:
            raise TranscriptError(name, None, f"holds {len(found)} sessions; use read_all()")
        return found[0]

    def analyze_transcript(self, transcript: Transcript, workers: int = 1) -> Analysis:
        """Detect, find shifts, score: the whole analysis of one parsed transcript.

        `workers` > 1 lets a long session's detection be shared by that many forked
        processes (see docs/parallel.md): the same result, sooner."""
        from .pipeline.detect import find_events
        from .progress import begin

        begin()
        events = find_events(transcript, self.nlp, self.config, prefilter=self.prefilter, workers=workers)
        if self.detector != "rules":
            own = frozenset(rid for rid, r in self.lexicon.markers.items()
                            if not r.origin.startswith("focusshift/lexicon/data/"))
            events = with_model(transcript, events, self.detector, self.config, own, workers)
        if self.min_confidence > 0:
            events = tuple(e for e in events if e.confidence is None or e.confidence >= self.min_confidence)
        shifts = find_shifts(transcript.turns, events, self.config, transcript.segments)
        segments = score_segments(
            transcript.segments, transcript.turns, events, shifts, self.config
        )
        total: float | None
        total, units, load = session_score(segments)
        assessable, reason = transcript.assessable, transcript.unassessed_reason
        if not assessable:
            # Never a score for a session whose parties are unknown: 100 would read as "all clear".
            segments = tuple(replace(s, score=None) for s in segments)
            total = None
        time = session_time(transcript.turns, events, shifts) if assessable else None
        return Analysis(
            transcript=transcript,
            events=events,
            segments=segments,
            shifts=shifts,
            score=total,
            units=units,
            load=load,
            # the settings in force: --segment-by overrides the config file's segmentation
            config=replace(self.config, segment_by=self.segment_by or self.config.segment_by).as_dict(),
            assessable=assessable,
            reason=reason,
            time=time,
        )

    def analyze(self, path: str | Path) -> Analysis:
        return self.analyze_transcript(self.read(path))

    def analyze_file(self, path: str | Path, data: bytes | None = None, workers: int = 1
                     ) -> list[Analysis | Failure]:
        """Every session of one file, or one Failure: nothing one file does can stop a batch.

        A file that cannot be read, that takes longer than `timeout` seconds, or
        that meets a bug of ours becomes that file's Failure, with the file and
        line where known; the caller goes on with the next file.
        """
        return self._isolated(path, lambda: [self.analyze_transcript(t, workers)
                                             for t in self._read_long(path, data)])

    def _read_long(self, path: str | Path, data: bytes | None) -> list[Transcript]:
        """read_all; after a long session, the memory reading it freed is given back before analysis."""
        found = self.read_all(path, data)
        if any(isinstance(t.turns, TurnTable) for t in found):
            give_back_memory()
        return found

    def read_file(self, path: str | Path, data: bytes | None = None) -> list[Transcript | Failure]:
        """Every session of one file, parsed only, or one Failure (isolated as analyze_file is)."""
        return self._isolated(path, lambda: self.read_all(path, data))

    def _isolated(self, path: str | Path, work: Any) -> list:
        name = str(path)
        try:
            with time_budget(self.timeout):
                return work()
        except TranscriptError as exc:
            return [Failure(name, exc)]
        except _OverBudget:
            return [Failure(name, TranscriptError(
                name, None, f"took longer than {self.timeout:g} s and was skipped (--timeout); "
                "raise --timeout, or report the file if it is small"))]
        except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
            raise
        except Exception as exc:  # a bug of ours: this file fails, the others go on
            import traceback

            return [Failure(name, InternalError(
                name, f"internal error ({type(exc).__name__}: {exc}); please report it; "
                "--debug shows the traceback", traceback.format_exc()))]


_ANALYZERS: dict[str, Analyzer] = {}


def analyzer_for(options: Options | None = None, **settings: Any) -> Analyzer:
    """The Analyzer for these options, built once per process (keyed by Options.key())."""
    opts = Options.create(**settings) if options is None and settings else (options or Options())
    if options is not None and settings:
        opts = replace(options, **settings)
    key = opts.key()
    if key not in _ANALYZERS:
        _ANALYZERS[key] = Analyzer(opts)
    return _ANALYZERS[key]


def analyze(path: str | Path, options: Options | None = None, **settings: Any) -> Analysis:
    """Analyze one transcript file (one session); settings as Options' fields, e.g. detector="rules"."""
    return analyzer_for(options, **settings).analyze(path)


def analyze_text(text: str, name: str = "<text>", analyzer: Analyzer | None = None) -> Analysis:
    """Analyze native-format text held in memory."""
    analyzer = analyzer or Analyzer()
    return analyzer.analyze_transcript(analyzer.read_bytes(text.encode("utf-8"), name))


def discover(paths: Iterable[str | Path], glob: str | None = None) -> Iterator[str]:
    """Files to analyze, in order: files as given, folders as their sorted supported files below.

    A folder yields every file with a supported extension (.txt, .vtt, .srt,
    .cha, .csv, .tsv, .json, .jsonl, .docx ...); `glob` (e.g. "*.vtt" or
    "2024-*/*.txt") narrows that to the files whose path below the folder matches.
    """
    suffixes = set(supported_suffixes())
    for p in paths:
        sp = str(p)
        if sp == "-":
            yield sp
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(
                (f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in suffixes
                 and not any(part.startswith(".") for part in f.relative_to(path).parts)),
                key=lambda f: f.as_posix(),
            )
            for f in found:
                rel = f.relative_to(path)
                if glob and not (rel.match(glob) or fnmatch.fnmatch(rel.as_posix(), glob)):
                    continue
                yield str(f)
        else:
            yield sp


def with_model(transcript: Transcript, events: tuple, detector: str, config: Config,
               user_rules: frozenset[str] = frozenset(), workers: int = 1) -> tuple:
    """Add the classifier's caretaking ('both'), or let it replace the rules' caretaking ('model');
    `workers` > 1 shares a long session's scoring between forked processes."""
    from .model import CLIENT_CARETAKING
    from .pipeline.model import model_events

    from .pipeline.model import load_classifier

    # The veto needs the probability of the lines with rule caretaking only.
    veto_lines = {(e.turn, e.line) for e in events if e.category == CLIENT_CARETAKING}
    found, probs = model_events(transcript, events, config.weight(CLIENT_CARETAKING, "model"), veto_lines, workers)
    if detector == "model":
        kept = [e for e in events if e.category != CLIENT_CARETAKING]
    else:
        # A rule's caretaking the classifier finds implausible in its context is dropped
        # (a quoted "are you okay", a parent soothing a child in a family session).
        veto = load_classifier()[1]["veto"]
        kept = [e for e in events if e.category != CLIENT_CARETAKING or e.rule in user_rules
                or probs.get((e.turn, e.line), 1.0) >= veto]  # a user's own rule is never vetoed
        taken = {(e.turn, e.line) for e in kept if e.category == CLIENT_CARETAKING}
        found = [e for e in found if (e.turn, e.line) not in taken]  # a rule already names it
    return tuple(sorted([*kept, *found], key=lambda e: (e.line, e.span[0], e.category, e.rule)))


class _OverBudget(BaseException):
    """Raised by the per-file alarm; a BaseException so that no reader's `except Exception` swallows it."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Interrupt the work inside after `seconds`.

    In a process's main thread (POSIX) an alarm signal does it, and Python's
    regular-expression engine checks for signals while it matches, so even a
    backtracking pattern is interrupted. In any other thread (a Dask worker's
    tasks, a caller's thread pool) a timer raises the interruption in that
    thread, which Python delivers between two steps of Python code: a single
    long call into C (one regular-expression match) ends first.
    """
    import signal
    import threading

    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        with _thread_budget(seconds):
            yield
        return
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):  # noqa: ARG001
        raise _OverBudget()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_budget(seconds: float) -> Iterator[None]:
    """time_budget off the main thread: a timer thread raises _OverBudget in this one, and never
    once the block is left (an interruption set but not yet raised then is withdrawn)."""
    import ctypes
    import threading

    set_async = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async is None:  # not CPython: no budget, as before
        yield
        return
    target = ctypes.c_ulong(threading.get_ident())
    left = [False]
    lock = threading.Lock()

    def expire() -> None:
        with lock:
            if not left[0]:
                set_async(target, ctypes.py_object(_OverBudget))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            left[0] = True
            set_async(target, None)
        timer.cancel()


def analyze_paths(
    paths: Iterable[str | Path],
    analyzer: Analyzer | None = None,
    stdin: bytes | None = None,
    glob: str | None = None,
    skip: Iterable[str | Path] = (),
) -> Iterator[Analysis | Failure]:
    """Yield an Analysis per session (or a Failure per unreadable file), lazily, in input order.

    `skip` names files found in folders that are not transcripts (a gold file).
    """
    analyzer = analyzer or Analyzer()
    skipped = {Path(p).resolve() for p in skip}
    for path in discover(paths, glob):
        if skipped and path != "-" and Path(path).resolve() in skipped:
            continue
        yield from analyzer.analyze_file(path, (stdin or b"") if path == "-" else None)
