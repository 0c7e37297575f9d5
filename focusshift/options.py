"""One frozen object for every setting of an analysis (as black's Mode).

Made once, from the command line, a config file and the defaults; handed as it
is to the library, to worker processes and to Dask workers. `key()` is a
stable digest of everything that changes a result, used as the cache key for
per-worker analyzers. Adding an option means declaring it here and using it
where it matters; nothing in between copies settings by hand.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .errors import ConfigError

DETECTORS = ("rules", "model", "both")


@dataclass(frozen=True)
class Options:
    """Every setting of an analysis. Immutable and picklable; `replace(opts, field=...)` for a variant."""

    config: Config = field(default_factory=load_config)  # weights, windows, roles ([roles]) and segmentation
    lexicon_files: tuple[str, ...] = ()  # extra JSONL rule files
    model: str | None = None  # an installed or saved spaCy pipeline instead of the blank English one
    therapist: tuple[str, ...] = ()  # speaker labels given the therapist's role
    client: tuple[str, ...] = ()  # speaker labels given the client's role
    segment_by: str | None = None  # turns:N or minutes:M; None: the config's
    input_format: str | None = None  # None: by extension, then content
    columns: tuple[tuple[str, str], ...] = ()  # table columns: (field, column)
    infer_roles: bool = True  # speakers with no role from user, file or label get one from the conversation
    detector: str = "both"  # rules, model (the classifier for caretaking) or both
    min_confidence: float = 0.0  # events less likely than this to be right are left out, and not scored
    encoding: str | None = None  # None: UTF-8, or what a byte-order mark says
    timeout: float | None = None  # seconds per file; None: no budget
    prefilter: bool = True  # False: every turn runs the whole pipeline (same events, slower)

    def __post_init__(self) -> None:
        if self.detector not in DETECTORS:
            raise ConfigError(f"unknown detector {self.detector!r}; choose from {', '.join(DETECTORS)}")
        if not 0 <= self.min_confidence <= 1:
            raise ConfigError("min_confidence must be in [0, 1]")
        # tuples, so that the object stays hashable and the same whoever built it
        for name in ("lexicon_files", "therapist", "client"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(str(v) for v in value))
        if not isinstance(self.columns, tuple):
            object.__setattr__(self, "columns", tuple(tuple(c) for c in self.columns))

    @classmethod
    def create(cls, config: Config | str | Path | None = None, **settings: Any) -> Options:
        """Options from a config (a Config, a TOML path, or None for the defaults) and settings."""
        cfg = config if isinstance(config, Config) else load_config(config)
        unknown = set(settings) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return cls(config=cfg, **settings)

    def but(self, **changes: Any) -> Options:
        """A copy with some settings changed."""
        return replace(self, **changes)

    @property
    def files(self) -> tuple[str, ...]:
        """The rule and config files these options read: an output must never replace them."""
        return self.lexicon_files + ((self.config.source,) if self.config.source else ())

    def key(self) -> str:
        """A stable digest of every setting (the config's content included): the cache key."""
        data = asdict(self)
        data["config"] = self.config.as_dict() | {"roles": dict(sorted(self.config.roles.items()))}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def __hash__(self) -> int:
        return hash(self.key())
