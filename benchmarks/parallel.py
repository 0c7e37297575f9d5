"""Parallel speed-up of `focusshift analyze`, measured side by side in one run.

    python benchmarks/parallel.py                  # 1,064 files: AnnoMI's 133 transcripts copied 8 times
    python benchmarks/parallel.py --quick          # 266 files (2 copies), 1 repeat: a smoke run
    python benchmarks/parallel.py --repeat 3 --no-dask
    python benchmarks/parallel.py --big            # also one file holding all the text, --jobs 1 and 2
    python benchmarks/parallel.py --wait-idle 120  # on a shared machine: start each run when it is quiet

Prints one table:
  --jobs 1 and --jobs 2: wall time, CPU time of the whole run (the CLI and
  the workers it waited for, from os.wait4) and of the parent process alone,
  per repeat (in the order 1 2, 2 1, 1 2, so that a machine whose speed
  drifts hurts both alike), the speed-up (median wall of --jobs 1 / median
  wall of --jobs 2), and the best speed-up the serial start-up allows;
  1 and 2 Dask workers on a LocalCluster (worker processes, one thread each):
  wall time of the CLI with --executor dask, the first run on fresh workers
  (each builds its pipeline) and a second run on the same workers (warm, as on
  a long-lived cluster), the workers' CPU time, and the speed-up.
On a shared machine the wall times say little unless the machine was quiet:
each run shows the CPU seconds other processes took meanwhile ("others",
from /proc/stat on Linux), and --wait-idle waits for a quiet moment before
each run.

Only public tools: subprocess, time, resource and dask.distributed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpora" / "annomi" / "txt"

# Runs the CLI as `python -m focusshift` does, and writes the parent's own CPU time on exit.
_WRAPPER = (
    "import atexit, os, resource, sys\n"
    "def _cpu():\n"
    "    u = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    with open(os.environ['PARALLEL_BENCH_CPU'], 'w') as fh:\n"
    "        fh.write(repr(u.ru_utime + u.ru_stime))\n"
    "atexit.register(_cpu)\n"
    "from focusshift.cli import main\n"
    "sys.argv = ['focusshift', *sys.argv[1:]]\n"
    "main()\n"
)


def build_corpus(source: Path, copies: int, into: Path) -> list[Path]:
    """Every .txt transcript of `source`, copied `copies` times under distinct names."""
    files = sorted(p for p in source.iterdir() if p.suffix == ".txt")
    if not files:
        sys.exit(f"no .txt transcripts in {source}")
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(copies):
        for src in files:
            dst = into / f"{i}_{src.name}"
            shutil.copyfile(src, dst)
            out.append(dst)
    return out


def build_big(files: list[Path], into: Path) -> Path:
    """One transcript of all the files' text; only the first file's '@' header lines are kept."""
    into.mkdir(parents=True, exist_ok=True)
    big = into / "all.txt"
    with big.open("w", encoding="utf-8") as out:
        for i, f in enumerate(files):
            lines = f.read_text(encoding="utf-8").splitlines()
            if i:
                lines = [ln for ln in lines if not ln.startswith("@")]
            out.write("\n".join(lines) + "\n")
    return big


def cpu_ticks() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far (Linux /proc/stat), or None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields) - idle) / hz, sum(fields) / hz


def machine_busy(seconds: float = 2.0) -> float | None:
    """Share of all cores busy over the next `seconds` (0..1), or None where /proc/stat is missing."""
    a = cpu_ticks()
    time.sleep(seconds)
    b = cpu_ticks()
    if a is None or b is None or b[1] == a[1]:
        return None
    return (b[0] - a[0]) / (b[1] - a[1])


def wait_idle(limit: float, patience: float) -> None:
    """On a shared machine: wait (up to `patience` s) until other processes use under `limit` of the cores."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        busy = machine_busy()
        if busy is None or busy < limit:
            return


WAIT = {"limit": 0.0, "patience": 0.0}  # set by --wait-idle


