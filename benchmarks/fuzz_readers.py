"""Fuzz every transcript reader: only our own error type, and time linear in the input.

    python benchmarks/fuzz_readers.py                       # 100,000 inputs per reader (minutes)
    python benchmarks/fuzz_readers.py --inputs 2000         # a quick run
    python benchmarks/fuzz_readers.py --readers srt,chat --seed 7 --save fuzz-findings/

Inputs are built from each format's own fragments (timing lines, labels,
brackets, headers, quotes, separators) in random order, with random runs of
one fragment repeated (the shape that makes regular expressions backtrack),
random bytes and encodings, and mutations of the real fixtures in
tests/data/formats/. Every input is read with focusshift's reader for that
format. An input is a failure when anything other than a TranscriptError
escapes, or when it takes longer than --stall seconds. Besides the random
inputs, each reader gets "scaling" inputs of about 100 KB (one random
fragment sequence repeated): their time per KB is what --max-ms-per-kb
bounds. Prints, per reader: inputs, ok, TranscriptError, failures, slowest
input in ms per KB; exit 1 on any failure. Standard library and focusshift
only; the figures go in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import io
import random
import signal
import sys
import time
import traceback
import zipfile
from pathlib import Path

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, read_all

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "formats"

COMMON = ["\n", "\n", "\n", "\r\n", "\r", " ", "  ", "\t", ":", ": ", "[", "]", "(", ")", "((", "))", "<", ">",
          "&", "'", '"', ",", ".", "?", "-", "--", "#", "@", "*", "%", "\\", "/", "{", "}", "0", "1", "12", "999",
          "T: ", "C: ", "Therapist: ", "Client: ", "Dr. Lee: ", "Sam Ortiz: ", "SPEAKER_00: ", "[SPEAKER_01]: ",
          "(T: Mhm)", "[crying]", "((sighs))", "(voice breaks)", "[Dr. Lee wipes her eyes]", "are you okay",
          "I'm sorry", "\u00e9", "\u2019", "\u00a0", "\ufeff", "\u202e", "\U0001f44b", "\x00", "\x1b", "\x7f"]
FRAGMENTS: dict[str, list[str]] = {
    "native": ["@therapist: ", "@client: ", "@title: ", "## ", "[00:00:05] ", "(00:05) ", "00:00:05 ",
               "[00:01:00]", "Speaker 1: ", "Note:", "Interpreter: "],
    "vtt": ["WEBVTT", "WEBVTT\n\n", "00:00:01.000 --> 00:00:02.000", "00:01.000 --> 00:02.000", " --> ",
            "<v Dr. Lee>", "<v.loud Sam>", "</v>", "<v ", "<i>", "</i>", "<c.x>", "<00:00:01.000>", "&amp;",
            "&#39;", "&lt;", "NOTE ", "STYLE", "REGION", "1\n", "3f2a9c1e-7b41/11-0\n", "align:start"],
    "srt": ["1\n", "2\n", "00:00:01,000 --> 00:00:02,000", "00:00:01.000 --> 00:00:02.000", "0:12 --> 0:13",
            " --> ", " -> ", "<font color=\"#ffff00\">", "</font>", "{\\an8}", "<i>", "99:99:99,999"],
    "chat": ["@UTF8\n", "@Begin\n", "@End\n", "@Participants:\t", "THE Dr._Lee Therapist, CLI Sam Client",
             "@ID:\teng|corpus|CLI|||||Client|||", "@G:\t", "@Bg:\t", "@Eg:\t", "*THE:\t", "*CLI:\t", "*PAR:\t",
             "%mor:\t", "%com:\t", "&=cries", "&-uh", "[=! crying]", "[/]", "[//]", "<", ">", "+...", "\x15",
             "123_456", "\x15123_456\x15", "xxx", "(.)", "@Languages:\teng"],
    "service": ["Dr. Lee  0:11", "Sam  1:02:03", "Speaker 1 (00:00:05):", "Sam [01:05]: ", "Unknown Speaker  0:00",
                "Transcribed by https://otter.ai", "  0:00", " (00:00:05)"],
    "meet": ["Weekly - 2025/06/12 10:00 BST - Transcript", "Attendees", "Maya Lee, Sam Ortiz", "Transcript",
             "00:05:00", "Meeting ended after 00:05:24 \U0001f44b", "This editable transcript was computer generated"],
    "whisper": ['{"segments": [', '{"start": 0.9, "end": 2.6, "text": " Hi Sam.", "speaker": "SPEAKER_00"}',
                '{"start": 1, "text": "no speaker"}', '"words": [{"word": "Hi", "start": 0.9}]', '"text": ',
                '"speaker": ', "]}", "[", "{", '"\\u00e9"', '"\\"', "null", "true", "1e309", '"language": "en"'],
    "csv": ["speaker,text\n", "session_id,who,role,start,utterance\n", "ID,Type,Utterance,Dialog_Act\n",
            "s1,Dr. Lee,therapist,00:00:05,", '"', '""', ",", "\n", "T,", "P,"],
    "tsv": ["speaker\ttext\n", "\t", '"', "T\t", "s1\tSam\tclient\t00:01\t"],
    "json": ["[", "]", "{", "}", '{"speaker": "T", "text": "hi"}', '"speaker": ', '"text": ', ",", ":", "null",
             '"\\u00e9"'],
    "jsonl": ['{"speaker": "T", "text": "hi"}\n', '{"speaker": "C", "text": "[crying] are you okay"}\n', "{", "}",
              "[", "]", '"', "\n"],
}
SUFFIX = {"native": "txt", "vtt": "vtt", "srt": "srt", "chat": "cha", "service": "txt", "meet": "txt",
          "whisper": "json", "csv": "csv", "tsv": "tsv", "json": "json", "jsonl": "jsonl", "docx": "docx"}
READERS = list(SUFFIX)


class Stall(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Stall()


def fixtures(fmt: str) -> list[bytes]:
    ext = SUFFIX[fmt]
    found = [p.read_bytes() for p in sorted(FIXTURES.rglob(f"*.{ext}")) if p.stat().st_size < 200_000]
    return found or [b""]


def text_input(rng: random.Random, fmt: str, seeds: list[bytes], size: int) -> bytes:
    kind = rng.random()
    pool = FRAGMENTS.get(fmt, []) + COMMON
    if kind < 0.25 and seeds:  # mutate a real fixture
        data = bytearray(rng.choice(seeds)[: size * 4])
        for _ in range(rng.randint(1, 12)):
            if not data:
                break
            op = rng.random()
            pos = rng.randrange(len(data))
            if op < 0.3:
                data[pos] = rng.randrange(256)
            elif op < 0.6:
                frag = rng.choice(pool).encode("utf-8") * rng.choice([1, 1, 2, 10, 100])
                data[pos:pos] = frag
            elif op < 0.8:
                del data[pos: pos + rng.randint(1, 40)]
            else:
                chunk = bytes(data[pos: pos + rng.randint(1, 60)])
                data[pos:pos] = chunk * rng.randint(2, 30)
        return bytes(data)
    parts: list[str] = []
    total = 0
    while total < size:
        frag = rng.choice(pool)
        if rng.random() < 0.15:
            frag *= rng.choice([2, 5, 20, 100, 400])
        parts.append(frag)
        total += len(frag)
    text = "".join(parts)
    enc = rng.random()
    if enc < 0.9:
        return text.encode("utf-8", "surrogatepass")
    if enc < 0.95:
        return text.encode("utf-16")
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, size)))


def structured_input(rng: random.Random, fmt: str) -> bytes:
    """A well-formed document whose strings, speakers and numbers are fuzzed (gets past the parser)."""
    import json

    def junk() -> str:
        return "".join(rng.choice(COMMON + FRAGMENTS["native"]) * rng.choice([1, 1, 3, 50])
                       for _ in range(rng.randint(0, 8)))

    def value():
        return rng.choice([junk(), rng.random() * 1e4, rng.randint(-5, 10**6), None, True, [], {}, junk()])

    rows = [{"speaker": rng.choice([junk(), "SPEAKER_00", "SPEAKER_01", "T", "C", None, 3]),
             "text": rng.choice([junk(), junk(), None, 7]), "start": value(), "end": value()}
            for _ in range(rng.randint(0, 30))]
    for row in rows:
        if rng.random() < 0.2:
            row.pop(rng.choice(list(row)))
    if fmt == "whisper":
        doc = {"segments": rows, "language": rng.choice(["en", junk()])}
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 2]))
    elif fmt == "json":
        text = json.dumps(rows, indent=rng.choice([None, 1]))
    else:
        text = "\n".join(json.dumps(r) for r in rows)
    return text.encode("utf-8", "surrogatepass")


def docx_input(rng: random.Random, seeds: list[bytes]) -> bytes:
    base = rng.choice(seeds)
    if rng.random() < 0.5:
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(data))
            if rng.random() < 0.5:
                data[pos] = rng.randrange(256)
            else:
                del data[pos: pos + rng.randint(1, 200)]
        return bytes(data)
    # a valid zip whose document.xml is fuzzed text
    try:
        src = zipfile.ZipFile(io.BytesIO(base))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "word/document.xml":
                    body = text_input(rng, "native", [body], 2000)
                dst.writestr(item, body)
        return out.getvalue()
    except Exception:
        return base[: rng.randrange(len(base) or 1)]


def scaling_input(rng: random.Random, fmt: str, target: int = 100_000) -> bytes:
    pool = FRAGMENTS.get(fmt, []) + COMMON
    unit = "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
    if not unit.strip():
        unit += "x"
    head = "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))
    return (head + unit * (target // max(1, len(unit)) + 1)).encode("utf-8", "surrogatepass")[:target]


def run_one(data: bytes, fmt: str, stall: float) -> tuple[str, float, str | None]:
    options = ReadOptions(input_format=fmt)
    signal.setitimer(signal.ITIMER_REAL, stall)
    t0 = time.perf_counter()
    try:
        read_all(data, f"fuzz.{SUFFIX[fmt]}", options)
        outcome, detail = "ok", None
    except TranscriptError:
        outcome, detail = "error", None
    except Stall:
        outcome, detail = "stall", None
    except Exception:  # anything else escaping a reader is a bug
        outcome, detail = "crash", traceback.format_exc(limit=6)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return outcome, time.perf_counter() - t0, detail


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inputs", type=int, default=100_000, help="random inputs per reader (default 100,000)")
    ap.add_argument("--scaling", type=int, default=200, help="~100 KB scaling inputs per reader (default 200)")
    ap.add_argument("--readers", default=",".join(READERS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stall", type=float, default=5.0, help="seconds after which an input is a stall")
    ap.add_argument("--max-ms-per-kb", type=float, default=50.0)
    ap.add_argument("--save", type=Path, help="write failing and slowest inputs into this folder")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    bad = 0
    print(f"{'reader':8} {'inputs':>8} {'ok':>8} {'errors':>8} {'crash':>6} {'stall':>6} "
          f"{'slowest ms/KB (random)':>22} {'slowest ms/KB (100 KB)':>22} {'seconds':>8}")
    for fmt in args.readers.split(","):
        rng = random.Random(f"{args.seed}:{fmt}")
        seeds = fixtures(fmt)
        counts = {"ok": 0, "error": 0, "crash": 0, "stall": 0}
        worst = (0.0, b"")
        worst_big = (0.0, b"")
        started = time.perf_counter()
        for warm in seeds[:3]:  # imports and regex compilation are not the input's cost
            run_one(warm, fmt, args.stall)
        for k in range(args.inputs + args.scaling):
            big = k >= args.inputs
            if fmt == "docx":
                data = docx_input(rng, seeds)
            elif big:
                data = scaling_input(rng, fmt)
            elif fmt in ("whisper", "json", "jsonl") and rng.random() < 0.5:
                data = structured_input(rng, fmt)
            else:
                data = text_input(rng, fmt, seeds, rng.choice([20, 100, 400, 1500]))
            outcome, seconds, detail = run_one(data, fmt, args.stall)
            counts[outcome] += 1
            per_kb = seconds * 1000 / max(len(data) / 1024, 1.0)  # inputs under 1 KB count as 1 KB
            if big and per_kb > worst_big[0]:
                worst_big = (per_kb, data)
            elif not big and per_kb > worst[0]:
                worst = (per_kb, data)
            if outcome in ("crash", "stall"):
                bad += 1
                print(f"  {fmt}: {outcome} on input {k} ({len(data)} bytes)", file=sys.stderr)
                if detail:
                    print("   " + detail.replace("\n", "\n   "), file=sys.stderr)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"{fmt}-{outcome}-{k}.{SUFFIX[fmt]}").write_bytes(data)
        if worst_big[0] > args.max_ms_per_kb:
            bad += 1
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{fmt}-slowest-random.{SUFFIX[fmt]}").write_bytes(worst[1])
            (args.save / f"{fmt}-slowest-100kb.{SUFFIX[fmt]}").write_bytes(worst_big[1])
        total = args.inputs + args.scaling
        print(f"{fmt:8} {total:>8,} {counts['ok']:>8,} {counts['error']:>8,} {counts['crash']:>6} "
              f"{counts['stall']:>6} {worst[0]:>22.2f} {worst_big[0]:>22.2f} "
              f"{time.perf_counter() - started:>8.0f}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
