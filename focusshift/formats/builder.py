"""One way to build a Transcript, whatever the input format.

Every reader walks its own syntax and tells a TranscriptBuilder what it found:
a speaker's turn, a continuation, a scene note, a heading. The builder owns
what all formats share: role maps, annotations and whom they are about, merging
consecutive turns of one speaker, warnings, segmentation and the
"no turn at all" error. So every format gets the same model, line numbers and
behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TranscriptError
from ..model import Annotation, Piece, Role, Transcript, Turn
from .common import ReadOptions, RoleMap, make_annotations, segment


@dataclass
class _Spec:
    speaker: str | None
    role: Role
    time: float | None
    parts: list[tuple[int, int, str]] = field(default_factory=list)  # (line, column, text)
    note: bool = False


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
        self._turns: list[_Spec] = []
        self._open: _Spec | None = None  # the speaking turn that continuation lines extend
        self._unknown: set[str] = set()
        self._options_applied = False
        self.last_line = 0

    # -- declarations -------------------------------------------------------
    def declare(self, role: Role, names: list[str], source: str = "header") -> None:
        """Names that have a role (header, participants list, column values)."""
        listed = self.meta.setdefault(role, [])
        assert isinstance(listed, list)
        for n in names:
            if n not in listed:
                listed.append(n)
            self.roles.add(n, role)

    def apply_options(self) -> None:
        """Command-line and config names win over what the file declares."""
        if self._options_applied:
            return
        self._options_applied = True
        for role, names in (("therapist", self.options.therapist), ("client", self.options.client)):
            self.declare(role, list(names), "options")  # type: ignore[arg-type]

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append((line, message))

    # -- content ------------------------------------------------------------
    def heading(self, line: int, title: str) -> None:
        self._open = None
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
        role = self.roles.role_of(speaker)
        self.last_line = max(self.last_line, line)
        prev = self._open
        if merge and prev is not None and prev.speaker == speaker and self._turns and self._turns[-1] is prev:
            prev.parts.append((line, column, text))
            return
        if role == "unknown" and speaker.casefold() not in self._unknown:
            self._unknown.add(speaker.casefold())
            self.warn(
                line,
                f"speaker {speaker!r} has no role; give it one with --therapist/--client or "
                "--role (or @therapist:/@client: in a native file); it is never treated as the therapist",
            )
        spec = _Spec(speaker=speaker, role=role, time=time, parts=[(line, column, text)])
        self._turns.append(spec)
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
        anns = make_annotations(text, line, None, self.roles, shift=column)
        roles = {a.about for a in anns if a.about}
        role: Role = roles.pop() if len(roles) == 1 else "unknown"
        self._turns.append(_Spec(speaker=None, role=role, time=time, parts=[(line, column, text)], note=True))
        # Text after a scene note still continues the speaking turn before it.

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

    # -- result -------------------------------------------------------------
    def guess_roles(self) -> None:
        """--guess-roles: when no speaker has a role, the one who asks most questions is the therapist.

        The heuristic (documented in docs/formats.md): among speakers with at
        least two turns, the therapist is the one with the highest share of
        turns containing a question mark (ties: fewer words per turn, then
        whoever spoke first); the client is the remaining speaker with the most
        words. Anyone else stays unknown. The guess is a warning and goes into
        meta["roles_guessed"], never silently.
        """
        speaking = [t for t in self._turns if not t.note]
        if not speaking or any(t.role != "unknown" for t in speaking):
            return
        stats: dict[str, list[float]] = {}
        order: list[str] = []
        for t in speaking:
            assert t.speaker is not None
            text = " ".join(p[2] for p in t.parts)
            st = stats.setdefault(t.speaker, [0, 0, 0])  # turns, questions, words
            if t.speaker not in order:
                order.append(t.speaker)
            st[0] += 1
            st[1] += "?" in text
            st[2] += len(text.split())
        eligible = [s for s in order if stats[s][0] >= 2]
        if len(eligible) < 2:
            self.warn(None, "--guess-roles: fewer than two speakers with two or more turns; no roles guessed")
            return
        def key(s: str) -> tuple[float, float, int]:
            turns, questions, words = stats[s]
            return (-questions / turns, words / turns, order.index(s))
        therapist = min(eligible, key=key)
        client = max((s for s in eligible if s != therapist), key=lambda s: (stats[s][2], -order.index(s)))
        guessed = {therapist: "therapist", client: "client"}
        for name, role in guessed.items():
            self.roles.add(name, role)  # type: ignore[arg-type]
            listed = self.meta.setdefault(role, [])
            assert isinstance(listed, list)
            listed.append(name)
        for t in speaking:
            if t.speaker in guessed:
                t.role = guessed[t.speaker]  # type: ignore[assignment]
        self.meta["roles_guessed"] = guessed
        stale = tuple(f"speaker {name!r} has no role" for name in guessed)
        self.warnings = [w for w in self.warnings if not w[1].startswith(stale)]
        share = round(100 * stats[therapist][1] / stats[therapist][0])
        self.warn(
            None,
            f"roles guessed: {therapist!r} = therapist (questions in {share}% of turns), {client!r} = client; "
            "check them, or give --therapist/--client",
        )

    def build(self) -> Transcript:
        self.apply_options()
        if self.options.guess_roles:
            self.guess_roles()
        turns = [self._make(spec, i) for i, spec in enumerate(self._turns)]
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
            turns=tuple(turns),
            segments=segments,
            warnings=tuple(self.warnings),
            format=self.format,
        )

    first_body_line: int | None = None

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
        return Turn(
            index=index,
            speaker=spec.speaker,
            role=spec.role,
            text="\n".join(texts),
            pieces=tuple(pieces),
            annotations=tuple(annotations),
            time=spec.time,
            is_note=spec.note,
        )
