"""The spaCy components: candidate markers from the rule files, then ConText modifiers."""

from __future__ import annotations

import json

import numpy
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span

from ..lexicon import ContextRule, Lexicon, MarkerRule
from . import prefilter as prefilter_module
from .cache import cached, fingerprint
from .rules import rules_for
from .tokenmatch import CompiledPattern, DocMasks, SpecIndex, longest
from .prefilter import (QUOTES, SOURCE_KEY, Chunker, Prefilter, TextPrefilter, lemma_table, required_sets,
                        tokenizer_specials)

SPANS_KEY = "focusshift"  # candidate markers: label = category, id = rule id
MODIFIER_SPANS_KEY = "focusshift_modifiers"  # the ConText triggers found: label = modifier category
MODIFIERS_EXTENSION = "focusshift_modifiers"  # Span._.focusshift_modifiers on each candidate
_TABLE_KEY = ("focusshift", "modifiers")
# On a doc that is a piece of a turn: (quotes opened before it, the token before it, the token after it).
EDGES_KEY = "focusshift_edges"
_RULES_FILE = "rules.json"


def _modifiers_getter(span: Span) -> tuple[tuple[str, str], ...]:
    table = span.doc.user_data.get(_TABLE_KEY, {})
    return table.get((span.start, span.end, span.id_), ())


def modifiers_of(doc: Doc, span: Span) -> tuple[tuple[str, str], ...]:
    """(category, rule id) of each modifier that reaches a candidate; also Span._.focusshift_modifiers."""
    return _modifiers_getter(span)


if not Span.has_extension(MODIFIERS_EXTENSION):
    # A getter, not a stored value: spaCy keys stored Span values by offsets only,
    # and two rules can propose the same words with different modifiers.
    Span.set_extension(MODIFIERS_EXTENSION, getter=_modifiers_getter)


def focusshift_pipes(nlp: Language) -> tuple["MarkerMatcher", "ContextAnnotator | None"]:
    """The focusshift components of a pipeline, whatever names they were added under."""
    markers = next((p for _, p in nlp.pipeline if isinstance(p, MarkerMatcher)), None)
    if markers is None:
        raise ValueError(
            "this pipeline has no focusshift components: "
            'nlp.add_pipe("focusshift_markers"); nlp.add_pipe("focusshift_context")'
        )
    context = next((p for _, p in nlp.pipeline if isinstance(p, ContextAnnotator)), None)
    return markers, context


class _RuleOwner:
    """Shared by both components: the rules are loaded once, in initialize(), and saved with the pipeline."""

    name: str
    lexicon_files: list[str]
    lexicon: Lexicon | None

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None,
                   lexicon: Lexicon | None = None) -> None:
        """Load the rules: the given Lexicon, else the built-in files plus `lexicon_files`.

        Called by nlp.initialize(), by focusshift's pipeline builder, or on the
        first document if nobody called it.
        """
        self._set_lexicon(lexicon if lexicon is not None else rules_for(self.lexicon_files))

    def _set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def ensure_rules(self) -> Lexicon:
        """The rules in force, loaded now if initialize() was never called."""
        if self.lexicon is None:
            self.initialize()
        assert self.lexicon is not None
        return self.lexicon

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Every rule in force (built-in and user files, as parsed) goes with the pipeline."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / _RULES_FILE).write_text(json.dumps(lexicon_to_json(self.ensure_rules()), indent=1), "utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "_RuleOwner":
        self._set_lexicon(lexicon_from_json(json.loads((Path(path) / _RULES_FILE).read_text("utf-8")),
                                            str(path)))
        return self


