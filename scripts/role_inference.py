"""Measure (and refit) focusshift's role inference on labelled sessions.

    python scripts/role_inference.py eval authors:test annomi:odd      # accuracy, per set
    python scripts/role_inference.py eval authors:train -v              # every miss, with its evidence
    python scripts/role_inference.py fit authors:train devset annomi:even   # print fitted weights

Sets (no role labels or headers reach the reader: every label is a name):
  authors:train, authors:test   tests/data/roles/<split>/<author>/ with roles.json
  devset                        tests/data/devset/{dev,heldout}, labels replaced by first names
  annomi:even, annomi:odd       ../shared/corpora/annomi (real MI sessions), by transcript id parity,
                                THERAPIST/CLIENT replaced by first names
Fit on training sets only; report the test sets. Uses numpy (installed with spaCy).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from focusshift.formats import ReadOptions, read_all
from focusshift.roles import FEATURES, cue_values, role_data

ROOT = Path(__file__).resolve().parent.parent
ROLES = ROOT / "tests" / "data" / "roles"
DEVSET = ROOT / "tests" / "data" / "devset"
ANNOMI = ROOT.parent / "shared" / "corpora" / "annomi" / "txt"
NAMES = ("Alex Jo Sam Robin Kim Lee Morgan Casey Jamie Taylor Ari Noor Dana Eli Rowan Sky Quinn Remy "
         "Kit Sasha Bo Jules Ash Nico Mika Rae Tam Lou Ira Vic").split()


@dataclass
class Session:
    name: str
    text: str
    gold: dict[str, str]  # label -> therapist/client


def _renamed(lines: list[str], roles: dict[str, str], seed: str) -> tuple[str, dict[str, str]]:
    """Replace each role label with a random first name (the same for the whole file)."""
    rng = random.Random(seed)
    pool = rng.sample(NAMES, len(NAMES))
    names: dict[str, str] = {}
    out = []
    for line in lines:
        m = re.match(r"^(\s*(?:\[[\d:.]+\]\s*)?)([^:\[\]]{1,40}?):\s(.*)$", line)
        if m and m.group(2).strip().casefold() in roles:
            key = m.group(2).strip().casefold()
            if key not in names:
                names[key] = pool[len(names)]
            out.append(f"{m.group(1)}{names[key]}: {m.group(3)}")
        elif line.startswith("@") or line.startswith("##"):
            out.append("")  # keep line numbers, drop headers and headings
        else:
            out.append(line)
    gold = {names[k]: roles[k] for k in names}
    return "\n".join(out) + "\n", gold


def sessions(spec: str) -> Iterator[Session]:
    kind, _, part = spec.partition(":")
    if kind == "authors":
        for d in sorted((ROLES / part).iterdir()):
            key = json.loads((d / "roles.json").read_text("utf-8"))
            for f in sorted(d.glob("*.txt")):
                yield Session(f"{part}/{d.name}/{f.name}", f.read_text("utf-8"), key[f.name])
    elif kind == "devset":
        for f in sorted(DEVSET.glob("*/*.txt")):
            [t] = read_all(f.read_bytes(), str(f), ReadOptions())
            roles = {}
            for sp in t.speakers:
                if sp.role in ("therapist", "client"):
                    roles[sp.label.casefold()] = sp.role
            if len(roles) < 2:
                continue
            text, gold = _renamed(f.read_text("utf-8").splitlines(), roles, f.name)
            if len(set(gold.values())) == 2:
                yield Session(f"devset/{f.parent.name}/{f.name}", text, gold)
    elif kind == "annomi":
        for f in sorted(ANNOMI.glob("*.txt"), key=lambda p: int(p.stem)):
            if (int(f.stem) % 2 == 0) != (part == "even"):
                continue
            text, gold = _renamed(f.read_text("utf-8").splitlines(),
                                  {"therapist": "therapist", "client": "client"}, f.name)
            yield Session(f"annomi/{f.name}", text, gold)
    else:
        raise SystemExit(f"unknown set {spec!r}")


def evaluate(specs: list[str], verbose: bool) -> int:
    bad = 0
    for spec in specs:
        n = right = two = two_right = speakers = speakers_right = unresolved = 0
        confidences: list[float] = []
        for s in sessions(spec):
            [t] = read_all(s.text.encode(), s.name, ReadOptions())
            got = {sp.label: sp for sp in t.speakers}
            ok = all(got[k].role == v for k, v in s.gold.items() if k in got)
            parties = len([k for k in s.gold if k in got])
            n += 1
            right += ok
            if parties == 2:
                two += 1
                two_right += ok
            for k, v in s.gold.items():
                if k in got:
                    speakers += 1
                    speakers_right += got[k].role == v
                    unresolved += got[k].role == "unknown"
                    if got[k].confidence is not None:
                        confidences.append(got[k].confidence)
            if not ok and verbose:
                print(f"  MISS {s.name}")
                for k, v in s.gold.items():
                    sp = got.get(k)
                    if sp is not None:
                        print(f"    {k!r}: gold {v}, got {sp.role} ({sp.role_source}, {sp.confidence}): {sp.evidence}")
        bad += n - right
        low = sum(c < 0.8 for c in confidences)
        print(f"{spec}: sessions {right}/{n} all right; two-party {two_right}/{two}; speakers "
              f"{speakers_right}/{speakers} right, {unresolved} left unknown; confidence < 0.8: {low}")
    return 1 if bad else 0


def fit(specs: list[str], l2: float) -> None:
    import numpy as np

    xs, ys = [], []
    for spec in specs:
        for s in sessions(spec):
            [t] = read_all(s.text.encode(), s.name, ReadOptions(infer_roles=False))
            texts: dict[str, list[str]] = {}
            order = []
            for turn in t.turns:
                if turn.is_note or turn.speaker is None:
                    continue
                texts.setdefault(turn.speaker, []).append(turn.spoken)
                order.append(turn.speaker)
            values = cue_values(texts, order)
            ther = [k for k, v in s.gold.items() if v == "therapist" and k in values]
            cli = [k for k, v in s.gold.items() if v == "client" and k in values]
            for a in ther:
                for b in cli:
                    d = [values[a][f] - values[b][f] for f in FEATURES]
                    xs.append(d)
                    ys.append(1.0)
                    xs.append([-v for v in d])
                    ys.append(0.0)
    X = np.array(xs)
    y = np.array(ys)
    w = np.zeros(X.shape[1])
    for _ in range(20000):
        p = 1 / (1 + np.exp(-X @ w))
        grad = X.T @ (p - y) / len(y) + l2 * w
        w -= 0.5 * grad
    p = 1 / (1 + np.exp(-X @ w))
    acc = ((p > 0.5) == (y > 0.5)).mean()
    print(f"{len(y) // 2} therapist-client pairs; training accuracy {acc:.3f}")
    print(json.dumps({f: round(float(v), 2) for f, v in zip(FEATURES, w)}, indent=2))
    current = role_data().weights
    print("current:", json.dumps(current))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval")
    e.add_argument("sets", nargs="+")
    e.add_argument("-v", "--verbose", action="store_true")
    e.add_argument("--weights", help="JSON object of feature weights to try instead of roles.json's")
    f = sub.add_parser("fit")
    f.add_argument("sets", nargs="+")
    f.add_argument("--l2", type=float, default=0.01)
    args = ap.parse_args(argv)
    if args.cmd == "eval":
        if args.weights:
            from dataclasses import replace

            import focusshift.roles as roles

            data = replace(roles.role_data(), weights={k: float(v) for k, v in json.loads(args.weights).items()})
            roles.role_data = lambda: data  # type: ignore[assignment]
        return evaluate(args.sets, args.verbose)
    fit(args.sets, args.l2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
