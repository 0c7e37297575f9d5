"""`validate`: parse transcripts without analyzing them, to check format, speakers and roles first."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .api import Failure, analyzer_for, discover
from .model import Transcript
from .options import Options


def describe(t: Transcript) -> dict[str, Any]:
    """What `validate` reports of one parsed session."""
    return {
        "path": t.path,
        "format": t.format,
        "meta": t.meta,
        "speakers": [{"speaker": sp.label, "label": sp.label, "role": sp.role, "role_source": sp.role_source,
                      "confidence": sp.confidence, "evidence": sp.evidence, "turns": sp.turns,
                      "first_line": sp.first_line} for sp in t.speakers],
        "assessable": t.assessable,
        "reason": t.unassessed_reason,
        "turns": sum(1 for x in t.turns if not x.is_note),
        "scene_notes": sum(1 for x in t.turns if x.is_note),
        "annotations": sum(len(x.annotations) for x in t.turns),
        "timestamps": any(x.time is not None for x in t.turns),
        "segments": [{"index": s.index, "title": s.title, "start_line": s.start_line,
                      "end_line": s.end_line, "turns": len(s.turns)} for s in t.segments],
        "warnings": [{"line": ln, "message": m} for ln, m in t.warnings],
        "errors": [],
    }


def validate(
    paths: Iterable[str | Path],
    options: Options | None = None,
    *,
    glob: str | None = None,
    stdin: bytes | None = None,
) -> Iterator[dict[str, Any] | Failure]:
    """One description per session (or a Failure per unreadable file), in input order."""
    analyzer = analyzer_for(options)
    for path in discover(paths, glob):
        for item in analyzer.read_file(path, (stdin or b"") if path == "-" else None):
            yield item if isinstance(item, Failure) else describe(item)
