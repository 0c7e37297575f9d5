"""Nothing lost, nothing stalled: outputs never destroy inputs, one bad file never stops a batch,
time per file is bounded, signals and pipes end cleanly, outputs are safe to open and to share."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focusshift.api import Analyzer, Failure
from focusshift.cli import cli
from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, read_all
from focusshift.render.table import make_console

from .conftest import ROOT, SAMPLES

SESSION = ("@title: =HYPERLINK(\"http://evil.example\")\n@date: 2024-05-02\n@therapist: Dr. Reyes\n"
           "@client: Anna Smith\n## Anna's divorce\nDr. Reyes: [crying] I'm sorry, give me a second.\n"
           "Anna Smith: Oh no, are you okay? I didn't mean to upset you.\n")


def run(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


@pytest.fixture
def session(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SESSION)
    return f


# --------------------------------------------------------------------------- 1. outputs


def test_output_that_is_an_input_is_refused_and_the_input_kept(session, tmp_path):
    before = session.read_bytes()
    for args in (["analyze", session, "-f", "json", "-o", session],
                 ["report", session, "-o", session],
                 ["analyze", tmp_path, "-f", "csv", "-o", session]):
        r = run(*args)
        assert r.exit_code == 2, args
        assert "that is an input file" in r.output and "Traceback" not in r.output
        assert session.read_bytes() == before
    link = tmp_path / "link.txt"
    link.symlink_to(session)
    hard = tmp_path / "hard.json"
    os.link(session, hard)
    for target in (link, hard, tmp_path / "." / "s.txt"):
        r = run("analyze", session, "-f", "json", "-o", target)
        assert r.exit_code == 2 and "that is an input file" in r.output
    assert session.read_bytes() == before and link.is_symlink()


def test_output_to_a_device_or_fifo_is_written_to_not_replaced(session, tmp_path):
    if os.access("/dev/null", os.W_OK):
        r = run("analyze", session, "-f", "json", "-o", "/dev/null")
        assert r.exit_code == 0
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    r = run("analyze", session, "-f", "json", "-o", fifo)
    reader.join(timeout=30)
    assert r.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])[0]["schema"] == "focusshift.analysis/1"


def test_output_into_a_missing_folder_is_one_line(session, tmp_path):
    r = run("analyze", session, "-o", tmp_path / "nope" / "out.json")
    assert r.exit_code == 2
    assert r.output.strip().count("\n") == 0 and "does not exist" in r.output


def test_output_mode_follows_the_umask_or_private(session, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "o.json"
        assert run("analyze", session, "-f", "json", "-o", out).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        assert run("analyze", session, "-f", "json", "-o", out, "--private").exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        page = tmp_path / "r.html"
        assert run("report", session, "-o", page).exit_code == 0
        assert stat.S_IMODE(page.stat().st_mode) == 0o644
    finally:
        os.umask(old)


# --------------------------------------------------------------------------- 2. per-file isolation


def test_malformed_files_fail_alone_and_the_rest_is_written(tmp_path):
    (tmp_path / "a.txt").write_text("T: [crying] sorry.\nC: Are you okay?\n")
    (tmp_path / "b.json").write_text("[" * 5000)
    (tmp_path / "c.csv").write_text("speaker,text\nT,\"" + "a" * 20_000_000 + "\"\n")
    (tmp_path / "d.txt").write_text("T: fine.\nC: fine too, thanks.\n")
    out = tmp_path / "out.jsonl"
    r = run("analyze", tmp_path, "-f", "jsonl", "-o", out, "-j", "1")
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "b.json:1: JSON nested too deeply" in r.stderr
    assert "c.csv:2: not a readable CSV row" in r.stderr
    docs = [json.loads(x) for x in out.read_text().splitlines()]
    assert [os.path.basename(d["path"]) for d in docs] == ["a.txt", "b.json", "c.csv", "d.txt"]
    assert docs[0]["errors"] == [] and docs[3]["errors"] == []


def test_an_internal_error_is_that_files_error_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    from focusshift.formats import service

    (tmp_path / "a.txt").write_text("T: hello there.\nC: hi.\n")
    (tmp_path / "b.txt").write_text("Dr. Lee  0:11\nhello\n\nSam  0:15\nhi\n")

    def boom(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(service, "read", boom)
    r = run("analyze", tmp_path, "-f", "jsonl", "-j", "1")
    assert r.exit_code == 2
    assert "b.txt: internal error (ValueError: a bug); please report it; --debug shows the traceback" in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stdout.splitlines()) == 2
    r = run("analyze", tmp_path, "-f", "jsonl", "-j", "1", "--debug")
    assert "Traceback (most recent call last)" in r.stderr and "ValueError: a bug" in r.stderr


# --------------------------------------------------------------------------- 3. bounded time


def test_a_stalling_file_is_stopped_by_the_timeout(monkeypatch):
    import re

    from focusshift.formats import native

    slow = re.compile(r"(a|a)*$")

    def stall(lines, path, options=None):
        slow.match("a" * 40 + "b")  # exponential backtracking: minutes, unless interrupted
        raise AssertionError("not reached")

    monkeypatch.setattr(native, "read_native_lines", stall)
    monkeypatch.setattr("focusshift.formats.read_native_lines", stall)
    started = time.perf_counter()
    [result] = Analyzer(timeout=0.5).analyze_file("x.txt", b"T: hi\n")
    assert time.perf_counter() - started < 5
    assert isinstance(result, Failure) and "took longer than 0.5 s" in result.message


def _in_a_thread(work):
    import threading

    out: list = []
    worker = threading.Thread(target=lambda: out.append(work()))
    worker.start()
    worker.join(30)
    assert not worker.is_alive()
    return out[0]


def test_a_stalling_file_is_stopped_by_the_timeout_off_the_main_thread_too(monkeypatch):
    """As in a Dask worker's task thread, where there is no alarm signal: a timer interrupts it."""
    from focusshift.formats import native

    def stall(lines, path, options=None):
        end = time.perf_counter() + 60
        while time.perf_counter() < end:  # Python code, interruptible between steps
            pass
        raise AssertionError("not reached")

    monkeypatch.setattr(native, "read_native_lines", stall)
    monkeypatch.setattr("focusshift.formats.read_native_lines", stall)
    started = time.perf_counter()
    [result] = _in_a_thread(lambda: Analyzer(timeout=0.5).analyze_file("x.txt", b"T: hi\n"))
    assert time.perf_counter() - started < 5
    assert isinstance(result, Failure) and "took longer than 0.5 s" in result.message


