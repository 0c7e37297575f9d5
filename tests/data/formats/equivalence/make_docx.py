"""Regenerate session.docx from session.txt: one Word paragraph per line.

Run from anywhere: python tests/data/formats/equivalence/make_docx.py
The docx reader numbers lines by paragraph, so every event in session.docx is
on the same line as in session.txt.
"""

from __future__ import annotations

from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent


def main() -> None:
    document = docx.Document()
    for line in (HERE / "session.txt").read_text("utf-8").splitlines():
        document.add_paragraph(line)
    # python-docx's default template starts with no paragraphs; keep it that way
    # so that paragraph N is line N of session.txt.
    document.core_properties.title = "Equivalence session"
    document.core_properties.author = "focusshift tests"
    document.save(HERE / "session.docx")


if __name__ == "__main__":
    main()
