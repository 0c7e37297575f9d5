"""Property tests for the native reader: whatever the input, the output is well formed.

Two kinds of input:

* messy text built from transcript-like fragments (labels, timestamps, brackets,
  headings, header lines, blank lines, odd whitespace, arbitrary characters), and
  arbitrary bytes: the reader returns a Transcript or raises TranscriptError, and
  what it returns points back into the source correctly;
* well-formed transcripts generated together with their expected reading, so the
  reader's speakers, roles, texts, times, annotations and line numbers can be
  compared exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, read_bytes
from focusshift.model import Transcript

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def source_lines(data: bytes) -> list[str]:
    """The physical lines of a (decodable) file, numbered as editors number them."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def try_read(data: bytes, options: ReadOptions | None = None) -> Transcript | None:
    try:
        return read_bytes(data, "prop.txt", options)
    except TranscriptError as exc:
        assert exc.path == "prop.txt"
        assert exc.message
        assert exc.line is None or exc.line >= 1
        return None


def check_well_formed(t: Transcript, data: bytes) -> None:
    lines = source_lines(data)
    n = len(lines)
    seen: set[int] = set()
    previous_start = 0
    interjected = {(p.line, p.column, len(turn.text)) for turn in t.turns if turn.interjection
                   for p in turn.pieces}
    for i, turn in enumerate(t.turns):
        assert turn.index == i
        assert turn.role in ("therapist", "client", "unknown")
        assert turn.pieces, "a turn without pieces"
        assert (turn.speaker is None) == turn.is_note
        if turn.interjection:
            # "(T: Mhm)" inside another turn: its own words at its column, on that turn's line
            [piece] = turn.pieces
            source = lines[piece.line - 1]
            assert source[piece.column:piece.column + len(turn.text)] == turn.text
            assert source[:piece.column].rstrip().endswith(":")
            assert turn.line >= previous_start
            continue
        # turns are in file order
        assert turn.line > previous_start
        previous_start = turn.line
        piece_lines = [p.line for p in turn.pieces]
        assert piece_lines == sorted(set(piece_lines)), "pieces not strictly increasing"
        texts = turn.text.split("\n")
        assert len(texts) == len(turn.pieces)
        offset = 0
        for piece, part in zip(turn.pieces, texts):
            assert 1 <= piece.line <= n
            assert piece.line not in seen, f"line {piece.line} in two turns"
            seen.add(piece.line)
            assert piece.offset == offset
            offset += len(part) + 1
            source = lines[piece.line - 1]
            assert 0 <= piece.column <= len(source)
            # the turn's text is the source line's text after the label, verbatim
            # (interjections inside it blanked out, same length)
            expected = source[piece.column :].rstrip()
            for line, col, length in interjected:
                if line == piece.line:
                    assert set(part[col - piece.column: col - piece.column + length]) <= {" "}
                    expected = expected[: col - piece.column] + " " * length + expected[col - piece.column + length:]
            assert part.rstrip() == expected.rstrip() or any(line == piece.line for line, _c, _l in interjected)
            assert source.strip(), "a blank line became part of a turn"
        if not turn.is_note:
            first = lines[turn.line - 1][: turn.pieces[0].column].rstrip()
            assert first.endswith(":"), "a speaking turn's first piece must follow 'label:'"
            assert turn.speaker is not None and turn.speaker in first
        for ann in turn.annotations:
            assert ann.line in piece_lines
            assert lines[ann.line - 1][ann.start : ann.end] == ann.raw
            assert ann.text and ann.text in ann.raw
            assert ann.about in ("therapist", "client", "unknown", None)
    assert any(not turn.is_note for turn in t.turns)
    # every turn is in exactly one segment, segments in order
    order = [idx for seg in t.segments for idx in seg.turns]
    assert order == list(range(len(t.turns)))
    assert [seg.index for seg in t.segments] == list(range(1, len(t.segments) + 1))
    for seg in t.segments:
        assert 1 <= seg.start_line <= seg.end_line <= n
        for idx in seg.turns:
            assert seg.start_line <= t.turns[idx].line <= seg.end_line
    for line, message in t.warnings:
        assert message
        assert line is None or 1 <= line <= n


