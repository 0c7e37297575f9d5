"""Every dev-set session rewritten as a meeting or captioning tool would write it (names, no role
header, no headings) gives the events of the native file, with no flag."""

from __future__ import annotations

import pytest

from focusshift.formats import ReadOptions, read_all

from .conftest import DATA
from .convert import WRITERS

SESSIONS = sorted((DATA / "devset").glob("*/*.txt"))
# A phrase broken over two lines of one native turn is two matches there and one in a CSV cell,
# where the lines are joined ("Here - take my / hanky").
KNOWN = {("csv", "h06_three_squeezes.txt")}


def fingerprint(analyzer, transcript):
    return [(e.category, e.subtype, e.role, e.text) for e in analyzer.analyze_transcript(transcript).events]


@pytest.fixture(scope="module")
def rules_analyzer(analyzer):
    from focusshift.api import Analyzer

    a = Analyzer(detector="rules")
    a._nlp = analyzer.nlp
    return a


def _native(analyzer):
    out = {}
    for f in SESSIONS:
        [t] = analyzer.read_all(f)
        out[f.name] = (t, fingerprint(analyzer, t))
    return out


@pytest.fixture(scope="module")
def native_rules(rules_analyzer):
    return _native(rules_analyzer)


@pytest.fixture(scope="module")
def native_both(analyzer):
    return _native(analyzer)


def _differ(analyzer, native, fmt):
    write, ext = WRITERS[fmt]
    differ = []
    for name, (t, events) in native.items():
        [u] = read_all(write(t).encode("utf-8"), f"{name}.{ext}", ReadOptions())
        assert {s.role for s in u.speakers} >= {"therapist", "client"}, name
        if fingerprint(analyzer, u) != events and (fmt, name) not in KNOWN:
            differ.append(name)
    return differ


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_devset_in_other_formats_gives_the_native_events(rules_analyzer, native_rules, fmt):
    assert _differ(rules_analyzer, native_rules, fmt) == []
    assert len(native_rules) >= 90


# The classifier reads a line at a time: formats that keep the native lines give its events too.
# (A CSV joins a turn's lines into one cell, so the classifier reads other text there.)
@pytest.mark.parametrize("fmt", sorted(set(WRITERS) - {"csv"}))
def test_devset_in_line_keeping_formats_gives_the_classifiers_events_too(analyzer, native_both, fmt):
    assert _differ(analyzer, native_both, fmt) == []
