"""From a Transcript to Events: run the pipeline, gate by role, apply context and conversation."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..config import Config
from ..lexicon import Lexicon, MarkerRule, rule_confidence
from ..scoring import IndexMap, exchange_positions, places, segment_of_turns
from ..model import (
    CLIENT_CARETAKING,
    THERAPIST_EMOTION,
    Event,
    Transcript,
    Turn,
)
from .components import EDGES_KEY, SPANS_KEY, focusshift_pipes, modifiers_of
from ..progress import tick
from ..turntable import between, columns
from . import split
from .prefilter import SOURCE_KEY

# Modifiers that cancel a candidate unless its rule says to ignore them.
CANCELLING = frozenset(
    {"negated", "hypothetical", "historical", "habitual", "reported", "practical", "other_experiencer"}
)
_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\n": " ", "\t": " "})


# Annotation subtypes that a physical cause named in the same turn explains away.
_PHYSICAL_SUBTYPES = frozenset({"sniffing", "tearful", "voice_break"})
# Speech subtypes that laughter in the same turn explains away ("I'm crying" while laughing).
_LAUGHTER_SUBTYPES = frozenset({"crying", "tearful"})
_WORDS = re.compile(r"[a-z]+")


def _physical(turn: Turn, lexicon: Lexicon) -> bool:
    """The turn names a physical cause (a cold, hay fever): its sniffs are not emotion."""
    causes = lexicon.terms.get("physical_cause", ())
    words = set(_WORDS.findall(turn.text.lower()))  # annotations too: "(coughs)"
    return any(c in words for c in causes)


def _laughing(turn: Turn, lexicon: Lexicon) -> bool:
    """The turn is laughing: an annotation or a written laugh names it."""
    words = lexicon.terms.get("laughter", ())
    found = set(_WORDS.findall(" ".join(a.text for a in turn.annotations).lower()))
    found |= set(_WORDS.findall(turn.spoken.lower()))
    return any(w in found for w in words)


@dataclass(frozen=True)
class _Candidate:
    rule: MarkerRule
    turn: Turn
    pos: int  # speaking-turn position (notes take the position of the turn before)
    line: int
    col_start: int
    col_end: int
    text: str
    modifiers: tuple[str, ...]


def spoken_text(turn: Turn) -> str:
    """The spoken text for spaCy: clean_text without the map (built only where a match needs it)."""
    if not turn.annotations:
        text = turn.text.translate(_TRANSLATE)
        if "  " not in text:
            return text
    return clean_text(turn)[0]


def clean_text(turn: Turn) -> tuple[str, list[int]]:
    """The spoken text for spaCy (annotations out, one space each) and a map back to Turn.text."""
    cuts = sorted((turn.offset_of(a.line, a.start), turn.offset_of(a.line, a.end)) for a in turn.annotations)
    out: list[str] = []
    mapping: list[int] = []
    i = 0
    text = turn.text
    for a, b in cuts:
        if a < i:
            continue
        out.append(text[i:a].translate(_TRANSLATE))
        mapping.extend(range(i, a))
        out.append(" ")
        mapping.append(a)
        i = b
    out.append(text[i:].translate(_TRANSLATE))
    mapping.extend(range(i, len(text)))
    mapping.append(len(text))
    # One space for any run of whitespace: spaCy makes extra spaces tokens of their
    # own, which would break patterns ("are   you okay").
    joined = "".join(out)
    if "  " not in joined:
        return joined, mapping
    squeezed: list[str] = []
    kept: list[int] = []
    for k, ch in enumerate(joined):
        if ch == " " and squeezed and squeezed[-1] == " ":
            continue
        squeezed.append(ch)
        kept.append(mapping[k])
    kept.append(mapping[-1])
    return "".join(squeezed), kept


def _positions(transcript: Transcript) -> IndexMap:
    return exchange_positions(transcript.turns)


@dataclass(frozen=True)
class _Job:
    """A stretch of text to run through the pipeline: a turn's speech (or part of it) or an annotation."""

    kind: str  # "speech" or "annotation"
    turn: Turn
    extra: Any  # annotation: the Annotation; speech: None (the map back to Turn.text is made on a match)
    text: str
    offset: int = 0  # where the text starts in the turn's clean text
    edges: tuple[int, str | None, str | None] | None = None  # quotes before, token before, token after

    def doc(self, nlp):  # -> Doc
        doc = nlp.make_doc(self.text)
        doc.user_data[SOURCE_KEY] = self.kind
        if self.edges is not None:
            doc.user_data[EDGES_KEY] = self.edges
        return doc


