"""The HTML report: one self-contained page per session, and an index ranking sessions.

This module gathers what each page shows; the jinja2 templates in templates/
draw it (render.page sets them up, with autoescaping), render.chart lays out the
timeline and render.transcript_view the highlighted transcript. Everything is
inline (the stylesheet in a <style>, the chart as inline SVG); no script, font,
image or stylesheet is fetched from anywhere, and a Content-Security-Policy meta
tag forbids it in any case. User text is only ever printed by a template, so it
is always escaped, and it is never placed in CSS, in an href or in an
event-handler position.

With text=False the page keeps the structure (line numbers, speakers, segments,
events' categories, subtypes, rules and weights) and quotes no transcript text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote as _url_quote

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, THERAPIST_REPAIR, Analysis, SegmentScore
from .bands import band_for, band_name
from .chart import chart
from .labels import category_class, category_label, segment_name
from .page import clean, clock, plural, render
from .transcript_view import transcript
from ..timeshare import SPEAKING_RATE_WPM, clock as duration

_ROLE_SOURCE = {"cli": "given by the user", "declared": "declared in the file", "label": "from the label"}


def band(score: float | None) -> str:
    """green / amber / red, or 'none' when not assessed: the bands of render.bands, as in the terminal."""
    return band_name(score)


def _version() -> str:
    from .. import __version__

    return __version__


# --------------------------------------------------------------------------- the session report


def render_report(analysis: Analysis, *, text: bool = True, index_href: str | None = None) -> str:
    """One self-contained HTML page for one analyzed session.

    text=False leaves out every quoted piece of the transcript (turn text, scene
    notes, event text) and keeps the structure. index_href, when given, links
    back to the index page (a relative file name, never user text).
    """
    if not text:
        from ..deidentify import deidentify

        analysis = deidentify(analysis)
    a = analysis
    t = a.transcript
    title = t.meta.get("title") if isinstance(t.meta.get("title"), str) and t.meta.get("title") else None
    heading = title or ("standard input" if t.path == "-" else t.path.replace("\\", "/").rsplit("/", 1)[-1])
    ids = {id(e): i for i, e in enumerate(a.events)}
    lines = {p.line for turn in t.turns for p in turn.pieces}
    return render(
        "report.html",
        heading=heading,
        path=t.path,
        index_href=index_href,
        text=text,
        version=_version(),
        card=_cards(a),
        time_view=_time(a),
        role_view=_roles(a, text),
        meta_rows=_meta(a),
        chart_view=chart(a, ids),
        segment_rows=_segments(a),
        shift_items=_shifts(a),
        evidence_rows=_evidence(a),
        transcript_view=transcript(a, ids, text),
        warning_items=[{"line": ln, "linked": ln in lines, "message": msg} for ln, msg in t.warnings],
    )


def _lowest(a: Analysis) -> SegmentScore | None:
    return min((s for s in a.segments if s.score is not None), key=lambda s: (s.score, s.segment.index), default=None)


def _cards(a: Analysis) -> dict[str, Any]:
    speaking = [x for x in a.transcript.turns if not x.is_note]
    if not a.shifts:
        shift_note = "no focus shift found"
    else:
        shown = ", ".join("not in segment" if s.recovery_turns is None else plural(s.recovery_turns, "turn")
                          for s in a.shifts)
        shift_note = f"recovery: {shown}"
    lowest = _lowest(a)
    return {
        "score": a.score,
        "band": None if a.score is None else band_for(a.score),
        "reason": a.reason,
        "load": a.load,
        "units": a.units,
        "shifts": len(a.shifts),
        "shift_note": shift_note,
        "lowest": None if lowest is None else {
            "index": lowest.segment.index,
            "name": segment_name(lowest.segment.title, lowest.segment.start_line, lowest.segment.end_line),
            "score": lowest.score,
        },
        "te": sum(1 for e in a.events if e.category == THERAPIST_EMOTION),
        "cc": sum(1 for e in a.events if e.category == CLIENT_CARETAKING),
        "rp": sum(1 for e in a.events if e.category == THERAPIST_REPAIR),
        "turns": len(speaking),
        "words": sum(x.words for x in speaking),
        "segments": len(a.segments),
    }


def _time(a: Analysis) -> dict[str, Any] | None:
    """How much of the session went to the therapist, in one sentence and how it was measured (timeshare)."""
    if a.time is None:  # not assessed: the roles block says why, and nothing is claimed
        return None
    timed = any(x.time is not None for x in a.transcript.turns)
    if not a.time.estimated:
        how = "Measured from the transcript’s timestamps."
    elif timed:
        how = (f"Partly estimated: turns no timestamp dates count as their words at {SPEAKING_RATE_WPM:g} words "
               "a minute.")
    else:
        how = f"Estimated from the words at {SPEAKING_RATE_WPM:g} words a minute: the transcript has no timestamps."
    what = ("That is the focus-shift episodes (shaded on the timeline) and the therapist’s emotion turns "
            "outside them." if a.time.episodes or a.time.emotion_outside else "")
    return {"sentence": a.time.sentence(), "what": what, "how": how, "share": a.time.therapist_share,
            "estimated": a.time.estimated}


def _roles(a: Analysis, text: bool) -> dict[str, Any]:
    """Who is who (and whether the session could be assessed at all)."""
    speakers = []
    for sp in a.transcript.speakers:
        plain = sp.evidence in (f"the label {sp.label!r}", "declared in the file",
                                "given on the command line or in the config")
        speakers.append({
            "name": sp.label,
            "role": sp.role,
            "source": sp.role_source,
            "source_words": _ROLE_SOURCE.get(sp.role_source or "", ""),
            "confidence": sp.confidence,
            "why": sp.evidence if text and sp.evidence and not plain else None,
        })
    return {
        "not_assessed": not a.assessable,
        "reason": a.reason,
        "speakers": speakers,
        "inferred": any(sp["source"] == "inferred" for sp in speakers),
    }


def _meta_value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(clean(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{clean(k)}={clean(x)}" for k, x in v.items())
    if isinstance(v, bool):
        return "yes" if v else "no"
    return clean(v)


def _meta(a: Analysis) -> list[tuple[str, str]]:
    t = a.transcript
    rows: list[tuple[str, str]] = [("format", t.format)]
    for k, v in t.meta.items():
        if k == "title" or v is None or v == [] or v == {} or v == "":
            continue
        rows.append((str(k).replace("_", " "), _meta_value(v)))
    times = [x.time for x in t.turns if x.time is not None]
    if times:
        rows.append(("timestamps", f"{clock(min(times))} \u2013 {clock(max(times))}"))
    notes = sum(1 for x in t.turns if x.is_note)
    if notes:
        rows.append(("scene notes", str(notes)))
    return rows


def _segments(a: Analysis) -> list[dict[str, Any]]:
    lowest = _lowest(a)
    rows = []
    for s in a.segments:
        seg = s.segment
        tb = s.turns_by_role
        rows.append({
            "index": seg.index,
            "name": segment_name(seg.title, seg.start_line, seg.end_line),
            "start_line": seg.start_line,
            "end_line": seg.end_line,
            "score": s.score,
            "low": lowest is s and s.score is not None and s.score < 100,
            "te": s.counts.get(THERAPIST_EMOTION, 0),
            "cc": s.counts.get(CLIENT_CARETAKING, 0),
            "rp": s.counts.get(THERAPIST_REPAIR, 0),
            "therapist": tb.get("therapist", 0),
            "client": tb.get("client", 0),
            "unknown": tb.get("unknown", 0),
            "load": s.load,
            "units": s.units,
        })
    return rows


def _shifts(a: Analysis) -> list[dict[str, Any]]:
    episodes = a.time.episodes if a.time is not None else (None,) * len(a.shifts)
    return [{
        "number": k,
        "start_line": sh.start_line,
        "caretaking_lines": sh.caretaking_lines,
        "repaired_at": sh.end_line if sh.ended_by == "repair" else None,
        "recovery_turns": sh.recovery_turns,
        "recovery_line": sh.recovery_line,
        # the stretch given to the therapist: turns, words, time (timeshare); None when not assessed
        "given": None if ep is None else {
            "turns": ep.span.turns, "words": ep.span.words,
            "time": ("about " if ep.span.estimated else "") + duration(ep.span.seconds)},
    } for k, (sh, ep) in enumerate(zip(a.shifts, episodes), 1)]


def _evidence(a: Analysis) -> list[dict[str, Any]]:
    rows = []
    for i, e in enumerate(a.events):
        why = e.rule
        if e.anchor_line is not None:
            why += f"; {'supported by' if e.condition == 'with_support' else 'after'} line {e.anchor_line}"
        rows.append({
            "id": i,
            "line": e.line,
            "speaker": e.speaker or e.role,
            "category": category_class(e.category),
            "label": category_label(e.category),
            "subtype": e.subtype,
            "text": e.text,
            "weight": e.weight,
            "why": why,
            "context": ", ".join(e.modifiers),
        })
    return rows


# --------------------------------------------------------------------------- index


def index_entry(analysis: Analysis, href: str) -> dict[str, Any]:
    """What the index keeps of one session (small: a corpus of thousands stays cheap)."""
    t = analysis.transcript
    lowest = _lowest(analysis)
    title = t.meta.get("title")
    return {
        "href": href,
        "path": t.path,
        "title": title if isinstance(title, str) else None,
        "score": analysis.score,
        "reason": analysis.reason,
        "shifts": len(analysis.shifts),
        "segments": len(analysis.segments),
        "turns": sum(1 for x in t.turns if not x.is_note),
        "te": sum(1 for e in analysis.events if e.category == THERAPIST_EMOTION),
        "cc": sum(1 for e in analysis.events if e.category == CLIENT_CARETAKING),
        "lowest": None if lowest is None else {
            "index": lowest.segment.index,
            "name": segment_name(lowest.segment.title, lowest.segment.start_line, lowest.segment.end_line),
            "score": lowest.score,
        },
    }


def href_for(filename: str) -> str:
    """A relative link to a report file written next to the index."""
    return _url_quote(filename, safe="")


def render_index(entries: Sequence[dict[str, Any]], failures: Sequence[tuple[str, int | None, str]] = (),
                 *, text: bool = True) -> str:
    """The index: sessions ranked by score, lowest first, each linking to its report.

    Sessions that could not be assessed come first: they need a person to give
    the roles, and they are never averaged in as if all were well.
    """
    ranked = sorted(entries, key=lambda d: (d["score"] is not None, d["score"] or 0.0, d["path"]))
    scored = [d["score"] for d in ranked if d["score"] is not None]
    summary = {
        "sessions": len(ranked),
        "assessed": len(scored),
        "unassessed": len(ranked) - len(scored),
        "mean": sum(scored) / len(scored) if scored else None,
        "with_shift": sum(1 for d in ranked if d["shifts"]),
        "unread": plural(len(failures), "file") + " could not be read" if failures else "every file was read",
    }
    return render("index.html", ranked=ranked, summary=summary, failures=list(failures), text=text,
                  version=_version())
