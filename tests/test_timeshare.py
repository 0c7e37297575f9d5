"""Time and words that went to the therapist (focusshift.timeshare), and where they show.

Pure functions first (turn_seconds, session_time, clock, percent, the
sentence), then end to end: the same session with timestamps in three formats
gives the same seconds, not estimated; without timestamps, estimated figures;
the JSON, the schema, the CSV columns, the table and the docs.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from focusshift.api import Analyzer, analyze_text
from focusshift.formats import ReadOptions, load, read_all
from focusshift.model import THERAPIST_EMOTION, Event, Piece, Shift, Turn
from focusshift.render.data import CSV_COLUMNS, analysis_to_dict, csv_rows
from focusshift.schema import load as load_schema
from focusshift.timeshare import (
    MAX_TURN_SECONDS,
    PACE_BOUNDS_WPM,
    SPEAKING_RATE_WPM,
    EpisodeTime,
    SessionTime,
    Stretch,
    clock,
    percent,
    session_time,
    turn_seconds,
)

from .conftest import DATA, ROOT, SAMPLES

PER_WORD = 60.0 / SPEAKING_RATE_WPM
EQ = DATA / "formats" / "equivalence"
EQ_OPTIONS = ReadOptions(therapist=("Dr. Lee",), client=("Sam",))


def turn(index: int, words: int = 5, time: float | None = None, *, role: str = "client", note: bool = False,
         interjection: bool = False) -> Turn:
    text = "[crying]" if note else " ".join(["word"] * words)
    return Turn(index=index, speaker=None if note else role[0].upper(), role=role, text=text,  # type: ignore[arg-type]
                pieces=(Piece(0, index + 1, 0),), time=time, is_note=note, interjection=interjection)


def emotion(index: int) -> Event:
    return Event(THERAPIST_EMOTION, "crying", index, index + 1, (0, 1), "T", "therapist", "x", "r", "speech")


def shift(turns: tuple[int, ...], recovery: int | None = 3, repaired: bool = False) -> Shift:
    return Shift(start_turn=turns[0], start_line=turns[0] + 1, caretaking_lines=(turns[-1] + 1,),
                 end_turn=None, end_line=None, recovery_turns=recovery, repaired=repaired, turns=turns)


def stretch(seconds: float, estimated: bool = False, turns: int = 1) -> Stretch:
    return Stretch(turns=turns, words=10 * turns, seconds=seconds, estimated=estimated)


def episode(recovery: int | None = 3, repaired: bool = False, turns: int = 4) -> EpisodeTime:
    return EpisodeTime(1, None, recovery, repaired, stretch(10.0, turns=turns))


# --- turn_seconds --------------------------------------------------------------------------


def test_untimed_turns_are_estimated_from_words():
    turns = [turn(0, 14), turn(1, 7), turn(2, 0)]
    assert turn_seconds(turns) == [(14 * PER_WORD, True), (7 * PER_WORD, True), (0.0, True)]
    assert turn_seconds(turns, rate_wpm=60)[0] == (14.0, True)


def test_timed_turns_last_from_one_start_to_the_next():
    turns = [turn(0, 10, 0.0), turn(1, 20, 4.0), turn(2, 10, 12.0)]
    got = turn_seconds(turns)
    assert got[:2] == [(4.0, False), (8.0, False)]
    # the last one has no next start: its words at the session's own pace (12 s / 30 words)
    assert got[2] == (pytest.approx(4.0), False)


def test_untimed_turns_between_timestamps_share_the_gap_by_words():
    turns = [turn(0, 10, 100.0), turn(1, 30), turn(2, 10, 140.0), turn(3, 10, 150.0)]
    got = turn_seconds(turns)
    assert got[0] == (10.0, False) and got[1] == (30.0, False) and got[2] == (10.0, False)


def test_turns_with_the_same_timestamp_share_it():
    """Coarse stamps (a CSV with whole minutes): no turn lasts 0 s and the next the whole gap."""
    turns = [turn(0, 10, 60.0), turn(1, 10, 60.0), turn(2, 20, 60.0), turn(3, 5, 120.0), turn(4, 5, 130.0)]
    got = turn_seconds(turns)
    assert [s for s, _ in got[:3]] == [15.0, 15.0, 30.0]
    assert not any(e for _, e in got)


def test_turns_before_the_first_and_after_the_last_timestamp_are_estimated():
    turns = [turn(0, 14), turn(1, 10, 10.0), turn(2, 10, 20.0), turn(3, 7)]
    got = turn_seconds(turns)
    assert got[0] == (14 * PER_WORD, True)
    assert got[1] == (10.0, False) and got[2] == (pytest.approx(10.0), False)
    assert got[3] == (7 * PER_WORD, True)


def test_a_gap_that_runs_backwards_dates_nothing():
    turns = [turn(0, 10, 50.0), turn(1, 10, 20.0), turn(2, 10, 30.0), turn(3, 10, 40.0)]
    got = turn_seconds(turns)
    assert got[0] == (10 * PER_WORD, True)
    assert got[1] == (10.0, False) and got[2] == (10.0, False)


def test_a_gap_longer_than_max_turn_seconds_a_turn_is_a_break():
    long = MAX_TURN_SECONDS * 2 + 1
    turns = [turn(0, 10, 0.0), turn(1, 10), turn(2, 10, long), turn(3, 10, long + 10)]
    got = turn_seconds(turns)
    assert got[0] == (10 * PER_WORD, True) and got[1] == (10 * PER_WORD, True)
    assert got[2] == (10.0, False)
    ok = [turn(0, 10, 0.0), turn(1, 10), turn(2, 10, MAX_TURN_SECONDS * 2)]  # two turns may take that long
    assert turn_seconds(ok)[0] == (MAX_TURN_SECONDS, False)


def test_one_timestamp_gives_no_pace_and_everything_is_estimated():
    turns = [turn(0, 14, 5.0), turn(1, 7)]
    assert turn_seconds(turns) == [(14 * PER_WORD, True), (7 * PER_WORD, True)]


def test_the_last_turn_keeps_to_the_pace_bounds_and_max_turn_seconds():
    slow = [turn(0, 1, 0.0), turn(1, 1, 200.0), turn(2, 10, 201.0)]  # 1 word in 200 s: pace held at 40 wpm
    assert turn_seconds(slow)[2] == (pytest.approx(10 * 60 / PACE_BOUNDS_WPM[0]), False)
    huge = [turn(0, 10, 0.0), turn(1, 5000, 4.0)]
    assert turn_seconds(huge)[1] == (MAX_TURN_SECONDS, False)


def test_unusable_timestamps_are_ignored():
    turns = [turn(0, 10, math.nan), turn(1, 10, 0.0), turn(2, 10, math.inf), turn(3, 10, 10.0)]
    got = turn_seconds(turns)
    assert got[0] == (10 * PER_WORD, True)
    assert got[1] == (5.0, False) and got[2] == (5.0, False)


def test_scene_notes_have_no_words_and_take_time_only_from_their_own_timestamp():
    untimed = [turn(0, 10), turn(1, note=True), turn(2, 10)]
    assert turn_seconds(untimed)[1] == (0.0, True)
    shared = [turn(0, 10, 0.0), turn(1, note=True), turn(2, 10, 10.0)]
    assert turn_seconds(shared)[:2] == [(10.0, False), (0.0, False)]
    own = [turn(0, 10, 0.0), turn(1, note=True, time=10.0), turn(2, 10, 14.0)]  # a cue of its own: [crying]
    assert turn_seconds(own)[1] == (4.0, False)
    silent = [turn(0, 0, 0.0), turn(1, 0), turn(2, 10, 10.0)]  # no words at all: equal shares
    assert turn_seconds(silent)[:2] == [(5.0, False), (5.0, False)]


def test_interjections_take_no_time_but_keep_their_words():
    turns = [turn(0, 20, 0.0), turn(1, 2, role="therapist", interjection=True), turn(2, 10, 10.0), turn(3, 10, 20.0)]
    assert turn_seconds(turns)[:2] == [(10.0, False), (0.0, False)]
    assert turn_seconds([turn(0, 20), turn(1, 2, interjection=True)])[1] == (0.0, False)
    t = session_time(turns, (), ())
    assert t.session.turns == 3 and t.session.words == 42


# --- session_time --------------------------------------------------------------------------


def _conversation(times: list[float | None]) -> list[Turn]:
    roles = ["therapist", "client"]
    return [turn(i, 10, t, role=roles[i % 2]) for i, t in enumerate(times)]


def test_session_time_untimed():
    turns = _conversation([None] * 8)
    t = session_time(turns, [emotion(2)], [shift((2, 3, 4))])
    assert t.session == Stretch(8, 80, pytest.approx(80 * PER_WORD), True)
    assert t.to_therapist == Stretch(3, 30, pytest.approx(30 * PER_WORD), True)
    assert t.episodes[0].span == t.to_therapist and t.emotion_outside == 0
    assert t.client_share == pytest.approx(5 / 8)
    assert t.sentence() == "about 13 s of 34 s (38 %) went to the therapist; back to the client after 3 turns"


def test_session_time_timed_is_not_estimated():
    turns = _conversation([10.0 * i for i in range(8)])
    t = session_time(turns, [emotion(2), emotion(6)], [shift((2, 3))])
    assert t.session.seconds == pytest.approx(80.0) and not t.session.estimated
    assert t.to_therapist.seconds == pytest.approx(30.0) and t.to_therapist.turns == 3
    assert t.emotion_outside == 1 and not t.estimated
    assert t.sentence().startswith("30 s of 1 min 20 s (38 %) went to the therapist;")


def test_mixed_session_is_an_estimate_only_where_it_is_one():
    turns = _conversation([None, None, 20.0, 30.0, 40.0, 50.0])
    t = session_time(turns, [], [shift((3, 4))])
    assert t.session.estimated and not t.to_therapist.estimated and not t.episodes[0].span.estimated
    assert t.sentence().startswith("about ")  # the session figure is in part an estimate


def test_an_episode_takes_the_notes_and_interjections_among_its_turns():
    turns = [turn(0, 10, 0.0, role="therapist"), turn(1, note=True, time=10.0), turn(2, 10, 14.0),
             turn(3, 2, role="therapist", interjection=True), turn(4, note=True), turn(5, 10, 24.0),
             turn(6, 10, 34.0, role="therapist")]
    sh = shift((0, 2), recovery=2)  # Shift.turns holds speaking turns only
    t = session_time(turns, [emotion(0)], [sh])
    assert t.episodes[0].span == Stretch(turns=2, words=22, seconds=pytest.approx(24.0), estimated=False)


def test_an_emotion_on_a_scene_note_outside_an_episode_counts():
    turns = [turn(0, 10, role="therapist"), turn(1, note=True), turn(2, 10)]
    t = session_time(turns, [emotion(1)], [])
    assert t.emotion_outside == 1 and t.to_therapist == Stretch(0, 0, 0.0, False)
    assert t.sentence() == "about 0 s of 9 s (0 %) went to the therapist (therapist emotion, no client caretaking)"


def test_zero_words_and_no_turns():
    empty = session_time([], [], [])
    assert empty.session == Stretch(0, 0, 0.0, False) and empty.client_share == 1.0
    assert empty.sentence() == "none of 0 s went to the therapist"
    silent = session_time([turn(0, 0), turn(1, 0)], [], [])
    assert silent.client_share == 1.0 and silent.session.seconds == 0.0


# --- clock, percent, the sentence ----------------------------------------------------------


@pytest.mark.parametrize("seconds,said", [
    (0, "0 s"), (0.3, "<1 s"), (0.5, "1 s"), (35, "35 s"), (59.6, "1 min"), (60, "1 min"), (250, "4 min 10 s"),
    (3120, "52 min"), (3599.4, "59 min 59 s"), (3600, "1 h"), (3900, "1 h 5 min"), (7199, "2 h"), (-3, "0 s"),
])
def test_clock(seconds, said):
    assert clock(seconds) == said


@pytest.mark.parametrize("share,said", [
    (0.0, "0 %"), (0.004, "<1 %"), (0.01, "1 %"), (0.08, "8 %"), (0.085, "9 %"), (0.5, "50 %"),
    (0.99, "99 %"), (0.994, ">99 %"), (1.0, "100 %"), (-0.1, "0 %"),
])
def test_percent(share, said):
    assert percent(share) == said


def _time(episodes=(), outside=0, given=250.0, total=3120.0, estimated=False) -> SessionTime:
    return SessionTime(session=stretch(total, estimated, turns=40), to_therapist=stretch(given, estimated, turns=4),
                       episodes=tuple(episodes), emotion_outside=outside)


def test_sentence_one_episode():
    assert _time([episode(3)]).sentence() == (
        "4 min 10 s of 52 min (8 %) went to the therapist; back to the client after 3 turns")
    assert _time([episode(1)]).sentence().endswith("back to the client after 1 turn")
    assert _time([episode(3)], estimated=True).sentence().startswith("about 4 min 10 s of 52 min (8 %)")
    assert _time([episode(None)]).sentence().endswith("; the client did not get back to their own material")
    assert _time([episode(None, repaired=True, turns=2)]).sentence().endswith(
        "; the therapist handed the session back after 2 turns")


def test_sentence_no_episode():
    assert _time(given=0.0).sentence() == "none of 52 min went to the therapist"
    assert _time(given=0.0, estimated=True).sentence() == "none of about 52 min went to the therapist"
    assert _time(outside=2, given=20.0).sentence() == (
        "20 s of 52 min (<1 %) went to the therapist (therapist emotion, no client caretaking)")


def test_sentence_many_episodes():
    three = _time([episode(3), episode(2), episode(5)])
    assert three.sentence() == ("4 min 10 s of 52 min (8 %) went to the therapist in 3 episodes; "
                                "back to the client after 3, 2 and 5 turns")
    some = _time([episode(3), episode(None), episode(2)])
    assert some.sentence().endswith("in 3 episodes; back to the client after 3 and 2 turns; "
                                    "1 ended before the client was back on their own material")
    none = _time([episode(None), episode(None)])
    assert none.sentence().endswith("in 2 episodes; none ended with the client back on their own material")


# --- a property ----------------------------------------------------------------------------

_TIMES = st.one_of(st.none(), st.floats(-100, 10_000), st.sampled_from([math.nan, math.inf, 0.0, 1e9]))


@st.composite
def sessions(draw):
    n = draw(st.integers(0, 25))
    turns = []
    for i in range(n):
        kind = draw(st.sampled_from(["turn", "turn", "turn", "note", "interjection"]))
        turns.append(turn(i, draw(st.integers(0, 400)), draw(_TIMES),
                          role=draw(st.sampled_from(["therapist", "client"])),
                          note=kind == "note", interjection=kind == "interjection"))
    speaking = [t.index for t in turns if not t.is_note and not t.interjection]
    shifts, events, pos = [], [], 0
    while pos < len(speaking) and draw(st.booleans()):
        start = draw(st.integers(pos, len(speaking) - 1))
        end = draw(st.integers(start + 1, len(speaking)))
        shifts.append(shift(tuple(speaking[start:end]), draw(st.one_of(st.none(), st.integers(1, 9)))))
        pos = end
    events = [emotion(i) for i in draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=5)) if i < n]
    return turns, events, shifts


@settings(max_examples=300)
@given(sessions())
def test_time_to_the_therapist_never_exceeds_the_session(session):
    turns, events, shifts = session
    t = session_time(turns, events, shifts)
    assert all(s >= 0 and math.isfinite(s) for s, _ in turn_seconds(turns))
    assert 0 <= t.to_therapist.seconds <= t.session.seconds + 1e-6
    assert 0 <= t.client_share <= 1 and t.client_share + t.therapist_share == pytest.approx(1)
    assert t.to_therapist.turns <= t.session.turns and t.to_therapist.words <= t.session.words
    assert sum(e.span.seconds for e in t.episodes) <= t.to_therapist.seconds + 1e-6
    assert t.sentence() and "therapist" in t.sentence()
    assert (t.sentence().startswith(("about", "none of about"))) == t.estimated


# --- end to end ----------------------------------------------------------------------------

# The equivalence session's cue starts, merged as the VTT reader merges a speaker's cues.
STAMPS = ["00:00:01", "00:00:05", "00:00:11", "00:00:16", "00:00:23", "00:00:29"]


def _stamped_native(tmp_path: Path) -> Path:
    lines = (EQ / "session.txt").read_text("utf-8").splitlines()
    head, body = lines[:2], lines[2:]
    assert len(body) == len(STAMPS)
    out = tmp_path / "session_stamped.txt"
    out.write_text("\n".join(head + [f"[{s}] {line}" for s, line in zip(STAMPS, body)]) + "\n", "utf-8")
    return out


def _time_of(analyzer, path: Path):
    [t] = read_all(load(path), str(path), EQ_OPTIONS)
    return analyzer.analyze_transcript(t)


def test_the_same_timed_session_gives_the_same_seconds_in_every_timed_format(analyzer, tmp_path):
    results = {p.name: _time_of(analyzer, p) for p in (_stamped_native(tmp_path), EQ / "session.vtt",
                                                       EQ / "session.srt")}
    for name, a in results.items():
        assert [x.time for x in a.transcript.turns] == [1.0, 5.0, 11.0, 16.0, 23.0, 29.0], name
        t = a.time
        assert not t.session.estimated and not t.to_therapist.estimated, name
        assert t.session.seconds == pytest.approx(37.33, abs=0.01) and t.to_therapist.seconds == pytest.approx(12.0)
        assert t.sentence() == "12 s of 37 s (32 %) went to the therapist; back to the client after 3 turns", name
        d = analysis_to_dict(a)
        assert d["summary"]["time"]["to_therapist"] == {"turns": 2, "words": 26, "seconds": 12.0, "estimated": False}
        assert d["shifts"][0]["time"] == d["summary"]["time"]["to_therapist"]
    assert len({json.dumps(analysis_to_dict(a)["summary"]["time"]) for a in results.values()}) == 1


def test_an_untimed_session_gives_estimated_figures(analyzer):
    a = _time_of(analyzer, EQ / "session.txt")
    t = a.time
    assert t.session.estimated and t.to_therapist.estimated
    assert t.session.seconds == pytest.approx(t.session.words * PER_WORD)
    assert t.sentence() == "about 11 s of 33 s (34 %) went to the therapist; back to the client after 3 turns"
    d = analysis_to_dict(a)["summary"]["time"]
    assert d["session"] == {"turns": 6, "words": 76, "seconds": 32.6, "estimated": True}
    assert d["client_share"] == round(t.client_share, 4) and d["description"] == t.sentence()


@pytest.mark.parametrize("name,timed", [
    ("01_no_shift.txt", False), ("02_therapist_emotion_only.txt", False), ("03_full_shift_recovery.txt", False),
    ("04_caretaking_only.txt", False), ("05_named_timestamps.txt", True), ("06_no_headings.txt", True),
    ("07_jefferson_style.txt", False),
])
def test_samples(analyzer, name, timed):
    a = analyzer.analyze(SAMPLES / name)
    t = a.time
    assert any(x.time is not None for x in a.transcript.turns) == timed
    assert len(t.episodes) == len(a.shifts)
    if not timed:
        assert t.session.estimated and t.session.seconds == pytest.approx(t.session.words * PER_WORD)
    if name == "06_no_headings.txt":  # stamped throughout
        assert not t.estimated and not t.sentence().startswith("about")
    if name == "05_named_timestamps.txt":  # one gap between two headings is longer than MAX_TURN_SECONDS
        assert t.session.estimated and not t.to_therapist.estimated


def test_not_assessed_sessions_claim_nothing(analyzer):
    a = analyze_text("Sam: I had a rough week.\nAlex: Tell me more.\nSam: My mother called again.\n",
                     analyzer=Analyzer(infer_roles=False, detector="rules"))
    assert not a.assessable and a.time is None
    d = analysis_to_dict(a)
    assert d["summary"]["time"] is None
    row = dict(zip(CSV_COLUMNS, csv_rows(a)[0]))
    assert [row[k] for k in ("seconds_to_therapist", "session_seconds", "client_share", "time_estimated")] == [None] * 4


def test_no_text_keeps_the_figures(analyzer):
    a = analyzer.analyze(SAMPLES / "05_named_timestamps.txt")
    assert analysis_to_dict(a, text=False)["summary"]["time"] == analysis_to_dict(a)["summary"]["time"]
    assert [s["time"] for s in analysis_to_dict(a, text=False)["shifts"]] == [
        s["time"] for s in analysis_to_dict(a)["shifts"]]


def test_csv_columns(analyzer):
    assert CSV_COLUMNS[-4:] == ("seconds_to_therapist", "session_seconds", "client_share", "time_estimated")
    a = analyzer.analyze(SAMPLES / "06_no_headings.txt")
    time = analysis_to_dict(a)["summary"]["time"]
    rows = [dict(zip(CSV_COLUMNS, r)) for r in csv_rows(a)]
    assert len(rows) == len(a.segments)
    for row in rows:
        assert row["seconds_to_therapist"] == time["to_therapist"]["seconds"]
        assert row["session_seconds"] == time["session"]["seconds"]
        assert row["client_share"] == time["client_share"] and row["time_estimated"] == "false"
    out = io.StringIO()
    csv.writer(out).writerows([CSV_COLUMNS, *csv_rows(a)])
    read = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert float(read[0]["session_seconds"]) == time["session"]["seconds"]


def test_the_table_shows_the_sentence(analyzer):
    from focusshift.render.table import make_console, render_analysis

    a = analyzer.analyze(SAMPLES / "03_full_shift_recovery.txt")
    for text in (True, False):
        out = io.StringIO()
        make_console(out, color=False).print(render_analysis(a, text=text))
        assert f"time: {a.time.sentence()}" in out.getvalue()


def test_the_corpus_summary_adds_up_the_time(analyzer):
    from focusshift.render.summary import CorpusSummary

    summary = CorpusSummary()
    analyses = [analyzer.analyze(SAMPLES / n) for n in ("01_no_shift.txt", "06_no_headings.txt")]
    for a in analyses:
        summary.add(a)
    assert summary.session_seconds == pytest.approx(sum(a.time.session.seconds for a in analyses))
    assert summary.time_sentence(2).startswith("about 1 min 45 s of 53 min 46 s (3 %) went to the therapist over 2")


# --- the schema and the docs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    return Draft202012Validator(load_schema("analysis-1"))


def test_the_output_validates_and_the_schema_holds_the_time_fields(analyzer, validator):
    doc = analysis_to_dict(analyzer.analyze(SAMPLES / "03_full_shift_recovery.txt"))
    assert validator.is_valid(doc)

    def broken(change) -> bool:
        d = json.loads(json.dumps(doc))
        change(d)
        return not validator.is_valid(d)

    assert broken(lambda d: d["summary"]["time"].update(median=1))
    assert broken(lambda d: d["summary"]["time"]["session"].update(minutes=5))
    assert broken(lambda d: d["summary"]["time"].update(client_share=1.5))
    assert broken(lambda d: d["summary"]["time"].update(session=None))
    assert broken(lambda d: d["summary"]["time"]["to_therapist"].update(seconds=-1))
    assert broken(lambda d: d["summary"]["time"]["to_therapist"].update(estimated="no"))
    assert broken(lambda d: d["summary"]["time"].pop("description"))
    assert broken(lambda d: d["summary"].update(time=None))  # assessable: the figures are there
    assert broken(lambda d: d["shifts"][0].pop("time"))
    assert broken(lambda d: d["shifts"][0].update(time=None))
    assert broken(lambda d: d.update(assessable=False, reason="roles unknown"))  # not assessed: time must be null


def test_an_unassessed_session_validates_with_null_time(validator):
    a = analyze_text("Sam: I had a rough week.\nAlex: Tell me more.\n",
                     analyzer=Analyzer(infer_roles=False, detector="rules"))
    assert validator.is_valid(analysis_to_dict(a))


def test_the_docs_give_the_rate_and_the_limits():
    text = (ROOT / "docs" / "output.md").read_text("utf-8")
    assert "### How time is measured" in text
    assert f"{SPEAKING_RATE_WPM:g} words a minute" in text and "SPEAKING_RATE_WPM" in text
    assert f"{MAX_TURN_SECONDS:g} s a turn" in text and "MAX_TURN_SECONDS" in text
    low, high = PACE_BOUNDS_WPM
    assert f"{low:g}-{high:g}" in text
    header = re.search(r"## CSV and TSV\n\n.*?\n\n((?:    .*\n)+)", text).group(1)
    assert [c.strip() for c in " ".join(header.split()).split(",")] == list(CSV_COLUMNS)
    readme = (ROOT / "README.md").read_text("utf-8")
    assert re.search(r"went to the therapist; back to the client after \d+ turns", readme)


# --- the HTML report -----------------------------------------------------------------------


def _report(analysis, text: bool = True):
    from focusshift.render.html import render_report

    from .test_report import Page, assert_self_contained

    source = render_report(analysis, text=text)
    assert "Content-Security-Policy" in source and "default-src 'none'" in source
    assert_self_contained(source)
    return Page(source)


def test_the_report_shows_the_sentence_and_shades_each_episode(analyzer):
    a = analyzer.analyze(SAMPLES / "03_full_shift_recovery.txt")
    for text in (True, False):
        page = _report(a, text)
        share = page.by_id["time-share"]
        assert a.time.sentence() in share and "140 words a minute" in share and "no timestamps" in share
        [band] = page.all("rect", "shift")
        [ep] = a.time.episodes
        assert band["data-shift"] == "1"
        assert "6 turns, about 34 s given to the therapist" in page.plain  # the band's title
        assert "shift 1 · about 34 s" in page.plain
        assert "6 turns (80 words, about 34 s) given to the therapist" in " ".join(page.by_id["shift-1"].split())
    # the band covers the episode's turns, up to the turn that ends it (the repair at line 23)
    from focusshift.render.chart import LEFT, RIGHT, WIDTH, chart

    view = chart(a, {id(e): i for i, e in enumerate(a.events)})
    step = (WIDTH - LEFT - RIGHT) / len(a.transcript.turns)
    position = {t.index: k for k, t in enumerate(a.transcript.turns)}
    [sb] = view.shifts
    assert sb.x0 == pytest.approx(LEFT + position[min(ep.members)] * step)
    assert sb.x1 == pytest.approx(LEFT + (position[max(ep.members)] + 1) * step)
    assert a.shifts[0].end_turn not in ep.members and set(a.shifts[0].turns) <= set(ep.members)


def test_the_report_of_a_timed_session_says_it_was_measured(analyzer):
    a = analyzer.analyze(SAMPLES / "06_no_headings.txt")
    share = _report(a).by_id["time-share"]
    assert a.time.sentence() in share and "Measured from the transcript’s timestamps" in share
    calm = _report(analyzer.analyze(SAMPLES / "01_no_shift.txt")).by_id["time-share"]
    assert "none of about" in calm and "shaded" not in calm


def test_the_report_of_an_unassessed_session_claims_no_time():
    a = analyze_text("Sam: I had a rough week.\nAlex: Tell me more.\n",
                     analyzer=Analyzer(infer_roles=False, detector="rules"))
    page = _report(a)
    assert "time-share" not in page.ids and "went to the therapist" not in page.plain
