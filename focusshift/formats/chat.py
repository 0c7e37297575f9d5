"""TalkBank CHAT transcripts (``.cha``), read by a small parser of our own.

Why not pylangacq (0.23, tried on tests/data/formats/chat/): in its default
strict mode it refuses files we must read: the roles ``Client`` and
``Patient`` ("invalid role"), a byte-order mark ("does not start with @UTF8"),
a ``@Media`` name that differs from the file name, anything after ``@End``.
With ``strict=False`` it reads them, but its tokens drop every paralinguistic
annotation (``&=cries``, ``&=sighs``, ``&=laughs``, ``[=! crying]`` are gone;
only the raw tier string keeps them, so we would re-parse it anyway), no
utterance or token carries a line number and continuation lines are joined
into one string, so an event cannot be pointed to in the file. It dropped a
``@Bg``/``@G`` gem placed before the first utterance, glued a stray line
without a tier marker onto the previous utterance, dropped ``*CLI`` without
its colon and read an utterance after ``@End``, all without a warning.
It does keep participant codes, names and roles, but that is a few lines of
parsing; so we read CHAT ourselves, with physical line numbers and warnings,
and pylangacq (a compiled Rust extension underneath) is not a dependency.

What is read (see docs/formats-chat.md):

- ``@Participants:`` gives each code an optional name and a role word;
  ``@ID:`` (role in field 8) is a second source. Therapist, Clinician,
  Counselor/Counsellor, Investigator, Interviewer -> therapist; Client,
  Patient, Target_Child -> client; any other role -> unknown (never guessed).
  A participant's speaker label is its name with ``_`` read as a space
  (``Dr._Reyes`` -> ``Dr. Reyes``) when the line gives one, else its code
  (``THE Therapist`` -> ``THE``). ``--therapist``/``--client`` may name either
  the label or the code.
- ``*CODE:`` main tiers are turns, one per tier (not merged, like a labelled
  line of the native format); lines starting with a tab continue the tier
  before them. A timing bullet ``\\x15START_END\\x15`` gives the turn's time
  (START milliseconds).
- ``%`` dependent tiers are skipped (an unknown tier name gets one warning);
  ``@G:``, ``@Bg:`` are segment headings (after ``@Eg:``, turns outside any
  gem open an untitled segment); ``@Languages``, ``@Date``, ``@Location``,
  ``@Situation``, ``@Media``, ``@PID`` and similar headers go into meta.

Columns: ``&=cries`` becomes ``[cries]`` (same length, so columns stay exact)
and ``[=! crying]`` becomes ``[crying]``. Other CHAT codes (``[/]``, ``[//]``,
``<`` ``>``, ``[: x]``, ``[*]``, ``xxx``, ``0``, ``(.)``, ``&+fr``, ``+...``'s
``+``, bullets) are removed and ``&-uh`` becomes ``uh``; the spaces left behind
are collapsed to one, because the rule matcher does not match a phrase across a
run of spaces. So a piece's column is exact at its start and up to the first
removed code; after one it is approximate (shifted left by the removed width).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..errors import TranscriptError
from ..model import Role, Transcript
from .builder import TranscriptBuilder
from .common import ReadOptions, decode, split_lines
from .labels import normalise_label
from .timecodes import CHAT_BULLET, chat_bullet_time

_THERAPIST_ROLES = frozenset(
    "therapist clinician counselor counsellor investigator interviewer".split()
)
_CLIENT_ROLES = frozenset("client patient participant interviewee respondent target_child".split())

# Standard CHAT dependent tiers (plus %x... user tiers): skipped without a word.
_DEPENDENT_TIERS = frozenset(
    """act add alt cod coh com def eng err exp fac flo gls gpx gra grt int lan mod
    modsyl mor ort par pho phoaln phosyl sin sit snd spa tim trn umor wor xpho xmod
    """.split()
)
# Headers carried into meta (key: lower case, spaces as underscores).
_META_HEADERS = frozenset(
    """languages date location situation media pid transcriber transcription coder
    activities recording_quality room_layout tape_location time_duration time_start
    types number interaction_type warning options videos""".split()
)
# Headers that carry nothing for us: skipped without a word.
_SKIPPED_HEADERS = frozenset(
    """utf8 begin end font window color_words colorwords comment blank new_episode
    page exceptions bck stim""".split()
)
_PER_SPEAKER_HEADER = re.compile(
    r"^(birth|birthplace|l1|sex|ses|age|education|group|custom)\s+of\s+\S+$", re.I
)

_HEADER = re.compile(r"^@([^:\t]*+)\s*+(?::\s?(.*))?$")  # possessive: linear on runs of spaces
_MAIN = re.compile(r"^\*([^:\s]+):\s?(.*)$")
_DEPENDENT = re.compile(r"^%([^:\s]+):")
_SNIFF = re.compile(r"^@(?:UTF8|Begin)[ \t]*\r?$")


def sniff(head: str, name: str) -> bool:
    """A CHAT file starts with '@UTF8' or '@Begin' (after an optional BOM)."""
    first = head.lstrip("\ufeff").lstrip("\r\n \t").split("\n", 1)[0]
    return bool(_SNIFF.match(first))


# --------------------------------------------------------------------------- main tier text

Repl = Callable[[re.Match[str]], "str | tuple[str, int]"]


def _events(m: re.Match[str]) -> str:
    """'&=clears_throat' -> '[clears throat]', same length."""
    return "[" + re.sub(r"[_:]", " ", m.group(1)) + "]"


def _paralinguistic(m: re.Match[str]) -> str:
    inner = " ".join(m.group(1).replace("_", " ").split())
    return f"[{inner}]" if inner else ""


def _bracket_code(m: re.Match[str]) -> str:
    inner = m.group(1).strip()
    if not inner or not inner[0].isalpha() or re.match(r"^(?:x\s*\d+|e)$", inner):
        return ""  # [/] [//] [: x] [* m] [= x] [%] [+ x] [x 3] [>] [<] [!] [?] [e]
    return m.group(0)  # "[crying]" written by hand: not CHAT, but an annotation all the same


def _terminator(m: re.Match[str]) -> tuple[str, int]:
    """'+...' -> '...', '+/.' -> '.', '+//?' -> '?': the punctuation stays."""
    return re.sub(r"[^.?!]", "", m.group(1)), 1


# CA intonation, voice quality and overlap marks, tag and vocative marks, stress marks.
_CA_SYMBOLS = (
    "\u2191\u2193\u21d7\u2197\u2192\u2198\u21d8\u221e\u224b\u2248\u2206\u2207\u00b0\u2581\u2594"
    "\u263a\u264b\u2047\u222c\u03ab\u222e\u21bb\u204e\u2308\u2309\u230a\u230b\u2039\u203a\u3014"
    "\u3015\u00a7\u2021\u201e\u02c8\u02cc\u2260"
)

# Applied in order; each replacement is text, or (text, offset of that text in the match).
_RULES: tuple[tuple[re.Pattern[str], Repl], ...] = (
    (CHAT_BULLET, lambda m: ""),
    (re.compile(r"\x15"), lambda m: ""),
    (re.compile(r"\[=!\s*([^\[\]]*)\]"), _paralinguistic),
    (re.compile(r"\[([^\[\]]*)\]"), _bracket_code),
    (re.compile(r"&\{[a-z]=([^\s\[\]<>]+)"), _events),  # long events: &{l=laughs ... &}l=laughs
    (re.compile(r"&\}[a-z]=\S*"), lambda m: ""),
    (re.compile(r"&=([^\s\[\]<>.,?!;]+)"), _events),
    (re.compile(r"&-([^\s\[\]<>.,?!;]+)"), lambda m: (m.group(1), 2)),  # fillers: &-uh -> uh
    (re.compile(r"&[+~*]\S*"), lambda m: ""),  # fragments, nonwords, interposed words
    (re.compile(r"(?<!\S)(?:xxx|yyy|www|xx|yy)(?=[\s.,?!]|$)"), lambda m: ""),
    (re.compile(r"(?<!\S)0(?:[A-Za-z'][\w']*)?(?=[\s.,?!]|$)"), lambda m: ""),  # omitted words, 0 action
    (re.compile(r"(?<!\S)\+(?:<|\+|\^|\"|,|\u2248|\u224b)(?=\s|$)"), lambda m: ""),  # linkers
    (re.compile(r"(?<!\S)\+([./?!\"=]+)"), _terminator),
    (re.compile(r"\((?:\.{1,3}|\d*:?\d+\.?\d*)\)"), lambda m: ""),  # pauses (.) (..) (1.5)
    (re.compile(r"(?<=\w)\(([\w']+)\)|\(([\w']+)\)(?=\w)"), lambda m: (m.group(1) or m.group(2), 1)),
    (re.compile(r"[<>]"), lambda m: ""),
    (re.compile(r"(?<=\w)@[\w:$*+-]*"), lambda m: ""),  # word@s:spa, word@l
    (re.compile(r"(?<=\w)[+_](?=\w)"), lambda m: " "),  # ice+cream, New_York
    (re.compile(r"(?<=\w)[:^]+(?=\w)|(?<=\w):+(?=[\s.,?!]|$)"), lambda m: ""),  # so:rry, no::
    (re.compile(r"(?<!\S)#\S*"), lambda m: ""),
    (re.compile(f"[{_CA_SYMBOLS}]"), lambda m: ""),
)


def clean_tier(text: str) -> tuple[str, int]:
    """CHAT main-tier text -> (plain text with [annotations], its start column in `text`)."""
    chars = text
    pos = list(range(len(text)))
    for rx, repl in _RULES:
        out: list[str] = []
        out_pos: list[int] = []
        last = 0
        for m in rx.finditer(chars):
            a, b = m.span()
            out.append(chars[last:a])
            out_pos.extend(pos[last:a])
            r = repl(m)
            new, shift = (r, 0) if isinstance(r, str) else r
            out.append(new)
            for i in range(len(new)):
                out_pos.append(pos[min(a + shift + i, b - 1)])
            last = b
        if last == 0 and not out:
            continue
        out.append(chars[last:])
        out_pos.extend(pos[last:])
        chars = "".join(out)
        pos = out_pos
    # One space where codes left a run of them; none at the ends.
    kept: list[str] = []
    start = None
    for ch, p in zip(chars, pos):
        if ch.isspace():
            if kept and kept[-1] != " ":
                kept.append(" ")
            continue
        if start is None:
            start = p
        kept.append(ch)
    return "".join(kept).rstrip(), start if start is not None else 0


# --------------------------------------------------------------------------- records


@dataclass
class _Record:
    """A tier and its continuation lines: (line, column, text) per physical line."""

    kind: str  # "header", "main", "dependent"
    name: str  # header name, speaker code or dependent tier name
    line: int
    parts: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def value(self) -> str:
        return " ".join(" ".join(text.split()) for _, _, text in self.parts if text.strip())


@dataclass
class _Participant:
    code: str
    name: str | None = None
    role_word: str | None = None  # from @Participants
    id_role_word: str | None = None  # from @ID
    line: int = 0

    @property
    def label(self) -> str:
        return self.name.replace("_", " ") if self.name else self.code


def _role_of_word(word: str | None) -> Role:
    if not word:
        return "unknown"
    w = word.casefold()
    if w in _THERAPIST_ROLES:
        return "therapist"
    if w in _CLIENT_ROLES:
        return "client"
    return "unknown"


def _records(lines: list[str], b: TranscriptBuilder) -> list[_Record]:
    records: list[_Record] = []
    current: _Record | None = None
    ended_at: int | None = None
    for idx, raw in enumerate(lines):
        line_no = idx + 1
        if not raw.strip():
            continue
        if ended_at is not None:
            b.warn(line_no, "text after @End; ignored")
            break
        if raw[0] in " \t":
            body = raw.lstrip(" \t")
            if current is None:
                b.warn(line_no, "continuation line (starts with a tab) with no tier before it; ignored")
            else:
                current.parts.append((line_no, len(raw) - len(body), body.rstrip()))
            continue
        current = None
        if raw.startswith("@"):
            m = _HEADER.match(raw)
            name = (m.group(1) if m else raw[1:]).strip()
            rec = _Record("header", name, line_no)
            value = m.group(2) if m else None
            if value is not None:
                body = value.lstrip(" \t")
                rec.parts.append((line_no, len(raw) - len(body), body.rstrip()))
            if name.casefold() == "end":
                ended_at = line_no
        elif raw.startswith("*"):
            m = _MAIN.match(raw)
            if not m:
                b.warn(
                    line_no,
                    "utterance tier without ':' after the speaker code (expected '*CODE:\\ttext'); skipped",
                )
                continue
            rec = _Record("main", m.group(1), line_no)
            body = m.group(2).lstrip(" \t")
            rec.parts.append((line_no, len(raw) - len(body), body.rstrip()))
        elif raw.startswith("%"):
            m = _DEPENDENT.match(raw)
            words = raw[1:].split(None, 1)
            rec = _Record("dependent", m.group(1) if m else (words[0] if words else ""), line_no)
        else:
            b.warn(
                line_no, "not a CHAT tier (a line starts with @, * or %, or a tab to continue one); skipped"
            )
            continue
        records.append(rec)
        current = rec
    return records


# --------------------------------------------------------------------------- reading


def _participants(records: list[_Record], b: TranscriptBuilder) -> tuple[dict[str, _Participant], bool]:
    """Codes from @Participants and @ID, and whether the file has a @Participants line."""
    people: dict[str, _Participant] = {}
    seen_header = False
    for rec in records:
        if rec.kind != "header":
            continue
        key = rec.name.casefold()
        if key == "participants":
            seen_header = True
            for entry in rec.value.split(","):
                words = entry.split()
                if not words:
                    continue
                if len(words) == 1:
                    b.warn(rec.line, f"@Participants entry {entry.strip()!r} has no role")
                    people.setdefault(words[0], _Participant(words[0], line=rec.line))
                    continue
                name = "_".join(words[1:-1]) or None
                people[words[0]] = _Participant(words[0], name, words[-1], line=rec.line)
        elif key == "id":
            fields = rec.value.split("|")
            if len(fields) < 3 or not fields[2].strip():
                b.warn(rec.line, "@ID line without a speaker code in field 3; ignored")
                continue
            code = fields[2].strip()
            role_word = fields[7].strip() if len(fields) > 7 and fields[7].strip() else None
            p = people.get(code)
            if p is None:
                if seen_header:
                    b.warn(rec.line, f"speaker code {code!r} has an @ID line but is not in @Participants")
                p = people[code] = _Participant(code, line=rec.line)
            p.id_role_word = role_word
            if p.role_word and role_word and _role_of_word(p.role_word) != _role_of_word(role_word):
                b.warn(
                    rec.line,
                    f"@ID gives {code} the role {role_word!r} but @Participants says {p.role_word!r}; "
                    "using @Participants",
                )
    return people, seen_header


def _declare(people: dict[str, _Participant], b: TranscriptBuilder, options: ReadOptions) -> None:
    """File roles, with --therapist/--client naming a code overriding them."""
    by_option: dict[str, Role] = {}
    for role, names in (("therapist", options.therapist), ("client", options.client)):
        for n in names:
            by_option[normalise_label(n)] = role  # type: ignore[assignment]
    listing: dict[str, dict[str, str | None]] = {}
    for p in people.values():
        given = by_option.get(normalise_label(p.code))
        role = given or _role_of_word(p.role_word or p.id_role_word)
        if role != "unknown":
            b.declare(role, [p.label], "cli" if given else "declared")
        listing[p.code] = {"name": p.label if p.name else None, "role": p.role_word or p.id_role_word}
    b.meta["participants"] = listing


def read(data: bytes, path: str, options: ReadOptions) -> list[Transcript]:
    """One CHAT file -> one Transcript."""
    options = options or ReadOptions()
    lines = split_lines(decode(data, path, getattr(options, "encoding", None)))
    b = TranscriptBuilder(path, options, "chat")
    records = _records(lines, b)

    people, listed = _participants(records, b)
    first_main = next((r.line for r in records if r.kind == "main"), None)
    if first_main is None:
        raise TranscriptError(
            path, 1, "no utterance tiers found; a CHAT file needs lines like '*CHI:\\ttext .'"
        )
    if not listed:
        b.warn(
            first_main,
            "no @Participants header: roles come from @ID lines only"
            if people
            else "no @Participants header: speakers are labelled by their CHAT codes; roles come from the "
            "codes (THE, INV, CLI, PAR, PAT) or the conversation; map them with --therapist/--client",
        )
    _declare(people, b, options)
    b.apply_options()
    b.first_body_line = first_main
    b.last_line = len(lines)

    warned_headers: set[str] = set()
    warned_tiers: set[str] = set()
    warned_codes: set[str] = set()
    gems: list[str] = []
    pending: tuple[int, str] | None = None  # after @Eg: the heading that turns outside the gem open

    for rec in records:
        if rec.kind == "header":
            key = rec.name.casefold().replace(" ", "_")
            if key == "g":
                b.heading(rec.line, rec.value)
                gems, pending = [], None
            elif key == "bg":
                b.heading(rec.line, rec.value)
                gems.append(rec.value)
                pending = None
            elif key == "eg":
                if gems:
                    gems.pop()
                pending = (rec.line, gems[-1] if gems else "")
            elif key in ("participants", "id"):
                pass
            elif key in _META_HEADERS:
                b.meta.setdefault(key, rec.value)
            elif key not in _SKIPPED_HEADERS and not _PER_SPEAKER_HEADER.match(rec.name):
                if key not in warned_headers:
                    warned_headers.add(key)
                    b.warn(rec.line, f"unknown CHAT header @{rec.name}; ignored")
        elif rec.kind == "dependent":
            name = rec.name.casefold()
            if name not in _DEPENDENT_TIERS and not name.startswith("x") and name not in warned_tiers:
                warned_tiers.add(name)
                b.warn(rec.line, f"unknown dependent tier %{rec.name}; skipped (and wherever it recurs)")
        else:
            if pending is not None:
                b.heading(*pending)
                pending = None
            code = rec.name
            p = people.get(code)
            if p is None and people and code not in warned_codes:
                warned_codes.add(code)
                b.warn(rec.line, f"speaker code {code!r} is not listed in @Participants; its role is unknown")
            label = p.label if p is not None else code
            if not any(text for _, _, text in rec.parts):
                b.warn(rec.line, f"empty utterance tier *{code}:; skipped")
                continue
            time = None
            pieces: list[tuple[int, int, str]] = []
            for line_no, col, text in rec.parts:
                if time is None:
                    time = chat_bullet_time(text)
                clean, lead = clean_tier(text)
                if clean:
                    pieces.append((line_no, col + lead, clean))
            if not pieces:
                line_no, col, _ = rec.parts[0]
                pieces.append((line_no, col, ""))
            first_line, first_col, first_text = pieces[0]
            b.turn(label, first_line, first_col, first_text, time, merge=False)
            for line_no, col, text in pieces[1:]:
                b.continuation(line_no, col, text)
    b.warnings.sort(key=lambda w: w[0] or 0)  # tier-level and content warnings in file order
    return [b.build()]
