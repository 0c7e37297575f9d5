"""`focusshift evaluate` and `focusshift lexicon`: output, thresholds and errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from focusshift.cli import cli

SESSION = (
    "## One\n"                                   # 1
    "T: [crying] Oh.\n"                          # 2
    "C: Are you okay?\n"                         # 3
    "C: My sister asked me, are you okay?\n"     # 4
    "## Two\n"                                   # 5
    "T: How was the week?\n"                     # 6
    "C: Fine, busy.\n"                           # 7
)
GOLD = {
    "s.txt": {
        "therapist_emotion": [2],
        "client_caretaking": [3, 7],
        "segments": [
            {"title": "One", "heading_line": 1, "level": "shift"},
            {"title": "Two", "heading_line": 5, "level": "none"},
        ],
    }
}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "s.txt").write_text(SESSION)
    (tmp_path / "gold.json").write_text(json.dumps(GOLD))
    return tmp_path


def run(args):
    """The evaluation arithmetic is pinned on the rules alone (the classifier has its own tests)."""
    if args and args[0] == "evaluate" and "--detector" not in args:
        args = [*args, "--detector", "rules"]
    return CliRunner().invoke(cli, args)


def test_evaluate_json(folder):
    r = run(["evaluate", str(folder), "--gold", str(folder / "gold.json"), "-f", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    te, ct = d["categories"]["therapist_emotion"], d["categories"]["client_caretaking"]
    assert (te["tp"], te["fp"], te["fn"]) == (1, 0, 0)
    assert (ct["tp"], ct["fp"], ct["fn"]) == (1, 0, 1)
    assert ct["precision"] == 1.0 and ct["recall"] == 0.5
    assert d["misses"] == [{"file": "s.txt", "line": 7, "category": "client_caretaking", "text": "Fine, busy."}]
    assert d["subtypes"]["client_caretaking/check_in"]["tp"] == 1
    assert d["segments"]["ordering"]["none>therapist_only"] is None
    assert d["segments"]["mean_score"]["none"] == 100.0
    assert set(d["sessions_with_shift"]) >= {"tp", "fp", "fn", "precision", "recall"}


def test_evaluate_kappa_by_hand(folder):
    d = json.loads(run(["evaluate", str(folder), "--gold", str(folder / "gold.json"), "-f", "json"]).stdout)
    ct = d["categories"]["client_caretaking"]
    # 5 coded lines (2, 3, 4, 6, 7; headings are not turns): tp=1, fn=1, fp=0, tn=3
    po = 4 / 5
    pe = (1 / 5) * (2 / 5) + (4 / 5) * (3 / 5)
    assert ct["kappa"] == round((po - pe) / (1 - pe), 4)


def test_evaluate_table_and_thresholds(folder):
    args = ["evaluate", str(folder), "--gold", str(folder / "gold.json")]
    r = run(args)
    assert r.exit_code == 0
    assert "client_caretaking" in r.output and "misses (1)" in r.output and "Fine, busy." in r.output
    assert "sessions with a focus shift" in r.output
    assert run(args + ["--no-text"]).output.count("Fine, busy.") == 0
    assert run(args + ["--min-recall", "0.9"]).exit_code == 1
    assert run(args + ["--min-precision", "0.9", "--min-recall", "0.5"]).exit_code == 0


def test_evaluate_errors(folder, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run(["evaluate", str(folder), "--gold", str(bad)])
    assert r.exit_code == 2 and "gold file is not valid JSON" in r.output
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"elsewhere.txt": {"therapist_emotion": [], "client_caretaking": []}}))
    r = run(["evaluate", str(folder), "--gold", str(other)])
    assert r.exit_code == 2 and "no analyzed file has an entry" in r.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"s.txt": {"therapist_emotion": ["two"]}}))
    r = run(["evaluate", str(folder), "--gold", str(wrong)])
    assert r.exit_code == 2 and "must be a list of positive line numbers" in r.output


def test_lexicon_list():
    r = run(["lexicon", "list"])
    assert r.exit_code == 0
    assert "ct.check.are_you_ok" in r.output and "te.ann.crying" in r.output
    assert "weight 0.8" in r.output
    rows = [json.loads(x) for x in run(["lexicon", "list", "--category", "client_caretaking", "-f", "jsonl"]).output.splitlines()]
    assert rows and all(r["label"] == "client_caretaking" for r in rows)
    assert {"id", "subtype", "weight", "pattern", "condition"} <= set(rows[0])
    ctx = run(["lexicon", "list", "--category", "context"]).output
    assert "cx.neg.not" in ctx and "negated" in ctx


def test_lexicon_check_ok_and_try(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"id": "my.cuppa", "label": "client_caretaking", "subtype": "practical_care", "role": "client", "source": "speech", "pattern": "fancy a cuppa"}\n')
    r = run(["lexicon", "check", str(f)])
    assert r.exit_code == 0 and f"{f}: OK (1 marker rule(s), 0 context rule(s))" in r.output
    r = run(["lexicon", "check", str(f), "--try", "Fancy a cuppa? My sister asked me, are you okay?", "--role", "client"])
    assert "my.cuppa" in r.output and "-> counts" in r.output
    assert "cancelled by reported" in r.output
    r = run(["lexicon", "check", str(f), "--try", "are you okay?", "--role", "therapist"])
    assert "this rule is for the client's words" in r.output
    r = run(["lexicon", "check", str(f), "--try", "the weather is nice"])
    assert "no rule matches" in r.output


def test_lexicon_check_errors_name_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "a", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": "x"}\n'
                 '{"id": "a", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": "y"}\n')
    r = run(["lexicon", "check", str(f)])
    assert r.exit_code == 2
    assert f"{f}:2: duplicate id 'a' (first on line 1)" in r.output
