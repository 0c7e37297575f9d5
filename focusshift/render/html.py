"""The HTML report: one self-contained page per session, and an index ranking sessions.

Everything is inline (CSS in a <style>, the chart as inline SVG); no script, font,
image or stylesheet is fetched from anywhere, and a Content-Security-Policy meta
tag forbids it in any case. Every string that comes from a transcript or its
metadata goes through `_e` (html.escape with quote=True), and user text is never
placed in CSS, in an href or in an event-handler position.

With text=False the page keeps the structure (line numbers, speakers, segments,
events' categories, subtypes, rules and weights) and quotes no transcript text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote as _url_quote

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, THERAPIST_REPAIR, Analysis, Event, Turn
from .table import score_style

# --------------------------------------------------------------------------- helpers

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _clean(value: object) -> str:
    """Text safe to put in an HTML document: no control characters, no lone surrogates."""
    s = "" if value is None else str(value)
    s = s.replace("\r", "")
    return _BAD_CHARS.sub("\ufffd", s)


def _e(value: object) -> str:
    """Escape for element content and double-quoted attribute values alike."""
    return html.escape(_clean(value), quote=True)


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def _w(x: float) -> str:
    return f"{x:g}"


def band(score: float | None) -> str:
    """green / amber / red, with the terminal's thresholds (render.table.score_style); none: not assessed."""
    if score is None:
        return "none"
    return {"green": "green", "yellow": "amber", "red": "red"}[score_style(score)]


def _badge(score: float | None) -> str:
    if score is None:
        return '<span class="badge none">not assessed</span>'
    return f'<span class="badge {band(score)}">{_num(score)}</span>'


BAND_WORDS = {"green": "90 or above", "amber": "70 to 89.9", "red": "below 70"}

CATEGORY_CLASS = {THERAPIST_EMOTION: "te", CLIENT_CARETAKING: "cc", THERAPIST_REPAIR: "rp"}
CATEGORY_LABEL = {
    THERAPIST_EMOTION: "Therapist emotion",
    CLIENT_CARETAKING: "Client caretaking",
    THERAPIST_REPAIR: "Therapist repair",
}
_PRIORITY = {THERAPIST_EMOTION: 0, CLIENT_CARETAKING: 1, THERAPIST_REPAIR: 2}


def _cat_class(category: str) -> str:
    return CATEGORY_CLASS.get(category, "ot")


def _cat_label(category: str) -> str:
    return CATEGORY_LABEL.get(category, category.replace("_", " ").capitalize())


def _role_class(role: str) -> str:
    return role if role in ("therapist", "client") else "unknown"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _segment_name(title: str | None, start: int, end: int) -> str:
    return title if title else f"lines {start}\u2013{end}"


def _event_why(e: Event) -> str:
    """Subtype, rule, modifiers and weight: the hover text of a highlight (no transcript text)."""
    parts = [f"{_cat_label(e.category)}: {e.subtype}", f"weight {_w(e.weight)}", f"rule {e.rule}"]
    if e.anchor_line is not None:
        parts.append(f"{'supported by' if e.condition == 'with_support' else 'counts after'} line {e.anchor_line}")
    parts.append("context overridden: " + ", ".join(e.modifiers) if e.modifiers else "no context modifier")
    parts.append(f"line {e.line}, {e.speaker or e.role}")
    return " \u00b7 ".join(parts)


# --------------------------------------------------------------------------- CSS

