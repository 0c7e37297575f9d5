"""focusshift: where a therapy session stopped being about the client.

    >>> import focusshift
    >>> analysis = focusshift.analyze("session.txt")
    >>> analysis.score, [s.score for s in analysis.segments]

Importing focusshift does not import spaCy; the pipeline is built on first use.
"""

from __future__ import annotations

from .api import Analyzer, Failure, analyze, analyze_paths, analyze_text, discover
from .config import Config, load_config
from .errors import ConfigError, FocusshiftError, LexiconError, TranscriptError
from .formats import ReadOptions, read_path
from .lexicon import load_lexicon
from .model import Analysis, Annotation, Event, Segment, SegmentScore, Shift, Transcript, Turn

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Analyzer",
    "Annotation",
    "Config",
    "ConfigError",
    "Event",
    "Failure",
    "FocusshiftError",
    "LexiconError",
    "ReadOptions",
    "Segment",
    "SegmentScore",
    "Shift",
    "Transcript",
    "TranscriptError",
    "Turn",
    "__version__",
    "analyze",
    "analyze_paths",
    "analyze_text",
    "discover",
    "load_config",
    "load_lexicon",
    "read_path",
]
