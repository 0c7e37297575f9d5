"""`focusshift lexicon list` and `focusshift lexicon check` (--try included)."""

from __future__ import annotations

import json


def test_lexicon_list(invoke):
    r = invoke(["lexicon", "list"])
    assert r.exit_code == 0
    assert "ct.check.are_you_ok" in r.output and "te.ann.crying" in r.output
    assert "weight 0.8" in r.output
    out = invoke(["lexicon", "list", "--category", "client_caretaking", "-f", "jsonl"]).output
    rows = [json.loads(x) for x in out.splitlines()]
    assert rows and all(row["label"] == "client_caretaking" for row in rows)
    assert {"id", "subtype", "weight", "pattern", "condition"} <= set(rows[0])
    ctx = invoke(["lexicon", "list", "--category", "context"]).output
    assert "cx.neg.not" in ctx and "negated" in ctx


def test_lexicon_check_ok_and_try(invoke, tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text('{"id": "my.cuppa", "label": "client_caretaking", "subtype": "practical_care", "role": "client", "source": "speech", "pattern": "fancy a cuppa"}\n')
    r = invoke(["lexicon", "check", f])
    assert r.exit_code == 0 and f"{f}: OK (1 marker rule(s), 0 context rule(s))" in r.output
    r = invoke(["lexicon", "check", f, "--try", "Fancy a cuppa? My sister asked me, are you okay?", "--role", "client"])
    assert "my.cuppa" in r.output and "-> counts" in r.output
    assert "cancelled by reported" in r.output
    r = invoke(["lexicon", "check", f, "--try", "are you okay?", "--role", "therapist"])
    assert "this rule is for the client's words" in r.output
    r = invoke(["lexicon", "check", f, "--try", "the weather is nice"])
    assert "no rule matches" in r.output


def test_lexicon_check_errors_name_line(invoke, tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "a", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": "x"}\n'
                 '{"id": "a", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": "y"}\n')
    r = invoke(["lexicon", "check", f])
    assert r.exit_code == 2
    assert f"{f}:2: duplicate id 'a' (first on line 1)" in r.output