def run_cli(args: list[str], cwd: Path) -> dict:
    """Wall seconds, CPU seconds (the CLI and its workers) and the parent's own CPU seconds."""
    fd, cpu_file = tempfile.mkstemp(prefix="parallel-bench-", suffix=".cpu")
    os.close(fd)
    env = {**os.environ, "PARALLEL_BENCH_CPU": cpu_file}
    if WAIT["patience"]:
        wait_idle(WAIT["limit"], WAIT["patience"])
    ticks = cpu_ticks()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    after = cpu_ticks()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 2):
        sys.exit(f"focusshift {' '.join(args)} failed ({code}):\n{err.decode(errors='replace')[-2000:]}")
    try:
        parent = float(Path(cpu_file).read_text() or "nan")
    except (OSError, ValueError):
        parent = float("nan")
    finally:
        Path(cpu_file).unlink(missing_ok=True)
    cpu = usage.ru_utime + usage.ru_stime
    # CPU seconds that other processes took from the machine while this ran (a shared machine's noise)
    others = (after[0] - ticks[0]) - cpu if ticks and after else float("nan")
    return {"wall": wall, "cpu": cpu, "parent": parent, "others": max(0.0, others)}


def local_runs(folder: Path, repeat: int, cwd: Path) -> dict[int, list[dict]]:
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for i in range(repeat):
        # 1 2, 2 1, 1 2 ...: a machine that slows down or speeds up over the minutes hurts both alike
        for jobs in ((1, 2) if i % 2 == 0 else (2, 1)):
            runs[jobs].append(run_cli(["analyze", str(folder), "--format", "jsonl", "-q", "-o", os.devnull,
                                       "--jobs", str(jobs)], cwd))
    return runs


def start_up(source: Path, cwd: Path) -> float:
    """Wall seconds of `analyze` on one small file: start-up (imports, pipeline) and exit, the serial part."""
    one = min((p for p in source.iterdir() if p.suffix == ".txt"), key=lambda p: p.stat().st_size)
    return min(run_cli(["analyze", str(one), "--format", "jsonl", "-q", "-o", os.devnull, "--jobs", "1"],
                       cwd)["wall"] for _ in range(2))


def _worker_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def dask_runs(folder: Path, cwd: Path) -> dict[int, list[dict]] | None:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        return None
    runs: dict[int, list[dict]] = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          worker_dashboard_address=None) as cluster, \
                Client(cluster.scheduler_address) as client:
            runs[workers] = []
            for _ in ("cold", "warm"):
                before = sum(client.run(_worker_cpu).values())
                r = run_cli(["analyze", str(folder), "--format", "jsonl", "-q", "-o", os.devnull,
                             "--executor", "dask", "--scheduler", cluster.scheduler_address], cwd)
                r["workers_cpu"] = sum(client.run(_worker_cpu).values()) - before
                r["others"] = max(0.0, r["others"] - r["workers_cpu"])
                runs[workers].append(r)
    return runs


