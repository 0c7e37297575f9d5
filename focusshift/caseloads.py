"""A caseload: sessions grouped by therapist and by client, with where the time went over the weeks.

The library half of `focusshift caseload`. Each analyzed session becomes a
small SessionRecord (who, when, how many focus shifts, how much of the session
went to the therapist); the records are grouped by therapist and by client and
each group gets its figures (Group) and its trend over dates, with a flag when
the share of session time given to the therapist is rising over the group's
last sessions (RisingRule, docs/caseload.md).

Who and when come from, in this order of precedence:
  1. a mapping file the user gives (CSV: path, therapist, client, date),
  2. a table input's columns (therapist, client, date ...: TABLE_COLUMNS),
  3. the transcript's header (native `@therapist:`, `@client:`, `@date:`,
     `@session:`; CHAT's `@Date`).
A session with no therapist, client or date known stays in the caseload and
is reported as such. A date that cannot be read is a Problem naming the file
and line (of the mapping file or the transcript); that session's date is then
unknown, and the rest goes on.

The words describe where attention went and for how long ("time given to the
therapist", "rising"); nothing here rates anyone.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import os
import re
import statistics
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import timeshare
from .api import Failure, analyzer_for
from .errors import FocusshiftError
from .model import Analysis
from .options import Options

SCHEMA = "caseload-1"
TABLE_FORMATS = ("csv", "tsv", "json", "jsonl")
# Column names (case-insensitive) a table input may hold who and when in; the first one present is used.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "therapist": ("therapist", "therapist_name", "therapist_id", "clinician", "counsellor", "counselor"),
    "client": ("client", "client_name", "client_id", "patient", "patient_id"),
    "date": ("date", "session_date"),
}
MAPPING_COLUMNS = ("path", "therapist", "client", "date")  # `session` is read too when present
UNKNOWN = None  # the name of the group of sessions whose therapist (or client) is not known


class CaseloadError(FocusshiftError):
    """A mapping file that cannot be used at all (unreadable, no `path` column)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong in one place of one file (a date that cannot be read): printed as path:line: message."""

    path: str
    line: int | None
    message: str


# --------------------------------------------------------------------------- the rising rule


@dataclass(frozen=True)
class RisingRule:
    """When a group's share of session time given to the therapist counts as rising.

    Over a group's dated, assessed sessions in date order, with shares in
    percentage points (p_1 ... p_k) and N = last:
      steps: each of the last N sessions gives the therapist more than `steps`
             points more than the session before it (p_i - p_(i-1) > steps for
             the last N values of i); needs N+1 sessions.
      mean:  the mean of the last N shares exceeds the mean of all earlier
             shares by more than `mean` points, and so does the latest share
             (a spike that has passed is not a rise); needs N+1 sessions.
    The group is flagged when any rule that is on holds; None turns a rule off.
    With fewer than N+1 dated sessions the flag is None: too few to tell.
    """

    last: int = 3
    steps: float | None = 1.0
    mean: float | None = 5.0

    @classmethod
    def parse(cls, specs: Iterable[str], last: int = 3) -> RisingRule:
        """'steps', 'steps:2', 'mean', 'mean:10', 'off' (a rule not named is off; no spec: the defaults)."""
        specs = [s.strip().lower() for s in specs if s.strip()]
        if not specs:
            return cls(last=last)
        steps = mean = None
        for spec in specs:
            name, sep, value = spec.partition(":")
            if name == "off" and not sep:
                continue
            if name not in ("steps", "mean"):
                raise ValueError(f"{spec!r}: use steps[:POINTS], mean[:POINTS] or off")
            if sep:
                try:
                    points = float(value)
                except ValueError:
                    raise ValueError(f"{spec!r}: {value!r} is not a number of percentage points") from None
                if not points >= 0 or points == float("inf"):
                    raise ValueError(f"{spec!r}: the points must be 0 or more")
            else:
                points = cls.steps if name == "steps" else cls.mean  # the defaults
            if name == "steps":
                steps = points
            else:
                mean = points
        return cls(last=last, steps=steps, mean=mean)

    def as_dict(self) -> dict[str, Any]:
        return {"last": self.last, "steps": self.steps, "mean": self.mean}

    def words(self) -> str:
        """The rule in words ('the share rose by more than 1 points in each ...'), for the page and the table."""
        n = self.last

        def points(x: float) -> str:
            return f"{x:g} percentage point{'' if x == 1 else 's'}"

        parts = []
        if self.steps is not None:
            parts.append(f"the share rose by more than {points(self.steps)} in each of the last {n} sessions")
        if self.mean is not None:
            parts.append(f"the last {n} sessions' mean share, and the latest session's share, are more than "
                         f"{points(self.mean)} above the earlier sessions' mean")
        if not parts:
            return "off"
        return ", or ".join(parts)


def rising(shares: Sequence[float], rule: RisingRule) -> tuple[bool | None, str | None]:
    """(flag, why) for shares (0..1) in date order: None when there are too few to tell."""
    n = rule.last
    if n < 1 or (rule.steps is None and rule.mean is None) or len(shares) < n + 1:
        return None, None
    points = [100.0 * s for s in shares]
    tail, before = points[-n:], points[:-n]
    if rule.steps is not None and all(b - a > rule.steps for a, b in zip(points[-n - 1:], tail)):
        path = " \u2192 ".join(f"{p:.0f}" for p in points[-n - 1:])
        return True, f"the share given to the therapist rose in each of the last {n} sessions ({path} %)"
    if rule.mean is not None:
        recent, earlier = statistics.fmean(tail), statistics.fmean(before)
        if recent - earlier > rule.mean and tail[-1] - earlier > rule.mean:
            return True, (f"the last {n} sessions gave the therapist {recent:.1f} % on average (the latest "
                          f"{tail[-1]:.1f} %), {recent - earlier:.1f} points more than the {len(before)} earlier "
                          f"session{'s' if len(before) != 1 else ''} ({earlier:.1f} %)")
    return False, None


# --------------------------------------------------------------------------- dates

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME + r"$", re.I)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_DMY_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4})$")
_MDY_NAME = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_NUMERIC = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")


def parse_date(value: str) -> dt.date:
    """A session date as people write it: 2024-03-05 (also with a time), 2024/03/05, 20240305,
    5 March 2024, 5-MAR-2024 (CHAT), March 5, 2024. ValueError says why anything else is not one.

    05/03/2024 is refused: day and month could be either way round.
    """
    s = " ".join(str(value).split())
    try:
        m = _YMD.match(s)
        if m:
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        m = _COMPACT.match(s)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY_NAME.match(s)
        if m and m.group(2).lower() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        m = _MDY_NAME.match(s)
        if m and m.group(1).lower() in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError as exc:  # 2024-02-30: the calendar's own words ("day is out of range for month")
        raise ValueError(f"{s!r} is not a day in the calendar ({exc}); write it as YYYY-MM-DD") from None
    if _NUMERIC.match(s):
        raise ValueError(f"{s!r} could be day/month or month/day; write it as YYYY-MM-DD (e.g. 2024-03-05)")
    if not s:
        raise ValueError("the date is empty; write it as YYYY-MM-DD, or leave the line out")
    raise ValueError(f"{s!r} is not a date focusshift can read; write it as YYYY-MM-DD (e.g. 2024-03-05)")


# --------------------------------------------------------------------------- the mapping file


@dataclass(frozen=True)
class MapEntry:
    """One mapping row: a file (or one session of a table file: `file.csv#id`) and who and when."""

    file: str  # the path as resolved
    session_id: str | None
    therapist: str | None
    client: str | None
    date: dt.date | None
    date_text: str | None  # the cell as written, when it could not be read as a date
    session: str | None
    line: int


@dataclass
class Mapping:
    path: str
    entries: dict[tuple[str, str | None], MapEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    used: set[tuple[str, str | None]] = field(default_factory=set)

    def find(self, file: str, session_id: str | None) -> MapEntry | None:
        key = _file_key(file)
        for k in ((key, session_id), (key, None)) if session_id is not None else ((key, None),):
            entry = self.entries.get(k)
            if entry is not None:
                self.used.add(k)
                return entry
        return None

    def files(self) -> list[str]:
        """The files the mapping names, in its order (each once): the inputs when no PATH is given."""
        seen: dict[str, None] = {}
        for e in self.entries.values():
            seen.setdefault(e.file, None)
        return list(seen)

    def unused(self) -> list[MapEntry]:
        return [e for k, e in self.entries.items() if k not in self.used]


def _file_key(path: str) -> str:
    try:
        return os.path.normcase(str(Path(path).resolve()))
    except OSError:
        return os.path.normcase(os.path.abspath(path))


def _cell(row: dict[str, str | None], name: str) -> str | None:
    value = row.get(name)
    value = " ".join(value.split()) if isinstance(value, str) else None
    return value or None


def read_mapping(path: str | Path) -> Mapping:
    """The mapping file: CSV with a header naming path, therapist, client, date (and optionally session).

    Paths are relative to the mapping file's folder, or absolute; `file.csv#id`
    names one session of a table file. An empty cell gives nothing (the header
    or column value is used). Bad rows are Problems with their line; the
    others are used.
    """
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CaseloadError(f"--map {path}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseloadError(f"--map {path}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CaseloadError(f"--map {path}:1: not a readable CSV header: {exc}") from None
    names = [h.strip().lower() for h in header or []]
    if "path" not in names:
        raise CaseloadError(f"--map {path}:1: the header must name the columns path, therapist, client, date "
                            f"(found: {', '.join(h for h in names if h) or 'nothing'})")
    if not any(n in names for n in ("therapist", "client", "date", "session")):
        raise CaseloadError(f"--map {path}:1: the header names no therapist, client or date column")
    mapping = Mapping(path)
    base = Path(path).resolve().parent
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            mapping.problems.append(Problem(path, start, f"not a readable CSV row: {exc}"))
            break
        line = start
        if not any(c.strip() for c in record):
            continue
        row = dict(zip(names, record))
        target = _cell(row, "path")
        if target is None:
            mapping.problems.append(Problem(path, line, "no path in this row; it is not used"))
            continue
        full = Path(target) if Path(target).is_absolute() else base / target
        session_id = None
        if not full.exists() and "#" in target:
            file_part, _, session_id = target.rpartition("#")
            full = Path(file_part) if Path(file_part).is_absolute() else base / file_part
        date_cell = _cell(row, "date")
        day = None
        if date_cell is not None:
            try:
                day = parse_date(date_cell)
            except ValueError as exc:
                mapping.problems.append(Problem(path, line, f"date {exc}"))
        entry = MapEntry(file=str(full), session_id=session_id or None, therapist=_cell(row, "therapist"),
                         client=_cell(row, "client"), date=day,
                         date_text=date_cell if date_cell is not None and day is None else None,
                         session=_cell(row, "session"), line=line)
        key = (_file_key(str(full)), entry.session_id)
        if key in mapping.entries:
            first = mapping.entries[key].line
            mapping.problems.append(Problem(path, line, f"{target} is mapped already at line {first}; "
                                                        "this row is not used"))
            continue
        mapping.entries[key] = entry
    return mapping


# --------------------------------------------------------------------------- one session


@dataclass(frozen=True)
class SessionRecord:
    """What the caseload keeps of one analyzed session: who, when, and where the time went."""

    n: int  # 1-based position in input order: the session's id in --no-text output
    path: str  # the transcript's path (file.csv#id for a session of a table file)
    file: str  # the input file it came from
    format: str
    session_id: str | None  # a table file's session id
    therapist: str | None
    client: str | None
    date: dt.date | None
    session: str | None  # the header's @session (or the mapping's session)
    sources: dict[str, str | None]  # therapist/client/date: "map", "column", "header" or None
    assessed: bool
    reason: str | None
    score: float | None
    shifts: int
    recovery_turns: tuple[int | None, ...]  # per shift; None: the client did not get back to their material
    seconds: float
    given_seconds: float  # time given to the therapist (shift episodes + therapist-emotion turns)
    words: int
    given_words: int
    estimated: bool  # some of the seconds are estimated from words (no timestamps there)
    date_text: str | None = None  # a header date that could not be read (a Problem says where)
    report: str | None = None  # the report page written for this session, if any
    warnings: tuple[tuple[int | None, str], ...] = ()  # the reader's, as the analysis had them

    @property
    def share(self) -> float:
        """The share of the session's time given to the therapist (0..1)."""
        return self.given_seconds / self.seconds if self.seconds > 0 else 0.0


