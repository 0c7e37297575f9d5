"""Speed and memory of focusshift, measured side by side in one run.

    python benchmarks/bench.py                      # the AnnoMI corpus in ../shared/corpora
    python benchmarks/bench.py --corpus DIR         # any folder of transcripts
    python benchmarks/bench.py --quick              # fewer files, for a smoke run

Prints:
  (a) words/s of a spaCy blank-English tokenizer-only pass over the same turn
      texts (the baseline);
  (b) words/s of focusshift's in-process analysis (detection + scoring of the
      parsed transcripts);
  (c) words/s of the CLI end to end with --jobs 1 and --jobs 2 on N files;
  the ratios b/a and jobs2/jobs1, the time of `focusshift --help` and
  `--version`, and the peak RSS of the CLI (--jobs 1) on 20 and on 2,000 files.
Targets (on a 2-core machine): b/a >= 0.6; jobs2/jobs1 >= 1.7 on 500 files;
--help and --version <= 0.15 s; RSS(2,000) - RSS(20) <= 50 MB.
Only the standard library, spaCy and focusshift are used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "annomi" / "txt"


def build_corpus(source: Path, n: int, into: Path) -> list[Path]:
    """n files made by cycling through the source transcripts (copies with new names)."""
    files = sorted(p for p in source.iterdir() if p.suffix == ".txt")
    if not files:
        sys.exit(f"no .txt transcripts in {source}")
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = files[i % len(files)]
        dst = into / f"{i:05d}_{src.name}"
        shutil.copyfile(src, dst)
        out.append(dst)
    return out


def run_cli(args: list[str], env: dict | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB of the process and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "focusshift", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or os.environ.copy(),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"focusshift {' '.join(args)} failed with {status}")
    return wall, usage.ru_maxrss // 1024


def median_time(args: list[str], runs: int = 5) -> float:
    return statistics.median(run_cli(args)[0] for _ in range(runs))


def in_process(files: list[Path]) -> tuple[dict[str, int], float, float]:
    """(words per file, tokenizer words/s, analysis words/s), each the best of 3 passes."""
    import spacy

    from focusshift.api import Analyzer

    analyzer = Analyzer()
    analyzer.nlp  # build the pipeline before timing
    transcripts = [t for f in files for t in analyzer.read_all(f)]
    texts = [turn.text for t in transcripts for turn in t.turns]
    per_file = {Path(t.path).name: sum(turn.words for turn in t.turns) for t in transcripts}
    words = sum(per_file.values())
    tokenizer = spacy.blank("en").tokenizer
    best_a = best_b = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _doc in tokenizer.pipe(texts, batch_size=256):
            pass
        best_a = min(best_a, time.perf_counter() - start)
        start = time.perf_counter()
        for t in transcripts:
            analyzer.analyze_transcript(t)
        best_b = min(best_b, time.perf_counter() - start)
    return per_file, words / best_a, words / best_b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of .txt transcripts")
    ap.add_argument("--files", type=int, default=500, help="files for the --jobs comparison (default 500)")
    ap.add_argument("--memory-files", type=int, default=2000, help="files for the memory run (default 2000)")
    ap.add_argument("--quick", action="store_true", help="100 files and a 400-file memory run")
    args = ap.parse_args()
    if args.quick:
        args.files, args.memory_files = 100, 400
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder not found: {args.corpus} (give --corpus DIR)")

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; corpus {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="focusshift-bench-") as tmp:
        tmpdir = Path(tmp)
        source = sorted(p for p in args.corpus.iterdir() if p.suffix == ".txt")
        per_file, tok_rate, ana_rate = in_process(source)
        words = sum(per_file.values())
        print(f"\n(a) tokenizer-only pass:     {tok_rate:12,.0f} words/s   ({words:,} words, {len(source)} files)")
        print(f"(b) in-process analysis:     {ana_rate:12,.0f} words/s")
        ratio = ana_rate / tok_rate
        print(f"    ratio b/a:               {ratio:12.2f}   (target >= 0.60: {'met' if ratio >= 0.6 else 'NOT met'})")

        files = build_corpus(args.corpus, args.files, tmpdir / "jobs")
        corpus_words = sum(per_file[f.name.split("_", 1)[1]] for f in files)
        out = ["analyze", str(tmpdir / "jobs"), "-f", "jsonl", "-o", str(tmpdir / "out.jsonl"), "-q"]
        t1 = min(run_cli(out + ["--jobs", "1"])[0] for _ in range(2))
        t2 = min(run_cli(out + ["--jobs", "2"])[0] for _ in range(2))
        print(f"\n(c) CLI end to end, {args.files} files (~{corpus_words:,.0f} words), best of 2:")
        print(f"    --jobs 1: {t1:7.2f} s  {corpus_words / t1:10,.0f} words/s")
        print(f"    --jobs 2: {t2:7.2f} s  {corpus_words / t2:10,.0f} words/s")
        speedup = t1 / t2
        print(f"    speed-up jobs2/jobs1:    {speedup:12.2f}   (target >= 1.70: {'met' if speedup >= 1.7 else 'NOT met'})")

        h = median_time(["--help"])
        v = median_time(["--version"])
        print(f"\nstart-up (median of 5): --help {h:.3f} s, --version {v:.3f} s   (target <= 0.15 s: "
              f"{'met' if max(h, v) <= 0.15 else 'NOT met'})")

        small = build_corpus(args.corpus, 20, tmpdir / "m20")
        big = build_corpus(args.corpus, args.memory_files, tmpdir / "mbig")
        _, rss_small = run_cli(["analyze", str(tmpdir / "m20"), "-f", "jsonl", "-o", os.devnull, "-q", "--jobs", "1"])
        _, rss_big = run_cli(["analyze", str(tmpdir / "mbig"), "-f", "jsonl", "-o", os.devnull, "-q", "--jobs", "1"])
        grow = rss_big - rss_small
        print(f"\npeak RSS, --jobs 1: {len(small)} files {rss_small} MB; {len(big)} files {rss_big} MB; "
              f"growth {grow} MB   (target <= 50 MB: {'met' if grow <= 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
