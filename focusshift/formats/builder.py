"""One way to build a Transcript, whatever the input format.

Every reader walks its own syntax and tells a TranscriptBuilder what it found:
a speaker's turn, a continuation, a scene note, a heading. The builder owns
what all formats share: role maps, annotations and whom they are about, merging
consecutive turns of one speaker, warnings, segmentation and the
"no turn at all" error. So every format gets the same model, line numbers and
behaviour.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import roles as role_rules
from ..errors import TranscriptError
from ..model import Annotation, Piece, Role, Speaker, Transcript, Turn
from .. import turntable
from .annotations import make_annotations
from .common import ReadOptions
from .labels import RoleMap, normalise_label
from .segments import segment

# "(T: Mhm)", "(C: Right.)", "[Therapist: yeah]" inside another speaker's turn.
# Possessive quantifiers: linear however many brackets, colons or spaces a line holds.
_INTERJECTION = re.compile(
    r"(?P<open>[(\[])[ \t]*+(?P<label>[^\W\d_][\w.'\u2019&-]*+(?: [\w.'\u2019&-]++){0,4}+)[ \t]*+:[ \t]*+"
    r"(?P<text>[^()\[\]\n]{1,400}+)(?P<close>[)\]])"
)


@dataclass(slots=True)
class _Spec:
    speaker: str | None
    role: Role  # settled in build(), once every speaker has a role
    time: float | None
    parts: list[tuple[int, int, str]] = field(default_factory=list)  # (line, column, text)
    note: bool = False
    interjection: bool = False


_IS_NOTE, _IS_INTERJECTION, _HAS_TIME = 1, 2, 4  # a packed turn's flags


class _SpecTable:
    """A long session's read turns packed as they close: texts as UTF-8, numbers in arrays.

    A reader's turns of a 1.3M-word file held as objects take about 30 MB, freed in
    build() among the objects that stay, so the process keeps that memory. Packed,
    they take a third of it, in blocks of BLOCK turns that `drain` lets go of one by
    one as the next stage takes them. Iterating makes each turn's _Spec again, equal
    to the one appended.
    """

    BLOCK = 2048
    __slots__ = ("_labels", "_label_of", "_blocks", "_size")

    def __init__(self, specs: Iterable[_Spec] = ()) -> None:
        self._labels: list[str | None] = [None]
        self._label_of: dict[str | None, int] = {None: 0}
        self._blocks: list[_SpecBlock] = []
        self._size = 0
        for spec in specs:
            self.append(spec)

    def append(self, spec: _Spec) -> None:
        code = self._label_of.get(spec.speaker)
        if code is None:
            code = self._label_of[spec.speaker] = len(self._labels)
            self._labels.append(spec.speaker)
        if not self._blocks or len(self._blocks[-1]) >= self.BLOCK:
            self._blocks.append(_SpecBlock())
        self._blocks[-1].append(spec, code)
        self._size += 1

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[_Spec]:
        for block in self._blocks:
            yield from block.specs(self._labels)

    def drain(self) -> Iterator[_Spec]:
        """Every spec once, each block let go of once read: the table is empty after."""
        blocks, self._blocks, self._size = self._blocks, [], 0
        blocks.reverse()
        while blocks:
            yield from blocks.pop().specs(self._labels)


class _SpecBlock:
    __slots__ = ("_speaker", "_flags", "_time", "_parts_at", "_lines", "_columns", "_text_at", "_text")

    def __init__(self) -> None:
        self._speaker = array("i")
        self._flags = bytearray()
        self._time = array("d")
        self._parts_at = array("q", [0])
        self._lines = array("q")
        self._columns = array("q")
        self._text_at = array("q", [0])
        self._text = bytearray()

    def __len__(self) -> int:
        return len(self._speaker)

    def append(self, spec: _Spec, code: int) -> None:
        self._speaker.append(code)
        flags = (_IS_NOTE if spec.note else 0) | (_IS_INTERJECTION if spec.interjection else 0)
        self._flags.append(flags | (_HAS_TIME if spec.time is not None else 0))
        self._time.append(0.0 if spec.time is None else spec.time)
        for line, column, text in spec.parts:
            self._lines.append(line)
            self._columns.append(column)
            self._text += text.encode("utf-8", "surrogatepass")
            self._text_at.append(len(self._text))
        self._parts_at.append(len(self._lines))

    def specs(self, labels: list[str | None]) -> Iterator[_Spec]:
        view = memoryview(self._text)
        at, lines, columns, parts_at = self._text_at, self._lines, self._columns, self._parts_at
        for k in range(len(self._speaker)):
            flags = self._flags[k]
            parts = [(lines[j], columns[j], str(view[at[j]:at[j + 1]], "utf-8", "surrogatepass"))
                     for j in range(parts_at[k], parts_at[k + 1])]
            yield _Spec(labels[self._speaker[k]], "unknown", self._time[k] if flags & _HAS_TIME else None,
                        parts, bool(flags & _IS_NOTE), bool(flags & _IS_INTERJECTION))


class _TextsBy:
    """Each speaker's turn texts for role inference, read from the turns only if it asks
    (a long session's text is not copied out speaker by speaker)."""

    def __init__(self, specs: Iterable[_Spec], key_of: dict[str, str]) -> None:
        self._specs = specs
        self._key_of = key_of  # label as written -> the display label of its speaker

    def get(self, label: str, default: Any = None) -> Iterator[str]:
        return (" ".join(p[2] for p in spec.parts) for spec in self._specs
                if not spec.note and spec.speaker is not None and not spec.interjection
                and self._key_of[spec.speaker] == label)


class TranscriptBuilder:
    """Collects turns in source order and builds the Transcript."""

    def __init__(self, path: str, options: ReadOptions | None = None, fmt: str = "native") -> None:
        self.path = path
        self.options = options or ReadOptions()
        self.format = fmt
        self.roles = RoleMap()
        self.meta: dict[str, object] = {}
        self.warnings: list[tuple[int | None, str]] = []
        self.headings: list[tuple[int, str]] = []
        self._turns: list[_Spec] | _SpecTable = []  # closed turns; packed once the session is long
        self._pending: list[_Spec] = []  # the open turn and the scene notes after it (it may still grow)
        self._speaking: set[str] = set()  # speaker labels of the reader's turns
        self._labels: dict[str, str] = {}
        self._open: _Spec | None = None  # the speaking turn that continuation lines extend
        self._role_of: dict[str, Role] = {}  # label -> its resolved role, from build()
        self._options_applied = False
        self.last_line = 0

    # -- declarations -------------------------------------------------------
    def declare(self, role: Role, names: list[str], source: str = "declared") -> None:
        """Names that have a role: the file's (header, participants list, role column) or the user's."""
        listed = self.meta.setdefault(role, [])
        assert isinstance(listed, list)
        evidence = "given on the command line or in the config" if source == "cli" else "declared in the file"
        for n in names:
            if n not in listed:
                listed.append(n)
            self.roles.add(n, role, source, evidence)

    def apply_options(self) -> None:
        """Command-line and config names win over what the file declares."""
        if self._options_applied:
            return
        self._options_applied = True
        for role, names in (("therapist", self.options.therapist), ("client", self.options.client)):
            self.declare(role, list(names), "cli")  # type: ignore[arg-type]

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append((line, message))

    # -- content ------------------------------------------------------------
    def _flush(self) -> None:
        """The pending turns are closed: no continuation can reach them any more."""
        for spec in self._pending:
            if not spec.note and spec.speaker is not None:
                self._speaking.add(spec.speaker)
            self._turns.append(spec)
        self._pending.clear()
        if isinstance(self._turns, list) and len(self._turns) >= turntable.TABLE_FROM:
            self._turns = _SpecTable(self._turns)

    def heading(self, line: int, title: str) -> None:
        self._open = None
        self._flush()
        self.headings.append((line, title))
        self.last_line = max(self.last_line, line)

    def turn(
        self,
        speaker: str,
        line: int,
        column: int,
        text: str,
        time: float | None = None,
        *,
        merge: bool = False,
    ) -> None:
        """A speaker's turn; with merge=True it continues the previous turn of the same speaker."""
        self.apply_options()
        speaker = self._labels.setdefault(speaker, speaker)  # one string per label, not one per turn
        self.last_line = max(self.last_line, line)
        prev = self._open
        if merge and prev is not None and prev.speaker == speaker and self._pending and self._pending[-1] is prev:
            prev.parts.append((line, column, text))
            return
        self._flush()
        spec = _Spec(speaker=speaker, role="unknown", time=time, parts=[(line, column, text)])
        self._pending.append(spec)
        self._open = spec

    def has_open_turn(self) -> bool:
        return self._open is not None

    def continuation(self, line: int, column: int, text: str) -> bool:
        """Text without a label: it continues the open turn. False if there is none."""
        self.last_line = max(self.last_line, line)
        if self._open is None:
            return False
        self._open.parts.append((line, column, text))
        return True

    def note(self, line: int, column: int, text: str, time: float | None = None) -> None:
        """A line that holds only annotations: about the party it names, else nobody."""
        self.apply_options()
        self.last_line = max(self.last_line, line)
        # whom it names is settled in build(), once every speaker has a role
        self._pending.append(_Spec(speaker=None, role="unknown", time=time, parts=[(line, column, text)], note=True))
        # Text after a scene note still continues the speaking turn before it.
        if self._open is None:
            self._flush()

    def is_only_annotations(self, text: str, line: int, column: int = 0) -> bool:
        """True when the text is nothing but annotations (and punctuation)."""
        anns = make_annotations(text, line, None, self.roles, shift=column)
        if not anns:
            return False
        rest = text
        for ann in sorted(anns, key=lambda a: -a.start):
            rest = rest[: ann.start - column] + rest[ann.end - column :]
        return not rest.strip(" .,;:-\u2014\u2013")

    def close_turn(self) -> None:
        """The next unlabelled text does not continue the last turn (e.g. after a heading)."""
        self._open = None
        self._flush()

    # -- result -------------------------------------------------------------
    def _split_interjections(self) -> None:
        """'(T: Mhm)' inside another speaker's turn becomes a short turn of T at that line.

        The bracketed text is blanked out of the surrounding turn (same length, so
        columns hold) and the interjection follows that turn, flagged so that it
        takes the surrounding turn's place in the conversation.
        """
        known = {normalise_label(label) for label in self._speaking}
        out: list[_Spec] | _SpecTable = [] if isinstance(self._turns, list) else _SpecTable()
        for spec in self._turns if isinstance(self._turns, list) else self._turns.drain():
            if spec.note or spec.interjection or spec.speaker is None:
                out.append(spec)
                continue
            own = normalise_label(spec.speaker)
            extra: list[_Spec] = []
            for k, (line, column, text) in enumerate(spec.parts):
                if ":" not in text:
                    continue
                cuts: list[tuple[int, int]] = []
                for m in _INTERJECTION.finditer(text):
                    if (m.group("open") == "(") != (m.group("close") == ")"):
                        continue
                    label = " ".join(m.group("label").split())
                    key = normalise_label(label)
                    if key == own or not (key in known or self.roles.is_known(label)):
                        continue
                    said = m.group("text").strip()
                    if not any(ch.isalnum() for ch in said) or ":" in said:
                        continue  # "(T:T:)", "[x: y: z]": not someone's words
                    cuts.append(m.span())
                    extra.append(_Spec(speaker=label, role="unknown", time=None,
                                       parts=[(line, column + m.start("text"), said)], interjection=True))
                if cuts:  # blank the interjections out, same length: columns still hold
                    pieces, pos = [], 0
                    for a, z in cuts:
                        pieces += [text[pos:a], " " * (z - a)]
                        pos = z
                    pieces.append(text[pos:])
                    spec.parts[k] = (line, column, "".join(pieces))
            out.append(spec)
            for x in extra:
                out.append(x)
        self._turns = out

    def _resolve_roles(self) -> tuple[Speaker, ...]:
        """Every speaker's role: user > file > label > conversation (focusshift.roles)."""
        display: dict[str, str] = {}
        label_of: dict[str, str] = {}  # as written -> the display label (one normalisation per label)
        order: list[str] = []
        first_lines: dict[str, int] = {}
        for spec in self._turns:
            if spec.note or spec.speaker is None:
                continue
            label = label_of.get(spec.speaker)
            if label is None:
                label = label_of[spec.speaker] = display.setdefault(normalise_label(spec.speaker), spec.speaker)
            order.append(label)
            first_lines.setdefault(label, spec.parts[0][0])
        # A backchannel ("Mm.") says little about who runs the session: interjections are left out.
        texts = _TextsBy(self._turns, label_of)
        fixed = {}
        for key, label in display.items():
            given = self.roles.given(label)
            if given is not None:
                fixed[label] = role_rules.Fixed(*given)
        speakers = role_rules.resolve(
            order, texts, fixed, infer=self.options.infer_roles, first_lines=first_lines
        )
        for sp in speakers:  # their names now name them in annotations ("[Maya wipes her eyes]")
            if sp.role != "unknown" and sp.role_source is not None and self.roles.given(sp.label) is None:
                self.roles.add(sp.label, sp.role, sp.role_source, sp.evidence)
        by_key = {normalise_label(sp.label): sp.role for sp in speakers}
        self._role_of = {written: by_key[normalise_label(written)] for written in label_of}
        return speakers

    def _role_warnings(self, speakers: tuple[Speaker, ...]) -> None:
        for sp in speakers:
            if sp.role == "unknown" and sp.role_source is None:
                self.warn(
                    sp.first_line,
                    f"speaker {sp.label!r} has no role ({sp.evidence or 'nothing says who they are'}); "
                    "give it one with --therapist/--client or --role LABEL=ROLE",
                )
        note = role_rules.inference_note(speakers)
        if note:
            self.warn(None, note)

    def build(self) -> Transcript:
        self.apply_options()
        self._open = None
        self._flush()
        self._split_interjections()
        speakers = self._resolve_roles()
        self._role_warnings(speakers)
        turns = turntable.hold(self._made(), len(self._turns))
        self._turns = []
        self._open = None
        if not any(not t.is_note for t in turns):
            raise TranscriptError(
                self.path,
                self.first_body_line or 1,
                "no speaker turns found; expected lines like 'T: text', 'CLIENT: text' or 'Name: text'",
            )
        self.meta.setdefault("therapist", [])
        self.meta.setdefault("client", [])
        segments = segment(turns, self.headings, self.options.segment_by, self.path, self.last_line)
        return Transcript(
            path=self.path,
            meta=self.meta,
            turns=turns,
            segments=segments,
            # in file order; warnings about the whole file (no line) last
            warnings=tuple(sorted(self.warnings, key=lambda w: (w[0] is None, w[0] or 0))),
            format=self.format,
            speakers=speakers,
        )

    first_body_line: int | None = None

    def _made(self) -> Iterator[Turn]:
        specs = self._turns
        for i, spec in enumerate(specs if isinstance(specs, list) else specs.drain()):
            if isinstance(specs, list):
                specs[i] = None  # type: ignore[call-overload]  # each spec goes as its turn comes
            if not spec.note and spec.speaker is not None:
                spec.role = self._role_of[spec.speaker]
            yield self._make(spec, i)

    def _make(self, spec: _Spec, index: int) -> Turn:
        pieces = []
        texts = []
        annotations: list[Annotation] = []
        offset = 0
        speaker_role: Role | None = None if spec.note else spec.role
        for line, column, text in spec.parts:
            pieces.append(Piece(offset=offset, line=line, column=column))
            texts.append(text)
            offset += len(text) + 1
            annotations.extend(make_annotations(text, line, speaker_role, self.roles, shift=column))
        role = spec.role
        if spec.note:  # a scene note is about the party it names, else nobody
            named = {a.about for a in annotations if a.about}
            role = named.pop() if len(named) == 1 else "unknown"
        return Turn(
            index=index,
            speaker=spec.speaker,
            role=role,
            text="\n".join(texts),
            pieces=tuple(pieces),
            annotations=tuple(annotations),
            time=spec.time,
            is_note=spec.note,
            interjection=spec.interjection,
        )