def session_time(analysis: Analysis) -> timeshare.SessionTime:
    """Seconds and words of the session and of what went to the therapist: `analysis.time`.

    A session that could not be assessed has none (no therapist or no client to give time to);
    its length is still measured here, and the caseload leaves it out of every figure.
    """
    if analysis.time is not None:
        return analysis.time
    return timeshare.session_time(analysis.transcript.turns, analysis.events, analysis.shifts)


_TITLED = re.compile(r"(?:dr|doctor|mr|mrs|ms|mx|miss|prof)\.?\s+\S", re.I)


def _is_person(name: str) -> bool:
    """'Dr. Reyes', 'Sam', 'Dr. X': a person; 'T', 'Therapist', 'CLIENT', 'Client 2': a role word.

    A role word is a label whose own words give it its role (roles.label_role, as --no-text's
    de-identification decides what is a name); a title before a name makes it a person.
    """
    from .roles import label_role

    if _TITLED.match(name):
        return True
    found = label_role(name)
    return not (found is not None and found[1].startswith(("the label", "the code")))


def _names(value: object, ignore: frozenset[str]) -> str | None:
    """The header's names for a role, without the command line's labels and role words ("T", "Client").

    Several names (co-therapists) are one group, joined by ', '.
    """
    names = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    kept = [n.strip() for n in names if isinstance(n, str) and n.strip() and n.strip() not in ignore
            and _is_person(n.strip())]
    return ", ".join(kept) or None


