"""Progress inside one big file: the bar moves while a long transcript is analyzed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from focusshift.api import Analyzer
from focusshift.progress import reporting, tick

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
    pytest.importorskip("pty")
    import pty

    big = tmp_path / "big.txt"
    big.write_text(_long_session(420), "utf-8")
    assert big.stat().st_size > 1 << 20
    code = ("import sys; from focusshift.cli import main; "
            f"sys.argv = ['focusshift', 'analyze', {str(big)!r}, '-f', 'jsonl', '-o', '/dev/null']; main()")
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c", code])
    seen = b""
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    assert b"analyzing" in seen and b"% of" in seen and b"big.txt" in seen
