"""The rules in force for a set of rule files, parsed once per process and shared.

The analyzer, both spaCy components and `lexicon check --try` all ask here, so
a rule file is read and validated once however many users it has; a file that
changes on disk (new mtime or size) is read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..lexicon import Lexicon, load_lexicon

_RULES: dict[tuple, Lexicon] = {}


def file_stamps(files: Sequence[str | Path]) -> tuple:
    """(path, mtime, size) of each file: a cache key that changes when a file does."""
    stamps = []
    for f in files:
        try:
            st = Path(f).stat()
            stamps.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append((str(f), None, None))
    return tuple(stamps)


def rules_for(lexicon_files: Sequence[str | Path] = ()) -> Lexicon:
    """The built-in rules with these files layered on top."""
    key = file_stamps(lexicon_files)
    if key not in _RULES:
        _RULES[key] = load_lexicon([str(f) for f in lexicon_files])
    return _RULES[key]