class MarkerMatcher(_RuleOwner):
    """Proposes candidate spans; attribution is left to the context component and find_events()."""

    def __init__(self, nlp: Language, name: str, lexicon_files: Iterable[str] = (),
                 exact_lemmas: bool = True) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.lexicon_files = [str(f) for f in lexicon_files]
        self.exact_lemmas = exact_lemmas
        self.lexicon = None
        self.prefilter: Prefilter | None = None
        self._matchers: dict[str, CompiledPattern | Matcher] = {}
        self._index = SpecIndex(nlp.vocab.strings)
        self._chunkers: dict[tuple[int, str], Chunker] = {}

    def _set_lexicon(self, lexicon: Lexicon) -> None:
        # Each sentence is matched only against the rules whose required words it
        # contains (same results, a fraction of the cost); every rule is compiled
        # once for tokenmatch (or, if it needs more, a spaCy Matcher of its own).
        self.lexicon = lexicon
        self.prefilter = Prefilter(lexicon.markers.values(), lemmas=self.exact_lemmas)
        self._matchers = {}
        self._index = SpecIndex(self.vocab.strings)  # patterns are compiled as rules first become possible
        self._chunkers = {}

    def possible_rules(self, doc: Doc, source: str | None = None) -> list[str]:
        """Ids of the rules that could match somewhere in a tokenized doc (never leaves one out)."""
        self.ensure_rules()
        assert self.prefilter is not None
        return self.prefilter.possible_in_chunks(doc, source)

    def chunker(self, nlp: Language, source: str = "speech") -> Chunker:
        """Pieces of raw text worth tokenizing, for this pipeline's tokenizer (see Chunker)."""
        lexicon = self.ensure_rules()
        key = (id(nlp.tokenizer), source)
        found = self._chunkers.get(key)
        if found is None:
            specials = tokenizer_specials(nlp.tokenizer)
            rules = list(lexicon.markers.values())
            table_key = fingerprint([asdict(r) for r in rules], self.exact_lemmas, sorted(specials.items()),
                                    code=prefilter_module.__file__)
            text = cached("text-prefilter", table_key,
                          lambda: TextPrefilter(rules, lemmas=self.exact_lemmas, specials=specials))
            found = self._chunkers[key] = Chunker(text, nlp.tokenizer, source)
        return found

    def _pattern(self, rid: str) -> CompiledPattern | Matcher:
        """The rule's compiled pattern, or a spaCy Matcher for what tokenmatch does not do."""
        found = self._matchers.get(rid)
        if found is None:
            pattern = self.ensure_rules().markers[rid].pattern
            found = self._index.compile(pattern)
            if found is None:
                found = Matcher(self.vocab)
                found.add(rid, [pattern], greedy="LONGEST")
            self._matchers[rid] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        """Rules match within a sentence: each sentence only against the rules it could match."""
        lexicon = self.ensure_rules()
        assert self.prefilter is not None
        spans = []
        matches: list[tuple[str, int, int]] = []
        lowers = doc.to_array("LOWER").tolist()
        source = doc.user_data.get(SOURCE_KEY)
        # Compile first (a rule's tests join the index), then one mask per test over the doc, then match.
        todo = [((a, b), [(rid, self._pattern(rid)) for rid in self.prefilter.possible_hashes(lowers[a:b], source)])
                for a, b in sentence_bounds(doc)]
        masks: DocMasks | None = None
        for (a, b), patterns in todo:
            for rid, pattern in patterns:
                if isinstance(pattern, Matcher):
                    matches.extend((rid, s + a, e + a) for _m, s, e in pattern(doc[a:b]))
                    continue
                if masks is None:
                    masks = DocMasks(doc, self._index)
                matches.extend((rid, s, e) for s, e in longest(pattern.matches(masks, a, b)))
        for rid, start, end in matches:
            rule = lexicon.markers[rid]
            if not _neighbours_ok(doc, start, end, rule):
                continue
            spans.append(Span(doc, start, end, label=rule.label, span_id=rule.id))
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -s.end, s.id_))
        return doc


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of each of doc.sents (the whole doc when nothing set sentences), read from one
    array instead of a Token object per token."""
    n = len(doc)
    if not doc.has_annotation("SENT_START"):
        return [(0, n)]
    starts = [0] + [i for i, v in enumerate(doc.to_array("SENT_START").tolist()) if v == 1 and i > 0]
    return list(zip(starts, starts[1:] + [n])) if n else []


def _neighbours_ok(doc: Doc, start: int, end: int, rule: MarkerRule) -> bool:
    edges = doc.user_data.get(EDGES_KEY)
    if rule.not_followed_by:
        after = doc[end].lower_ if end < len(doc) else (edges[2] if edges else None)
        if after in rule.not_followed_by:
            return False
    if rule.not_preceded_by:
        before = doc[start - 1].lower_ if start > 0 else (edges[1] if edges else None)
        if before in rule.not_preceded_by:
            return False
    return True


class ContextAnnotator(_RuleOwner):
    """ConText for two speakers: which modifiers (negated, reported, ...) reach each candidate."""

    def __init__(self, nlp: Language, name: str, lexicon_files: Iterable[str] = ()) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.lexicon_files = [str(f) for f in lexicon_files]
        self.lexicon = None
        self.rules: dict[str, ContextRule] = {}
        self.matcher = Matcher(nlp.vocab)
        self._index = SpecIndex(nlp.vocab.strings)
        self.compiled: list[tuple[ContextRule, CompiledPattern]] = []

    def _set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.rules = dict(lexicon.context)
        self.matcher = Matcher(self.vocab)
        for rule in self.rules.values():
            self.matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
        # tokenmatch when it can do every context rule (the modifiers' order is the
        # triggers' order, so one matcher does them all), else spaCy's Matcher.
        self._index = SpecIndex(self.vocab.strings)
        compiled = [(rule, self._index.compile(rule.pattern)) for rule in self.rules.values()]
        self.compiled = [(r, c) for r, c in compiled if c is not None] if all(c for _r, c in compiled) else []
        # The lower-case hashes a trigger needs, one set per required step, as the prefilter reads
        # them (LEMMA not used: another pipeline's lemmatizer is unknown). A trigger missing any of
        # them cannot match a doc, and skipping it changes no other trigger's order.
        self._needs = [[frozenset(map(self.vocab.strings.add, words))
                        for words in required_sets(rule, lemmas=False) or ()] for rule, _c in self.compiled]

    def triggers(self, doc: Doc) -> list[tuple[ContextRule, int, int]]:
        """Every trigger in the doc, in the order spaCy's Matcher gives them: rule by rule, rules in
        the order of their first match's end (then start, then file order), each rule's longest first."""
        if not self.compiled:
            return [(self.rules[doc.vocab.strings[mid]], s, e) for mid, s, e in self.matcher(doc)]
        masks = DocMasks(doc, self._index)
        lowers = set(doc.to_array("LOWER").tolist())
        groups = []
        for order, ((rule, pattern), needs) in enumerate(zip(self.compiled, self._needs)):
            if any(need.isdisjoint(lowers) for need in needs):
                continue
            found = pattern.matches(masks, 0, len(doc))
            if found:
                first = min((e, s) for s, e in found)
                kept = sorted(longest(found), key=lambda x: (x[1] - x[0], -x[0]), reverse=True)
                groups.append(((first[0], first[1], order), [(rule, s, e) for s, e in kept]))
        groups.sort(key=lambda g: g[0])
        return [t for _key, group in groups for t in group]

    def __call__(self, doc: Doc) -> Doc:
        lexicon = self.ensure_rules()
        candidates = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []
        found: dict[tuple[int, int, str], tuple[tuple[str, str], ...]] = {}
        doc.user_data[_TABLE_KEY] = found
        if not len(candidates):
            doc.spans[MODIFIER_SPANS_KEY] = []
            return doc
        triggers = self.triggers(doc)
        doc.spans[MODIFIER_SPANS_KEY] = [
            Span(doc, s, e, label=rule.category, span_id=rule.id) for rule, s, e in triggers
        ]
        terminators = sorted(s for r, s, e in triggers if r.category == "terminate")
        for span in candidates:
            mods: list[tuple[str, str]] = []
            marker = lexicon.markers.get(span.id_)
            kind = f"{span.label_}/{marker.subtype}" if marker else span.label_
            for rule, s, e in triggers:
                if rule.category == "terminate":
                    continue
                if span.label_ not in rule.applies_to and kind not in rule.applies_to:
                    continue
                if s < span.end and span.start < e:
                    continue  # inside the target: part of the pattern itself
                if doc[s].sent.start != span.sent.start:
                    continue
                if _reaches(doc, rule, s, e, span, terminators):
                    mods.append((rule.category, rule.id))
            if _inside_quotes(doc, span):
                mods.append(("reported", "quoted"))
            found[(span.start, span.end, span.id_)] = tuple(dict.fromkeys(mods))
        return doc


def _reaches(
    doc: Doc, rule: ContextRule, s: int, e: int, span: Span, terminators: Iterable[int]
) -> bool:
    if e <= span.start and rule.direction in ("forward", "both"):
        gap_from, gap_to = e, span.start
    elif span.end <= s and rule.direction in ("backward", "both"):
        gap_from, gap_to = span.end, s
    else:
        return False
    if gap_to - gap_from > rule.max_scope:
        return False
    if any(gap_from <= t < gap_to for t in terminators):
        return False
    if rule.stop_at_comma and any(doc[i].text in {",", ";", ":", "-", "\u2014"} for i in range(gap_from, gap_to)):
        return False
    return True


def _inside_quotes(doc: Doc, span: Span) -> bool:
    # Counted from the start of the turn: a quote may hold several sentences.
    before = doc.text[: span.start_char]
    edges = doc.user_data.get(EDGES_KEY)
    return (sum(before.count(q) for q in QUOTES) + (edges[0] if edges else 0)) % 2 == 1


@Language.factory(
    "focusshift_markers",
    assigns=["doc.spans"],
    default_config={"lexicon_files": [], "exact_lemmas": None},
)
def make_marker_matcher(
    nlp: Language, name: str, lexicon_files: list[str], exact_lemmas: bool | None
) -> MarkerMatcher:
    """exact_lemmas: lemmas come from the lookup table (the default pipeline), so the
    prefilter may index LEMMA patterns by their word forms. None: true exactly when
    the pipeline's lemmatizer is a lookup lemmatizer."""
    if exact_lemmas is None:
        exact_lemmas = nlp.has_pipe("focusshift_lookup_lemmas") or (
            nlp.has_pipe("lemmatizer") and getattr(nlp.get_pipe("lemmatizer"), "mode", "") == "lookup")
    return MarkerMatcher(nlp, name, lexicon_files, exact_lemmas)


