"""The rule files are data: lint them like codespell lints its dictionaries."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from focusshift.config import load_config
from focusshift.errors import LexiconError
from focusshift.lexicon import (CONFIDENCE_FILE, CONTEXT_FILE, MARKER_FILES, ROLES_FILE, TERMS_FILE, load_lexicon,
                                parse_rules)

DATA = resources.files("focusshift.lexicon").joinpath("data")
ALL_FILES = (*MARKER_FILES, CONTEXT_FILE)


@pytest.mark.parametrize("name", ALL_FILES)
def test_rule_file_is_registered_and_valid(name):
    text = DATA.joinpath(name).read_text("utf-8")
    lex = load_lexicon()
    rules = parse_rules(text, name, lex.terms)
    assert rules, f"{name} is empty"


def test_every_data_file_is_registered():
    present = {p.name for p in DATA.iterdir() if p.name.endswith((".jsonl", ".json"))}
    assert present == {*ALL_FILES, TERMS_FILE, ROLES_FILE, CONFIDENCE_FILE}


@pytest.mark.parametrize("name", ALL_FILES)
def test_rule_lines_are_formatted(name):
    for n, line in enumerate(DATA.joinpath(name).read_text("utf-8").splitlines(), 1):
        obj = json.loads(line)
        assert obj.get("comment"), f"{name}:{n} has no comment saying what the rule is for"
        assert obj["id"].split(".")[0] in {"te", "ct", "rp", "cx"}, f"{name}:{n} id prefix"


def test_ids_are_unique_across_files():
    seen = {}
    for name in ALL_FILES:
        for line in DATA.joinpath(name).read_text("utf-8").splitlines():
            rid = json.loads(line)["id"]
            assert rid not in seen, f"{rid} in {name} and {seen[rid]}"
            seen[rid] = name


def test_every_subtype_has_a_weight():
    config = load_config()
    for rule in load_lexicon().markers.values():
        assert rule.subtype in config.weights[rule.label], f"{rule.id}: no weight for {rule.subtype}"


def test_terms_have_no_duplicates():
    terms = json.loads(DATA.joinpath(TERMS_FILE).read_text("utf-8"))
    for name, words in terms.items():
        if name.startswith("_"):
            continue
        assert len(words) == len(set(words)), f"{name} has duplicates"
        assert all(w == w.lower() for w in words), f"{name} must be lower-case"


def test_nonverbal_list_is_sorted_and_unique():
    text = resources.files("focusshift.lexicon").joinpath("nonverbal.txt").read_text("utf-8")
    words = [w for w in text.splitlines() if w and not w.startswith("#")]
    assert words == sorted(set(words))


@pytest.mark.parametrize(
    "line,message",
    [
        ("not json", "not valid JSON"),
        ('{"id": "x", "label": "therapist_emotion"}', "missing key(s)"),
        ('{"id": "x", "label": "nope", "subtype": "s", "role": "client", "source": "speech", "pattern": "a"}', "label 'nope'"),
        ('{"id": "x", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": [{"LOWER": {"IN": "@nosuch"}}]}', "unknown word set"),
        ('{"id": "x", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": "a", "colour": 1}', "unknown key(s) colour"),
        ('{"id": "x", "label": "client_caretaking", "subtype": "s", "role": "client", "source": "speech", "pattern": [{"BADATTR": "a"}]}', "invalid token pattern"),
        ('{"id": "x", "category": "negated", "pattern": "not", "direction": "sideways"}', "direction must be"),
    ],
)
def test_loader_errors_name_the_line(tmp_path, line, message):
    f = tmp_path / "rules.jsonl"
    f.write_text('// a comment line\n\n' + line + "\n")
    with pytest.raises(LexiconError) as exc:
        load_lexicon([f])
    assert exc.value.line == 3
    assert message in str(exc.value)
    assert str(exc.value).startswith(f"{f}:3: ")


def test_user_file_overrides_adds_and_disables(tmp_path):
    f = tmp_path / "mine.jsonl"
    f.write_text(
        '{"id": "ct.check.are_you_ok", "disabled": true}\n'
        '{"id": "my.cuppa", "label": "client_caretaking", "subtype": "practical_care", "role": "client",'
        ' "source": "speech", "pattern": "fancy a cuppa"}\n'
    )
    lex = load_lexicon([f])
    assert "ct.check.are_you_ok" not in lex.markers
    assert lex.markers["my.cuppa"].pattern == [{"LOWER": "fancy"}, {"LOWER": "a"}, {"LOWER": "cuppa"}]


def test_user_rules_reach_detection(tmp_path):
    from focusshift.api import Analyzer, analyze_text

    f = tmp_path / "mine.jsonl"
    f.write_text(
        '{"id": "my.cuppa", "label": "client_caretaking", "subtype": "practical_care", "role": "client",'
        ' "source": "speech", "pattern": "fancy a cuppa"}\n'
    )
    a = analyze_text("T: hello\nC: Fancy a cuppa?\n", analyzer=Analyzer(lexicon_files=[f]))
    assert [(e.line, e.rule) for e in a.events] == [(2, "my.cuppa")]