# --------------------------------------------------------------------------- messy text

FRAGMENTS = [
    "T:",
    "C:",
    "t:",
    "Therapist:",
    "CLIENT:",
    "Dr. Reyes:",
    "Anna:",
    "Speaker 1:",
    "interpreter:",
    "T:x",
    "[00:00:05]",
    "00:01:02",
    "(01:05)",
    "[12:30]",
    "[",
    "]",
    "(",
    ")",
    "((",
    "))",
    "[sighs]",
    "(sighs)",
    "((crying))",
    "(I think)",
    "[client sobbing]",
    "[She wipes her eyes]",
    "## ",
    "##",
    "@title: x",
    "@therapist: Dr. Reyes",
    "@client: Anna, Bob",
    "@",
    ":",
    " ",
    "  ",
    "\t",
    "\r",
    "\ufeff",
    "\u2019",
    "\u00a0",
    "\u2028",
    "hello",
    "okay.",
    "Well",
    "I",
]

fragment_line = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=6
).map("".join)
labelled_line = st.tuples(
    st.sampled_from(["", " ", "[00:00:05] ", "01:02:03 ", "(01:05) ", "[12:30]"]),
    st.sampled_from(["T: ", "C: ", "therapist: ", "Patient: ", "Dr. Reyes: ", "Anna:  ", "Mum: "]),
    fragment_line,
).map("".join)
messy_line = st.one_of(labelled_line, fragment_line, st.just(""))
messy_text = st.lists(messy_line, min_size=0, max_size=25).map("\n".join)
segment_rules = st.sampled_from([None, "turns:1", "turns:3", "minutes:1", "minutes:0.5"])


def options_for(rule: str | None) -> ReadOptions | None:
    return None if rule is None else ReadOptions(segment_by=rule)