CSS = """
:root {
  --ink: #1f2933; --muted: #5b6675; --faint: #8a94a3; --line: #e2e6eb; --panel: #f6f7f9; --bg: #ffffff;
  --green: #2c7a4b; --green-bg: #e5f2ea; --green-fill: #78b48b;
  --amber: #8f6200; --amber-bg: #fbf0d6; --amber-fill: #e4b95a;
  --red: #a8362b; --red-bg: #f9e4e1; --red-fill: #db8277;
  --te: #8a3a8a; --te-bg: #f4e4f4; --cc: #b85a0f; --cc-bg: #fce8d5; --rp: #3f6f92; --rp-bg: #e4edf4;
  --shift: #ebe5f3; --shift-line: #a596c2;
  --therapist: #2f5078; --client: #1c6f66; --unknown: #6b7280;
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body {
  margin: 0 auto; max-width: 1060px; padding: 36px 32px 56px; color: var(--ink); background: var(--bg);
  font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial,
        "Noto Sans", "Liberation Sans", sans-serif;
  -webkit-text-size-adjust: 100%; font-variant-numeric: tabular-nums;
}
a { color: var(--therapist); text-decoration-color: #b8c3d1; text-underline-offset: 2px; }
a:hover { text-decoration-color: currentColor; }
a.quote { color: inherit; text-decoration: none; }
a.quote:hover { text-decoration: underline; }
a:focus-visible, mark:focus-visible { outline: 2px solid var(--therapist); outline-offset: 2px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
header.page { border-bottom: 1px solid var(--line); padding-bottom: 18px; margin-bottom: 22px; }
.eyebrow { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); margin: 0 0 6px; }
.eyebrow a { color: var(--muted); }
h1 { font-size: 26px; line-height: 1.25; font-weight: 650; margin: 0 0 4px; }
h2 { font-size: 18px; font-weight: 650; margin: 38px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; font-weight: 650; margin: 0; }
.path { color: var(--muted); margin: 0; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 20px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--bg); }
.card .k { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 24px; font-weight: 650; line-height: 1.3; }
.card .s { font-size: 13px; color: var(--muted); }
.card.score { border-width: 1px 1px 1px 5px; }
.card.score.green { border-left-color: var(--green-fill); } .card.score.green .v { color: var(--green); }
.card.score.amber { border-left-color: var(--amber-fill); } .card.score.amber .v { color: var(--amber); }
.card.score.red { border-left-color: var(--red-fill); } .card.score.red .v { color: var(--red); }
.card.score.none { border-left-color: var(--ink, #1f2933); border-style: dashed; border-left-style: solid; }
.card.score.none .v { font-size: 20px; }
.badge.none { background: #e4e7eb; color: #1f2933; border: 1px dashed #52606d; }
.unassessed { border: 2px solid #1f2933; border-radius: 8px; padding: 12px 16px; margin: 16px 0 0; background: #fff8e1; }
.unassessed strong { font-size: 16px; }
.roles { margin: 14px 0 0; font-size: 14px; }
.roles table { border-collapse: collapse; }
.roles td, .roles th { padding: 2px 14px 2px 0; text-align: left; vertical-align: top; }
.roles td:first-child { white-space: nowrap; }
.roles th { color: var(--muted); font-weight: 500; }
.roles .inferred { color: var(--amber, #8a5a00); font-weight: 600; }
.roles .unknown { color: var(--red, #b42318); font-weight: 600; }
.why { color: var(--muted); font-size: 13px; }
svg .seg-score.none { fill: none; }
svg .not-assessed { fill: #e4e7eb; stroke: #52606d; stroke-dasharray: 4 3; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 0; font-size: 14px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-word; }
.note { background: var(--panel); border-left: 4px solid var(--rp); border-radius: 0 8px 8px 0; padding: 12px 18px; margin: 20px 0 0; font-size: 14px; }
.note p { margin: 6px 0; }
.note strong { font-weight: 650; }
.badge { display: inline-block; min-width: 3.2em; text-align: center; padding: 1px 8px; border-radius: 999px; font-weight: 600; font-size: 13px; }
.badge.green { background: var(--green-bg); color: var(--green); }
.badge.amber { background: var(--amber-bg); color: var(--amber); }
.badge.red { background: var(--red-bg); color: var(--red); }
.chart { border: 1px solid var(--line); border-radius: 8px; padding: 10px 8px 4px; }
.chart svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--muted); font-size: 11px; }
svg .lane-label { fill: var(--ink); font-size: 11.5px; }
svg .lane { stroke: var(--line); stroke-width: 1; }
svg .track { fill: #f1f3f5; }
svg .grid { stroke: #c9ced6; stroke-width: 1; stroke-dasharray: 3 3; }
svg .axis { stroke: #aab2bd; stroke-width: 1; }
svg .seg-score.green { fill: var(--green-fill); } svg .seg-score.amber { fill: var(--amber-fill); } svg .seg-score.red { fill: var(--red-fill); }
svg .seg-num { fill: var(--ink); font-weight: 600; }
svg .shift { fill: #7d62a8; fill-opacity: .16; stroke: var(--shift-line); stroke-dasharray: 4 3; }
svg .shift-label { fill: #5e4a86; font-size: 10.5px; }
svg circle.ev { stroke: #fff; stroke-width: 1.5; }
svg circle.ev.te { fill: var(--te); } svg circle.ev.cc { fill: var(--cc); }
svg circle.ev.rp { fill: #fff; stroke: var(--rp); stroke-width: 2; } svg circle.ev.ot { fill: var(--faint); }
svg a:hover circle.ev { stroke: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 13px; color: var(--muted); margin: 10px 2px 0; padding: 0; list-style: none; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 3px; }
.sw.dot { border-radius: 50%; }
.sw.green { background: var(--green-fill); } .sw.amber { background: var(--amber-fill); } .sw.red { background: var(--red-fill); }
.sw.te { background: var(--te); } .sw.cc { background: var(--cc); } .sw.rp { background: #fff; border: 2px solid var(--rp); }
.sw.shift { background: var(--shift); border: 1px dashed var(--shift-line); }
.sw.therapist { background: var(--therapist); } .sw.client { background: var(--client); } .sw.unknown { background: var(--unknown); }
.sw.mk-te { background: var(--te-bg); border-bottom: 2px solid var(--te); border-radius: 2px; }
.sw.mk-cc { background: var(--cc-bg); border-bottom: 2px solid var(--cc); border-radius: 2px; }
.sw.mk-rp { background: var(--rp-bg); border-bottom: 2px dashed var(--rp); border-radius: 2px; }
table.data { width: 100%; border-collapse: collapse; font-size: 14px; }
table.data th, table.data td { padding: 7px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; border-bottom-color: #cfd5dc; }
table.data td.n, table.data th.n { text-align: right; white-space: nowrap; }
table.data tr.low td { background: #fdf8f7; }
table.data .minibar { width: 72px; height: 8px; vertical-align: middle; margin-left: 8px; }
.minibar .track { fill: #eceff2; }
.minibar .green { fill: var(--green-fill); } .minibar .amber { fill: var(--amber-fill); } .minibar .red { fill: var(--red-fill); }
.formula { color: var(--muted); font-size: 13px; margin: 8px 2px 0; }
ul.shifts { margin: 0; padding-left: 20px; }
ul.shifts li { margin: 4px 0; }
.tag { display: inline-block; font-size: 12px; padding: 0 7px; border-radius: 4px; white-space: nowrap; }
.tag.te { background: var(--te-bg); color: var(--te); } .tag.cc { background: var(--cc-bg); color: var(--cc); }
.tag.rp { background: var(--rp-bg); color: var(--rp); } .tag.ot { background: var(--panel); color: var(--muted); }
.muted { color: var(--muted); }
.sub { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
th.lowest { min-width: 190px; }
th.session { min-width: 240px; }
.table-wrap { overflow-x: auto; }
.quote { font-style: italic; }
.transcript { font-size: 14.5px; }
.seg-head { display: flex; align-items: baseline; gap: 12px; margin: 26px 0 8px; padding: 8px 0 6px; border-bottom: 1px solid var(--line); }
.seg-head .lines { color: var(--muted); font-size: 13px; margin-left: auto; }
.turn { border-left: 3px solid var(--unknown); margin: 0 0 2px; padding: 3px 0; }
.turn.therapist { border-left-color: var(--therapist); }
.turn.client { border-left-color: var(--client); }
.turn.in-shift { background: var(--shift); }
.row { display: grid; grid-template-columns: 48px 136px minmax(0, 1fr); gap: 0 12px; align-items: baseline; }
.ln { text-align: right; color: var(--faint); font-size: 12px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.ln a { color: inherit; text-decoration: none; }
.ln a:hover { text-decoration: underline; }
.who { font-weight: 600; overflow-wrap: anywhere; }
.who .time { display: block; font-weight: 400; font-size: 12px; color: var(--faint); }
.turn.therapist .who { color: var(--therapist); }
.turn.client .who { color: var(--client); }
.turn.unknown .who { color: var(--unknown); }
.txt { white-space: pre-wrap; overflow-wrap: anywhere; padding-right: 8px; }
.turn.note { border-left-color: transparent; }
.turn.note .who { font-weight: 400; font-style: italic; color: var(--muted); font-size: 13px; }
.turn.note .txt { font-style: italic; color: #3d4754; }
.turn.note .txt > .notebox { background: var(--panel); border: 1px dashed #cdd3da; border-radius: 6px; padding: 1px 8px; }
.ann { color: #505b69; font-style: italic; }
.redacted { color: var(--faint); font-style: italic; }
mark.ev { color: inherit; padding: 0 1px; border-radius: 3px; cursor: help; }
mark.ev.te { background: var(--te-bg); border-bottom: 2px solid var(--te); }
mark.ev.cc { background: var(--cc-bg); border-bottom: 2px solid var(--cc); }
mark.ev.rp { background: var(--rp-bg); border-bottom: 2px dashed var(--rp); }
mark.ev.ot { background: var(--panel); border-bottom: 2px solid var(--faint); }
mark.ev:hover { outline: 1px solid currentColor; }
:target { scroll-margin-top: 24px; }
mark.ev:target, .ln a:target { outline: 2px solid var(--ink); }
.flag { display: inline-block; margin-left: 8px; font-size: 11.5px; font-style: normal; font-weight: 600; color: #5e4a86; background: #fff; border: 1px solid var(--shift-line); border-radius: 4px; padding: 0 6px; white-space: nowrap; }
.chips { display: inline; }
.chips .tag { margin-left: 6px; }
footer { margin-top: 44px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 12.5px; color: var(--muted); }
.warnings li { color: var(--muted); }
.errors li { color: var(--red); }
@media (max-width: 720px) {
  body { padding: 20px 14px 40px; }
  .row { grid-template-columns: 40px 1fr; }
  .row .txt { grid-column: 2; }
}
@media print {
  @page { margin: 16mm 14mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; margin-top: 22px; }
  .chart, .cards, .note, .turn, tr { break-inside: avoid; }
  .seg-head { break-after: avoid; }
  .card { padding: 8px 10px; }
  .no-print { display: none; }
}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _page(title: str, body: str) -> str:
    """The document shell: charset, CSP forbidding every fetch and script, the inline CSS."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="color-scheme" content="light">\n'
        '<meta name="generator" content="focusshift">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _version() -> str:
    from .. import __version__

    return __version__


