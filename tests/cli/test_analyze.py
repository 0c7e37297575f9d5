"""`focusshift analyze`: output formats, inputs, options, exit codes and error messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from focusshift.cli import EXIT_ERROR, EXIT_OK, EXIT_THRESHOLD
from focusshift.render.table import make_console, render_analysis

from .conftest import CALM, SHIFT

# --------------------------------------------------------------------------- output formats


def test_table_output(invoke, shift_file):
    r = invoke(["analyze", shift_file])
    assert r.exit_code == 0
    assert "session score" in r.output and "focus shifts 1" in r.output
    assert "\x1b[" not in r.output  # no colour when not a terminal


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_is_coloured_on_a_terminal_unless_no_color(monkeypatch, run):
    analysis = run(SHIFT)

    def rendered() -> str:
        out = _Tty()
        make_console(out).print(render_analysis(analysis))  # the console `analyze` prints the table on
        return out.getvalue()

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[3" in rendered()  # a colour code, which NO_COLOR takes away
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[3" not in rendered()  # no colour codes (bold may remain)


def test_explain_lists_evidence(invoke, shift_file):
    r = invoke(["analyze", shift_file, "--explain"])
    assert "line 1" in r.output and "[crying]" in r.output
    assert "ct.check.are_you_ok" in r.output
    r = invoke(["analyze", shift_file, "--explain", "--no-text"])
    assert "[crying]" not in r.output and "are you okay" not in r.output.lower()


def test_json_contract(invoke, shift_file):
    r = invoke(["analyze", shift_file, "--format", "json"])
    docs = json.loads(r.output)
    assert isinstance(docs, list) and len(docs) == 1
    d = docs[0]
    assert d["schema"] == "focusshift.analysis/1" and d["path"] == str(shift_file)
    assert d["errors"] == []
    seg = d["segments"][0]
    for key in ("index", "title", "start_line", "end_line", "score", "counts", "turns", "words"):
        assert key in seg
    assert seg["counts"]["therapist_emotion"] == 1 and seg["counts"]["client_caretaking"] == 2
    for e in d["events"]:
        for key in ("line", "segment", "category", "subtype", "speaker", "role", "text", "weight", "rule"):
            assert key in e
    assert d["summary"]["focus_shifts"] == 1
    # the score is recomputable from the JSON
    assert seg["score"] == round(100 * (1 - seg["load"] / seg["units"]), 2)


def test_no_text_drops_quotes_everywhere(invoke, shift_file):
    d = json.loads(invoke(["analyze", shift_file, "-f", "json", "--no-text"]).output)[0]
    assert all(e["text"] is None for e in d["events"])
    assert "upset" not in json.dumps(d)


def test_jsonl_one_object_per_file(invoke, tmp_path):
    (tmp_path / "a.txt").write_text(SHIFT)
    (tmp_path / "b.txt").write_text(CALM)
    r = invoke(["analyze", tmp_path, "--format", "jsonl"])
    lines = r.output.splitlines()
    assert [json.loads(x)["path"] for x in lines] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


@pytest.mark.parametrize("fmt,delim", [("csv", ","), ("tsv", "\t")])
def test_csv_tsv_rows(invoke, tmp_path, fmt, delim):
    f = tmp_path / "s.txt"
    f.write_text("## One\n" + SHIFT + "## Two\n" + CALM)
    r = invoke(["analyze", f, "--format", fmt])
    rows = list(csv.DictReader(io.StringIO(r.output), delimiter=delim))
    assert [row["segment"] for row in rows] == ["1", "2"]
    assert rows[0]["title"] == "One" and rows[1]["score"] == "100.0"
    assert rows[0]["therapist_emotion"] == "1" and rows[0]["client_caretaking"] == "2"
    assert rows[0]["path"] == str(f)


def test_output_file_written_whole(invoke, shift_file, tmp_path):
    out = tmp_path / "out.json"
    r = invoke(["analyze", shift_file, "-f", "json", "-o", out])
    assert r.output == ""
    assert json.loads(out.read_text())[0]["summary"]["focus_shifts"] == 1
    assert not list(tmp_path.glob("*.part"))


# --------------------------------------------------------------------------- inputs


def test_stdin(invoke):
    r = invoke(["analyze", "-", "-f", "json"], input=SHIFT)
    d = json.loads(r.output)[0]
    assert d["path"] == "-" and d["summary"]["focus_shifts"] == 1


def test_folder_sorted_and_recursive(invoke, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(CALM)
    (tmp_path / "a.txt").write_text(CALM)
    (tmp_path / "notes.md").write_text("not a transcript")
    r = invoke(["analyze", tmp_path, "-f", "jsonl"])
    paths = [json.loads(x)["path"] for x in r.output.splitlines()]
    assert paths == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "z.txt")]


def test_input_files_are_not_modified(invoke, tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(b"\xef\xbb\xbfT: hi\r\nC: [crying] ok\r\n")
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    invoke(["analyze", f, "-f", "json"])
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


# --------------------------------------------------------------------------- options


def test_segment_by_and_roles_from_cli(invoke, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("".join(f"Ana: line {i}\nBo: reply {i}\n" for i in range(6)))
    d = json.loads(invoke(["analyze", f, "-f", "json", "--segment-by", "turns:4",
                           "--therapist", "Ana", "--client", "Bo"]).output)[0]
    assert [s["turns"]["therapist"] + s["turns"]["client"] for s in d["segments"]] == [4, 4, 4]
    assert d["segments"][0]["turns"] == {"therapist": 2, "client": 2, "unknown": 0}


def test_config_changes_weights(invoke, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("T: [crying]\nC: ok\nT: mm\nC: ok\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[weights.therapist_emotion]\ncrying = 0.5\n")
    d = json.loads(invoke(["analyze", f, "-f", "json", "--config", cfg, "--detector", "rules"]).output)[0]
    assert d["events"][0]["weight"] == 0.5 and d["segments"][0]["score"] == 87.5


def test_model_option_with_saved_pipeline(invoke, shift_file, tmp_path):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    model_dir = tmp_path / "pipeline"
    nlp.to_disk(model_dir)
    d = json.loads(invoke(["analyze", shift_file, "-f", "json", "--model", model_dir]).output)[0]
    assert d["summary"]["focus_shifts"] == 1
    r = invoke(["analyze", shift_file, "--model", tmp_path / "missing"])
    assert r.exit_code == 2
    assert "never downloads" in r.output


# --------------------------------------------------------------------------- exit codes and errors


def test_fail_under(invoke, shift_file):
    assert invoke(["analyze", shift_file, "--fail-under", "99"]).exit_code == EXIT_THRESHOLD
    assert invoke(["analyze", shift_file, "--fail-under", "0"]).exit_code == EXIT_OK


def test_bad_file_is_reported_and_batch_goes_on(invoke, tmp_path):
    (tmp_path / "a_bad.txt").write_bytes(b"T: caf\xe9\n")
    (tmp_path / "b_good.txt").write_text(SHIFT)
    (tmp_path / "c_empty.txt").write_text("")
    r = invoke(["analyze", tmp_path, "-f", "jsonl", "--fail-under", "99"])
    assert r.exit_code == EXIT_ERROR  # 2 wins over 1
    docs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [Path(d["path"]).name for d in docs] == ["a_bad.txt", "b_good.txt", "c_empty.txt"]
    assert docs[0]["errors"][0]["line"] == 1 and "UTF-8" in docs[0]["errors"][0]["message"]
    assert docs[1]["errors"] == [] and docs[1]["summary"]["focus_shifts"] == 1
    assert f"error: {tmp_path / 'a_bad.txt'}:1: invalid UTF-8" in r.stderr
    assert f"error: {tmp_path / 'c_empty.txt'}:1: the file is empty" in r.stderr
    assert "Traceback" not in r.output


def test_missing_file_and_no_turns(invoke, tmp_path):
    f = tmp_path / "prose.txt"
    f.write_text("Just some notes\nwith no speakers at all\n")
    r = invoke(["analyze", f, tmp_path / "nope.txt"])
    assert r.exit_code == EXIT_ERROR
    assert "no speaker turns found" in r.stderr and "nope.txt: no such file" in r.stderr


def test_binary_file(invoke, tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = invoke(["analyze", f])
    assert r.exit_code == EXIT_ERROR and "binary file" in r.stderr


def test_usage_errors_exit_2(invoke, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(CALM)
    assert invoke(["analyze", f, "--format", "xml"]).exit_code == 2
    r = invoke(["analyze", f, "--segment-by", "pages:3"])
    assert r.exit_code == 2 and "turns:N or minutes:M" in r.output
    assert invoke(["analyze"]).exit_code == 2


def test_bad_config_and_lexicon_are_one_line_errors(invoke, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(CALM)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[shift]\nwindow = 'three'\n")
    r = invoke(["analyze", f, "--config", cfg])
    assert r.exit_code == 2
    assert "shift.window has the wrong type" in r.output
    lex = tmp_path / "r.jsonl"
    lex.write_text('{"id": "x", "label": "therapist_emotion"}\n')
    r = invoke(["analyze", f, "--lexicon", lex])
    assert f"{lex}:1: missing key(s)" in r.output


def test_html_format_writes_the_report_page_of_one_session(invoke, shift_file, tmp_path):
    from focusshift import analyze
    from focusshift.render.html import render_report

    out = tmp_path / "s.html"
    r = invoke(["analyze", shift_file, "-f", "html", "-o", out])
    assert r.exit_code == 0, r.output
    assert out.read_text("utf-8") == render_report(analyze(shift_file))


def test_html_format_refuses_several_sessions_and_writes_nothing(invoke, shift_file, tmp_path):
    other = tmp_path / "t.txt"
    other.write_text(CALM)
    out = tmp_path / "both.html"
    r = invoke(["analyze", shift_file, other, "-f", "html", "-o", out, "-j", "1"])
    assert r.exit_code == 2
    assert "focusshift report" in r.output
    assert not out.exists()
