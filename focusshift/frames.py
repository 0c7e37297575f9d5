"""Results as rows and pandas DataFrames: researchers go on in the tools they already use.

The columns are those of the CSV output (`--rows segments` / `--rows events`),
with typed values: a score that was not assessed is None (NaN in a frame),
not the CSV's "not assessed" text, and nothing is escaped for spreadsheets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .api import Failure
from .errors import FocusshiftError
from .model import Analysis
from .render.data import CSV_COLUMNS, EVENT_COLUMNS, csv_rows, event_rows

ROWS = ("segments", "events")


def _analyses(results: Analysis | Iterable[Analysis | Failure]) -> list[Analysis]:
    items = [results] if isinstance(results, Analysis) else list(results)
    return [r for r in items if isinstance(r, Analysis)]


def to_rows(
    results: Analysis | Iterable[Analysis | Failure], rows: str = "segments", *, text: bool = True
) -> list[dict[str, Any]]:
    """One dict per segment (or per event) of every analysis; Failures have no rows and are skipped."""
    if rows not in ROWS:
        raise ValueError(f"rows must be one of {', '.join(ROWS)}, not {rows!r}")
    out: list[dict[str, Any]] = []
    for analysis in _analyses(results):
        if rows == "segments":
            session = analysis.score
            for seg, row in zip(analysis.segments, csv_rows(analysis, text=text)):
                d = dict(zip(CSV_COLUMNS, row))
                d["score"] = None if seg.score is None else d["score"]
                d["session_score"] = None if session is None else d["session_score"]
                d["assessable"] = analysis.assessable
                out.append(d)
        else:
            for row in event_rows(analysis, text=text):
                d = dict(zip(EVENT_COLUMNS, row))
                for key in ("confidence", "anchor_line", "speaker"):
                    d[key] = None if d[key] == "" else d[key]
                out.append(d)
    return out


def to_frame(
    results: Analysis | Iterable[Analysis | Failure], rows: str = "segments", *, text: bool = True
):  # -> pandas.DataFrame
    """to_rows as a pandas DataFrame (columns in the CSV order, even when there are no rows)."""
    try:
        import pandas as pd
    except ImportError:
        raise FocusshiftError("to_frame needs pandas: pip install 'focusshift[frame]' (or pandas)") from None
    columns = list(CSV_COLUMNS if rows == "segments" else EVENT_COLUMNS)
    return pd.DataFrame(to_rows(results, rows, text=text), columns=columns)
