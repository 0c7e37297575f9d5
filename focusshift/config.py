"""The TOML configuration: built-in defaults, a user file layered on top, validated."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError

_SHAPE: dict[str, dict[str, type | tuple[type, ...]]] = {
    "segment": {"by": str},
    "shift": {"window": int, "recovery_min_words": int, "max_turns": int},
    "context": {"window": int, "care_window": int},
    "scoring": {"shift_turn_weight": (int, float)},
}


@dataclass(frozen=True)
class Config:
    """Everything the detector and the scorer take from --config."""

    segment_by: str = "turns:20"
    shift_window: int = 3
    recovery_min_words: int = 6
    shift_max_turns: int = 12
    context_window: int = 3
    care_window: int = 6
    shift_turn_weight: float = 0.5
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False)  # the user's TOML file, if any (never written over)

    def weight(self, category: str, subtype: str) -> float:
        return self.weights.get(category, {}).get(subtype, 0.5)

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment": {"by": self.segment_by},
            "shift": {
                "window": self.shift_window,
                "recovery_min_words": self.recovery_min_words,
                "max_turns": self.shift_max_turns,
            },
            "context": {"window": self.context_window, "care_window": self.care_window},
            "scoring": {"shift_turn_weight": self.shift_turn_weight},
            "weights": copy.deepcopy(self.weights),
        }


def default_config_text() -> str:
    return resources.files("focusshift").joinpath("default_config.toml").read_text("utf-8")


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _validate(data: dict[str, Any], where: str) -> None:
    allowed = set(_SHAPE) | {"weights", "roles"}
    for section, body in data.items():
        if section not in allowed:
            raise ConfigError(f"{where}: unknown section [{section}]; allowed: {', '.join(sorted(allowed))}")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: [{section}] must be a table")
        if section in _SHAPE:
            for key, value in body.items():
                if key not in _SHAPE[section]:
                    raise ConfigError(f"{where}: unknown key {section}.{key}")
                want = _SHAPE[section][key]
                if isinstance(value, bool) or not isinstance(value, want):
                    raise ConfigError(f"{where}: {section}.{key} has the wrong type ({value!r})")
                if isinstance(value, (int, float)) and value < 0:
                    raise ConfigError(f"{where}: {section}.{key} must not be negative")
        elif section == "weights":
            for cat, table in body.items():
                if not isinstance(table, dict):
                    raise ConfigError(f"{where}: [weights.{cat}] must be a table")
                for sub, w in table.items():
                    if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 1:
                        raise ConfigError(f"{where}: weights.{cat}.{sub} must be a number in [0, 1]")
        elif section == "roles":
            for label, role in body.items():
                if role not in ("therapist", "client"):
                    raise ConfigError(f"{where}: roles.{label!r} must be \"therapist\" or \"client\"")
    if "scoring" in data and data["scoring"].get("shift_turn_weight", 0) > 1:
        raise ConfigError(f"{where}: scoring.shift_turn_weight must be in [0, 1]")


def load_config(path: str | Path | None = None) -> Config:
    """Defaults from the packaged TOML, then the user's file over them."""
    data = tomllib.loads(default_config_text())
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        _validate(user, str(path))
        data = _merge(data, user)
    return Config(
        segment_by=data["segment"]["by"],
        shift_window=data["shift"]["window"],
        recovery_min_words=data["shift"]["recovery_min_words"],
        shift_max_turns=data["shift"]["max_turns"],
        context_window=data["context"]["window"],
        care_window=data["context"]["care_window"],
        shift_turn_weight=float(data["scoring"]["shift_turn_weight"]),
        weights={c: {s: float(w) for s, w in t.items()} for c, t in data["weights"].items()},
        roles=dict(data.get("roles", {})),
        source=None if path is None else str(path),
    )
