"""`focusshift evaluate`: the figures against a gold file, thresholds and errors.

The arithmetic is pinned on the rules alone (`--detector rules`; the classifier has its own tests)."""

from __future__ import annotations

import json

import pytest

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


@pytest.fixture
def evaluate(invoke, folder):
    """evaluate(*options, gold=folder/gold.json): `focusshift evaluate folder --gold ... --detector rules`."""

    def _evaluate(*options, gold=None):
        return invoke(["evaluate", folder, "--gold", gold or folder / "gold.json", *options, "--detector", "rules"])

    return _evaluate


def test_evaluate_json(evaluate):
    r = evaluate("-f", "json")
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


def test_evaluate_kappa_by_hand(evaluate):
    ct = json.loads(evaluate("-f", "json").stdout)["categories"]["client_caretaking"]
    # 5 coded lines (2, 3, 4, 6, 7; headings are not turns): tp=1, fn=1, fp=0, tn=3
    po = 4 / 5
    pe = (1 / 5) * (2 / 5) + (4 / 5) * (3 / 5)
    assert ct["kappa"] == round((po - pe) / (1 - pe), 4)


def test_evaluate_table_and_thresholds(evaluate):
    r = evaluate()
    assert r.exit_code == 0
    assert "client_caretaking" in r.output and "misses (1)" in r.output and "Fine, busy." in r.output
    assert "sessions with a focus shift" in r.output
    assert evaluate("--no-text").output.count("Fine, busy.") == 0
    assert evaluate("--min-recall", "0.9").exit_code == 1
    assert evaluate("--min-precision", "0.9", "--min-recall", "0.5").exit_code == 0


def test_evaluate_errors(evaluate, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = evaluate(gold=bad)
    assert r.exit_code == 2 and "gold file is not valid JSON" in r.output
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"elsewhere.txt": {"therapist_emotion": [], "client_caretaking": []}}))
    r = evaluate(gold=other)
    assert r.exit_code == 2 and "no analyzed file has an entry" in r.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"s.txt": {"therapist_emotion": ["two"]}}))
    r = evaluate(gold=wrong)
    assert r.exit_code == 2 and "must be a list of positive line numbers" in r.output