@Language.factory(
    "focusshift_context",
    requires=["doc.spans"],
    assigns=["doc.spans", "span._.focusshift_modifiers"],
    default_config={"lexicon_files": []},
)
def make_context_annotator(
    nlp: Language, name: str, lexicon_files: list[str]
) -> ContextAnnotator:
    return ContextAnnotator(nlp, name, lexicon_files)


def lexicon_to_json(lexicon: Lexicon) -> dict[str, Any]:
    """The parsed rules as plain data (terms already expanded), for a saved pipeline."""
    def plain(rule: MarkerRule | ContextRule) -> dict[str, Any]:
        data = asdict(rule)
        if not data.get("comment"):
            data.pop("comment", None)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    return {
        "format": "focusshift.rules/1",
        "sources": list(lexicon.sources),
        "terms": lexicon.terms,
        "markers": [plain(r) for r in lexicon.markers.values()],
        "context": [plain(r) for r in lexicon.context.values()],
    }


def lexicon_from_json(data: dict[str, Any], where: str) -> Lexicon:
    """Back from lexicon_to_json; each rule is checked again as a rule line."""
    from ..lexicon import parse_rule_line

    lex = Lexicon(terms=dict(data.get("terms", {})), sources=list(data.get("sources", [])))
    for n, saved in enumerate([*data.get("markers", []), *data.get("context", [])], start=1):
        obj = dict(saved)
        origin = obj.pop("origin", "")
        rule = parse_rule_line(obj, lex.terms, f"{where}/{_RULES_FILE}", n, False)
        if not isinstance(rule, str) and origin:
            rule = replace(rule, origin=origin)  # where the rule was written, not where it was saved
        if isinstance(rule, ContextRule):
            lex.context[rule.id] = rule
        elif isinstance(rule, MarkerRule):
            lex.markers[rule.id] = rule
    return lex