def _run(jobs: Iterable[_Job], nlp, lexicon: Lexicon, pos: IndexMap, turns: int) -> list[_Candidate]:
    """Run the pipeline on the jobs' texts and keep candidates that survive role and context.

    `jobs` may be a stream: a batch of them is held at a time, not the whole session's texts."""
    candidates: list[_Candidate] = []
    maps: dict[int, list[int]] = {}  # turn index -> clean_text's map, for turns with a match
    docs = nlp.pipe(((j.doc(nlp), j) for j in jobs), batch_size=256, as_tuples=True)
    for n, (doc, job) in enumerate(docs):
        if n % 256 == 0:
            tick(job.turn.index, turns, "detect")
        kind, turn, extra = job.kind, job.turn, job.extra
        if SPANS_KEY not in doc.spans:
            continue
        for span in doc.spans[SPANS_KEY]:
            rule = lexicon.markers.get(span.id_)
            if rule is None or rule.source != kind:
                continue
            mods = tuple(cat for cat, _ in modifiers_of(doc, span))
            if any(m in CANCELLING and m not in rule.ignore for m in mods):
                continue
            if kind == "speech":
                if rule.role != turn.role:
                    continue
                mapping = maps.get(turn.index)
                if mapping is None:
                    mapping = maps[turn.index] = clean_text(turn)[1]
                a, b = mapping[job.offset + span.start_char], mapping[job.offset + span.end_char - 1] + 1
                line, col = turn.locate(a)
                end_line, end_col = turn.locate(b - 1)
                col_end = end_col + 1 if end_line == line else len(turn.text)
                text = " ".join(turn.text[a:b].split())
            else:
                if rule.role != "therapist":
                    continue
                ann = extra
                line, col, col_end = ann.line, ann.start, ann.end
                text = ann.raw
            if rule.label == THERAPIST_EMOTION and rule.subtype in _PHYSICAL_SUBTYPES and _physical(turn, lexicon):
                continue  # "[sniffs] excuse me, hay fever", "a frog in my throat, this cold"
            if kind == "speech" and rule.subtype in _LAUGHTER_SUBTYPES and _laughing(turn, lexicon):
                continue  # "((laughing)) stop, I'm crying"
            ignored = tuple(m for m in mods if m in rule.ignore)
            candidates.append(_Candidate(rule, turn, pos[turn.index], line, col, col_end, text, ignored))
    return candidates


class _Deferred:
    """Pieces held back because only rules that count after therapist emotion or caretaking could
    match them: 24 bytes a piece (a long session has tens of thousands), made again if one comes near."""

    __slots__ = ("index", "at", "start")

    def __init__(self) -> None:
        self.index = array("q")  # Turn.index
        self.at = array("q")  # place in transcript.turns
        self.start = array("q")  # where the piece starts in the turn's clean text

    def add(self, index: int, at: int, start: int) -> None:
        self.index.append(index)
        self.at.append(at)
        self.start.append(start)

    def __len__(self) -> int:
        return len(self.index)

    def jobs(self, rows: list[int], transcript: Transcript, chunker: Any) -> Iterator[_Job]:
        """The rows' pieces as jobs, cut again exactly as _first_jobs cut them."""
        made: dict[int, dict[int, _Job]] = {}  # place -> the turn's pieces by start
        for r in rows:
            at = self.at[r]
            pieces = made.get(at)
            if pieces is None:
                made.clear()  # rows come in turn order: one turn's pieces at a time
                turn = transcript.turns[at]
                clean = spoken_text(turn)
                pieces = made[at] = {start: _Job("speech", turn, None, clean[start:end], start, edges)
                                     for start, end, edges, _ids in chunker.pieces(clean)}
            yield pieces[self.start[r]]


