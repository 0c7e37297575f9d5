"""Progress inside one big file: the bar moves while a long transcript is analyzed."""

from __future__ import annotations

from pathlib import Path

import pytest

from focusshift.api import Analyzer
from focusshift.progress import reporting, tick

from .conftest import on_terminal

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"


def _long_session(copies: int) -> str:
    body = [ln for ln in (SAMPLES / "03_full_shift_recovery.txt").read_text("utf-8").splitlines()
            if not ln.startswith("@")]
    return "@therapist: Counsellor\n@client: Client\n\n" + "\n".join(body * copies) + "\n"


def test_tick_without_a_callback_does_nothing():
    tick(1, 2, "detect")  # no error, no effect


def test_one_long_session_reports_growing_fractions():
    seen: list[float] = []
    analyzer = Analyzer()
    transcript = analyzer.read_bytes(_long_session(60).encode(), "long.txt")
    with reporting(seen.append):
        analyzer.analyze_transcript(transcript)
    assert len(seen) >= 5, seen
    assert seen == sorted(seen), "progress never goes back"
    assert 0.0 <= seen[0] < 0.5 and seen[-1] > 0.7


@pytest.mark.slow
def test_bar_shows_progress_within_one_big_file(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text(_long_session(420), "utf-8")
    assert big.stat().st_size > 1 << 20
    seen = on_terminal(["analyze", str(big), "-f", "jsonl", "-o", "/dev/null"], timeout=120)
    assert b"analyzing" in seen and b"% of" in seen and b"big.txt" in seen
