"""Detection figures on the labelled corpus, split by author; and false positives on real sessions.

    python scripts/corpus_eval.py train                  # the training authors (tune on these only)
    python scripts/corpus_eval.py test                   # the held-out authors: figures only
    python scripts/corpus_eval.py train --errors         # every false positive and miss, with its text
    python scripts/corpus_eval.py real                   # AnnoMI: events per 1,000 lines, each hit listed
    python scripts/corpus_eval.py test --detector model  # an ablation

Splits: tests/data/corpus/<split>/<author>/ (gold.json per author, docs/labelling-guide.md);
"dev" is the older development set (tests/data/devset, a regression set). Prints markdown
tables: per category (lines), sessions with a focus shift, per author, per style, per subtype.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from focusshift.api import Analyzer, Failure
from focusshift.evaluation import Counts, Evaluation, add_file
from focusshift.model import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
DEVSET = ROOT / "tests" / "data" / "devset"
ANNOMI = ROOT.parent / "shared" / "corpora" / "annomi" / "txt"


def folders(split: str) -> list[Path]:
    if split == "dev":
        return [DEVSET / "dev", DEVSET / "heldout"]
    return sorted(p for p in (CORPUS / split).iterdir() if (p / "gold.json").exists())


def new_eval() -> Evaluation:
    return Evaluation(categories={c: Counts() for c in CATEGORIES})


def fmt(c: Counts) -> str:
    return f"{c.tp} | {c.fp} | {c.fn} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f}"


def run_split(split: str, analyzer: Analyzer, errors: bool) -> dict:
    overall = new_eval()
    by_author: dict[str, Evaluation] = {}
    by_style: dict[str, Evaluation] = {}
    for folder in folders(split):
        gold = json.loads((folder / "gold.json").read_text("utf-8"))
        for name in sorted(gold):
            path = folder / name
            results = analyzer.analyze_file(path)
            if len(results) != 1 or isinstance(results[0], Failure):
                print(f"error: {path}: {getattr(results[0], 'message', 'several sessions')}", file=sys.stderr)
                continue
            entry = gold[name]
            style = entry.get("style", "annotated")
            key = f"{folder.name}/{name}"
            for ev in (overall, by_author.setdefault(folder.name, new_eval()), by_style.setdefault(style, new_eval())):
                add_file(ev, key, results[0], entry)
    print(f"## {split}: {overall.files} sessions\n")
    print("| category | TP | FP | FN | precision | recall | F1 |\n|---|---|---|---|---|---|---|")
    for cat in CATEGORIES:
        print(f"| {cat} | {fmt(overall.categories[cat])} |")
    print(f"| sessions with a shift | {fmt(overall.sessions)} |\n")
    print("| author | sessions | emotion P / R | caretaking P / R / F1 | shift sessions P / R |\n|---|---|---|---|---|")
    for name, ev in by_author.items():
        te, ct, ss = ev.categories["therapist_emotion"], ev.categories["client_caretaking"], ev.sessions
        print(f"| {name} | {ev.files} | {te.precision:.2f} / {te.recall:.2f} | "
              f"{ct.precision:.2f} / {ct.recall:.2f} / {ct.f1:.2f} | {ss.precision:.2f} / {ss.recall:.2f} |")
    print("\n| style | sessions | emotion P / R | caretaking P / R / F1 | shift sessions P / R |\n|---|---|---|---|---|")
    for name, ev in sorted(by_style.items()):
        te, ct, ss = ev.categories["therapist_emotion"], ev.categories["client_caretaking"], ev.sessions
        print(f"| {name} | {ev.files} | {te.precision:.2f} / {te.recall:.2f} | "
              f"{ct.precision:.2f} / {ct.recall:.2f} / {ct.f1:.2f} | {ss.precision:.2f} / {ss.recall:.2f} |")
    print("\n| subtype | detected lines | right | precision |\n|---|---|---|---|")
    for name, c in sorted(overall.subtypes.items()):
        print(f"| {name} | {c.tp + c.fp} | {c.tp} | {c.precision:.2f} |")
    if errors:
        print("\n### false positives")
        for fp in overall.false_positives:
            print(f"- {fp['file']}:{fp['line']} {fp['category']}/{fp['subtype']} [{fp['rule']}] {fp['text']}")
        print("\n### misses")
        for m in overall.misses:
            print(f"- {m['file']}:{m['line']} {m['category']}: {m['text']}")
    return overall.as_dict()


def run_real(analyzer: Analyzer, half: str) -> None:
    """AnnoMI sessions (no caretaking in them): 'odd' ids are the ones the classifier never saw."""
    lines = hits = 0
    listed = []
    for f in sorted(ANNOMI.glob("*.txt"), key=lambda p: int(p.stem)):
        if half != "all" and (int(f.stem) % 2 == 1) != (half == "odd"):
            continue
        for r in analyzer.analyze_file(f):
            if isinstance(r, Failure):
                continue
            lines += sum(len(t.pieces) for t in r.transcript.turns)
            for e in r.events:
                if e.category in CATEGORIES:
                    hits += 1
                    listed.append(f"- {f.name}:{e.line} {e.category}/{e.subtype} [{e.rule}] {e.text!r}")
    print(f"## real sessions (AnnoMI, {half} ids): {hits} events in {lines} lines = "
          f"{1000 * hits / max(lines, 1):.2f} per 1,000")
    print("\n".join(listed))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("split", choices=("train", "test", "dev", "real"))
    ap.add_argument("--errors", action="store_true", help="list every false positive and miss (not for test)")
    ap.add_argument("--detector", default=None, help="rules, model or both (default: the analyzer's)")
    ap.add_argument("--ids", choices=("odd", "even", "all"), default="odd",
                    help="for real: AnnoMI's odd ids (never seen by the classifier), even ids or all")
    args = ap.parse_args(argv)
    kwargs = {} if args.detector is None else {"detector": args.detector}
    analyzer = Analyzer(**kwargs)
    if args.split == "real":
        run_real(analyzer, args.ids)
    else:
        run_split(args.split, analyzer, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