def _first_jobs(transcript: Transcript, chunker: Any, lexicon: Lexicon, deferred: _Deferred,
                start: int = 0, stop: int | None = None) -> Iterator[_Job]:
    """The session's texts worth running (of the turns at places start..stop-1), as a stream in turn
    order; the pieces whose only possible rules count just after therapist emotion or caretaking go
    to `deferred` instead."""
    stop = len(transcript.turns) if stop is None else stop
    for at, turn in enumerate(between(transcript.turns, start, stop), start):
        if not turn.is_note and turn.role in ("therapist", "client"):
            clean = spoken_text(turn)
            if not clean.strip():
                pass
            elif chunker is None:
                yield _Job("speech", turn, None, clean)
            else:
                # Only the stretches of the turn that some rule could match are tokenized.
                for start, end, edges, ids in chunker.pieces(clean):
                    if any(lexicon.markers[i].condition != "after_emotion" for i in ids):
                        yield _Job("speech", turn, None, clean[start:end], start, edges)
                    else:
                        deferred.add(turn.index, at, start)
        for ann in turn.annotations:
            if ann.about == "therapist":
                yield _Job("annotation", turn, ann, ann.text.translate(_TRANSLATE))


# --------------------------------------------------------------------------- one long session, split

def _first_pass_part(bounds: tuple[int, int]) -> tuple[list[tuple], tuple[array, array, array]]:
    """In a forked worker: the first pass over the turns at places start..stop-1, as plain data."""
    transcript, nlp, lexicon, chunker, pos = split.state()
    deferred = _Deferred()
    found = _run(_first_jobs(transcript, chunker, lexicon, deferred, *bounds), nlp, lexicon, pos,
                 len(transcript.turns))
    light = [(c.rule.id, c.turn.index, c.pos, c.line, c.col_start, c.col_end, c.text, c.modifiers) for c in found]
    return light, (deferred.index, deferred.at, deferred.start)


def _split_first_pass(transcript: Transcript, nlp: Any, lexicon: Lexicon, chunker: Any, pos: IndexMap,
                      workers: int, deferred: _Deferred) -> list[_Candidate]:
    """The first pass of a long session shared by forked workers (pipeline/split.py): candidates
    and held-back pieces come back in turn order, as one process finds them."""
    at_of = places(transcript.turns)
    candidates: list[_Candidate] = []
    shared = (transcript, nlp, lexicon, chunker, pos)
    for light, held in split.shared_map(_first_pass_part, len(transcript.turns), workers, shared, "detect"):
        for rule_id, index, p, line, a, b, text, mods in light:
            turn = transcript.turns[at_of[index]]
            candidates.append(_Candidate(lexicon.markers[rule_id], turn, p, line, a, b, text, mods))
        deferred.index.extend(held[0])
        deferred.at.extend(held[1])
        deferred.start.extend(held[2])
    return candidates


