"""Readers: every input format becomes the same Transcript model.

Each format is a module with ``read(data: bytes, path: str, options) -> list[Transcript]``
(a spreadsheet can hold many sessions) and, for sniffing, ``sniff(head: str) -> bool``.

Readers take what they share only from the shared modules, never from one
another: ``common`` (options, decoding, physical lines), ``labels`` (speaker
labels, title words, the role map), ``timecodes`` (every timestamp pattern and
its parsing), ``annotations``, ``segments``, ``plaintext`` (the native line
grammar, also read by the Meet and Word readers), ``cues`` (caption cue text,
for WebVTT and SubRip) and ``builder`` (the TranscriptBuilder). The one
exception is delegation of a whole format: a Word document is read as a native
transcript or, when it is one, as a Google Meet transcript.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, TranscriptError
from ..model import Transcript
from .common import ReadOptions, apply_bom, decode_lines
from .native import read_native, read_native_lines
from .segments import parse_segment_rule

__all__ = [
    "FORMATS",
    "ReadOptions",
    "detect_format",
    "parse_segment_rule",
    "read_all",
    "read_bytes",
    "read_native",
    "read_path",
    "supported_suffixes",
]


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    suffixes: tuple[str, ...]
    description: str


# Order matters for sniffing: the most specific formats first, native last.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("vtt", "vtt", (".vtt",), "WebVTT captions (Zoom, Teams)"),
        Format("srt", "srt", (".srt",), "SubRip captions"),
        Format("chat", "chat", (".cha",), "TalkBank CHAT"),
        Format("whisper", "whisper", (), "speech-to-text JSON with segments (WhisperX, faster-whisper)"),
        Format("docx", "docx", (".docx",), "Word document, paragraphs read as native lines"),
        Format("csv", "table", (".csv",), "one utterance per row"),
        Format("tsv", "table", (".tsv", ".tab"), "one utterance per row, tab-separated"),
        Format("jsonl", "table", (".jsonl", ".ndjson"), "one utterance per JSON line"),
        Format("json", "table", (".json",), "a JSON array of utterances"),
        Format("meet", "meet", (), "Google Meet transcript (downloaded as text)"),
        Format("service", "service", (), "transcription-service text (Otter, Rev)"),
        Format("native", "native", (".txt", ".text"), "focusshift's own text format"),
    )
}


def supported_suffixes() -> tuple[str, ...]:
    return tuple(s for f in FORMATS.values() for s in f.suffixes)


def _reader(name: str):
    fmt = FORMATS[name]
    if fmt.module == "native":
        return lambda data, path, options: [read_native_lines(decode_lines(data, path, options.encoding), path, options)]
    module = importlib.import_module(f"{__name__}.{fmt.module}")
    if fmt.module == "table":
        return lambda data, path, options: module.read(data, path, options, kind=name)
    return module.read


def _head(data: bytes, encoding: str | None) -> str:
    """The start of the file as text, for sniffing (a byte-order mark's encoding honoured)."""
    encoding, data = apply_bom(data, encoding)
    try:
        return data[:16384].decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
    except LookupError:
        return data[:8192].decode("utf-8", errors="replace")


def detect_format(path: str, data: bytes, requested: str | None = None, encoding: str | None = None) -> str:
    """--input-format, else the extension, else the content; .txt may be service text."""
    if requested:
        if requested not in FORMATS:
            raise ConfigError(f"unknown input format {requested!r}; choose from {', '.join(FORMATS)}")
        return requested
    suffix = Path(path).suffix.lower() if path != "-" else ""
    by_suffix = next((f.name for f in FORMATS.values() if suffix in f.suffixes), None)
    if by_suffix == "json" and _head(data, encoding).lstrip()[:1] == "{":
        return "whisper"  # a .json object (not an array): speech-to-text segments
    if by_suffix not in (None, "native"):
        return by_suffix
    if data[:2] == b"PK":
        return "docx"
    head = _head(data, encoding)
    for name, fmt in FORMATS.items():
        if name in ("native", "docx"):
            continue
        module = importlib.import_module(f"{__name__}.{fmt.module}")
        sniff = getattr(module, "sniff", None)
        if sniff is not None and sniff(head, name):
            return name
    return "native"


def read_all(data: bytes, path: str, options: ReadOptions | None = None) -> list[Transcript]:
    """Every transcript in one input (most formats hold one; tables may hold many)."""
    options = options or ReadOptions()
    name = detect_format(path, data, options.input_format, options.encoding)
    return _reader(name)(data, path, options)


def read_bytes(data: bytes, path: str, options: ReadOptions | None = None) -> Transcript:
    """Decode and parse one transcript held in memory ('-' for stdin)."""
    found = read_all(data, path, options)
    if len(found) != 1:
        raise TranscriptError(path, None, f"holds {len(found)} sessions; use read_all()")
    return found[0]


def load(path: str | Path) -> bytes:
    name = str(path)
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise TranscriptError(name, None, "is a directory") from None
    except FileNotFoundError:
        raise TranscriptError(name, None, "no such file") from None
    except OSError as exc:
        raise TranscriptError(name, None, f"cannot read: {exc.strerror or exc}") from None


def read_path(path: str | Path, options: ReadOptions | None = None) -> Transcript:
    """Read one transcript file; never modifies it."""
    return read_bytes(load(path), str(path), options)
