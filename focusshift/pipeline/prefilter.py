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
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from ..lexicon import ContextRule, MarkerRule

# The attributes whose values tell which lower-case words a token can be. Not NORM: a token's
# norm can be another word altogether ("'m" -> "am", "u" -> "you"), so a rule step that names
# only a NORM can match tokens whose text holds none of its words.
_ATTRS = ("LOWER", "ORTH", "TEXT", "LEMMA")
SOURCE_KEY = "focusshift_source"
QUOTES = '"\u201c\u201d'  # a span after an odd number of these in its turn is quoted speech
_ENDS = frozenset({".", "!", "?"})
# Words so frequent that they make poor anchors (see _anchor_cost).
_COMMON = frozenset(
    """i you u ya it that this the a an to and is 's are 're do did does n't not no be am 'm m
    we my me of for in on was were have 've has had so just really like um uh yeah oh okay ok
    well right good fine can could would will 'll get got go going know think if but all what
    with at as there here now then how your they he she him her them us our one some ? , .""".split()
)


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spacy-lookups-data's English lemma lookup table (word form -> lemma), read once."""
    import spacy_lookups_data

    with gzip.open(spacy_lookups_data.get_file("en_lemma_lookup.json.gz")) as f:
        return json.loads(f.read())


_FORMS: dict[str, frozenset[str]] = {}


def lemma_forms(lemmas: Iterable[str]) -> dict[str, frozenset[str]]:
    """lemma -> the word forms the lookup lemmatizer maps to it, for these lemmas.

    One pass over the lookup table for the lemmas not seen before in this
    process (the rules name a few dozen), not an index of all 180,000 forms.
    """
    wanted = {w.lower() for w in lemmas}
    missing = wanted - _FORMS.keys()
    if missing:
        found: dict[str, set[str]] = {w: set() for w in missing}
        for form, lemma in lemma_table().items():
            low = lemma.lower()
            if low in found:
                found[low].add(form.lower())
        for w, forms in found.items():
            _FORMS[w] = frozenset(forms)
    return {w: _FORMS[w] for w in wanted}


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
            forms = lemma_forms(words)
            words = words | {f for w in words for f in forms.get(w, ())}
        if best is None or len(words) < len(best):
            best = words
    return best


def warm_lemma_forms(rules: Iterable[MarkerRule]) -> None:
    """Look up the forms of every lemma the rules name in one pass over the table."""
    words: set[str] = set()
    for rule in rules:
        for tok in rule.pattern:
            value = tok.get("LEMMA")
            if isinstance(value, str):
                words.add(value)
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words.update(str(w) for w in value["IN"])
    if words:
        lemma_forms(words)


def required_sets(rule: MarkerRule | ContextRule, lemmas: bool = True) -> list[frozenset[str]] | None:
    """For each required token of the rule (a marker or a context trigger), the lower-case forms
    it can have; None if none is constrained (then the rule can match anything and must always run)."""
    sets: list[frozenset[str]] = []
    for tok in rule.pattern:
        if tok.get("OP") in ("?", "*", "!"):
            continue
        words = _token_strings(tok, lemmas)
        if words:
            sets.append(frozenset(words))
    return sets or None


def _anchor_cost(words: frozenset[str]) -> int:
    """Cost of a required token as the anchor that indexes its rule: common words count 50, others 1."""
    return sum(50 if (w in _COMMON or len(w) <= 1) else 1 for w in words)


class _RuleIndex:
    """Rules indexed by their rarest required token; the other required tokens are checked
    only for the rules it hits. Rules with no required token are "open": always possible.
    `convert` turns a token's words into what the index is searched with (hashes, or words)."""

    def __init__(self, rules: list[MarkerRule], lemmas: bool, convert: Callable[[str], Any]) -> None:
        if lemmas:
            warm_lemma_forms(rules)
        self.open: dict[str, list[str]] = {}
        self.index: dict[str, dict[Any, list[int]]] = {}
        self.ids: list[str] = []
        self.rest: list[list[frozenset[Any]]] = []
        for rule in rules:
            sets = required_sets(rule, lemmas)
            if not sets:
                self.open.setdefault(rule.source, []).append(rule.id)
                continue
            keyed = [frozenset(convert(w) for w in words) for words in sorted(sets, key=_anchor_cost)]
            r = len(self.ids)
            self.ids.append(rule.id)
            self.rest.append(keyed[1:])
            idx = self.index.setdefault(rule.source, {})
            for key in keyed[0]:
                idx.setdefault(key, []).append(r)
        self.keys: dict[str, frozenset[Any]] = {src: frozenset(idx) for src, idx in self.index.items()}

    def survivors(self, present: set[Any], sources: Iterable[str],
                  keep: Callable[[int], bool] | None = None) -> list[str]:
        """Ids of the rules of these sources whose every required token is among `present`."""
        out: list[str] = []
        hits: set[int] = set()
        for src in sources:
            out.extend(self.open.get(src, ()))
            idx = self.index.get(src)
            if idx:
                for key in self.keys[src].intersection(present):  # two sets: Python walks the smaller
                    hits.update(idx[key])
        for r in sorted(hits):
            if (keep is None or keep(r)) and all(not words.isdisjoint(present) for words in self.rest[r]):
                out.append(self.ids[r])
        return out