def record(result: Analysis | Failure, ignore: frozenset[str] = frozenset()) -> SessionRecord | Failure:
    """An analysis as a SessionRecord (header values only; mapping and columns come later in the parent).

    Picklable and run in the worker, so that only the record travels back.
    `ignore`: speaker labels given on the command line or in the config, which
    land in the header metadata too but are labels, not people.
    """
    if isinstance(result, Failure):
        return result
    t = result.transcript
    time = session_time(result)
    date_text = t.meta.get("date")
    day = None
    if isinstance(date_text, str):
        try:
            day = parse_date(date_text)
            date_text = None
        except ValueError:
            pass  # reported, with its line, by the parent (Problem)
    therapist = _names(t.meta.get("therapist"), ignore)
    client = _names(t.meta.get("client"), ignore)
    session = t.meta.get("session")
    sid = t.meta.get("transcript")
    return SessionRecord(
        n=0, path=t.path, file=t.path, format=t.format,
        session_id=str(sid) if sid is not None else None,
        therapist=therapist, client=client, date=day,
        session=str(session) if session not in (None, "") else None,
        sources={"therapist": "header" if therapist else None, "client": "header" if client else None,
                 "date": "header" if day else None},
        assessed=result.assessable, reason=result.reason, score=result.score,
        shifts=len(result.shifts), recovery_turns=tuple(s.recovery_turns for s in result.shifts),
        seconds=time.session.seconds, given_seconds=time.to_therapist.seconds,
        words=time.session.words, given_words=time.to_therapist.words,
        estimated=time.session.estimated or time.to_therapist.estimated,
        date_text=date_text if isinstance(date_text, str) else None,
        warnings=t.warnings,
    )