class CaseFoldLemmas:
    """Lemmas that ignore case: the lookup table only knows 'cried', not 'Cried' or 'CRIED'."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.table = None
        if nlp.has_pipe("lemmatizer"):
            lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None and lookups.has_table("lemma_lookup"):
                self.table = lookups.get_table("lemma_lookup")

    def __call__(self, doc: Doc) -> Doc:
        # On hash arrays, not Token objects: only capitalised words need a second look.
        from spacy.attrs import LEMMA, LOWER, ORTH

        if not len(doc):
            return doc
        strings = doc.vocab.strings
        rows = doc.to_array([ORTH, LOWER, LEMMA])
        lemmas = rows[:, 2].copy()
        changed = False
        for i, (orth, lower, lemma) in enumerate(rows.tolist()):
            if orth == lower and lemma == lower:
                continue
            if lemma == orth and self.table is not None:
                found = self.table.get(lower, None)
                new = strings.add(found) if isinstance(found, str) else lower
            else:
                text = strings[lemma]
                if text.islower() or not text:
                    continue
                new = strings.add(text.lower())
            if new != lemma:
                lemmas[i] = new
                changed = True
        if changed:
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


@Language.factory("focusshift_casefold_lemmas", requires=["token.lemma"], assigns=["token.lemma"])
def make_casefold_lemmas(nlp: Language, name: str) -> CaseFoldLemmas:
    return CaseFoldLemmas(nlp, name)


class LookupLemmas:
    """Lookup lemmas that ignore case, on hash arrays: spaCy's lookup lemmatizer plus
    focusshift_casefold_lemmas in one vectorised step, with the same lemma for every token.

    spaCy's lemmatizer looks each token up in Python (about half the time of a
    matched turn); here each distinct word form is looked up once per process.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self._table: dict[str, str] | None = None
        self._lemma_of: dict[int, int] = {}

    def _lookup(self) -> dict[str, str]:
        if self._table is None:
            self._table = lemma_table()
        return self._table

    def lemma(self, orth: str) -> str:
        """What the lookup lemmatizer then the case-folding step make of one word form."""
        table = self._lookup()
        lower = orth.lower()
        lemma = table.get(orth, orth)
        if orth == lower and lemma == lower:
            return lemma
        if lemma == orth:
            found = table.get(lower)
            return found if isinstance(found, str) else lower
        return lemma if (lemma.islower() or not lemma) else lemma.lower()

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import LEMMA, ORTH

        if not len(doc):
            return doc
        strings = doc.vocab.strings
        known = self._lemma_of
        orths = doc.to_array(ORTH)
        out = []
        for h in orths.tolist():
            lemma = known.get(h)
            if lemma is None:
                lemma = known[h] = strings.add(self.lemma(strings[h]))
            out.append(lemma)
        doc.from_array([LEMMA], numpy.asarray(out, dtype=orths.dtype).reshape(-1, 1))
        return doc


