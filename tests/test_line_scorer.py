"""The classifier's line scorer gives nlp.pipe's probabilities, to the bit, without a Doc per line.

`LineScorer` rebuilds the model's n-grams from a cache of words and applies the
model's own layers; any difference in tokens, n-gram keys, their order or their
counts would change a probability, so these tests compare with `==`.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focusshift.api import Analyzer, analyze_paths
from focusshift.pipeline.model import LABEL, LineScorer, client_turns, context_words, line_scorer, line_texts
from focusshift.pipeline.model import load_classifier

from .conftest import DATA, ROOT


@pytest.fixture(scope="module")
def nlp():
    return load_classifier()[0]


def _pipe(nlp, texts: list[str]) -> list[float]:
    return [float(d.cats[LABEL]) for d in nlp.pipe(texts, batch_size=256)]


def _classifier_texts(paths) -> list[str]:
    texts = []
    for r in analyze_paths(paths, Analyzer(detector="rules")):
        if not hasattr(r, "transcript"):
            continue
        ctx = context_words(r.transcript, r.events)
        for t in client_turns(r.transcript):
            texts.extend(f"{ctx[t.index]} {text}" for _line, _col, text in line_texts(t))
    return texts


@pytest.mark.slow
def test_every_client_line_of_the_test_data_and_samples_scores_as_nlp_pipe_does(nlp):
    texts = _classifier_texts([DATA, ROOT / "sample_transcripts"])
    assert len(texts) > 3000
    scorer = LineScorer(nlp)
    fast = []
    for i in range(0, len(texts), 1000):  # batches, as analysis scores them
        fast += scorer.probabilities(texts[i:i + 1000])
    assert fast == _pipe(nlp, texts)
    assert max(fast) >= 0.7 > min(fast)  # lines on both sides of the thresholds


_PIECES = ["you", "okay", "sorry", "I'm", "don't", "can't", "Dr.", "e.g.", "U.S.", "well-being", "(laughs)",
           "[crying]", "--", "...", "\u2019", "caf\u00e9", "\U0001F622", ":)", "<3", "http://x.org/a?b=1",
           "a@b.com", "10:30", "$5", "50%", "zzctx_client", "zzctx_you", "'", '"', "-", "/", "&", "#1"]
_GAPS = [" ", " ", " ", " ", "  ", "   ", "\t", "\n", "\u00a0", "", "\u2009"]


def _text(rng: random.Random) -> str:
    words = [rng.choice([rng.choice(_PIECES), rng.choice(_PIECES).upper(),
                         "".join(rng.choice("abcdefghij'-.,!?") for _ in range(rng.randint(1, 6)))])
             for _ in range(rng.randint(1, 14))]
    text = words[0]
    for w in words[1:]:
        text += rng.choice(_GAPS) + w
    return rng.choice(["", "", " ", "  "]) + text + rng.choice(["", "", " ", "\n"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_odd_spacing_punctuation_and_symbols_score_as_nlp_pipe_does(nlp, seed):
    rng = random.Random(seed)
    texts = [_text(rng) for _ in range(20)]
    scorer = LineScorer(nlp)
    assert [list(scorer.ids(t)) for t in texts] == [d.to_array("ORTH").tolist() for d in nlp.tokenizer.pipe(texts)]
    assert scorer.probabilities(texts) == _pipe(nlp, texts)


def test_a_line_scores_the_same_alone_and_in_any_batch(nlp):
    texts = ["zzctx_client zzctx_you are you okay? you look tired", "zzctx_client I had a week.",
             "zzctx_client zzctx_after_te_1 sorry sorry, take your time", "zzctx_client ok ok ok ok"]
    scorer = line_scorer()
    together = scorer.probabilities(texts)
    assert together == [scorer.probabilities([t])[0] for t in texts] == _pipe(nlp, texts)
    assert together[2] > together[1]  # not all the same number
    assert scorer.probabilities([]) == []


def test_the_screen_returns_exactly_the_lines_at_or_near_the_floor_and_those_asked_for(nlp):
    texts = _classifier_texts([ROOT / "sample_transcripts", DATA / "devset" / "dev"])
    scorer = LineScorer(nlp)
    exact = scorer.probabilities(texts)
    for floor in (0.2, 0.4, 0.7):
        asked = [k % 7 == 0 for k in range(len(texts))]
        screened = scorer.probabilities(texts, floor, asked)
        for p, q, a in zip(exact, screened, asked):
            if q is None:
                assert p < floor and not a  # left out only when certainly below the floor
            else:
                assert q == p  # what comes back is the model's own number
        assert sum(q is None for q in screened) > len(texts) // 2  # most lines are screened out
        assert any(p >= floor for p in exact)  # and some reach each floor
    rough = scorer._screen([scorer.ids(t) for t in texts])
    assert max(abs(a - b) for a, b in zip(rough, exact)) < LineScorer.MARGIN / 100
