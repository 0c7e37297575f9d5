"""The caseload as a terminal table, CSV, JSON and a self-contained HTML page.

Field names of the CSV and JSON are stable (docs/caseload.md lists them); the
HTML page is drawn by templates/caseload.html with the report's jinja2
environment (render.page: autoescaping, the same Content-Security-Policy, the
same stylesheet plus static/caseload.css) and the report's score bands.

With a de-identified caseload (Caseload.text False) no output carries a name,
a path, a date or a session label: people are "therapist 1", "client 3",
sessions their number in the input, dates the days since the first session.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import IO, Any
from urllib.parse import quote

from ..caseloads import Caseload, Group, SessionRecord
from ..timeshare import clock, percent

GROUP_FIELDS = (
    "kind", "name", "known", "sessions", "assessed", "dated", "with_shift", "shifts", "shifts_per_session",
    "median_recovery_turns", "unrecovered_shifts", "session_seconds", "given_seconds", "given_share",
    "given_seconds_per_session", "mean_given_share", "estimated_sessions", "counterparts", "rising",
    "rising_reason", "trend",
)
SESSION_FIELDS = (
    "n", "path", "therapist", "client", "date", "day", "session", "therapist_source", "client_source",
    "date_source", "assessed", "reason", "score", "shifts", "recovery_turns", "seconds", "given_seconds",
    "given_share", "words", "given_words", "estimated", "report",
)
TREND_FIELDS = ("n", "date", "day", "share")


def _r(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


# --------------------------------------------------------------------------- JSON and CSV


def trend_dict(g: Group, c: Caseload) -> list[dict[str, Any]]:
    return [{"n": p.n, "date": p.date.isoformat() if c.text else None, "day": c.day(p.date),
             "share": round(p.share, 4)} for p in g.trend]


def group_dict(g: Group, c: Caseload) -> dict[str, Any]:
    return {
        "kind": g.kind,
        "name": g.name,
        "known": g.known,
        "sessions": len(g.sessions),
        "assessed": g.assessed,
        "dated": g.dated,
        "with_shift": g.with_shift,
        "shifts": g.shifts,
        "shifts_per_session": _r(g.shifts_per_session, 3),
        "median_recovery_turns": g.median_recovery_turns,
        "unrecovered_shifts": g.unrecovered_shifts,
        "session_seconds": round(g.session_seconds, 1),
        "given_seconds": round(g.given_seconds, 1),
        "given_share": _r(g.given_share, 4),
        "given_seconds_per_session": _r(g.given_seconds_per_session, 1),
        "mean_given_share": _r(g.mean_given_share, 4),
        "estimated_sessions": g.estimated_sessions,
        "counterparts": g.counterparts,
        "rising": g.rising,
        "rising_reason": g.rising_reason,
        "trend": trend_dict(g, c),
        "session_numbers": [r.n for r in g.sessions],
    }


def session_dict(r: SessionRecord, c: Caseload) -> dict[str, Any]:
    return {
        "n": r.n,
        "path": r.path if c.text else None,
        "therapist": r.therapist,
        "client": r.client,
        "date": r.date.isoformat() if r.date is not None and c.text else None,
        "day": c.day(r.date),
        "session": r.session if c.text else None,
        "therapist_source": r.sources.get("therapist"),
        "client_source": r.sources.get("client"),
        "date_source": r.sources.get("date"),
        "assessed": r.assessed,
        "reason": r.reason,
        "score": _r(r.score, 2),
        "shifts": r.shifts,
        "recovery_turns": list(r.recovery_turns),
        "seconds": round(r.seconds, 1),
        "given_seconds": round(r.given_seconds, 1),
        "given_share": round(r.share, 4),
        "words": r.words,
        "given_words": r.given_words,
        "estimated": r.estimated,
        "report": r.report,
    }


def caseload_dict(c: Caseload) -> dict[str, Any]:
    """The JSON document (schema "caseload-1")."""
    from ..caseloads import SCHEMA

    return {
        "schema": SCHEMA,
        "text": c.text,
        "rising_rule": c.rule.as_dict(),
        "first_date": c.first_date.isoformat() if c.first_date is not None and c.text else None,
        "therapists": [group_dict(g, c) for g in c.therapists],
        "clients": [group_dict(g, c) for g in c.clients],
        "sessions": [session_dict(r, c) for r in c.sessions],
        "missing": {k: [r.n for r in c.missing(k)] for k in ("therapist", "client", "date")},
        "errors": _errors(c),
    }


def _errors(c: Caseload) -> list[dict[str, Any]]:
    """Files that failed and dates that could not be read. De-identified: where, not what."""
    out = []
    for f in c.failures:
        out.append({"path": f.path if c.text else None, "line": f.line, "message": f.message if c.text else
                    "could not be analyzed"})
    for p in c.problems:
        out.append({"path": p.path if c.text else None, "line": p.line,
                    "message": p.message if c.text else "a date that could not be read"})
    return out


def write_json(c: Caseload, out: IO[str]) -> None:
    json.dump(caseload_dict(c), out, ensure_ascii=False, indent=2)
    out.write("\n")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join("" if v is None else str(v["share"] if isinstance(v, dict) else v) for v in value)
    return value


def write_csv(c: Caseload, out: IO[str], *, rows: str = "groups", raw: bool = False) -> None:
    """rows='groups': a row per therapist and per client (kind tells which); 'sessions': a row per session."""
    from .data import spreadsheet_safe

    writer = csv.writer(out, lineterminator="\n")
    if rows == "sessions":
        fields = SESSION_FIELDS
        records = [session_dict(r, c) for r in c.sessions]
    else:
        fields = GROUP_FIELDS
        records = [group_dict(g, c) for g in [*c.therapists, *c.clients]]
    writer.writerow(fields)
    for rec in records:
        row = [_cell(rec[f]) for f in fields]
        writer.writerow(row if raw else spreadsheet_safe(row))


# --------------------------------------------------------------------------- words shared by table and page

SPARK = "▁▂▃▄▅▆▇█"
SPARK_FULL = 0.5  # a share of half the session or more is a full block
SPARK_MAX = 16  # the table shows a group's latest sessions only


def spark(shares: list[float]) -> str:
    return "".join(SPARK[round(min(max(s, 0.0), SPARK_FULL) / SPARK_FULL * (len(SPARK) - 1))] for s in shares)


def approx(estimated: bool) -> str:
    return "~" if estimated else ""


def recovery_words(g: Group) -> str:
    if g.median_recovery_turns is None:
        return "–" if not g.unrecovered_shifts else "not back"
    return f"{g.median_recovery_turns:g} turns"


def when(r: SessionRecord, c: Caseload) -> str:
    if r.date is None:
        return "date unknown"
    return r.date.isoformat() if c.text else f"day {c.day(r.date)}"


def point_when(date, c: Caseload) -> str:
    return date.isoformat() if c.text else f"day {c.day(date)}"


def session_label(r: SessionRecord, c: Caseload) -> str:
    """A session as the outputs name it: its file (and table id) with text, else 'session N'."""
    if not c.text:
        return f"session {r.n}"
    return r.path


def _names(rs: list[SessionRecord], c: Caseload, limit: int = 6) -> str:
    shown = ", ".join(session_label(r, c) for r in rs[:limit])
    return shown + (f" and {len(rs) - limit} more" if len(rs) > limit else "")


# --------------------------------------------------------------------------- the terminal table


def render_table(c: Caseload):
    """rich renderables: the therapists' and the clients' figures, what is not known, and the rule."""
    from rich import box
    from rich.console import Group as Stack
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    head = Text()
    therapists = sum(1 for g in c.therapists if g.known)
    clients = sum(1 for g in c.clients if g.known)
    head.append("caseload", style="bold")
    head.append(f"  {len(c.sessions)} sessions, {therapists} therapist{'s' if therapists != 1 else ''}, "
                f"{clients} client{'s' if clients != 1 else ''}")
    parts.append(head)

    for kind, groups_ in (("therapist", c.therapists), ("client", c.clients)):
        table = Table(show_header=True, header_style="bold", show_edge=False, pad_edge=False, expand=False,
                      box=box.SIMPLE_HEAD)
        table.add_column(kind, overflow="fold")
        for header in ("sessions", "with\nshift", "shifts per\nsession", "median\nrecovery",
                       "given to\ntherapist", "per\nsession", "share\nof time"):
            table.add_column(header, justify="right", no_wrap=True)
        table.add_column("by date", no_wrap=True)
        table.add_column("rising", no_wrap=True)
        for g in groups_:
            est = approx(g.estimated_sessions > 0)
            name = Text(g.name) if g.known else Text("(not known)", style="dim")
            if g.assessed:
                given = f"{est}{clock(g.given_seconds)}"
                per = f"{est}{clock(g.given_seconds_per_session or 0)}"
                share = percent(g.given_share or 0.0)
                spp = f"{g.shifts_per_session:.2f}"
            else:
                given = per = share = spp = "–"
            sessions = str(len(g.sessions)) + (f" ({len(g.sessions) - g.assessed} n/a)"
                                               if g.assessed < len(g.sessions) else "")
            shares = [p.share for p in g.trend]
            trend = (("…" if len(shares) > SPARK_MAX else "") + spark(shares[-SPARK_MAX:])) or "–"
            if g.rising is True:
                flag = Text("rising", style="bold yellow")
            elif g.rising is False:
                flag = Text("no")
            else:
                flag = Text("–" if g.known else "", style="dim")
            table.add_row(name, sessions, str(g.with_shift), spp, recovery_words(g), given, per, share, trend, flag)
        parts.append(Text(""))
        parts.append(Text(f"{kind.capitalize()}s", style="bold"))
        parts.append(table)

    flagged = [g for g in [*c.therapists, *c.clients] if g.rising]
    if flagged:
        parts.append(Text(""))
        for g in flagged:
            line = Text()
            line.append(f"{g.kind} {g.name}" if c.text else f"{g.name}", style="bold yellow")
            line.append(f": {g.rising_reason}")
            parts.append(line)

    notes: list[str] = []
    for what in ("therapist", "client", "date"):
        rs = c.missing(what)
        if rs:
            notes.append(f"{what} not known for {len(rs)} session{'s' if len(rs) != 1 else ''}: {_names(rs, c)}")
    unassessed = [r for r in c.sessions if not r.assessed]
    if unassessed:
        notes.append(f"not assessed (no therapist or no client speaking) and left out of the figures: "
                     f"{_names(unassessed, c)}")
    if notes:
        parts.append(Text(""))
        for n in notes:
            parts.append(Text(n, style="dim"))
    parts.append(Text(""))
    foot = ("Time given to the therapist: focus-shift episodes and therapist-emotion turns; ~ some of it "
            f"estimated from words (no timestamps). By date: the share per session, {SPARK[0]} none to "
            f"{SPARK[-1]} {SPARK_FULL:.0%} or more. Rising: {c.rule.words()} "
            f"('–': fewer than {c.rule.last + 1} dated sessions).")
    parts.append(Text(foot, style="dim"))
    return Stack(*parts)


# --------------------------------------------------------------------------- the HTML page

CHART_W = 720
CHART_H = 220
C_LEFT = 52
C_RIGHT = 18
C_TOP = 16
C_BOTTOM = 40


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    share: float
    when: str
    client: str
    shifts: int
    href: str | None
    n: int


@dataclass(frozen=True)
class ChartView:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[ChartPoint, ...]
    gridlines: tuple[tuple[float, str], ...]  # (y, label)
    ticks: tuple[tuple[float, str], ...]  # (x, label)
    path: str  # the line through the points
    flagged: tuple[ChartPoint, ...]  # the last N points when the group is rising
    title: str


def _href(r: SessionRecord, page_dir: str | None) -> str | None:
    """A relative link from the caseload page to the session's report (a path we wrote, never user text)."""
    if not r.report:
        return None
    target = os.path.relpath(r.report, page_dir or os.curdir)
    return quote(target.replace(os.sep, "/"), safe="/")


