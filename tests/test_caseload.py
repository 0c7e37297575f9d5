"""`focusshift caseload`: grouping by therapist and client, the figures, the rising flag, the mapping
file, bad dates, --no-text, the CSV/JSON shape, the HTML page, and the page in a real browser.

The synthetic caseload is tests/data/caseload/: headers/ (native files with @therapist, @client,
@date, @session headers, some with timestamps, and a CSV whose therapist/client/date columns name
who and when) and mapped/ (files without headers, named by mapping.csv)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from focusshift import timeshare
from focusshift.api import analyzer_for
from focusshift.caseloads import (
    Caseload,
    CaseloadError,
    RisingRule,
    SessionRecord,
    caseload,
    group,
    parse_date,
    read_mapping,
    rising,
)
from focusshift.cli import EXIT_ERROR, EXIT_OK, cli
from focusshift.options import Options
from focusshift.render.caseload import GROUP_FIELDS, SESSION_FIELDS, TREND_FIELDS, caseload_dict, render_html

from .conftest import ROOT

DATA = Path(__file__).resolve().parent / "data" / "caseload"
HEADERS = DATA / "headers"
MAPPED = DATA / "mapped"
MAPPING = DATA / "mapping.csv"
RULES = Options.create(detector="rules")  # the rules alone: fast and the same on every machine

# Everything a de-identified output must not hold: names (as words), file names, dates, session ids.
NAMES = ("Reyes", "Okafor", "Lin", "Anna", "Ben", "Chloe", "Dev", "Ella", "Farid", "Gil", "Sam")
FRAGMENTS = ("reyes", "okafor", "lin-ella", "farid", "m1.txt", "mapped/", "headers/", "2024-", "2023-",
             "okafor-chloe", "weekly session")


def leaks(text: str) -> list[str]:
    """The names and file-name fragments in `text`."""
    found = [n for n in NAMES if re.search(rf"\b{n}\b", text)]
    return found + [f for f in FRAGMENTS if f in text.lower()]


@pytest.fixture(scope="module")
def sample() -> Caseload:
    return caseload([HEADERS], RULES)


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run(runner, *args, **kw):
    return runner.invoke(cli, ["caseload", *[str(a) for a in args]], catch_exceptions=False, **kw)


def by_name(groups, name):
    return next(g for g in groups if g.name == name)


def record(**kw) -> SessionRecord:
    base = dict(n=1, path="s.txt", file="s.txt", format="native", session_id=None, therapist="A", client="X",
                date=None, session=None, sources={}, assessed=True, reason=None, score=100.0, shifts=0,
                recovery_turns=(), seconds=100.0, given_seconds=0.0, words=200, given_words=0, estimated=False)
    base.update(kw)
    return SessionRecord(**base)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text, day", [
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024-3-5", dt.date(2024, 3, 5)),
    ("2024/03/05", dt.date(2024, 3, 5)),
    ("2024.03.05", dt.date(2024, 3, 5)),
    ("20240305", dt.date(2024, 3, 5)),
    ("2024-03-05T14:30", dt.date(2024, 3, 5)),
    ("2024-03-05 14:30:00+01:00", dt.date(2024, 3, 5)),
    ("5 March 2024", dt.date(2024, 3, 5)),
    ("05-MAR-2024", dt.date(2024, 3, 5)),  # CHAT's @Date
    ("March 5, 2024", dt.date(2024, 3, 5)),
    ("Sept 5th 2024", dt.date(2024, 9, 5)),
])
def test_dates_people_write_are_read(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text, why", [
    ("05/03/2024", "day/month or month/day"),
    ("2024-13-01", "not a day in the calendar"),
    ("2024-02-30", "not a day in the calendar"),
    ("last Tuesday", "not a date"),
    ("", "empty"),
    ("5 Smarch 2024", "not a date"),
])
def test_dates_that_cannot_be_read_say_why(text, why):
    with pytest.raises(ValueError, match=why):
        parse_date(text)


# --------------------------------------------------------------------------- the rising rule


def test_rule_parsing():
    assert RisingRule.parse([]) == RisingRule(last=3, steps=1.0, mean=5.0)
    assert RisingRule.parse(["steps"], last=4) == RisingRule(last=4, steps=1.0, mean=None)
    assert RisingRule.parse(["mean:10"]) == RisingRule(last=3, steps=None, mean=10.0)
    assert RisingRule.parse(["steps:0", "mean:2.5"]) == RisingRule(last=3, steps=0.0, mean=2.5)
    assert RisingRule.parse(["off"]) == RisingRule(last=3, steps=None, mean=None)
    for bad in ("up", "mean:x", "steps:-1", "mean:nan"):
        with pytest.raises(ValueError):
            RisingRule.parse([bad])


def test_steps_rule_on_both_sides_of_its_threshold():
    shares = [0.10, 0.12, 0.15, 0.19]  # steps of 2, 3, 4 points
    assert rising(shares, RisingRule(steps=1.9, mean=None))[0] is True
    assert rising(shares, RisingRule(steps=2.0, mean=None))[0] is False  # "more than": 2 is not more than 2
    assert rising(shares, RisingRule(steps=2.1, mean=None))[0] is False
    flag, why = rising(shares, RisingRule(steps=1.0, mean=None))
    assert flag and "rose in each of the last 3 sessions" in why and "10 → 12 → 15 → 19 %" in why
    # one step down in the last N: not rising, however high the rest
    assert rising([0.0, 0.3, 0.2, 0.5], RisingRule(steps=0.0, mean=None))[0] is False
    # the step into the window counts: the session before the last N is the baseline
    assert rising([0.5, 0.1, 0.2, 0.3], RisingRule(steps=0.0, mean=None))[0] is False


def test_mean_rule_on_both_sides_of_its_margin():
    shares = [0.02, 0.04, 0.10, 0.12, 0.14]  # earlier mean 3 %, last three 12 %: 9 points more
    assert rising(shares, RisingRule(steps=None, mean=8.9))[0] is True
    assert rising(shares, RisingRule(steps=None, mean=9.1))[0] is False
    flag, why = rising(shares, RisingRule(steps=None, mean=5))
    assert flag and "12.0 % on average" in why and "9.0 points more than the 2 earlier sessions (3.0 %)" in why
    # a spike that has passed is not a rise: the latest session must be above the margin too
    assert rising([0.0, 0.0, 0.3, 0.0, 0.0], RisingRule(steps=None, mean=5))[0] is False


def test_too_few_dated_sessions_is_not_a_verdict():
    assert rising([0.1, 0.2, 0.3], RisingRule(last=3)) == (None, None)  # needs N+1 = 4
    assert rising([0.1, 0.2, 0.3], RisingRule(last=2))[0] is True
    assert rising([0.1, 0.2, 0.3, 0.4], RisingRule(last=3, steps=None, mean=None)) == (None, None)


# --------------------------------------------------------------------------- figures of one group


def test_group_figures_by_hand():
    rs = [
        record(n=1, date=dt.date(2024, 1, 1), seconds=100, given_seconds=0),
        record(n=2, date=dt.date(2024, 1, 8), seconds=200, given_seconds=20, shifts=1, recovery_turns=(3,),
               estimated=True),
        record(n=3, date=dt.date(2024, 1, 15), seconds=100, given_seconds=30, shifts=2, recovery_turns=(5, None)),
        record(n=4, date=None, seconds=100, given_seconds=10, shifts=1, recovery_turns=(8,), client="Y"),
        record(n=5, date=dt.date(2024, 1, 22), assessed=False, reason="no client", seconds=50, given_seconds=50),
    ]
    g = group(rs, "therapist", RisingRule())
    assert (g.name, len(g.sessions), g.assessed, g.dated) == ("A", 5, 4, 4)
    assert g.with_shift == 3 and g.shifts == 4 and g.shifts_per_session == 1.0
    assert g.median_recovery_turns == 5.0 and g.unrecovered_shifts == 1  # median of 3, 5, 8
    assert g.session_seconds == 500 and g.given_seconds == 60 and g.given_share == pytest.approx(0.12)
    assert g.given_seconds_per_session == 15
    assert g.mean_given_share == pytest.approx((0 + 0.1 + 0.3 + 0.1) / 4)
    assert g.estimated_sessions == 1 and g.counterparts == 2
    # the trend: dated, assessed sessions in date order; the undated and the unassessed are not on it
    assert [p.n for p in g.trend] == [1, 2, 3] and [p.share for p in g.trend] == [0.0, 0.1, 0.3]
    assert g.rising is None  # three dated sessions: too few for the last 3
    assert [r.n for r in g.sessions] == [1, 2, 3, 5, 4]  # date order, undated last


def test_group_order_ties_by_session_number_then_input():
    d = dt.date(2024, 1, 1)
    rs = [record(n=1, date=d, session="10"), record(n=2, date=d, session="9"), record(n=3, date=d)]
    assert [r.n for r in group(rs, "therapist", RisingRule()).sessions] == [2, 1, 3]


# --------------------------------------------------------------------------- the sample caseload


def test_sessions_grouped_by_therapist_and_client(sample):
    assert len(sample.sessions) == 14 and not sample.failures and not sample.problems
    assert [g.name for g in sample.therapists] == ["Dr. Lin", "Dr. Reyes", "Sam Okafor", None]
    assert [g.name for g in sample.clients] == ["Anna", "Ben", "Chloe", "Dev", "Ella", "Farid"]
    assert [len(g.sessions) for g in sample.therapists] == [3, 6, 4, 1]
    reyes = by_name(sample.therapists, "Dr. Reyes")
    assert {r.client for r in reyes.sessions} == {"Anna", "Ben"} and reyes.counterparts == 2
    assert reyes.with_shift == 3 and reyes.shifts == 3 and reyes.median_recovery_turns == 7.0


def test_table_columns_name_who_and_when(sample):
    """okafor.csv's speaker is 'Sam' (role column); its therapist column says who the therapist is."""
    chloe = [r for r in sample.sessions if r.client == "Chloe"]
    assert len(chloe) == 2
    assert {r.therapist for r in chloe} == {"Sam Okafor"}
    assert [r.date for r in chloe] == [dt.date(2024, 1, 10), dt.date(2024, 1, 24)]
    assert all(r.sources == {"therapist": "column", "client": "column", "date": "column"} for r in chloe)
    assert by_name(sample.therapists, "Sam Okafor").counterparts == 2


