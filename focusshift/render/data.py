"""Analysis -> plain data: the one place the output contract's field names live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..api import Failure
from ..model import CATEGORIES, THERAPIST_REPAIR, Analysis
from ..scoring import segment_of_turns
from ..timeshare import SessionTime, Stretch
from ..turntable import columns

SCHEMA = "focusshift.analysis/1"
COUNT_KEYS = (*CATEGORIES, THERAPIST_REPAIR)


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x + 0.0, nd)


def stretch_to_dict(stretch: Stretch) -> dict[str, Any]:
    """Turns, words, seconds (1 decimal) and whether the seconds are in part estimated from words."""
    return {"turns": stretch.turns, "words": stretch.words, "seconds": _r(stretch.seconds, 1),
            "estimated": stretch.estimated}


def time_to_dict(time: SessionTime | None) -> dict[str, Any] | None:
    """summary.time: the session, what went to the therapist, the client's share and the sentence."""
    if time is None:
        return None
    return {
        "session": stretch_to_dict(time.session),
        "to_therapist": stretch_to_dict(time.to_therapist),
        "client_share": _r(time.client_share, 4),
        "description": time.sentence(),
    }


def not_assessed(reason: str | None) -> str:
    """What stands where a score would be, for a session that could not be scored."""
    return f"not assessed: {reason or 'roles unknown'}"


def speakers_to_list(analysis: Analysis) -> list[dict[str, Any]]:
    """Each speaker with role, role_source, confidence (inferred only) and why."""
    return [
        {
            "label": sp.label,
            "role": sp.role,
            "role_source": sp.role_source,
            "confidence": sp.confidence,
            "evidence": sp.evidence,
            "turns": sp.turns,
            "first_line": sp.first_line,
        }
        for sp in analysis.transcript.speakers
    ]


def analysis_to_dict(analysis: Analysis, *, text: bool = True) -> dict[str, Any]:
    """The JSON object of one transcript (see docs/output.md); text=False de-identifies it (deidentify)."""
    if not text:
        from ..deidentify import deidentify

        analysis = deidentify(analysis)
    t = analysis.transcript
    segments = []
    for s in analysis.segments:
        seg = s.segment
        segments.append(
            {
                "index": seg.index,
                "title": seg.title,
                "heading_line": seg.heading_line,
                "start_line": seg.start_line,
                "end_line": seg.end_line,
                "score": _r(s.score),
                "units": s.units,
                "load": _r(s.load, 4),
                "counts": {k: s.counts.get(k, 0) for k in COUNT_KEYS},
                "turns": dict(s.turns_by_role),
                "words": dict(s.words_by_role),
            }
        )
    events = []
    for e in analysis.events:
        events.append(
            {
                "line": e.line,
                "span": list(e.span),
                "segment": e.segment,
                "turn": e.turn,
                "category": e.category,
                "subtype": e.subtype,
                "speaker": e.speaker,
                "role": e.role,
                "text": e.text if text else None,
                "rule": e.rule,
                "source": e.detector,
                "channel": e.source,
                "confidence": e.confidence,
                "evidence": ({"rule": e.rule} if e.detector == "rule"
                             else {"probability": e.confidence, "words": list(e.evidence) if text else None}),
                "modifiers": list(e.modifiers),
                "condition": e.condition,
                "anchor_line": e.anchor_line,
                "weight": e.weight,
            }
        )
    episodes = analysis.time.episodes if analysis.time is not None else (None,) * len(analysis.shifts)
    shifts = [
        {
            "start_line": s.start_line,
            "caretaking_lines": list(s.caretaking_lines),
            "end_line": s.end_line,
            "recovery_turns": s.recovery_turns,
            "recovery_line": s.recovery_line,
            "ended_by": s.ended_by,
            "repaired": s.repaired,
            "turns": len(s.turns),
            "turn_indices": list(s.turns),
            "time": None if ep is None else stretch_to_dict(ep.span),
        }
        for s, ep in zip(analysis.shifts, episodes)
    ]
    totals = {k: sum(1 for e in analysis.events if e.category == k) for k in COUNT_KEYS}
    cols = columns(t.turns)
    turns = sum(1 for note in cols.is_note if not note)
    words = sum(w for w, note in zip(cols.words, cols.is_note) if not note)
    scored = [s for s in analysis.segments if s.score is not None]
    lowest = min(scored, key=lambda s: (s.score, s.segment.index), default=None)
    return {
        "schema": SCHEMA,
        "path": t.path,
        "format": t.format,
        "meta": dict(t.meta),
        "speakers": speakers_to_list(analysis),
        "assessable": analysis.assessable,
        "reason": analysis.reason,
        "segments": segments,
        "events": events,
        "shifts": shifts,
        "summary": {
            "score": _r(analysis.score),
            "units": analysis.units,
            "load": _r(analysis.load, 4),
            "focus_shifts": len(analysis.shifts),
            "recovery_turns": [s.recovery_turns for s in analysis.shifts],
            "segments": len(analysis.segments),
            "turns": turns,
            "words": words,
            "events": totals,
            "lowest_segment": lowest.segment.index if lowest else None,
            "time": time_to_dict(analysis.time),
        },
        "config": analysis.config,
        "warnings": [{"line": ln, "message": msg} for ln, msg in t.warnings],
        "errors": [],
    }


