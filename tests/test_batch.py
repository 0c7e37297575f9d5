"""Batch runs: parallel order, per-file failures, interruption, the Dask path, the prefilter."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

from pathlib import Path

import pytest
from click.testing import CliRunner

from focusshift import batch
from focusshift.api import Analyzer, Failure, analyze_paths
from focusshift.cli import cli
from focusshift.render.data import analysis_to_dict

from .conftest import CORPUS, DATA, ROOT, SAMPLES, on_terminal

DEV = DATA / "devset" / "dev"


@pytest.fixture
def no_small_batches(monkeypatch):
    """Force the process pool even for a handful of small files."""
    monkeypatch.setattr(batch, "SMALL_BATCH_BYTES", 0)


def dicts(stream):
    out = []
    for _path, results in stream:
        for r in results:
            out.append(("failure", r.path, r.message) if isinstance(r, Failure) else analysis_to_dict(r))
    return out


@pytest.mark.slow
def test_parallel_results_equal_in_process_in_order(no_small_batches, analyzer):
    files = sorted(str(p) for p in DEV.glob("*.txt"))[:12]
    local = dicts(batch.run(files, analyzer, jobs=1))
    parallel = dicts(batch.run(files, analyzer, jobs=2))
    assert [d["path"] for d in parallel] == files
    assert parallel == local


@pytest.mark.slow
def test_per_file_failure_in_parallel(no_small_batches, tmp_path):
    for i, name in enumerate(sorted(SAMPLES.glob("*.txt"))[:4]):
        shutil.copy(name, tmp_path / f"{i}_{name.name}")
    (tmp_path / "1b_broken.txt").write_bytes(b"T: caf\xe9\n")
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "-f", "jsonl", "--jobs", "2"])
    assert r.exit_code == 2
    docs = [json.loads(x) for x in r.stdout.splitlines()]
    names = [os.path.basename(d["path"]) for d in docs]
    assert names == sorted(names) and "1b_broken.txt" in names and len(docs) == 5
    broken = docs[names.index("1b_broken.txt")]
    assert broken["errors"] == [{"line": 1, "message": "invalid UTF-8 (byte 0xe9 at column 7); save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)"}]
    assert all(d["errors"] == [] for d in docs if d is not broken)
    assert "1b_broken.txt:1: invalid UTF-8" in r.stderr


def test_parallel_chunks_keep_order_stdin_failures_and_timeouts(no_small_batches, monkeypatch, tmp_path):
    """Many small chunks on two workers: the same results as in process, in order, stdin and per-file
    failures in their places, and a file that stalls a worker stopped by its own time budget."""
    import re
    import threading

    if threading.active_count() != 1:
        pytest.skip("another thread is alive: the pool would spawn, and the workers not see the patch")
    from focusshift.formats import native

    real_read = native.read_native_lines
    slow = re.compile(r"(a|a)*$")

    def read_native_lines(lines, path, options=None):
        if any("STALL" in line for line in lines):
            slow.match("a" * 40 + "b")  # minutes of backtracking, unless the time budget interrupts it
        return real_read(lines, path, options)

    monkeypatch.setattr(native, "read_native_lines", read_native_lines)
    monkeypatch.setattr("focusshift.formats.read_native_lines", read_native_lines)
    monkeypatch.setattr(batch, "CHUNK_MIN_BYTES", 2048)
    for src in sorted(DEV.glob("*.txt"))[:20]:
        shutil.copy(src, tmp_path / src.name)
    (tmp_path / "d05_broken.txt").write_bytes(b"T: caf\xe9\n")
    (tmp_path / "d07_stalls.txt").write_text("T: STALL\nC: ok\n")
    stdin = (SAMPLES / "03_full_shift_recovery.txt").read_bytes()
    paths = [tmp_path, "-", tmp_path / "missing.txt"]
    analyzer = Analyzer(timeout=1)
    started = time.perf_counter()
    parallel = dicts(batch.run(paths, analyzer, jobs=2, stdin=stdin))
    took = time.perf_counter() - started
    local = dicts(batch.run(paths, analyzer, jobs=1, stdin=stdin))
    assert parallel == local
    assert took < 30
    names = [os.path.basename(d[1] if isinstance(d, tuple) else d["path"]) for d in parallel]
    assert names[-2:] == ["-", "missing.txt"] and names[:-2] == sorted(names[:-2])
    stalled = [d for d in parallel if isinstance(d, tuple) and d[1].endswith("d07_stalls.txt")]
    assert stalled and "took longer than 1 s" in stalled[0][2]


def test_analyze_paths_is_lazy(tmp_path, analyzer):
    (tmp_path / "a.txt").write_text("T: hi\nC: hello\n")
    gen = analyze_paths([tmp_path / "a.txt", tmp_path / "missing.txt"], analyzer)
    first = next(gen)
    assert first.transcript.path.endswith("a.txt")
    second = next(gen)
    assert isinstance(second, Failure) and second.message == "no such file"


def test_table_ends_with_corpus_summary(monkeypatch):
    monkeypatch.chdir(ROOT)  # short relative paths: the table is 80 columns wide off a terminal
    r = CliRunner().invoke(cli, ["analyze", "sample_transcripts", "--jobs", "1"])
    assert "corpus summary" in r.stdout
    assert "lowest-scoring sessions" in r.stdout and "events by subtype" in r.stdout
    assert "03_full_shift_recovery.txt" in r.stdout.split("corpus summary")[1]
    one = CliRunner().invoke(cli, ["analyze", "sample_transcripts/01_no_shift.txt"])
    assert "corpus summary" not in one.stdout


def test_no_progress_bar_when_not_a_terminal(tmp_path):
    r = CliRunner().invoke(cli, ["analyze", str(SAMPLES), "-f", "jsonl"])
    assert "analyzing" not in r.stderr and "files" not in r.stderr


@pytest.mark.slow
def test_progress_bar_on_a_terminal():
    """Under a pseudo-terminal the bar appears on stderr; stdout stays results only."""
    seen = on_terminal(["analyze", str(SAMPLES), "-f", "jsonl", "-j", "1", "-o", "/dev/null"])
    assert b"analyzing" in seen and b"files" in seen


def _big_folder(tmp_path, copies):
    for i in range(copies):
        for src in sorted(DEV.glob("*.txt")):
            shutil.copy(src, tmp_path / f"{i:03d}_{src.name}")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize(("jobs", "sig", "code"), [
    ("1", signal.SIGINT, 130), ("2", signal.SIGINT, 130), ("1", signal.SIGTERM, 143), ("2", signal.SIGTERM, 143),
])
def test_ctrl_c_and_sigterm_stop_promptly_and_leave_no_output(tmp_path, jobs, sig, code):
    src = tmp_path / "in"
    src.mkdir()
    _big_folder(src, 60)  # 60 x 82 files: far longer than the test waits
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "FOCUSSHIFT_JOBS": jobs}
    proc = subprocess.Popen(
        [sys.executable, "-m", "focusshift", "analyze", str(src), "-f", "jsonl", "-o", str(out), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )
    time.sleep(6)
    assert proc.poll() is None, proc.stderr.read()
    start = time.time()
    children = _children(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert time.time() - start < 10
    assert b"Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".out.jsonl.*"))
    time.sleep(0.5)
    assert [c for c in children if Path(f"/proc/{c}").exists()] == []  # no worker left behind


def _children(pid: int) -> list[int]:
    """Child process ids (Linux /proc; empty elsewhere)."""
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_results(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    files = sorted(SAMPLES.glob("*.txt"))[:4]
    for f in files:
        shutil.copy(f, tmp_path / f.name)
    local = CliRunner().invoke(cli, ["analyze", str(tmp_path), "-f", "jsonl", "-j", "1"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        r = CliRunner().invoke(
            cli, ["analyze", str(tmp_path), "-f", "jsonl", "--executor", "dask", "--scheduler", cluster.scheduler_address]
        )
    assert r.exit_code == 0, r.output
    assert r.stdout == local.stdout
    assert len(r.stdout.splitlines()) == 4


def test_threads_of_one_dask_worker_never_share_the_pipeline_at_once(monkeypatch, analyzer):
    """A Dask worker runs tasks on several threads: one analyzer per process and options, used by one at a time."""
    import threading

    files = sorted(DEV.glob("*.txt"))[:8]
    items = [(str(f), f.read_bytes()) for f in files]
    expected = [[analysis_to_dict(r) for r in rs] for rs in batch._dask_chunk(analyzer.options, items)]
    inside, most = 0, 0
    count = threading.Lock()
    real = batch.analyze_one

    def watched(*args, **kwargs):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.002)  # give another thread every chance to come in
            return real(*args, **kwargs)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(batch, "analyze_one", watched)
    monkeypatch.setattr(batch, "_DASK_ANALYZERS", {})
    got: list = [None] * 4

    def task(i: int) -> None:
        got[i] = [[analysis_to_dict(r) for r in rs] for rs in batch._dask_chunk(analyzer.options, items)]

    threads = [threading.Thread(target=task, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert most == 1
    assert got == [expected] * 4
    assert list(batch._DASK_ANALYZERS) == [analyzer.options.key()]  # built once, by whichever thread came first


def test_chunks_are_consecutive_sized_by_bytes_and_smaller_at_the_end():
    files = [f"f{i}" for i in range(400)]
    sizes = [8000] * 400
    got = list(batch.chunks(files, sizes, 2))
    assert [f for c in got for f in c] == files  # input order, each file once
    weights = [sum(8000 for _ in c) for c in got]
    assert weights[0] <= batch.CHUNK_MAX_BYTES + 8000 and weights[-1] <= batch.CHUNK_MIN_BYTES + 8000
    top = weights.index(max(weights))
    assert weights[:top + 1] == sorted(weights[:top + 1])  # small first chunks: the first results come soon
    assert weights[top:] == sorted(weights[top:], reverse=True)  # then smaller and smaller: no idle tail
    assert weights[0] <= 2 * batch.CHUNK_MIN_BYTES
    assert len(got) < len(files) / 8  # not one task per file
    with_stdin = list(batch.chunks(["a", "-", "b"], [10, 5, 10], 2))
    assert with_stdin == [["a"], ["-"], ["b"]]  # stdin alone: the parent reads it
    big = list(batch.chunks(["a", "b", "c"], [5_000_000, 10, 10], 2))
    assert big[0] == ["a"]


def test_dask_needs_a_scheduler():
    r = CliRunner().invoke(cli, ["analyze", str(SAMPLES), "--executor", "dask"])
    assert r.exit_code == 2 and "--scheduler" in r.output


def _events(analyzer, paths):
    out = []
    for r in analyze_paths(paths, analyzer, skip=[p / "gold.json" for p in paths if p.is_dir()]):
        assert not isinstance(r, Failure)
        out.append((r.transcript.path, [(e.line, e.span, e.category, e.subtype, e.rule, e.anchor_line) for e in r.events],
                    [round(s.score, 9) for s in r.segments]))
    return out


@pytest.mark.slow
def test_prefilter_changes_nothing_on_the_dev_set(analyzer):
    paths = [DEV, DATA / "devset" / "heldout", SAMPLES]
    assert _events(analyzer, paths) == _events(Analyzer(prefilter=False), paths)


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "txt").is_dir(), reason="../shared/corpora/annomi is not here")
def test_prefilter_changes_nothing_on_the_real_corpus(analyzer):
    paths = [CORPUS / "txt"]
    assert _events(analyzer, paths) == _events(Analyzer(prefilter=False), paths)


def test_a_serial_batch_keeps_the_loaded_pipeline_out_of_garbage_collection_while_it_runs(analyzer):
    import gc

    files = sorted(str(p) for p in SAMPLES.glob("*.txt"))[:3]
    during = [gc.get_freeze_count() for _path, _results in batch.run(files, analyzer, jobs=1)]
    assert all(n > 0 for n in during) and gc.get_freeze_count() == 0  # frozen while running, not after
    one = [gc.get_freeze_count() for _path, _results in batch.run(files[:1], analyzer, jobs=1)]
    assert one == [0]  # a single file: nothing to gain
