"""The native focusshift text format (see docs/transcript-format.md).

The line grammar itself is in ``plaintext``, shared with the Google Meet and
Word readers.
"""

from __future__ import annotations

from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, split_lines
from .plaintext import read_body, read_header


def read_native(text: str, path: str, options: ReadOptions | None = None) -> Transcript:
    """Parse native-format text into a Transcript; raise TranscriptError when nothing is usable."""
    lines = split_lines(text)
    del text  # a long transcript is held once at a time: the text, then its lines, then the turns
    return read_native_lines(lines, path, options)


def read_native_lines(lines: list[str], path: str, options: ReadOptions | None = None) -> Transcript:
    """read_native on the file's lines (common.decode_lines); the list is consumed as it is read."""
    b = TranscriptBuilder(path, options, "native")
    start = read_header(lines, b)
    read_body(lines, start, b)
    del lines
    return b.build()