def test_sessions_with_something_unknown_are_kept_and_listed(sample):
    assert [Path(r.path).name for r in sample.missing("therapist")] == ["farid-2024-01-20.txt"]
    assert [Path(r.path).name for r in sample.missing("date")] == ["lin-ella-undated.txt"]
    unknown = sample.therapists[-1]
    assert unknown.name is None and not unknown.known and unknown.rising is None
    lin = by_name(sample.therapists, "Dr. Lin")
    assert len(lin.sessions) == 3 and lin.dated == 2 and len(lin.trend) == 2
    assert lin.sessions[-1].date is None  # undated last


def test_figures_are_the_sessions_own_time(sample):
    """The group's seconds are the sum of timeshare's figures for its sessions."""
    analyzer = analyzer_for(RULES)
    reyes = by_name(sample.therapists, "Dr. Reyes")
    given = total = 0.0
    for r in reyes.sessions:
        a = analyzer.analyze(r.path)
        t = timeshare.session_time(a.transcript.turns, a.events, a.shifts)
        assert r.given_seconds == pytest.approx(t.to_therapist.seconds)
        assert r.seconds == pytest.approx(t.session.seconds)
        given += t.to_therapist.seconds
        total += t.session.seconds
    assert reyes.given_seconds == pytest.approx(given) and reyes.given_share == pytest.approx(given / total)
    assert reyes.given_seconds_per_session == pytest.approx(given / 6)


