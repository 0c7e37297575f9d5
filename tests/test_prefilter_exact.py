"""The shortcuts of detection change nothing: raw-text prefilter, pieces of turns, vectorised lemmas.

Each shortcut claims to be exact (a superset, or the same values); these
tests try hard to break that claim with text built from the rules' own words,
the tokenizer's special cases, punctuation, quotes and case changes.
"""

from __future__ import annotations

import random

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focusshift.api import Analyzer
from focusshift.pipeline.components import focusshift_pipes
from focusshift.pipeline.detect import find_events
from focusshift.pipeline.prefilter import lemma_table


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(detector="rules")


@pytest.fixture(scope="module")
def text_prefilter(analyzer):
    markers, _ = focusshift_pipes(analyzer.nlp)
    return markers.chunker(analyzer.nlp).prefilter


def _rule_words(tp) -> list[str]:
    return sorted(tp.letter_words | {w for words, _pairs, _bits in tp.automaton.values() for w in words})


_AROUND = ["", "", "", ".", ",", "!", "?", "'s", "n't", "-", "\u2019", "(", ")", '"', "\u00e9", "\u00b2", "1",
           "_", "...", "--", "km", "s"]


def _noisy_text(rng: random.Random, words: list[str], specials: list[str], n: int) -> str:
    parts = []
    for _ in range(n):
        w = rng.choice(words if rng.random() < 0.8 else specials)
        w = rng.choice([w, w, w.upper(), w.capitalize()])
        parts.append(rng.choice(_AROUND) + w + rng.choice(_AROUND))
    return rng.choice([" ", " ", "  ", "-", "/"]).join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_every_rule_word_that_is_a_token_is_found_in_the_raw_text(analyzer, text_prefilter, seed):
    rng = random.Random(seed)
    words = _rule_words(text_prefilter)
    specials = list(analyzer.nlp.tokenizer.rules)
    text = _noisy_text(rng, words, specials, 12)
    found = text_prefilter.found(text)
    wordset = set(words)
    missed = [t.lower_ for t in analyzer.nlp.tokenizer(text) if t.lower_ in wordset and t.lower_ not in found]
    assert not missed, (text, missed)


def test_lookup_lemmas_equal_spacys_lookup_lemmatizer_then_case_folding(analyzer):
    old = spacy.blank("en")
    old.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    old.add_pipe("focusshift_casefold_lemmas")
    new = analyzer.nlp.get_pipe("focusshift_lookup_lemmas")
    rng = random.Random(7)
    forms = rng.sample(sorted(lemma_table()), 4000)
    text = " ".join(v for w in forms for v in (w, w.upper(), w.capitalize()))
    expected = [t.lemma_ for t in old(text)]
    doc = analyzer.nlp.make_doc(text)
    assert [t.lemma_ for t in new(doc)] == expected


