"""Google Meet transcripts, as downloaded from the Google Doc that Meet writes.

Shape (tests/data/formats/tools/SOURCES.md has the sources)::

    Weekly session - 2025/06/12 10:00 BST - Transcript
    Attendees
    Maya Lee, Sam Ortiz
    Transcript
    Maya Lee: Hi Sam, come on in. ...
    Sam Ortiz: Honestly, not great. ...
    00:05:00
    ...
    Meeting ended after 00:05:24 👋
    This editable transcript was computer generated and might contain errors. ...

The title, attendee and "Transcript" lines, the closing "Meeting ended after"
line and the disclaimer after it are metadata (``meta``: ``title``,
``attendees``, ``duration``), never turns. The body is read as native text
(``plaintext.read_body``):
``Name: text`` lines, one turn each; a bare ``HH:MM:SS`` line (Meet writes one
every five minutes) dates the turns after it. Downloaded as plain text the
file starts with a byte-order mark and has CRLF line ends; both are fine. A
Meet transcript downloaded as .docx is recognised by the docx reader and read
the same way.
"""

from __future__ import annotations

import re

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .plaintext import read_body
from .timecodes import HMS

FORMAT = "meet"

_TITLE = re.compile(r"^(?P<title>.*\S)\s+-\s+Transcript\s*$")
_ENDED = re.compile(rf"^Meeting ended after (?P<duration>{HMS})\b")


def _nonblank(lines: list[str], limit: int) -> list[int]:
    return [i for i, ln in enumerate(lines) if ln.strip()][:limit]


def looks_like_meet(lines: list[str]) -> bool:
    """A title line ending '- Transcript' then 'Attendees', or Meet's closing line."""
    first = _nonblank(lines, 2)
    if len(first) == 2 and _TITLE.match(lines[first[0]].lstrip("\ufeff").strip()) \
            and lines[first[1]].strip() == "Attendees":
        return True
    return any(_ENDED.match(ln.strip()) for ln in lines[-5:])


def metadata(lines: list[str]) -> tuple[dict[str, object], frozenset[int]]:
    """Meet's header and footer: (meta, indices of the lines that are not transcript)."""
    meta: dict[str, object] = {}
    skip: set[int] = set()
    head = _nonblank(lines, 4)
    k = 0
    if head and (m := _TITLE.match(lines[head[0]].lstrip("\ufeff").strip())):
        meta["title"] = m.group("title")
        skip.add(head[0])
        k = 1
    if k < len(head) and lines[head[k]].strip() == "Attendees":
        skip.add(head[k])
        if k + 1 < len(head):
            names = lines[head[k + 1]].strip()
            meta["attendees"] = [n.strip() for n in names.split(",") if n.strip()]
            skip.add(head[k + 1])
            k += 2
    if k < len(head) and lines[head[k]].strip() == "Transcript":
        skip.add(head[k])
    for i, ln in enumerate(lines):
        m = _ENDED.match(ln.strip())
        if m:
            meta["duration"] = m.group("duration")
            skip.update(range(i, len(lines)))  # the closing line and Meet's disclaimer after it
            break
    return meta, frozenset(skip)


def read_lines(lines: list[str], path: str, options: ReadOptions | None, fmt: str = FORMAT) -> Transcript:
    b = TranscriptBuilder(path, options, fmt)
    meta, skip = metadata(lines)
    b.meta.update(meta)
    read_body(lines, 0, b, skip)
    return b.build()


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One Transcript from a Meet transcript downloaded as plain text."""
    return [read_lines(split_lines(decode(data, path, getattr(options, "encoding", None))), path, options)]


def sniff(head: str, name: str) -> bool:
    return looks_like_meet(split_lines(head.lstrip("\ufeff")))