MEANING = (
    "<p><strong>What the score means.</strong> Each segment gets a focus-balance score from 0 to 100; "
    "100 means the attention stayed on the client throughout. It falls as therapist emotion, client "
    "caretaking and the turns of a focus shift take up a larger share of the segment: "
    "score = 100 \u00d7 (1 \u2212 load \u00f7 units), where units are the segment\u2019s speaking turns and "
    "load adds up each turn\u2019s event weights (at most one whole turn each). Colours: green 90 or above, "
    "amber 70 to 89.9, red below 70.</p>"
    "<p><strong>What it does not mean.</strong> It is not a rating of the therapist\u2019s competence or of "
    "the session\u2019s worth. Therapist tears are not harmful in themselves and can be a moment of real "
    "contact; the question here is only where the client\u2019s attention went afterwards \u2014 whether the "
    "client began looking after the therapist, and for how long. The detections are automatic and can be "
    "wrong: read the highlighted evidence in context before drawing conclusions.</p>"
)


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
    t = analysis.transcript
    title = t.meta.get("title") if isinstance(t.meta.get("title"), str) and t.meta.get("title") else None
    heading = title or ("standard input" if t.path == "-" else t.path.replace("\\", "/").rsplit("/", 1)[-1])
    ids = {id(e): i for i, e in enumerate(analysis.events)}
    parts: list[str] = []
    parts.append('<header class="page">')
    back = f' \u00b7 <a href="{_e(index_href)}">all sessions</a>' if index_href else ""
    parts.append(f'<p class="eyebrow">focusshift \u00b7 session report{back}</p>')
    parts.append(f"<h1>{_e(heading)}</h1>")
    parts.append(f'<p class="path mono">{_e(t.path)}</p>')
    parts.append(_cards(analysis))
    parts.append(_roles(analysis, text))
    parts.append(_meta(analysis, text))
    parts.append(f'<div class="note" id="meaning">{MEANING}</div>')
    parts.append("</header>")
    parts.append("<main>")
    parts.append('<section id="timeline"><h2>Timeline</h2>')
    parts.append(_chart(analysis, ids))
    parts.append(_legend())
    parts.append("</section>")
    parts.append(_segment_table(analysis))
    parts.append(_shifts(analysis))
    parts.append(_evidence(analysis, ids, text))
    parts.append(_transcript(analysis, ids, text))
    parts.append(_warnings(t.warnings, {p.line for turn in t.turns for p in turn.pieces}))
    parts.append("</main>")
    parts.append(
        f"<footer>Made by focusshift {_e(_version())} on this computer; nothing was sent anywhere. "
        f"Line numbers are the lines of <span class=\"mono\">{_e(t.path)}</span>. "
        + ("Transcript text was left out of this report (--no-text). " if not text else "")
        + "Scores, weights and rules: see the focusshift documentation (docs/report.md, README).</footer>"
    )
    return _page(f"focusshift report \u2013 {heading}", "\n".join(p for p in parts if p))