class Prefilter:
    """possible(doc) lists the rules that could match a tokenized text; it never leaves one out."""

    def __init__(self, rules: Iterable[MarkerRule], *, lemmas: bool = True) -> None:
        from spacy.strings import hash_string

        self._ends = frozenset(hash_string(p) for p in (".", "!", "?"))
        self.rules = _RuleIndex(list(rules), lemmas, hash_string)

    def possible_hashes(self, lowers: Iterable[int], source: str | None = None) -> list[str]:
        """Rules (of this source, or all) that could match a text with these LOWER hashes."""
        sources = (source,) if source else tuple(self.rules.index.keys() | self.rules.open.keys())
        return self.rules.survivors(set(lowers), sources)

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


class TextPrefilter:
    """The prefilter on raw text, before tokenizing: which sentence-sized chunks of a turn can match.

    spaCy's English tokenizer never cuts between two ASCII letters except in
    its special cases ("don't" -> "do" "n't", "gonna" -> "gon" "na"), so a
    token made of letters is a maximal run of letters in the text, or a piece
    of a special case that occurs in it. Other rule words ("n't", "'re", "?")
    are found as substrings (every token is a substring of its text). And two
    tokens next to each other are, in the text, the first's text then nothing
    or one space then the second's: so for two required steps next to each
    other in a rule ("i" then "always|do|just"), one of "a b" or "ab" must
    occur. One regex pass and one Aho-Corasick pass give every rule word that
    can be a token of a chunk, and every such pair (supersets); a chunk none
    of whose rules has all its required words and its pair is never tokenized.
    """

    _RUNS = re.compile(r"[a-z]+")
    MAX_PAIRS = 200  # word pairs of one rule, at most (else the rule has no pair test)

    def __init__(self, rules: Iterable[MarkerRule], *, lemmas: bool = True,
                 specials: dict[str, list[str]] | None = None) -> None:
        import ahocorasick

        rules = list(rules)
        self.rules = _RuleIndex(rules, lemmas, str)
        self.pair_tests: dict[int, frozenset[int]] = {}  # rule -> ids of the pair tests it needs
        words = {w for sets in self.rules.rest for ws in sets for w in ws}
        words |= {w for idx in self.rules.index.values() for w in idx}
        pairs: dict[str, set[int]] = {}
        n_tests = 0
        number = {rid: r for r, rid in enumerate(self.rules.ids)}
        for rule in rules:
            r = number.get(rule.id)
            if r is None:
                continue
            tests = []
            for first, second in adjacent_pairs(rule, lemmas, self.MAX_PAIRS):
                tests.append(n_tests)
                for a in first:
                    for b in second:
                        pairs.setdefault(a + b, set()).add(n_tests)
                        pairs.setdefault(a + " " + b, set()).add(n_tests)
                n_tests += 1
            if tests:
                self.pair_tests[r] = frozenset(tests)
        self.letter_words = frozenset(w for w in words if self._RUNS.fullmatch(w))
        # What the runs of letters cannot show: other words, and letter words split out of a special case.
        extra: dict[str, set[str]] = {w: {w} for w in words if w not in self.letter_words}
        for key, pieces in (specials or {}).items():
            inside = {p.lower() for p in pieces} & self.letter_words
            if inside:
                extra.setdefault(key.lower(), set()).update(inside)
        self._layout_bits()
        self.automaton = ahocorasick.Automaton()
        for key in extra.keys() | pairs.keys():
            found, paired = frozenset(extra.get(key, ())), frozenset(pairs.get(key, ()))
            bits = 0
            for w in found:
                bits |= self._bits.get(w, 0)
            for t in paired:
                bits |= self._pair_bit[t]
            self.automaton.add_word(key, (found, paired, bits))
        self._has_extra = bool(extra or pairs)
        if self._has_extra:
            self.automaton.make_automaton()
        self._short: dict[tuple[str, str], list[str]] = {}

    def scan(self, text: str) -> tuple[set[str], set[int]]:
        """(every rule word that could be one of the text's tokens, every pair test that passes): supersets."""
        lower = text.lower()
        words = set(self.letter_words.intersection(self._RUNS.findall(lower)))
        rules: set[int] = set()
        if self._has_extra:
            for _, (found, paired, _bits) in self.automaton.iter(lower):
                words.update(found)
                rules.update(paired)
        return words, rules

    def found(self, text: str) -> set[str]:
        """Every rule word that could be one of the text's tokens (a superset)."""
        return self.scan(text)[0]

    def __getstate__(self) -> dict[str, Any]:
        """The tables only: the answers kept for short texts are never written to the cache."""
        return {**self.__dict__, "_short": {}}

    SHORT = 32  # texts up to this long ("Yeah.", "Mm-hmm.", "Okay, sure.") recur: their answer is kept

    def possible(self, text: str, source: str) -> list[str]:
        """Rules of this source that could match somewhere in the text; never leaves one out."""
        if len(text) > self.SHORT:
            return self._possible(text, source)
        key = (text, source)
        found = self._short.get(key)
        if found is None:
            if len(self._short) > 50_000:
                self._short.clear()
            found = self._short[key] = self._possible(text, source)
        return list(found)

    def _layout_bits(self) -> None:
        """Each indexed rule gets a run of bits: one for its anchor words, one per other required
        word set, one per pair test. A word (or automaton key) sets the bits of every set it is
        in; a rule can match when all the bits of its run are set."""
        anchors: dict[int, set[str]] = {}
        source_of: dict[int, str] = {}
        for src, idx in self.rules.index.items():
            for key, rs in idx.items():
                for r in rs:
                    anchors.setdefault(r, set()).add(key)
                    source_of[r] = src
        self._bits: dict[str, int] = {}
        self._pair_bit: dict[int, int] = {}
        self._need: list[int] = []
        self._rule_at: dict[int, int] = {}  # position of a rule's first bit -> the rule
        self._anchor_bits: dict[str, int] = {}
        offset = 0
        for r in range(len(self.rules.ids)):  # in rule order: candidates come out in rule order
            groups = [anchors.get(r, set()), *self.rules.rest[r]]
            tests = sorted(self.pair_tests.get(r, ()))
            for g, words in enumerate(groups):
                for w in words:
                    self._bits[w] = self._bits.get(w, 0) | 1 << (offset + g)
            for j, t in enumerate(tests):
                self._pair_bit[t] = 1 << (offset + len(groups) + j)
            size = len(groups) + len(tests)
            self._need.append(((1 << size) - 1) << offset)
            self._rule_at[offset] = r
            if r in source_of:
                self._anchor_bits[source_of[r]] = self._anchor_bits.get(source_of[r], 0) | 1 << offset
            offset += size

    def _possible(self, text: str, source: str) -> list[str]:
        lower = text.lower()
        bits = 0
        table = self._bits
        for w in self.letter_words.intersection(self._RUNS.findall(lower)):
            bits |= table[w]
        if self._has_extra:
            for _, (_found, _paired, more) in self.automaton.iter(lower):
                bits |= more
        out = list(self.rules.open.get(source, ()))
        candidates = bits & self._anchor_bits.get(source, 0)
        need, rule_at, ids = self._need, self._rule_at, self.rules.ids
        while candidates:
            low = candidates & -candidates
            r = rule_at[low.bit_length() - 1]
            if bits & need[r] == need[r]:
                out.append(ids[r])
            candidates ^= low
        return out

    def possible_by_sets(self, text: str, source: str) -> list[str]:
        """possible() computed with word sets instead of bits: the reference the tests hold it to."""
        found, paired = self.scan(text)
        tests = self.pair_tests

        def pairs_ok(r: int) -> bool:
            needs = tests.get(r)
            return needs is None or needs <= paired

        return self.rules.survivors(found, (source,), pairs_ok)