# --------------------------------------------------------------------------- table inputs' columns


@dataclass(frozen=True)
class _Cell:
    value: str
    line: int
    column: str


def _rows(text: str, kind: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(header, [(first line of the row, row)]) of a table input, as formats.table reads it.

    Only who and when are taken from here; anything the reader would refuse
    stops this quietly, since the analysis reports it with its line.
    """
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] = []
    if kind in ("csv", "tsv"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if kind == "tsv" else ",")
        old = csv.field_size_limit(TABLE_FIELD_LIMIT)
        try:
            header = next(reader, [])
            last = reader.line_num
            for record in reader:
                start, last = last + 1, reader.line_num
                if any(cell.strip() for cell in record):
                    rows.append((start, dict(zip(header, record))))
        except csv.Error:
            pass
        finally:
            csv.field_size_limit(old)
        return header, rows
    decoder = json.JSONDecoder()
    if kind == "jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError):
                    break
                if isinstance(obj, dict):
                    rows.append((n, obj))
    else:  # a JSON array of objects
        i = len(text) - len(text.lstrip())
        if text.startswith("[", i):
            i += 1
            line, counted = 1, 0
            while True:
                while i < len(text) and text[i] in " \t\r\n,":
                    i += 1
                if i >= len(text) or text[i] == "]":
                    break
                line += text.count("\n", counted, i)
                counted = i
                try:
                    obj, i = decoder.raw_decode(text, i)
                except (ValueError, RecursionError):
                    break
                if isinstance(obj, dict):
                    rows.append((line, obj))
    for _, obj in rows:
        header.extend(str(k) for k in obj if str(k) not in header)
    return header, rows


TABLE_FIELD_LIMIT = 16 * 1024 * 1024  # characters in one cell, as formats.table allows


def table_columns(file: str, kind: str, options: Options | None = None) -> tuple[dict[str | None, dict[str, _Cell]],
                                                                                list[Problem]]:
    """Who and when from a table input's own columns: {session id (None: no id): {field: cell}}.

    The session id column is the one formats.table groups sessions by (--columns
    transcript=..., else the first of its default names). The first non-empty
    cell of a session wins; rows of one session that disagree are a warning.
    """
    from .formats import load
    from .formats.common import decode
    from .formats.table import DEFAULT_COLUMNS

    read_options = analyzer_for(options).read_options()
    try:
        text = decode(load(file), file, read_options.encoding)
    except (OSError, FocusshiftError):
        return {}, []  # the analysis itself reported why this file cannot be read
    header, rows = _rows(text, kind)
    lower = {str(h).strip().lower(): h for h in header}
    mine = {f: next((lower[c] for c in names if c in lower), None) for f, names in TABLE_COLUMNS.items()}
    mine = {f: c for f, c in mine.items() if c is not None}
    if not mine:
        return {}, []
    given = dict(read_options.columns).get("transcript")
    if given is not None:
        sid_column = given if given in header else lower.get(given.lower())
    else:
        sid_column = next((lower[c] for c in DEFAULT_COLUMNS["transcript"] if c in lower), None)
    found: dict[str | None, dict[str, _Cell]] = {}
    problems: list[Problem] = []
    for start, row in rows:
        sid = (str(row.get(sid_column, "") or "") or None) if sid_column is not None else None
        cells = found.setdefault(sid, {})
        for f, c in mine.items():
            raw = row.get(c)
            value = " ".join(str(raw).split()) if raw is not None else ""
            if not value:
                continue
            if f not in cells:
                cells[f] = _Cell(value, start, str(c))
            elif cells[f].value != value:
                problems.append(Problem(file, start, f"column {c!r} says {value!r} here but "
                                                     f"{cells[f].value!r} at line {cells[f].line} for the "
                                                     "same session; the first is used"))
    return found, problems


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class TrendPoint:
    n: int  # the session's SessionRecord.n
    date: dt.date
    share: float


@dataclass(frozen=True)
class Group:
    """One therapist's (or client's) sessions and their figures. name None: not known."""

    kind: str  # "therapist" or "client"
    name: str | None
    sessions: tuple[SessionRecord, ...]  # in date order (undated last)
    assessed: int
    dated: int
    with_shift: int
    shifts: int
    shifts_per_session: float | None
    median_recovery_turns: float | None
    unrecovered_shifts: int
    session_seconds: float
    given_seconds: float
    given_share: float | None  # given_seconds / session_seconds
    given_seconds_per_session: float | None
    mean_given_share: float | None  # the mean of the sessions' own shares
    estimated_sessions: int
    counterparts: int  # distinct clients of a therapist (or therapists of a client), known ones
    trend: tuple[TrendPoint, ...]
    rising: bool | None
    rising_reason: str | None

    @property
    def known(self) -> bool:
        return self.name is not None


def _order(r: SessionRecord) -> tuple:
    number = None
    if r.session is not None:
        try:
            number = float(r.session)
        except ValueError:
            number = None
    return (r.date is None, r.date or dt.date.min, number is None, number or 0.0, r.n)


def group(records: Sequence[SessionRecord], kind: str, rule: RisingRule) -> Group | None:
    """The figures of these sessions (all of one therapist, or of one client); None if there are none."""
    if not records:
        return None
    name = getattr(records[0], kind)
    other = "client" if kind == "therapist" else "therapist"
    ordered = tuple(sorted(records, key=_order))
    counted = [r for r in ordered if r.assessed]
    recoveries = [t for r in counted for t in r.recovery_turns if t is not None]
    shifts = sum(r.shifts for r in counted)
    session_seconds = sum(r.seconds for r in counted)
    given_seconds = sum(r.given_seconds for r in counted)
    trend = tuple(TrendPoint(r.n, r.date, r.share) for r in counted if r.date is not None)
    flag, why = rising([p.share for p in trend], rule) if name is not None else (None, None)
    return Group(
        kind=kind, name=name, sessions=ordered, assessed=len(counted),
        dated=sum(1 for r in ordered if r.date is not None),
        with_shift=sum(1 for r in counted if r.shifts),
        shifts=shifts,
        shifts_per_session=shifts / len(counted) if counted else None,
        median_recovery_turns=float(statistics.median(recoveries)) if recoveries else None,
        unrecovered_shifts=sum(1 for r in counted for t in r.recovery_turns if t is None),
        session_seconds=session_seconds, given_seconds=given_seconds,
        given_share=given_seconds / session_seconds if session_seconds > 0 else (0.0 if counted else None),
        given_seconds_per_session=given_seconds / len(counted) if counted else None,
        mean_given_share=statistics.fmean(r.share for r in counted) if counted else None,
        estimated_sessions=sum(1 for r in counted if r.estimated),
        counterparts=len({getattr(r, other) for r in ordered if getattr(r, other) is not None}),
        trend=trend, rising=flag, rising_reason=why,
    )


def groups(records: Sequence[SessionRecord], kind: str, rule: RisingRule) -> list[Group]:
    """One Group per therapist (or client), by name; the sessions whose one is not known last."""
    by: dict[str | None, list[SessionRecord]] = {}
    for r in records:
        by.setdefault(getattr(r, kind), []).append(r)
    names = sorted((n for n in by if n is not None), key=lambda n: (n.casefold(), n))
    out = [group(by[n], kind, rule) for n in names]
    if None in by:
        out.append(group(by[None], kind, rule))
    return [g for g in out if g is not None]


# --------------------------------------------------------------------------- the caseload


@dataclass
class Caseload:
    """Sessions, their groups, and what went wrong (files that failed, dates that could not be read)."""

    sessions: list[SessionRecord]
    therapists: list[Group]
    clients: list[Group]
    rule: RisingRule
    failures: list[Failure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: exit 2
    warnings: list[Problem] = field(default_factory=list)
    text: bool = True  # False: de-identified (names, dates, paths out)
    first_date: dt.date | None = None  # day 0 of the `day` numbers

    def day(self, date: dt.date | None) -> int | None:
        """Days since the earliest dated session of the run: what --no-text shows instead of dates."""
        if date is None or self.first_date is None:
            return None
        return (date - self.first_date).days

    def missing(self, what: str) -> list[SessionRecord]:
        return [r for r in self.sessions if getattr(r, what) is None]

    def rebuild(self, rule: RisingRule) -> Caseload:
        """The same sessions grouped under another rising rule."""
        return replace(self, rule=rule, therapists=groups(self.sessions, "therapist", rule),
                       clients=groups(self.sessions, "client", rule))


def _first_line(file: str, key: str, encoding: str | None) -> int | None:
    """The line of a file's `@key:` header line (for the error about it), if it can be found."""
    from .formats import load
    from .formats.common import decode, split_lines

    if file == "-":
        return None
    try:
        lines = split_lines(decode(load(file), file, encoding))
    except (OSError, FocusshiftError):
        return None
    rx = re.compile(r"^\s*(?:\*\*\*\s*)?@" + re.escape(key) + r"\s*:", re.I)
    return next((n for n, line in enumerate(lines, 1) if rx.match(line)), None)


