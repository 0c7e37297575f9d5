"""Speech-to-text JSON with diarized segments: WhisperX, faster-whisper pipelines, OpenAI Whisper.

Shape (tests/data/formats/tools/SOURCES.md has the sources)::

    {"segments": [{"start": 0.935, "end": 2.602, "text": " Hi Sam, come on in.",
                   "words": [...], "speaker": "SPEAKER_00"}, ...],
     "word_segments": [...], "language": "en"}

WhisperX's ``--output_format json`` writes that on one line (``json.dump`` with
no indent); pretty-printed copies (``jq .``) and the faster-whisper
diarization pipelines' ``{"segments": [...]}`` read the same. Only each
segment's ``speaker``, ``start`` and ``text`` are read; word lists, scores and
every other key are ignored.

- Consecutive segments of one speaker are one turn (as caption cues are); each
  segment is its own piece of the turn, with its own line and column.
- Line numbers point into the file as it is: line 1 for every segment of a
  one-line WhisperX file, with the column where the segment's text starts in
  that line (after Whisper's leading space). The text is verbatim at that
  column unless it holds a JSON escape (``\\"``, ``\\u00e9``); after one,
  positions are approximate.
- A segment without a speaker (WhisperX leaves it out when no speaker overlaps
  the segment) continues the previous speaker's turn, with one warning; before
  any speaker it is skipped with a warning. A file with no speaker at all was
  not diarized: an error says so.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from ..errors import TranscriptError
from ..model import Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode

FORMAT = "whisper"


def sniff(head: str, name: str = FORMAT) -> bool:
    """A JSON object whose keys include "segments"."""
    stripped = head.lstrip("\ufeff \t\r\n")
    return stripped.startswith("{") and '"segments"' in stripped


def _load(text: str, path: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise TranscriptError(path, 1, "JSON nested too deeply to be a transcript") from None


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One Transcript from a JSON object with diarized "segments"."""
    text = decode(data, path)
    raw = text[1:] if text.startswith("\ufeff") else text
    doc = _load(raw, path)
    if not isinstance(doc, dict) or not isinstance(doc.get("segments"), list):
        raise TranscriptError(
            path, 1,
            'expected a JSON object with a "segments" list (WhisperX / faster-whisper output); '
            "for a list of utterances use a JSON array of {speaker, text} objects",
        )
    starts = [0] + [m.end() for m in re.finditer("\n", raw)]
    b = TranscriptBuilder(path, options, FORMAT)
    b.apply_options()
    b.first_body_line = 1
    b.last_line = len(starts)
    if isinstance(doc.get("language"), str):
        b.meta["language"] = doc["language"]

    cursor = 0
    speakers = 0
    unattributed: int | None = None
    for i, seg in enumerate(doc["segments"]):
        if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
            line = bisect.bisect_right(starts, cursor)
            b.warn(line, f"segment {i + 1} has no text; skipped")
            continue
        said = seg["text"]
        pos, cursor = _locate(raw, said, cursor)
        stripped = said.lstrip()
        pos += len(said) - len(stripped)
        line = bisect.bisect_right(starts, pos)
        column = pos - starts[line - 1]
        said = stripped.rstrip()
        if not said:
            continue
        start = seg.get("start")
        time = float(start) if isinstance(start, (int, float)) and not isinstance(start, bool) else None
        speaker = seg.get("speaker")
        if isinstance(speaker, (str, int)) and str(speaker).strip():
            speakers += 1
            b.turn(str(speaker).strip(), line, column, said, time, merge=True)
        elif b.continuation(line, column, said):
            if unattributed is None:
                unattributed = line
                b.warn(line, f"segment {i + 1} has no speaker; it and any later segment without one "
                             "continue the previous speaker's turn")
        else:
            b.warn(line, f"segment {i + 1} has no speaker and nothing before it to continue; skipped")
    if not speakers:
        raise TranscriptError(
            path, 1,
            "no segment has a speaker: this transcript was not diarized "
            "(run whisperx with --diarize, or give each segment a \"speaker\")",
        )
    return [b.build()]


def _locate(raw: str, said: str, cursor: int) -> tuple[int, int]:
    """Where a segment's text value starts in the file (after its quote), searching from cursor."""
    for encoded in (json.dumps(said, ensure_ascii=False), json.dumps(said)):
        m = re.compile(r'"text"\s*:\s*' + re.escape(encoded)).search(raw, cursor)
        if m:
            return m.end() - len(encoded) + 1, m.end()
    return cursor, cursor