def trend_chart(g: Group, c: Caseload, page_dir: str | None) -> ChartView:
    """One therapist's (or client's) share of session time given to the therapist, by date."""
    by_n = {r.n: r for r in g.sessions}
    bottom = CHART_H - C_BOTTOM
    plot_h = bottom - C_TOP
    top_share = max([0.1, *(p.share for p in g.trend)])
    ceiling = min(1.0, next(v for v in (0.1, 0.2, 0.3, 0.5, 0.75, 1.0) if v >= top_share - 1e-9))
    steps = {0.1: 0.05, 0.2: 0.05, 0.3: 0.1, 0.5: 0.1, 0.75: 0.25, 1.0: 0.25}[ceiling]
    grid = []
    v = 0.0
    while v <= ceiling + 1e-9:
        grid.append((bottom - v / ceiling * plot_h, f"{v:.0%}"))
        v += steps
    x0, x1 = C_LEFT + 14, CHART_W - C_RIGHT - 14
    dates = [p.date for p in g.trend]
    span = (max(dates) - min(dates)).days if dates else 0

    def x_of(date) -> float:
        if span == 0:
            return (x0 + x1) / 2
        return x0 + (date - min(dates)).days / span * (x1 - x0)

    points = []
    for i, p in enumerate(g.trend):
        r = by_n[p.n]
        x = x_of(p.date)
        # sessions on the same day sit side by side, not on top of each other
        same = [q for q in g.trend[:i] if q.date == p.date]
        x += 6 * len(same)
        points.append(ChartPoint(x=x, y=bottom - min(p.share, ceiling) / ceiling * plot_h, share=p.share,
                                 when=point_when(p.date, c), client=(r.client if g.kind == "therapist" else
                                                                     r.therapist) or "not known",
                                 shifts=r.shifts, href=_href(r, page_dir), n=r.n))
    ticks: list[tuple[float, str]] = []
    if dates:
        unique = sorted(set(dates))
        want = min(len(unique), 6)
        chosen = [unique[round(i * (len(unique) - 1) / (want - 1))] for i in range(want)] if want > 1 else unique
        for d in dict.fromkeys(chosen):
            ticks.append((x_of(d), point_when(d, c)))
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(points))
    flagged = tuple(points[-c.rule.last:]) if g.rising else ()
    who = g.name or f"{g.kind} not known"
    return ChartView(width=CHART_W, height=CHART_H, left=C_LEFT, right=C_RIGHT, top=C_TOP, bottom=bottom,
                     points=tuple(points), gridlines=tuple(grid), ticks=tuple(ticks), path=path,
                     flagged=flagged, title=f"Share of session time given to the therapist, {who}, by date")


