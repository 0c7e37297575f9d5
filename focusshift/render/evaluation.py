"""The terminal view of `focusshift evaluate`."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text


def _counts_table(title: str, rows: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for col in ("", "TP", "FP", "FN", "TN", "precision", "recall", "F1", "kappa"):
        table.add_column(col, justify="left" if not col else "right")
    for name, c in rows.items():
        table.add_row(
            name, str(c["tp"]), str(c["fp"]), str(c["fn"]), str(c["tn"]),
            f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", f"{c['kappa']:.3f}",
        )
    return table


def render_evaluation(data: dict[str, Any]) -> Group:
    """Per-category and per-subtype agreement, segment ordering, then every mistake."""
    parts: list[Any] = [Text(f"{data['files']} file(s) with gold labels", style="bold")]
    parts.append(_counts_table("by category (lines)", data["categories"]))
    if "sessions_with_shift" in data:
        parts.append(_counts_table("sessions with a focus shift (detected vs gold)",
                                   {"sessions": data["sessions_with_shift"]}))
    subtypes = {k: v for k, v in data["subtypes"].items()}
    if subtypes:
        t = Table(title="by subtype (detected lines that gold has in the category)", title_justify="left",
                  show_edge=False, header_style="bold")
        for col in ("", "TP", "FP", "precision"):
            t.add_column(col, justify="left" if not col else "right")
        for name, c in subtypes.items():
            t.add_row(name, str(c["tp"]), str(c["fp"]), f"{c['precision']:.3f}")
        parts.append(t)
    seg = data["segments"]
    line = Text("segment scores by gold level: ")
    line.append(", ".join(
        f"{lvl} {m:.1f} (n={seg['n'][lvl]})" if m is not None else f"{lvl} - (n=0)"
        for lvl, m in seg["mean_score"].items()
    ))
    parts.append(line)
    for rule, ok in seg["ordering"].items():
        mark = {True: "holds", False: "DOES NOT HOLD", None: "no data"}[ok]
        parts.append(Text(f"  {rule}: {mark}", style={True: "green", False: "red", None: "dim"}[ok]))
    for title, items in (("false positives", data["false_positives"]), ("misses", data["misses"])):
        parts.append(Text(f"{title} ({len(items)})", style="bold"))
        for it in items:
            t = Text(f"  {it['file']}:{it['line']}  {it['category']}")
            if it.get("subtype"):
                t.append(f"/{it['subtype']} [{it['rule']}]")
            if it.get("text"):
                t.append(f'  "{it["text"]}"', style="italic")
            parts.append(t)
    return Group(*parts)
