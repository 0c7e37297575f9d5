"""Names and classes the HTML pages give to events, categories, roles and segments."""

from __future__ import annotations

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, THERAPIST_REPAIR, Event

CATEGORY_CLASS = {THERAPIST_EMOTION: "te", CLIENT_CARETAKING: "cc", THERAPIST_REPAIR: "rp"}
CATEGORY_LABEL = {
    THERAPIST_EMOTION: "Therapist emotion",
    CLIENT_CARETAKING: "Client caretaking",
    THERAPIST_REPAIR: "Therapist repair",
}
PRIORITY = {THERAPIST_EMOTION: 0, CLIENT_CARETAKING: 1, THERAPIST_REPAIR: 2}  # which colour wins on overlap


def category_class(category: str) -> str:
    return CATEGORY_CLASS.get(category, "ot")


def category_label(category: str) -> str:
    return CATEGORY_LABEL.get(category, category.replace("_", " ").capitalize())


def role_class(role: str) -> str:
    return role if role in ("therapist", "client") else "unknown"


def segment_name(title: str | None, start: int, end: int) -> str:
    return title if title else f"lines {start}\u2013{end}"


def event_why(e: Event) -> str:
    """Subtype, rule, modifiers and weight: the hover text of an event (no transcript text)."""
    parts = [f"{category_label(e.category)}: {e.subtype}", f"weight {e.weight:g}", f"rule {e.rule}"]
    if e.anchor_line is not None:
        parts.append(f"{'supported by' if e.condition == 'with_support' else 'counts after'} line {e.anchor_line}")
    parts.append("context overridden: " + ", ".join(e.modifiers) if e.modifiers else "no context modifier")
    parts.append(f"line {e.line}, {e.speaker or e.role}")
    return " \u00b7 ".join(parts)