@lru_cache(maxsize=1)
def _caseload_css() -> str:
    css = files("focusshift.render").joinpath("static", "caseload.css").read_text(encoding="utf-8")
    if "</" in css:  # it could end the <style> element
        raise RuntimeError("static/caseload.css must not contain '</'")
    return css


@dataclass(frozen=True)
class SparkBar:
    x: float
    height: float
    share: float
    when: str


def spark_bars(g: Group, c: Caseload, limit: int = 24) -> list[SparkBar]:
    """A small bar per dated session (the latest `limit`): its share of time given to the therapist."""
    points = g.trend[-limit:]
    return [SparkBar(x=i * 5.0, height=max(1.0, min(p.share, SPARK_FULL) / SPARK_FULL * 20), share=p.share,
                     when=point_when(p.date, c)) for i, p in enumerate(points)]


def _group_row(g: Group, c: Caseload, anchor: str | None) -> dict[str, Any]:
    est = approx(g.estimated_sessions > 0)
    return {
        "name": g.name, "known": g.known, "anchor": anchor, "sessions": len(g.sessions),
        "unassessed": len(g.sessions) - g.assessed, "with_shift": g.with_shift,
        "shifts_per_session": None if g.shifts_per_session is None else f"{g.shifts_per_session:.2f}",
        "recovery": recovery_words(g),
        "given": f"{est}{clock(g.given_seconds)}" if g.assessed else None,
        "of": clock(g.session_seconds) if g.assessed else None,
        "per_session": f"{est}{clock(g.given_seconds_per_session or 0)}" if g.assessed else None,
        "share": percent(g.given_share or 0.0) if g.assessed else None,
        "share_value": g.given_share,
        "spark": spark_bars(g, c),
        "rising": g.rising, "rising_reason": g.rising_reason, "counterparts": g.counterparts,
    }


