"""Detection rules as data: JSONL rule files with a validating loader.

The schema extends spaCy's SpanRuler pattern lines ({"label", "pattern", "id"})
with the keys focusshift needs to attribute a match. Rules never live as
Python literals: everything a rule says is in the files under ``data/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import LexiconError
from ..model import CATEGORIES, THERAPIST_REPAIR

MARKER_FILES = ("therapist_emotion.jsonl", "client_caretaking.jsonl", "repair.jsonl")
CONTEXT_FILE = "context.jsonl"
TERMS_FILE = "terms.json"
ROLES_FILE = "roles.json"  # label vocabulary and role-inference cues (focusshift.roles)
CONFIDENCE_FILE = "confidence.json"  # each rule's measured precision: its events' confidence


def rule_confidence(rule: str, category: str, subtype: str) -> float | None:
    """The measured precision of a rule (else of its subtype, else of its category)."""
    table = _confidence_table()
    for level, key in (("rule", rule), ("subtype", f"{category}/{subtype}"), ("category", category)):
        if key in table.get(level, {}):
            return table[level][key]
    return None


def _confidence_table() -> dict:
    global _CONFIDENCE
    if _CONFIDENCE is None:
        _CONFIDENCE = json.loads(resources.files("focusshift.lexicon").joinpath("data", CONFIDENCE_FILE)
                                 .read_text("utf-8"))
    return _CONFIDENCE


_CONFIDENCE: dict | None = None

MARKER_LABELS = (*CATEGORIES, THERAPIST_REPAIR)
ROLES = ("therapist", "client")
SOURCES = ("speech", "annotation")
CONDITIONS = ("always", "after_emotion", "with_support", "later_in_session", "unless_practical")
CONTEXT_CATEGORIES = (
    "negated",
    "hypothetical",
    "historical",
    "habitual",
    "reported",
    "practical",
    "other_experiencer",
    "terminate",
)
DIRECTIONS = ("forward", "backward", "both")

_MARKER_KEYS = {
    "id": True,
    "label": True,
    "subtype": True,
    "role": True,
    "source": True,
    "pattern": True,
    "condition": False,
    "window": False,
    "not_followed_by": False,
    "not_preceded_by": False,
    "ignore": False,
    "comment": False,
    "disabled": False,
}
_CONTEXT_KEYS = {
    "id": True,
    "category": True,
    "pattern": True,
    "direction": False,
    "max_scope": False,
    "stop_at_comma": False,
    "applies_to": False,
    "comment": False,
    "disabled": False,
}


@dataclass(frozen=True)
class MarkerRule:
    """One pattern that proposes a therapist-emotion, caretaking or repair candidate."""

    id: str
    label: str
    subtype: str
    role: str
    source: str
    pattern: list[dict[str, Any]]
    condition: str = "always"
    window: int | None = None  # overrides the config's windows for after_emotion
    not_followed_by: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    comment: str = ""
    origin: str = ""  # file:line it came from


@dataclass(frozen=True)
class ContextRule:
    """A ConText modifier: a trigger with a direction and a category (negated, reported...)."""

    id: str
    category: str
    pattern: list[dict[str, Any]]
    direction: str = "forward"
    max_scope: int = 8
    stop_at_comma: bool = False
    applies_to: tuple[str, ...] = MARKER_LABELS
    comment: str = ""
    origin: str = ""


@dataclass
class Lexicon:
    """All rules in force: the built-in files plus any user files layered on top."""

    markers: dict[str, MarkerRule] = field(default_factory=dict)
    context: dict[str, ContextRule] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def _data_text(name: str) -> str:
    return resources.files("focusshift.lexicon").joinpath("data", name).read_text("utf-8")


def builtin_terms() -> dict[str, list[str]]:
    raw = json.loads(_data_text(TERMS_FILE))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def _expand(value: Any, terms: dict[str, list[str]], where: str, line: int) -> Any:
    """Replace "@name" references inside IN / NOT_IN lists by the named word set."""
    if isinstance(value, dict):
        return {k: _expand(v, terms, where, line) for k, v in value.items()}
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, str) and item.startswith("@"):
                if item[1:] not in terms:
                    raise LexiconError(where, line, f"unknown word set {item!r} (see terms.json)")
                out.extend(terms[item[1:]])
            else:
                out.append(_expand(item, terms, where, line))
        return out
    if isinstance(value, str) and len(value) > 1 and value.startswith("@") and value[1:].isidentifier():
        if value[1:] not in terms:
            raise LexiconError(where, line, f"unknown word set {value!r} (see terms.json)")
        return list(terms[value[1:]])
    return value


def _check_pattern(pattern: Any, where: str, line: int, deep: bool = True) -> list[dict[str, Any]]:
    if isinstance(pattern, str):
        # A plain phrase: one LOWER token per word, as SpanRuler's phrase patterns.
        words = pattern.lower().split()
        if not words:
            raise LexiconError(where, line, "empty phrase pattern")
        return [{"LOWER": w} for w in words]
    if not isinstance(pattern, list) or not pattern:
        raise LexiconError(where, line, "'pattern' must be a phrase string or a list of token dicts")
    for tok in pattern:
        if not isinstance(tok, dict) or not tok:
            raise LexiconError(where, line, f"bad token pattern {tok!r}: each token must be an object")
    if not deep:
        return pattern  # the built-in files: their syntax is checked by the test suite
    # Let spaCy's own validator speak for the token syntax when it is available.
    try:
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        Matcher(Vocab(), validate=True).add("check", [pattern])
    except ImportError:  # pragma: no cover - spaCy is a hard dependency
        pass
    except Exception as exc:  # spaCy raises ValueError / MatchPatternError
        first = str(exc).strip().splitlines()
        msg = " ".join(x.strip() for x in first if x.strip())[:300]
        raise LexiconError(where, line, f"invalid token pattern: {msg}") from None
    return pattern


def _words(value: Any, where: str, line: int, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(where, line, f"{key!r} must be a list of strings")
    return tuple(v.lower() for v in value)


def parse_rule_line(
    obj: Any, terms: dict[str, list[str]], where: str, line: int, deep: bool = True
) -> MarkerRule | ContextRule | str:
    """Validate one JSONL object; return the rule, or its id when it only disables one."""
    if not isinstance(obj, dict):
        raise LexiconError(where, line, "each line must be a JSON object")
    is_context = "category" in obj
    allowed = _CONTEXT_KEYS if is_context else _MARKER_KEYS
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise LexiconError(
            where, line, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )
    if not isinstance(obj.get("id"), str) or not obj.get("id"):
        raise LexiconError(where, line, "missing 'id' (a unique string)")
    if obj.get("disabled"):
        return obj["id"]
    missing = [k for k, req in allowed.items() if req and k not in obj]
    if missing:
        raise LexiconError(where, line, f"missing key(s): {', '.join(missing)}")
    pattern = _check_pattern(_expand(obj["pattern"], terms, where, line), where, line, deep)
    origin = f"{where}:{line}"
    if is_context:
        cat = obj["category"]
        if cat not in CONTEXT_CATEGORIES:
            raise LexiconError(
                where, line, f"category {cat!r} is not one of {', '.join(CONTEXT_CATEGORIES)}"
            )
        direction = obj.get("direction", "forward")
        if direction not in DIRECTIONS:
            raise LexiconError(where, line, f"direction must be one of {', '.join(DIRECTIONS)}")
        scope = obj.get("max_scope", 8)
        if not isinstance(scope, int) or scope < 1:
            raise LexiconError(where, line, "max_scope must be a positive integer")
        applies = _words(obj.get("applies_to"), where, line, "applies_to") or MARKER_LABELS
        bad = [a for a in applies if a.split("/")[0] not in MARKER_LABELS]
        if bad:
            raise LexiconError(where, line, f"applies_to has unknown label(s) {', '.join(bad)}")
        return ContextRule(
            id=obj["id"],
            category=cat,
            pattern=pattern,
            direction=direction,
            max_scope=scope,
            stop_at_comma=bool(obj.get("stop_at_comma", False)),
            applies_to=applies,
            comment=obj.get("comment", ""),
            origin=origin,
        )
    label = obj["label"]
    if label not in MARKER_LABELS:
        raise LexiconError(where, line, f"label {label!r} is not one of {', '.join(MARKER_LABELS)}")
    if obj["role"] not in ROLES:
        raise LexiconError(where, line, f"role must be one of {', '.join(ROLES)}")
    if obj["source"] not in SOURCES:
        raise LexiconError(where, line, f"source must be one of {', '.join(SOURCES)}")
    condition = obj.get("condition", "always")
    if condition not in CONDITIONS:
        raise LexiconError(where, line, f"condition must be one of {', '.join(CONDITIONS)}")
    if not isinstance(obj["subtype"], str) or not obj["subtype"]:
        raise LexiconError(where, line, "'subtype' must be a non-empty string")
    window = obj.get("window")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or window < 0):
        raise LexiconError(where, line, "window must be a non-negative integer")
    ignore = _words(obj.get("ignore"), where, line, "ignore")
    bad = [c for c in ignore if c not in CONTEXT_CATEGORIES]
    if bad:
        raise LexiconError(where, line, f"ignore has unknown modifier(s) {', '.join(bad)}")
    return MarkerRule(
        id=obj["id"],
        label=label,
        subtype=obj["subtype"],
        role=obj["role"],
        source=obj["source"],
        pattern=pattern,
        condition=condition,
        window=window,
        not_followed_by=_words(obj.get("not_followed_by"), where, line, "not_followed_by"),
        not_preceded_by=_words(obj.get("not_preceded_by"), where, line, "not_preceded_by"),
        ignore=ignore,
        comment=obj.get("comment", ""),
        origin=origin,
    )


def parse_rules(
    text: str, where: str, terms: dict[str, list[str]], deep: bool = True
) -> list[tuple[int, MarkerRule | ContextRule | str]]:
    """Parse a JSONL rule file; blank lines and '//' comment lines are allowed.

    deep=True also has spaCy validate each token pattern (for user files).
    """
    out: list[tuple[int, MarkerRule | ContextRule | str]] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise LexiconError(where, n, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
        rule = parse_rule_line(obj, terms, where, n, deep)
        rid = rule if isinstance(rule, str) else rule.id
        if rid in seen:
            raise LexiconError(where, n, f"duplicate id {rid!r} (first on line {seen[rid]})")
        seen[rid] = n
        out.append((n, rule))
    return out


def load_lexicon(extra: list[str | Path] | tuple[str | Path, ...] = ()) -> Lexicon:
    """The built-in rules, then each user file in order: same id overrides, 'disabled' removes."""
    lex = Lexicon(terms=builtin_terms())
    for name in (*MARKER_FILES, CONTEXT_FILE):
        _apply(lex, _data_text(name), f"focusshift/lexicon/data/{name}", deep=False)
    for path in extra:
        p = Path(path)
        try:
            text = p.read_text("utf-8")
        except OSError as exc:
            raise LexiconError(str(path), None, f"cannot read rule file: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise LexiconError(str(path), None, "rule file is not valid UTF-8") from None
        _apply(lex, text, str(path))
    return lex


def _apply(lex: Lexicon, text: str, where: str, deep: bool = True) -> None:
    lex.sources.append(where)
    for _, rule in parse_rules(text, where, lex.terms, deep):
        if isinstance(rule, str):
            lex.markers.pop(rule, None)
            lex.context.pop(rule, None)
        elif isinstance(rule, ContextRule):
            lex.context[rule.id] = rule
        else:
            lex.markers[rule.id] = rule
