"""The TalkBank CHAT reader (focusshift/formats/chat.py, docs/formats-chat.md).

Fixtures are in tests/data/formats/chat/; `cat -n` them to check the line numbers
asserted below. Inline sources are joined with LF: line N is element N-1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, detect_format, read_all, read_bytes
from focusshift.formats.chat import clean_tier, sniff
from focusshift.model import Transcript

DATA = Path(__file__).parent / "data" / "formats" / "chat"
EQUIVALENCE = Path(__file__).parent / "data" / "formats" / "equivalence"
B = "\x15"  # CHAT timing bullet delimiter


def read_fixture(name: str, **options) -> Transcript:
    path = DATA / name
    found = read_all(path.read_bytes(), str(path), ReadOptions(**options) if options else None)
    assert len(found) == 1
    return found[0]


def read(text: str | bytes, path: str = "session.cha", **options) -> Transcript:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_bytes(data, path, ReadOptions(**options) if options else None)


def src(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def summary(t: Transcript) -> list[tuple[str | None, str, str]]:
    return [(turn.speaker, turn.role, turn.text) for turn in t.turns]


def lines_of(t: Transcript) -> list[list[tuple[int, int]]]:
    return [[(p.line, p.column) for p in turn.pieces] for turn in t.turns]


def annotations(t: Transcript) -> list[tuple[int, str, int, int, int, str | None, str]]:
    return [
        (turn.index, a.text, a.line, a.start, a.end, a.about, a.raw)
        for turn in t.turns
        for a in turn.annotations
    ]


def segments(t: Transcript) -> list[tuple]:
    return [(s.index, s.title, s.start_line, s.end_line, s.turns, s.heading_line) for s in t.segments]


HEAD = ("@UTF8", "@Begin", "@Languages:\teng")


# --------------------------------------------------------------------------- a full session


def test_therapy_session_turns_roles_times_and_lines():
    t = read_fixture("therapy_session.cha")
    assert t.format == "chat"
    assert summary(t) == [
        ("Dr. Reyes", "therapist", "how have you been since we last met ?"),
        ("Anna", "client", "honestly , not great [sighs] ."),
        ("Anna", "client", "the scan came back and it's in my in my liver this time ."),
        ("Dr. Reyes", "therapist", "[cries] I'm I'm sorry ."),
        ("Dr. Reyes", "therapist", "give me a second [crying] ."),
        ("Anna", "client", "oh no , are you okay ?"),
        ("Anna", "client", "I didn't mean to upset you , it's fine , we\ncan talk about something else ..."),
        ("Dr. Reyes", "therapist", "let's look at the uh thought record ."),
        ("Anna", "client", "sure [laughs] ."),
        ("Anna", "client", "I did the first two columns ."),
        ("Dr. Reyes", "therapist", "same time next week ?"),
        ("Anna", "client", "yes , thank you ."),
    ]
    assert lines_of(t) == [
        [(15, 6)], [(18, 6)], [(19, 6)], [(20, 6)], [(22, 6)], [(23, 6)],
        [(24, 6), (25, 1)], [(29, 6)], [(30, 6)], [(31, 6)], [(33, 6)], [(34, 6)],
    ]
    assert [turn.time for turn in t.turns] == [
        5.0, 9.0, 11.4, 17.2, 19.0, 21.6, 23.0, 61.0, 63.8, 64.5, 90.1, 91.5
    ]
    assert not any(turn.is_note for turn in t.turns)
    assert t.warnings == ()


def test_therapy_session_meta_and_participants():
    t = read_fixture("therapy_session.cha")
    assert t.meta == {
        "therapist": ["Dr. Reyes"],
        "client": ["Anna"],
        "participants": {
            "THE": {"name": "Dr. Reyes", "role": "Therapist"},
            "CLI": {"name": "Anna", "role": "Client"},
        },
        "pid": "11312/a-00000012-1",
        "languages": "eng",
        "transcriber": "KM",
        "media": "session12, audio",
        "date": "14-MAR-2023",
        "location": "Leeds, UK",
        "situation": "individual therapy, twelfth session",
    }


def test_paralinguistics_become_annotations_about_the_speaker():
    t = read_fixture("therapy_session.cha")
    assert annotations(t) == [
        (1, "sighs", 18, 27, 34, "client", "[sighs]"),
        (3, "cries", 20, 6, 13, "therapist", "[cries]"),
        (4, "crying", 22, 23, 31, "therapist", "[crying]"),
        (8, "laughs", 30, 11, 19, "client", "[laughs]"),
    ]


def test_columns_are_exact_up_to_the_first_removed_code():
    lines = (DATA / "therapy_session.cha").read_text("utf-8").split("\n")
    t = read_fixture("therapy_session.cha")
    # &=cries -> [cries] has the same length: the annotation covers '&=cries' in the file.
    assert lines[20 - 1][6:13] == "&=cries"
    # Nothing removed before the bullet: the text is the file's text.
    first = t.turns[0]
    assert lines[15 - 1][6 : 6 + len(first.text)] == first.text
    # '[=! crying]' -> '[crying]': the annotation starts at the file's bracket.
    assert lines[22 - 1][23:31] == "[=! cryi"
    # The continuation line's piece starts after its tab.
    assert lines[25 - 1][1:].startswith("can talk about something else")


def test_gems_are_segments_and_turns_after_eg_open_an_untitled_one():
    t = read_fixture("therapy_session.cha")
    assert segments(t) == [
        (1, "opening", 14, 25, (0, 1, 2, 3, 4, 5, 6), 14),
        (2, "homework", 28, 31, (7, 8, 9), 28),
        (3, "", 32, 34, (10, 11), 32),
    ]


def test_focus_shift_end_to_end(analyzer):
    path = DATA / "therapy_session.cha"
    (t,) = read_all(path.read_bytes(), str(path))
    analysis = analyzer.analyze_transcript(t)
    events = [(e.category, e.subtype, e.line, e.span, e.text, e.speaker) for e in analysis.events]
    assert ("therapist_emotion", "crying", 20, (6, 13), "[cries]", "Dr. Reyes") in events
    assert ("therapist_emotion", "crying", 22, (23, 31), "[crying]", "Dr. Reyes") in events
    assert ("client_caretaking", "check_in", 23, (14, 26), "are you okay", "Anna") in events
    assert ("client_caretaking", "apology", 24, (6, 32), "I didn't mean to upset you", "Anna") in events
    assert {e.line for e in analysis.events if e.category == "client_caretaking"} == {23, 24}
    assert [(s.start_line, s.caretaking_lines) for s in analysis.shifts] == [(20, (23, 24))]


# --------------------------------------------------------------------------- roles


def test_investigator_and_patient_without_a_name():
    t = read_fixture("investigator.cha")
    assert summary(t) == [
        ("Maria", "therapist", "tell me about your stroke ."),
        ("PAT", "client", "it was um hard ."),
        ("PAT", "client", "I I couldn't talk for weeks [sniffs] ."),
        ("Maria", "therapist", "that sounds frightening I can [sniffs] I can see it\nwas so hard [sobs] ."),
        ("Maria", "therapist", "now tell me the story ."),
        ("PAT", "client", "once upon a time ."),
    ]
    assert lines_of(t) == [[(9, 6)], [(10, 6)], [(11, 6)], [(12, 6), (13, 1)], [(15, 6)], [(16, 6)]]
    assert t.meta["therapist"] == ["Maria"]
    assert t.meta["client"] == ["PAT"]
    assert t.meta["participants"] == {
        "INV": {"name": "Maria", "role": "Investigator"},
        "PAT": {"name": None, "role": "Patient"},
    }
    assert annotations(t) == [
        (2, "sniffs", 11, 34, 42, "client", "[sniffs]"),
        (3, "sniffs", 12, 36, 44, "therapist", "[sniffs]"),
        (3, "sobs", 13, 13, 19, "therapist", "[sobs]"),
    ]
    assert segments(t) == [(1, "Illness", 8, 13, (0, 1, 2, 3), 8), (2, "Cinderella", 14, 16, (4, 5), 14)]
    assert [turn.time for turn in t.turns] == [None] * 6
    assert t.warnings == ()


@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("Therapist", "therapist"),
        ("Clinician", "therapist"),
        ("Counselor", "therapist"),
        ("Counsellor", "therapist"),
        ("Investigator", "therapist"),
        ("Interviewer", "therapist"),
        ("Client", "client"),
        ("Patient", "client"),
        ("Target_Child", "client"),
        ("Participant", "client"),
        ("Interviewee", "client"),
        ("Mother", "unknown"),  # CHAT's family roles are not a therapy session's parties
    ],
)
def test_role_words(word, role):
    t = read(src(*HEAD, f"@Participants:\tXYZ Pat {word}", "*XYZ:\thello .", "@End"))
    assert (t.turns[0].speaker, t.turns[0].role) == ("Pat", role)


def test_id_lines_are_a_second_source():
    t = read(
        src(
            *HEAD,  # 1-3
            "@Participants:\tTHE Therapist, CLI",  # 4
            "@ID:\teng|corpus|THE|||||Therapist|||",  # 5
            "@ID:\teng|corpus|CLI|30;|female|||Client|||",  # 6
            "*THE:\thello .",  # 7
            "*CLI:\thi .",  # 8
            "@End",
        )
    )
    assert [(turn.speaker, turn.role) for turn in t.turns] == [("THE", "therapist"), ("CLI", "client")]
    assert t.warnings == ((4, "@Participants entry 'CLI' has no role"),)


def test_id_lines_alone_give_roles():
    t = read(
        src(
            *HEAD,
            "@ID:\teng|corpus|INV|||||Investigator|||",  # 4
            "@ID:\teng|corpus|PAR|||||Participant|||",  # 5
            "*INV:\thow are you ?",  # 6
            "*PAR:\tokay .",  # 7
            "@End",
        )
    )
    assert [(turn.speaker, turn.role) for turn in t.turns] == [("INV", "therapist"), ("PAR", "client")]
    assert [(s.label, s.role_source) for s in t.speakers] == [("INV", "declared"), ("PAR", "declared")]
    assert t.meta["participants"] == {
        "INV": {"name": None, "role": "Investigator"},
        "PAR": {"name": None, "role": "Participant"},
    }
    assert t.warnings == ((6, "no @Participants header: roles come from @ID lines only"),)


def test_participants_win_over_a_conflicting_id_line():
    t = read(
        src(
            *HEAD,
            "@Participants:\tTHE Ann Therapist, CLI Bo Client",  # 4
            "@ID:\teng|corpus|CLI|||||Therapist|||",  # 5
            "*THE:\thello .",
            "*CLI:\thi .",
            "@End",
        )
    )
    assert [(turn.speaker, turn.role) for turn in t.turns] == [("Ann", "therapist"), ("Bo", "client")]
    assert t.warnings == (
        (5, "@ID gives CLI the role 'Therapist' but @Participants says 'Client'; using @Participants"),
    )


def test_participants_header_continued_on_a_tab_line():
    t = read(
        src(
            *HEAD,
            "@Participants:\tTHE Dr._Ann_Lee Therapist,",
            "\tCLI Bo Client",
            "*THE:\thello .",
            "*CLI:\thi .",
            "@End",
        )
    )
    assert [(turn.speaker, turn.role) for turn in t.turns] == [("Dr. Ann Lee", "therapist"), ("Bo", "client")]


def test_command_line_may_name_the_code_of_a_named_participant():
    text = src(
        *HEAD,
        "@Participants:\tINV Maria Investigator, PAR Ann Participant",
        "*INV:\thow are you ?",
        "*PAR:\tfine .",
        "@End",
    )
    by_code = read(text, client=("PAR",))
    by_name = read(text, client=("Ann",))
    for t in (by_code, by_name):
        assert [(turn.speaker, turn.role) for turn in t.turns] == [("Maria", "therapist"), ("Ann", "client")]
        assert t.warnings == ()


def test_no_participants_header_the_codes_give_the_roles():
    t = read_fixture("no_participants.cha")
    assert summary(t) == [
        ("THE", "therapist", "what brings you here today ?"),
        ("CLI", "client", "my sister said I should come ."),
    ]
    assert [(s.label, s.role_source) for s in t.speakers] == [("THE", "label"), ("CLI", "label")]
    assert t.warnings == (
        (
            5,
            "no @Participants header: speakers are labelled by their CHAT codes; roles come from the "
            "codes (THE, INV, CLI, PAR, PAT) or the conversation; map them with --therapist/--client",
        ),
    )
    mapped = read_fixture("no_participants.cha", therapist=("THE",), client=("CLI",))
    assert [(turn.speaker, turn.role) for turn in mapped.turns] == [("THE", "therapist"), ("CLI", "client")]
    assert mapped.meta["therapist"] == ["THE"]
    assert mapped.meta["client"] == ["CLI"]
    assert [line for line, _ in mapped.warnings] == [5]


# --------------------------------------------------------------------------- messy files


def test_unknown_tiers_headers_and_speaker_codes_are_warnings():
    t = read_fixture("messy.cha")
    assert summary(t) == [
        ("THE", "therapist", "hi there , how was the week ?"),
        ("MOT", "unknown", "is she in there ?"),
        ("CLI", "client", "not bad ."),
        ("THE", "therapist", "okay ."),
    ]
    assert [turn.line for turn in t.turns] == [7, 10, 12, 14]
    assert t.meta["recording_quality"] == "fair"
    assert "mood" not in t.meta
    assert t.warnings == (
        (6, "unknown CHAT header @Mood; ignored"),
        (9, "unknown dependent tier %zzz; skipped (and wherever it recurs)"),
        (10, "speaker code 'MOT' is not listed in @Participants; its role is unknown"),
        (
            10,
            "speaker 'MOT' has no role (too little speech to infer a role (1 turn(s), 4 words)); "
            "give it one with --therapist/--client or --role LABEL=ROLE",
        ),
        (11, "not a CHAT tier (a line starts with @, * or %, or a tab to continue one); skipped"),
        (13, "utterance tier without ':' after the speaker code (expected '*CODE:\\ttext'); skipped"),
        (16, "text after @End; ignored"),
    )


def test_bom_and_crlf():
    data = (DATA / "bom_crlf.cha").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf@UTF8\r\n")
    t = read_fixture("bom_crlf.cha")
    assert summary(t) == [
        ("THE", "therapist", "how are you ?"),
        ("CLI", "client", "fine [laughs] ,\nreally fine ."),
    ]
    assert lines_of(t) == [[(4, 6)], [(5, 6), (6, 1)]]
    assert annotations(t) == [(1, "laughs", 5, 11, 19, "client", "[laughs]")]
    assert t.warnings == ()


def test_empty_file_is_an_error():
    with pytest.raises(TranscriptError) as info:
        read_fixture("empty.cha")
    assert (info.value.line, info.value.message) == (1, "the file is empty")


def test_headers_without_utterances_is_an_error():
    with pytest.raises(TranscriptError) as info:
        read_fixture("headers_only.cha")
    assert info.value.line == 1
    assert info.value.message == "no utterance tiers found; a CHAT file needs lines like '*CHI:\\ttext .'"


def test_empty_tier_and_nested_gems():
    t = read(
        src(
            *HEAD,  # 1-3
            "@Participants:\tTHE Therapist, CLI Client",  # 4
            "@Bg:\tcheck-in",  # 5
            "*THE:\thow are you ?",  # 6
            "@Bg:\tmood",  # 7
            "*CLI:",  # 8
            "*CLI:\tlow .",  # 9
            "@Eg:\tmood",  # 10: back in check-in
            "*THE:\tlet's stay with that .",  # 11
            "@Eg:\tcheck-in",  # 12
            "@Eg:\textra",  # 13: an @Eg too many is harmless
            "*CLI:\tokay .",  # 14
            "@End",
        )
    )
    assert summary(t) == [
        ("THE", "therapist", "how are you ?"),
        ("CLI", "client", "low ."),
        ("THE", "therapist", "let's stay with that ."),
        ("CLI", "client", "okay ."),
    ]
    assert segments(t) == [
        (1, "check-in", 5, 6, (0,), 5),
        (2, "mood", 7, 9, (1,), 7),
        (3, "check-in", 10, 11, (2,), 10),
        (4, "", 13, 14, (3,), 13),
    ]
    assert t.warnings == ((8, "empty utterance tier *CLI:; skipped"),)


def test_continuation_with_no_tier_before_it():
    t = read(src("\tlost line", "@UTF8", "@Begin", "@Participants:\tTHE Therapist", "*THE:\thi .", "@End"))
    assert summary(t) == [("THE", "therapist", "hi .")]
    assert t.warnings == ((1, "continuation line (starts with a tab) with no tier before it; ignored"),)


def test_no_end_and_dependent_tier_continuations_are_fine():
    t = read(
        src(
            "@UTF8",
            "@Begin",
            "@Participants:\tTHE Therapist, CLI Client",
            "*THE:\tso ?",
            "%mor:\tadv|so",
            "\t?",  # continues %mor: skipped with it
            "%xspeech:\tuser-defined tier",
            "@Comment:\tcoder unsure here",
            "@Birth of CLI:\t01-JAN-1990",
            "*CLI:\tso .",
        )
    )
    assert summary(t) == [("THE", "therapist", "so ?"), ("CLI", "client", "so .")]
    assert t.warnings == ()


def test_bullets_give_time_windows_when_there_are_no_gems():
    t = read(
        src(
            *HEAD,
            "@Participants:\tTHE Therapist, CLI Client",
            f"*THE:\thello . {B}1000_2000{B}",
            f"*CLI:\thi . {B}50000_52000{B}",
            f"*THE:\tso {B}65000_66000{B} where were we ?",
            "*CLI:\tno bullet here .",
            "@End",
        ),
        segment_by="minutes:1",
    )
    assert [turn.time for turn in t.turns] == [1.0, 50.0, 65.0, None]
    assert summary(t)[2] == ("THE", "therapist", "so where were we ?")
    assert [s.turns for s in t.segments] == [(0, 1), (2, 3)]


# --------------------------------------------------------------------------- CHAT codes


@pytest.mark.parametrize(
    ("tier", "text", "start"),
    [
        ("&=cries I'm sorry .", "[cries] I'm sorry .", 0),
        ("&=clears_throat sorry .", "[clears throat] sorry .", 0),
        ("give me a second [=! crying] .", "give me a second [crying] .", 0),
        ("okay [=! voice_breaking] .", "okay [voice breaking] .", 0),
        ("&{l=laughs oh stop &}l=laughs .", "[laughs] oh stop .", 0),
        ("I [/] I [//] we went .", "I I we went .", 0),
        ("<I was> [/] I was sad .", "I was I was sad .", 1),
        ("gonna [: going to] go [*] .", "gonna go .", 0),
        ("it [= the dog] [!] ran [?] [>] .", "it ran .", 0),
        ("&-uh I &-um (.) know (..) it (1.5) .", "uh I um know it .", 2),
        ("&+fr friends &~gaga &*MOT:yeah here .", "friends here .", 5),
        ("xxx yyy www .", ".", 12),
        ("0 [=! cries] .", "[cries] .", 2),
        ("+< yeah .", "yeah .", 3),
        ("I was going +...", "I was going ...", 0),
        ("she said +/.", "she said .", 0),
        ('+" nope +"/.', "nope .", 3),
        ("runnin(g) (be)cause ice+cream Los_Angeles .", "running because ice cream Los Angeles .", 0),
        ("bonjour@s:fra no:: .", "bonjour no .", 0),
        ("\u2191really \u00b0quiet\u00b0 \u2308yes\u2309 .", "really quiet yes .", 1),
        ("hello . \x151000_2000\x15", "hello .", 0),
        ("[crying] sorry .", "[crying] sorry .", 0),
    ],
)
def test_clean_tier(tier, text, start):
    assert clean_tier(tier) == (text, start)


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("@UTF8\n@Begin\n", True),
        ("\ufeff@UTF8\r\n@Begin\r\n", True),
        ("@Begin\n@Participants:\tTHE Therapist\n", True),
        ("\n@UTF8\n", True),
        ("T: hello\nC: hi\n", False),
        ("@therapist: Dr. Lee\n@client: Sam\nDr. Lee: hi\n", False),
        ("@Beginning: notes\nT: hi\n", False),
        ("@Languages:\teng\n*THE:\thi .\n", False),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n", False),
    ],
)
def test_sniff(head, expected):
    assert sniff(head, "x") is expected


def test_detect_format_by_suffix_and_by_content():
    data = (DATA / "investigator.cha").read_bytes()
    assert detect_format("s.cha", data) == "chat"
    assert detect_format("s.txt", data) == "chat"
    assert detect_format("s.txt", b"@therapist: Dr. Lee\nDr. Lee: hi\n") != "chat"
    (t,) = read_all(data, "exported.txt")
    assert t.format == "chat"


def test_equivalence_session_matches_the_native_one(analyzer):
    def key(path: Path):
        (t,) = read_all(path.read_bytes(), str(path))
        a = analyzer.analyze_transcript(t)
        return (
            [(turn.speaker, turn.role, turn.line) for turn in t.turns],
            [(e.category, e.subtype, e.line, e.text) for e in a.events],
            a.score,
            [(s.start_line, s.caretaking_lines, s.end_line) for s in a.shifts],
        )

    chat = key(EQUIVALENCE / "session.cha")
    assert chat == key(EQUIVALENCE / "session.txt")
    assert ("therapist_emotion", "voice_break", 5, "[voice breaks]") in chat[1]
    assert ("client_caretaking", "check_in", 6, "are you okay") in chat[1]
