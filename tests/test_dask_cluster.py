"""A real Dask cluster (worker processes, two threads each) gives exactly the results of --jobs 1.

The cluster is a dask.distributed.LocalCluster with processes=True: the
workers are separate processes that import focusshift and build their own
pipeline, as on a cluster of machines; the files' bytes travel with the tasks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from focusshift import batch
from focusshift.api import Analyzer, Failure
from focusshift.render.data import analysis_to_dict

from .conftest import DATA, ROOT, SAMPLES

distributed = pytest.importorskip("dask.distributed")

pytestmark = pytest.mark.slow

BROKEN = "40_broken.txt"
STDIN = (SAMPLES / "03_full_shift_recovery.txt").read_bytes()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Real transcripts of several formats (one CSV holds two sessions) and one file that is not UTF-8."""
    folder = tmp_path_factory.mktemp("dask-corpus")
    for src in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(src, folder / f"10_{src.name}")
    for src in sorted((DATA / "devset" / "dev").glob("*.txt")):
        shutil.copy(src, folder / f"20_{src.name}")
    formats = DATA / "formats"
    for src in (formats / "table" / "sessions.csv", formats / "vtt" / "zoom.vtt", formats / "chat" / "therapy_session.cha"):
        shutil.copy(src, folder / f"30_{src.name}")
    (folder / BROKEN).write_bytes(b"T: How are you?\nC: caf\xe9 again\n")
    return folder


@pytest.fixture(scope="module")
def cluster():
    start = time.monotonic()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as c:
        assert time.monotonic() - start < 60
        yield c


def outcome(stream):
    """Everything a run tells, in its order: each file's path and each session's dict, events and exact scores."""
    out = []
    for path, results in stream:
        for r in results:
            if isinstance(r, Failure):
                out.append((path, "failure", r.path, r.line, r.message))
            else:
                out.append((path, analysis_to_dict(r),
                            [(e.line, e.span, e.category, e.subtype, e.rule, e.anchor_line, e.confidence)
                             for e in r.events],
                            [s.score for s in r.segments], r.score))
    return out


def test_batch_run_on_dask_equals_jobs_1(corpus, cluster, monkeypatch):
    analyzer = Analyzer()
    paths = [corpus, corpus / "missing.txt", "-"]  # a file that is not there fails in the parent
    local = outcome(batch.run(paths, analyzer, jobs=1, stdin=STDIN))
    monkeypatch.setattr(batch, "CHUNK_MIN_BYTES", 4096)  # many chunks, some of one file
    start = time.monotonic()
    on_dask = outcome(batch.run(paths, analyzer, executor="dask", scheduler=cluster.scheduler_address, stdin=STDIN))
    took = time.monotonic() - start
    assert on_dask == local
    names = [row[0] for row in local]
    assert names[-1] == "-" and any(n.endswith(BROKEN) for n in names)
    assert on_dask[-2] == (str(corpus / "missing.txt"), "failure", str(corpus / "missing.txt"), None, "no such file")
    assert sum(1 for n in names if n.endswith("sessions.csv")) == 2
    broken = [row for row in on_dask if row[0].endswith(BROKEN)]
    assert broken == [(str(corpus / BROKEN), "failure", str(corpus / BROKEN), 2,
                       "invalid UTF-8 (byte 0xe9 at column 7); save the file as UTF-8, or name its encoding "
                       "with --encoding (e.g. --encoding cp1252)")]
    assert took < 60
    # Each worker process built one analyzer for these options, whatever its threads did.
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        built = client.run(lambda: sorted(batch._DASK_ANALYZERS))
    assert len(built) == 2 and all(keys in ([], [analyzer.options.key()]) for keys in built.values())
    assert any(built.values())


def test_cli_on_dask_equals_jobs_1(corpus, cluster):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "focusshift", "analyze", str(corpus), "-f", "jsonl", *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    local = cli("--jobs", "1")
    start = time.monotonic()
    on_dask = cli("--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert time.monotonic() - start < 60
    assert (on_dask.returncode, local.returncode) == (2, 2), on_dask.stderr  # 2: a file could not be read
    assert on_dask.stdout == local.stdout
    docs = [json.loads(line) for line in on_dask.stdout.splitlines()]
    assert len(docs) == len(list(corpus.iterdir())) + 1  # the CSV holds two sessions
    assert [d["path"] for d in docs] == sorted(d["path"] for d in docs)
    assert any(d["events"] for d in docs) and any(d["errors"] for d in docs)
    assert f"{BROKEN}:2: invalid UTF-8" in on_dask.stderr
    assert on_dask.stderr == local.stderr
