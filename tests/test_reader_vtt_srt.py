"""The WebVTT (Zoom, Teams) and SubRip readers: speakers, merging, lines, columns, messy files.

Fixtures are in tests/data/formats/vtt/ and tests/data/formats/srt/; `cat -n` them to
check the line numbers asserted below. Small edge cases are written inline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, detect_format, read_all
from focusshift.formats import srt as srt_format
from focusshift.formats import vtt as vtt_format
from focusshift.model import Transcript, Turn

DATA = Path(__file__).parent / "data" / "formats"
VTT = DATA / "vtt"
SRT = DATA / "srt"
EQUIVALENCE = DATA / "equivalence"

REYES = ReadOptions(therapist=("Dr. Reyes",), client=("Anna",))
LEE = ReadOptions(therapist=("Dr. Lee",), client=("Sam",))


def read_file(path: Path, options: ReadOptions | None = None) -> Transcript:
    found = read_all(path.read_bytes(), str(path), options)
    assert len(found) == 1
    return found[0]


def read_text(text: str | bytes, name: str, options: ReadOptions | None = None) -> Transcript:
    data = text.encode("utf-8") if isinstance(text, str) else text
    found = read_all(data, name, options)
    assert len(found) == 1
    return found[0]


def src(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def summary(t: Transcript) -> list[tuple[str | None, str, str]]:
    return [(turn.speaker, turn.role, turn.text) for turn in t.turns]


def places(turn: Turn) -> list[tuple[int, int]]:
    return [(p.line, p.column) for p in turn.pieces]


def physical_lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")


def verbatim(turn: Turn, lines: list[str]) -> list[bool]:
    """For each piece: is its text copied verbatim at (line, column)?"""
    out = []
    for piece, text in zip(turn.pieces, turn.text.split("\n")):
        line = lines[piece.line - 1]
        out.append(line[piece.column : piece.column + len(text)] == text)
    return out


def read_error(text: str | bytes, name: str) -> TranscriptError:
    with pytest.raises(TranscriptError) as info:
        read_text(text, name)
    return info.value


NO_SPEAKER = "cue text with no speaker, and no earlier speaker to continue; ignored"


def bad_timing(line: str, sep: str = ".") -> str:
    return (
        f"malformed cue timing line {line!r} "
        f"(expected 'HH:MM:SS{sep}mmm --> HH:MM:SS{sep}mmm'); cue skipped"
    )


# =========================================================================== WebVTT


def test_teams_voice_tags_merge_consecutive_cues_and_skip_note_style_ids():
    path = VTT / "teams.vtt"
    t = read_file(path, REYES)
    assert t.format == "vtt"
    assert t.meta == {"therapist": ["Dr. Reyes"], "client": ["Anna"]}
    assert summary(t) == [
        ("Dr. Reyes", "therapist", "How have you been since we last met?"),
        ("Anna", "client", "Honestly, not great. [sighs]\nThe scan came back and it's not good."),
        ("Dr. Reyes", "therapist", "[voice catches] I'm sorry.\nGive me a second."),
        (
            "Anna",
            "client",
            "Oh no, are you okay? I didn't mean to upset you.\nWe can talk about something else.",
        ),
        ("Dr. Reyes", "therapist", "Thank you. This is your time & I'm here."),
    ]
    # One piece per cue text line, at its physical line; the column is after the voice tag.
    assert [places(turn) for turn in t.turns] == [
        [(11, 13)],
        [(15, 8), (19, 8)],
        [(23, 18), (24, 0)],  # <v.loud Dr. Reyes>, unclosed, on two lines
        [(32, 8), (35, 8)],  # the speakerless <c.grey> cue continues Anna
        [(39, 13)],
    ]
    lines = physical_lines(path)
    # "<i>not</i>" and "&amp;" inside the text: only those pieces are not verbatim.
    assert [verbatim(turn, lines) for turn in t.turns] == [
        [True],
        [True, False],
        [True, True],
        [True, True],
        [False],
    ]
    assert [turn.time for turn in t.turns] == [5.12, 9.0, 16.5, 22.0, 30.0]
    assert [(a.raw, a.line, a.start, a.end, a.about) for turn in t.turns for a in turn.annotations] == [
        ("[sighs]", 15, 29, 36, "client"),
        ("[voice catches]", 23, 18, 33, "therapist"),
    ]
    assert t.warnings == ()  # NOTE, STYLE, identifiers, cue settings and the empty <v Anna></v> cue


def test_teams_speakers_without_declared_roles_get_them_from_the_title_and_two_parties():
    t = read_file(VTT / "teams.vtt")
    assert [(turn.speaker, turn.role) for turn in t.turns][:2] == [
        ("Dr. Reyes", "therapist"),
        ("Anna", "client"),
    ]
    assert [(s.label, s.role_source) for s in t.speakers] == [("Dr. Reyes", "label"), ("Anna", "label")]
    assert t.warnings == ()
    assert t.meta == {"therapist": [], "client": []}


def test_teams_speakers_without_roles_warn_once_each_without_inference():
    data = (VTT / "teams.vtt").read_bytes().replace(b"Dr. Reyes", b"Reyes")
    (t,) = vtt_format.read(data, "teams.vtt", ReadOptions(infer_roles=False))
    assert [(turn.speaker, turn.role) for turn in t.turns][:2] == [("Reyes", "unknown"), ("Anna", "unknown")]
    assert [(w[0], w[1].split(" (")[0]) for w in t.warnings] == [
        (11, "speaker 'Reyes' has no role"), (15, "speaker 'Anna' has no role")]


def test_zoom_name_colon_labels_continuations_scene_note_and_malformed_timing():
    path = VTT / "zoom.vtt"
    t = read_file(path, REYES)
    assert summary(t) == [
        ("Dr. Reyes", "therapist", "How have you been since we last met?"),
        (
            "Anna",
            "client",
            "Honestly, not great. The scan came back\nand it wasn't good news.\nI don't know what to do.",
        ),
        ("Dr. Reyes", "therapist", "[voice catches] I'm so sorry, Anna. Give me a moment."),
        (None, "therapist", "[Dr. Reyes wipes her eyes]"),
        ("Anna", "client", "Oh no, are you okay? I didn't mean to upset you."),
        ("Dr. Reyes", "therapist", "Thank you. This is your time, let's stay with you."),
    ]
    assert [places(turn) for turn in t.turns] == [
        [(5, 11)],
        [(9, 6), (10, 0), (14, 0)],
        [(18, 11)],
        [(22, 0)],
        [(30, 6)],
        [(34, 11)],
    ]
    lines = physical_lines(path)
    assert all(all(verbatim(turn, lines)) for turn in t.turns)
    assert [turn.time for turn in t.turns] == [2.31, 6.0, 12.0, 15.3, 19.0, 23.5]
    assert [turn.is_note for turn in t.turns] == [False, False, False, True, False, False]
    # Cue 6 ("->" instead of "-->") is skipped with a warning on its timing line.
    assert t.warnings == ((25, bad_timing("00:00:16.500 -> 00:00:18.000")),)


def test_messy_vtt_with_bom_crlf_unclosed_voice_no_text_bad_and_comma_timings():
    path = VTT / "messy_bom_crlf.vtt"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfWEBVTT") and b"\r\n" in raw
    t = read_file(path, LEE)
    assert summary(t) == [
        ("Dr. Lee", "therapist", "Okay, we're recording.\nShall we start?"),
        ("Sam", "client", "I slept badly again\nthis week, <honestly>."),
    ]
    assert [places(turn) for turn in t.turns] == [[(10, 11), (11, 3)], [(22, 7), (26, 14)]]
    lines = physical_lines(path)
    assert lines[9][11:] == "Okay, we're recording."  # CR stripped, column after <v Dr. Lee>
    assert [verbatim(turn, lines) for turn in t.turns] == [[True, False], [True, False]]
    # 00:00:08,000 (comma, as SRT converters write it) is read as 8 seconds.
    assert [turn.time for turn in t.turns] == [2.0, 8.0]
    assert t.warnings == (
        (6, NO_SPEAKER),  # the first cue has no speaker and nobody to continue
        (17, bad_timing("00:00:05.000 --> 00:00:07")),
    )


def test_several_voices_on_one_line_and_voice_classes():
    text = src(
        "WEBVTT",
        "",
        "00:01.000 --> 00:04.000",
        "<v.first.loud Dr. Lee>Are you with me?</v> <v Sam>Yes.</v>",
        "<v Dr. Lee>Good.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [
        ("Dr. Lee", "therapist", "Are you with me?"),
        ("Sam", "client", "Yes."),
        ("Dr. Lee", "therapist", "Good."),
    ]
    assert [places(turn) for turn in t.turns] == [[(4, 22)], [(4, 50)], [(5, 11)]]
    assert [turn.time for turn in t.turns] == [1.0, 1.0, 1.0]


def test_voice_tag_alone_on_a_line_names_the_speaker_of_the_next_line():
    text = src(
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:04.000",
        "<v Sam>",
        "I keep replaying it.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "I keep replaying it.")]
    assert places(t.turns[0]) == [(5, 0)]


def test_unclosed_voice_lasts_to_the_end_of_the_cue_then_speakerless_cues_continue():
    text = src(
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "<v Sam>It was on Friday",
        "and I went alone.",
        "",
        "00:00:02.000 --> 00:00:03.000",
        "<i>I couldn't face it.</i>",
        "",
        "00:00:04.000 --> 00:00:05.000",
        "<v Dr. Lee>That sounds hard.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [
        ("Sam", "client", "It was on Friday\nand I went alone.\nI couldn't face it."),
        ("Dr. Lee", "therapist", "That sounds hard."),
    ]
    assert [places(turn) for turn in t.turns] == [[(4, 7), (5, 0), (8, 3)], [(11, 11)]]
    assert t.warnings == ()


def test_cues_of_one_speaker_merge_but_another_speaker_in_between_splits_them():
    text = src(
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "Sam: One.",
        "",
        "00:00:02.000 --> 00:00:03.000",
        "Sam: Two.",
        "",
        "00:00:03.000 --> 00:00:04.000",
        "Dr. Lee: Mm.",
        "",
        "00:00:04.000 --> 00:00:05.000",
        "Sam: Three.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [
        ("Sam", "client", "One.\nTwo."),
        ("Dr. Lee", "therapist", "Mm."),
        ("Sam", "client", "Three."),
    ]
    assert [turn.time for turn in t.turns] == [1.0, 3.0, 4.0]
    assert [places(turn) for turn in t.turns] == [[(4, 5), (7, 5)], [(10, 9)], [(13, 5)]]


def test_colon_in_ordinary_speech_is_not_a_speaker_label():
    text = src(
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "Sam: I'll be honest.",
        "",
        "00:00:02.000 --> 00:00:03.000",
        "so here is the thing: I was relieved.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "I'll be honest.\nso here is the thing: I was relieved.")]


def test_note_style_region_blocks_header_metadata_and_empty_cues_are_ignored():
    text = src(
        "WEBVTT - Session 4",
        "Kind: captions",
        "Language: en",
        "",
        "REGION",
        "id:fred width:40%",
        "",
        "STYLE",
        "::cue { color: red }",
        "",
        "NOTE Sam: this note is not speech",
        "",
        "NOTE",
        "Dr. Lee: neither is this",
        "",
        "intro",
        "00:00:01.000 --> 00:00:02.000 region:fred",
        "<v Dr. Lee>Welcome back.",
        "",
        "00:00:02.500 --> 00:00:03.000",
        "",
        "00:00:03.000 --> 00:00:04.000",
        "<v Sam> </v>",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [("Dr. Lee", "therapist", "Welcome back.")]
    assert places(t.turns[0]) == [(18, 11)]
    assert t.warnings == ()


def test_text_outside_any_cue_is_a_warning():
    text = src(
        "WEBVTT",
        "",
        "00:00:01.000 --> 00:00:02.000",
        "Sam: Hello.",
        "",
        "a stray paragraph with no timing",
        "",
        "00:00:03.000 --> 00:00:04.000",
        "Sam: Bye.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hello.\nBye.")]
    assert t.warnings == (
        (6, "text outside any cue (no 'start --> end' timing line before it); ignored"),
    )


def test_a_line_of_only_spaces_between_cues_ends_the_cue():
    text = src(
        "WEBVTT",
        "",
        "1",
        "00:00:01.000 --> 00:00:02.000",
        "Sam: Hello.",
        "   ",
        "2",
        "00:00:03.000 --> 00:00:04.000",
        "Dr. Lee: Hi.",
    )
    t = read_text(text, "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hello."), ("Dr. Lee", "therapist", "Hi.")]
    assert [places(turn) for turn in t.turns] == [[(5, 5)], [(9, 9)]]
    assert t.warnings == ()


def test_blank_lines_before_the_header_are_tolerated_and_a_missing_header_is_a_warning():
    t = read_text(src("", "WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "Sam: Hi."), "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(5, 5)]
    assert t.warnings == ()

    t = read_text(src("1", "00:00:01.000 --> 00:00:02.000", "Sam: Hi."), "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(3, 5)]
    assert t.warnings == ((1, "no 'WEBVTT' header on the first line; read as WebVTT anyway"),)


def test_vtt_empty_file_no_cues_and_no_speakers_are_transcript_errors():
    err = read_error((VTT / "empty.vtt").read_bytes(), "empty.vtt")
    assert (err.line, err.message) == (1, "the file is empty")

    err = read_error(b"\xef\xbb\xbfWEBVTT\r\n\r\n", "header_only.vtt")
    assert (err.line, err.message) == (
        None,
        "no cues found; expected 'start --> end' timing lines followed by text",
    )

    err = read_error("WEBVTT\n\n00:00:01.000 --> 00:61:00.000\nSam: hi\n", "minutes.vtt")
    assert (err.line, err.message) == (
        3,
        "no readable cues found; " + bad_timing("00:00:01.000 --> 00:61:00.000"),
    )

    err = read_error((VTT / "no_speakers.vtt").read_bytes(), "no_speakers.vtt")
    assert (err.path, err.line, err.message) == (
        "no_speakers.vtt",
        5,
        "no speaker found in any cue; expected '<v Name>text' voice tags (Teams) "
        "or 'Name: text' (Zoom)",
    )


@pytest.mark.parametrize(
    "text",
    [
        "WEBVTT\n\n-->\n",
        "WEBVTT\n\n--> -->\n-->\n",
        "WEBVTT\n\n00:00 --> \n<v>\n",
        "WEBVTT\n\n99:99:99.999 --> 00:00:01.000\nSam: hi\n",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 line:abc align:nowhere\n<v\n",
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<<<>>> &bogus; &#99999999;\n",
        "WEBVTT\rNOTE old mac line ends\r\r00:00:01.000 --> 00:00:02.000\rSam: hi\r",
    ],
)
def test_vtt_odd_input_is_never_a_traceback(text):
    try:
        read_text(text, "odd.vtt", LEE)
    except TranscriptError:
        pass


# =========================================================================== SubRip


def test_srt_labels_merge_multiline_cues_tags_and_continuation():
    path = SRT / "session.srt"
    t = read_file(path, REYES)
    assert t.format == "srt"
    assert summary(t) == [
        ("DR. REYES", "therapist", "How have you been since we last met?"),
        ("ANNA", "client", "Honestly, not great. [sighs]\nThe scan came back.\nIt's not good."),
        ("DR. REYES", "therapist", "[voice catches] I'm sorry.\nGive me a second."),
        (
            "ANNA",
            "client",
            "Oh no, are you okay? I didn't mean to upset you.\nWe can talk about something else.",
        ),
        ("DR. REYES", "therapist", "Thank you. This is your time."),
    ]
    assert [places(turn) for turn in t.turns] == [
        [(3, 11)],
        [(7, 6), (8, 0), (12, 6)],
        [(16, 11), (17, 0)],
        [(21, 12), (25, 0)],  # after "{\an8}ANNA: "; cue 6 has no speaker: it continues Anna
        [(29, 11)],
    ]
    lines = physical_lines(path)
    assert [verbatim(turn, lines) for turn in t.turns] == [
        [True],
        [True, True, False],  # "<i>not</i>"
        [True, True],
        [True, True],
        [True],
    ]
    assert [turn.time for turn in t.turns] == [5.12, 9.0, 16.5, 22.0, 30.0]
    assert [(a.raw, a.line, a.start, a.about) for turn in t.turns for a in turn.annotations] == [
        ("[sighs]", 7, 27, "client"),
        ("[voice catches]", 16, 11, "therapist"),
    ]
    assert t.warnings == ()


def test_messy_srt_with_bom_crlf_bad_timings_no_text_dots_and_missing_blank_line():
    path = SRT / "messy_bom_crlf.srt"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf1\r\n")
    t = read_file(path, LEE)
    assert summary(t) == [
        ("Dr. Lee", "therapist", "Okay, we're recording.\nShall we start?"),
        ("Sam", "client", "I slept badly again\nthis week."),
        ("Dr. Lee", "therapist", "Mm. Go on."),
    ]
    assert [places(turn) for turn in t.turns] == [[(7, 9), (8, 0)], [(19, 5), (22, 0)], [(30, 31)]]
    lines = physical_lines(path)
    assert [verbatim(turn, lines) for turn in t.turns] == [[True, True], [True, True], [False]]
    assert [turn.time for turn in t.turns] == [2.0, 8.0, 14.0]
    assert t.warnings == (
        (3, NO_SPEAKER),
        (14, bad_timing("00:00:05,000 -> 00:00:07,000", ",")),  # between two cues srt could read
        (25, bad_timing("0:12 --> 0:13", ",")),  # swallowed by srt into cue 6's text
    )


def test_srt_blank_line_inside_cue_text_and_missing_index_line():
    text = src(
        "1",
        "00:00:01,000 --> 00:00:03,000",
        "Sam: It was on Friday",
        "",
        "and I went alone.",
        "",
        "00:00:04,000 --> 00:00:05,000",
        "Dr. Lee: Mm.",
    )
    t = read_text(text, "x.srt", LEE)
    assert summary(t) == [
        ("Sam", "client", "It was on Friday\nand I went alone."),
        ("Dr. Lee", "therapist", "Mm."),
    ]
    assert [places(turn) for turn in t.turns] == [[(3, 5), (5, 0)], [(8, 9)]]
    assert [turn.time for turn in t.turns] == [1.0, 4.0]
    assert t.warnings == ()


def test_srt_text_before_the_first_cue_is_a_warning():
    text = src(
        "Transcript exported by CaptionTool",
        "",
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "Sam: Hi.",
    )
    t = read_text(text, "x.srt", LEE)
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(5, 5)]
    assert t.warnings == (
        (1, "text outside any cue (no 'start --> end' timing line before it); ignored"),
    )


def test_srt_empty_file_and_no_speakers_are_transcript_errors():
    err = read_error((SRT / "empty.srt").read_bytes(), "empty.srt")
    assert (err.line, err.message) == (1, "the file is empty")

    err = read_error((SRT / "no_speakers.srt").read_bytes(), "no_speakers.srt")
    assert (err.path, err.line, err.message) == (
        "no_speakers.srt",
        3,
        "no speaker found in any subtitle; expected 'Name: text' at the start of the subtitle text",
    )

    err = read_error("just some words\nwith no cues\n", "words.srt")
    assert (err.line, err.message) == (
        1,
        "no readable subtitles found; text outside any cue "
        "(no 'start --> end' timing line before it); ignored",
    )

    err = read_error("1\n00:00:01,000 -> 00:00:02,000\nSam: hi\n", "arrow.srt")
    assert (err.line, err.message) == (
        2,
        "no readable subtitles found; "
        + bad_timing("00:00:01,000 -> 00:00:02,000", ","),
    )


@pytest.mark.parametrize(
    "text",
    [
        "1\n-->\n",
        "1\n00:00:01,000 --> 00:00:02,000\n",
        "1\n99:99:99,999 --> 00:00:01,000\nSam: hi\n",
        "\n\n\n1\n00:00:01,000 --> 00:00:02,000\n<i>\n",
        "1\r00:00:01,000 --> 00:00:02,000\rSam: hi\r",
    ],
)
def test_srt_odd_input_is_never_a_traceback(text):
    try:
        read_text(text, "odd.srt", LEE)
    except TranscriptError:
        pass


# =========================================================================== sniffing


def test_sniffing_vtt_and_srt_and_never_native():
    native = "T: hello\nC: hi\n"
    assert vtt_format.sniff("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "vtt")
    assert vtt_format.sniff("\ufeffWEBVTT - Session 3\n", "vtt")
    assert not vtt_format.sniff(native, "vtt")
    assert not vtt_format.sniff("1\n00:00:01,000 --> 00:00:02,000\nhi\n", "vtt")

    assert srt_format.sniff("1\n00:00:01,000 --> 00:00:02,000\nSam: hi\n", "srt")
    assert srt_format.sniff("\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nSam: hi\r\n", "srt")
    assert not srt_format.sniff(native, "srt")
    assert not srt_format.sniff("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "srt")
    assert not srt_format.sniff("1\nT: hello\n", "srt")

    assert detect_format("upload", (VTT / "teams.vtt").read_bytes()) == "vtt"
    assert detect_format("upload", (VTT / "messy_bom_crlf.vtt").read_bytes()) == "vtt"
    assert detect_format("upload", (SRT / "session.srt").read_bytes()) == "srt"
    assert detect_format("upload", (SRT / "messy_bom_crlf.srt").read_bytes()) == "srt"
    assert detect_format("notes.txt", native.encode()) == "native"


# =========================================================================== end to end


def _events(analysis) -> list[tuple[str, str, int, str]]:
    return [(e.category, e.subtype, e.line, e.text) for e in analysis.events]


def test_end_to_end_teams_vtt_focus_shift(analyzer):
    path = VTT / "teams.vtt"
    t = read_file(path, REYES)
    analysis = analyzer.analyze_transcript(t)
    events = _events(analysis)
    assert ("therapist_emotion", "voice_break", 23, "[voice catches]") in events
    assert ("therapist_emotion", "needs_moment", 24, "Give me a second") in events
    assert ("client_caretaking", "check_in", 32, "are you okay") in events
    assert ("client_caretaking", "withholding", 35, "We can talk about something else") in events
    lines = physical_lines(path)
    for e in analysis.events:
        assert lines[e.line - 1][e.span[0] : e.span[1]] == e.text
    assert [(s.start_line, s.caretaking_lines) for s in analysis.shifts] == [(23, (32, 35))]


def test_end_to_end_srt_focus_shift(analyzer):
    path = SRT / "session.srt"
    t = read_file(path, REYES)
    analysis = analyzer.analyze_transcript(t)
    events = _events(analysis)
    assert ("therapist_emotion", "voice_break", 16, "[voice catches]") in events
    assert ("therapist_emotion", "needs_moment", 17, "Give me a second") in events
    assert ("client_caretaking", "check_in", 21, "are you okay") in events
    assert ("client_caretaking", "apology", 21, "I didn't mean to upset you") in events
    lines = physical_lines(path)
    for e in analysis.events:
        assert lines[e.line - 1][e.span[0] : e.span[1]] == e.text
    assert [(s.start_line, s.caretaking_lines) for s in analysis.shifts] == [(16, (21, 25))]


@pytest.mark.parametrize("name", ["session.vtt", "session.srt"])
def test_equivalence_fixtures_give_the_native_events(analyzer, name):
    native = analyzer.analyze_transcript(read_file(EQUIVALENCE / "session.txt"))
    other = analyzer.analyze_transcript(read_file(EQUIVALENCE / name, LEE))
    assert [(e.category, e.subtype, e.text, e.role) for e in other.events] == [
        (e.category, e.subtype, e.text, e.role) for e in native.events
    ]
    lines = physical_lines(EQUIVALENCE / name)
    for e in other.events:
        assert lines[e.line - 1][e.span[0] : e.span[1]] == e.text
    # Sam's two consecutive cues are one merged turn here, two turns in the native file.
    assert [turn.speaker for turn in other.transcript.turns] == [
        "Dr. Lee", "Sam", "Dr. Lee", "Sam", "Dr. Lee", "Sam"
    ]
