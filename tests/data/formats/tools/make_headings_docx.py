"""Build headings.docx from reference.txt (python-docx).

The body is the reference dialogue, one paragraph per turn written as
"Maya Lee: text" / "Sam Ortiz: text", split into two sections by real Word
heading paragraphs (built-in style "Heading 1"): "Check-in" before the first
turn and "Homework" before the turn that starts "We're nearly at time".

Run from anywhere:  python make_headings_docx.py
(needs python-docx: pip install python-docx)
"""
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent
# reference.txt labels its two speakers; the one who speaks first is shown as
# "Maya Lee", the other as "Sam Ortiz".
SHOWN_NAMES = ["Maya Lee", "Sam Ortiz"]


def read_turns(path):
    names = {}
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        label, text = line.split(": ", 1)
        if label not in names:
            names[label] = SHOWN_NAMES[len(names)]
        turns.append((names[label], text))
    return turns


def main():
    turns = read_turns(HERE / "reference.txt")
    doc = Document()
    doc.add_heading("Check-in", level=1)  # paragraph in style "Heading 1"
    for name, text in turns:
        if text.startswith("We're nearly at time"):
            doc.add_heading("Homework", level=1)
        doc.add_paragraph(f"{name}: {text}")
    doc.save(HERE / "headings.docx")


if __name__ == "__main__":
    main()