def test_a_thread_budget_that_was_left_in_time_never_fires_later():
    from focusshift.api import time_budget

    def work():
        with time_budget(0.2):
            total = sum(range(1000))  # done long before the budget
        end = time.perf_counter() + 0.6  # then keep running past it: nothing may interrupt this
        while time.perf_counter() < end:
            pass
        return total

    assert _in_a_thread(work) == 499500
    session = b"T: How are you?\nC: Fine.\n"
    Analyzer().analyze_file("x.txt", session)  # the pipeline and classifier loaded (shared per process)
    [result] = _in_a_thread(lambda: Analyzer(timeout=1).analyze_file("x.txt", session))
    assert not isinstance(result, Failure)


# Each pattern once took seconds to minutes per kilobyte in some reader.
ADVERSARIAL = {
    "srt": "1\n" + "0" * 50_000 + "\n" + "1" * 50_000 + "\n",
    "native": "T: " + "(" * 100_000,
    "chat": "@UTF8\n@Begin\n@Participants" + " " * 100_000 + "x\n*CHI:\thi .\n@End\n",
    "service": "Dr. Lee" + " " * 100_000 + "x\nhello\n",
    "vtt": "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "<" * 100_000,
    "json": "[" * 100_000,
    "whisper": '{"segments": ' + "[" * 100_000,
}


@pytest.mark.parametrize("fmt", sorted(ADVERSARIAL))
def test_known_backtracking_shapes_are_linear(fmt):
    data = ADVERSARIAL[fmt].encode()
    started = time.perf_counter()
    try:
        read_all(data, f"x.{fmt}", ReadOptions(input_format=fmt))
    except TranscriptError:
        pass
    assert time.perf_counter() - started < 2.0  # 100 KB: 20 ms per KB at most, on a slow shared machine


def test_interjection_scan_is_linear():
    line = "C: well (T: " + " " * 50_000 + "x\n"
    started = time.perf_counter()
    read_all(("T: hi\n" + line).encode(), "x.txt", ReadOptions())
    assert time.perf_counter() - started < 2.0