_TURN_BITS = [
    "are you okay?", "I'm sorry.", "I'm not crying.", "you look tired.", "\"are you okay\" she said.",
    "it's okay.", "take your time.", "we can stop.", "Dr. Lee said so.", "let's go back to you.",
    "my mom cried.", "okay. Then", "sorry about that!", "don't worry about me.", "I'm fine, really.",
    "(laughs)", "you alright?", "ok", "Are you OK? I mean it.", "no, no.", "are you ok...", "well.",
    'She asked me "Why.', '" Then she left.', "\u201cHonestly.", "Mm.\u201d", 'he said, "Look.',
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_pieces_of_turns_give_the_same_events_as_whole_turns(analyzer, seed):
    rng = random.Random(seed)
    lines = ["@therapist: T", "@client: C", ""]
    for k in range(rng.randint(2, 10)):
        speaker = "T" if k % 2 == 0 else "C"
        text = " ".join(rng.choice(_TURN_BITS) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.3:
            text = "[voice breaks] " + text
        lines.append(f"{speaker}: {text}")
    transcript = analyzer.read_bytes("\n".join(lines).encode(), "generated.txt")
    fast = find_events(transcript, analyzer.nlp, analyzer.config)
    whole = find_events(transcript, analyzer.nlp, analyzer.config, prefilter=False)
    assert fast == whole, "\n".join(lines)


def _instantiate(pattern: list[dict], rng: random.Random) -> list[str]:
    """Words that a pattern could match (or nearly: optional steps repeated or left out at random)."""
    out = []
    for tok in pattern:
        reps = {None: 1, "?": rng.randint(0, 1), "*": rng.randint(0, 3), "+": rng.randint(1, 3)}[tok.get("OP")]
        for _ in range(reps):
            word = "so"
            for key, value in tok.items():
                if key == "OP":
                    continue
                if isinstance(value, str):
                    word = rng.choice([value, value.upper(), value.capitalize()]) if key == "LOWER" else value
                elif isinstance(value, dict) and "IN" in value:
                    word = rng.choice(value["IN"])
                break
            out.append(word)
    return out


_NOISE = ["the", "and", ",", ".", "?", "I", "you", "really", "so", "'s", "n't", "Okay", "OK", "3", "not", "if"]


@pytest.fixture(scope="module")
def all_rules(analyzer):
    markers, _ = focusshift_pipes(analyzer.nlp)
    lexicon = markers.ensure_rules()
    return list(lexicon.markers.values()) + list(lexicon.context.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_tokenmatch_finds_what_spacys_matcher_finds(analyzer, all_rules, seed):
    from spacy.matcher import Matcher

    from focusshift.pipeline.tokenmatch import DocMasks, SpecIndex, longest

    rng = random.Random(seed)
    words = []
    for _ in range(rng.randint(1, 3)):
        words += _instantiate(rng.choice(all_rules).pattern, rng)
        words += [rng.choice(_NOISE) for _ in range(rng.randint(0, 3))]
    doc = analyzer.nlp(" ".join(words))
    index = SpecIndex(analyzer.nlp.vocab.strings)
    compiled = [(rule, index.compile(rule.pattern)) for rule in all_rules]
    masks = DocMasks(doc, index)
    for rule, pattern in compiled:
        assert pattern is not None, rule.id
        matcher = Matcher(analyzer.nlp.vocab)
        matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
        expected = sorted((s, e) for _m, s, e in matcher(doc))
        assert sorted(longest(pattern.matches(masks, 0, len(doc)))) == expected, (rule.id, doc.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_context_triggers_come_in_spacys_order(analyzer, all_rules, seed):
    _, context = focusshift_pipes(analyzer.nlp)
    assert context is not None and context.compiled, "the built-in context rules all compile"
    rng = random.Random(seed)
    context_rules = list(context.rules.values())
    words = []
    for _ in range(rng.randint(1, 5)):
        words += _instantiate(rng.choice(context_rules).pattern, rng)
        words += [rng.choice(_NOISE) for _ in range(rng.randint(0, 2))]
    doc = analyzer.nlp.make_doc(" ".join(words))
    ours = [(rule.id, s, e) for rule, s, e in context.triggers(doc)]
    theirs = [(doc.vocab.strings[m], s, e) for m, s, e in context.matcher(doc)]
    assert ours == theirs, doc.text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_word_count_is_whitespace_words_holding_a_letter_or_digit(text):
    from focusshift.model import Piece, Turn

    turn = Turn(index=0, speaker="T", role="therapist", text=text, pieces=(Piece(offset=0, line=1, column=0),))
    assert turn.words == sum(1 for w in text.split() if any(c.isalnum() for c in w))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_raw_text_prefilter_keeps_every_rule_that_matches(analyzer, all_rules, text_prefilter, seed):
    """Words and word pairs: a rule that matches the tokenized text is always among the possible ones."""
    from spacy.matcher import Matcher

    rng = random.Random(seed)
    markers = [r for r in all_rules if hasattr(r, "source")]
    words = []
    for _ in range(rng.randint(1, 3)):
        words += _instantiate(rng.choice(markers).pattern, rng)
        words += [rng.choice(_NOISE) for _ in range(rng.randint(0, 3))]
    text = rng.choice([" ", " ", ""]).join(words) if rng.random() < 0.2 else " ".join(words)
    doc = analyzer.nlp(text)
    for source in ("speech", "annotation"):
        possible = set(text_prefilter.possible(text, source))
        for rule in markers:
            if rule.source != source:
                continue
            matcher = Matcher(analyzer.nlp.vocab)
            matcher.add(rule.id, [rule.pattern])
            if matcher(doc):
                assert rule.id in possible, (rule.id, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("ab .!?\u2026\"')-\n")), max_size=40))
def test_sentence_bounds_from_one_array_are_doc_sents(analyzer, text):
    from focusshift.pipeline.components import sentence_bounds

    doc = analyzer.nlp(text)
    assert sentence_bounds(doc) == ([(s.start, s.end) for s in doc.sents] if len(doc) else [])
    if len(doc):
        assert sentence_bounds(analyzer.nlp.make_doc(text)) == [(0, len(doc))]  # no sentences set: one


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_the_prefilters_bits_give_the_rules_its_word_sets_give(analyzer, text_prefilter, seed):
    rng = random.Random(seed)
    text = _noisy_text(rng, _rule_words(text_prefilter), list(analyzer.nlp.tokenizer.rules), rng.randint(1, 16))
    for source in ("speech", "annotation"):
        by_bits = text_prefilter.possible(text, source)
        assert by_bits == text_prefilter.possible_by_sets(text, source)
        assert text_prefilter.possible(text, source) == by_bits  # the kept answer of a short text too


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.sampled_from(list("ab .!?\u2026\u3002\"')-;:\n\u0964") + ["Dr.", "e.g.", "!!", " I "]),
                    max_size=40).map("".join))
