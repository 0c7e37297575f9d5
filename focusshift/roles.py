"""Who is the therapist and who is the client.

Every speaker gets a role and says where it came from, in this order:

1. ``cli``: ``--therapist``/``--client``/``--role`` or the config's ``[roles]``;
2. ``declared``: what the file says (``@therapist:``, CHAT ``@Participants``,
   a table's role column);
3. ``label``: the label's own words (``T``, ``Dr. Reyes``, ``Client 2``,
   ``Maya (therapist)``);
4. ``inferred``: the conversation (who asks about the other, reflects, runs the
   session and talks about "you"; who talks about "I" and their own life).

In a two-party session where one speaker has a role, the other speaker takes
the other role, with the same source. Vocabulary, cues and weights live in
``lexicon/data/roles.json``; docs/roles.md explains them and their accuracy.

Pure functions over labels and turn texts: no spaCy, no click, no I/O beyond
reading the data file once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from .lexicon import ROLES_FILE
from .model import Role, Speaker

CLI = "cli"
DECLARED = "declared"
LABEL = "label"
INFERRED = "inferred"
ROLE_SOURCES: tuple[str, ...] = (CLI, DECLARED, LABEL, INFERRED)
_RANK = {CLI: 3, DECLARED: 2}

FEATURES: tuple[str, ...] = (
    "pronoun_balance",
    "question",
    "you_question",
    "self_question",
    "reflection",
    "management",
    "life",
    "unknowing",
    "first",
    "last",
    "word_share",
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class RoleData:
    """roles.json, compiled."""

    therapist_words: frozenset[str]
    client_words: frozenset[str]
    family_words: frozenset[str]
    other_words: frozenset[str]
    codes: dict[str, Role]
    cues: dict[str, re.Pattern[str]]
    weights: dict[str, float]
    min_confidence: float
    min_turns: int
    min_words: int
    multi_party_penalty: float


@lru_cache(maxsize=1)
def role_data() -> RoleData:
    raw = json.loads(resources.files("focusshift.lexicon").joinpath("data", ROLES_FILE).read_text("utf-8"))
    return compile_role_data(raw)


def compile_role_data(raw: dict[str, Any]) -> RoleData:
    labels, cues, model = raw["labels"], raw["cues"], raw["model"]
    weights = {k: float(v) for k, v in model["weights"].items()}
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"roles.json: unknown feature weight(s) {sorted(unknown)}")
    return RoleData(
        therapist_words=frozenset(labels["therapist"]),
        client_words=frozenset(labels["client"]),
        family_words=frozenset(labels["family"]),
        other_words=frozenset(labels["other"]),
        codes=dict(labels["codes"]),
        cues={k: re.compile(v) for k, v in cues.items() if k != "comment"},
        weights=weights,
        min_confidence=float(model["min_confidence"]),
        min_turns=int(model["min_turns"]),
        min_words=int(model["min_words"]),
        multi_party_penalty=float(model["multi_party_penalty"]),
    )


# --------------------------------------------------------------------------- labels

_LABEL_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+")
_ID = re.compile(r"^(?:\d+|[a-z])$")


@lru_cache(maxsize=8192)  # a session repeats a few labels thousands of times
def label_role(label: str) -> tuple[Role, str] | None:
    """The role a label's own words give it, with the reason; None when they say nothing.

    ("unknown", why) marks a label that names nobody in the session's two
    roles (Interpreter, Unknown Speaker, Crosstalk): inference leaves it alone.
    """
    data = role_data()
    stripped = " ".join(label.split()).strip(" .:")
    if not stripped:
        return None
    if stripped in data.codes:  # CHAT codes, capitals only
        return data.codes[stripped], f"the code {stripped!r}"
    words = [w for w in _LABEL_WORDS.findall(stripped.casefold())]
    # "T1", "C2", "P3": split a letter code from its number
    if len(words) == 1:
        m = re.fullmatch(r"([a-z]{1,3})(\d+)", words[0])
        if m:
            words = [m.group(1), m.group(2)]
    core = [w for w in words if not _ID.match(w)] or words[:1]
    if len(core) == 1 and len(words) <= 2:
        w = core[0]
        if w in data.therapist_words:
            return "therapist", f"the label {label!r}"
        if w in data.client_words:
            return "client", f"the label {label!r}"
        if w in data.family_words:
            return "client", f"the label {label!r} (a family member)"
        if w in data.other_words:
            return "unknown", f"the label {label!r} names neither party"
    if len(words) >= 2 and words[0] in ("dr", "doctor"):
        return "therapist", f"the title in {label!r}"
    full_t = {w for w in words if w in data.therapist_words and len(w) > 3}
    full_c = {w for w in words if w in data.client_words and len(w) > 3}
    if full_t and not full_c:
        return "therapist", f"the word {sorted(full_t)[0]!r} in the label"
    if full_c and not full_t:
        return "client", f"the word {sorted(full_c)[0]!r} in the label"
    if {"unknown", "multiple"} & set(words) or words[:1] == ["speakers"]:
        return "unknown", f"the label {label!r} names neither party"
    return None


# --------------------------------------------------------------------------- cues

_BRACKETED = re.compile(r"\(\([^()]*\)\)|\[[^\[\]]*\]|\([^()]*\)")
_WORD = re.compile(r"\w+")


def _clean(text: str) -> str:
    text = _BRACKETED.sub(" ", text)
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").casefold().split())


@dataclass
class _Tally:
    turns: int = 0
    words: int = 0
    second: int = 0
    first_person: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def cue_values(texts_by_speaker: dict[str, Sequence[str]], order: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each speaker's cues (FEATURES), from the text of their turns in session order.

    `order` is the sequence of speaker labels turn by turn (first and last
    speaker come from it).
    """
    data = role_data()
    cues = data.cues
    tallies: dict[str, _Tally] = {}
    for label, texts in texts_by_speaker.items():
        t = tallies[label] = _Tally()
        for raw in texts:
            text = _clean(raw)
            if not text:
                continue
            t.turns += 1
            t.words += len(_WORD.findall(text))
            you = len(cues["second_person"].findall(text))
            me = len(cues["first_person"].findall(text))
            t.second += you
            t.first_person += me
            sentences = re.split(r"(?<=[.!?])\s+", text)
            asks = [s for s in sentences if s.endswith("?") or cues["question_start"].search(s)]
            hit = {
                "question": bool(asks),
                "you_question": any(
                    cues["second_person"].search(s) and not cues["first_person"].search(s) for s in asks
                ),
                "self_question": bool(cues["self_question"].search(text)),
                "reflection": bool(cues["reflection"].search(text)),
                "management": bool(cues["management"].search(text)),
                "life": bool(cues["life"].search(text)),
                "unknowing": bool(cues["unknowing"].search(text)),
            }
            for k, v in hit.items():
                t.counts[k] = t.counts.get(k, 0) + int(v)
    total_words = sum(t.words for t in tallies.values()) or 1
    speaking = [s for s in order if s in tallies and tallies[s].turns]
    first = speaking[0] if speaking else None
    last = speaking[-1] if speaking else None
    out: dict[str, dict[str, float]] = {}
    for label, t in tallies.items():
        n = t.turns or 1
        values = {k: t.counts.get(k, 0) / n for k in FEATURES if k in t.counts}
        values["pronoun_balance"] = (t.second - t.first_person) / (t.second + t.first_person + 2)
        values["first"] = float(label == first)
        values["last"] = float(label == last)
        values["word_share"] = t.words / total_words
        values["_turns"] = float(t.turns)
        values["_words"] = float(t.words)
        out[label] = {k: values.get(k, 0.0) for k in (*FEATURES, "_turns", "_words")}
    return out