@Language.factory("focusshift_lookup_lemmas", assigns=["token.lemma"])
def make_lookup_lemmas(nlp: Language, name: str) -> LookupLemmas:
    return LookupLemmas(nlp, name)


class ArraySentencizer(Sentencizer):
    """spaCy's sentencizer, its predict() reading one array instead of a Token object per token.

    spaCy's rule: a token that is neither punctuation nor one of the
    punct_chars starts a sentence when one of the punct_chars came after the
    previous such token (or after the doc's start); the first token always
    starts one. Same guesses, same set_annotations (tested against spaCy's).
    """

    def __init__(self, name: str = "sentencizer", *, punct_chars: list[str] | None = None,
                 overwrite: bool = False, scorer: Any = None) -> None:
        super().__init__(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
        self._ends = self._punct_hashes()

    def _punct_hashes(self) -> frozenset[int]:
        from spacy.strings import hash_string

        return frozenset(hash_string(c) for c in self.punct_chars)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> "ArraySentencizer":
        super().from_bytes(bytes_data, exclude=exclude)
        self._ends = self._punct_hashes()
        return self

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ArraySentencizer":
        super().from_disk(path, exclude=exclude)
        self._ends = self._punct_hashes()
        return self

    def predict(self, docs: Iterable[Doc]) -> list[list[bool]]:
        from spacy.attrs import IS_PUNCT, ORTH

        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [[] for _doc in docs]
        guesses = []
        for doc in docs:
            n = len(doc)
            if not n:
                guesses.append([])
                continue
            doc_guesses = [False] * n
            doc_guesses[0] = True
            seen = False  # one of the punct_chars since the last word
            ends = self._ends
            for i, (orth, punct) in enumerate(doc.to_array([ORTH, IS_PUNCT]).reshape(n, 2).tolist()):
                if orth in ends:
                    seen = True
                elif seen and not punct:
                    doc_guesses[i] = True
                    seen = False
            guesses.append(doc_guesses)
        return guesses


@Language.factory("focusshift_sentencizer", assigns=["token.is_sent_start", "doc.sents"],
                  default_config={"punct_chars": None, "overwrite": False,
                                  "scorer": {"@scorers": "spacy.senter_scorer.v1"}})
def make_array_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None, overwrite: bool,
                           scorer: Any) -> ArraySentencizer:
    return ArraySentencizer(name, punct_chars=punct_chars, overwrite=overwrite, scorer=scorer)