def failure_to_dict(failure: Failure) -> dict[str, Any]:
    """A file that could not be analyzed still appears, with its error."""
    return {
        "schema": SCHEMA,
        "path": failure.path,
        "format": None,
        "meta": {},
        "speakers": [],
        "assessable": False,
        "reason": failure.message,
        "segments": [],
        "events": [],
        "shifts": [],
        "summary": None,
        "warnings": [],
        "errors": [{"line": failure.line, "message": failure.message}],
    }


CSV_COLUMNS = (
    "path",
    "segment",
    "title",
    "start_line",
    "end_line",
    "score",
    "units",
    "load",
    *COUNT_KEYS,
    "turns_therapist",
    "turns_client",
    "turns_unknown",
    "words_therapist",
    "words_client",
    "words_unknown",
    "session_score",
    "focus_shifts",
    "assessable",
    "therapist",
    "client",
    "roles_inferred",
    "seconds_to_therapist",
    "session_seconds",
    "client_share",
    "time_estimated",
)


def csv_rows(analysis: Analysis, *, text: bool = True) -> list[list[object]]:
    """One row per segment, columns as CSV_COLUMNS."""
    d = analysis_to_dict(analysis, text=text)
    missing = not_assessed(d["reason"])
    by_role = {r: "; ".join(sp["label"] for sp in d["speakers"] if sp["role"] == r) for r in ("therapist", "client")}
    inferred = "; ".join(f"{sp['label']}={sp['role']} ({sp['confidence']:.2f})"
                         for sp in d["speakers"] if sp["role_source"] == "inferred")
    time = d["summary"]["time"]  # None (empty cells) when not assessed
    timing = ([None] * 4 if time is None else
              [time["to_therapist"]["seconds"], time["session"]["seconds"], time["client_share"],
               "true" if time["session"]["estimated"] or time["to_therapist"]["estimated"] else "false"])
    rows = []
    for s in d["segments"]:
        rows.append(
            [
                d["path"],
                s["index"],
                s["title"] or "",
                s["start_line"],
                s["end_line"],
                missing if s["score"] is None else s["score"],
                s["units"],
                s["load"],
                *(s["counts"][k] for k in COUNT_KEYS),
                s["turns"]["therapist"],
                s["turns"]["client"],
                s["turns"]["unknown"],
                s["words"]["therapist"],
                s["words"]["client"],
                s["words"]["unknown"],
                missing if d["summary"]["score"] is None else d["summary"]["score"],
                d["summary"]["focus_shifts"],
                "true" if d["assessable"] else "false",
                by_role["therapist"],
                by_role["client"],
                inferred,
                *timing,
            ]
        )
    return rows


EVENT_COLUMNS = (
    "path",
    "segment",
    "line",
    "category",
    "subtype",
    "role",
    "speaker",
    "source",
    "rule",
    "confidence",
    "weight",
    "condition",
    "anchor_line",
    "text",
)


def event_rows(analysis: Analysis, *, text: bool = True) -> list[list[object]]:
    """One row per event, columns as EVENT_COLUMNS (--rows events)."""
    d = analysis_to_dict(analysis, text=text)
    return [
        [d["path"], e["segment"], e["line"], e["category"], e["subtype"], e["role"], e["speaker"] or "",
         e["source"], e["rule"], "" if e["confidence"] is None else e["confidence"], e["weight"], e["condition"],
         "" if e["anchor_line"] is None else e["anchor_line"], e["text"] or ""]
        for e in d["events"]
    ]


def convokit_utterances(analysis: Analysis, *, text: bool = True) -> Iterator[dict[str, Any]]:
    """ConvoKit utterances (one per speaking turn) with focusshift's labels in each one's `meta`,
    one at a time (a long session's utterances are never all held as dictionaries).

    The fields ConvoKit's Corpus reads from utterances.jsonl: id, speaker,
    conversation_id, reply_to, timestamp, text, meta.
    """
    if not text:
        from ..deidentify import deidentify

        analysis = deidentify(analysis)
    t = analysis.transcript
    conversation = t.path
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for e in analysis.events:
        by_turn.setdefault(e.turn, []).append(
            {"category": e.category, "subtype": e.subtype, "line": e.line, "source": e.detector,
             "rule": e.rule, "confidence": e.confidence, "weight": e.weight})
    in_shift = {i for sh in analysis.shifts for i in sh.turns}
    seg_of = segment_of_turns(t.segments)  # 8 bytes a turn, not a dictionary entry
    pending: dict[str, Any] | None = None  # the last utterance: a scene note after it may add events
    previous: str | None = None
    for turn in t.turns:
        if turn.is_note:
            if pending is not None and turn.index in by_turn:  # a note's events go with the turn before
                pending["meta"]["focusshift_events"].extend(by_turn[turn.index])
            continue
        if pending is not None:
            yield pending
        uid = f"{conversation}#{turn.index}"
        pending = {
            "id": uid,
            "speaker": turn.speaker,
            "conversation_id": conversation,
            "reply_to": previous,
            "timestamp": turn.time,
            "text": turn.text if text else None,
            "meta": {
                "role": turn.role,
                "line": turn.line,
                "segment": seg_of.get(turn.index),
                "in_focus_shift": turn.index in in_shift,
                "focusshift_events": by_turn.get(turn.index, []),
            },
        }
        previous = uid
    if pending is not None:
        yield pending


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row: list[object]) -> list[object]:
    """Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe.

    Only text cells: numbers stay numbers. --raw-csv writes cells as they are.
    """
    return [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]