def therapist_score(values: dict[str, float], weights: dict[str, float] | None = None) -> float:
    """How much a speaker sounds like the one running the session (a logit, up to a constant)."""
    w = role_data().weights if weights is None else weights
    return sum(w.get(k, 0.0) * values.get(k, 0.0) for k in FEATURES)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, x))))


_DESCRIBE = {
    "pronoun_balance": "talks about 'you' rather than 'I'",
    "question": "asks questions",
    "you_question": "asks about the other person",
    "self_question": "asks about themselves ('is that normal?', 'what should I do?')",
    "reflection": "reflects and summarises",
    "management": "runs the session (agenda, time, homework, next week)",
    "life": "talks about their own life ('my mum', 'my job')",
    "unknowing": "speaks of their own feelings and doubts ('I feel', 'I don't know')",
    "first": "speaks first",
    "last": "speaks last",
    "word_share": "speaks for more of the session",
}


def explain(
    a: dict[str, float], b: dict[str, float], name_a: str, name_b: str,
    weights: dict[str, float] | None = None, top: int = 3,
) -> str:
    """The cues that most set speaker a apart from speaker b as the therapist, in words."""
    w = role_data().weights if weights is None else weights
    parts = []
    for k in FEATURES:
        d = w.get(k, 0.0) * (a[k] - b[k])
        if d > 0.05:
            parts.append((d, k))
    parts.sort(reverse=True)
    out = []
    for _, k in parts[:top]:
        if k in ("first", "last", "pronoun_balance"):
            out.append(f"{name_a!r} {_DESCRIBE[k]}")
        elif k == "word_share":
            out.append(f"{name_b!r} speaks for more of the session ({b[k]:.0%} of the words)")
        elif w.get(k, 0.0) < 0:  # a client cue: the other speaker has more of it
            out.append(f"{name_b!r} {_DESCRIBE[k]} ({b[k]:.0%} of turns vs {a[k]:.0%})")
        else:
            out.append(f"{name_a!r} {_DESCRIBE[k]} ({a[k]:.0%} of turns vs {b[k]:.0%})")
    return "; ".join(out) if out else f"no single cue sets {name_a!r} apart from {name_b!r}"


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Fixed:
    """A role given by the user or the file."""

    role: Role
    source: str  # cli or declared
    evidence: str


