"""The library API: the one set of calls the CLI, the tests and researchers all use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .errors import FocusshiftError, TranscriptError
from .formats import ReadOptions, read_bytes, read_path
from .lexicon import Lexicon, load_lexicon
from .model import Analysis, Transcript
from .scoring import find_shifts, score_segments, session_score


@dataclass
class Analyzer:
    """Holds the spaCy pipeline, the rules and the config, built once and reused per file."""

    config: Config = field(default_factory=load_config)
    lexicon_files: Sequence[str | Path] = ()
    model: str | None = None
    therapist: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    segment_by: str | None = None
    prefilter: bool = True
    _nlp: object = None
    _prefilter: object = None
    _lexicon: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon(list(self.lexicon_files))
        return self._lexicon

    @property
    def nlp(self):  # -> spacy.Language
        if self._nlp is None:
            from .pipeline.nlp import build_nlp

            self._nlp = build_nlp(self.model, self.lexicon_files)
        return self._nlp

    def _get_prefilter(self):
        """Only with the default pipeline: its lemma table is what the prefilter inverts."""
        if not self.prefilter or self.model is not None:
            return None
        if self._prefilter is None:
            from .pipeline.prefilter import Prefilter

            speech = [r for r in self.lexicon.markers.values() if r.source == "speech"]
            self._prefilter = Prefilter(speech)
        return self._prefilter

    def read_options(self) -> ReadOptions:
        therapist = tuple(self.therapist) + tuple(
            k for k, v in self.config.roles.items() if v == "therapist"
        )
        client = tuple(self.client) + tuple(k for k, v in self.config.roles.items() if v == "client")
        return ReadOptions(
            therapist=therapist,
            client=client,
            segment_by=self.segment_by or self.config.segment_by,
        )

    def read(self, path: str | Path) -> Transcript:
        return read_path(path, self.read_options())

    def read_bytes(self, data: bytes, name: str = "-") -> Transcript:
        return read_bytes(data, name, self.read_options())

    def analyze_transcript(self, transcript: Transcript) -> Analysis:
        """Detect, find shifts, score: the whole analysis of one parsed transcript."""
        from .pipeline.detect import detect

        events = detect(transcript, self.nlp, self.lexicon, self.config, self._get_prefilter())
        shifts = find_shifts(transcript.turns, events, self.config, transcript.segments)
        segments = score_segments(
            transcript.segments, transcript.turns, events, shifts, self.config
        )
        total, units, load = session_score(segments)
        return Analysis(
            transcript=transcript,
            events=events,
            segments=segments,
            shifts=shifts,
            score=total,
            units=units,
            load=load,
            config=self.config.as_dict(),
        )

    def analyze(self, path: str | Path) -> Analysis:
        return self.analyze_transcript(self.read(path))


def analyze(
    path: str | Path,
    *,
    config: Config | str | Path | None = None,
    model: str | None = None,
    lexicon_files: Sequence[str | Path] = (),
) -> Analysis:
    """Analyze one transcript file with default settings (builds a pipeline each call)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    return Analyzer(config=cfg, model=model, lexicon_files=lexicon_files).analyze(path)


def analyze_text(text: str, name: str = "<text>", analyzer: Analyzer | None = None) -> Analysis:
    """Analyze native-format text held in memory."""
    analyzer = analyzer or Analyzer()
    return analyzer.analyze_transcript(analyzer.read_bytes(text.encode("utf-8"), name))


SUPPORTED_SUFFIXES = (".txt",)


def discover(paths: Iterable[str | Path]) -> Iterator[str]:
    """Files to analyze, in order: files as given, folders as their sorted *.txt below."""
    for p in paths:
        sp = str(p)
        if sp == "-":
            yield sp
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(
                (f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES),
                key=lambda f: f.as_posix(),
            )
            yield from (str(f) for f in found)
        else:
            yield sp


@dataclass(frozen=True)
class Failure:
    """A file that could not be analyzed, with where and why."""

    path: str
    error: FocusshiftError

    @property
    def line(self) -> int | None:
        return self.error.line if isinstance(self.error, TranscriptError) else None

    @property
    def message(self) -> str:
        return self.error.message if isinstance(self.error, TranscriptError) else str(self.error)


def analyze_paths(
    paths: Iterable[str | Path], analyzer: Analyzer | None = None, stdin: bytes | None = None
) -> Iterator[Analysis | Failure]:
    """Yield an Analysis (or a Failure) per file, lazily, in input order."""
    analyzer = analyzer or Analyzer()
    for path in discover(paths):
        try:
            if path == "-":
                transcript = analyzer.read_bytes(stdin or b"", "-")
            else:
                transcript = analyzer.read(path)
            yield analyzer.analyze_transcript(transcript)
        except TranscriptError as exc:
            yield Failure(path, exc)