def test_one_therapist_is_rising_and_the_others_are_not(sample):
    reyes = by_name(sample.therapists, "Dr. Reyes")
    assert reyes.rising is True and "rose in each of the last 3 sessions" in reyes.rising_reason
    assert [p.date.isoformat() for p in reyes.trend] == [
        "2023-12-18", "2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29", "2024-02-05"]
    shares = [p.share for p in reyes.trend]
    assert shares[:3] == [0.0, 0.0, 0.0] and shares[3] < shares[4] < shares[5]
    assert by_name(sample.therapists, "Sam Okafor").rising is False
    assert by_name(sample.therapists, "Dr. Lin").rising is None  # two dated sessions
    assert all(g.rising is None for g in sample.clients)  # no client has 4 dated sessions


def test_rising_flag_on_both_sides_of_the_thresholds(sample):
    """Thresholds just under and just over the sample's own figures flip the flag."""
    shares = [100 * p.share for p in by_name(sample.therapists, "Dr. Reyes").trend]
    smallest_step = min(b - a for a, b in zip(shares[-4:], shares[-3:]))
    excess = sum(shares[-3:]) / 3 - sum(shares[:-3]) / 3

    def flag(rule):
        return by_name(sample.rebuild(rule).therapists, "Dr. Reyes").rising

    assert flag(RisingRule(steps=smallest_step - 0.05, mean=None)) is True
    assert flag(RisingRule(steps=smallest_step + 0.05, mean=None)) is False
    assert flag(RisingRule(steps=None, mean=excess - 0.05)) is True
    assert flag(RisingRule(steps=None, mean=excess + 0.05)) is False
    assert flag(RisingRule(last=5, steps=0.0, mean=None)) is False  # flat 0 → 0 is no rise
    assert flag(RisingRule(last=6)) is None  # 6 dated sessions: too few for the last 6


