"""focusshift: where a therapy session stopped being about the client.

    >>> import focusshift
    >>> analysis = focusshift.analyze("session.txt")
    >>> analysis.score, [s.score for s in analysis.segments]

Importing focusshift does not import spaCy; the pipeline is built on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The public API, imported on first use (PEP 562) so that `focusshift --help`
# does not pay for modules it does not need.
_EXPORTS = {
    "Analyzer": "api", "Failure": "api", "analyze": "api", "analyze_paths": "api",
    "analyze_text": "api", "analyzer_for": "api", "discover": "api",
    "Options": "options", "analyze_many": "batch", "caseload": "caseloads", "Caseload": "caseloads",
    "validate": "validation", "evaluate": "evaluation", "Evaluation": "evaluation",
    "write_report": "report", "write_results": "writers",
    "to_rows": "frames", "to_frame": "frames",
    "find_events": "pipeline.detect", "build_nlp": "pipeline.nlp",
    "Config": "config", "load_config": "config",
    "ConfigError": "errors", "FocusshiftError": "errors", "LexiconError": "errors",
    "TranscriptError": "errors",
    "ReadOptions": "formats", "read_path": "formats", "read_all": "formats",
    "load_lexicon": "lexicon",
    "Analysis": "model", "Annotation": "model", "Event": "model", "Segment": "model",
    "SegmentScore": "model", "Shift": "model", "Transcript": "model", "Turn": "model",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'focusshift' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from .api import Analyzer, Failure, analyze, analyze_paths, analyze_text, analyzer_for, discover
    from .batch import analyze_many
    from .caseloads import Caseload, caseload
    from .evaluation import Evaluation, evaluate
    from .frames import to_frame, to_rows
    from .options import Options
    from .pipeline.detect import find_events
    from .pipeline.nlp import build_nlp
    from .report import write_report
    from .validation import validate
    from .writers import write_results
    from .config import Config, load_config
    from .errors import ConfigError, FocusshiftError, LexiconError, TranscriptError
    from .formats import ReadOptions, read_all, read_path
    from .lexicon import load_lexicon
    from .model import Analysis, Annotation, Event, Segment, SegmentScore, Shift, Transcript, Turn

__version__ = "0.1.0"

__all__ = [
    "Caseload",
    "caseload",
    "__version__",
    "analyze",
    "analyze_many",
    "analyze_paths",
    "analyze_text",
    "analyzer_for",
    "build_nlp",
    "discover",
    "evaluate",
    "find_events",
    "load_config",
    "load_lexicon",
    "read_all",
    "read_path",
    "to_frame",
    "to_rows",
    "validate",
    "write_report",
    "write_results",
    "Analysis",
    "Analyzer",
    "Annotation",
    "Config",
    "ConfigError",
    "Evaluation",
    "Event",
    "Failure",
    "FocusshiftError",
    "LexiconError",
    "Options",
    "ReadOptions",
    "Segment",
    "SegmentScore",
    "Shift",
    "Transcript",
    "TranscriptError",
    "Turn",
]
