"""What every reader shares: decoding, role maps, annotation attribution, segmentation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..errors import ConfigError, TranscriptError
from ..model import Annotation, Role, Segment, Turn

THERAPIST_ALIASES = frozenset(
    "t th therapist counselor counsellor clinician psychologist psychiatrist".split()
)
CLIENT_ALIASES = frozenset("c cl client patient pt".split())
# Words that name a party inside an annotation or scene note, beyond the aliases.
_THERAPIST_WORDS = THERAPIST_ALIASES | {"therapists", "therapist's", "counsellor's", "counselor's"}
_CLIENT_WORDS = CLIENT_ALIASES | {"client's", "patient's"}
_TITLES = frozenset("dr dr. mr mr. mrs mrs. ms ms. miss prof prof. mx mx.".split())


@dataclass(frozen=True)
class ReadOptions:
    """How to read: role names, segmentation, format and column choices."""

    therapist: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    segment_by: str = "turns:20"
    input_format: str | None = None  # None: by extension, then by sniffing the content
    columns: tuple[tuple[str, str], ...] = ()  # for tables: (field, column name)
    infer_roles: bool = True  # give speakers with no role one from the conversation (focusshift.roles)
    encoding: str | None = None  # None: UTF-8, or what a byte-order mark says


def normalise_label(label: str) -> str:
    return " ".join(label.replace("\u2019", "'").split()).casefold()


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
        from ..roles import label_role

        found = label_role(label)
        return found[0] if found else "unknown"

    def is_known(self, label: str) -> bool:
        """A label with a role from the user, the file or the vocabulary ('T', 'Client 2')."""
        if normalise_label(label) in self.names:
            return True
        from ..roles import label_role

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
            words[r].update(p.strip(".") for p in parts if p not in _TITLES and len(p.strip(".")) > 1)
            full[r].add(name)
        shared = words["therapist"] & words["client"]
        return {r: (words[r] - shared) | full[r] for r in words}


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(data: bytes, path: str, encoding: str | None = None) -> str:
    """UTF-8, or the encoding a byte-order mark names (UTF-16 as Windows Notepad writes it), or `encoding`.

    Clinical files must not be guessed at: anything else is an error that names
    the line and column of the first bad byte and the --encoding option.
    """
    if encoding is None:
        for bom, name in _BOMS:
            if data.startswith(bom):
                encoding, data = name, data[len(bom):]
                break
    if encoding is not None and encoding.replace("_", "-").lower() not in ("utf-8", "utf8"):
        try:
            text = data.decode(encoding)
        except LookupError:
            raise TranscriptError(path, None, f"unknown encoding {encoding!r} (--encoding)") from None
        except UnicodeDecodeError as exc:
            raise TranscriptError(
                path, None, f"not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "check --encoding") from None
        text = text.removeprefix("\ufeff")
        if not text.strip():
            raise TranscriptError(path, 1, "the file is empty")
        nul = text.find("\x00")
        if nul != -1:
            raise TranscriptError(path, text.count("\n", 0, nul) + 1,
                                  "this looks like a binary file, not a text transcript")
        return text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise TranscriptError(path, 1, "the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise TranscriptError(path, line, "this looks like a binary file, not a text transcript "
                              "(or text in an encoding without a byte-order mark: name it with --encoding)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise TranscriptError(
            path,
            line,
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at column {col}); "
            "save the file as UTF-8, or name its encoding with --encoding (e.g. --encoding cp1252)",
        ) from None


def split_lines(text: str) -> list[str]:
    """Physical lines, tolerating CRLF and a stray BOM; numbering matches editors'."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


@lru_cache(maxsize=1)
def nonverbal_words() -> frozenset[str]:
    """Words that make a parenthesised '(...)' a non-verbal event rather than speech."""
    text = resources.files("focusshift.lexicon").joinpath("nonverbal.txt").read_text("utf-8")
    return frozenset(
        " ".join(w.split()).casefold() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )


