"""Train focusshift's caretaking classifier, reproducibly; or cross-validate it by author.

    python scripts/train_model.py                 # train on every training source, save into the package
    python scripts/train_model.py --cv            # leave one training author out at a time: figures, threshold

Training sources (never the test split): the training authors' transcripts
(tests/data/corpus/train/*), the development set (tests/data/devset) and the
real AnnoMI sessions with even ids (no caretaking in them: negatives; the odd
ids stay unseen for measuring false positives). One example per client turn
line, labelled by the gold's client_caretaking lines, with the context words
of focusshift.pipeline.model in front.

The model: spaCy's textcat_multilabel with a bag of words and word pairs
(TextCatBOW), trained from scratch with a fixed seed; no downloaded weights.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import spacy
from spacy.training import Example

from focusshift.api import Analyzer, Failure
from focusshift.pipeline.model import LABEL, client_turns, context_words, line_texts, model_path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"
DEVSET = ROOT / "tests" / "data" / "devset"
ANNOMI = ROOT.parent / "shared" / "corpora" / "annomi" / "txt"
SEED = 0
EPOCHS = 12


def sources() -> list[tuple[str, Path, dict]]:
    """(group, file, gold entry) for every training file; group is the author (or devset/annomi)."""
    out = []
    for folder in sorted((CORPUS / "train").iterdir()):
        gold = json.loads((folder / "gold.json").read_text("utf-8"))
        out += [(folder.name, folder / name, entry) for name, entry in sorted(gold.items())]
    for part in ("dev", "heldout"):
        gold = json.loads((DEVSET / part / "gold.json").read_text("utf-8"))
        out += [("devset", DEVSET / part / name, entry) for name, entry in sorted(gold.items())]
    if ANNOMI.exists():
        for f in sorted(ANNOMI.glob("*.txt"), key=lambda p: int(p.stem)):
            if int(f.stem) % 2 == 0:
                out.append(("annomi", f, {"client_caretaking": []}))
    return out


def examples(rule_analyzer: Analyzer, items) -> list[tuple[str, str, int, bool, str]]:
    """(group, file, line, label, text with context) per client turn line."""
    rows = []
    for group, path, entry in items:
        results = rule_analyzer.analyze_file(path)
        if len(results) != 1 or isinstance(results[0], Failure):
            continue
        a = results[0]
        gold = set(entry.get("client_caretaking", []))
        ctx = context_words(a.transcript, a.events)
        for t in client_turns(a.transcript):
            for line, _col, text in line_texts(t):
                rows.append((group, str(path), line, line in gold, f"{ctx[t.index]} {text}"))
    return rows


def train(rows, seed: int = SEED, epochs: int = EPOCHS):
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("textcat_multilabel", config={
        "threshold": 0.5,
        "model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
                  "no_output_layer": False, "length": 262144},
    })
    textcat = nlp.get_pipe("textcat_multilabel")
    textcat.add_label(LABEL)
    data = [Example.from_dict(nlp.make_doc(text), {"cats": {LABEL: float(y)}}) for _g, _f, _l, y, text in rows]
    nlp.initialize(lambda: data)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(data)
        losses: dict = {}
        for i in range(0, len(data), 32):
            nlp.update(data[i:i + 32], drop=0.2, losses=losses)
    return nlp


def predict(nlp, rows) -> list[float]:
    return [float(doc.cats[LABEL]) for doc in nlp.pipe([r[4] for r in rows], batch_size=256)]


def cross_validate(rows) -> None:
    """Leave one training author out; report line-level P/R/F1 of the model alone at thresholds."""
    authors = sorted({g for g, *_ in rows if g not in ("devset", "annomi")})
    scored = []
    for author in authors:
        started = time.time()
        nlp = train([r for r in rows if r[0] != author])
        held = [r for r in rows if r[0] == author]
        scored += list(zip(held, predict(nlp, held)))
        print(f"  fold {author}: {len(held)} lines, {time.time() - started:.0f} s", file=sys.stderr)
    print("threshold | TP | FP | FN | precision | recall | F1")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        tp = sum(1 for r, p in scored if p >= t and r[3])
        fp = sum(1 for r, p in scored if p >= t and not r[3])
        fn = sum(1 for r, p in scored if p < t and r[3])
        pr = tp / (tp + fp) if tp + fp else 1.0
        rc = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        print(f"{t:.1f} | {tp} | {fp} | {fn} | {pr:.2f} | {rc:.2f} | {f1:.2f}")
    Path("/tmp/focusshift_cv.json").write_text(json.dumps([(r[1], r[2], r[3], p) for r, p in scored]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="leave-one-author-out figures instead of training")
    ap.add_argument("--threshold", type=float, default=0.4,
                    help="probability for a turn within 8 exchanges after therapist emotion (chosen with --cv)")
    ap.add_argument("--threshold-far", type=float, default=0.7,
                    help="probability for any other turn (chosen with --cv and the real sessions' false positives)")
    ap.add_argument("--veto", type=float, default=0.2,
                    help="with --detector both: a rule's caretaking the classifier scores below this is dropped")
    ap.add_argument("--out", type=Path, default=None, help="where to save (default: inside the package)")
    args = ap.parse_args(argv)
    rule_analyzer = Analyzer(detector="rules")
    rows = examples(rule_analyzer, sources())
    positives = sum(1 for r in rows if r[3])
    print(f"{len(rows)} client lines, {positives} caretaking", file=sys.stderr)
    if args.cv:
        cross_validate(rows)
        return 0
    nlp = train(rows)
    out = args.out or model_path()
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    meta = {"threshold": args.threshold, "threshold_far": args.threshold_far, "veto": args.veto, "seed": SEED, "epochs": EPOCHS, "examples": len(rows),
            "positives": positives, "trained_on": "tests/data/corpus/train, tests/data/devset, AnnoMI even ids"}
    (out / "focusshift.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"saved {out} ({size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