def _complete(r: SessionRecord, n: int, file: str, mapping: Mapping | None,
              columns: dict[str | None, dict[str, _Cell]] | None, encoding: str | None,
              problems: list[Problem]) -> SessionRecord:
    """A worker's record with its place in the run, the table's columns and the mapping over the header."""
    values = {"therapist": r.therapist, "client": r.client, "date": r.date, "session": r.session}
    sources = dict(r.sources)
    pending: list[Problem] = []  # dates that could not be read, unless a source that wins gives one
    if r.date_text is not None:
        pending.append(Problem(file, _first_line(file, "date", encoding),
                               f"@date {parse_error(r.date_text)}; the session's date is taken as unknown"))
    if columns:
        cells = columns.get(r.session_id if r.session_id is not None else None) or columns.get(None) or {}
        for f, cell in cells.items():
            if f == "date":
                try:
                    values["date"] = parse_date(cell.value)
                    sources["date"] = "column"
                    pending.clear()
                except ValueError as exc:
                    pending.append(Problem(file, cell.line, f"column {cell.column!r}: date {exc}; the session's "
                                                            "date is taken as unknown"))
                    values["date"], sources["date"] = None, None
            else:
                values[f], sources[f] = cell.value, "column"
    entry = mapping.find(file, r.session_id) if mapping is not None else None
    if entry is not None:
        for f in ("therapist", "client", "session"):
            value = getattr(entry, f)
            if value is not None:
                values[f] = value
                if f in sources:
                    sources[f] = "map"
        if entry.date is not None:
            values["date"], sources["date"] = entry.date, "map"
            pending.clear()  # the mapping wins: what the file says does not matter
        elif entry.date_text is not None:  # a Problem already names the mapping's line
            values["date"], sources["date"] = None, None
    problems.extend(pending)
    return replace(r, n=n, file=file, sources=sources, **values)