_PRONOUNS = frozenset("i you we me my your our it that this".split())
_SPEECH_PRONOUNS = frozenset("i i'm i've i'd i'll me my we you you're your".split())
# Linear on any input: no nested or overlapping quantifiers (tests/test_adversarial.py).
_DOUBLE = re.compile(r"\(\(([^()]*)\)\)")
_SQUARE = re.compile(r"\[([^\[\]]*)\]")
_PAREN = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[\w'\u2019.]+")
_TIMEISH = re.compile(r"^\s*(\d{1,2}:)?\d{1,2}:\d{2}([.,]\d+)?\s*$")


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
    taken = [False] * len(text)

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    for rx, check in ((_DOUBLE, None), (_SQUARE, None), (_PAREN, _paren_is_event)):
        for m in rx.finditer(text):
            a, b = m.span()
            inner = m.group(1).strip()
            if not free(a, b) or not inner or _TIMEISH.match(inner):
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
    t_words = (_THERAPIST_WORDS - {"t", "th"}) | roles.name_words("therapist")
    c_words = (_CLIENT_WORDS - {"c", "cl", "pt"}) | roles.name_words("client")
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


def parse_segment_rule(rule: str) -> tuple[str, float]:
    """'turns:N' or 'minutes:M' -> (kind, size); raises ValueError with a readable message."""
    kind, _, value = rule.partition(":")
    kind = kind.strip().lower()
    if kind not in ("turns", "minutes"):
        raise ValueError(f"unknown segmentation {rule!r}; use turns:N or minutes:M")
    try:
        size = float(value) if kind == "minutes" else int(value)
    except ValueError:
        raise ValueError(f"bad number in {rule!r}; use e.g. turns:20 or minutes:10") from None
    if size <= 0:
        raise ValueError(f"segment size must be positive in {rule!r}")
    return kind, size


def segment(
    turns: list[Turn],
    headings: list[tuple[int, str]],
    rule: str,
    path: str,
    last_line: int,
) -> tuple[Segment, ...]:
    """Headings when the file has them, otherwise fixed turn counts or time windows."""
    if headings:
        return _by_headings(turns, headings, last_line)
    try:
        kind, size = parse_segment_rule(rule)
    except ValueError as exc:
        raise ConfigError(f"--segment-by: {exc}") from None
    if kind == "minutes":
        if not any(t.time is not None for t in turns):
            raise TranscriptError(
                path, None, f"--segment-by {rule} needs timestamps and this file has none"
            )
        keys = []
        current = 0.0
        for t in turns:
            if t.time is not None:
                current = t.time
            keys.append(int(current // (size * 60)))
    else:
        keys = []
        spoken = 0
        for t in turns:
            if t.is_note:
                # a note stays with the turn before it (or the first turns)
                keys.append(max(spoken - 1, 0) // int(size))
            else:
                keys.append(spoken // int(size))
                spoken += 1
    groups: list[list[Turn]] = []
    last_key: int | None = None
    for t, k in zip(turns, keys):
        if last_key is None or k != last_key:
            groups.append([])
            last_key = k
        groups[-1].append(t)
    return tuple(
        Segment(
            index=i + 1,
            title=None,
            start_line=min(t.line for t in g),
            end_line=max(t.end_line for t in g),
            turns=tuple(t.index for t in g),
        )
        for i, g in enumerate(groups)
    )


def _by_headings(
    turns: list[Turn], headings: list[tuple[int, str]], last_line: int
) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    first_heading = headings[0][0]
    before = [t for t in turns if t.line < first_heading]
    if before:
        segments.append(
            Segment(1, None, before[0].line, before[-1].end_line, tuple(t.index for t in before))
        )
    for i, (line, title) in enumerate(headings):
        nxt = headings[i + 1][0] if i + 1 < len(headings) else last_line + 1
        inside = [t for t in turns if line < t.line < nxt]
        end = max([t.end_line for t in inside], default=line)
        segments.append(
            Segment(
                index=len(segments) + 1,
                title=title,
                start_line=line,
                end_line=end,
                turns=tuple(t.index for t in inside),
                heading_line=line,
            )
        )
    return tuple(segments)
