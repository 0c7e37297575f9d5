"""Measuring detection against human line-level coding (the gold format in docs/gold-format.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import Analyzer, Failure
from .errors import FocusshiftError
from .model import CATEGORIES, Analysis
from .options import Options

LEVELS = ("none", "therapist_only", "caretaking_only", "shift")


@dataclass
class Counts:
    """Confusion counts over lines for one category (or subtype)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa between detector and gold over every coded line."""
        n = self.tp + self.fp + self.fn + self.tn
        if not n:
            return 1.0
        po = (self.tp + self.tn) / n
        pe = ((self.tp + self.fp) * (self.tp + self.fn) + (self.fn + self.tn) * (self.fp + self.tn)) / (n * n)
        return 1.0 if pe == 1 else (po - pe) / (1 - pe)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "kappa": round(self.kappa, 4),
        }


@dataclass
class Evaluation:
    """The whole comparison: per category, per file, the mistakes, and the segment ordering."""

    categories: dict[str, Counts] = field(default_factory=dict)
    subtypes: dict[str, Counts] = field(default_factory=dict)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    level_scores: dict[str, list[float]] = field(default_factory=dict)
    files: int = 0
    errors: list[str] = field(default_factory=list)
    sessions: Counts = field(default_factory=Counts)  # sessions with a focus shift: detected vs gold

    def level_means(self) -> dict[str, float | None]:
        return {
            lvl: (sum(v) / len(v) if v else None)
            for lvl in LEVELS
            for v in [self.level_scores.get(lvl, [])]
        }

    def ordering_holds(self) -> dict[str, bool | None]:
        """Mean score of none > therapist_only, caretaking_only > shift (None: no data)."""
        m = self.level_means()

        def gt(a: str, b: str) -> bool | None:
            if m[a] is None or m[b] is None:
                return None
            return m[a] > m[b]  # type: ignore[operator]

        return {
            "none>therapist_only": gt("none", "therapist_only"),
            "none>caretaking_only": gt("none", "caretaking_only"),
            "therapist_only>shift": gt("therapist_only", "shift"),
            "caretaking_only>shift": gt("caretaking_only", "shift"),
        }

    def below(self, min_precision: float | None = None, min_recall: float | None = None) -> list[str]:
        """The categories whose precision or recall is under a threshold (for exit codes and CI)."""
        return [name for name, c in self.categories.items()
                if (min_precision is not None and c.precision < min_precision)
                or (min_recall is not None and c.recall < min_recall)]

    def as_dict(self, text: bool = True) -> dict[str, Any]:
        """The JSON of `focusshift evaluate`; text=False leaves transcript text out of the mistakes."""
        def strip(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return items if text else [{**item, "text": None} for item in items]

        return {
            "files": self.files,
            "categories": {k: v.as_dict() for k, v in self.categories.items()},
            "subtypes": {k: v.as_dict() for k, v in sorted(self.subtypes.items())},
            "segments": {
                "mean_score": {k: (round(v, 2) if v is not None else None) for k, v in self.level_means().items()},
                "n": {lvl: len(self.level_scores.get(lvl, [])) for lvl in LEVELS},
                "ordering": self.ordering_holds(),
            },
            "sessions_with_shift": self.sessions.as_dict(),
            "false_positives": strip(self.false_positives),
            "misses": strip(self.misses),
            "errors": self.errors,
        }


def load_gold(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read and check a gold file; errors name what is wrong."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise FocusshiftError(f"{path}: cannot read gold file: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise FocusshiftError(f"{path}:{exc.lineno}: gold file is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise FocusshiftError(f"{path}: gold must be an object keyed by file name")
    for name, entry in data.items():
        if not isinstance(entry, dict):
            raise FocusshiftError(f"{path}: entry {name!r} must be an object")
        for cat in CATEGORIES:
            lines = entry.get(cat, [])
            if not isinstance(lines, list) or not all(isinstance(x, int) and x > 0 for x in lines):
                raise FocusshiftError(f"{path}: {name}.{cat} must be a list of positive line numbers")
        for seg in entry.get("segments", []):
            if not isinstance(seg, dict) or seg.get("level") not in LEVELS:
                raise FocusshiftError(
                    f"{path}: {name}.segments entries need a level among {', '.join(LEVELS)}"
                )
    return data


def _coded_lines(analysis: Analysis) -> set[int]:
    return {p.line for t in analysis.transcript.turns for p in t.pieces}


def _file_key(path: str, roots: Sequence[Path]) -> str:
    p = Path(path)
    for root in roots:
        if root.is_dir():
            try:
                return p.relative_to(root).as_posix()
            except ValueError:
                continue
    return p.name


def evaluate(
    paths: Iterable[str | Path],
    gold: dict[str, dict[str, Any]] | str | Path,
    analyzer: Analyzer | Options | None = None,
    glob: str | None = None,
    skip: Iterable[str | Path] = (),
) -> Evaluation:
    """Compare detections with the gold labels of every file that has an entry.

    `gold` is a gold file (docs/gold-format.md) or its parsed content; a gold
    file inside a folder being evaluated is not read as a transcript.
    """
    from .api import analyze_paths, analyzer_for

    if not isinstance(gold, dict):
        skip = [*skip, gold]
        gold = load_gold(gold)
    roots = [Path(p) for p in paths]
    analyzer = analyzer if isinstance(analyzer, Analyzer) else analyzer_for(analyzer)
    ev = Evaluation(categories={c: Counts() for c in CATEGORIES})
    for result in analyze_paths(roots, analyzer, glob=glob, skip=skip):
        if isinstance(result, Failure):
            ev.errors.append(f"{result.path}:{result.line or ''}: {result.message}")
            continue
        key = _file_key(result.transcript.path, roots)
        if key not in gold:
            continue
        add_file(ev, key, result, gold[key])
    return ev


def gold_has_shift(entry: dict[str, Any]) -> bool:
    """A session with a focus shift in the gold: a segment labelled 'shift', or, without headings,
    therapist emotion followed later by client caretaking."""
    segments = entry.get("segments", [])
    if segments:
        return any(s.get("level") == "shift" for s in segments)
    te = entry.get("therapist_emotion", [])
    return bool(te) and any(line > min(te) for line in entry.get("client_caretaking", []))


def add_file(ev: Evaluation, key: str, result: Analysis, entry: dict[str, Any]) -> None:
    """Add one analyzed file's comparison with its gold entry to an Evaluation."""
    ev.files += 1
    found_shift, gold_shift = bool(result.shifts), gold_has_shift(entry)
    ev.sessions.tp += found_shift and gold_shift
    ev.sessions.fp += found_shift and not gold_shift
    ev.sessions.fn += gold_shift and not found_shift
    ev.sessions.tn += not found_shift and not gold_shift
    coded = _coded_lines(result)
    for cat in CATEGORIES:
        gold_lines = set(entry.get(cat, []))
        found = {e.line for e in result.events if e.category == cat}
        universe = coded | gold_lines | found
        c = ev.categories[cat]
        c.tp += len(found & gold_lines)
        c.fp += len(found - gold_lines)
        c.fn += len(gold_lines - found)
        c.tn += len(universe - found - gold_lines)
        by_line = {}
        for e in result.events:
            if e.category == cat:
                by_line.setdefault(e.line, e)
        for line in sorted(found - gold_lines):
            e = by_line[line]
            ev.false_positives.append(
                {"file": key, "line": line, "category": cat, "subtype": e.subtype,
                 "rule": e.rule, "text": _line_text(result, line)}
            )
        for line in sorted(gold_lines - found):
            ev.misses.append({"file": key, "line": line, "category": cat, "text": _line_text(result, line)})
        # Per subtype: a found line is right when gold has the category on it.
        for e in result.events:
            if e.category != cat:
                continue
            sc = ev.subtypes.setdefault(f"{cat}/{e.subtype}", Counts())
            if e.line in gold_lines:
                sc.tp += 1
            else:
                sc.fp += 1
    gold_segments = {s.get("heading_line"): s for s in entry.get("segments", [])}
    for s in result.segments:
        g = gold_segments.get(s.segment.heading_line)
        if g is not None and s.segment.heading_line is not None and s.score is not None:
            ev.level_scores.setdefault(g["level"], []).append(s.score)


def _line_text(analysis: Analysis, line: int) -> str:
    for t in analysis.transcript.turns:
        for i, p in enumerate(t.pieces):
            if p.line == line:
                return t.text.split("\n")[i].strip()
    return ""
