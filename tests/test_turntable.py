"""A long session is held as a TurnTable (packed columns) and read as it is read from a tuple.

Every reader's output, every analysis and every output format must be the same
whether a session's turns are a tuple or a table: these tests force the table
on for every session (TABLE_FROM = 0) and compare with the tuple path.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import focusshift.turntable as turntable
from focusshift.api import Analyzer, discover
from focusshift.cli import cli
from focusshift.errors import TranscriptError
from focusshift.failure import Failure
from focusshift.formats.common import decode, decode_lines, split_lines
from focusshift.turntable import TurnTable, columns

from .conftest import DATA, SAMPLES

# Every format and oddity the readers are tested on, without the corpus's test split.
INPUTS = [DATA / "formats", DATA / "reader", DATA / "roles", DATA / "devset", DATA / "golden",
          DATA / "corpus" / "train", SAMPLES]


def _read_everything(analyzer: Analyzer) -> dict[str, list]:
    out = {}
    for path in discover(INPUTS):
        out[path] = analyzer.read_file(path)
    return out


@pytest.fixture(scope="module")
def both(analyzer):
    """(tuple path, table path) of every input file: the transcripts or the failure."""
    plain = _read_everything(analyzer)
    saved = turntable.TABLE_FROM
    turntable.TABLE_FROM = 0
    try:
        packed = _read_everything(analyzer)
    finally:
        turntable.TABLE_FROM = saved
    return plain, packed


def test_every_reader_gives_the_same_transcript_from_the_table(both):
    plain, packed = both
    assert len(plain) > 150 and plain.keys() == packed.keys()
    tables = 0
    for path, found in plain.items():
        other = packed[path]
        assert len(found) == len(other), path
        for a, b in zip(found, other):
            if isinstance(a, Failure):
                assert isinstance(b, Failure) and (a.line, a.message) == (b.line, b.message), path
                continue
            assert isinstance(a.turns, tuple) and isinstance(b.turns, TurnTable)
            tables += 1
            assert b.turns == a.turns and list(b.turns) == list(a.turns), path
            assert [t.words for t in b.turns] == [t.words for t in a.turns], path  # not compared by ==
            assert (b.segments, b.speakers, b.warnings, b.meta, b.format) == (
                a.segments, a.speakers, a.warnings, a.meta, a.format), path
    assert tables > 150


def test_the_tables_cover_interjections_notes_and_merged_cues(both):
    """The comparison above means something only if the inputs hold the hard cases."""
    _, packed = both
    turns = [t for found in packed.values() for x in found if not isinstance(x, Failure) for t in x.turns]
    assert any(t.interjection for t in turns)
    assert any(t.is_note for t in turns)
    assert any(len(t.pieces) > 1 for t in turns)
    assert any(t.annotations for t in turns)
    assert any(t.time is not None for t in turns)
    assert any(any(ord(ch) > 127 for ch in t.text) for t in turns)


@pytest.fixture(scope="module")
def session(analyzer):
    [t] = analyzer.read_file(SAMPLES / "03_full_shift_recovery.txt")
    return t


def test_a_table_behaves_as_the_tuple_of_its_turns(session):
    turns = tuple(session.turns)
    table = TurnTable(turns)
    assert len(table) == len(turns) and table == turns and turns == tuple(table)
    assert table[0] == turns[0] and table[-1] == turns[-1] and table[3] is table[3]  # kept for the next look-up
    assert table[2:5] == turns[2:5] and table[::-2] == turns[::-2]
    with pytest.raises(IndexError):
        table[len(turns)]
    with pytest.raises(IndexError):
        table[-len(turns) - 1]
    assert table != turns[:-1] and table != TurnTable(turns[1:])
    assert repr(table) == f"TurnTable({len(turns)} turns)"
    again = pickle.loads(pickle.dumps(table))
    assert isinstance(again, TurnTable) and again == turns
    with pytest.raises(TypeError):
        hash(table)


def test_a_tables_columns_are_the_turns_attributes(session):
    turns = tuple(session.turns)
    mine, theirs = columns(TurnTable(turns)), columns(turns)
    for name in ("index", "speaker", "role", "words", "time"):
        assert list(getattr(mine, name)) == list(getattr(theirs, name)) == [getattr(t, name) for t in turns]
    for name in ("is_note", "interjection"):
        assert [bool(v) for v in getattr(mine, name)] == [getattr(t, name) for t in turns]


def test_renaming_a_tables_speakers_renames_every_turn(session):
    table = TurnTable(session.turns)
    renamed = table.renamed({"T": "Speaker 1", "C": "Speaker 2"})
    assert [t.speaker for t in renamed] == [{"T": "Speaker 1", "C": "Speaker 2"}.get(t.speaker, t.speaker)
                                            for t in session.turns]
    assert [t.text for t in renamed] == [t.text for t in session.turns]
    assert [t.speaker for t in table] == [t.speaker for t in session.turns]  # the original is unchanged


def _fingerprint(analysis) -> tuple:
    return (analysis.events, analysis.segments, analysis.shifts, analysis.score, analysis.time,
            analysis.assessable, analysis.reason)


def test_analysis_from_a_table_is_the_same(analyzer, monkeypatch):
    paths = [*sorted(SAMPLES.glob("*.txt")), *sorted((DATA / "formats" / "equivalence").iterdir())]
    plain = [_fingerprint(a) for p in paths for a in analyzer.analyze_file(p) if not isinstance(a, Failure)]
    monkeypatch.setattr(turntable, "TABLE_FROM", 0)
    packed_results = [a for p in paths for a in analyzer.analyze_file(p) if not isinstance(a, Failure)]
    assert all(isinstance(a.transcript.turns, TurnTable) for a in packed_results)
    assert [_fingerprint(a) for a in packed_results] == plain
    assert any(a.events for a in packed_results) and any(a.shifts for a in packed_results)


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "convokit", "html"])
@pytest.mark.parametrize("text", [True, False])
def test_every_output_format_is_the_same_from_a_table(monkeypatch, fmt, text):
    args = ["analyze", str(SAMPLES / "03_full_shift_recovery.txt"), str(SAMPLES / "01_no_shift.txt"),
            "-f", fmt, *([] if text else ["--no-text"])]
    if fmt == "html":
        args = [a for a in args if "01_no_shift" not in a]
    env = {"NO_COLOR": "1"}
    plain = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    monkeypatch.setattr(turntable, "TABLE_FROM", 0)
    packed = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert plain.exit_code == packed.exit_code and plain.exit_code in (0, 1)
    assert packed.output == plain.output and len(plain.output) > 200


# -- decode_lines: the lines of decode() and split_lines(), without the whole text as one string --

_PIECES = st.sampled_from([b"T: hi", b"C: caf\xc3\xa9", b"\r", b"\n", b"\xef\xbb\xbf", b"\xe2\x80\x99", b" ",
                           b"\xe9", b"\xe2\x80", b"\x00", b"", b"\xff\xfe", b"x" * 3, b"\t"])


def _outcome(call):
    try:
        return call()
    except TranscriptError as exc:
        return ("error", exc.line, str(exc))


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.sampled_from([None, "utf-8", "cp1252", "latin-1"]))
def test_decode_lines_is_decode_then_split_lines(pieces, encoding):
    data = b"".join(pieces)
    assert _outcome(lambda: decode_lines(data, "f.txt", encoding)) == \
        _outcome(lambda: split_lines(decode(data, "f.txt", encoding)))


def test_decode_lines_names_the_line_and_column_of_a_bad_byte():
    data = "T: one\r\nC: caf\u00e9 ok\n".encode() + b"T: bad \xe9 here\n"
    with pytest.raises(TranscriptError) as info:
        decode_lines(data, "f.txt")
    assert info.value.line == 3 and "byte 0xe9 at column 8" in str(info.value)
    assert decode_lines("\ufeffT: a\r\nC: b\n".encode("utf-16"), "f.txt") == ["T: a", "C: b"]


def test_a_long_native_file_is_read_into_a_table(tmp_path: Path, analyzer, monkeypatch):
    monkeypatch.setattr(turntable, "TABLE_FROM", 50)
    path = tmp_path / "long.txt"
    path.write_text("".join(f"T: How are you, week {i}?\nC: I\u2019m fine, thank you.\n" for i in range(30)))
    [t] = analyzer.read_file(path)
    assert isinstance(t.turns, TurnTable) and len(t.turns) == 60
    assert t.turns[-1].text == "I\u2019m fine, thank you." and t.turns[-1].line == 60


# -- one long session's detection shared by forked workers --------------------------------------
# A session is split only in a process's only thread (fork copies no other): these run in a fresh
# interpreter of their own, since other tests leave threads alive in this one (Dask, timers).

SPLIT_CHECKS = r"""
import multiprocessing, re, sys, threading
from pathlib import Path
from click.testing import CliRunner
import focusshift.pipeline.detect as detect
import focusshift.pipeline.split as split
from focusshift.api import Analyzer
from focusshift.cli import cli
from focusshift.failure import Failure