def resolve(
    order: Sequence[str],
    texts: dict[str, list[str]],
    fixed: dict[str, Fixed],
    *,
    infer: bool = True,
    first_lines: dict[str, int] | None = None,
) -> tuple[Speaker, ...]:
    """Every speaker's role, source, confidence and evidence (see the module docstring).

    `order` lists the speaking turns' labels in session order; `texts` their
    texts by label; `fixed` the user's and the file's roles by label (matched
    exactly: callers normalise).
    """
    data = role_data()
    labels = list(dict.fromkeys(order))
    first_lines = first_lines or {}
    turns = {s: 0 for s in labels}
    for s in order:
        turns[s] += 1
    role: dict[str, Role] = {}
    source: dict[str, str | None] = {}
    conf: dict[str, float | None] = {}
    why: dict[str, str] = {}
    for s in labels:
        if s in fixed:
            f = fixed[s]
            role[s], source[s], conf[s], why[s] = f.role, f.source, None, f.evidence
            continue
        found = label_role(s)
        if found is not None:
            role[s], source[s], conf[s], why[s] = found[0], LABEL, None, found[1]
            if found[0] == "unknown":
                source[s] = LABEL
        else:
            role[s], source[s], conf[s], why[s] = "unknown", None, None, ""

    parties = [s for s in labels if not (source[s] is not None and role[s] == "unknown")]
    # Two parties, one of them known: the other takes the other role.
    if len(parties) == 2:
        a, b = parties
        for known, other in ((a, b), (b, a)):
            if source[known] is not None and source[other] is None and role[known] in ("therapist", "client"):
                role[other] = "client" if role[known] == "therapist" else "therapist"
                source[other] = source[known]
                why[other] = f"the other speaker of a two-party session ({known!r} is the {role[known]})"

    open_ = [s for s in parties if source[s] is None]
    if open_ and infer:
        values = cue_values({s: texts.get(s, []) for s in parties}, order)
        _infer(parties, open_, values, role, source, conf, why, data)
    for s in labels:
        if source[s] is None and not why[s]:
            why[s] = "no role given, and inference is off (--no-infer-roles)" if not infer else why[s]
    return tuple(
        Speaker(
            label=s,
            role=role[s],
            role_source=source[s],
            confidence=None if conf[s] is None else min(0.99, round(conf[s], 2)),  # never "certain"
            evidence=why[s],
            turns=turns[s],
            first_line=first_lines.get(s),
        )
        for s in labels
    )


