"""The command line, through click's CliRunner (and a subprocess where a real pipe matters)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from focusshift import cli as cli_mod
from focusshift.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, cli

from .conftest import SAMPLES

SHIFT = "T: [crying] Oh.\nC: Are you okay? I'm sorry, I didn't mean to upset you.\n"
CALM = "T: How was the week?\nC: Fine, busy at work.\n"


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def invoke(runner, args, **kw):
    return runner.invoke(cli, args, catch_exceptions=False, **kw)


def test_exit_codes_are_pinned():
    assert (EXIT_OK, EXIT_THRESHOLD, EXIT_ERROR, EXIT_INTERRUPTED) == (0, 1, 2, 130)


def test_help_and_version(runner):
    r = invoke(runner, ["--help"])
    assert r.exit_code == 0 and "analyze" in r.output
    r = invoke(runner, ["analyze", "--help"])
    assert "Examples:" in r.output and "--fail-under" in r.output and "Exit codes" in r.output
    r = invoke(runner, ["--version"])
    assert r.output.strip() == "focusshift, version 0.1.0"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name):
    assert cli.commands[name].help


def test_table_output(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    r = invoke(runner, ["analyze", str(f)])
    assert r.exit_code == 0
    assert "session score" in r.output and "focus shifts 1" in r.output
    assert "\x1b[" not in r.output  # no colour when not a terminal


def test_explain_lists_evidence(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    r = invoke(runner, ["analyze", str(f), "--explain"])
    assert "line 1" in r.output and "[crying]" in r.output
    assert "ct.check.are_you_ok" in r.output
    r = invoke(runner, ["analyze", str(f), "--explain", "--no-text"])
    assert "[crying]" not in r.output and "are you okay" not in r.output.lower()


def test_json_contract(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    r = invoke(runner, ["analyze", str(f), "--format", "json"])
    docs = json.loads(r.output)
    assert isinstance(docs, list) and len(docs) == 1
    d = docs[0]
    assert d["schema"] == "focusshift.analysis/1" and d["path"] == str(f)
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


def test_no_text_drops_quotes_everywhere(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    d = json.loads(invoke(runner, ["analyze", str(f), "-f", "json", "--no-text"]).output)[0]
    assert all(e["text"] is None for e in d["events"])
    assert "upset" not in json.dumps(d)


def test_jsonl_one_object_per_file(runner, tmp_path):
    (tmp_path / "a.txt").write_text(SHIFT)
    (tmp_path / "b.txt").write_text(CALM)
    r = invoke(runner, ["analyze", str(tmp_path), "--format", "jsonl"])
    lines = r.output.splitlines()
    assert [json.loads(x)["path"] for x in lines] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


@pytest.mark.parametrize("fmt,delim", [("csv", ","), ("tsv", "\t")])
def test_csv_tsv_rows(runner, tmp_path, fmt, delim):
    f = tmp_path / "s.txt"
    f.write_text("## One\n" + SHIFT + "## Two\n" + CALM)
    r = invoke(runner, ["analyze", str(f), "--format", fmt])
    rows = list(csv.DictReader(io.StringIO(r.output), delimiter=delim))
    assert [row["segment"] for row in rows] == ["1", "2"]
    assert rows[0]["title"] == "One" and rows[1]["score"] == "100.0"
    assert rows[0]["therapist_emotion"] == "1" and rows[0]["client_caretaking"] == "2"
    assert rows[0]["path"] == str(f)


def test_stdin(runner):
    r = invoke(runner, ["analyze", "-", "-f", "json"], input=SHIFT)
    d = json.loads(r.output)[0]
    assert d["path"] == "-" and d["summary"]["focus_shifts"] == 1


def test_folder_sorted_and_recursive(runner, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(CALM)
    (tmp_path / "a.txt").write_text(CALM)
    (tmp_path / "notes.md").write_text("not a transcript")
    r = invoke(runner, ["analyze", str(tmp_path), "-f", "jsonl"])
    paths = [json.loads(x)["path"] for x in r.output.splitlines()]
    assert paths == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "z.txt")]


def test_fail_under(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    assert invoke(runner, ["analyze", str(f), "--fail-under", "99"]).exit_code == EXIT_THRESHOLD
    assert invoke(runner, ["analyze", str(f), "--fail-under", "0"]).exit_code == EXIT_OK


def test_bad_file_is_reported_and_batch_goes_on(tmp_path):
    (tmp_path / "a_bad.txt").write_bytes(b"T: caf\xe9\n")
    (tmp_path / "b_good.txt").write_text(SHIFT)
    (tmp_path / "c_empty.txt").write_text("")
    runner = CliRunner()
    r = runner.invoke(cli, ["analyze", str(tmp_path), "-f", "jsonl", "--fail-under", "99"])
    assert r.exit_code == EXIT_ERROR  # 2 wins over 1
    docs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [Path(d["path"]).name for d in docs] == ["a_bad.txt", "b_good.txt", "c_empty.txt"]
    assert docs[0]["errors"][0]["line"] == 1 and "UTF-8" in docs[0]["errors"][0]["message"]
    assert docs[1]["errors"] == [] and docs[1]["summary"]["focus_shifts"] == 1
    assert f"error: {tmp_path / 'a_bad.txt'}:1: invalid UTF-8" in r.stderr
    assert f"error: {tmp_path / 'c_empty.txt'}:1: the file is empty" in r.stderr
    assert "Traceback" not in r.output


def test_missing_file_and_no_turns(runner, tmp_path):
    f = tmp_path / "prose.txt"
    f.write_text("Just some notes\nwith no speakers at all\n")
    r = CliRunner().invoke(cli, ["analyze", str(f), str(tmp_path / "nope.txt")])
    assert r.exit_code == EXIT_ERROR
    assert "no speaker turns found" in r.stderr and "nope.txt: no such file" in r.stderr


def test_binary_file(tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = CliRunner().invoke(cli, ["analyze", str(f)])
    assert r.exit_code == EXIT_ERROR and "binary file" in r.stderr


def test_usage_errors_exit_2(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(CALM)
    assert CliRunner().invoke(cli, ["analyze", str(f), "--format", "xml"]).exit_code == 2
    r = CliRunner().invoke(cli, ["analyze", str(f), "--segment-by", "pages:3"])
    assert r.exit_code == 2 and "turns:N or minutes:M" in r.output
    assert CliRunner().invoke(cli, ["analyze"]).exit_code == 2


def test_bad_config_and_lexicon_are_one_line_errors(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(CALM)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[shift]\nwindow = 'three'\n")
    r = CliRunner().invoke(cli, ["analyze", str(f), "--config", str(cfg)])
    assert r.exit_code == 2
    assert "shift.window has the wrong type" in r.output
    lex = tmp_path / "r.jsonl"
    lex.write_text('{"id": "x", "label": "therapist_emotion"}\n')
    r = CliRunner().invoke(cli, ["analyze", str(f), "--lexicon", str(lex)])
    assert f"{lex}:1: missing key(s)" in r.output


def test_segment_by_and_roles_from_cli(runner, tmp_path):
    f = tmp_path / "s.txt"
    body = "".join(f"Ana: line {i}\nBo: reply {i}\n" for i in range(6))
    f.write_text(body)
    d = json.loads(invoke(runner, ["analyze", str(f), "-f", "json", "--segment-by", "turns:4",
                                   "--therapist", "Ana", "--client", "Bo"]).output)[0]
    assert [s["turns"]["therapist"] + s["turns"]["client"] for s in d["segments"]] == [4, 4, 4]
    assert d["segments"][0]["turns"] == {"therapist": 2, "client": 2, "unknown": 0}


def test_config_changes_weights(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("T: [crying]\nC: ok\nT: mm\nC: ok\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[weights.therapist_emotion]\ncrying = 0.5\n")
    d = json.loads(invoke(runner, ["analyze", str(f), "-f", "json", "--config", str(cfg),
                                   "--detector", "rules"]).output)[0]
    assert d["events"][0]["weight"] == 0.5 and d["segments"][0]["score"] == 87.5


def test_output_file_written_whole(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    out = tmp_path / "out.json"
    r = invoke(runner, ["analyze", str(f), "-f", "json", "-o", str(out)])
    assert r.output == ""
    assert json.loads(out.read_text())[0]["summary"]["focus_shifts"] == 1
    assert not list(tmp_path.glob("*.part"))


def test_input_files_are_not_modified(runner, tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(b"\xef\xbb\xbfT: hi\r\nC: [crying] ok\r\n")
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    invoke(runner, ["analyze", str(f), "-f", "json"])
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


def test_model_option_with_saved_pipeline(runner, tmp_path):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    model_dir = tmp_path / "pipeline"
    nlp.to_disk(model_dir)
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    d = json.loads(invoke(runner, ["analyze", str(f), "-f", "json", "--model", str(model_dir)]).output)[0]
    assert d["summary"]["focus_shifts"] == 1
    r = CliRunner().invoke(cli, ["analyze", str(f), "--model", str(tmp_path / "missing")])
    assert r.exit_code == 2
    assert "never downloads" in r.output


def test_python_dash_m_and_closed_pipe():
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "focusshift", "--version"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and "0.1.0" in p.stdout
    # `focusshift analyze ... | head -1` ends quietly
    cmd = f"{sys.executable} -m focusshift analyze {SAMPLES} --explain | head -1"
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True, env=env)
    assert p.returncode == 0
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


def test_no_color_env_is_respected(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    code = (
        "import sys; from rich.console import Console; import focusshift.render.table as t;"
        "from focusshift.api import analyze; a = analyze(sys.argv[1]);"
        "c = Console(force_terminal=True, file=sys.stdout); c.print(t.render_analysis(a))"
    )
    colour = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True,
                            env={k: v for k, v in os.environ.items() if k != "NO_COLOR"})
    plain = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True,
                           env={**os.environ, "NO_COLOR": "1"})
    assert "\x1b[" in colour.stdout
    assert "\x1b[3" not in plain.stdout  # no colour codes (bold may remain)


def test_main_handles_keyboard_interrupt(monkeypatch, capsys):
    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_mod.cli, "main", boom)
    with pytest.raises(SystemExit) as exc:
        cli_mod.main()
    assert exc.value.code == EXIT_INTERRUPTED