samples, train, tmp = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
inputs = [*sorted(samples.glob("*.txt")), *sorted(train.rglob("*.txt"))[:40]]
analyzer = Analyzer()

def fingerprint(a):
    return (a.events, a.segments, a.shifts, a.score, a.time, a.assessable, a.reason)

assert threading.active_count() == 1
alone = [fingerprint(a) for p in inputs for a in analyzer.analyze_file(p)]
split.SPLIT_FROM = 10
calls = []
real = split.shared_map
def counted(work, size, workers, shared, phase):
    calls.append(phase)
    return real(work, size, workers, shared, phase)
split.shared_map = counted
shared = [fingerprint(a) for p in inputs for a in analyzer.analyze_file(p, workers=2)]
long = len(inputs) - 2  # all but sessions of fewer than 10 turns
assert calls.count("detect") >= long and calls.count("model") >= long, calls
assert shared == alone and sum(len(f[0]) for f in alone) > 50
assert sum(e.detector == "model" for f in alone for e in f[0]) > 5
assert split.can_split(2, 10) and not split.can_split(1, 10) and not split.can_split(2, 9)
print("same events", len(calls))

# the CLI shares one long file between its jobs, and prints the same
path = tmp / "long.txt"
path.write_text("\n".join(p.read_text("utf-8") for p in sorted(samples.glob("0[1-4]*.txt"))))
args = ["analyze", str(path), "-f", "jsonl"]
split.SPLIT_FROM = 10 ** 9
one = CliRunner().invoke(cli, [*args, "--jobs", "1"], catch_exceptions=False)
split.SPLIT_FROM = 10
calls.clear()
two = CliRunner().invoke(cli, [*args, "--jobs", "2"], catch_exceptions=False)
assert calls == ["detect", "model"] and two.exit_code == one.exit_code and two.output == one.output
assert len(one.output) > 500
print("cli same output")

