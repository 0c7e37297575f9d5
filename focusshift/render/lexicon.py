"""Rows and the terminal view of `focusshift lexicon list`."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from ..config import Config
from ..lexicon import Lexicon


def marker_rows(lex: Lexicon, config: Config, category: str | None) -> list[dict[str, Any]]:
    rows = []
    for r in lex.markers.values():
        if category and r.label != category:
            continue
        rows.append({
            "id": r.id, "label": r.label, "subtype": r.subtype, "role": r.role, "source": r.source,
            "weight": config.weight(r.label, r.subtype), "condition": r.condition,
            "pattern": r.pattern, "comment": r.comment, "origin": r.origin,
        })
    return rows


def context_rows(lex: Lexicon) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "category": r.category, "direction": r.direction, "max_scope": r.max_scope,
         "applies_to": list(r.applies_to), "pattern": r.pattern, "comment": r.comment, "origin": r.origin}
        for r in lex.context.values()
    ]


def pattern_text(pattern: list[dict[str, Any]], limit: int = 8) -> str:
    """A token pattern as a reader would write it: [lower: i] [lower: am|'m] [filler ...]*"""
    parts = []
    for tok in pattern:
        op = tok.get("OP", "")
        bits = []
        for key, value in tok.items():
            if key == "OP":
                continue
            if isinstance(value, dict):
                for k2, v2 in value.items():
                    words = [str(x) for x in v2] if isinstance(v2, list) else [str(v2)]
                    shown = "|".join(words[:limit]) + ("|..." if len(words) > limit else "")
                    bits.append(f"{key.lower()} {'not ' if k2 == 'NOT_IN' else ''}{shown}")
            else:
                bits.append(f"{key.lower()} {value}")
        parts.append("[" + "; ".join(bits) + "]" + op)
    return " ".join(parts)


def render_rows(rows: list[dict[str, Any]], *, context: bool) -> Group:
    out: list[Text] = []
    for r in rows:
        head = Text()
        head.append(r["id"], style="bold")
        if context:
            head.append(f"  {r['category']}  {r['direction']}, scope {r['max_scope']}")
            head.append(f"  applies to {', '.join(r['applies_to'])}", style="dim")
        else:
            head.append(f"  {r['label']}/{r['subtype']}  weight {r['weight']:g}  {r['role']} {r['source']}")
            head.append(f"  {r['condition']}", style="dim")
        out.append(head)
        out.append(Text("    " + pattern_text(r["pattern"])))
        if r.get("comment"):
            out.append(Text("    " + r["comment"], style="italic dim"))
    out.append(Text(f"{len(rows)} rule(s)", style="bold"))
    return Group(*out)
