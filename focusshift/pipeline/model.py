"""The trained layer: a spaCy text classifier for client caretaking, beside the rules.

The classifier reads one client turn at a time, with the conversation around it
given as context words in front of the text (``zzctx_...``): how many exchanges
since the last therapist-emotion event the rules found, who spoke just before,
whether the turn addresses "you", whether the session has several clients, and
whether the turn opens or closes the session. It was trained from scratch
(``scripts/train_model.py``: a bag of words and word pairs, fixed seed, no
downloaded weights) on the training authors' transcripts, the development set
and real sessions without caretaking, and ships inside the package
(``focusshift/models/caretaking``). It loads offline.

Lines are scored by `LineScorer`: the model's own layers applied to token ids
taken from a cache of words, with no Doc per line (the same probabilities as
``nlp.pipe``, to the bit: tested); only a line that becomes an event is run
through the pipeline, for its evidence.

A turn the classifier scores at or above the threshold becomes a
``client_caretaking`` event with ``source: model``: its line and text are those
of the turn's line that scores highest, its confidence is the probability, and
its evidence the words whose removal lowers the probability most.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from spacy.attrs import ORTH

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, Event, Transcript, Turn
from ..progress import tick
from ..scoring import exchange_positions, places, segment_of_turns
from ..turntable import between, columns
from . import split

LABEL = "CARETAKING"
_YOU = re.compile(r"\b(?:you|your|yours|yourself|ya|u)\b", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9']+")


def model_path() -> Path:
    """The shipped pipeline's folder."""
    return Path(str(resources.files("focusshift").joinpath("models", "caretaking")))


@lru_cache(maxsize=1)
def load_classifier() -> tuple[Any, dict[str, Any]]:
    """(spaCy pipeline, meta with the threshold), loaded once per process from the package."""
    import spacy

    from .nlp import SHARED_TOKENIZER, english_tokenizer, register_shared_tokenizer

    path = model_path()
    # On the tokenizer and vocabulary the rules use: the same English rules, made once.
    register_shared_tokenizer()
    nlp = spacy.load(path, vocab=english_tokenizer().vocab, exclude=["tokenizer", "vocab"],
                     config={"nlp": {"tokenizer": {"@tokenizers": SHARED_TOKENIZER}}})
    meta = json.loads((path / "focusshift.json").read_text("utf-8"))
    return nlp, meta


def client_turns(transcript: Transcript, start: int = 0, stop: int | None = None) -> Iterator[Turn]:
    """The client's speaking turns (of those at places start..stop-1), as a stream: a long
    session's turns are made as they are read."""
    stop = len(transcript.turns) if stop is None else stop
    return (t for t in between(transcript.turns, start, stop)
            if t.role == "client" and not t.is_note and t.spoken.strip())


def context_words(transcript: Transcript, rule_events: tuple[Event, ...] | list[Event]) -> dict[int, str]:
    """For each client turn, the context words the classifier reads before its text."""
    pos = exchange_positions(transcript.turns)
    emotion = sorted({pos[e.turn] for e in rule_events if e.category == THERAPIST_EMOTION})
    last_pos = max(pos.values(), default=0)
    clients: set[str | None] = set()
    out: dict[int, str] = {}
    # Who spoke before this speaker's turn began (consecutive lines of one speaker, however a tool
    # split them, share the answer): the same features from a transcript and its captions.
    prev_role: dict[int, str] = {}
    before: str = "none"
    previous: tuple[str | None, str] | None = None  # (speaker, role) of the last speaking turn
    cols = columns(transcript.turns)
    for index, speaker, role, note, inter in zip(cols.index, cols.speaker, cols.role, cols.is_note,
                                                 cols.interjection):
        if note or inter:
            continue
        if previous is not None and speaker != previous[0]:
            before = "therapist" if previous[1] == "therapist" else "client"
        if role == "client":
            prev_role[index] = before
            clients.add(speaker)
        previous = (speaker, role)
    seen: dict[str, str] = {}  # a few distinct context strings, shared by every turn
    for t in client_turns(transcript):
        p = pos[t.index]
        k = bisect.bisect_right(emotion, p)  # the latest emotion at or before p
        gap = p - emotion[k - 1] if k else None
        words = ["zzctx_client"]
        words.append(f"zzctx_after_te_{gap}" if gap is not None and gap <= 3 else
                     "zzctx_after_te_near" if gap is not None and gap <= 8 else "zzctx_no_te")
        words.append(f"zzctx_prev_{prev_role.get(t.index, 'none')}")
        if _YOU.search(t.spoken):
            words.append("zzctx_you")
        if len(clients) > 1:
            words.append("zzctx_multi_client")
        if p <= 2:
            words.append("zzctx_opening")
        if p >= last_pos - 2:
            words.append("zzctx_closing")
        text = " ".join(words)
        out[t.index] = seen.setdefault(text, text)
    return out