def _roles(a: Analysis, text: bool) -> str:
    """Who is who, at the top: every score below depends on it."""
    speakers = a.transcript.speakers
    parts: list[str] = []
    if not a.assessable:
        parts.append(
            f'<div class="unassessed" id="not-assessed"><strong>Not assessed: {_e(a.reason)}.</strong> '
            "This session has no score. That is not the same as \u201call clear\u201d: focusshift could not "
            "tell who the therapist and the client are, so it cannot say where the attention went. Give the "
            "roles with <code>--therapist NAME</code> / <code>--client NAME</code> (or <code>--role "
            "LABEL=ROLE</code>) and run it again.</div>"
        )
    if not speakers:
        return "".join(parts)
    rows = []
    for sp in speakers:
        name = sp.label
        if sp.role_source == "inferred":
            how = f'<span class="inferred">inferred, confidence {sp.confidence:.2f}</span>'
        elif sp.role_source is None:
            how = '<span class="unknown">unresolved</span>'
        else:
            how = _e({"cli": "given by the user", "declared": "declared in the file",
                      "label": "from the label"}[sp.role_source])
        plain = sp.evidence in (f"the label {sp.label!r}", "declared in the file",
                                "given on the command line or in the config")
        why = f'<div class="why">{_e(sp.evidence)}</div>' if text and sp.evidence and not plain else ""
        role = f'<span class="unknown">{_e(sp.role)}</span>' if sp.role == "unknown" else _e(sp.role)
        rows.append(f"<tr><td>{_e(name)}</td><td>{role}</td><td>{how}{why}</td></tr>")
    inferred = [sp for sp in speakers if sp.role_source == "inferred"]
    note = ""
    if inferred:
        note = ('<p class="why">Roles marked inferred were read from the conversation (who asks, reflects, '
                "runs the session). Check them; pin them with --therapist/--client if they are wrong.</p>")
    parts.append(
        '<div class="roles" id="roles"><table><thead><tr><th>speaker</th><th>role</th><th>from</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>{note}</div>'
    )
    return "".join(parts)


