"""Tables built from the rules, kept between runs under the user's cache folder.

Building the raw-text prefilter (thousands of word and word-pair keys in an
Aho-Corasick automaton) takes about 70 ms, a good part of a one-file run's
start-up beyond spaCy's own; loading it takes about 6 ms. The file's name is
a hash of everything the table depends on (the rules as parsed, the lemma
option, the tokenizer's special cases, the versions of focusshift, spaCy and
pyahocorasick), so a changed rule file or upgrade simply builds a new one.
Only rule-derived tables are stored, never transcript text. The folder is
$FOCUSSHIFT_CACHE_DIR, else $XDG_CACHE_HOME/focusshift, else ~/.cache/focusshift;
FOCUSSHIFT_CACHE_DIR="" turns the cache off. Any problem reading or writing
it (a read-only home, a damaged file) means the table is built as before.
Of each kind of table the KEEP most recently used are kept: an upgrade or an
edited rule file does not leave old tables behind for ever.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
KEEP = 8  # tables of one kind kept (several rule sets in use, a few versions)


def cache_dir() -> Path | None:
    """Where tables are kept, or None when caching is off."""
    configured = os.environ.get("FOCUSSHIFT_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "focusshift"


def fingerprint(*parts: Any, code: str | None = None) -> str:
    """A hash of what a table is built from (JSON-able parts), of the libraries that build it,
    and of the source file `code` that defines the table (a changed class never loads an old table)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in ("focusshift", "spacy", "pyahocorasick"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append(None)
    source = hashlib.sha256(Path(code).read_bytes()).hexdigest() if code else None
    blob = json.dumps([versions, source, *parts], sort_keys=True, default=repr).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """The table `kind` for `key` from the cache folder, or built (and stored for next time)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as f:
            table = pickle.load(f)
        try:
            os.utime(path)  # used now: the last to go
        except OSError:
            pass
        return table
    except Exception:  # missing, damaged, or from another version: build it again
        pass
    table = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        _prune(folder, kind)
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass
    return table


def _prune(folder: Path, kind: str, keep: int = KEEP) -> None:
    """Remove the tables of this kind beyond the `keep` most recently used."""
    found = []
    for old in folder.glob(f"{kind}-*.pickle"):
        try:
            found.append((old.stat().st_mtime, old))
        except OSError:
            continue
    for _mtime, old in sorted(found, reverse=True)[keep:]:
        try:
            old.unlink()
        except OSError:
            pass