_END = re.compile(r"[.?!\u2026\"\u201d)\]]\s*$")


def line_texts(turn: Turn) -> list[tuple[int, int, str]]:
    """(line, column, spoken text) of what the classifier reads as one unit: a line of the turn,
    joined with the physical lines right after it while it does not end a sentence (a caption cue
    wrapped at 40 characters is read whole, as the same words on one line of a text file would be;
    two cues, or two turns, are never joined)."""
    spoken = turn.spoken
    lines = []
    for i, piece in enumerate(turn.pieces):
        end = turn.pieces[i + 1].offset - 1 if i + 1 < len(turn.pieces) else len(spoken)
        text = spoken[piece.offset:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            lines.append((piece.line, piece.column + lead, text.strip()))
    out: list[tuple[int, int, str]] = []
    pending: list[tuple[int, int, str]] = []
    for item in lines:
        if pending and (item[0] != pending[-1][0] + 1 or _END.search(pending[-1][2])):
            out.append((pending[0][0], pending[0][1], " ".join(p[2] for p in pending)))
            pending = []
        pending.append(item)  # the next physical line, the sentence not yet ended: one unit
    if pending:
        out.append((pending[0][0], pending[0][1], " ".join(p[2] for p in pending)))
    return out


def _physical(turn: Turn) -> list[tuple[int, int, str]]:
    spoken = turn.spoken
    out = []
    for i, piece in enumerate(turn.pieces):
        end = turn.pieces[i + 1].offset - 1 if i + 1 < len(turn.pieces) else len(spoken)
        out.append((piece.line, piece.column, spoken[piece.offset:end].strip()))
    return out


@dataclass(frozen=True)
class Scored:
    turn: Turn
    probability: float
    line: int
    column: int
    text: str


def weighed_words(nlp: Any, context: str, text: str, top: int = 3) -> list[str]:
    """The words whose removal lowers the probability most (the model's evidence, in words)."""
    words = text.split()
    base = float(nlp(f"{context} {text}").cats.get(LABEL, 0.0))
    if len(words) <= 1:
        return words
    variants = [" ".join(words[:i] + words[i + 1:]) for i in range(len(words))]
    drops = []
    for i, doc in enumerate(nlp.pipe([f"{context} {v}" for v in variants], batch_size=64)):
        drops.append((base - float(doc.cats.get(LABEL, 0.0)), i))
    drops.sort(reverse=True)
    return [words[i].strip(".,!?;:\"'()") for d, i in drops[:top] if d > 0]


def _score_part(bounds: tuple[int, int]) -> tuple[list[tuple[int, float, int, int, str]], dict]:
    """In a forked worker: score_lines over the turns at places start..stop-1, as plain data."""
    transcript, ctx, nlp, keep, floor = split.state()
    probs: dict[tuple[int, int], float] = {}
    found = [(s.turn.index, s.probability, s.line, s.column, s.text)
             for s in score_lines(transcript, ctx, nlp, probs, keep, floor=floor, start=bounds[0], stop=bounds[1])]
    return found, probs


def _scored(transcript: Transcript, ctx: dict[int, str], nlp: Any, probs: dict[tuple[int, int], float],
            keep: set[tuple[int, int]] | None, floor: float, workers: int) -> Iterator[Scored]:
    """score_lines, its turns shared by forked workers when the session is long (pipeline/split.py)."""
    size = len(transcript.turns)
    if not split.can_split(workers, size):
        yield from score_lines(transcript, ctx, nlp, probs, keep, floor=floor)
        return
    at_of = places(transcript.turns)
    for found, part_probs in split.shared_map(_score_part, size, workers, (transcript, ctx, nlp, keep, floor),
                                              "model"):
        probs.update(part_probs)
        for turn_index, p, line, column, text in found:
            yield Scored(transcript.turns[at_of[turn_index]], p, line, column, text)


def model_events(transcript: Transcript, rule_events: tuple[Event, ...] | list[Event], weight: float,
                 keep: set[tuple[int, int]] | None = None, workers: int = 1
                 ) -> tuple[list[Event], dict[tuple[int, int], float]]:
    """client_caretaking events from the classifier (source "model"), one per line at most,
    and the probability of the client lines in `keep` (every client line when None), for the rules' veto.

    A turn within 8 exchanges after therapist emotion needs `threshold`; any other
    turn `threshold_far` (higher: caretaking with no emotion before it is rarer,
    and ordinary sessions must stay quiet).
    """
    nlp, meta = load_classifier()
    ctx = context_words(transcript, rule_events)
    seg_of = segment_of_turns(transcript.segments)
    out: list[Event] = []
    probs: dict[tuple[int, int], float] = {}
    floor = min(meta["threshold"], meta["threshold_far"])  # no line below it can become an event
    for s in _scored(transcript, ctx, nlp, probs, keep, floor, workers):  # each line on its own, as the gold is
        cut = meta["threshold_far"] if "zzctx_no_te" in ctx[s.turn.index] else meta["threshold"]
        if s.probability < cut:
            continue
        line_text = s.text
        first_line = next((len(t) for ln, _c, t in _physical(s.turn) if ln == s.line), len(line_text))
        out.append(Event(
            category=CLIENT_CARETAKING,
            subtype="model",
            turn=s.turn.index,
            line=s.line,
            span=(s.column, s.column + min(len(line_text), first_line)),
            speaker=s.turn.speaker,
            role="client",
            text=line_text,
            rule="model.caretaking",
            source="speech",
            weight=weight,
            segment=seg_of.get(s.turn.index, 0),
            condition="model",
            detector="model",
            confidence=round(s.probability, 3),
            evidence=tuple(weighed_words(nlp, ctx[s.turn.index], line_text)),
        ))
    return out, probs


class LineScorer:
    """The classifier's probabilities for many lines at once, without a Doc per line.

    The model is a bag of words and word pairs (spaCy's TextCatBOW): its score is
    a sum of hashed weights over a line's distinct n-grams, counted. This computes
    the n-grams of a whole batch with numpy, exactly as the model's
    ``extract_ngrams`` layer does one Doc at a time (same keys, same order, same
    counts), then applies the model's own sparse-linear and logistic layers, so
    the probabilities are the ones ``nlp.pipe`` gives, bit for bit.
    """

    def __init__(self, nlp: Any) -> None:
        textcat = nlp.get_pipe("textcat_multilabel")
        model = textcat.model
        self.column = list(textcat.labels).index(LABEL)
        self.ops = model.ops
        self.ngram_size = next(layer.attrs["ngram_size"] for layer in model.walk() if layer.name == "extract_ngrams")
        self.linear = model.get_ref("output_layer")
        self.logistic = next(layer for layer in model.walk() if layer.name == "logistic")
        self.nlp = nlp
        self.tokenizer = nlp.tokenizer
        # word -> its tokens' ORTH ids. spaCy's tokenizer splits a text at single spaces and
        # tokenizes each piece on its own (its own cache is keyed the same way), so a line's
        # tokens are the concatenation of its words' tokens.
        self.words: dict[str, tuple[int, ...]] = {}

    def _learn(self, text: str, words: list[str]) -> list[int]:
        from spacy.attrs import IDX

        rows = self.tokenizer(text).to_array([ORTH, IDX]).tolist()
        k = 0
        start = 0
        for word in words:  # single spaces: each word's tokens are the rows starting inside it
            end = start + len(word)
            first = k
            while k < len(rows) and rows[k][1] < end:
                k += 1
            if word not in self.words:
                if len(self.words) > 500_000:  # a bound on memory over a huge vocabulary
                    self.words.clear()
                self.words[word] = tuple(r[0] for r in rows[first:k])
            start = end + 1
        return [r[0] for r in rows]

    def ids(self, text: str) -> Sequence[int]:
        """The ORTH ids of the text's tokens, as the tokenizer would give them."""
        words = text.split(" ")
        if "" not in words and text.isprintable():
            try:
                return list(chain.from_iterable(map(self.words.__getitem__, words)))
            except KeyError:  # words not seen yet: tokenize the line once and learn each word's tokens
                return self._learn(text, words)
        if not text.isprintable() or words[0] == "" or words[-1] == "":
            # Tabs, line breaks, other spaces, spaces at either end: the tokenizer itself.
            return self.tokenizer(text).to_array(ORTH).tolist()
        # k spaces between two words: the first separates them, the other k - 1 are one token.
        out: list[int] = []
        run = 0
        for word in words:
            if not word:
                run += 1
                continue
            if run:
                out.append(self.tokenizer.vocab.strings.add(" " * run))
                run = 0
            known = self.words.get(word)
            out.extend(known if known is not None else self._learn(word, [word]))
        return out

    # How far a screened (unsorted) sum may be from the model's own, in probability: float32 sums of
    # a line's weights in another order differ by about 1e-6; the screen keeps 1000 times that.
    MARGIN = 1e-3

    def probabilities(self, texts: Sequence[str], floor: float | None = None,
                      exact: Sequence[bool] | None = None) -> list[float | None]:
        """The model's probability of each text, bit for bit as nlp.pipe gives it.

        With `floor`, a text whose probability is certainly below it gets None
        instead: every line is first screened with its weights summed in the
        order they come (no sort), and only the lines within MARGIN of the floor
        or above it, and those `exact` marks, get the model's own computation.
        """
        if not texts:
            return []
        ids = [self.ids(t) for t in texts]
        if not all(ids):  # spaCy scores a batch holding an empty doc another way: let it
            return [float(d.cats.get(LABEL, 0.0)) for d in self.nlp.pipe(texts)]
        if floor is None:
            return self._exact(ids)
        rough = self._screen(ids)
        wanted = [k for k, p in enumerate(rough) if p >= floor - self.MARGIN or (exact is not None and exact[k])]
        out: list[float | None] = [None] * len(texts)
        for k, p in zip(wanted, self._exact([ids[k] for k in wanted]) if wanted else []):
            out[k] = p
        return out

    def _ngrams(self, ids: list[Sequence[int]]) -> tuple[Any, Any, Any]:
        """(every line's token ids in a row, the line each belongs to, and for each n > 1 the
        n-grams that lie inside one line with their lines)."""
        import numpy

        lengths = numpy.fromiter(map(len, ids), dtype=numpy.int64, count=len(ids))
        unigrams = numpy.fromiter(chain.from_iterable(ids), dtype=numpy.uint64, count=int(lengths.sum()))
        owner = numpy.repeat(numpy.arange(len(ids)), lengths)
        grams = []
        for n in range(2, self.ngram_size + 1):  # an n-gram counts only inside one line
            found = self.ops.ngrams(n, unigrams)
            inside = owner[:len(found)] == owner[n - 1:]
            grams.append((found[inside], owner[:len(found)][inside]))
        return unigrams, owner, grams

    def _screen(self, ids: list[Sequence[int]]) -> list[float]:
        """Each line's probability from its weights summed as they come: within about 1e-6 of the
        model's, for a fraction of the cost (no sorting, no counting)."""
        import numpy

        unigrams, owner, grams = self._ngrams(ids)
        n = len(ids)
        bias = self.linear.get_param("b")
        logits = self.linear.predict((unigrams, numpy.ones(len(unigrams), dtype="f"),
                                      numpy.bincount(owner, minlength=n).astype("int32")))
        for found, own in grams:
            logits = logits + self.linear.predict((numpy.ascontiguousarray(found), numpy.ones(len(found), dtype="f"),
                                                   numpy.bincount(own, minlength=n).astype("int32"))) - bias
        return [float(p) for p in self.logistic.predict(logits)[:, self.column]]

    def _exact(self, ids: list[Sequence[int]]) -> list[float]:
        """As the model's extract_ngrams layer does one Doc at a time: each line's distinct n-grams,
        sorted, counted; then the model's own sparse-linear and logistic layers."""
        import numpy

        unigrams, owner, grams = self._ngrams(ids)
        key = numpy.concatenate([unigrams, *(g for g, _o in grams)])
        own = numpy.concatenate([owner, *(o for _g, o in grams)])
        order = numpy.lexsort((key, own))  # by line, then key: numpy.unique's order within each line
        key, own = key[order], own[order]
        first = numpy.ones(len(key), dtype=bool)
        first[1:] = (key[1:] != key[:-1]) | (own[1:] != own[:-1])
        starts = numpy.flatnonzero(first)
        counts = numpy.diff(numpy.append(starts, len(key))).astype("f")
        per_line = numpy.bincount(own[starts], minlength=len(ids)).astype("int32")
        scores = self.linear.predict((numpy.ascontiguousarray(key[starts]), counts, per_line))
        probs = self.logistic.predict(scores)
        return [float(p) for p in probs[:, self.column]]


@lru_cache(maxsize=1)
def line_scorer() -> LineScorer:
    """The shipped classifier's scorer, made once per process."""
    return LineScorer(load_classifier()[0])


def score_lines(transcript: Transcript, ctx: dict[int, str], nlp, probs: dict[tuple[int, int], float],
                keep: set[tuple[int, int]] | None = None, batch_size: int = 2048,
                floor: float | None = None, start: int = 0, stop: int | None = None) -> Iterator[Scored]:
    """The probability of every client line, as a stream of batches (a long session is never
    held as texts); with `floor`, only of the lines that reach it (the others are certainly below).

    probs[(turn, line)] is filled for the lines in `keep` (every line when keep is None), always.
    `nlp` is a classifier pipeline; the shipped one is scored through its cached `LineScorer`.
    start and stop limit it to the turns at those places (a line's probability is its own:
    which lines share a batch changes nothing).
    """
    scorer = line_scorer() if nlp is load_classifier()[0] else LineScorer(nlp)
    turns = client_turns(transcript, start, stop)
    last = len(transcript.turns) or 1  # for progress
    batch: list[tuple[Turn, int, int, str]] = []

    def flush() -> Iterator[Scored]:
        texts = [f"{ctx[t.index]} {text}" for t, _l, _c, text in batch]
        kept = [keep is None or (t.index, line) in keep for t, line, _c, _text in batch]
        for n, ((t, line, column, text), p, k) in enumerate(zip(batch, scorer.probabilities(texts, floor, kept), kept)):
            if n % 500 == 0:
                tick(t.index, last, "model")
            if p is None:
                continue  # below the floor
            if k:
                probs[(t.index, line)] = p
            if floor is None or p >= floor:
                yield Scored(t, p, line, column, text)
        batch.clear()

    for t in turns:
        for line, column, text in line_texts(t):
            batch.append((t, line, column, text))
            if len(batch) >= batch_size:
                yield from flush()
    if batch:
        yield from flush()