"""Check a labelled corpus folder: every file readable, every label on a line of the right role.

    python scripts/check_corpus.py tests/data/corpus/train/a tests/data/corpus/test/h
    python scripts/check_corpus.py tests/data/corpus/*/*          # every author

For each folder with a gold.json (docs/labelling-guide.md): every .txt has an
entry and every entry a file; the file parses with both roles declared;
every therapist_emotion line is a therapist turn's line, a scene note that
names the therapist, or holds an annotation about the therapist; every client_caretaking line is a client turn's line;
segments match the `## ` headings (title and line) and their levels match the
labels inside them; `style` is one of the known styles. Prints one line per
problem (file:line: what) and a summary; exit 1 on any problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from focusshift.formats import ReadOptions, read_path
from focusshift.errors import FocusshiftError

STYLES = {"speech-to-text", "annotated", "process-notes", "interview"}
LEVELS = {"none", "therapist_only", "caretaking_only", "shift"}


def check_folder(folder: Path) -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    stats = {"files": 0, "therapist_emotion": 0, "client_caretaking": 0, "no_emotion": 0, "speech-to-text": 0}
    gold_path = folder / "gold.json"
    if not gold_path.exists():
        return [f"{folder}: no gold.json"], stats
    try:
        gold = json.loads(gold_path.read_text("utf-8"))
    except ValueError as exc:
        return [f"{gold_path}: not valid JSON: {exc}"], stats
    files = {f.name for f in folder.glob("*.txt")}
    for name in sorted(files - set(gold)):
        problems.append(f"{folder / name}: no entry in gold.json")
    for name in sorted(set(gold) - files):
        problems.append(f"{gold_path}: entry {name!r} has no file")
    for name in sorted(files & set(gold)):
        path = folder / name
        entry = gold[name]
        stats["files"] += 1
        try:
            t = read_path(path, ReadOptions(infer_roles=False))
        except FocusshiftError as exc:
            problems.append(f"{exc}")
            continue
        roles = {s.role for s in t.speakers}
        if not {"therapist", "client"} <= roles:
            problems.append(f"{path}: roles not declared for every speaker ({[(s.label, s.role) for s in t.speakers]})")
        style = entry.get("style")
        if any("style" in e for e in gold.values() if isinstance(e, dict)) and style not in STYLES:
            problems.append(f"{path}: style {style!r} is not one of {sorted(STYLES)}")
        stats["speech-to-text"] += style == "speech-to-text"
        by_line: dict[int, list] = {}
        about_therapist: set[int] = set()  # lines with an annotation about the therapist ("[therapist crying]")
        for turn in t.turns:
            for p in turn.pieces:
                by_line.setdefault(p.line, []).append(turn)
            about_therapist.update(a.line for a in turn.annotations if a.about == "therapist")
        te = entry.get("therapist_emotion", [])
        ct = entry.get("client_caretaking", [])
        stats["therapist_emotion"] += len(te)
        stats["client_caretaking"] += len(ct)
        stats["no_emotion"] += not te
        for line in te:
            turns = by_line.get(line, [])
            if not any(x.role == "therapist" for x in turns) and line not in about_therapist:
                problems.append(f"{path}:{line}: therapist_emotion on a line that is not the therapist's "
                                f"({[(x.speaker, x.role) for x in turns] or 'no turn'})")
        for line in ct:
            turns = by_line.get(line, [])
            if not any(x.role == "client" and not x.is_note for x in turns):
                problems.append(f"{path}:{line}: client_caretaking on a line that is not a client's turn "
                                f"({[(x.speaker, x.role) for x in turns] or 'no turn'})")
        for key in ("therapist_emotion", "client_caretaking"):
            values = entry.get(key, [])
            if len(values) != len(set(values)):
                problems.append(f"{path}: {key} lists a line twice")
        segs = entry.get("segments", [])
        headed = [s for s in t.segments if s.heading_line is not None]
        if [(s.get("heading_line"), s.get("title")) for s in segs] != [(s.heading_line, s.title) for s in headed]:
            problems.append(f"{path}: gold segments {[(s.get('heading_line'), s.get('title')) for s in segs]} "
                            f"do not match the headings {[(s.heading_line, s.title) for s in headed]}")
            continue
        for g, s in zip(segs, headed):
            lines = {p.line for i in s.turns for p in t.turns[i].pieces}
            has_te = bool(lines & set(te))
            has_ct = bool(lines & set(ct))
            expected = ("shift" if has_te and has_ct else "therapist_only" if has_te
                        else "caretaking_only" if has_ct else "none")
            if g.get("level") not in LEVELS:
                problems.append(f"{path}:{s.heading_line}: level {g.get('level')!r} is not one of {sorted(LEVELS)}")
            elif g["level"] != expected:
                problems.append(f"{path}:{s.heading_line}: segment level {g['level']!r}, but its labels say "
                                f"{expected!r}")
    return problems, stats


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    bad = 0
    totals: dict[str, int] = {}
    for arg in argv:
        problems, stats = check_folder(Path(arg))
        for p in problems:
            print(p)
        bad += len(problems)
        print(f"{arg}: {stats['files']} files, {stats['therapist_emotion']} therapist_emotion and "
              f"{stats['client_caretaking']} client_caretaking labels, {stats['no_emotion']} files with no "
              f"therapist emotion, {stats['speech-to-text']} speech-to-text; {len(problems)} problem(s)")
        for k, v in stats.items():
            totals[k] = totals.get(k, 0) + v
    if len(argv) > 1:
        print(f"all: {totals}; {bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