@SETTINGS
@given(text=messy_text, rule=segment_rules, crlf=st.booleans(), bom=st.booleans())
def test_messy_text_reads_or_raises_transcript_error(text, rule, crlf, bom):
    if crlf:
        text = text.replace("\n", "\r\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    t = try_read(data, options_for(rule))
    if t is not None:
        check_well_formed(t, data)


@SETTINGS
@given(text=st.text(max_size=300), rule=segment_rules)
def test_arbitrary_text_reads_or_raises_transcript_error(text, rule):
    data = text.encode("utf-8", "surrogatepass")
    t = try_read(data, options_for(rule))
    if t is not None:
        check_well_formed(t, data)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_read_or_raise_transcript_error(data):
    t = try_read(data)
    if t is not None:
        check_well_formed(t, data)


@SETTINGS
@given(text=messy_text, junk=st.binary(max_size=3), where=st.integers(0, 10_000))
def test_undecodable_or_binary_input_reports_its_line(text, junk, where):
    data = text.encode("utf-8")
    where = where % (len(data) + 1)
    # put the bad byte on a character boundary, so everything before it is valid UTF-8
    while where < len(data) and (data[where] & 0xC0) == 0x80:
        where += 1
    bad = data[:where] + b"\xff" + junk + data[where:]
    assume(not bad.startswith((b"\xff\xfe", b"\xfe\xff")))  # a UTF-16/32 byte-order mark: read as such
    try:
        read_bytes(bad, "bad.txt")
    except TranscriptError as exc:
        assert exc.path == "bad.txt"
        nul = bad.find(b"\x00")
        if nul != -1:
            assert exc.line == bad.count(b"\n", 0, nul) + 1
            assert "binary" in exc.message
        else:
            assert exc.line == bad.count(b"\n", 0, where) + 1
            assert exc.message.startswith("invalid UTF-8 (byte 0xff at column ")
        return
    raise AssertionError("0xff can never decode as UTF-8")


# --------------------------------------------------------------------------- well-formed transcripts

THERAPIST_LABELS = [
    "T",
    "TH",
    "THERAPIST",
    "COUNSELOR",
    "COUNSELLOR",
    "CLINICIAN",
    "PSYCHOLOGIST",
    "PSYCHIATRIST",
    "INTERVIEWER",
]
CLIENT_LABELS = ["C", "CL", "CLIENT", "PATIENT", "PT", "P", "PARTICIPANT", "INTERVIEWEE"]
# The label vocabulary also knows family members (clients) and titles (therapist).
FAMILY_LABELS = ["Mum", "Partner"]
TITLED_LABELS = ["Dr. Smith"]
OTHER_LABELS = ["Interpreter"]  # names neither party: never given a role
UNKNOWN_LABELS = ["Interpreter", "Speaker 2"]
# Generated transcripts are read without inference, so that each label's role is exact:
# inference has its own tests (tests/test_roles.py).
NO_INFERENCE = ReadOptions(infer_roles=False)
WORDS = [
    "i",
    "you",
    "okay",
    "so",
    "the",
    "scan",
    "came",
    "back",
    "Honestly",
    "not",
    "great.",
    "really,",
    "why?",
    "we",
    "can",
    "talk",
    "It's",
    "fine",
    "Monday",
]
# (as written, is it an annotation)
INLINE = [
    ("[sighs]", True),
    ("((crying))", True),
    ("(sighs)", True),
    ("(long pause)", True),
    ("[voice catches]", True),
    ("(I think)", False),
    ("(you know)", False),
]
# scene notes: (as written, role when Dr. Reyes/Anna are declared, role otherwise)
NOTES = [
    ("[door closes]", "unknown", "unknown"),
    ("[She wipes her eyes]", "unknown", "unknown"),
    ("[client sobbing]", "client", "client"),
    ("[T pauses]", "therapist", "therapist"),
    ("((Therapist tears up))", "therapist", "therapist"),
    ("[Anna cries]", "client", "unknown"),
    ("[Dr. Reyes wipes her eyes.]", "therapist", "unknown"),
]


def random_case(draw, label: str) -> str:
    style = draw(st.sampled_from(["upper", "lower", "title"]))
    return {"upper": label.upper(), "lower": label.lower(), "title": label.title()}[style]


@st.composite
def phrase(draw, allow_empty: bool) -> tuple[str, list[str]]:
    """Words with inline annotations; returns (text, annotation raws in order)."""
    items = draw(
        st.lists(
            st.one_of(
                st.sampled_from(WORDS).map(lambda w: (w, None)),
                st.sampled_from(INLINE),
            ),
            min_size=0 if allow_empty else 1,
            max_size=8,
        )
    )
    if not allow_empty and all(ann is not None for _, ann in items):
        items.append((draw(st.sampled_from(WORDS)), None))
    text = " ".join(w for w, _ in items)
    anns = [w for w, ann in items if ann]
    return text, anns


@dataclass
class Expected:
    lines: list[str] = field(default_factory=list)
    turns: list[dict] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def timestamp(draw) -> tuple[str, float | None]:
    style = draw(st.sampled_from(["none", "hms", "ms", "bare", "paren"]))
    h, m, s = draw(st.integers(0, 9)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    if style == "none":
        return "", None
    if style == "hms":
        return f"[{h:02d}:{m:02d}:{s:02d}] ", h * 3600 + m * 60 + s
    if style == "bare":
        return f"{h:02d}:{m:02d}:{s:02d} ", h * 3600 + m * 60 + s
    if style == "ms":
        return f"[{m:02d}:{s:02d}] ", m * 60 + s
    return f"({m:02d}:{s:02d}) ", m * 60 + s


@st.composite
def transcripts(draw) -> Expected:
    exp = Expected()
    declared = draw(st.booleans())
    blank = st.integers(0, 2)

    def add(line: str) -> int:
        exp.lines.append(line)
        return len(exp.lines)

    # header
    header = []
    if draw(st.booleans()):
        header.append(("title", "@title: Session " + str(draw(st.integers(1, 99)))))
    if declared:
        header.append(("therapist", "@therapist: Dr. Reyes, Sam"))
        header.append(("client", "@client: Anna"))
    for key, line in draw(st.permutations(header)):
        for _ in range(draw(blank)):
            add("")
        add(line)
        if key == "title":
            exp.meta["title"] = line.split(": ", 1)[1]
    exp.meta["therapist"] = ["Dr. Reyes", "Sam"] if declared else []
    exp.meta["client"] = ["Anna"] if declared else []

    labels = (
        [(lab, "therapist") for lab in THERAPIST_LABELS + TITLED_LABELS]
        + [(lab, "client") for lab in CLIENT_LABELS + FAMILY_LABELS]
        + [(lab, "unknown") for lab in UNKNOWN_LABELS]
    )
    if declared:
        labels += [("Dr. Reyes", "therapist"), ("Sam", "therapist"), ("Anna", "client")]
    else:
        labels += [("Dr. Reyes", "therapist"), ("Anna", "unknown")]  # "Dr." says therapist

    n_blocks = draw(st.integers(1, 12))
    for _ in range(n_blocks):
        for _ in range(draw(blank)):
            add("")
        kind = draw(st.sampled_from(["turn", "turn", "turn", "note", "heading"]))
        if kind == "heading":
            title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)))
            exp.headings.append((add(f"## {title}"), title))
        elif kind == "note":
            note, role_declared, role_plain = draw(st.sampled_from(NOTES))
            ts, time = timestamp(draw)
            line = add(ts + note)
            exp.turns.append(
                dict(
                    speaker=None,
                    names=note,
                    role=role_declared if declared else role_plain,
                    text=note,
                    lines=[line],
                    time=time,
                    annotations=[note],
                    note=True,
                )
            )
        else:
            label, role = draw(st.sampled_from(labels))
            if role != "unknown" and label.isupper():
                label = random_case(draw, label)  # aliases match without regard to case
            ts, time = timestamp(draw)
            indent = draw(st.sampled_from(["", " ", "\t"]))
            text, anns = draw(phrase(allow_empty=True))
            gap = draw(st.sampled_from([" ", "  ", "\t"]))
            trail = draw(st.sampled_from(["", " ", "\t"]))
            first = f"{indent}{ts}{label}:{gap if text else ''}{text}{trail}"
            lines = [add(first)]
            texts = [text]
            for _ in range(draw(st.integers(0, 3))):
                for _ in range(draw(blank)):
                    add("")
                more, more_anns = draw(phrase(allow_empty=False))
                lead = draw(st.sampled_from(["", "  ", "\t"]))
                lines.append(add(f"{lead}{more}{trail}"))
                texts.append(more)
                anns = anns + more_anns
            exp.turns.append(
                dict(
                    speaker=label,
                    role=role,
                    text="\n".join(texts),
                    lines=lines,
                    time=time,
                    annotations=anns,
                    note=False,
                )
            )
    if not any(not turn["note"] for turn in exp.turns):
        label, role = labels[0]
        line = add(f"{label}: okay")
        exp.turns.append(
            dict(speaker=label, role=role, text="okay", lines=[line], time=None, annotations=[], note=False)
        )
    _two_party_complement(exp)
    return exp