def _infer(
    parties: list[str],
    open_: list[str],
    values: dict[str, dict[str, float]],
    role: dict[str, Role],
    source: dict[str, str | None],
    conf: dict[str, float | None],
    why: dict[str, str],
    data: RoleData,
) -> None:
    """Give the open speakers roles from the conversation; too-close calls stay unknown.

    Speakers are ranked by therapist score and cut in two where the gap between
    neighbours is widest (therapists above, clients below), with a prior against
    more than one therapist (`multi_party_penalty` per extra therapist). Known
    roles must fall on their side of the cut. The gap at the cut is the
    evidence: its logistic is the confidence, and below `min_confidence` the
    open speakers stay unknown. For two speakers this is simply the difference
    of their scores.
    """
    w = data.weights
    score = {s: therapist_score(values[s], w) for s in parties}
    enough = [s for s in open_ if values[s]["_turns"] >= data.min_turns and values[s]["_words"] >= data.min_words]
    for s in open_:
        if s not in enough:
            why[s] = (f"too little speech to infer a role ({int(values[s]['_turns'])} turn(s), "
                      f"{int(values[s]['_words'])} words)")
    known = [s for s in parties if source[s] is not None and role[s] in ("therapist", "client")]
    ranked = sorted(known + enough, key=lambda s: (-score[s], parties.index(s)))
    if not enough:
        return
    if len(ranked) < 2:
        why[ranked[0]] = "the only speaker with enough speech: nobody to compare with"
        return
    best: tuple[float, int] | None = None
    for k in range(1, len(ranked)):  # top k are therapists
        top, bottom = ranked[:k], ranked[k:]
        if any(source[s] is not None and role[s] == "client" for s in top):
            continue
        if any(source[s] is not None and role[s] == "therapist" for s in bottom):
            continue
        gap = score[ranked[k - 1]] - score[ranked[k]]
        merit = gap - data.multi_party_penalty * (k - 1)
        if best is None or merit > best[0]:
            best = (merit, k)
    if best is None:  # the known roles contradict the ranking: say so, guess nothing
        for s in enough:
            why[s] = "the conversation does not fit the roles given to the others; give this speaker a role"
        return
    k = best[1]
    low_t, high_c = ranked[k - 1], ranked[k]
    p = _sigmoid(score[low_t] - score[high_c])
    if p < data.min_confidence:
        for s in enough:
            why[s] = (f"roles too close to call ({low_t!r} vs {high_c!r}: confidence {p:.2f} < "
                      f"{data.min_confidence:.2f})")
        return
    for i, s in enumerate(ranked):
        if s not in enough:
            continue
        r: Role = "therapist" if i < k else "client"
        against = high_c if r == "therapist" else low_t
        role[s], source[s], conf[s] = r, INFERRED, p
        t, c = (s, against) if r == "therapist" else (against, s)
        why[s] = explain(values[t], values[c], t, c, w)


def inference_note(speakers: Iterable[Speaker]) -> str | None:
    """The one line stderr shows per file when roles were inferred, with how to pin them."""
    inferred = [s for s in speakers if s.role_source == INFERRED]
    if not inferred:
        return None
    said = ", ".join(f"{s.label!r} = {s.role} ({s.confidence:.2f})" for s in inferred)
    pins = []
    for r in ("therapist", "client"):
        names = [s.label for s in inferred if s.role == r]
        if names:
            pins.append(f"--{r} " + _shell_quote(",".join(names)))
    return f"roles inferred: {said}; check them, or pin them with {' '.join(pins)}"


def _shell_quote(s: str) -> str:
    return s if re.fullmatch(r"[\w.,@%+=:/-]+", s) else "'" + s.replace("'", "'\\''") + "'"