def adjacent_pairs(rule: MarkerRule, lemmas: bool, limit: int) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The word sets of each two steps of the rule that must match two tokens next to each other
    (both exactly once or with "+", both constrained), with at most `limit` combinations."""
    out = []
    steps = rule.pattern
    for a, b in zip(steps, steps[1:]):
        if a.get("OP") not in (None, "+") or b.get("OP") not in (None, "+"):
            continue
        wa, wb = _token_strings(a, lemmas), _token_strings(b, lemmas)
        if wa and wb and len(wa) * len(wb) <= limit:
            out.append((frozenset(wa), frozenset(wb)))
    return out


def tokenizer_specials(tokenizer) -> dict[str, list[str]]:  # tokenizer: spacy.tokenizer.Tokenizer
    """Each special case of the tokenizer that cuts a run of letters: its text -> its token texts."""
    from spacy.attrs import ORTH

    out: dict[str, list[str]] = {}
    for key, pieces in (tokenizer.rules or {}).items():
        texts = [p.get(ORTH, p.get("ORTH")) for p in pieces]
        if len(texts) > 1 and all(isinstance(t, str) for t in texts):
            out[key] = texts
    return out


class Chunker:
    """Cuts a turn's clean text into pieces that some rule could match, with what lies at their edges.

    Cuts fall only between two words where spaCy's sentencizer always starts a
    new sentence (the first word ends in a "." "!" or "?" token, the next
    begins with a word token) and always at a space, where the tokenizer cuts
    too: each piece has exactly the tokens and sentences it has inside the
    whole turn. What the components look at across a piece's edges (the token
    before and after it, quotes opened earlier in the turn) travels with it.
    """

    _CUT = re.compile(r"[.!?] (?=\S)")

    def __init__(self, text_prefilter: TextPrefilter, tokenizer, source: str = "speech") -> None:
        self.prefilter = text_prefilter
        self.tokenizer = tokenizer
        self.source = source
        self._words: dict[str, tuple[str, bool, str]] = {}

    def _word(self, word: str) -> tuple[str, bool, str]:
        """(first token lower, first token is alphabetic, last token lower) of one space-free word."""
        found = self._words.get(word)
        if found is None:
            doc = self.tokenizer(word)
            found = (doc[0].lower_, doc[0].is_alpha, doc[-1].lower_) if len(doc) else ("", False, "")
            if len(self._words) > 100_000:
                self._words.clear()
            self._words[word] = found
        return found

    def pieces(self, clean: str) -> list[tuple[int, int, tuple[int, str | None, str | None], list[str]]]:
        """(start, end, (quotes before, token before, token after), rule ids) of each piece worth running."""
        whole = self.prefilter.possible(clean, self.source)
        if not whole:
            return []  # what no rule could match in the whole turn, none can in a piece of it
        bounds: list[int] = [0]
        for m in self._CUT.finditer(clean):
            cut = m.start() + 1
            before = clean[clean.rfind(" ", 0, cut) + 1 : cut]
            after_end = clean.find(" ", cut + 1)
            after = clean[cut + 1 : after_end if after_end != -1 else len(clean)]
            if self._word(before)[2] in _ENDS and self._word(after)[1]:
                bounds.append(cut + 1)  # the next piece starts after the space
        bounds.append(len(clean) + 1)
        out: list[tuple[int, int, tuple[int, str | None, str | None], list[str]]] = []
        run_start = run_end = -1
        run_ids: dict[str, None] = {}
        counted = [0, 0]  # quotes in clean[:counted[1]], counted once however many pieces a long turn has

        def close() -> None:
            if run_start < 0:
                return
            counted[0] += sum(clean.count(q, counted[1], run_start) for q in QUOTES)
            counted[1] = run_start
            quotes = counted[0]
            prev = self._word(clean[clean.rfind(" ", 0, run_start - 1) + 1 : run_start - 1])[2] if run_start else None
            if run_end < len(clean):
                nxt_end = clean.find(" ", run_end + 1)
                nxt = self._word(clean[run_end + 1 : nxt_end if nxt_end != -1 else len(clean)])[0]
            else:
                nxt = None
            out.append((run_start, run_end, (quotes, prev, nxt), list(run_ids)))

        for a, b in zip(bounds, bounds[1:]):
            end = b - 1  # the piece's text ends before the space
            ids = whole if a == 0 and end == len(clean) else self.prefilter.possible(clean[a:end], self.source)
            if ids:
                if run_start < 0:
                    run_start = a
                run_end = end
                run_ids.update(dict.fromkeys(ids))
            else:
                close()
                run_start = run_end = -1
                run_ids = {}
        close()
        return out
