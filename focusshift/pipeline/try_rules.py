"""`focusshift lexicon check --try`: what the rules make of one sentence, and why."""

from __future__ import annotations

from .components import SPANS_KEY, focusshift_pipes
from .detect import CANCELLING
from .nlp import build_nlp


def try_sentence(text: str, role: str, lexicon_files: list[str]) -> list[str]:
    """One line per match: rule, label/subtype, matched words, modifiers, verdict."""
    nlp = build_nlp(None, lexicon_files)
    lex = focusshift_pipes(nlp)[0].ensure_rules()
    doc = nlp(text.replace("\u2019", "'"))
    out = []
    spans = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
    if not spans:
        return [f"no rule matches {text!r}"]
    for span in spans:
        rule = lex.markers[span.id_]
        mods = span._.focusshift_modifiers
        cancel = [f"{c} ({rid})" for c, rid in mods if c in CANCELLING and c not in rule.ignore]
        if rule.source != "speech":
            verdict = "annotation rule: applies to text inside brackets about the " + rule.role
        elif rule.role != role:
            verdict = f"does not count: this rule is for the {rule.role}'s words, not the {role}'s"
        elif cancel:
            verdict = "does not count: cancelled by " + ", ".join(cancel)
        elif rule.condition == "after_emotion":
            verdict = "counts only right after therapist emotion or other caretaking (condition after_emotion)"
        elif rule.condition == "with_support":
            verdict = "counts only with other therapist emotion in the same turn (condition with_support)"
        else:
            verdict = "counts"
        mod_text = ", ".join(f"{c} ({rid})" for c, rid in mods) or "none"
        out.append(
            f"{rule.id}  {rule.label}/{rule.subtype}  \"{span.text}\"  modifiers: {mod_text}  -> {verdict}"
        )
    return out
