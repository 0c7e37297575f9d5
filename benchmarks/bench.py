"""Speed and memory of focusshift against its anchors, measured side by side in one run.

    python benchmarks/bench.py                  # AnnoMI (../shared/corpora) copied 8 times: ~1.3M words
    python benchmarks/bench.py --corpus DIR     # any folder of .txt transcripts
    python benchmarks/bench.py --quick          # 2 copies, no 5M-word file, one pair: a smoke run
    python benchmarks/bench.py --pairs 5        # each ratio from 5 pairs measured in turn (default 3)

Every figure is a ratio to an anchor measured in the same run, as CPU time
(robust on a shared machine) unless it says wall. The anchor and the command
run in turn, in children of their own, and each ratio is the median of
several such pairs: this machine's speed drifts by up to 40 % within minutes.

  tokenizer   spaCy's blank English tokenizer alone over the corpus lines (the anchor)
  jobs1       `focusshift analyze DIR -f jsonl --jobs 1`, whole process: anchor CPU / its CPU
  jobs2       wall-time speed-up of --jobs 2 over --jobs 1
  one file    the same words as ONE transcript: its CPU / the folder's, its peak RSS / the folder's,
              and the wall-time speed-up of --jobs 2 over --jobs 1 on it
  5M words    a transcript of >= 5M words: CPU per word / the folder's, and its peak RSS
  --help      wall time, median of 5
  start-up    `analyze` on one small file, CPU / `python -c "import spacy; spacy.blank('en')"`
  phases      in-process shares of reading, rule detection, the classifier, scoring and output
  --curve     CPU per word and peak RSS of one transcript of 1, 2, 4, ... copies of the corpus

Targets (issue 14): jobs1 >= 0.8; jobs2 >= 1.8; one file <= 1.3x CPU, <= 1.3x RSS and <= 400 MB;
--help <= 0.1 s; start-up <= 1.2. Only the standard library, spaCy and focusshift are used.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpora" / "annomi" / "txt"
FOCUSSHIFT = [sys.executable, "-m", "focusshift"]
# Runs a command in a child and prints the child's CPU seconds and peak RSS (KB) on stderr's last line.
_MEASURE = (
    "import resource, subprocess, sys; "
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(r.ru_utime + r.ru_stime, r.ru_maxrss, p.returncode, file=sys.stderr)"
)


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one command, in a fresh child."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    cpu, rss, code = p.stderr.strip().splitlines()[-1].split()
    if code != "0":
        print(f"  warning: {' '.join(cmd[:4])} ... exited {code}", file=sys.stderr)
    return wall, float(cpu), float(rss) / 1024


def build(source: Path, copies: int, into: Path) -> tuple[list[Path], int]:
    """The corpus copied `copies` times (parallel.py's builder), and its word count."""
    from parallel import build_corpus  # benchmarks/ is on the path when a script there runs

    out = build_corpus(source, copies, into)
    return out, sum(len(p.read_text("utf-8").split()) for p in out)


def one_file(files: list[Path], target: Path, repeat: int = 1) -> Path:
    """All the files' turns as one transcript (the first file's header only)."""
    with target.open("w", encoding="utf-8") as out:
        for r in range(repeat):
            for k, f in enumerate(files):
                lines = f.read_text("utf-8").splitlines()
                keep = lines if (k == 0 and r == 0) else [ln for ln in lines if not ln.startswith("@")]
                out.write("\n".join(keep) + "\n")
    return target


# The anchor, in a child of its own like the command it is compared with: spaCy's blank English
# tokenizer over every line's text (after a "Label:"), CPU seconds of the tokenizing alone.
_ANCHOR = (
    "import sys, time, spacy; nlp = spacy.blank('en'); "
    "lines = [ln.split(':', 1)[-1] for f in sys.argv[1:] for ln in open(f, encoding='utf-8').read().splitlines()]; "
    "c0 = time.process_time(); sum(len(d) for d in nlp.tokenizer.pipe(lines, batch_size=1000)); "
    "print(time.process_time() - c0)"
)


def tokenizer_cpu(files: list[Path]) -> float:
    p = subprocess.run([sys.executable, "-c", _ANCHOR, *map(str, files)], capture_output=True, text=True, check=True)
    return float(p.stdout.strip().splitlines()[-1])


def paired(first: Callable[[], float], second: Callable[[], float], pairs: int) -> list[float]:
    """first() / second() measured `pairs` times in turn (A B A B ...), so that a machine whose
    speed drifts during the run moves both sides of each ratio alike."""
    return [first() / second() for _ in range(pairs)]


def spread(ratios: list[float]) -> str:
    return (f"{statistics.median(ratios):.2f}x (median of {len(ratios)} pairs, "
            f"{min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else f"{ratios[0]:.2f}x")


def phases(files: list[Path]) -> dict[str, float]:
    """CPU seconds of each phase of analysis, in this process (after the pipeline is built)."""
    from focusshift.api import Analyzer, with_model
    from focusshift.pipeline.detect import find_events
    from focusshift.scoring import find_shifts, score_segments
    from focusshift.writers import write_results

    analyzer = Analyzer()
    analyzer.nlp  # built before timing, as in a long run
    from focusshift.pipeline.model import load_classifier

    load_classifier()
    out: dict[str, float] = {}
    c = time.process_time()
    transcripts = [analyzer.read(f) for f in files]
    out["reading"] = time.process_time() - c
    c = time.process_time()
    events = [find_events(t, analyzer.nlp, analyzer.config) for t in transcripts]
    out["rule detection"] = time.process_time() - c
    c = time.process_time()
    events = [with_model(t, e, "both", analyzer.config) for t, e in zip(transcripts, events)]
    out["classifier"] = time.process_time() - c
    c = time.process_time()
    for t, e in zip(transcripts, events):
        shifts = find_shifts(t.turns, e, analyzer.config, t.segments)
        score_segments(t.segments, t.turns, e, shifts, analyzer.config)
    out["scoring"] = time.process_time() - c
    c = time.process_time()
    write_results((analyzer.analyze_transcript(t) for t in transcripts[:50]), "jsonl", io.StringIO())
    out["output (50 files, analysis included)"] = time.process_time() - c
    return out


def tokenized_share(files: list[Path]) -> float:
    """How much of the speaking turns' text the raw-text prefilter sends to the tokenizer."""
    from focusshift.api import Analyzer
    from focusshift.pipeline.components import focusshift_pipes
    from focusshift.pipeline.detect import spoken_text

    analyzer = Analyzer()
    markers, _ = focusshift_pipes(analyzer.nlp)
    chunker = markers.chunker(analyzer.nlp)
    total = sent = 0
    for f in files:
        for turn in analyzer.read(f).turns:
            if turn.is_note or turn.role not in ("therapist", "client"):
                continue
            text = spoken_text(turn)
            total += len(text)
            sent += sum(end - start for start, end, _e, _i in chunker.pieces(text))
    return sent / total if total else 0.0


def curve(corpus: Path, most: int) -> None:
    """CPU per word and peak RSS of one transcript as it grows: flat lines mean linear."""
    tmp = Path(tempfile.mkdtemp(prefix="focusshift-curve-"))
    try:
        (tmp / "c").mkdir()
        files, words = build(corpus, 1, tmp / "c")
        print(f"{'words':>12} {'CPU s':>8} {'µs/word':>8} {'peak RSS MB':>12}")
        copies = 1
        while copies <= most:
            big = one_file(files, tmp / "one.txt", repeat=copies)
            n = words * copies
            _w, cpu, rss = measure([*FOCUSSHIFT, "analyze", str(big), "-f", "jsonl", "--jobs", "1"])
            print(f"{n:>12,} {cpu:>8.1f} {1e6 * cpu / n:>8.2f} {rss:>12.0f}")
            copies *= 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--big-copies", type=int, default=32, help="copies of the corpus in the >=5M-word file")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--pairs", type=int, default=3, help="anchor/command pairs measured in turn for each ratio")
    ap.add_argument("--curve", type=int, default=0, metavar="MAX",
                    help="only the scaling curve: one transcript of 1, 2, 4, ... MAX copies of the corpus")
    a = ap.parse_args()
    if a.curve:
        curve(a.corpus, a.curve)
        return
    copies = 2 if a.quick else a.copies
    if a.quick:
        a.pairs = 1
    tmp = Path(tempfile.mkdtemp(prefix="focusshift-bench-"))
    try:
        (tmp / "c").mkdir()
        files, words = build(a.corpus, copies, tmp / "c")
        print(f"corpus: {len(files):,} files, {words:,} words ({copies} copies of {a.corpus})")
        runs: list[tuple[float, float, float, float]] = []  # (anchor CPU, wall, CPU, RSS) of --jobs 1

        def jobs1_ratio() -> float:
            tok = tokenizer_cpu(files)
            runs.append((tok, *measure([*FOCUSSHIFT, "analyze", str(tmp / "c"), "-f", "jsonl", "--jobs", "1"])))
            return tok / runs[-1][2]

        ratios = [jobs1_ratio() for _ in range(a.pairs)]
        tok, w1, c1, r1 = runs[len(runs) // 2]
        print(f"{'tokenizer alone (anchor)':42} CPU {', '.join(f'{r[0]:.1f}' for r in runs)} s")
        print(f"{'analyze --jobs 1':42} CPU {', '.join(f'{r[2]:.1f}' for r in runs)} s  -> {spread(ratios)} "
              "the anchor's speed  (target >= 0.8)")
        speedups = []
        for _ in range(a.pairs):
            w1_, _c, _r = measure([*FOCUSSHIFT, "analyze", str(tmp / "c"), "-f", "jsonl", "--jobs", "1"])
            w2, _c, _r = measure([*FOCUSSHIFT, "analyze", str(tmp / "c"), "-f", "jsonl", "--jobs", "2"])
            speedups.append(w1_ / w2)
        print(f"{'analyze --jobs 2 / --jobs 1 (wall)':42} speed-up {spread(speedups)}  (target >= 1.8)")
        big = one_file(files, tmp / "one.txt")
        singles, folders = [], []
        for _ in range(a.pairs):  # the folder and the one transcript in turn: CPU and memory ratios by pair
            folders.append(measure([*FOCUSSHIFT, "analyze", str(tmp / "c"), "-f", "jsonl", "--jobs", "1"]))
            singles.append(measure([*FOCUSSHIFT, "analyze", str(big), "-f", "json", "--jobs", "1"]))
        cpu_ratios = [b[1] / f[1] for f, b in zip(folders, singles)]
        rss_ratios = [b[2] / f[2] for f, b in zip(folders, singles)]
        print(f"{'one transcript, same words':42} CPU {spread(cpu_ratios)} the folder's  (target <= 1.3)")
        print(f"{'':42} peak RSS {', '.join(f'{m[2]:.0f}' for m in singles)} MB (folder "
              f"{', '.join(f'{m[2]:.0f}' for m in folders)} MB)  -> {spread(rss_ratios)}  (targets <= 1.3x, <= 400 MB)")
        shared = []
        for _ in range(a.pairs):
            w1_, _c, _r = measure([*FOCUSSHIFT, "analyze", str(big), "-f", "json", "--jobs", "1"])
            w2, _c, _r = measure([*FOCUSSHIFT, "analyze", str(big), "-f", "json", "--jobs", "2"])
            shared.append(w1_ / w2)
        print(f"{'one transcript --jobs 2 / --jobs 1 (wall)':42} speed-up {spread(shared)}  "
              "(its detection shared by the workers)")
        if not a.quick:
            huge = one_file(files, tmp / "huge.txt", repeat=max(1, a.big_copies // copies))
            hw = len(huge.read_text("utf-8").split())
            wh, ch, rh = measure([*FOCUSSHIFT, "analyze", str(huge), "-f", "jsonl", "--jobs", "1"])
            print(f"{f'one transcript, {hw / 1e6:.1f}M words':42} CPU {ch:6.1f} s  -> per word "
                  f"{(ch / hw) / (c1 / words):.2f}x the folder's; peak RSS {rh:.0f} MB (target <= 400)")
        helps = [measure([*FOCUSSHIFT, "--help"])[0] for _ in range(5)]
        print(f"{'--help':42} wall {statistics.median(helps) * 1000:.0f} ms  (target <= 100 ms)")
        small = sorted(a.corpus.glob("*.txt"))[0]
        starts = paired(lambda: measure([*FOCUSSHIFT, "analyze", str(small), "-f", "json"])[1],
                        lambda: measure([sys.executable, "-c", "import spacy; spacy.blank('en')"])[1], 7)
        print(f"{'one small file, start-up, vs spaCy':42} CPU {spread(starts)}  (target <= 1.2)")
        sample = files[: max(1, len(files) // copies)]
        shares = phases(sample)
        total = sum(v for k, v in shares.items() if not k.startswith("output"))
        print("phases in process (one copy of the corpus, pipeline built):")
        for k, v in shares.items():
            share = f"{100 * v / total:4.0f} %" if not k.startswith("output") else "     "
            print(f"  {k:40} CPU {v:6.2f} s {share}")
        print(f"  text of speaking turns sent to the tokenizer by the raw-text prefilter: "
              f"{100 * tokenized_share(sample):.0f} %")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("FOCUSSHIFT_JOBS", "2")
    main()