def _cards(a: Analysis) -> str:
    b = band(a.score)
    counts = {k: sum(1 for e in a.events if e.category == k) for k in (THERAPIST_EMOTION, CLIENT_CARETAKING, THERAPIST_REPAIR)}
    speaking = [x for x in a.transcript.turns if not x.is_note]
    words = sum(x.words for x in speaking)
    recov = [s.recovery_turns for s in a.shifts]
    if not a.shifts:
        shift_note = "no focus shift found"
    else:
        shown = ", ".join("not in segment" if r is None else f"{r} turn{'s' if r != 1 else ''}" for r in recov)
        shift_note = f"recovery: {shown}"
    lowest = min((s for s in a.segments if s.score is not None), key=lambda s: (s.score, s.segment.index),
                 default=None)
    if a.score is None:
        score_card = (f'<div class="card score none"><div class="k">Session score</div>'
                      f'<div class="v">Not assessed</div><div class="s">{_e(a.reason)}</div></div>')
    else:
        score_card = (f'<div class="card score {b}"><div class="k">Session score</div><div class="v">{_num(a.score)}</div>'
                      f'<div class="s">{b} band ({BAND_WORDS[b]}) \u00b7 load {a.load:.2f} of {a.units} units</div></div>')
    cards = [
        score_card,
        f'<div class="card"><div class="k">Focus shifts</div><div class="v">{len(a.shifts)}</div>'
        f'<div class="s">{_e(shift_note)}</div></div>',
    ]
    if lowest is not None:
        seg = lowest.segment
        cards.append(
            f'<div class="card"><div class="k">Lowest segment</div><div class="v">'
            f'{_badge(lowest.score)}</div>'
            f'<div class="s"><a href="#seg-{seg.index}">{seg.index}. '
            f"{_e(_segment_name(seg.title, seg.start_line, seg.end_line))}</a></div></div>"
        )
    cards.append(
        f'<div class="card"><div class="k">Evidence</div><div class="v">{counts[THERAPIST_EMOTION]} '
        f'<span class="muted">/</span> {counts[CLIENT_CARETAKING]}</div>'
        f'<div class="s">therapist emotion / client caretaking \u00b7 {counts[THERAPIST_REPAIR]} repair</div></div>'
    )
    cards.append(
        f'<div class="card"><div class="k">Session</div><div class="v">{len(speaking)} turns</div>'
        f'<div class="s">{words} words \u00b7 {len(a.segments)} segment{"s" if len(a.segments) != 1 else ""}</div></div>'
    )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _meta_value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(_clean(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{_clean(k)}={_clean(x)}" for k, x in v.items())
    if isinstance(v, bool):
        return "yes" if v else "no"
    return _clean(v)


def _meta(a: Analysis, text: bool) -> str:
    t = a.transcript
    rows: list[tuple[str, str]] = [("format", t.format)]
    for k, v in t.meta.items():
        if k == "title" or v is None or v == [] or v == {} or v == "":
            continue
        rows.append((str(k).replace("_", " "), _meta_value(v)))
    times = [x.time for x in t.turns if x.time is not None]
    if times:
        rows.append(("timestamps", f"{_clock(min(times))} \u2013 {_clock(max(times))}"))
    notes = sum(1 for x in t.turns if x.is_note)
    if notes:
        rows.append(("scene notes", str(notes)))
    body = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return f'<dl class="meta">{body}</dl>'


# --------------------------------------------------------------------------- chart

_W = 960
_LEFT = 132
_RIGHT = 16
_LANES = ((THERAPIST_EMOTION, 24, "Therapist emotion"), (CLIENT_CARETAKING, 46, "Client caretaking"),
          (THERAPIST_REPAIR, 68, "Therapist repair"))
_TOP = 100  # top of the score area (score 100)
_PLOT_H = 150  # height of the score area
_BOTTOM = _TOP + _PLOT_H
_H = _BOTTOM + 44


def _chart(a: Analysis, ids: dict[int, int]) -> str:
    """Inline SVG: a column per segment (height = score), event dots in lanes, shifts shaded."""
    turns = a.transcript.turns
    n = max(1, len(turns))
    pos = {turn.index: i for i, turn in enumerate(turns)}
    step = (_W - _LEFT - _RIGHT) / n

    def x_at(turn_index: int) -> float:
        return _LEFT + (pos.get(turn_index, 0) + 0.5) * step

    out: list[str] = [
        f'<div class="chart"><svg id="chart" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Segment scores across the session, with events and focus shifts</title>',
        f'<desc id="chart-desc">{len(a.segments)} segment(s); {len(a.events)} event(s); '
        f"{len(a.shifts)} focus shift(s). The same figures are in the tables below.</desc>",
    ]
    # lanes
    for _cat, y, label in _LANES:
        out.append(f'<line class="lane" x1="{_LEFT}" y1="{y}" x2="{_W - _RIGHT}" y2="{y}"/>')
        out.append(f'<text class="lane-label" x="{_LEFT - 10}" y="{y + 4}" text-anchor="end">{label}</text>')
    # score area: gridlines at 90 and 70
    for v in (100, 90, 70, 0):
        y = _BOTTOM - v / 100 * _PLOT_H
        cls = "axis" if v == 0 else "grid"
        out.append(f'<line class="{cls}" x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}"/>')
        out.append(f'<text x="{_LEFT - 10}" y="{y + 4:.1f}" text-anchor="end">{v}</text>')
    out.append(f'<text class="lane-label" x="{_LEFT - 44}" y="{_TOP + _PLOT_H / 2 + 4:.0f}" '
               f'text-anchor="end">score</text>')
    # segment columns
    for s in a.segments:
        seg = s.segment
        members = [m for m in seg.turns if m in pos]
        if not members:
            continue
        lo, hi = min(pos[m] for m in members), max(pos[m] for m in members)
        x0, x1 = _LEFT + lo * step + 1, _LEFT + (hi + 1) * step - 1
        w = max(x1 - x0, 1.0)
        name = _segment_name(seg.title, seg.start_line, seg.end_line)
        if s.score is None:  # no column at any height: a dashed box that says so
            out.append(
                f'<g class="segment"><title>Segment {seg.index}: {_e(name)} \u00b7 lines {seg.start_line}\u2013'
                f"{seg.end_line} \u00b7 not assessed</title>"
                f'<rect class="not-assessed" x="{x0:.1f}" y="{_TOP}" width="{w:.1f}" height="{_PLOT_H}" '
                f'data-segment="{seg.index}" data-score=""/>'
            )
            if w >= 30:
                out.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{_TOP + _PLOT_H / 2:.1f}" '
                           f'text-anchor="middle">not assessed</text>')
            out.append("</g>")
            continue
        h = max(0.0, min(100.0, s.score)) / 100 * _PLOT_H
        out.append(
            f'<g class="segment"><title>Segment {seg.index}: {_e(name)} \u00b7 lines {seg.start_line}\u2013'
            f"{seg.end_line} \u00b7 score {_num(s.score)} (load {s.load:.2f} / {s.units} units)</title>"
            f'<rect class="track" x="{x0:.1f}" y="{_TOP}" width="{w:.1f}" height="{_PLOT_H}"/>'
            f'<rect class="seg-score {band(s.score)}" x="{x0:.1f}" y="{_BOTTOM - h:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" data-segment="{seg.index}" data-score="{s.score:.2f}"/>'
        )
        cx = (x0 + x1) / 2
        if w >= 30:
            out.append(f'<text class="seg-num" x="{cx:.1f}" y="{_BOTTOM + 16}" text-anchor="middle">{seg.index}</text>')
            out.append(f'<text x="{cx:.1f}" y="{_BOTTOM + 31}" text-anchor="middle">{_num(s.score)}</text>')
        out.append("</g>")
    # focus shifts, shaded over the lanes and the columns (translucent)
    for k, sh in enumerate(a.shifts, 1):
        members = [sh.start_turn, *sh.turns] + ([sh.end_turn] if sh.end_turn is not None else [])
        members = [m for m in members if m in pos]
        if not members:
            continue
        lo, hi = min(pos[m] for m in members), max(pos[m] for m in members)
        x0, x1 = _LEFT + lo * step, _LEFT + (hi + 1) * step
        out.append(
            f'<g class="shift-band"><title>Focus shift {k}: from line {sh.start_line}'
            + (f" to line {sh.end_line}" if sh.end_line is not None else "")
            + "</title>"
            f'<rect class="shift" x="{x0:.1f}" y="8" width="{max(x1 - x0, 2):.1f}" height="{_BOTTOM - 8}" rx="3"/>'
            f'<text class="shift-label" x="{x0 + 4:.1f}" y="{_TOP - 8}">shift {k}</text></g>'
        )
    # events
    lane_y = {cat: y for cat, y, _ in _LANES}
    seen: dict[tuple[str, int], int] = {}
    for e in a.events:
        y = lane_y.get(e.category, _LANES[-1][1])
        key = (e.category, e.turn)
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        dx = min(nth * 3.0, max(step / 2 - 3, 0))  # fan out several events of one turn a little
        cx = x_at(e.turn) + dx
        i = ids[id(e)]
        out.append(
            f'<a href="#ev-{i}"><circle class="ev {_cat_class(e.category)}" cx="{cx:.1f}" cy="{y}" r="5" '
            f'data-event="{i}"><title>{_e(_event_why(e))}</title></circle></a>'
        )
    if not turns:
        out.append(f'<text x="{_W / 2}" y="{_TOP + _PLOT_H / 2}" text-anchor="middle">no turns</text>')
    out.append("</svg></div>")
    return "".join(out)


def _legend() -> str:
    items = [
        ('<span class="sw green"></span>', "score 90+"),
        ('<span class="sw amber"></span>', "70\u201389.9"),
        ('<span class="sw red"></span>', "below 70"),
        ('<span class="sw dot te"></span>', "therapist emotion"),
        ('<span class="sw dot cc"></span>', "client caretaking"),
        ('<span class="sw dot rp"></span>', "therapist repair"),
        ('<span class="sw shift"></span>', "focus shift"),
        ('<span class="sw therapist"></span>', "therapist"),
        ('<span class="sw client"></span>', "client"),
        ('<span class="sw unknown"></span>', "unknown speaker"),
    ]
    return '<ul class="legend" id="legend">' + "".join(f"<li>{sw}{label}</li>" for sw, label in items) + "</ul>"


def _minibar(score: float | None) -> str:
    if score is None:
        return ""
    w = max(0.0, min(100.0, score))
    return (f'<svg class="minibar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">'
            f'<rect class="track" width="100" height="8" rx="2"/>'
            f'<rect class="{band(score)}" width="{w:.1f}" height="8" rx="2"/></svg>')


# --------------------------------------------------------------------------- tables


def _segment_table(a: Analysis) -> str:
    lowest = min((s for s in a.segments if s.score is not None), key=lambda s: (s.score, s.segment.index),
                 default=None)
    rows = []
    for s in a.segments:
        seg = s.segment
        name = _segment_name(seg.title, seg.start_line, seg.end_line)
        tb = s.turns_by_role
        low = ' class="low"' if lowest is s and s.score is not None and s.score < 100 else ""
        rows.append(
            f"<tr{low}><td class=\"n\">{seg.index}</td><td><a href=\"#seg-{seg.index}\">{_e(name)}</a></td>"
            f'<td class="n">{seg.start_line}\u2013{seg.end_line}</td>'
            f'<td class="n">{_badge(s.score)}{_minibar(s.score)}</td>'
            f'<td class="n">{s.counts.get(THERAPIST_EMOTION, 0)}</td>'
            f'<td class="n">{s.counts.get(CLIENT_CARETAKING, 0)}</td>'
            f'<td class="n">{s.counts.get(THERAPIST_REPAIR, 0)}</td>'
            f'<td class="n">{tb.get("therapist", 0)} / {tb.get("client", 0)} / {tb.get("unknown", 0)}</td>'
            f'<td class="n">{s.load:.2f} / {s.units}</td></tr>'
        )
    return (
        '<section id="segments"><h2>Segments</h2><div class="table-wrap">'
        '<table class="data"><thead><tr><th class="n">#</th><th>segment</th><th class="n">lines</th>'
        '<th class="n">score</th><th class="n" title="therapist emotion">T-emotion</th>'
        '<th class="n" title="client caretaking">C-caretaking</th><th class="n">repair</th>'
        '<th class="n" title="speaking turns: therapist / client / unknown">turns T / C / ?</th>'
        '<th class="n">load / units</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
        '<p class="formula">score = 100 \u00d7 (1 \u2212 load \u00f7 units); units are speaking turns (and scene '
        "notes carrying an event), load sums each unit\u2019s event weights plus the focus-shift weight, "
        "at most 1 per unit.</p></section>"
    )


def _shifts(a: Analysis) -> str:
    if not a.shifts:
        return ('<section id="shifts"><h2>Focus shifts</h2><p class="muted">No focus shift found: no therapist '
                "emotion was followed closely by client caretaking.</p></section>")
    items = []
    for k, sh in enumerate(a.shifts, 1):
        care = ", ".join(f'<a href="#L{x}">{x}</a>' for x in sh.caretaking_lines)
        msg = (f'<li id="shift-{k}"><strong>Shift {k}</strong>: therapist emotion at line '
               f'<a href="#L{sh.start_line}">{sh.start_line}</a>, client caretaking at line(s) {care}')
        if sh.ended_by == "repair" and sh.end_line is not None:
            msg += f'; the therapist repaired it at line <a href="#L{sh.end_line}">{sh.end_line}</a>'
        if sh.recovery_turns is not None:
            msg += (f'; the client was back on their own material at line <a href="#L{sh.recovery_line}">'
                    f"{sh.recovery_line}</a>, {sh.recovery_turns} turn{'s' if sh.recovery_turns != 1 else ''} "
                    "after the marker")
        else:
            msg += "; the client did not get back to their own material within the segment"
        items.append(msg + ".</li>")
    return '<section id="shifts"><h2>Focus shifts</h2><ul class="shifts">' + "".join(items) + "</ul></section>"


def _evidence(a: Analysis, ids: dict[int, int], text: bool) -> str:
    if not a.events:
        return ('<section id="evidence"><h2>Evidence</h2><p class="muted">No evidence: no therapist emotion '
                "or client caretaking was found.</p></section>")
    rows = []
    for e in a.events:
        i = ids[id(e)]
        why = e.rule
        if e.anchor_line is not None:
            why += f"; {'supported by' if e.condition == 'with_support' else 'after'} line {e.anchor_line}"
        ctx = ", ".join(e.modifiers) if e.modifiers else ""
        quote = f'<td><a class="quote" href="#ev-{i}">{_e(e.text)}</a></td>' if text else ""
        rows.append(
            f'<tr><td class="n"><a href="#ev-{i}">{e.line}</a></td><td>{_e(e.speaker or e.role)}</td>'
            f'<td><span class="tag {_cat_class(e.category)}">{_e(_cat_label(e.category))}</span> '
            f"{_e(e.subtype)}</td>{quote}"
            f'<td class="n">{_w(e.weight)}</td><td><code>{_e(why)}</code>'
            + (f' <span class="muted">context overridden: {_e(ctx)}</span>' if ctx else "")
            + "</td></tr>"
        )
    head = ('<th class="n">line</th><th>speaker</th><th>event</th>' + ("<th>words</th>" if text else "")
            + '<th class="n">weight</th><th>rule</th>')
    return ('<section id="evidence"><h2>Evidence</h2><div class="table-wrap"><table class="data"><thead><tr>'
            + head + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div></section>")


def _warnings(warnings: Sequence[tuple[int | None, str]], lines: set[int]) -> str:
    if not warnings:
        return ""

    def where(ln: int | None) -> str:
        if not ln:
            return ""
        return f'<a href="#L{ln}">line {ln}</a>: ' if ln in lines else f"line {ln}: "

    items = "".join(f"<li>{where(ln)}{_e(msg)}</li>" for ln, msg in warnings)
    return f'<section id="warnings"><h2>Reading warnings</h2><ul class="warnings">{items}</ul></section>'


# --------------------------------------------------------------------------- transcript


def _event_offsets(turn: Turn, e: Event) -> tuple[int, int] | None:
    """Where an event's trigger lies in Turn.text, or None if it cannot be placed exactly."""
    try:
        start = turn.offset_of(e.line, e.span[0])
    except ValueError:
        return None
    end = start + (e.span[1] - e.span[0])
    if not (0 <= start < end <= len(turn.text)):
        return None
    if e.text and turn.text[start:end] != e.text:
        found = [m.start() for m in re.finditer(re.escape(e.text), turn.text)]
        if found:
            start = min(found, key=lambda x: abs(x - start))
            end = start + len(e.text)
    return start, end


def _piece_ranges(turn: Turn) -> list[tuple[int, int, int]]:
    """(line, start, end) offsets in Turn.text of each physical line of the turn."""
    out = []
    pieces = turn.pieces
    for k, p in enumerate(pieces):
        end = pieces[k + 1].offset if k + 1 < len(pieces) else len(turn.text)
        if k + 1 < len(pieces) and end > p.offset and turn.text[end - 1] == "\n":
            end -= 1
        out.append((p.line, p.offset, max(end, p.offset)))
    return out


def _render_span(text: str, lo: int, hi: int, anns: list[tuple[int, int]]) -> str:
    """text[lo:hi] with annotations wrapped in <span class="ann">, escaped."""
    cuts = sorted({lo, hi, *(x for a in anns for x in a if lo < x < hi)})
    out = []
    for x, y in zip(cuts, cuts[1:]):
        chunk = _e(text[x:y])
        if any(s <= x and y <= e for s, e in anns):
            out.append(f'<span class="ann">{chunk}</span>')
        else:
            out.append(chunk)
    return "".join(out)


def _render_line(turn: Turn, lo: int, hi: int, placed: list[tuple[int, int, Event, int]],
                 anns: list[tuple[int, int]]) -> str:
    """One physical line of a turn, each event's exact span wrapped in a <mark> with its details."""
    text = turn.text
    mine = [(max(s, lo), min(e, hi), ev, i) for s, e, ev, i in placed if s < hi and e > lo and s >= lo]
    cuts = sorted({lo, hi, *(x for s, e, _, _ in mine for x in (s, e))})
    out = []
    anchored: set[int] = set()
    for x, y in zip(cuts, cuts[1:]):
        if x >= y:
            continue
        cover = [(ev, i) for s, e, ev, i in mine if s <= x and y <= e]
        inner = _render_span(text, x, y, anns)
        if not cover:
            out.append(inner)
            continue
        cover.sort(key=lambda c: (_PRIORITY.get(c[0].category, 9), c[1]))
        primary = cover[0][0]
        starting = [i for s, _e2, _ev, i in mine if s == x and i not in anchored]
        anchored.update(starting)
        id_attr = f' id="ev-{starting[0]}"' if starting else ""
        extra = "".join(f'<span id="ev-{i}"></span>' for i in starting[1:])
        title = "\n".join(_event_why(ev) for ev, _ in cover)
        evs = " ".join(str(i) for _, i in cover)
        out.append(
            f'{extra}<mark class="ev {_cat_class(primary.category)}"{id_attr} data-events="{evs}" '
            f'title="{_e(title)}">{inner}</mark>'
        )
    return "".join(out)


def _chips(events: Iterable[tuple[Event, int]]) -> str:
    return "".join(
        f'<span class="tag {_cat_class(ev.category)}" id="ev-{i}" title="{_e(_event_why(ev))}">'
        f"{_e(_cat_label(ev.category))} \u00b7 {_e(ev.subtype)}</span>"
        for ev, i in events
    )


def _transcript(a: Analysis, ids: dict[int, int], text: bool) -> str:
    t = a.transcript
    by_turn: dict[int, list[Event]] = {}
    for e in a.events:
        by_turn.setdefault(e.turn, []).append(e)
    in_shift: dict[int, int] = {}
    shift_start: dict[int, int] = {}
    recovery: dict[int, int] = {}
    for k, sh in enumerate(a.shifts, 1):
        members = (sh.start_turn, *sh.turns)
        for m in range(min(members), max(members) + 1):
            in_shift.setdefault(m, k)
        shift_start.setdefault(sh.start_turn, k)
    turn_at_line = {turn.line: turn.index for turn in t.turns}
    for k, sh in enumerate(a.shifts, 1):
        if sh.recovery_line is not None and sh.recovery_line in turn_at_line:
            recovery.setdefault(turn_at_line[sh.recovery_line], k)
    by_index = {turn.index: turn for turn in t.turns}
    scores = {s.segment.index: s for s in a.segments}
    done: set[int] = set()
    out = ['<section id="transcript" class="transcript">',
           "<h2>Transcript</h2>" if text else "<h2>Transcript structure</h2>"]
    if not text:
        out.append('<p class="muted">Transcript text was left out of this report (--no-text): line numbers, '
                   "speakers and the events found on each line remain.</p>")
    else:
        out.append('<p class="muted">Highlighted words are the evidence behind each event; hover over one '
                   "(or see the Evidence table) for its subtype, rule, context and weight. "
                   'Shaded turns lie inside a focus shift. <span class="ann">Italic grey</span> marks '
                   "non-verbal annotations.</p>")
    for seg in t.segments:
        s = scores.get(seg.index)
        name = _segment_name(seg.title, seg.start_line, seg.end_line)
        badge = _badge(s.score) if s else ""
        out.append(f'<div class="seg-head" id="seg-{seg.index}"><h3>{seg.index}. {_e(name)}</h3>{badge}'
                   f'<span class="lines">lines {seg.start_line}\u2013{seg.end_line}</span></div>')
        for ti in seg.turns:
            turn = by_index.get(ti)
            if turn is None or ti in done:
                continue
            done.add(ti)
            out.append(_turn_html(turn, by_turn.get(ti, []), ids, text, in_shift, shift_start, recovery))
    rest = [turn for turn in t.turns if turn.index not in done]
    if rest:
        out.append('<div class="seg-head"><h3>Outside any segment</h3></div>')
        for turn in rest:
            out.append(_turn_html(turn, by_turn.get(turn.index, []), ids, text, in_shift, shift_start, recovery))
    out.append("</section>")
    return "".join(out)


def _turn_html(turn: Turn, events: list[Event], ids: dict[int, int], text: bool, in_shift: dict[int, int],
               shift_start: dict[int, int], recovery: dict[int, int]) -> str:
    role = _role_class(turn.role)
    classes = ["turn", role]
    if turn.is_note:
        classes.append("note")
    if turn.index in in_shift:
        classes.append("in-shift")
    if turn.is_note:
        about = f" ({turn.role})" if turn.role in ("therapist", "client") else ""
        who = f"scene note{_e(about)}"
    else:
        who = _e(turn.speaker or "?")
        if turn.time is not None:
            who += f'<span class="time">{_clock(turn.time)}</span>'
    flags = ""
    if turn.index in shift_start:
        flags += f'<span class="flag">focus shift {shift_start[turn.index]} begins</span>'
    if turn.index in recovery:
        flags += f'<span class="flag">client back on own material (shift {recovery[turn.index]})</span>'
    ranges = _piece_ranges(turn)
    placed: list[tuple[int, int, Event, int]] = []
    loose: list[tuple[Event, int]] = []
    for e in events:
        off = _event_offsets(turn, e) if text else None
        if off is None:
            loose.append((e, ids[id(e)]))
        else:
            placed.append((off[0], off[1], e, ids[id(e)]))
    anns: list[tuple[int, int]] = []
    for ann in turn.annotations:
        try:
            s = turn.offset_of(ann.line, ann.start)
        except ValueError:
            continue
        anns.append((s, s + ann.end - ann.start))
    # events not highlighted inline (--no-text, or not placeable) show as tags on their line's row
    chip_rows: dict[int, list[tuple[Event, int]]] = {}
    first_row = {}
    for k, (line, _lo, _hi) in enumerate(ranges):
        first_row.setdefault(line, k)
    for e, i in loose:
        chip_rows.setdefault(first_row.get(e.line, 0), []).append((e, i))
    rows = []
    seen_lines: set[int] = set()
    for k, (line, lo, hi) in enumerate(ranges):
        ln = ""
        if line not in seen_lines:
            seen_lines.add(line)
            ln = f'<a id="L{line}" href="#L{line}">{line}</a>'
        if text:
            body = _render_line(turn, lo, hi, placed, anns)
            if turn.is_note:
                body = f'<span class="notebox">{body}</span>'
        else:
            words = len([w for w in turn.text[lo:hi].split() if any(c.isalnum() for c in w)])
            body = f'<span class="redacted">text omitted \u00b7 {words} word{"s" if words != 1 else ""}</span>'
        line_events = chip_rows.get(k, [])
        chips = f'<span class="chips">{_chips(line_events)}</span>' if line_events else ""
        rows.append(f'<div class="row"><div class="ln">{ln}</div><div class="who">{who if k == 0 else ""}</div>'
                    f'<div class="txt">{body}{chips}{flags if k == 0 else ""}</div></div>')
    if not ranges:
        rows.append(f'<div class="row"><div class="ln"></div><div class="who">{who}</div>'
                    f'<div class="txt">{_chips(loose)}{flags}</div></div>')
    return f'<div class="{" ".join(classes)}" id="t{turn.index}">{"".join(rows)}</div>'


# --------------------------------------------------------------------------- index


def index_entry(analysis: Analysis, href: str) -> dict[str, Any]:
    """What the index keeps of one session (small: a corpus of thousands stays cheap)."""
    t = analysis.transcript
    lowest = min((s for s in analysis.segments if s.score is not None), key=lambda s: (s.score, s.segment.index),
                 default=None)
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
            "name": _segment_name(lowest.segment.title, lowest.segment.start_line, lowest.segment.end_line),
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
    rows = []
    for rank, d in enumerate(ranked, 1):
        low = d["lowest"]
        low_html = (f'{_badge(low["score"])} {low["index"]}. {_e(low["name"])}') if low else ""
        if d["score"] is None:
            low_html = f'<span class="why">not assessed: {_e(d.get("reason"))}</span>'

        name = d["title"] or d["path"]
        sub = f'<div class="sub mono">{_e(d["path"])}</div>' if d["title"] else ""
        rows.append(
            f'<tr><td class="n">{rank}</td><td><a class="session" href="{_e(d["href"])}">{_e(name)}</a>{sub}</td>'
            f'<td class="n">{_badge(d["score"])}{_minibar(d["score"])}</td>'
            f'<td class="n">{d["shifts"]}</td><td class="n">{d["te"]}</td><td class="n">{d["cc"]}</td>'
            f"<td>{low_html}</td><td class=\"n\">{d['turns']}</td></tr>"
        )
    n = len(ranked)
    scored = [d["score"] for d in ranked if d["score"] is not None]
    unassessed = n - len(scored)
    mean = sum(scored) / len(scored) if scored else None
    with_shift = sum(1 for d in ranked if d["shifts"])
    unread = (f"{len(failures)} file{'s' if len(failures) != 1 else ''} could not be read" if failures
              else "every file was read")
    cards = []
    if mean is not None:
        cards.append(f'<div class="card score {band(mean)}"><div class="k">Mean session score</div>'
                     f'<div class="v">{_num(mean)}</div><div class="s">over {len(scored)} assessed '
                     f'session{"s" if len(scored) != 1 else ""}</div></div>')
    if unassessed:
        cards.append(f'<div class="card score none"><div class="k">Not assessed</div><div class="v">{unassessed}</div>'
                     f'<div class="s">no therapist or no client found: give the roles and run again</div></div>')
    cards.append(f'<div class="card"><div class="k">Sessions</div><div class="v">{n}</div>'
                 f'<div class="s">{_e(unread)}</div></div>')
    cards.append(f'<div class="card"><div class="k">With a focus shift</div><div class="v">{with_shift}</div>'
                 f'<div class="s">sessions with at least one</div></div>')
    body = [
        '<header class="page"><p class="eyebrow">focusshift \u00b7 reports</p>',
        "<h1>Sessions by focus-balance score</h1>",
        '<p class="path">Lowest score first; each session links to its own report.'
        + ("" if text else " Transcript text was left out of these reports (--no-text).") + "</p>",
        '<div class="cards">' + "".join(cards) + "</div>",
        f'<div class="note" id="meaning">{MEANING}</div></header><main>',
        '<section id="sessions"><h2>Sessions</h2>',
    ]
    if rows:
        body.append(
            '<div class="table-wrap"><table class="data"><thead><tr><th class="n">rank</th><th class="session">session</th><th class="n">score</th>'
            '<th class="n">shifts</th><th class="n" title="therapist emotion">T-emo</th>'
            '<th class="n" title="client caretaking">C-care</th><th class="lowest">lowest segment</th>'
            '<th class="n">turns</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>"
        )
    else:
        body.append('<p class="muted">No session could be analyzed.</p>')
    body.append("</section>")
    if failures:
        items = "".join(f"<li><span class=\"mono\">{_e(p)}{f':{ln}' if ln else ''}</span>: {_e(m)}</li>"
                        for p, ln, m in failures)
        body.append(f'<section id="errors"><h2>Files that could not be read</h2><ul class="errors">{items}</ul></section>')
    body.append(f"</main><footer>Made by focusshift {_e(_version())} on this computer; nothing was sent anywhere."
                "</footer>")
    return _page("focusshift reports", "\n".join(body))