# --------------------------------------------------------------------------- the mapping file


def test_mapping_wins_over_headers_and_empty_cells_give_nothing():
    c = caseload([MAPPED], RULES, mapping=MAPPING)
    by = {Path(r.path).name: r for r in c.sessions}
    m3 = by["m3.txt"]  # header: Dr. Reyes, Gil, 2024-03-01; mapping: Dr. Lin, (empty), 2024-03-04
    assert (m3.therapist, m3.client, m3.date) == ("Dr. Lin", "Gil", dt.date(2024, 3, 4))
    assert m3.sources == {"therapist": "map", "client": "header", "date": "map"}
    m4 = by["m4.txt"]  # mapping's date is empty: the header's
    assert m4.date == dt.date(2024, 3, 15) and m4.sources["date"] == "header"
    m5 = by["m5.txt"]  # not in the mapping, no header
    assert (m5.therapist, m5.client, m5.date) == (None, None, None)
    assert [g.name for g in c.therapists] == ["Dr. Lin", None] and [g.name for g in c.clients] == ["Gil", None]
    assert len(by_name(c.therapists, "Dr. Lin").sessions) == 4


def test_mapping_alone_names_the_inputs():
    c = caseload([], RULES, mapping=MAPPING)
    assert sorted(Path(r.path).name for r in c.sessions) == ["m1.txt", "m2.txt", "m3.txt", "m4.txt"]


def test_mapping_rows_absolute_paths_table_sessions_duplicates_and_strays(tmp_path):
    (tmp_path / "a.txt").write_text("T: How was the week?\nC: Fine, busy at work.\n")
    table = HEADERS / "okafor.csv"
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "path,therapist,client,date,extra\n"
        f"{tmp_path / 'a.txt'},Dr. Abs,Zed,2024-05-01,x\n"
        f"{table}#okafor-chloe-2,Dr. Cover,,,\n"
        "a.txt,Again,,,\n"
        "gone.txt,Nobody,,,\n"
        ",Nopath,,,\n"
    )
    m = read_mapping(mapping)
    assert [(p.line, p.message.split(";")[0]) for p in m.problems] == [
        (4, "a.txt is mapped already at line 2"), (6, "no path in this row")]
    c = caseload([tmp_path / "a.txt", table], RULES, mapping=m)
    by = {r.path.rsplit("/", 1)[-1]: r for r in c.sessions}
    assert (by["a.txt"].therapist, by["a.txt"].client, by["a.txt"].date) == ("Dr. Abs", "Zed", dt.date(2024, 5, 1))
    assert by["okafor.csv#okafor-chloe-2"].therapist == "Dr. Cover"  # one session of the table
    assert by["okafor.csv#okafor-chloe-1"].therapist == "Sam Okafor"  # the other keeps its column
    assert by["okafor.csv#okafor-chloe-2"].client == "Chloe"
    assert [(w.line, "not among the sessions read" in w.message) for w in c.warnings] == [(5, True)]