def _session_row(r: SessionRecord, c: Caseload, kind: str, page_dir: str | None) -> dict[str, Any]:
    other = r.client if kind == "therapist" else r.therapist
    return {
        "n": r.n, "when": when(r, c), "other": other, "label": session_label(r, c),
        "assessed": r.assessed, "score": r.score, "shifts": r.shifts,
        "recovery": ", ".join("not back" if t is None else str(t) for t in r.recovery_turns) or "–",
        "given": f"{approx(r.estimated)}{clock(r.given_seconds)}", "of": clock(r.seconds),
        "share": percent(r.share), "href": _href(r, page_dir),
    }


def render_html(c: Caseload, *, page_dir: str | None = None) -> str:
    """The caseload page: figures per therapist and per client, a chart per therapist, the sessions.

    page_dir: the folder the page is written to, so that links to reports are relative to it.
    """
    from markupsafe import Markup

    from .. import __version__
    from .page import environment, stylesheet

    therapists = []
    for i, g in enumerate(c.therapists, 1):
        anchor = f"therapist-{i}" if g.known else "therapist-unknown"
        therapists.append({
            "row": _group_row(g, c, anchor),
            "chart": trend_chart(g, c, page_dir) if g.known and g.trend else None,
            "undated": len(g.sessions) - g.dated,
            "sessions": [_session_row(r, c, "therapist", page_dir) for r in g.sessions],
        })
    clients = [_group_row(g, c, None) for g in c.clients]
    counted = [r for r in c.sessions if r.assessed]
    given = sum(r.given_seconds for r in counted)
    total = sum(r.seconds for r in counted)
    summary = {
        "sessions": len(c.sessions),
        "therapists": sum(1 for g in c.therapists if g.known),
        "clients": sum(1 for g in c.clients if g.known),
        "with_shift": sum(1 for r in counted if r.shifts),
        "assessed": len(counted),
        "given": f"{approx(any(r.estimated for r in counted))}{clock(given)}",
        "share": percent(given / total) if total > 0 else "–",
        "median_share": percent(statistics.median(r.share for r in counted)) if counted else "–",
        "rising": [g.name for g in [*c.therapists, *c.clients] if g.rising],
    }
    missing = []
    for what in ("therapist", "client", "date"):
        rs = c.missing(what)
        if rs:
            missing.append({"what": what, "sessions": [{"label": session_label(r, c), "href": _href(r, page_dir)}
                                                        for r in rs]})
    unassessed = [{"label": session_label(r, c), "reason": r.reason, "href": _href(r, page_dir)}
                  for r in c.sessions if not r.assessed]
    errors = [{"where": (f"{e['path']}:{e['line']}" if e["line"] else e["path"]) if e["path"] else None,
               "message": e["message"]} for e in _errors(c)]
    css = Markup(str(stylesheet()) + "\n" + _caseload_css())  # package files, never data
    return environment().get_template("caseload.html").render(
        css=css, text=c.text, version=__version__, summary=summary, therapists=therapists,
        clients=clients, missing=missing, unassessed=unassessed, errors=errors, rule=c.rule.words(),
        last=c.rule.last, spark_full=f"{SPARK_FULL:.0%}", reports=any(r.report for r in c.sessions),
    )