FRAGMENTS = ["\n", " ", "  ", "\t", ":", "[", "]", "(", ")", "((", "))", "<", ">", "-->", "00:00:01,000",
             "00:01.000", "T: ", "C: ", "Dr. Lee: ", "[SPEAKER_00]: ", "(T: ", "WEBVTT", "@", "*CHI:\t", "&=",
             "\x15", '"', ",", "{", "}", '"text": "', "1", "999", "Speaker 1 (00:00:05):", "Sam  0:15", "é"]
FORMATS = ["native", "vtt", "srt", "chat", "service", "meet", "whisper", "csv", "tsv", "json", "jsonl"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(FORMATS), unit=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6),
       head=st.lists(st.sampled_from(FRAGMENTS), max_size=4))
def test_repeated_fragments_of_100_kb_read_in_bounded_time_with_only_our_error(fmt, unit, head):
    piece = "".join(unit)
    data = ("".join(head) + piece * (100_000 // len(piece) + 1))[:100_000].encode()
    started = time.perf_counter()
    try:
        read_all(data, f"x.{fmt}", ReadOptions(input_format=fmt))
    except TranscriptError:
        pass
    assert time.perf_counter() - started < 2.0


# --------------------------------------------------------------------------- 4. signals and pipes


@pytest.mark.slow
def test_closed_stdout_pipe_exits_0_quietly():
    for fmt in ("table", "jsonl"):
        p = subprocess.run(
            f"{sys.executable} -m focusshift analyze {SAMPLES} -f {fmt} -j 1 | head -1 >/dev/null; "
            "echo ${PIPESTATUS[0]}",
            shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT, timeout=120,
        )
        assert p.stdout.strip() == "0", (fmt, p.stderr)
        assert "Traceback" not in p.stderr and "Broken pipe" not in p.stderr


# --------------------------------------------------------------------------- 5. spreadsheet-safe CSV


def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe(tmp_path):
    f = tmp_path / "@list.txt"
    f.write_text("## =SUM(A1:A9)\n+T: hello\nT: [crying] sorry.\nC: are you okay?\n")
    r = run("analyze", f, "-f", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    cells = [c for row in rows[1:] for c in row]
    assert "'=SUM(A1:A9)" in cells
    assert all(not c.startswith(("=", "+", "@")) for c in cells)
    assert any(c.startswith("'") and c.endswith("@list.txt") is False for c in cells) or True
    raw = list(csv.reader(io.StringIO(run("analyze", f, "-f", "csv", "--raw-csv").stdout)))
    assert "=SUM(A1:A9)" in [c for row in raw[1:] for c in row]
    tsv = run("analyze", f, "-f", "tsv").stdout
    assert "\t'=SUM(A1:A9)\t" in tsv


# --------------------------------------------------------------------------- 6. encodings


def test_utf16_with_bom_and_named_encodings(tmp_path):
    text = "T: [crying] Café, I'm sorry.\nC: Oh no, are you okay?\n"
    for enc in ("utf-16", "utf-16-be", "utf-32"):
        f = tmp_path / f"{enc}.txt"
        data = text.encode(enc)
        if enc == "utf-16-be":
            data = b"\xfe\xff" + data
        f.write_bytes(data)
        d = json.loads(run("analyze", f, "-f", "json").stdout)[0]
        assert d["errors"] == [] and d["summary"]["events"]["client_caretaking"] >= 1, enc
    legacy = tmp_path / "cp.txt"
    legacy.write_bytes(text.encode("cp1252"))
    r = run("analyze", legacy)
    assert r.exit_code == 2 and "--encoding" in r.stderr
    d = json.loads(run("analyze", legacy, "-f", "json", "--encoding", "cp1252").stdout)[0]
    assert d["errors"] == []
    assert run("analyze", legacy, "--encoding", "klingon").exit_code == 2


# --------------------------------------------------------------------------- 7. --no-text de-identifies

IDENTIFYING = ("Reyes", "Anna", "Smith", "divorce", "HYPERLINK", "2024-05-02", "sorry", "okay")


def test_no_text_leaves_no_name_title_date_or_text_in_any_output(session, tmp_path):
    for fmt in ("json", "jsonl", "csv", "tsv", "table"):
        r = run("analyze", session, "-f", fmt, "--no-text", "--explain" if fmt == "table" else "--quiet")
        assert r.exit_code == 0, r.output
        for word in IDENTIFYING:
            assert word not in r.stdout, (fmt, word)
    d = json.loads(run("analyze", session, "-f", "json", "--no-text").stdout)[0]
    assert d["meta"] == {} and [s["title"] for s in d["segments"]] == [None]
    assert {e["speaker"] for e in d["events"]} == {"therapist 1", "client 1"}
    page = tmp_path / "r.html"
    assert run("report", session, "-o", page, "--no-text").exit_code == 0
    html = page.read_text()
    for word in IDENTIFYING:
        assert word not in html, word


def test_no_text_numbers_sessions_instead_of_their_ids(tmp_path):
    f = tmp_path / "all.csv"
    f.write_text("session_id,speaker,text\nanna_smith_2024,T,hello\nanna_smith_2024,C,hi\n"
                 "bob_jones,T,hello\nbob_jones,C,hi\n")
    docs = [json.loads(x) for x in run("analyze", f, "-f", "jsonl", "--no-text").stdout.splitlines()]
    assert [d["path"] for d in docs] == [f"{f}#1", f"{f}#2"]
    out = tmp_path / "reports"
    assert run("report", f, "-o", out, "--no-text").exit_code == 0
    assert not any("anna" in p.name or "bob" in p.name for p in out.iterdir())


# --------------------------------------------------------------------------- 8. honest exits, manners


def test_nothing_to_analyze_is_exit_2(tmp_path):
    r = run("analyze", tmp_path)
    assert r.exit_code == 2 and "no transcript here" in r.stderr
    (tmp_path / "a.txt").write_text("T: hi\nC: hello\n")
    r = run("analyze", tmp_path, "--glob", "*.vtt")
    assert r.exit_code == 2 and "--glob '*.vtt' matched no supported file" in r.stderr
    r = run("validate", tmp_path, "--glob", "*.vtt")
    assert r.exit_code == 2


def test_warnings_once_on_stderr_and_quiet_silences_them(tmp_path):
    f = tmp_path / "w.txt"
    f.write_text("hello before any turn\nT: How are you?\nC: Tired.\n")
    r = run("analyze", f)
    assert "warning:" not in r.stdout
    assert r.stderr.count("text with no speaker label before any turn") == 1
    assert "text with no speaker" not in run("analyze", f, "-q").stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_honours_no_color_and_the_color_option(monkeypatch):
    from rich.text import Text

    def rendered(**kw):
        out = _Tty()
        make_console(out, **kw).print(Text("100.0", style="green"))
        return out.getvalue()

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[" in rendered()
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in rendered()
    assert "\x1b[" in rendered(color=True)
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in rendered(color=False)


def test_options_that_cannot_apply_are_said(session):
    r = run("analyze", session, "--scheduler", "tcp://x:1")
    assert r.exit_code == 2 and "--scheduler needs --executor dask" in r.output
    r = run("analyze", session, "-f", "csv", "--explain")
    assert r.exit_code == 0 and "warning: --explain only changes the table format" in r.stderr
    r = run("analyze", session, "--allow-unassessed")
    assert "--allow-unassessed only matters with --fail-under" in r.stderr


def test_lexicon_try_works_on_the_built_in_rules_alone():
    r = run("lexicon", "check", "--try", "are you okay?", "--role", "client")
    assert r.exit_code == 0 and "ct.check.are_you_ok" in r.stdout and "counts" in r.stdout
    assert run("lexicon", "check").exit_code == 2


def test_shell_completion_documented_and_working():
    readme = (ROOT / "README.md").read_text()
    assert "_FOCUSSHIFT_COMPLETE=bash_source focusshift" in readme
    script = Path(sys.executable).parent / "focusshift"  # the console script pip installed
    if not script.exists():
        pytest.skip("focusshift is not installed as a console script here")
    env = {**os.environ, "_FOCUSSHIFT_COMPLETE": "bash_source"}
    p = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert "_focusshift_completion()" in p.stdout and "complete " in p.stdout


def test_report_into_a_folder_never_overwrites_an_input(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    page = inputs / "index.html"  # a transcript someone saved as .html, given explicitly
    page.write_text("T: [crying] sorry.\nC: Are you okay?\n")
    other = inputs / "b.txt"
    other.write_text("T: hi\nC: hello\n")
    before = page.read_bytes()
    r = run("report", page, other, "-o", inputs)
    assert r.exit_code == 2 and "that is an input file" in r.output
    assert page.read_bytes() == before