def test_the_array_sentencizer_cuts_where_spacys_sentencizer_cuts(analyzer, text):
    from spacy.pipeline import Sentencizer

    ours, theirs = analyzer.nlp.make_doc(text), analyzer.nlp.make_doc(text)
    assert analyzer.nlp.get_pipe("sentencizer").predict([ours]) == Sentencizer().predict([theirs])
    analyzer.nlp.get_pipe("sentencizer")(ours)
    Sentencizer()(theirs)
    assert [t.is_sent_start for t in ours] == [t.is_sent_start for t in theirs]


def test_the_array_sentencizer_keeps_its_settings_through_a_saved_pipeline(tmp_path):
    import spacy

    import focusshift.pipeline.components  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("focusshift_sentencizer", name="sentencizer", config={"punct_chars": [";"]})
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert [s.text for s in again("one; two. three").sents] == ["one;", "two. three"]


def test_a_rule_step_named_by_its_norm_is_found_where_the_norm_differs_from_the_text(tmp_path):
    """ "'m" has the norm "am": a user's rule [NORM am, LOWER zorbly] must match "I'm zorbly", as
    spaCy's Matcher does, with and without the raw-text prefilter."""
    rules = tmp_path / "norm.jsonl"
    rules.write_text('{"id": "my.norm_am", "label": "therapist_emotion", "subtype": "tearful", "role": '
                     '"therapist", "source": "speech", "pattern": [{"NORM": "am"}, {"LOWER": "zorbly"}]}\n')
    data = b"T: Well, I'm zorbly today.\nC: ok.\nT: I am zorbly.\n"
    for prefilter in (True, False):
        a = Analyzer(detector="rules", lexicon_files=[str(rules)], prefilter=prefilter)
        found = [(e.line, e.text) for e in a.analyze_transcript(a.read_bytes(data)).events if e.rule == "my.norm_am"]
        assert found == [(1, "'m zorbly"), (3, "am zorbly")], prefilter
