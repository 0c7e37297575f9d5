"""Speaker labels: what a label looks like, whom it names, and the role map of a file.

Shared by every reader: the ``Name: text`` and ``[SPEAKER_00]: text`` label
patterns, the title words a name may start with, when an undeclared label is
plausibly a name, and the RoleMap that turns labels into roles (the user's and
the file's names first, then the label vocabulary of ``focusshift.roles``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Role
from ..roles import label_role
from .common import nonverbal_words

THERAPIST_ALIASES = frozenset(
    "t th therapist counselor counsellor clinician psychologist psychiatrist".split()
)
CLIENT_ALIASES = frozenset("c cl client patient pt".split())
# Words that name a party inside an annotation or scene note, beyond the aliases.
THERAPIST_WORDS = THERAPIST_ALIASES | {"therapists", "therapist's", "counsellor's", "counselor's"}
CLIENT_WORDS = CLIENT_ALIASES | {"client's", "patient's"}
# Titles before a name ("Dr. Lee", "ms Ortiz"): never a name word of their own.
TITLE_WORDS = frozenset("dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof. miss".split())

# "Name: text" at the start of a line; `space` is empty when text follows the colon directly.
LABEL = re.compile(r"^(?P<label>[^\W\d_][\w .'\u2019&-]{0,40}?)\s*:(?P<space>\s+|$|)(?P<text>.*)$")
# "[SPEAKER_00]: text": WhisperX's subtitle writers put the speaker in brackets.
BRACKET_LABEL = re.compile(r"^\[(?P<label>[^\W\d_][\w .'\u2019&-]{0,40}?)\]\s*:\s*(?P<text>.*)$")


@lru_cache(maxsize=8192)
def normalise_label(label: str) -> str:
    return " ".join(label.replace("\u2019", "'").split()).casefold()


def plausible_name(label: str) -> bool:
    """A label nobody declared still counts when it looks like a name, not a sentence."""
    words = label.split()
    if not words or len(words) > 4:
        return False
    if len(words) == 1 and len(label) <= 24 and label.replace("-", "").isalpha():
        return True  # "interpreter:", "Mum:": one word before a colon is a speaker
    for w in words:
        if w.casefold() in TITLE_WORDS:
            continue
        if not (w[0].isupper() or w[0].isdigit()):
            return False
    return True


def names_nonverbal(label: str) -> bool:
    """A bracketed 'label' with a non-verbal word ('[laughs]: ...') is an event, not a speaker."""
    return any(w.casefold() in nonverbal_words() for w in label.split())


def colon_label(text: str, known: Callable[[str], bool]) -> tuple[str, int] | None:
    """(label, column of its text) for 'Name: text'; a label that is not `known` must look like a name.

    Without a space after the colon ('T:Fine') only a known label counts, so
    'Note:this' stays text.
    """
    m = LABEL.match(text)
    if not m:
        return None
    label = m.group("label").strip()
    is_known = known(label)
    if not (is_known or plausible_name(label)):
        return None
    if not m.group("space") and m.group("text") and not is_known:
        return None
    return label, m.start("text")


def match_label(rest: str, roles: RoleMap) -> tuple[str, int] | None:
    """(speaker label, column of its text) when a text line starts with a speaker label.

    'Name: text', and the bracketed '[SPEAKER_00]: text' that Whisper tools
    write. A label nobody declared must look like a name (and a bracketed one
    must not be a non-verbal event).
    """
    m = BRACKET_LABEL.match(rest)
    if m:
        label = m.group("label").strip()
        if roles.is_known(label) or (plausible_name(label) and not names_nonverbal(label)):
            return label, m.start("text")
    return colon_label(rest, roles.is_known)


_SOURCE_RANK = {"cli": 3, "declared": 2, "label": 1, "inferred": 0}


@dataclass
class RoleMap:
    """Speaker label -> role: the user's and the file's names, then the label vocabulary.

    Names added later by inference count for annotation attribution ("[Maya
    wipes her eyes]") once roles are resolved.
    """

    names: dict[str, Role] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, role: Role, source: str = "declared", evidence: str = "") -> None:
        """Record a role; a weaker source never overrides a stronger one (cli > declared > ...)."""
        key = normalise_label(label)
        old = self.sources.get(key)
        if old is not None and _SOURCE_RANK[old] > _SOURCE_RANK[source]:
            return
        self.names[key] = role
        self.sources[key] = source
        self.evidence[key] = evidence

    def given(self, label: str) -> tuple[Role, str, str] | None:
        """(role, source, evidence) when the user or the file gave this label a role."""
        key = normalise_label(label)
        if key not in self.names:
            return None
        return self.names[key], self.sources[key], self.evidence[key]

    def role_of(self, label: str) -> Role:
        key = normalise_label(label)
        if key in self.names:
            return self.names[key]
        found = label_role(label)
        return found[0] if found else "unknown"

    def is_known(self, label: str) -> bool:
        """A label with a role from the user, the file or the vocabulary ('T', 'Client 2')."""
        if normalise_label(label) in self.names:
            return True
        found = label_role(label)
        return found is not None and found[0] != "unknown"

    def name_words(self, role: Role) -> set[str]:
        """Words that name a party of this role in free text (surnames, first names).

        A word shared by names of both roles ("Speaker" in "Speaker 1" and
        "Speaker 2", a shared surname) names neither; full names still do.
        """
        return self._name_words()[role]

    def _name_words(self) -> dict[str, set[str]]:
        words: dict[str, set[str]] = {"therapist": set(), "client": set(), "unknown": set()}
        full: dict[str, set[str]] = {"therapist": set(), "client": set(), "unknown": set()}
        for name, r in self.names.items():
            parts = [p for p in re.split(r"[\s]+", name) if p]
            words[r].update(p.strip(".") for p in parts if p not in TITLE_WORDS and len(p.strip(".")) > 1)
            full[r].add(name)
        shared = words["therapist"] & words["client"]
        return {r: (words[r] - shared) | full[r] for r in words}
