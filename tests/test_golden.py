"""Golden JSON for every bundled sample: any change in events or scores shows up as a diff.

After an intended change, regenerate with:
    FOCUSSHIFT_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py
and review the diff of tests/data/golden/ before committing it.
"""

from __future__ import annotations

import json
import os

import pytest

from focusshift.render.data import analysis_to_dict

from .conftest import DATA, ROOT, SAMPLES

GOLDEN = DATA / "golden"
CASES = sorted(p.name for p in SAMPLES.glob("*.txt"))


def test_there_are_enough_samples():
    assert len(CASES) >= 6


@pytest.mark.parametrize("name", CASES)
def test_sample_matches_golden(analyzer, name):
    analysis = analyzer.analyze(SAMPLES / name)
    got = analysis_to_dict(analysis)
    got["path"] = (SAMPLES / name).relative_to(ROOT).as_posix()
    golden = GOLDEN / name.replace(".txt", ".json")
    if os.environ.get("FOCUSSHIFT_REGEN_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert got == expected
