"""Every timestamp the readers understand, as one family of patterns, and their parsing.

The building blocks (no groups, so they compose into any pattern):

- ``MIN_SEC``: ``M:SS`` or ``MM:SS``;
- ``CLOCK``: ``[H:]M:SS`` (``0:12``, ``02:03``, ``01:02:03``);
- ``HMS``: ``H:MM:SS`` with the hours always written (``00:05:00``);
- ``FRACTION``: ``.5`` or ``,500`` after the seconds;
- ``TIME``: a ``CLOCK`` with an optional ``FRACTION``, as text transcripts write it.

SubRip timing lines and TalkBank CHAT bullets have grammars of their own
(hours of any width, milliseconds); they live here too, so that one module
parses every timestamp. All patterns are linear on any input.
"""

from __future__ import annotations

import re
from typing import Any

MIN_SEC = r"\d{1,2}:\d{2}"
CLOCK = rf"(?:\d{{1,2}}:)?{MIN_SEC}"
HMS = r"\d{1,2}:\d{2}:\d{2}"
FRACTION = r"[.,]\d+"
TIME = rf"{CLOCK}(?:{FRACTION})?"

# A line that starts with a timestamp: '[00:01:02]', '(01:02)' or a bare '00:01:02'.
LEADING_TIMESTAMP = re.compile(
    rf"^\s*(?:\[(?P<a>{TIME})\]|\((?P<b>{TIME})\)|(?P<c>{HMS}(?:{FRACTION})?))\s*"
)
# A bracketed timestamp right after a speaker label ("Name: [00:01:00] text", as Descript writes).
BRACKETED_TIMESTAMP = re.compile(rf"(?:\[(?P<a>{TIME})\]|\((?P<b>{TIME})\))")
# Text that is nothing but a timestamp ("[00:12]" is a time, not an annotation).
ONLY_TIME = re.compile(rf"^\s*{TIME}\s*$")
# A caption line that looks meant as a timing line: starts with a time, or has an arrow.
TIMING_LIKE = re.compile(rf"^\s*{MIN_SEC}|->")
# A WebVTT timestamp written with a comma before the milliseconds (SRT style): '1:02,500'.
COMMA_MILLIS = re.compile(r"(\d:\d{1,2}),(\d{1,3})(?!\d)")

# SubRip: '00:00:01,000 --> 00:00:02,500', hours of any width, '.' allowed for ','.
SRT_TIME = r"(\d{1,9}):(\d{1,2}):(\d{1,2})(?:[,.](\d{1,9}))?"
SRT_TIMING = re.compile(rf"^[ \t]*+{SRT_TIME}[ \t]*+-->[ \t]*+{SRT_TIME}(?:[ \t].*)?$")
_SRT_STAMP = rf"{HMS}[,.]\d{{1,3}}"
# A SubRip file's first block: an index line, then a timing line.
SRT_START = re.compile(rf"\A\s*\d+[ \t]*\r?\n[ \t]*{_SRT_STAMP}[ \t]*-->[ \t]*{_SRT_STAMP}")

# TalkBank CHAT media bullet: \x15START_END\x15 in milliseconds (an optional %snd:"file"_ before).
CHAT_BULLET = re.compile(r"\x15(?:%\w+:\"[^\"]*\"_)?(\d+)_(\d+)[^\x15]*\x15")


def parse_time(value: str) -> float:
    """'01:02:03', '02:03' or '02:03.5' (or '02:03,5') -> seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def srt_start(m: re.Match[str]) -> float:
    """Seconds at the start of an SRT_TIMING match."""
    h, mi, sec, frac = m.group(1), m.group(2), m.group(3), m.group(4) or "0"
    return int(h) * 3600 + int(mi) * 60 + int(sec) + int(frac) / 10 ** len(frac)


def chat_bullet_time(text: str) -> float | None:
    """Seconds from the first CHAT timing bullet in the text, if any."""
    m = CHAT_BULLET.search(text)
    return int(m.group(1)) / 1000 if m else None


def cell_time(value: Any) -> float | None:
    """A time from a table cell or JSON value: seconds as a number, '12.5', '01:02', '[01:02]'."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    s = str(value).strip()
    try:
        return float(s)
    except ValueError:
        pass
    try:
        return parse_time(s.strip("[]()"))
    except ValueError:
        return None