def parse_error(text: str) -> str:
    try:
        parse_date(text)
    except ValueError as exc:
        return str(exc)
    return f"{text!r}"


def build(records: Iterable[tuple[str, SessionRecord | Failure]], rule: RisingRule | None = None, *,
          mapping: Mapping | None = None, options: Options | None = None) -> Caseload:
    """The caseload of (input file, record) pairs, in input order."""
    rule = rule or RisingRule()
    encoding = analyzer_for(options).read_options().encoding
    sessions: list[SessionRecord] = []
    failures: list[Failure] = []
    problems: list[Problem] = list(mapping.problems) if mapping is not None else []
    warnings: list[Problem] = []
    tables: dict[str, dict] = {}
    for file, r in records:
        if isinstance(r, Failure):
            failures.append(r)
            continue
        columns = None
        if r.format in TABLE_FORMATS and file != "-":
            if file not in tables:
                tables[file], found = table_columns(file, r.format, options)
                warnings.extend(found)
            columns = tables[file]
        sessions.append(_complete(r, len(sessions) + 1, file, mapping, columns, encoding, problems))
    if mapping is not None:
        for e in mapping.unused():
            target = e.file + (f"#{e.session_id}" if e.session_id else "")
            warnings.append(Problem(mapping.path, e.line, f"{target} is not among the sessions read; "
                                                          "this row is not used"))
    dates = [r.date for r in sessions if r.date is not None]
    return Caseload(sessions=sessions, therapists=groups(sessions, "therapist", rule),
                    clients=groups(sessions, "client", rule), rule=rule, failures=failures,
                    problems=problems, warnings=warnings, first_date=min(dates) if dates else None)


