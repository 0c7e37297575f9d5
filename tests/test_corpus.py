"""The real counselling corpus (../shared/corpora): parsing and the false-positive rate.

Skipped cleanly when the corpus is absent (a fresh clone has no ../shared).
"""

from __future__ import annotations

import csv

import pytest

from focusshift.api import Failure, analyze_paths

from .conftest import CORPUS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "txt").is_dir(), reason="../shared/corpora/annomi is not here"),
]


@pytest.fixture(scope="module")
def results(analyzer):
    return list(analyze_paths([CORPUS / "txt"], analyzer))


def test_every_session_parses_completely(results):
    expected = {}
    with open(CORPUS / "index.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            expected[row["transcript_id"]] = int(row["n_utt"])
    assert not [r for r in results if isinstance(r, Failure)]
    assert len(results) == len(expected) == 133
    for r in results:
        tid = r.transcript.path.rsplit("/", 1)[-1].removesuffix(".txt")
        speaking = [t for t in r.transcript.turns if not t.is_note]
        assert len(speaking) == expected[tid], tid
        assert {t.role for t in speaking} <= {"therapist", "client"}


def test_ordinary_sessions_give_very_few_events(results):
    lines = sum(len(t.pieces) for r in results for t in r.transcript.turns)
    events = [e for r in results for e in r.events if e.category != "therapist_repair"]
    rate = 1000 * len(events) / lines
    print(f"\n{len(events)} events in {lines} lines: {rate:.2f} per 1,000 lines")
    for r in results:
        for e in r.events:
            print(" ", r.transcript.path, e.line, e.rule, repr(e.text))
    assert rate < 1.0


def test_the_csv_parses_into_every_session_and_utterance(analyzer):
    from focusshift.formats import ReadOptions, load, read_all

    path = CORPUS / "AnnoMI-simple.csv"
    sessions = read_all(load(path), str(path), ReadOptions())
    assert len(sessions) == 133
    assert sum(len(t.turns) for t in sessions) == 9699
    assert all(t.warnings == () for t in sessions)
    # the same utterances as the converted .txt files, session by session
    first = sessions[0]
    txt = analyzer.read(CORPUS / "txt" / "0.txt")
    assert [t.text for t in first.turns] == [t.text for t in txt.turns]
    assert [t.role for t in first.turns] == [t.role for t in txt.turns]
