"""What `--no-text` keeps of an analysis: structure and figures, nothing that names anyone.

Removed: transcript text (every renderer leaves it out under text=False),
speaker names (each speaker becomes its role and a number: "therapist 1",
"client 2"; role words such as "T" or "CLIENT" are not names and stay),
names in warnings and in the evidence of inferred roles, segment titles,
header metadata (title, date, session, names, attendees ...), and ids taken
from the file's content (a CSV's session ids become the session's number in
the file: ``corpus.csv#2``). Kept: the path the user gave, line numbers,
roles and where they came from, categories, subtypes, rule ids, weights,
scores and counts. docs/output.md lists it field by field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .model import Analysis, Speaker, Turn
from .roles import label_role
from .turntable import TurnTable


def anonymous_labels(analysis: Analysis) -> dict[str, str]:
    """Speaker label -> 'therapist 1', 'client 2', 'unknown 1', in order of first turn."""
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for sp in analysis.transcript.speakers:
        seen[sp.role] = seen.get(sp.role, 0) + 1
        out[sp.label] = f"{sp.role} {seen[sp.role]}"
    return out


def _is_role_word(label: str) -> bool:
    """'T', 'CLIENT', 'Client 2', 'PAR': a role label, not a person's name."""
    found = label_role(label)
    return found is not None and found[1].startswith(("the label", "the code"))


def _scrubber(names: dict[str, str]):
    """A function replacing every name (longest first, whole words) by its stand-in."""
    if not names:
        return lambda s: s
    ordered = sorted(names, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)")
    return lambda s: rx.sub(lambda m: names[m.group(0)], s) if s else s


def deidentify(analysis: Analysis) -> Analysis:
    """The same analysis with names, titles, metadata and content-derived ids taken out."""
    t = analysis.transcript
    anon = anonymous_labels(analysis)
    names = {label: anon[label] for label in anon if not _is_role_word(label)}
    for role in ("therapist", "client"):
        declared = t.meta.get(role)
        for name in declared if isinstance(declared, list) else []:
            if isinstance(name, str) and name and name not in names and not _is_role_word(name):
                names[name] = role
    scrub = _scrubber(names)
    path = t.path
    number = t.meta.get("session_number")
    if "#" in path and number is not None:
        path = f"{path.rpartition('#')[0]}#{number}"
    speakers = tuple(
        Speaker(anon[sp.label], sp.role, sp.role_source, sp.confidence, scrub(sp.evidence), sp.turns, sp.first_line)
        for sp in t.speakers
    )
    turns: Sequence[Turn]
    if isinstance(t.turns, TurnTable):  # a long session: its labels renamed, its turns not made
        turns = t.turns.renamed(anon)
    else:
        turns = tuple(
            replace(turn, speaker=anon.get(turn.speaker, turn.speaker) if turn.speaker else None) for turn in t.turns
        )
    segments = tuple(replace(s, title=None) for s in t.segments)
    transcript = replace(
        t,
        path=path,
        meta={},
        speakers=speakers,
        turns=turns,
        segments=segments,
        warnings=tuple((line, scrub(message)) for line, message in t.warnings),
    )
    scores = tuple(replace(s, segment=replace(s.segment, title=None)) for s in analysis.segments)
    events = tuple(replace(e, speaker=(anon.get(e.speaker) or scrub(e.speaker)) if e.speaker else None)
                   for e in analysis.events)
    return replace(analysis, transcript=transcript, segments=scores, events=events,
                   reason=scrub(analysis.reason) if analysis.reason else None)
