"""Annotations: bracketed non-verbal events in a line of text, and whom each is about.

``[crying]``, ``((sighs))`` and a parenthesised ``(long pause)`` whose words
say it is an event (lexicon/nonverbal.txt) are annotations; ``(I think)`` is
speech. An annotation is about the party it names (an alias, a declared or
inferred name), else about the speaker of its turn.
"""

from __future__ import annotations

import re

from ..model import Annotation, Role
from .common import nonverbal_words
from .labels import CLIENT_WORDS, THERAPIST_WORDS, RoleMap
from .timecodes import ONLY_TIME

_PRONOUNS = frozenset("i you we me my your our it that this".split())
_SPEECH_PRONOUNS = frozenset("i i'm i've i'd i'll me my we you you're your".split())
# Linear on any input: no nested or overlapping quantifiers (tests/test_reliability.py).
_DOUBLE = re.compile(r"\(\(([^()]*)\)\)")
_SQUARE = re.compile(r"\[([^\[\]]*)\]")
_PAREN = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[\w'\u2019.]+")


def _paren_is_event(inner: str, roles: RoleMap) -> bool:
    words = [w.casefold().strip(".'\u2019") for w in _WORD.findall(inner)]
    if not words or len(words) > 6:
        return False
    if words[0] in _PRONOUNS or any(w in _SPEECH_PRONOUNS for w in words):
        return False  # "(I think)", "(you know)": speech, not a stage direction
    vocab = nonverbal_words()
    text = " ".join(words)
    if any(" " in v and text.startswith(v) for v in vocab):
        return True  # "(long pause)"
    limit = 3 if len(words) > 5 else len(words)  # short asides: any word may say it
    return any(w.removesuffix("'s") in vocab for w in words[:limit])


def find_annotations(text: str, roles: RoleMap) -> list[tuple[int, int, str]]:
    """(start, end, inner text) of every annotation in one physical line."""
    found: list[tuple[int, int, str]] = []
    if ")" not in text and "]" not in text:  # every annotation closes with one (most lines have none)
        return found
    taken = [False] * len(text)

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    for rx, check in ((_DOUBLE, None), (_SQUARE, None), (_PAREN, _paren_is_event)):
        for m in rx.finditer(text):
            a, b = m.span()
            inner = m.group(1).strip()
            if not free(a, b) or not inner or ONLY_TIME.match(inner):
                continue
            if check is not None and not check(inner, roles):
                continue
            for i in range(a, b):
                taken[i] = True
            found.append((a, b, inner))
    found.sort()
    return found


def attribute(inner: str, speaker_role: Role | None, roles: RoleMap) -> Role | None:
    """Whom an annotation is about: the party it names, else the turn's speaker."""
    raw_words = _WORD.findall(inner.replace("\u2019", "'"))
    stems = [w.strip(".").removesuffix("'s").removesuffix("'").strip(".") for w in raw_words]
    words = {w.casefold() for w in stems}
    # Single letters (T, C) only count when written as capitals, as labels are.
    letters = {w for w in stems if len(w) <= 2 and w.isupper()}
    t_words = (THERAPIST_WORDS - {"t", "th"}) | roles.name_words("therapist")
    c_words = (CLIENT_WORDS - {"c", "cl", "pt"}) | roles.name_words("client")
    names_t = bool(words & t_words) or bool(letters & {"T", "TH"})
    names_c = bool(words & c_words) or bool(letters & {"C", "CL", "PT"})
    # A multi-word declared name ("dr. reyes") named in full.
    low = " ".join(inner.casefold().split())
    names_t = names_t or any(" " in n and n in low for n in roles.name_words("therapist"))
    names_c = names_c or any(" " in n and n in low for n in roles.name_words("client"))
    if names_t and names_c:
        # Both named ("[Miriam's eyes fill; she holds Rosalind's gaze]"): the one
        # named first is the subject of the note.
        first_t = _first_index(raw_words, t_words, {"T", "TH"}, roles.name_words("therapist"))
        first_c = _first_index(raw_words, c_words, {"C", "CL", "PT"}, roles.name_words("client"))
        lo, hi = sorted((first_t, first_c))
        joint = hi - lo <= 3 and any(w.casefold() in ("and", "&", "both") for w in raw_words[lo:hi])
        if not joint and first_t != first_c:  # "[therapist and client laugh]" is about both
            return "therapist" if first_t < first_c else "client"
        return speaker_role if speaker_role in ("therapist", "client") else None
    if names_t:
        return "therapist"
    if names_c:
        return "client"
    return speaker_role


def _first_index(raw_words: list[str], words: set[str], letters: set[str], names: set[str]) -> int:
    """Position of the first word that names a party (a large number when none does)."""
    for i, w in enumerate(raw_words):
        stem = w.strip(".").removesuffix("'s").removesuffix("'").strip(".")
        if stem.casefold() in words or (len(stem) <= 2 and stem in letters):
            return i
    return 10**6


def make_annotations(
    line_text: str, line_no: int, speaker_role: Role | None, roles: RoleMap, shift: int = 0
) -> tuple[Annotation, ...]:
    """Annotations of one physical line; columns are shifted to the physical line."""
    out = []
    for a, b, inner in find_annotations(line_text, roles):
        out.append(
            Annotation(
                text=inner,
                line=line_no,
                start=a + shift,
                end=b + shift,
                about=attribute(inner, speaker_role, roles),
                raw=line_text[a:b],
            )
        )
    return tuple(out)