def fmt_runs(runs: list[dict], key: str) -> str:
    return " ".join(f"{r[key]:6.2f}" for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .txt transcripts to copy")
    ap.add_argument("--copies", type=int, help="copies of the corpus (default 8; 2 with --quick)")
    ap.add_argument("--repeat", type=int, help="runs of each --jobs setting (default 3; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="fewer files and one repeat")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster runs")
    ap.add_argument("--big", action="store_true", help="also time one file holding all the text with --jobs 1 and 2")
    ap.add_argument("--wait-idle", type=float, metavar="SECONDS", default=0.0,
                    help="on a shared machine: before each run, wait up to SECONDS for the other processes "
                         "to use under 10%% of the cores (Linux)")
    args = ap.parse_args()
    copies = args.copies or (2 if args.quick else 8)
    repeat = args.repeat or (1 if args.quick else 3)
    WAIT.update(limit=0.10, patience=args.wait_idle)

    with tempfile.TemporaryDirectory(prefix="focusshift-parallel-") as tmp:
        tmp_path = Path(tmp)
        folder = tmp_path / "corpus"
        files = build_corpus(args.corpus, copies, folder)
        mb = sum(f.stat().st_size for f in files) / 1e6
        print(f"{len(files)} files, {mb:.1f} MB ({copies} copies of {args.corpus.name}/); "
              f"{os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)

        runs = local_runs(folder, repeat, tmp_path)
        w = max(13, 7 * repeat)
        print("\nlocal pool: analyze DIR --format jsonl -o /dev/null; runs in the order --jobs 1 2, 2 1, 1 2 ...")
        print(f"{'':9s} {'wall s':>{w}s} {'CPU s':>{w}s} {'parent CPU s':>{w}s} {'others CPU s':>{w}s}")
        for jobs in (1, 2):
            rs = runs[jobs]
            print(f"--jobs {jobs:<2d} {fmt_runs(rs, 'wall'):>{w}s} {fmt_runs(rs, 'cpu'):>{w}s} "
                  f"{fmt_runs(rs, 'parent'):>{w}s} {fmt_runs(rs, 'others'):>{w}s}")
        w1 = [r["wall"] for r in runs[1]]
        w2 = [r["wall"] for r in runs[2]]
        print(f"speed-up (wall --jobs 1 / --jobs 2): median {statistics.median(w1) / statistics.median(w2):.2f}, "
              f"best {min(w1) / min(w2):.2f}, per pair " + " ".join(f"{a / b:.2f}" for a, b in zip(w1, w2)))
        c1 = statistics.median(r["cpu"] for r in runs[1])
        c2 = statistics.median(r["cpu"] for r in runs[2])
        p2 = statistics.median(r["parent"] for r in runs[2])
        print(f"CPU (medians): --jobs 1 {c1:.2f} s; --jobs 2 {c2:.2f} s = parent {p2:.2f} s (start-up included) "
              f"+ workers {c2 - p2:.2f} s")
        print("(others CPU s: what other processes used of the machine during the run; 0 is a quiet machine)")
        serial = start_up(args.corpus, tmp_path)
        one = statistics.median(w1)
        print(f"serial part: analyze on one small file takes {serial:.2f} s (start-up and exit); with the rest "
              f"split perfectly over 2 cores, --jobs 2 could at best be {one / (serial + (one - serial) / 2):.2f}x "
              f"faster than --jobs 1 here")

        if args.big:
            big = build_big(files, tmp_path / "big")
            runs = {j: run_cli(["analyze", str(big), "--format", "jsonl", "-q", "-o", os.devnull, "--jobs", str(j)],
                               tmp_path) for j in (1, 2)}
            print(f"\none file of {big.stat().st_size / 1e6:.1f} MB (all the text):")
            for j, r in runs.items():
                print(f"  --jobs {j}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, others {r['others']:.2f} s")
            print(f"  speed-up {runs[1]['wall'] / runs[2]['wall']:.2f} (a session of 20,000 turns or more has its "
                  "detection and classifier scoring shared by the workers)")

        if not args.no_dask:
            d = dask_runs(folder, tmp_path)
            if d is None:
                print("\ndask: not installed (pip install 'focusshift[dask]'); skipped")
            else:
                print("\nDask LocalCluster (worker processes, 1 thread each), CLI --executor dask; "
                      "the cluster's start is not timed")
                print(f"{'':9s} {'wall cold':>9s} {'wall warm':>9s} {'CLI CPU':>8s} {'workers CPU':>11s} "
                      f"{'others CPU':>10s}")
                for n in (1, 2):
                    cold, warm = d[n]
                    print(f"{n} worker{'s' if n > 1 else ' '} {cold['wall']:9.2f} {warm['wall']:9.2f} "
                          f"{warm['cpu']:8.2f} {warm['workers_cpu']:11.2f} {cold['others']:4.2f} {warm['others']:5.2f}")
                print(f"speed-up 2 workers / 1 (wall): cold {d[1][0]['wall'] / d[2][0]['wall']:.2f}, "
                      f"warm {d[1][1]['wall'] / d[2][1]['wall']:.2f}")
                print("(cold: the workers build their pipeline on their first task; warm: a second run "
                      "on the same workers)")


if __name__ == "__main__":
    main()