def test_a_mapping_without_a_path_column_is_a_usage_error(tmp_path, runner):
    bad = tmp_path / "map.csv"
    bad.write_text("file,therapist\na.txt,X\n")
    with pytest.raises(CaseloadError, match="path, therapist, client, date"):
        read_mapping(bad)
    r = run(runner, HEADERS, "--map", bad, "--detector", "rules")
    assert r.exit_code == EXIT_ERROR and "map.csv:1: the header must name" in r.stderr


# --------------------------------------------------------------------------- dates that cannot be read


def test_bad_dates_name_file_and_line_exit_2_and_the_rest_goes_on(tmp_path, runner):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "bad.txt").write_text("@therapist: Dr. X\n\n@date: 2024-13-45\n@client: Q\n\nT: Hello.\nC: Hi, fine.\n")
    (folder / "good.txt").write_text("@therapist: Dr. X\n@client: Q\n@date: 2024-02-01\n\nT: Hello.\nC: Hi, fine.\n")
    (folder / "table.csv").write_text(
        "session,therapist,date,speaker,role,text\n"
        "s1,Dr. Y,2024-01-01,Ann,client,Hello there.\n"
        "s1,Dr. Y,2024-01-01,Tom,therapist,Hello.\n"
        "s2,Dr. Y,01/02/2024,Ann,client,Hi again.\n"
        "s2,Dr. Y,01/02/2024,Tom,therapist,Welcome back.\n")
    (folder / "nomap.txt").write_text("T: Hello.\nC: Hi.\n")
    mapping = tmp_path / "map.csv"
    mapping.write_text("path,therapist,client,date\ns/nomap.txt,Dr. Z,R,\ns/good.txt,,,next week\n")
    r = run(runner, folder, "--map", mapping, "-f", "json", "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_ERROR
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any(line.startswith(f"error: {folder / 'bad.txt'}:3: @date '2024-13-45' is not a day in the calendar")
               for line in errors), errors
    assert any(line.startswith(f"error: {mapping}:3: date 'next week' is not a date") for line in errors), errors
    assert any(line.startswith(f"error: {folder / 'table.csv'}:4: column 'date': date '01/02/2024' could be")
               for line in errors), errors
    doc = json.loads(r.stdout)  # the rest is still grouped and written
    dates = {Path(s["path"]).name: s["date"] for s in doc["sessions"]}
    assert dates == {"bad.txt": None, "good.txt": None, "nomap.txt": None,
                     "table.csv#s1": "2024-01-01", "table.csv#s2": None}
    assert {s["therapist"] for s in doc["sessions"]} == {"Dr. X", "Dr. Y", "Dr. Z"}
    assert len(doc["errors"]) == 3 and {e["line"] for e in doc["errors"]} == {3, 4}
    # a mapping that gives the date makes the file's unreadable one moot: no error
    mapping.write_text("path,therapist,client,date\ns/bad.txt,,,2024-02-02\ns/table.csv#s2,,,2024-02-03\n")
    r = run(runner, folder, "--map", mapping, "-f", "json", "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    dates = {Path(s["path"]).name: s["date"] for s in json.loads(r.stdout)["sessions"]}
    assert dates["bad.txt"] == "2024-02-02" and dates["table.csv#s2"] == "2024-02-03"


# --------------------------------------------------------------------------- output shape


def test_json_shape_is_stable(sample):
    doc = json.loads(json.dumps(caseload_dict(sample)))
    assert set(doc) == {"schema", "text", "rising_rule", "first_date", "therapists", "clients", "sessions",
                        "missing", "errors"}
    assert doc["schema"] == "caseload-1" and doc["rising_rule"] == {"last": 3, "steps": 1.0, "mean": 5.0}
    for g in doc["therapists"] + doc["clients"]:
        assert tuple(k for k in g if k != "session_numbers") == GROUP_FIELDS
        for p in g["trend"]:
            assert tuple(p) == TREND_FIELDS
    for s in doc["sessions"]:
        assert tuple(s) == SESSION_FIELDS
    assert doc["missing"] == {"therapist": [1], "client": [], "date": [4]}
    reyes = next(g for g in doc["therapists"] if g["name"] == "Dr. Reyes")
    assert reyes["rising"] is True and reyes["known"] and reyes["sessions"] == 6
    assert [p["day"] for p in reyes["trend"]] == [0, 21, 28, 35, 42, 49]


def test_csv_shape_groups_and_sessions(runner):
    r = run(runner, HEADERS, "-f", "csv", "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert tuple(rows[0]) == GROUP_FIELDS
    assert [(x["kind"], x["name"]) for x in rows][:4] == [
        ("therapist", "Dr. Lin"), ("therapist", "Dr. Reyes"), ("therapist", "Sam Okafor"), ("therapist", "")]
    reyes = rows[1]
    assert reyes["rising"] == "true" and reyes["known"] == "true" and len(reyes["trend"].split(";")) == 6
    assert rows[3]["known"] == "false" and rows[3]["rising"] == ""
    r = run(runner, HEADERS, "-f", "csv", "--rows", "sessions", "--detector", "rules", "-j", "1")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert tuple(rows[0]) == SESSION_FIELDS and len(rows) == 14
    assert {x["n"] for x in rows} == {str(i) for i in range(1, 15)}


def test_docs_list_exactly_the_fields():
    """docs/caseload.md's field tables name exactly the fields the outputs have."""
    doc = (ROOT / "docs" / "caseload.md").read_text()

    def table(heading):
        part = doc.split(heading, 1)[1].split("\n#", 1)[0]
        return tuple(re.findall(r"^\| `([a-z_]+)` \|", part, re.M))

    assert table("### Group fields") == GROUP_FIELDS
    assert table("### Session fields") == SESSION_FIELDS
    assert table("### Trend points") == TREND_FIELDS


# --------------------------------------------------------------------------- the command


def test_table_output(runner):
    r = run(runner, HEADERS, MAPPED, "--map", MAPPING, "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    out = r.stdout
    assert "19 sessions, 3 therapists, 7 clients" in out
    assert re.search(r"Dr\. Reyes\s+6\s+3\s+0\.50\s+7 turns.*rising", out)
    assert re.search(r"Sam Okafor\s+4\s+1\s+0\.25\s+3 turns.*\bno\b", out)
    assert "therapist Dr. Reyes: the share given to the therapist rose in each of the last 3 sessions" in out
    assert "therapist not known for 2 sessions" in out and "date not known for 2 sessions" in out
    assert "bad therapist" not in out.lower() and "\x1b[" not in out


def test_last_and_rising_options(runner):
    r = run(runner, HEADERS, "-f", "json", "--last", "2", "--rising", "steps:0", "--detector", "rules", "-j", "1")
    doc = json.loads(r.stdout)
    assert doc["rising_rule"] == {"last": 2, "steps": 0.0, "mean": None}
    assert {g["name"] for g in doc["clients"] if g["rising"]} == {"Ben"}  # 0 → 9 → 46 %
    r = run(runner, HEADERS, "-f", "json", "--rising", "off", "--detector", "rules", "-j", "1")
    assert not any(g["rising"] for g in json.loads(r.stdout)["therapists"])


@pytest.mark.parametrize("args, message", [
    (["--rising", "up"], "use steps[:POINTS]"),
    (["-f", "html"], "-f html needs -o FILE"),
    (["--last", "0"], "--last"),
])
def test_usage_errors(runner, args, message):
    r = run(runner, HEADERS, *args)
    assert r.exit_code == EXIT_ERROR and message in r.stderr


def test_nothing_to_group_is_a_usage_error(runner, tmp_path):
    r = run(runner)
    assert r.exit_code == EXIT_ERROR and "give PATH" in r.stderr


def test_the_mapping_file_in_a_folder_is_not_a_transcript(runner, tmp_path):
    (tmp_path / "a.txt").write_text("T: How was the week?\nC: Fine, busy at work.\n")
    (tmp_path / "map.csv").write_text("path,therapist,client,date\na.txt,Dr. A,B,2024-01-01\n")
    r = run(runner, tmp_path, "--map", tmp_path / "map.csv", "-f", "json", "--detector", "rules")
    assert r.exit_code == EXIT_OK, r.stderr
    assert [s["therapist"] for s in json.loads(r.stdout)["sessions"]] == ["Dr. A"]


def test_output_never_replaces_an_input_or_the_mapping(runner, tmp_path):
    (tmp_path / "a.txt").write_text("T: Hello.\nC: Hi.\n")
    (tmp_path / "map.csv").write_text("path,therapist,client,date\na.txt,Dr. A,B,2024-01-01\n")
    before = (tmp_path / "map.csv").read_text()
    r = run(runner, tmp_path / "a.txt", "--map", tmp_path / "map.csv", "-f", "csv", "-o", tmp_path / "map.csv")
    assert r.exit_code == EXIT_ERROR and "that is an input file" in r.stderr
    assert (tmp_path / "map.csv").read_text() == before


def test_reports_never_write_over_an_input(runner, tmp_path):
    (tmp_path / "s.txt").write_text("T: Hello.\nC: Hi.\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "s.html").symlink_to(tmp_path / "s.txt")  # the report's name, pointing at the transcript
    r = run(runner, tmp_path / "s.txt", "--reports", reports, "-f", "json", "--detector", "rules")
    assert r.exit_code == EXIT_ERROR and "that is an input file" in r.stderr
    assert (tmp_path / "s.txt").read_text() == "T: Hello.\nC: Hi.\n"


# --------------------------------------------------------------------------- --no-text


def test_no_text_holds_no_names_in_any_format(runner, tmp_path):
    common = [HEADERS, MAPPED, "--map", MAPPING, "--no-text", "--detector", "rules", "-j", "1"]
    outputs = {}
    for fmt in ("table", "csv", "json"):
        r = run(runner, *common, "-f", fmt)
        assert r.exit_code == EXIT_OK, r.stderr
        outputs[fmt] = r.stdout
    r = run(runner, *common, "-f", "html", "-o", tmp_path / "page.html", "--reports", tmp_path / "reports")
    assert r.exit_code == EXIT_OK, r.stderr
    outputs["html"] = (tmp_path / "page.html").read_text()
    for p in sorted((tmp_path / "reports").iterdir()):
        assert re.fullmatch(r"session-\d+\.html", p.name)
        outputs[p.name] = p.read_text()
    for name, text in outputs.items():
        assert leaks(text) == [], name
    doc = json.loads(outputs["json"])
    assert [g["name"] for g in doc["therapists"]] == ["therapist 1", "therapist 2", "therapist 3", None]
    assert all(s["path"] is None and s["date"] is None and s["session"] is None for s in doc["sessions"])
    assert doc["first_date"] is None and {s["day"] for s in doc["sessions"]} >= {0}
    # numbered in order of first appearance: stable within a run and from run to run
    first = {s["therapist"]: s["n"] for s in reversed(doc["sessions"]) if s["therapist"]}
    assert sorted(first, key=first.get) == ["therapist 1", "therapist 2", "therapist 3"]
    again = json.loads(run(runner, *common, "-f", "json").stdout)
    assert again == doc
    # the same figures as with text, under other names
    named = json.loads(run(runner, HEADERS, MAPPED, "--map", MAPPING, "--detector", "rules", "-j", "1",
                           "-f", "json").stdout)
    assert [g["given_seconds"] for g in named["therapists"]] != [] and sorted(
        g["given_seconds"] for g in named["therapists"]) == sorted(g["given_seconds"] for g in doc["therapists"])
    rising_ = [g for g in doc["therapists"] if g["rising"]]
    assert len(rising_) == 1 and rising_[0]["sessions"] == 6


# --------------------------------------------------------------------------- the HTML page


@pytest.fixture(scope="module")
def page(tmp_path_factory, runner):
    out = tmp_path_factory.mktemp("caseload")
    r = run(runner, HEADERS, MAPPED, "--map", MAPPING, "-f", "html", "-o", out / "caseload.html",
            "--reports", out / "reports", "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    assert "wrote" in r.stderr and "19 report(s)" in r.stderr
    return out / "caseload.html"


def test_page_is_self_contained_and_links_each_session_to_its_report(page):
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'") in html
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert html.count('<div class="chart trend">') == 3  # one chart per known therapist
    hrefs = re.findall(r'href="([^"#][^"]*)"', html)
    assert hrefs and all(h.startswith("reports/") for h in hrefs)
    for h in set(hrefs):
        target = page.parent / unquote(h)
        assert target.is_file(), h
        back = re.search(r'<a href="([^"]+)">all sessions</a>', target.read_text())
        assert back and (target.parent / unquote(back.group(1))).resolve() == page.resolve()
    assert len(set(hrefs)) == 19
    assert "rising" in html and "bad therapist" not in html.lower()


def test_page_escapes_what_the_files_say(tmp_path, runner):
    (tmp_path / "a.txt").write_text("T: Hello.\nC: Hi.\n")
    (tmp_path / "map.csv").write_text(
        'path,therapist,client,date\na.txt,"<script>alert(1)</script>","<img src=x onerror=alert(2)>",2024-01-01\n')
    r = run(runner, "--map", tmp_path / "map.csv", "-f", "html", "-o", tmp_path / "p.html", "--detector", "rules")
    assert r.exit_code == EXIT_OK, r.stderr
    html = (tmp_path / "p.html").read_text()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_page_from_the_library_without_reports(sample):
    html = render_html(sample)
    assert "Dr. Reyes" in html and 'href="reports/' not in html and "<svg" in html


# --------------------------------------------------------------------------- in a real browser


PROBE = """(() => {
  const charts = [...document.querySelectorAll('.chart.trend svg')];
  return {
    charts: charts.map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height]),
    points: charts.map(s => s.querySelectorAll('circle.pt').length),
    heights: charts.map(s => [...s.querySelectorAll('circle.pt')].map(c => +c.getAttribute('cy'))),
    flagged: document.querySelectorAll('svg rect.flagged').length,
    linked: document.querySelectorAll('svg a circle.pt').length,
    sparks: document.querySelectorAll('svg.spark').length,
    risingRows: document.querySelectorAll('tr.rising').length,
    dangerous: document.querySelectorAll('script,img,iframe,object,embed,link,base').length,
    text: document.body.innerText,
  };
})()"""


@pytest.mark.slow
def test_browser_renders_the_charts_and_the_links_work(chromium, page, tmp_path):
    result = chromium.open(page.as_uri(), expression=PROBE, screenshot=tmp_path / "caseload.png", max_height=4000)
    assert result.errors == [] and result.dialogs == []
    assert result.requests == [page.as_uri()]  # nothing else fetched
    v = result.value
    assert len(v["charts"]) == 3 and all(w > 600 and h > 150 for w, h in v["charts"])
    assert v["points"] == [6, 6, 4]  # dated sessions of Dr. Lin (2 + 4 mapped), Dr. Reyes, Sam Okafor
    reyes = v["heights"][1]
    assert reyes[0] == reyes[1] == reyes[2] and reyes[3] > reyes[4] > reyes[5]  # rising: y goes up the page
    assert v["flagged"] == 1 and v["linked"] == 16 and v["sparks"] >= 3 and v["risingRows"] == 1
    assert v["dangerous"] == 0
    assert "Where the session time went" in v["text"]
    # a session's link opens its report, which links back
    html = page.read_text()
    first = unquote(re.search(r'<a href="(reports/[^"]+)">', html).group(1))
    report = chromium.open((page.parent / first).as_uri(), expression="document.title")
    assert report.errors == [] and report.value.startswith("focusshift report")


@pytest.mark.slow
def test_browser_no_text_page_shows_no_names(chromium, runner, tmp_path):
    r = run(runner, HEADERS, MAPPED, "--map", MAPPING, "--no-text", "-f", "html", "-o", tmp_path / "p.html",
            "--detector", "rules", "-j", "1")
    assert r.exit_code == EXIT_OK, r.stderr
    result = chromium.open((tmp_path / "p.html").as_uri(), expression="document.body.innerText")
    assert result.errors == []
    text = result.value
    assert "therapist 1" in text and "client 1" in text and "day 0" in text
    assert leaks(text) == []
