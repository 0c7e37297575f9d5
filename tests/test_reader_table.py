"""CSV/TSV/JSON/JSONL: columns, many sessions per file, line numbers of rows, messy rows."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from focusshift.api import Analyzer
from focusshift.cli import cli
from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, detect_format, load, read_all

from .conftest import DATA

TABLE = DATA / "formats" / "table"


def read(name, **opts):
    path = TABLE / name
    return read_all(load(path), str(path), ReadOptions(**opts))


def test_csv_many_sessions_named_by_id():
    s1, s2 = read("sessions.csv")
    assert s1.path.endswith("sessions.csv#s1") and s2.path.endswith("sessions.csv#s2")
    assert s1.format == "csv" and s1.meta["transcript"] == "s1"
    assert [(t.line, t.speaker, t.role, t.time) for t in s1.turns] == [
        (2, "Dr. Lee", "therapist", 5.0),
        (3, "Sam", "client", 9.0),
        (4, "Dr. Lee", "therapist", 20.0),
        (5, "Sam", "client", 26.0),
        (9, "Sam", "client", 31.0),
    ]
    assert s1.turns[1].text == "Not great. The funeral was on Friday, and I keep replaying it."
    assert [a.text for a in s1.turns[2].annotations] == ["voice breaks"]
    assert s1.turns[2].annotations[0].about == "therapist"


def test_empty_text_row_is_a_warning():
    _, s2 = read("sessions.csv")
    assert (7, "row with an empty text; skipped") in s2.warnings
    assert [t.line for t in s2.turns] == [6, 8]


def test_line_and_column_point_into_the_file(analyzer):
    s1, _ = read("sessions.csv")
    analysis = analyzer.analyze_transcript(s1)
    lines = (TABLE / "sessions.csv").read_text().splitlines()
    ct = [e for e in analysis.events if e.category == "client_caretaking" and e.line == 5]
    assert ct and all(lines[4][e.span[0] : e.span[1]] == e.text for e in ct)
    assert {e.line for e in analysis.events if e.category == "therapist_emotion"} == {4}


def test_role_values_map_automatically():
    [t] = read("annomi_like.tsv")
    assert [x.role for x in t.turns] == ["therapist", "client", "therapist"]
    assert t.path.endswith("#7")


def test_jsonl_and_json_lines(analyzer):
    [t] = read("utterances.jsonl")
    assert [(x.line, x.speaker, x.time) for x in t.turns] == [(1, "T", None), (3, "C", 12.5), (4, "C", None)]
    [j] = read("utterances.json")
    assert [x.line for x in j.turns] == [2, 3, 5, 6]
    events = analyzer.analyze_transcript(j).events
    # the quoted sister is not caretaking; the direct check-in after the tears is
    assert {(e.line, e.category) for e in events} == {(5, "therapist_emotion"), (6, "client_caretaking")}


def test_columns_option_and_errors(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("who,said\nT,hello there\nC,hi\n")
    with pytest.raises(TranscriptError, match="no text column found"):
        read_all(f.read_bytes(), str(f))
    [t] = read_all(f.read_bytes(), str(f), ReadOptions(columns=(("text", "said"),)))
    assert [x.role for x in t.turns] == ["therapist", "client"]
    with pytest.raises(TranscriptError, match="--columns text=nope: no such column"):
        read_all(f.read_bytes(), str(f), ReadOptions(columns=(("text", "nope"),)))


def test_bad_json_names_the_line(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text('{"speaker": "T", "text": "hi"}\n{"speaker": "C", "text": \n')
    with pytest.raises(TranscriptError) as exc:
        read_all(f.read_bytes(), str(f))
    assert exc.value.line == 2 and "not valid JSON" in exc.value.message


def test_detect_format_by_extension_and_content():
    assert detect_format("a.csv", b"") == "csv"
    assert detect_format("a.TSV", b"") == "tsv"
    assert detect_format("-", b'[{"speaker": "T", "text": "x"}]') == "json"
    assert detect_format("-", b'{"speaker": "T", "text": "x"}\n') == "jsonl"
    assert detect_format("a.txt", b"T: hello\nC: hi\n") == "native"
    assert detect_format("a.txt", b"T: hello", requested="csv") == "csv"


def test_cli_table_input_and_glob(tmp_path):
    (tmp_path / "a.csv").write_bytes((TABLE / "sessions.csv").read_bytes())
    (tmp_path / "b.txt").write_text("T: hi\nC: hello\n")
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "-f", "jsonl"])
    paths = [json.loads(x)["path"] for x in r.stdout.splitlines()]
    assert paths == [f"{tmp_path / 'a.csv'}#s1", f"{tmp_path / 'a.csv'}#s2", str(tmp_path / "b.txt")]
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "-f", "jsonl", "--glob", "*.txt"])
    assert [json.loads(x)["path"] for x in r.stdout.splitlines()] == [str(tmp_path / "b.txt")]


def test_cli_role_and_inferred_roles(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("Speaker 1: How are you?\nSpeaker 2: Tired. Work is a lot.\nSpeaker 1: What makes it a lot?\n"
                 "Speaker 2: The hours, mostly, and my boss.\n")
    # one role given in a two-party session: the other speaker takes the other role
    d = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json", "--role", "Speaker 2=client"]).stdout)[0]
    assert d["segments"][0]["turns"] == {"therapist": 2, "client": 2, "unknown": 0}
    assert [(s["label"], s["role"], s["role_source"]) for s in d["speakers"]] == [
        ("Speaker 1", "therapist", "cli"), ("Speaker 2", "client", "cli")]
    # no role given: inferred by default, said on stderr once, with how to pin it
    r = CliRunner().invoke(cli, ["analyze", str(f), "-f", "json"])
    d = json.loads(r.stdout)[0]
    assert [(s["label"], s["role"], s["role_source"]) for s in d["speakers"]] == [
        ("Speaker 1", "therapist", "inferred"), ("Speaker 2", "client", "inferred")]
    assert all(0.6 <= s["confidence"] <= 1 for s in d["speakers"])
    assert d["segments"][0]["turns"] == {"therapist": 2, "client": 2, "unknown": 0}
    assert r.stderr.count("roles inferred: 'Speaker 1' = therapist") == 1
    assert "--therapist 'Speaker 1' --client 'Speaker 2'" in r.stderr
    # --guess-roles is still accepted (inference is the default now)
    assert CliRunner().invoke(cli, ["analyze", str(f), "--guess-roles"]).exit_code == 0
    r = CliRunner().invoke(cli, ["analyze", str(f), "--role", "Speaker 2=boss"])
    assert r.exit_code == 2 and "LABEL=therapist or LABEL=client" in r.output


def test_inference_never_overrides_declared_roles(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("@client: Speaker 1\nSpeaker 1: How are you? Why? When?\nSpeaker 2: Fine.\nSpeaker 1: Really?\n"
                 "Speaker 2: Yes.\n")
    t = Analyzer().read(f)
    assert [x.role for x in t.turns] == ["client", "therapist", "client", "therapist"]
    assert [(s.label, s.role_source) for s in t.speakers] == [("Speaker 1", "declared"), ("Speaker 2", "declared")]


def test_validate_command(tmp_path):
    r = CliRunner().invoke(cli, ["validate", str(TABLE / "sessions.csv")])
    assert r.exit_code == 0
    assert "sessions.csv#s1: csv, 5 turns, 1 segment(s)" in r.output
    assert "Dr. Lee: therapist (declared; 2 turns, first on line 2)" in r.output
    assert "warning: line 7: row with an empty text; skipped" in r.output
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing here that looks like a turn\n")
    r = CliRunner().invoke(cli, ["validate", str(bad), "-f", "json"])
    assert r.exit_code == 2
    assert json.loads(r.stdout)[0]["errors"][0]["line"] == 1