def deidentified(c: Caseload) -> Caseload:
    """The caseload with names, paths, dates and session labels out: 'therapist 1', 'client 3', day numbers.

    Numbers follow the order in which each person first appears in the input
    (stable within a run and for the same inputs). Dates become days since the
    run's first dated session (the `day` fields); ids from file names or
    headers go; the sessions keep their position in the input (n).
    """
    ids: dict[str, dict[str, str]] = {"therapist": {}, "client": {}}
    for r in c.sessions:
        for kind in ("therapist", "client"):
            name = getattr(r, kind)
            if name is not None and name not in ids[kind]:
                ids[kind][name] = f"{kind} {len(ids[kind]) + 1}"
    sessions = [
        replace(r, path=f"session {r.n}", file=f"session {r.n}", session_id=None, session=None,
                therapist=ids["therapist"].get(r.therapist) if r.therapist else None,
                client=ids["client"].get(r.client) if r.client else None,
                reason=r.reason and r.reason.split(" (")[0],  # the listing in brackets names speakers
                date_text=None, warnings=())
        for r in c.sessions
    ]
    out = replace(c, sessions=sessions, text=False)
    out = out.rebuild(c.rule)
    # Group order by number, not by the names the numbers stand for
    key = lambda g: (g.name is None, int(g.name.split()[-1]) if g.name else 0)  # noqa: E731
    out.therapists.sort(key=key)
    out.clients.sort(key=key)
    return out


# --------------------------------------------------------------------------- the library call


