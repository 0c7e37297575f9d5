"""Measure each rule's precision on the training split and write it as the rules' event confidence.

    python scripts/rule_confidence.py        # writes focusshift/lexicon/data/confidence.json

An event found by a rule carries, as its `confidence`, the share of that rule's
detections that were right on the training authors' transcripts and the
development set (lines of the right category in the gold); a rule with fewer
than 5 detections there gets its subtype's figure, and a subtype with fewer than
5 the category's. Never the test split.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from focusshift.api import Analyzer, Failure

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = sorted((ROOT / "tests" / "data" / "corpus" / "train").iterdir()) + [
    ROOT / "tests" / "data" / "devset" / "dev", ROOT / "tests" / "data" / "devset" / "heldout"]
OUT = ROOT / "focusshift" / "lexicon" / "data" / "confidence.json"
MIN = 5


def main() -> int:
    analyzer = Analyzer(detector="rules")
    hits: dict[str, Counter] = {"rule": Counter(), "subtype": Counter(), "category": Counter()}
    right: dict[str, Counter] = {"rule": Counter(), "subtype": Counter(), "category": Counter()}
    for folder in FOLDERS:
        gold = json.loads((folder / "gold.json").read_text("utf-8"))
        for name, entry in gold.items():
            [r] = analyzer.analyze_file(folder / name)
            if isinstance(r, Failure):
                continue
            for e in r.events:
                if e.category not in ("therapist_emotion", "client_caretaking"):
                    continue
                ok = e.line in set(entry.get(e.category, []))
                for level, key in (("rule", e.rule), ("subtype", f"{e.category}/{e.subtype}"),
                                   ("category", e.category)):
                    hits[level][key] += 1
                    right[level][key] += ok
    table = {level: {k: round(right[level][k] / n, 2) for k, n in sorted(hits[level].items()) if n >= MIN}
             for level in hits}
    table["comment"] = ("Precision of each rule (then subtype, then category) on the training authors and the "
                        "development set: the confidence of the events it finds. Made by scripts/rule_confidence.py.")
    OUT.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(table['rule'])} rules, {len(table['subtype'])} subtypes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