def _two_party_complement(exp: Expected) -> None:
    """The contract's rule: two parties, one with a role, the other takes the other role.

    Speakers resolved that way then name their party in scene notes too.
    """
    roles: dict[str, str] = {}
    for turn in exp.turns:
        if not turn["note"]:
            roles.setdefault(" ".join(turn["speaker"].split()).casefold(), turn["role"])
    parties = [k for k in roles if k not in {o.casefold() for o in OTHER_LABELS}]
    if len(parties) == 2:
        a, b = parties
        for known, other in ((a, b), (b, a)):
            if roles[known] != "unknown" and roles[other] == "unknown":
                roles[other] = "client" if roles[known] == "therapist" else "therapist"
    for turn in exp.turns:
        if not turn["note"]:
            turn["role"] = roles[" ".join(turn["speaker"].split()).casefold()]
    for turn in exp.turns:
        note = turn.pop("names", None)
        if note is None or turn["role"] != "unknown":
            continue
        if "Anna" in note and roles.get("anna", "unknown") != "unknown":
            turn["role"] = roles["anna"]
        if "Dr. Reyes" in note and "dr. reyes" in roles:
            turn["role"] = roles["dr. reyes"]


def encode(exp: Expected, crlf: bool, bom: bool, final_newline: bool) -> bytes:
    eol = "\r\n" if crlf else "\n"
    text = eol.join(exp.lines) + (eol if final_newline else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@SETTINGS
@given(exp=transcripts(), crlf=st.booleans(), bom=st.booleans(), final_newline=st.booleans())
def test_generated_transcripts_read_exactly(exp, crlf, bom, final_newline):
    data = encode(exp, crlf, bom, final_newline)
    t = read_bytes(data, "gen.txt", NO_INFERENCE)
    check_well_formed(t, data)
    got = [
        dict(
            speaker=turn.speaker,
            role=turn.role,
            text=turn.text,
            lines=[p.line for p in turn.pieces],
            time=turn.time,
            annotations=[a.raw for a in turn.annotations],
            note=turn.is_note,
        )
        for turn in t.turns
    ]
    assert got == exp.turns
    assert t.meta == exp.meta


@SETTINGS
@given(exp=transcripts())
def test_generated_annotations_are_about_the_speaker_or_named_party(exp):
    data = encode(exp, False, False, True)
    t = read_bytes(data, "gen.txt", NO_INFERENCE)
    for turn in t.turns:
        for ann in turn.annotations:
            if turn.is_note:
                assert ann.about == (None if turn.role == "unknown" else turn.role)
            elif ann.text in ("client sobbing",):
                assert ann.about == "client"
            else:
                # generated inline annotations name nobody: they are the speaker's
                assert ann.about == turn.role


@SETTINGS
@given(exp=transcripts())
def test_generated_unknown_speakers_warn_once_and_others_get_no_role(exp):
    data = encode(exp, False, False, True)
    t = read_bytes(data, "gen.txt", NO_INFERENCE)
    other = {o.casefold() for o in OTHER_LABELS}
    unknown = {" ".join(turn.speaker.split()).casefold() for turn in t.turns
               if turn.role == "unknown" and not turn.is_note} - other
    for turn in t.turns:
        if turn.speaker in OTHER_LABELS:
            assert turn.role == "unknown"
    warned = [w for w in t.warnings if "has no role" in w[1]]
    assert len(warned) == len(unknown)
    first_lines = {}
    for turn in t.turns:
        key = " ".join(turn.speaker.split()).casefold() if turn.speaker else ""
        if turn.role == "unknown" and not turn.is_note and key not in other:
            first_lines.setdefault(key, turn.line)
    assert sorted(w[0] for w in warned) == sorted(first_lines.values())


@SETTINGS
@given(exp=transcripts())
def test_generated_segments_follow_headings(exp):
    data = encode(exp, False, False, True)
    t = read_bytes(data, "gen.txt", NO_INFERENCE)
    if not exp.headings:
        assert all(seg.title is None for seg in t.segments)
        return
    titled = [(seg.heading_line, seg.title) for seg in t.segments if seg.heading_line is not None]
    assert titled == exp.headings
    first_heading = exp.headings[0][0]
    before = tuple(i for i, turn in enumerate(exp.turns) if turn["lines"][0] < first_heading)
    if before:
        assert (t.segments[0].title, t.segments[0].turns) == (None, before)
    else:
        assert t.segments[0].heading_line == first_heading
    for seg in t.segments:
        if seg.heading_line is not None:
            assert seg.start_line == seg.heading_line


@SETTINGS
@given(exp=transcripts(), size=st.integers(1, 5))
def test_generated_segment_by_turns_counts_speaking_turns(exp, size):
    # without headings, so that the turns:N rule applies
    exp.lines = [ln for ln in exp.lines if not ln.startswith("## ")]
    data = encode(exp, False, False, True)
    t = read_bytes(data, "gen.txt", ReadOptions(segment_by=f"turns:{size}", infer_roles=False))
    check_well_formed(t, data)
    total = sum(1 for turn in t.turns if not turn.is_note)
    counts = [sum(1 for i in seg.turns if not t.turns[i].is_note) for seg in t.segments]
    expected = [size] * (total // size) + ([total % size] if total % size else [])
    assert counts == expected
    assert all(seg.title is None and seg.heading_line is None for seg in t.segments)
