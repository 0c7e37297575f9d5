"""The same session written in every input format gives the same events and scores."""

from __future__ import annotations

import pytest

from focusshift.formats import ReadOptions, load, read_all

from .conftest import DATA

EQ = DATA / "formats" / "equivalence"
FILES = [
    "session.txt", "session.vtt", "session.srt", "session.cha", "session.otter.txt",
    "session.rev.txt", "session.csv", "session.jsonl", "session.docx",
]
# Caption and service files cannot declare roles: the user names them.
OPTIONS = ReadOptions(therapist=("Dr. Lee",), client=("Sam",))


def fingerprint(analyzer, name):
    path = EQ / name
    [t] = read_all(load(path), str(path), OPTIONS)
    a = analyzer.analyze_transcript(t)
    return {
        "speakers": [(x.speaker, x.role) for x in t.turns if not x.is_note],
        "events": [(e.category, e.subtype, e.role, e.rule, e.text) for e in a.events],
        "scores": [round(s.score, 6) for s in a.segments],
        "session": round(a.score, 6),
        # caretaking_lines differ where a format spreads one turn over two lines
        "shifts": [(s.recovery_turns, s.repaired, s.ended_by) for s in a.shifts],
    }


@pytest.fixture(scope="module")
def native(analyzer):
    return fingerprint(analyzer, "session.txt")


def test_native_session_has_a_shift(native):
    assert native["shifts"] == [(3, True, "repair")]
    assert ("therapist_emotion", "voice_break", "therapist", "te.ann.voice", "[voice breaks]") in native["events"]
    assert [c for c, *_ in native["events"]].count("client_caretaking") >= 2


@pytest.mark.parametrize("name", FILES[1:])
def test_every_format_matches_the_native_session(analyzer, native, name):
    assert fingerprint(analyzer, name) == native


def test_formats_are_detected(analyzer):
    from focusshift.formats import detect_format

    got = {n: detect_format(str(EQ / n), (EQ / n).read_bytes()) for n in FILES}
    assert got == {
        "session.txt": "native", "session.vtt": "vtt", "session.srt": "srt", "session.cha": "chat",
        "session.otter.txt": "service", "session.rev.txt": "service", "session.csv": "csv",
        "session.jsonl": "jsonl", "session.docx": "docx",
    }
