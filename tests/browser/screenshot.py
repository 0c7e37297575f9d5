"""Make the README's screenshot of a report (headless Chromium through Playwright).

    python -m tests.browser.screenshot sample_transcripts/03_full_shift_recovery.txt docs/report-screenshot.png

Renders the transcript's report with the default settings, opens it in the
system's headless Chromium and saves the top of the page (header, chart,
tables) at 1280 px wide.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from focusshift.api import Analyzer
from focusshift.render.html import render_report

from .driver import Chromium


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    height = int(argv[2]) if len(argv) > 2 else 1640
    analysis = Analyzer().analyze(source)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(render_report(analysis), encoding="utf-8")
        with Chromium() as browser:
            page = browser.open(page_file.as_uri(), screenshot=target, width=1280, max_height=height)
    if page.errors:
        print("\n".join(page.errors), file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
