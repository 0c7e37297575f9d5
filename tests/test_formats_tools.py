"""Transcripts as real tools write them (tests/data/formats/tools/SOURCES.md): read with no flag,
every speaker gets a role, and the events are those of the same dialogue as a native file
labelled Therapist:/Client:."""

from __future__ import annotations

import json

import pytest

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, detect_format, load, read_all

from .conftest import DATA

TOOLS = DATA / "formats" / "tools"
FIXTURES = {
    # file: (format detected, labels, role source)
    "zoom.vtt": ("vtt", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "teams.vtt": ("vtt", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "google_meet.txt": ("meet", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "otter.txt": ("service", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "rev.txt": ("service", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "descript.txt": ("native", ("Maya Lee", "Sam Ortiz"), "inferred"),
    "whisperx.json": ("whisper", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "whisperx_pretty.json": ("whisper", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "faster_whisper.json": ("whisper", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "whisperx.srt": ("srt", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "whisperx.vtt": ("vtt", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "whisper_plain.srt": ("srt", ("SPEAKER_00", "SPEAKER_01"), "inferred"),
    "session.cha": ("chat", ("INV", "PAR"), "declared"),
    "hope.csv": ("csv", ("T", "P"), "label"),
    "headings.docx": ("docx", ("Maya Lee", "Sam Ortiz"), "inferred"),
}


def events(analyzer, path):
    [t] = read_all(load(path), str(path), ReadOptions())
    a = analyzer.analyze_transcript(t)
    return t, a, [(e.category, e.subtype, e.role, e.rule, e.text) for e in a.events]


@pytest.fixture(scope="module")
def reference(analyzer):
    return events(analyzer, TOOLS / "reference.txt")[2]


def test_reference_has_emotion_caretaking_and_repair(reference):
    kinds = {(c, s) for c, s, *_ in reference}
    assert ("therapist_emotion", "self_disclosed_distress") in kinds
    assert ("client_caretaking", "check_in") in kinds and ("client_caretaking", "apology") in kinds
    assert ("therapist_repair", "repair") in kinds


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_tool_output_with_no_flags_gives_the_native_events(analyzer, reference, name):
    fmt, labels, source = FIXTURES[name]
    path = TOOLS / name
    assert detect_format(str(path), path.read_bytes()) == fmt
    t, a, got = events(analyzer, path)
    assert [(s.label, s.role, s.role_source) for s in t.speakers] == [
        (labels[0], "therapist", source), (labels[1], "client", source)]
    assert a.assessable and a.score is not None
    assert got == reference


@pytest.mark.parametrize("name", sorted(n for n in FIXTURES if not n.endswith(".docx")))
def test_event_lines_point_into_the_original_file(analyzer, name):
    path = TOOLS / name
    lines = path.read_text("utf-8-sig").splitlines()
    t, a, _ = events(analyzer, path)
    for e in a.events:
        first_word = e.text.split()[0]
        line = lines[e.line - 1]
        assert first_word in line, f"{name}: line {e.line} does not hold {e.text!r}"
        if name not in ("session.cha",):  # CHAT codes removed before a trigger shift its columns
            assert line[e.span[0]:].startswith(first_word), f"{name}:{e.line}:{e.span} is not {e.text!r}"


def test_google_meet_header_and_footer_are_metadata(analyzer):
    t, a, _ = events(analyzer, TOOLS / "google_meet.txt")
    assert t.meta["title"] == "Weekly session - 2025/06/12 10:00 BST"
    assert t.meta["attendees"] == ["Maya Lee", "Sam Ortiz"]
    assert t.meta["duration"] == "00:05:24"
    texts = " ".join(turn.text for turn in t.turns)
    assert "Meeting ended" not in texts and "editable transcript" not in texts and "Attendees" not in texts
    # the bare 00:05:00 line dates the turn after it
    assert [turn.time for turn in t.turns if turn.time is not None][:1] == [300.0]


def test_docx_word_headings_open_segments(analyzer):
    t, a, _ = events(analyzer, TOOLS / "headings.docx")
    assert [s.title for s in t.segments] == ["Check-in", "Homework"]
    assert t.segments[1].heading_line == next(
        turn.line for turn in t.turns if turn.text.startswith("We're nearly at time")) - 1


def test_whisperx_one_line_json_keeps_columns_on_line_one(analyzer):
    t, a, _ = events(analyzer, TOOLS / "whisperx.json")
    assert {p.line for turn in t.turns for p in turn.pieces} == {1}
    raw = (TOOLS / "whisperx.json").read_text("utf-8")
    for turn in t.turns:
        for piece in turn.pieces:
            said = turn.text[piece.offset:].split("\n")[0]
            assert raw[piece.column:].startswith(said)
    assert t.meta["language"] == "en"


def _whisper(segments, **extra) -> bytes:
    return json.dumps({"segments": segments, **extra}).encode()


def test_whisper_segment_without_speaker_continues_the_previous_turn():
    data = _whisper([
        {"start": 0.0, "text": " How are you?", "speaker": "SPEAKER_00"},
        {"start": 1.0, "text": " And since Friday?"},
        {"start": 2.0, "text": " Not great.", "speaker": "SPEAKER_01"},
    ])
    [t] = read_all(data, "w.json", ReadOptions())
    assert [(x.speaker, x.text) for x in t.turns] == [
        ("SPEAKER_00", "How are you?\nAnd since Friday?"), ("SPEAKER_01", "Not great.")]
    assert [w for w in t.warnings if "no speaker" in w[1]] == [
        (1, "segment 2 has no speaker; it and any later segment without one continue the previous "
            "speaker's turn")]


def test_whisper_without_diarization_is_an_error_that_says_so():
    with pytest.raises(TranscriptError, match="not diarized"):
        read_all(_whisper([{"start": 0.0, "text": " hello"}]), "w.json", ReadOptions())
    with pytest.raises(TranscriptError, match='"segments" list'):
        read_all(b'{"text": "hello"}', "w.json", ReadOptions())
    with pytest.raises(TranscriptError, match="not valid JSON"):
        read_all(b'{"segments": [', "w.json", ReadOptions())


def test_bracketed_speaker_prefix_in_native_text():
    [t] = read_all(b"[SPEAKER_00]: How are you?\n[SPEAKER_01]: Tired.\n[crying] still here\n", "w.txt",
                   ReadOptions(infer_roles=False))
    assert [x.speaker for x in t.turns if not x.is_note] == ["SPEAKER_00", "SPEAKER_01"]
