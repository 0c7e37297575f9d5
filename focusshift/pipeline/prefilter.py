"""A cheap lexical prefilter compiled from the rule files.

Every marker rule has at least one required token; a text that contains none
of the words that token accepts cannot match the rule. When a text cannot
match any rule it skips the spaCy pipeline entirely, which gives the same
events (a test compares both ways) at a fraction of the cost: most turns of an
ordinary session carry no candidate at all.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from functools import lru_cache

from ..lexicon import MarkerRule

_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")


@lru_cache(maxsize=1)
def lemma_forms() -> dict[str, frozenset[str]]:
    """lemma -> the word forms the lookup lemmatizer maps to it (from spacy-lookups-data)."""
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - a hard dependency
        return {}
    raw = json.loads(gzip.open(spacy_lookups_data.get_file("en_lemma_lookup.json.gz")).read())
    out: dict[str, set[str]] = {}
    for form, lemma in raw.items():
        out.setdefault(lemma.lower(), set()).add(form.lower())
    return {k: frozenset(v) for k, v in out.items()}


def _token_strings(tok: dict) -> set[str] | None:
    """The lower-case strings one required token can be, or None if it is unconstrained."""
    best: set[str] | None = None
    for attr in _ATTRS:
        if attr not in tok:
            continue
        value = tok[attr]
        if isinstance(value, str):
            words = {value.lower()}
        elif isinstance(value, dict) and set(value) == {"IN"}:
            words = {str(w).lower() for w in value["IN"]}
        else:
            continue
        if attr == "LEMMA":
            forms = lemma_forms()
            words = words | {f for w in words for f in forms.get(w, ())}
        if best is None or len(words) < len(best):
            best = words
    return best


def required_sets(rule: MarkerRule) -> list[frozenset[str]] | None:
    """For each required token of the rule, the strings it can be; None if one is unconstrained
    everywhere (then the rule can match anything and the prefilter must let all text through)."""
    sets: list[frozenset[str]] = []
    for tok in rule.pattern:
        if tok.get("OP") in ("?", "*", "!"):
            continue
        words = _token_strings(tok)
        if words:
            sets.append(frozenset(words))
    return sets or None


class Prefilter:
    """possible(text) lists the rules that could match the text; it never leaves one out.

    A rule can only match text that contains, for each of its required tokens,
    one of the strings that token accepts (as a substring of the lower-cased
    text, which is conservative: a token is always a substring of its text).
    """

    def __init__(self, rules: Iterable[MarkerRule]) -> None:
        self.open: list[str] = []  # rules with no usable anchor: always possible
        self.ids: list[str] = []
        self.need: list[int] = []  # number of required token sets per rule
        postings: dict[str, list[tuple[int, int]]] = {}
        for rule in rules:
            sets = required_sets(rule)
            if sets is None:
                self.open.append(rule.id)
                continue
            r = len(self.ids)
            self.ids.append(rule.id)
            self.need.append(len(sets))
            for k, words in enumerate(sets):
                for w in words:
                    postings.setdefault(w, []).append((r, k))
        self.postings = postings
        # Strings of 3+ characters are looked up by their first trigram, the rest directly.
        self.short = [w for w in postings if len(w) < 3]
        self.by_trigram: dict[str, list[str]] = {}
        for w in postings:
            if len(w) >= 3:
                self.by_trigram.setdefault(w[:3], []).append(w)

    def present(self, text: str) -> set[str]:
        low = text.lower()
        found = {w for w in self.short if w in low}
        grams = {low[i : i + 3] for i in range(len(low) - 2)}
        for g in grams & self.by_trigram.keys():
            for w in self.by_trigram[g]:
                if w in low:
                    found.add(w)
        return found

    def possible(self, text: str) -> list[str]:
        """Ids of the rules that could match the text."""
        satisfied: dict[int, set[int]] = {}
        for w in self.present(text):
            for r, k in self.postings[w]:
                satisfied.setdefault(r, set()).add(k)
        out = list(self.open)
        out.extend(self.ids[r] for r in sorted(satisfied) if len(satisfied[r]) == self.need[r])
        return out

    def may_match(self, text: str) -> bool:
        return bool(self.possible(text))