def find_events(
    transcript: Transcript,
    nlp,  # spacy.Language with the focusshift_markers (and focusshift_context) components
    config: Config | None = None,
    *,
    prefilter: bool = True,
    workers: int = 1,
) -> tuple[Event, ...]:
    """focusshift's rule events of one transcript, in source order, from any spaCy pipeline.

    The components propose candidates (doc.spans["focusshift"]) and their
    modifiers (Span._.focusshift_modifiers); this is where they become events:
    the speaker's role must be the one the rule is for, cancelling modifiers
    (negated, reported, hypothetical...) remove a candidate, and conditional
    rules count only where the conversation supports them (right after
    therapist emotion, later in a session with earlier caretaking, ...).

    Every turn is tokenized; the prefilter (compiled from the rules) then lets
    only turns that some rule could match through the rest of the pipeline.
    Turns whose only possible rules count just after therapist emotion or
    caretaking ("take your time") are run only when such an event is near.
    With prefilter=False every turn runs the whole pipeline: same events.
    With workers > 1 a long session's first pass is shared by that many forked
    processes (where the platform forks): same events, sooner.
    """
    if config is None:
        from ..config import load_config

        config = load_config(None)
    markers, _ = focusshift_pipes(nlp)
    lexicon = markers.ensure_rules()
    pos = _positions(transcript)
    deferred = _Deferred()
    chunker = markers.chunker(nlp) if prefilter else None
    size = len(transcript.turns)
    if chunker is not None and split.can_split(workers, size):
        candidates = _split_first_pass(transcript, nlp, lexicon, chunker, pos, workers, deferred)
    else:
        candidates = _run(_first_jobs(transcript, chunker, lexicon, deferred), nlp, lexicon, pos, size)
    # Conditional rules only count near therapist emotion or caretaking: run the
    # deferred turns that are near any candidate of those (a superset of what can
    # count, so nothing is missed), until no new turn comes near.
    reach = max(config.context_window, config.care_window)
    while len(deferred):
        anchors = sorted({c.pos for c in candidates if c.rule.label in (THERAPIST_EMOTION, CLIENT_CARETAKING)})
        near: list[int] = []
        later = _Deferred()
        for r, index in enumerate(deferred.index):
            p = pos[index]
            k = bisect.bisect_right(anchors, p)  # the latest anchor at or before p
            if k and p - anchors[k - 1] <= reach:
                near.append(r)
            else:
                later.add(index, deferred.at[r], deferred.start[r])
        if not near:
            break
        candidates.extend(_run(deferred.jobs(near, transcript, chunker), nlp, lexicon, pos, size))
        deferred = later
    kept = _conversation(candidates, config, transcript, tuple(lexicon.terms.get("practical_words", ())))
    events = [
        Event(
            category=c.rule.label,
            subtype=c.rule.subtype,
            turn=c.turn.index,
            line=c.line,
            span=(c.col_start, c.col_end),
            speaker=_speaker(c, transcript),
            role="therapist" if c.rule.label != CLIENT_CARETAKING else "client",
            text=c.text,
            rule=c.rule.id,
            source=c.rule.source,
            modifiers=c.modifiers,
            weight=config.weight(c.rule.label, c.rule.subtype),
            condition=c.rule.condition,
            anchor_line=anchor,
            confidence=rule_confidence(c.rule.id, c.rule.label, c.rule.subtype),
        )
        for c, anchor in _dedupe(kept, config)
    ]
    seg_of = segment_of_turns(transcript.segments)
    events = [replace(e, segment=seg_of.get(e.turn, 0)) for e in events]
    return tuple(sorted(events, key=lambda e: (e.line, e.span[0], e.category, e.rule)))


def _speaker(c: _Candidate, transcript: Transcript) -> str | None:
    if c.rule.source == "speech":
        return c.turn.speaker
    if c.turn.role == "therapist" and not c.turn.is_note:
        return c.turn.speaker
    names = transcript.meta.get("therapist") or []
    return names[0] if isinstance(names, list) and len(names) == 1 else None


