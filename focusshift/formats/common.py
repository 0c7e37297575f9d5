"""What every reader shares first: read options, decoding bytes to text, physical lines.

Speaker labels and role maps are in ``labels``, timestamps in ``timecodes``,
annotations in ``annotations``, segmentation in ``segments`` and caption cue
text in ``cues``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import TranscriptError


@dataclass(frozen=True)
class ReadOptions:
    """How to read: role names, segmentation, format and column choices."""

    therapist: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    segment_by: str = "turns:20"
    input_format: str | None = None  # None: by extension, then by sniffing the content
    columns: tuple[tuple[str, str], ...] = ()  # for tables: (field, column name)
    infer_roles: bool = True  # give speakers with no role one from the conversation (focusshift.roles)
    encoding: str | None = None  # None: UTF-8, or what a byte-order mark says


BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def apply_bom(data: bytes, encoding: str | None = None) -> tuple[str | None, bytes]:
    """(encoding, data after the mark): a byte-order mark names the encoding unless one is given."""
    if encoding is None:
        for bom, name in BOMS:
            if data.startswith(bom):
                return name, data[len(bom):]
    return encoding, data


def decode(data: bytes, path: str, encoding: str | None = None) -> str:
    """UTF-8, or the encoding a byte-order mark names (UTF-16 as Windows Notepad writes it), or `encoding`.

    Clinical files must not be guessed at: anything else is an error that names
    the line and column of the first bad byte and the --encoding option.
    """
    encoding, data = apply_bom(data, encoding)
    if encoding is not None and encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
        try:
            text = data.decode(encoding)
        except LookupError:
            raise TranscriptError(path, None, f"unknown encoding {encoding!r} (--encoding)") from None
        except UnicodeDecodeError as exc:
            raise TranscriptError(
                path, None, f"not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "check --encoding") from None
        text = text.removeprefix("\ufeff")
        if not text.strip():
            raise TranscriptError(path, 1, "the file is empty")
        nul = text.find("\x00")
        if nul != -1:
            raise TranscriptError(path, text.count("\n", 0, nul) + 1,
                                  "this looks like a binary file, not a text transcript")
        return text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise TranscriptError(path, 1, "the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise TranscriptError(path, line, "this looks like a binary file, not a text transcript "
                              "(or text in an encoding without a byte-order mark: name it with --encoding)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise TranscriptError(
            path,
            line,
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at column {col}); "
            "save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)",
        ) from None


def split_lines(text: str) -> list[str]:
    """Physical lines, tolerating CRLF and a stray BOM; numbering matches editors'."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


@lru_cache(maxsize=1)
def nonverbal_words() -> frozenset[str]:
    """Words that make a parenthesised '(...)' a non-verbal event rather than speech."""
    text = resources.files("focusshift.lexicon").joinpath("nonverbal.txt").read_text("utf-8")
    return frozenset(
        " ".join(w.split()).casefold() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )
