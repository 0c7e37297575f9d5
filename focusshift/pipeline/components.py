"""The spaCy components: candidate markers from the rule files, then ConText modifiers."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from ..lexicon import ContextRule, Lexicon, MarkerRule, load_lexicon
from .prefilter import SOURCE_KEY

SPANS_KEY = "focusshift"
MODIFIERS_KEY = "focusshift_modifiers"
_QUOTES = '"\u201c\u201d'


class MarkerMatcher:
    """Proposes candidate spans; attribution is left to the context component and detect()."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon, exact_lemmas: bool = True) -> None:
        from .prefilter import Prefilter

        self.name = name
        self.lexicon = lexicon
        # spaCy's Matcher pays per pattern per token and per call, so each doc is
        # matched once, against only the rules whose required words it contains
        # (same results, a fraction of the cost). Matchers are cached per rule set.
        self.vocab = nlp.vocab
        self.prefilter = Prefilter(lexicon.markers.values(), lemmas=exact_lemmas)
        self._matchers: OrderedDict[tuple[str, ...], Matcher] = OrderedDict()

    def _matcher(self, ids: tuple[str, ...]) -> Matcher:
        m = self._matchers.get(ids)
        if m is not None:
            self._matchers.move_to_end(ids)
            return m
        m = Matcher(self.vocab)
        for rid in ids:
            m.add(rid, [self.lexicon.markers[rid].pattern], greedy="LONGEST")
        self._matchers[ids] = m
        if len(self._matchers) > 2048:
            self._matchers.popitem(last=False)
        return m

    def __call__(self, doc: Doc) -> Doc:
        """Rules match within a sentence: each sentence only against the rules it could match."""
        spans = []
        matches: list[tuple[int, int, int]] = []
        lowers = doc.to_array("LOWER").tolist()
        source = doc.user_data.get(SOURCE_KEY)
        sentences = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
        for sent in sentences:
            ids = tuple(self.prefilter.possible_hashes(lowers[sent.start : sent.end], source))
            if ids:
                matches.extend((m, s + sent.start, e + sent.start) for m, s, e in self._matcher(ids)(sent))
        for match_id, start, end in matches:
            rule = self.lexicon.markers[doc.vocab.strings[match_id]]
            if not _neighbours_ok(doc, start, end, rule):
                continue
            spans.append(Span(doc, start, end, label=rule.label, span_id=rule.id))
        doc.spans[SPANS_KEY] = sorted(spans, key=lambda s: (s.start, -s.end, s.id_))
        return doc


def _neighbours_ok(doc: Doc, start: int, end: int, rule: MarkerRule) -> bool:
    if rule.not_followed_by and end < len(doc) and doc[end].lower_ in rule.not_followed_by:
        return False
    if rule.not_preceded_by and start > 0 and doc[start - 1].lower_ in rule.not_preceded_by:
        return False
    return True


class ContextAnnotator:
    """ConText for two speakers: which modifiers (negated, reported, ...) reach each candidate."""

    def __init__(self, nlp: Language, name: str, lexicon: Lexicon) -> None:
        self.name = name
        self.lexicon = lexicon
        self.rules: dict[str, ContextRule] = dict(lexicon.context)
        self.matcher = Matcher(nlp.vocab)
        for rule in self.rules.values():
            self.matcher.add(rule.id, [rule.pattern], greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        candidates = doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else []
        found: dict[tuple[int, int, str], tuple[tuple[str, str], ...]] = {}
        if not len(candidates):
            doc.user_data[MODIFIERS_KEY] = found
            return doc
        triggers = [
            (self.rules[doc.vocab.strings[mid]], s, e) for mid, s, e in self.matcher(doc)
        ]
        terminators = sorted(s for r, s, e in triggers if r.category == "terminate")
        for span in candidates:
            mods: list[tuple[str, str]] = []
            marker = self.lexicon.markers.get(span.id_)
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
        doc.user_data[MODIFIERS_KEY] = found
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
    return sum(before.count(q) for q in _QUOTES) % 2 == 1


def _lexicon_from(files: list[str] | None) -> Lexicon:
    return load_lexicon(list(files or []))


@Language.factory(
    "focusshift_markers",
    assigns=["doc.spans"],
    default_config={"lexicon_files": [], "exact_lemmas": True},
)
def make_marker_matcher(
    nlp: Language, name: str, lexicon_files: list[str], exact_lemmas: bool
) -> MarkerMatcher:
    """exact_lemmas: lemmas come from the lookup table (the default pipeline), so the
    prefilter may index LEMMA patterns by their word forms."""
    return MarkerMatcher(nlp, name, _lexicon_from(lexicon_files), exact_lemmas)


@Language.factory(
    "focusshift_context",
    requires=["doc.spans"],
    default_config={"lexicon_files": []},
)
def make_context_annotator(
    nlp: Language, name: str, lexicon_files: list[str]
) -> ContextAnnotator:
    return ContextAnnotator(nlp, name, _lexicon_from(lexicon_files))


def modifiers_of(doc: Doc, span: Span) -> tuple[tuple[str, str], ...]:
    table: dict[Any, tuple[tuple[str, str], ...]] = doc.user_data.get(MODIFIERS_KEY, {})
    return table.get((span.start, span.end, span.id_), ())


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
