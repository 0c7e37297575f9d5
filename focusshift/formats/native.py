"""The native focusshift text format (see docs/transcript-format.md)."""

from __future__ import annotations

import re

from ..errors import TranscriptError
from ..model import Piece, Role, Transcript, Turn
from .common import (
    ReadOptions,
    RoleMap,
    make_annotations,
    segment,
    split_lines,
)

_HEADER = re.compile(r"^@([A-Za-z][\w-]*)\s*:\s*(.*)$")
_HEADING = re.compile(r"^##(?:\s+(.*\S))?\s*$")
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
_TIMESTAMP = re.compile(
    rf"^\s*(?:\[(?P<a>{_TS})\]|\((?P<b>{_TS})\)|(?P<c>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d+)?))\s*"
)
_LABEL = re.compile(r"^(?P<label>[^\W\d_][\w .'\u2019&-]{0,40}?)\s*:(?P<space>\s+|$|)(?P<text>.*)$")
_TITLE_WORDS = frozenset("dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof. miss".split())


def parse_time(value: str) -> float:
    """'01:02:03', '02:03' or '02:03.5' -> seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _plausible_name(label: str) -> bool:
    """A label nobody declared still counts when it looks like a name, not a sentence."""
    words = label.split()
    if not words or len(words) > 4:
        return False
    if len(words) == 1 and len(label) <= 24 and label.replace("-", "").isalpha():
        return True  # "interpreter:", "Mum:": one word before a colon is a speaker
    for w in words:
        if w.casefold() in _TITLE_WORDS:
            continue
        if not (w[0].isupper() or w[0].isdigit()):
            return False
    return True


def read_native(text: str, path: str, options: ReadOptions | None = None) -> Transcript:
    """Parse native-format text into a Transcript; raise TranscriptError when nothing is usable."""
    options = options or ReadOptions()
    lines = split_lines(text)
    roles = RoleMap()
    meta: dict[str, object] = {}
    warnings: list[tuple[int | None, str]] = []

    # Header: '@key: value' lines at the very top (blank lines allowed between them).
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        m = _HEADER.match(stripped)
        if not m:
            break
        key, value = m.group(1).lower(), m.group(2).strip()
        if key in ("therapist", "client"):
            names = [n.strip() for n in value.split(",") if n.strip()]
            existing = meta.setdefault(key, [])
            assert isinstance(existing, list)
            existing.extend(names)
            for n in names:
                roles.add(n, key)  # type: ignore[arg-type]
        else:
            meta[key] = value
        i += 1
    # Names given on the command line win over the header.
    for role, names in (("therapist", options.therapist), ("client", options.client)):
        for n in names:
            roles.add(n, role)  # type: ignore[arg-type]

    turns: list[Turn] = []
    headings: list[tuple[int, str]] = []
    current: dict | None = None  # the speaking turn being built
    unknown_labels: set[str] = set()
    after_heading = False
    body_start = i

    def close() -> None:
        nonlocal current
        if current is not None:
            turns.append(_build(current, len(turns)))
            current = None

    for idx in range(i, len(lines)):
        line_no = idx + 1
        raw = lines[idx]
        if not raw.strip():
            continue
        heading = _HEADING.match(raw.strip()) if raw.lstrip().startswith("##") else None
        if heading:
            close()
            headings.append((line_no, heading.group(1) or ""))
            after_heading = True
            continue
        if raw.lstrip().startswith("@") and _HEADER.match(raw.strip()):
            warnings.append((line_no, "header line after the transcript has started; ignored"))
            continue

        col = len(raw) - len(raw.lstrip())
        time = None
        ts = _TIMESTAMP.match(raw)
        if ts:
            time = parse_time(ts.group("a") or ts.group("b") or ts.group("c"))
            col = ts.end()
        rest = raw[col:]

        label_match = _LABEL.match(rest)
        if label_match:
            label = label_match.group("label").strip()
            if not (roles.is_known(label) or _plausible_name(label)):
                label_match = None
            elif not label_match.group("space") and label_match.group("text") and not roles.is_known(label):
                label_match = None  # "T:Fine" only for known labels; "Note:this" stays text
        if label_match:
            close()
            after_heading = False
            label = label_match.group("label").strip()
            role = roles.role_of(label)
            if role == "unknown" and normalise(label) not in unknown_labels:
                unknown_labels.add(normalise(label))
                warnings.append(
                    (
                        line_no,
                        f"speaker {label!r} has no role; declare it with @therapist:/@client: "
                        "or --therapist/--client (it is never treated as the therapist)",
                    )
                )
            text_col = col + label_match.start("text")
            body = raw[text_col:].rstrip()
            current = {
                "speaker": label,
                "role": role,
                "time": time,
                "parts": [(line_no, text_col, body)],
                "roles": roles,
            }
            continue

        # No label: a scene note if it holds only annotations, else a continuation.
        body = raw[col:].rstrip()
        notes = make_annotations(body, line_no, None, roles, shift=col)
        leftover = body
        for ann in sorted(notes, key=lambda a: -a.start):
            leftover = leftover[: ann.start - col] + leftover[ann.end - col :]
        if notes and not leftover.strip(" .,;:-\u2014\u2013"):
            close_note = {
                "speaker": None,
                "role": _note_role(notes),
                "time": time,
                "parts": [(line_no, col, body)],
                "roles": roles,
                "note": True,
            }
            pending = current
            current = None
            if pending is not None:
                turns.append(_build(pending, len(turns)))
            turns.append(_build(close_note, len(turns)))
            continue
        if current is None:
            # Continue the last speaking turn across a scene note, if there was one.
            last = next((t for t in reversed(turns) if not t.is_note), None)
            if last is not None and not headings_after(headings, last.end_line, line_no):
                turns[turns.index(last)] = _extend(last, line_no, col, body, roles)
                continue
            where = "after a heading" if after_heading else "before any turn"
            warnings.append((line_no, f"text with no speaker label {where}; ignored"))
            continue
        current["parts"].append((line_no, col, body))
    close()

    speaking = [t for t in turns if not t.is_note]
    if not speaking:
        first = next((n + 1 for n, ln in enumerate(lines) if n >= body_start and ln.strip()), body_start + 1)
        raise TranscriptError(
            path,
            first,
            "no speaker turns found; expected lines like 'T: text', 'CLIENT: text' or 'Name: text'",
        )
    for role, names in (("therapist", options.therapist), ("client", options.client)):
        listed = meta.setdefault(role, [])
        assert isinstance(listed, list)
        listed.extend(n for n in names if n not in listed)
    segments = segment(turns, headings, options.segment_by, path, len(lines))
    return Transcript(
        path=path,
        meta=meta,
        turns=tuple(turns),
        segments=segments,
        warnings=tuple(warnings),
        format="native",
    )


def normalise(label: str) -> str:
    return " ".join(label.split()).casefold()


def headings_after(headings: list[tuple[int, str]], after: int, before: int) -> bool:
    return any(after < h < before for h, _ in headings)


def _note_role(notes: tuple) -> Role:
    roles = {a.about for a in notes if a.about}
    return roles.pop() if len(roles) == 1 else "unknown"


def _build(spec: dict, index: int) -> Turn:
    pieces = []
    texts = []
    offset = 0
    annotations = []
    is_note = spec.get("note", False)
    speaker_role: Role | None = None if is_note else spec["role"]
    for line_no, col, body in spec["parts"]:
        pieces.append(Piece(offset=offset, line=line_no, column=col))
        texts.append(body)
        offset += len(body) + 1
        annotations.extend(make_annotations(body, line_no, speaker_role, spec["roles"], shift=col))
    return Turn(
        index=index,
        speaker=spec["speaker"],
        role=spec["role"],
        text="\n".join(texts),
        pieces=tuple(pieces),
        annotations=tuple(annotations),
        time=spec["time"],
        is_note=is_note,
    )


def _extend(turn: Turn, line_no: int, col: int, body: str, roles: RoleMap) -> Turn:
    spec = {
        "speaker": turn.speaker,
        "role": turn.role,
        "time": turn.time,
        "parts": [(p.line, p.column, part) for p, part in zip(turn.pieces, turn.text.split("\n"))]
        + [(line_no, col, body)],
        "roles": roles,
    }
    return _build(spec, turn.index)