# a split session over its time budget fails, and no worker is left
slow = re.compile(r"(a|a)*$")
def stall(*args, **kwargs):
    slow.match("a" * 40 + "b")  # minutes of backtracking, in the workers (forks of this process)
    return []
detect._run = stall
[result] = Analyzer(timeout=1).analyze_file(samples / "03_full_shift_recovery.txt", workers=2)
assert isinstance(result, Failure) and "took longer than 1 s" in result.message, result
assert multiprocessing.active_children() == [] and split._STATE is None
print("timeout stops the workers")
"""


def test_a_long_sessions_detection_shared_by_forked_workers(tmp_path: Path):
    """Same events and the same CLI output with a session's first pass split; a stall stops the workers."""
    import subprocess
    import sys

    script = tmp_path / "split_checks.py"
    script.write_text(SPLIT_CHECKS)
    done = subprocess.run([sys.executable, str(script), str(SAMPLES), str(DATA / "corpus" / "train"), str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[1:] == ["cli same output", "timeout stops the workers", ""]


def test_a_session_is_not_split_off_the_main_thread_or_when_short():
    import threading

    from focusshift.pipeline.split import SPLIT_FROM, can_split

    out: list[bool] = []
    worker = threading.Thread(target=lambda: out.append(can_split(2, SPLIT_FROM)))
    worker.start()
    worker.join()
    assert out == [False]
    assert not can_split(2, SPLIT_FROM - 1) and not can_split(1, 10 * SPLIT_FROM)


def test_parts_are_done_in_process_when_no_worker_can_be_started(monkeypatch):
    import multiprocessing

    import focusshift.pipeline.split as split

    class NoProcesses:
        def Pool(self, *args, **kwargs):  # noqa: N802 - multiprocessing's name
            raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoProcesses())
    seen = list(split.shared_map(lambda b: (b, split.state()), 10, 2, "shared", "detect"))
    assert [b for b, _ in seen] == [(0, 1), (1, 2), (2, 3), (3, 5), (5, 6), (6, 7), (7, 8), (8, 10)]
    assert {s for _, s in seen} == {"shared"} and split.state() is None


def test_memory_is_given_back_after_a_long_session_is_read_and_never_fails(monkeypatch, analyzer):
    import ctypes

    import focusshift.api as api

    calls: list[int] = []
    monkeypatch.setattr(api, "give_back_memory", lambda: calls.append(1))
    analyzer.analyze_file(SAMPLES / "03_full_shift_recovery.txt")
    assert calls == []  # a tuple session: nothing to give back
    monkeypatch.setattr(turntable, "TABLE_FROM", 0)
    analyzer.analyze_file(SAMPLES / "03_full_shift_recovery.txt")
    assert calls == [1]

    turntable.give_back_memory()  # glibc here, or nothing: never an error

    class NoTrim:
        pass

    for broken in (lambda name: NoTrim(), lambda name: (_ for _ in ()).throw(TypeError("no None on Windows")),
                   lambda name: (_ for _ in ()).throw(OSError("no libc"))):
        monkeypatch.setattr(ctypes, "CDLL", broken)
        turntable.give_back_memory()
