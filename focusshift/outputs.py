"""Where results are written, so that nothing a user has is ever lost.

- An output path that is, or resolves to, an input (the same file by any name:
  a symlink, a hard link, `./x` for `x`) is refused before anything is written.
- A regular file (or a new one) is written to a temporary file beside it and
  renamed over it only when the run completes: an interrupted run leaves the
  old file as it was and no partial file. The new file gets the mode the
  user's umask gives (as any program's output would), or 0600 with
  ``private=True``.
- Anything that is not a regular file (a device such as /dev/null or
  /dev/stdout, a FIFO) is written to directly: never replaced by a file.
- A folder that does not exist is an error that says so.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import FocusshiftError


class OutputError(FocusshiftError):
    """An output path that cannot or must not be written."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name one file (symlinks, hard links, relative spellings)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        try:
            return Path(a).resolve() == Path(b).resolve()
        except OSError:
            return False


def check_not_input(target: str | Path, inputs: Iterable[str | Path], flag: str = "-o") -> None:
    """Refuse an output path that is one of the inputs."""
    for src in inputs:
        if str(src) == "-":
            continue
        if same_file(target, src):
            raise OutputError(
                f"{flag} {target}: that is an input file ({src}); choose another output path, "
                "focusshift never writes over a transcript"
            )


def check_writable_place(target: Path, flag: str = "-o") -> None:
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{flag} {target}: is a folder; give a file name")
    if not parent.exists():
        raise OutputError(f"{flag} {target}: the folder {parent} does not exist; create it first")
    if not parent.is_dir():
        raise OutputError(f"{flag} {target}: {parent} is not a folder")


@contextmanager
def open_output(
    path: str | None,
    inputs: Iterable[str | Path] = (),
    *,
    private: bool = False,
    flag: str = "-o",
    encoding: str = "utf-8",
) -> Iterator[IO[str]]:
    """A text stream for the results: stdout, a device as it is, or a file replaced when done."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    check_not_input(target, inputs, flag)
    if target.exists() and not target.is_dir():
        mode = target.stat().st_mode
        if not stat.S_ISREG(mode):  # /dev/null, /dev/stdout, a FIFO: write to it, never replace it
            with open(target, "w", encoding=encoding, newline="") as fh:
                yield fh
            return
    check_writable_place(target, flag)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise OutputError(f"{flag} {target}: cannot write there: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, 0o600 if private else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_file(path: Path, text: str, inputs: Iterable[str | Path] = (), *, private: bool = False,
               flag: str = "-o") -> None:
    """Write one whole file the same safe way."""
    with open_output(str(path), inputs, private=private, flag=flag) as fh:
        fh.write(text)
