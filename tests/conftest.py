"""Shared fixtures: one spaCy pipeline for the whole session (building it costs ~1 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from focusshift.api import Analyzer, analyze_text, analyzer_for
from focusshift.model import Analysis

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "sample_transcripts"
CORPUS = ROOT.parent / "shared" / "corpora" / "annomi"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    a = analyzer_for()  # the instance the CLI and the library reuse in this process
    a.nlp  # build once
    return a


@pytest.fixture(scope="session")
def run(analyzer):
    """Analyze native-format text: run("T: hi\\nC: hello") -> Analysis."""

    def _run(text: str) -> Analysis:
        return analyze_text(text, analyzer=analyzer)

    return _run
