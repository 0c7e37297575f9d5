"""What the CLI needs of one result, made where the result is made (a worker, if any).

Shaping output in the worker (the JSON text, the CSV rows) keeps the parent
process light: it only writes strings in order, instead of unpickling whole
transcripts and rendering them one at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..api import Failure
from ..model import Analysis


@dataclass(frozen=True)
class Outcome:
    path: str
    failure: tuple[int | None, str] | None  # (line, message) of a file that could not be read
    scores: tuple[float | None, ...]  # segment scores, for --fail-under (None: not assessed)
    warnings: tuple[tuple[int | None, str], ...]
    words: int
    payload: Any  # json/jsonl: the JSON text; csv/tsv: rows; table: the Analysis
    assessable: bool = True
    reason: str | None = None
    traceback: str = ""  # of an internal error, shown under --debug


def shape(result: Analysis | Failure, fmt: str = "table", text: bool = True) -> Outcome:
    from .data import analysis_to_dict, csv_rows, failure_to_dict

    if isinstance(result, Failure):
        payload: Any = None
        if fmt in ("json", "jsonl"):
            payload = json.dumps(failure_to_dict(result), ensure_ascii=False)
        return Outcome(result.path, (result.line, result.message), (), (), 0, payload,
                       False, result.message, result.traceback)
    if not text:  # --no-text: names out of every output, stderr's warnings included
        from ..deidentify import deidentify

        result = deidentify(result)
    t = result.transcript
    if fmt in ("json", "jsonl"):
        payload = json.dumps(analysis_to_dict(result, text=text), ensure_ascii=False)
    elif fmt in ("csv", "tsv"):
        payload = csv_rows(result, text=text)
    else:
        payload = result
    return Outcome(
        t.path,
        None,
        tuple(s.score for s in result.segments),
        tuple(t.warnings),
        sum(x.words for x in t.turns),
        payload,
        result.assessable,
        result.reason,
    )
