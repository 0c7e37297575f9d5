"""Readers: every input format becomes one Transcript model."""

from __future__ import annotations

from pathlib import Path

from ..errors import TranscriptError
from ..model import Transcript
from .common import ReadOptions, decode, parse_segment_rule
from .native import read_native

__all__ = ["ReadOptions", "parse_segment_rule", "read_bytes", "read_path", "read_native"]


def read_bytes(data: bytes, path: str, options: ReadOptions | None = None) -> Transcript:
    """Decode and parse one transcript held in memory ('-' for stdin)."""
    return read_native(decode(data, path), path, options)


def read_path(path: str | Path, options: ReadOptions | None = None) -> Transcript:
    """Read one transcript file; never modifies it."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise TranscriptError(name, None, "is a directory") from None
    except FileNotFoundError:
        raise TranscriptError(name, None, "no such file") from None
    except OSError as exc:
        raise TranscriptError(name, None, f"cannot read: {exc.strerror or exc}") from None
    return read_bytes(data, name, options)
