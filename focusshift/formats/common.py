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
    data = _checked_utf8(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise _bad_utf8(path, line, data[line_start:exc.start], data[exc.start]) from None


def _checked_utf8(data: bytes, path: str) -> bytes:
    """The data after a UTF-8 byte-order mark; an error for an empty or binary file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise TranscriptError(path, 1, "the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise TranscriptError(path, line, "this looks like a binary file, not a text transcript "
                              "(or text in an encoding without a byte-order mark: name it with --encoding)")
    return data


def _bad_utf8(path: str, line: int, before: bytes, byte: int) -> TranscriptError:
    col = len(before.decode("utf-8", errors="replace")) + 1
    return TranscriptError(
        path,
        line,
        f"invalid UTF-8 (byte 0x{byte:02x} at column {col}); "
        "save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)",
    )


def decode_lines(data: bytes, path: str, encoding: str | None = None) -> list[str]:
    """split_lines(decode(...)), without the whole text as one string.

    A UTF-8 file is split into lines first and each line decoded on its own
    (a newline byte never sits inside a UTF-8 character, so the text and the
    errors are the same): a long file's text is not held twice over, and one
    curly quote does not make every character of the file take two bytes.
    """
    encoding, data = apply_bom(data, encoding)
    if encoding is not None and encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
        return split_lines(decode(data, path, encoding))
    lines = _checked_utf8(data, path).split(b"\n")
    del data
    for n, raw in enumerate(lines):
        try:
            lines[n] = raw.decode("utf-8")  # type: ignore[call-overload]  # each line replaced in turn
        except UnicodeDecodeError as exc:
            raise _bad_utf8(path, n + 1, raw[:exc.start], raw[exc.start]) from None
    text_lines: list[str] = lines  # type: ignore[assignment]
    if text_lines and text_lines[0].startswith("\ufeff"):
        text_lines[0] = text_lines[0][1:]
    if text_lines and text_lines[-1] == "":
        text_lines.pop()
    for n, ln in enumerate(text_lines):
        if ln.endswith("\r"):
            text_lines[n] = ln[:-1]
    return text_lines


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