def _conversation(
    cands: list[_Candidate], config: Config, transcript: Transcript, practical_words: tuple[str, ...] = ()
) -> list[tuple[_Candidate, int | None]]:
    """Keep conditional candidates only where the conversation supports them.

    Returns each kept candidate with the line of the event that let it count
    (None for rules that always count).
    """
    firm = [c for c in cands if c.rule.condition == "always"]
    emotion = sorted((c.pos, c.line) for c in firm if c.rule.label == THERAPIST_EMOTION)
    care = sorted((c.pos, c.line) for c in firm if c.rule.label == CLIENT_CARETAKING)
    emotion_by_turn: dict[int, int] = {}
    for c in firm:
        if c.rule.label == THERAPIST_EMOTION:
            emotion_by_turn.setdefault(c.turn.index, c.line)
    note_neighbours = _note_neighbours(transcript)
    practical = set(practical_words)

    emotion_pos = [a for a, _ in emotion]
    care_pos = [a for a, _ in care]

    def latest(anchors: list[tuple[int, int]], keys: list[int], p: int, width: int) -> int | None:
        # anchors sorted by (position, line): the last one at or before p, if within width
        k = bisect.bisect_right(keys, p)
        return anchors[k - 1][1] if k and p - anchors[k - 1][0] <= width else None

    weak_by_turn: dict[int, list[tuple[int, _Candidate]]] = {}
    for n, o in enumerate(cands):
        if o.rule.condition == "with_support" and o.rule.label == THERAPIST_EMOTION:
            weak_by_turn.setdefault(o.turn.index, []).append((n, o))

    kept: list[tuple[_Candidate, int | None]] = []
    # In source order, so that caretaking kept by context anchors what follows it.
    for c in sorted(cands, key=lambda x: (x.pos, x.line, x.col_start, x.rule.id)):
        cond = c.rule.condition
        if cond == "always":
            kept.append((c, None))
        elif cond == "with_support":
            # A bare "give me a moment" is only emotion next to other emotion evidence:
            # a firm marker, or a second, different weak one ("that moved me ... a second").
            near = {c.turn.index} | note_neighbours.get(c.turn.index, set())
            support = [emotion_by_turn[t] for t in sorted(near) if t in emotion_by_turn]
            support += [
                o.line for _, o in sorted(w for t in near for w in weak_by_turn.get(t, ()))
                if o is not c and o.rule.subtype != c.rule.subtype
            ]
            if support:
                kept.append((c, support[0]))
        elif cond == "unless_practical":
            # "give me a moment" alone: emotion, unless the turn names something practical
            # (a worksheet, the printer, a frozen screen), or with other emotion evidence near.
            near = {c.turn.index} | note_neighbours.get(c.turn.index, set())
            support = [emotion_by_turn[t] for t in sorted(near) if t in emotion_by_turn]
            if support or not (practical & set(_WORDS.findall(c.turn.spoken.lower()))):
                kept.append((c, support[0] if support else None))
        elif cond == "later_in_session":
            # Closing care ("go easy on yourself tonight"): caretaking only in a session where the
            # therapist showed emotion, or the client already looked after them, earlier on.
            # (the latest earlier caretaking, else the latest earlier emotion)
            k = bisect.bisect_left(care_pos, c.pos)
            if k:
                kept.append((c, care[k - 1][1]))
            else:
                k = bisect.bisect_left(emotion_pos, c.pos)
                if k:
                    kept.append((c, emotion[k - 1][1]))
        elif cond == "after_emotion":
            # Therapist emotion just before, or a stretch where the client is already
            # looking after the therapist (the therapist is ill, tired, upset).
            ew = config.context_window if c.rule.window is None else min(config.context_window, c.rule.window)
            aw = config.care_window if c.rule.window is None else min(config.care_window, c.rule.window)
            anchor = latest(emotion, emotion_pos, c.pos, ew)
            if anchor is None:
                anchor = latest(care, care_pos, c.pos, aw)
            if anchor is not None:
                # A context-only match never unlocks another one (no stacking on a match that
                # may itself be wrong): only firm caretaking and therapist emotion anchor.
                kept.append((c, anchor))
    return kept


def _note_neighbours(transcript: Transcript) -> dict[int, set[int]]:
    """Scene notes right before or after each turn (they may carry its emotion); turns with none are left out."""
    out: dict[int, set[int]] = {}
    cols = columns(transcript.turns)
    index = cols.index
    for i, note in enumerate(cols.is_note):
        if not note:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(index):
                out.setdefault(index[j], set()).add(index[i])
    return out


def _dedupe(
    kept: list[tuple[_Candidate, int | None]], config: Config
) -> list[tuple[_Candidate, int | None]]:
    """One event per overlapping trigger and category: the heaviest, then the longest."""
    def key(item: tuple[_Candidate, int | None]) -> tuple[float, int, int, str]:
        c = item[0]
        # heaviest, then longest, then earliest, then by rule id: deterministic in every run
        return (-config.weight(c.rule.label, c.rule.subtype), -(c.col_end - c.col_start), c.col_start, c.rule.id)

    out: list[tuple[_Candidate, int | None]] = []
    placed: dict[tuple[int, str, int], list[_Candidate]] = {}  # same turn, category and line
    for item in sorted(kept, key=key):
        c = item[0]
        same = placed.setdefault((c.turn.index, c.rule.label, c.line), [])
        if not any(o.col_start < c.col_end and c.col_start < o.col_end for o in same):
            same.append(c)
            out.append(item)
    return out