def caseload(
    paths: Iterable[str | Path] = (),
    options: Options | None = None,
    *,
    mapping: str | Path | Mapping | None = None,
    rule: RisingRule | None = None,
    jobs: int = 1,
    glob: str | None = None,
    stdin: bytes | None = None,
    text: bool = True,
    reports: str | Path | None = None,
    report_back: str | None = None,
    private: bool = False,
    on_result: Callable[[SessionRecord | Failure], None] | None = None,
) -> Caseload:
    """Analyze the sessions at `paths` (or, with none, the files the mapping names) and group them.

        >>> c = focusshift.caseload(["sessions/"], mapping="sessions.csv")
        >>> [(g.name, g.sessions, g.given_share, g.rising) for g in c.therapists]

    `reports`: a folder that gets each session's HTML report (as `focusshift
    report` writes it; text=False de-identified, named session-N.html), linked
    from the records (`report`); `report_back` is the link from each report
    back to the caseload page. The mapping file and the inputs are never
    written over. text=False returns the caseload de-identified. `on_result`
    sees each session's record (or a file's Failure) as it comes.
    """
    from . import batch
    from .api import discover
    from .outputs import same_file

    analyzer = analyzer_for(options)
    rule = rule or RisingRule()
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = read_mapping(mapping)
    paths = [str(p) for p in paths]
    if not paths and mapping is not None:
        paths = mapping.files()
    files = [f for f in discover(paths, glob)
             if not (mapping is not None and f != "-" and same_file(f, mapping.path))]
    ignore = frozenset(analyzer.read_options().therapist) | frozenset(analyzer.read_options().client)
    writer = _ReportWriter(reports, [*files, *analyzer.options.files, *([mapping.path] if mapping else [])],
                           text=text, private=private, back=report_back) if reports is not None else None
    shape = None if writer is not None else _shape(ignore)

    def stream() -> Iterator[tuple[str, SessionRecord | Failure]]:
        n = 0
        for file, results in batch.run(files, analyzer, jobs=jobs, stdin=stdin, shape=shape):
            for r in results:
                if writer is not None:
                    rec = record(r, ignore)
                    if not isinstance(r, Failure):
                        n += 1
                        rec = replace(rec, report=writer.write(r, n))
                    r = rec
                if on_result is not None:
                    on_result(r)
                yield file, r

    built = build(stream(), rule, mapping=mapping, options=options)
    return deidentified(built) if not text else built


def _shape(ignore: frozenset[str]) -> Callable:
    import functools

    return functools.partial(record, ignore=ignore)


class _ReportWriter:
    """Each session's report page, written as its analysis arrives (nothing kept in memory)."""

    def __init__(self, folder: str | Path, inputs: list[str], *, text: bool, private: bool,
                 back: str | None) -> None:
        from .report import ReportError

        self.folder = Path(folder)
        self.inputs = inputs
        # Every page is checked against every input; by identity (device, inode), not a samefile() per pair.
        self.identities: dict[tuple[int, int], str] = {}
        for src in inputs:
            try:
                st = os.stat(src)
            except OSError:
                continue
            self.identities.setdefault((st.st_dev, st.st_ino), str(src))
        self.text = text
        self.private = private
        self.back = back
        self.taken: set[str] = set()
        if self.folder.exists() and not self.folder.is_dir():
            raise ReportError(f"--reports {folder}: is a file; give a folder for the reports")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReportError(f"--reports {folder}: cannot create the folder: {exc.strerror or exc}") from None

    def write(self, analysis: Analysis, n: int) -> str:
        from .deidentify import deidentify
        from .outputs import open_output
        from .render.html import render_report
        from .report import safe_name

        if self.text:
            name = safe_name(analysis.transcript.path.replace(os.sep, "/").split("/")[-1]
                             if "#" not in analysis.transcript.path else
                             Path(analysis.transcript.path.rpartition("#")[0]).name + "#"
                             + analysis.transcript.path.rpartition("#")[2], self.taken)
        else:
            analysis = deidentify(analysis)  # and the page's heading and footer name no file either:
            analysis = replace(analysis, transcript=replace(analysis.transcript, path=f"session {n}"))
            name = safe_name(f"session-{n}", self.taken)
        target = self.folder / name
        try:
            st = os.stat(target)
            src = self.identities.get((st.st_dev, st.st_ino))
        except OSError:
            src = None  # not there yet: it cannot be an input
        inputs = [src] if src is not None else []  # open_output refuses it, with its usual message
        with open_output(str(target), inputs, private=self.private, flag="--reports") as fh:
            fh.write(render_report(analysis, text=self.text, index_href=self.back))
        return str(target)
