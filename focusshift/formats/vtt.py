"""WebVTT captions (Zoom and Teams transcripts) -> Transcript.

Library: webvtt-py (``import webvtt``). It is the maintained WebVTT parser for
Python and knows the cue grammar: timestamps (with the lenient short fields
real files use), cue identifiers, cue settings, NOTE, STYLE and REGION blocks.
We use it to parse every cue block and for its timestamps.

What webvtt-py does not give, and this module does itself:

- Line numbers. webvtt-py keeps none, so the file is cut into blocks here with
  webvtt-py's own rules (a block ends at an empty line; a line with "-->" that
  cannot be the block's timing line starts a new block; unlike webvtt-py, a
  line of only spaces also ends a block, as hand-edited files have them
  between cues), each block is handed
  to ``webvtt.from_buffer`` on its own, and each cue text line keeps its
  physical line number. A block whose timing webvtt-py rejects (a malformed
  timing line) is a warning on that line; the rest of the file is still read.
- Leniency on the header. webvtt-py refuses a file whose first line is not
  ``WEBVTT`` (MalformedFileError, the whole file lost). Here blank lines before
  the header are tolerated, and a file without the header is read anyway with a
  warning. Timestamps written with a comma (``00:00:01,000``, from SRT
  converters), which webvtt-py rejects, are read as if written with a dot.
- Speakers. webvtt-py's ``Caption.voice`` only looks at a voice tag at the very
  start of the first line. Here every line is scanned: ``<v Name>`` and
  ``<v.loud Name>`` anywhere in a line (several voices on one line give several
  turns), an unclosed ``<v Name>text`` (the voice then lasts to the end of the
  cue), and Zoom's ``Name: text`` at the start of a line (same label rules as the
  native format).

Cues of one speaker that follow each other are merged into one turn (each cue
line stays its own Piece). A cue with no speaker continues the previous
speaker's turn; before any speaker it is a warning. A speakerless cue that holds
only annotations (``[door closes]``) is a scene note. Cues without text are
skipped silently. The turn's time is the start of its first cue, in seconds.

Text and columns: inline tags (``<b>``, ``<i>``, ``<c.x>``, ``</v>``,
``<00:00:01.000>``) are removed and character references (``&amp;``) decoded.
The column is where the visible text starts in the physical line (after the
voice tag or ``Name: ``); the text is verbatim at that column unless a tag or a
character reference sits *inside* it, in which case positions after that point
are approximate. Annotations keep the bracket form they are written in.

The cue-text logic (``cues.CueText``) is shared with the SRT reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import TranscriptError
from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .cues import CueText, warn_outside_cue
from .timecodes import COMMA_MILLIS

FORMAT = "vtt"

# What webvtt-py strips as cue tags (its re.sub('<.*?>', '', line)); a tag holds no '<', so a
# line of many '<' is scanned once, not once per '<'.
VTT_TAGS = re.compile(r"<[^<>]*>")


def sniff(head: str, name: str = "vtt") -> bool:
    """A WebVTT file starts with 'WEBVTT' (a BOM and blank lines tolerated)."""
    return head.lstrip("\ufeff \t\r\n").startswith("WEBVTT")


def read(data: bytes, path: str, options: ReadOptions | None = None) -> list[Transcript]:
    """Read a WebVTT file; one Transcript."""
    text = decode(data, path, getattr(options, "encoding", None))
    lines = split_lines(text)
    b = TranscriptBuilder(path, options, FORMAT)
    b.apply_options()
    b.last_line = len(lines)

    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:  # pragma: no cover - decode() already rejects blank files
        raise TranscriptError(path, 1, "the file is empty")
    has_header = lines[first].lstrip().upper().startswith("WEBVTT")
    if not has_header:
        b.warn(first + 1, "no 'WEBVTT' header on the first line; read as WebVTT anyway")
    blocks = list(_blocks(lines, first, has_header))
    if has_header:
        blocks = blocks[1:]

    cues = CueText(b, VTT_TAGS, unescape=True)
    for block in blocks:
        _read_block(block, b, cues)
    return [cues.finish(path, "cue", "'<v Name>text' voice tags (Teams) or 'Name: text' (Zoom)")]


# --------------------------------------------------------------------------- blocks


def _blocks(lines: list[str], start: int, has_header: bool) -> Iterator[list[tuple[int, str]]]:
    """Blocks of (line number, line) by webvtt-py's rules (its vtt._iter_blocks_of_lines)."""
    block: list[tuple[int, str]] = []
    in_header = has_header
    for idx in range(start, len(lines)):
        line = lines[idx]
        new_block = bool(
            block
            and "-->" in line
            and (in_header or len(block) > 1 or "-->" in block[0][1])
        )
        if not line.strip() or new_block:
            if block:
                yield block
                block = []
                in_header = False
        if line.strip():
            block.append((idx + 1, line))
    if block:
        yield block


def _is_keyword_block(first: str, word: str) -> bool:
    return first.startswith(word) and first[len(word) :][:1] in ("", " ", "\t")


def _read_block(block: list[tuple[int, str]], b: TranscriptBuilder, cues: CueText) -> None:
    texts = [t for _, t in block]
    if "-->" in texts[0]:
        timing = 0
    elif len(texts) > 1 and "-->" in texts[1]:
        timing = 1
    else:
        if any(_is_keyword_block(texts[0], w) for w in ("NOTE", "STYLE", "REGION")):
            return  # comments, styles and regions say nothing about who speaks
        warn_outside_cue(block, b, "HH:MM:SS.mmm --> HH:MM:SS.mmm")
        return

    # webvtt-py sees one block at a time, after a header of its own. A lone CR inside a line
    # would be a line break to it: a space keeps the lines aligned with ours.
    fed = [t.replace("\r", " ") for t in texts]
    fed[timing] = COMMA_MILLIS.sub(r"\1.\2", fed[timing])
    import webvtt  # here, not at the module's import: sniffing any file's format imports this module

    try:
        captions = webvtt.from_buffer(["WEBVTT", "", *fed]).captions
    except Exception:  # webvtt-py raises a few kinds on odd input; none may escape as a traceback
        captions = []
    if len(captions) != 1 or len(captions[0].lines) != len(texts) - timing - 1:
        line_no = block[timing][0]
        b.warn(line_no, f"malformed cue timing line {texts[timing].strip()!r} "
               "(expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm'); cue skipped")
        return
    caption = captions[0]
    time = caption.start_time.in_milliseconds() / 1000
    cues.cue(time, block[timing + 1 :])
