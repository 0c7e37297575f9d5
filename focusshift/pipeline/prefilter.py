"""A cheap lexical prefilter compiled from the rule files.

Every marker rule has required tokens; a turn whose tokens include none of the
words one of them accepts cannot match the rule. The check runs on the
tokenizer's output (lower-case token hashes, one numpy call per turn), so it is
exact: a turn that no rule can match skips the rest of the spaCy pipeline, and
a turn that some rules can match is matched against those rules only. A test
compares events with and without it on the dev set and the real corpus.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import lru_cache

from ..lexicon import MarkerRule

_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA", "NORM")
SOURCE_KEY = "focusshift_source"
# Words so frequent that they make poor anchors (see _rarity).
_COMMON = frozenset(
    """i you u ya it that this the a an to and is 's are 're do did does n't not no be am 'm m
    we my me of for in on was were have 've has had so just really like um uh yeah oh okay ok
    well right good fine can could would will 'll get got go going know think if but all what
    with at as there here now then how your they he she him her them us our one some ? , .""".split()
)


def _rarity(hashed: frozenset[int], sets: list[frozenset[str]], order: list[frozenset[int]]) -> int:
    """Cost of a required token as an anchor: common words count 50, others 1."""
    from spacy.strings import hash_string

    for words in sets:
        if frozenset(hash_string(w) for w in words) == hashed:
            return sum(50 if (w in _COMMON or len(w) <= 1) else 1 for w in words)
    return len(hashed)


@lru_cache(maxsize=1)
def lemma_forms() -> dict[str, frozenset[str]]:
    """lemma -> the word forms the lookup lemmatizer maps to it (from spacy-lookups-data)."""
    import spacy_lookups_data

    raw = json.loads(gzip.open(spacy_lookups_data.get_file("en_lemma_lookup.json.gz")).read())
    out: dict[str, set[str]] = {}
    for form, lemma in raw.items():
        out.setdefault(lemma.lower(), set()).add(form.lower())
    return {k: frozenset(v) for k, v in out.items()}


def _token_strings(tok: dict, lemmas: bool) -> set[str] | None:
    """The lower-case forms one required token can have, or None if it is unconstrained."""
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
            if not lemmas:
                continue  # another pipeline's lemmatizer: no way to know its forms
            # The case-folded lookup gives a token lemma L when its lower form is L or maps to L.
            forms = lemma_forms()
            words = words | {f for w in words for f in forms.get(w, ())}
        if best is None or len(words) < len(best):
            best = words
    return best


def required_sets(rule: MarkerRule, lemmas: bool = True) -> list[frozenset[str]] | None:
    """For each required token of the rule, the lower-case forms it can have; None if none is
    constrained (then the rule can match anything and must always run)."""
    sets: list[frozenset[str]] = []
    for tok in rule.pattern:
        if tok.get("OP") in ("?", "*", "!"):
            continue
        words = _token_strings(tok, lemmas)
        if words:
            sets.append(frozenset(words))
    return sets or None


class Prefilter:
    """possible(doc) lists the rules that could match a tokenized text; it never leaves one out."""

    def __init__(self, rules: Iterable[MarkerRule], *, lemmas: bool = True) -> None:
        from spacy.strings import hash_string

        # Per source ("speech", "annotation"): rules indexed by their rarest required
        # token; the other required tokens are checked only for the rules it hits.
        self._ends = frozenset(hash_string(p) for p in (".", "!", "?"))
        self.open: dict[str, list[str]] = {}
        self.index: dict[str, dict[int, list[int]]] = {}
        self.ids: list[str] = []
        self.rest: list[list[frozenset[int]]] = []
        for rule in rules:
            sets = required_sets(rule, lemmas)
            if sets is None:
                self.open.setdefault(rule.source, []).append(rule.id)
                continue
            hashed = sorted((frozenset(hash_string(w) for w in words) for words in sets), key=len)
            hashed.sort(key=lambda hs: _rarity(hs, sets, hashed))
            r = len(self.ids)
            self.ids.append(rule.id)
            self.rest.append(hashed[1:])
            idx = self.index.setdefault(rule.source, {})
            for h in hashed[0]:
                idx.setdefault(h, []).append(r)

    def possible_hashes(self, lowers: Iterable[int], source: str | None = None) -> list[str]:
        """Rules (of this source, or all) that could match a text with these LOWER hashes."""
        tokens = set(lowers)
        sources = (source,) if source else tuple(self.index.keys() | self.open.keys())
        out: list[str] = []
        hits: set[int] = set()
        for src in sources:
            out.extend(self.open.get(src, ()))
            idx = self.index.get(src, {})
            for h in tokens.intersection(idx):
                hits.update(idx[h])
        for r in sorted(hits):
            if all(not words.isdisjoint(tokens) for words in self.rest[r]):
                out.append(self.ids[r])
        return out

    def possible_in_chunks(self, doc, source: str | None = None) -> list[str]:
        """Rules that could match within one of the doc's sentences, before sentence splitting.

        The doc is cut after ".", "!" or "?" followed by a word, where spaCy's
        sentencizer always cuts too (it may cut more), so each chunk holds whole
        sentences and nothing a sentence-bound rule needs is missed.
        """
        from spacy.attrs import IS_ALPHA, LOWER

        rows = doc.to_array([LOWER, IS_ALPHA]).tolist()
        out: dict[str, None] = {}
        start = 0
        for i, (h, _alpha) in enumerate(rows):
            if h in self._ends and i + 1 < len(rows) and rows[i + 1][1]:
                for rid in self.possible_hashes([r[0] for r in rows[start : i + 1]], source):
                    out[rid] = None
                start = i + 1
        for rid in self.possible_hashes([r[0] for r in rows[start:]], source):
            out[rid] = None
        return list(out)

    def possible(self, doc) -> list[str]:  # doc: spacy.tokens.Doc
        """The doc's source comes from doc.user_data["focusshift_source"] when detect() set it."""
        return self.possible_hashes(doc.to_array("LOWER").tolist(), doc.user_data.get(SOURCE_KEY))
