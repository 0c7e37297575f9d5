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
    except ValueError as exc:  # e.g. a number with more digits than Python converts
        raise TranscriptError(path, 1, f"not valid JSON: {exc}") from None


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One Transcript from a JSON object with diarized "segments"."""
    text = decode(data, path, getattr(options, "encoding", None))
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

    texts = _Texts(raw)
    cursor = 0
    speakers = 0
    unattributed: int | None = None
    for i, seg in enumerate(doc["segments"]):
        if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
            line = bisect.bisect_right(starts, cursor)
            b.warn(line, f"segment {i + 1} has no text; skipped")
            continue
        said = seg["text"]
        pos, cursor = texts.locate(said, cursor)
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


_TEXT_KEY = re.compile(r'"text"\s*+:\s*+"')


class _Texts:
    """Where each "text" string value starts in the file, found in one pass.

    Segments are matched to these in order, by value, so a segment's position
    is found in time linear in the file however its text is escaped.
    """

    def __init__(self, raw: str) -> None:
        self.at: dict[str, list[int]] = {}
        for m in _TEXT_KEY.finditer(raw):
            try:
                value, _end = json.decoder.scanstring(raw, m.end())  # type: ignore[attr-defined]
            except (ValueError, RecursionError):
                continue
            self.at.setdefault(value, []).append(m.end())
        self.used: dict[str, int] = {}

    def locate(self, said: str, cursor: int) -> tuple[int, int]:
        """(start of the value, new cursor): the first unused occurrence at or after cursor."""
        spots = self.at.get(said, [])
        k = self.used.get(said, 0)
        while k < len(spots) and spots[k] < cursor:
            k += 1
        if k >= len(spots):
            return cursor, cursor
        self.used[said] = k + 1
        return spots[k], spots[k] + 1
