"""The WebVTT (Zoom, Teams) and SubRip readers: speakers, merging, lines, columns, messy files.

Both readers share the cue-text rules (focusshift.formats.cues), so most tests
run over both formats: the `fmt` fixture is "vtt" or "srt", and `captions()`
writes the same cues as either file, with the same line numbers. What only one
format has (WebVTT's header, voice tags in Teams files, NOTE/STYLE blocks;
SubRip's cue text running on across a blank line) is tested for that format.

Fixtures are in tests/data/formats/vtt/ and tests/data/formats/srt/; `cat -n` them to
check the line numbers asserted below. Small edge cases are written inline.
"""

from __future__ import annotations

from dataclasses import dataclass
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


# --------------------------------------------------------------------------- one content, two formats

SEP = {"vtt": ".", "srt": ","}
# What each reader calls a cue, and the speakers it expects, in its errors.
WHAT = {
    "vtt": ("cue", "'<v Name>text' voice tags (Teams) or 'Name: text' (Zoom)"),
    "srt": ("subtitle", "'Name: text' at the start of the subtitle text"),
}
OUTSIDE = "text outside any cue (no 'start --> end' timing line before it); ignored"


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    arrow: str = "-->"  # "->" makes a malformed timing line


def cue(start: float, end: float, *lines: str, arrow: str = "-->") -> Cue:
    return Cue(start, end, lines, arrow)


def stamp(fmt: str, seconds: float) -> str:
    """00:00:01.000 (WebVTT) or 00:00:01,000 (SubRip)."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}".replace(".", SEP[fmt])


def timing(fmt: str, c: Cue) -> str:
    return f"{stamp(fmt, c.start)} {c.arrow} {stamp(fmt, c.end)}"


def captions(fmt: str, *blocks: Cue | str) -> str:
    """The same cues as a WebVTT or a SubRip file, with the same line numbers in both.

    A block is a Cue or a string (lines outside any cue); blocks are separated
    by a blank line. Each cue's number is on the line before its timing (the
    SubRip index, a cue identifier in WebVTT). Where the WebVTT file has its
    'WEBVTT' line and the blank line after it, the SubRip file has two blank lines.
    """
    out = ["WEBVTT", ""] if fmt == "vtt" else ["", ""]
    number = 0
    for block in blocks:
        if isinstance(block, str):
            out += block.split("\n")
        else:
            number += 1
            out += [str(number), timing(fmt, block), *block.lines]
        out.append("")
    return "\n".join(out[:-1]) + "\n"


def read_captions(fmt: str, *blocks: Cue | str, options: ReadOptions | None = LEE) -> Transcript:
    return read_text(captions(fmt, *blocks), f"x.{fmt}", options)


@pytest.fixture(params=["vtt", "srt"])
def fmt(request) -> str:
    return request.param


def test_captions_writes_the_same_cues_in_both_formats():
    blocks = (cue(1, 2.5, "Sam: Hi.", "More."), "stray", cue(3661, 3662, "Dr. Lee: Mm.", arrow="->"))
    assert captions("vtt", *blocks) == src(
        "WEBVTT", "", "1", "00:00:01.000 --> 00:00:02.500", "Sam: Hi.", "More.", "", "stray", "",
        "2", "01:01:01.000 -> 01:01:02.000", "Dr. Lee: Mm.",
    )
    assert captions("srt", *blocks) == src(
        "", "", "1", "00:00:01,000 --> 00:00:02,500", "Sam: Hi.", "More.", "", "stray", "",
        "2", "01:01:01,000 -> 01:01:02,000", "Dr. Lee: Mm.",
    )


# =========================================================================== both formats


def test_consecutive_cues_of_one_speaker_merge_but_another_speaker_in_between_splits_them(fmt):
    t = read_captions(
        fmt,
        cue(1, 2, "Sam: One."),
        cue(2, 3, "Sam: Two."),
        cue(3, 4, "Dr. Lee: Mm."),
        cue(4, 5, "Sam: Three."),
    )
    assert t.format == fmt
    assert summary(t) == [
        ("Sam", "client", "One.\nTwo."),
        ("Dr. Lee", "therapist", "Mm."),
        ("Sam", "client", "Three."),
    ]
    assert [turn.time for turn in t.turns] == [1.0, 3.0, 4.0]
    assert [places(turn) for turn in t.turns] == [[(5, 5), (9, 5)], [(13, 9)], [(17, 5)]]
    assert t.warnings == ()


def test_colon_in_ordinary_speech_is_not_a_speaker_label(fmt):
    t = read_captions(fmt, cue(1, 2, "Sam: I'll be honest."), cue(2, 3, "so here is the thing: I was relieved."))
    assert summary(t) == [("Sam", "client", "I'll be honest.\nso here is the thing: I was relieved.")]
    assert [places(turn) for turn in t.turns] == [[(5, 5), (9, 0)]]


def test_several_voices_on_one_line_and_voice_classes(fmt):
    t = read_captions(
        fmt, cue(1, 4, "<v.first.loud Dr. Lee>Are you with me?</v> <v Sam>Yes.</v>", "<v Dr. Lee>Good.")
    )
    assert summary(t) == [
        ("Dr. Lee", "therapist", "Are you with me?"),
        ("Sam", "client", "Yes."),
        ("Dr. Lee", "therapist", "Good."),
    ]
    assert [places(turn) for turn in t.turns] == [[(5, 22)], [(5, 50)], [(6, 11)]]
    assert [turn.time for turn in t.turns] == [1.0, 1.0, 1.0]


def test_voice_tag_alone_on_a_line_names_the_speaker_of_the_next_line(fmt):
    t = read_captions(fmt, cue(1, 4, "<v Sam>", "I keep replaying it."))
    assert summary(t) == [("Sam", "client", "I keep replaying it.")]
    assert places(t.turns[0]) == [(6, 0)]


def test_unclosed_voice_lasts_to_the_end_of_the_cue_then_speakerless_cues_continue(fmt):
    t = read_captions(
        fmt,
        cue(1, 2, "<v Sam>It was on Friday", "and I went alone."),
        cue(2, 3, "<i>I couldn't face it.</i>"),
        cue(4, 5, "<v Dr. Lee>That sounds hard."),
    )
    assert summary(t) == [
        ("Sam", "client", "It was on Friday\nand I went alone.\nI couldn't face it."),
        ("Dr. Lee", "therapist", "That sounds hard."),
    ]
    assert [places(turn) for turn in t.turns] == [[(5, 7), (6, 0), (10, 3)], [(14, 11)]]
    assert [turn.time for turn in t.turns] == [1.0, 4.0]
    assert t.warnings == ()


def test_a_speakerless_cue_of_only_annotations_is_a_scene_note(fmt):
    t = read_captions(
        fmt,
        cue(1, 2, "Dr. Lee: How are you?"),
        cue(2, 3, "[Sam looks away]"),
        cue(3, 4, "Sam: Fine."),
    )
    assert summary(t) == [
        ("Dr. Lee", "therapist", "How are you?"),
        (None, "client", "[Sam looks away]"),
        ("Sam", "client", "Fine."),
    ]
    assert [turn.is_note for turn in t.turns] == [False, True, False]
    assert [places(turn) for turn in t.turns] == [[(5, 9)], [(9, 0)], [(13, 5)]]


def test_a_line_of_only_spaces_between_cues_ends_the_cue(fmt):
    text = captions(fmt, cue(1, 2, "Sam: Hello."), cue(3, 4, "Dr. Lee: Hi.")).replace("\n\n2\n", "\n   \n2\n")
    assert "\n   \n2\n" in text
    t = read_text(text, f"x.{fmt}", LEE)
    assert summary(t) == [("Sam", "client", "Hello."), ("Dr. Lee", "therapist", "Hi.")]
    assert [places(turn) for turn in t.turns] == [[(5, 5)], [(9, 9)]]
    assert t.warnings == ()


def test_text_before_the_first_cue_is_a_warning(fmt):
    t = read_captions(fmt, "Transcript exported by CaptionTool", cue(1, 2, "Sam: Hi."))
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(7, 5)]
    assert t.warnings == ((3, OUTSIDE),)


def test_a_malformed_timing_line_skips_its_cue_with_a_warning(fmt):
    broken = cue(2, 3, "Sam: This cue is lost.", arrow="->")
    t = read_captions(fmt, cue(1, 2, "Sam: Hello."), broken, cue(3, 4, "Sam: Bye."))
    assert summary(t) == [("Sam", "client", "Hello.\nBye.")]
    assert [places(turn) for turn in t.turns] == [[(5, 5), (13, 5)]]
    assert t.warnings == ((8, bad_timing(timing(fmt, broken), SEP[fmt])),)


def test_empty_file_no_readable_cue_and_no_speakers_are_transcript_errors(fmt):
    what, expected = WHAT[fmt]
    err = read_error((DATA / fmt / f"empty.{fmt}").read_bytes(), f"empty.{fmt}")
    assert (err.line, err.message) == (1, "the file is empty")

    err = read_error((DATA / fmt / f"no_speakers.{fmt}").read_bytes(), f"no_speakers.{fmt}")
    assert (err.path, err.line, err.message) == (
        f"no_speakers.{fmt}",
        {"vtt": 5, "srt": 3}[fmt],  # the first cue's text
        f"no speaker found in any {what}; expected {expected}",
    )

    err = read_error(captions(fmt, "just some words\nwith no cues"), f"words.{fmt}")
    assert (err.line, err.message) == (3, f"no readable {what}s found; {OUTSIDE}")

    broken = cue(1, 2, "Sam: hi", arrow="->")
    err = read_error(captions(fmt, broken), f"arrow.{fmt}")
    assert (err.line, err.message) == (
        4,
        f"no readable {what}s found; " + bad_timing(timing(fmt, broken), SEP[fmt]),
    )


@pytest.mark.parametrize(
    "name, text",
    [
        ("odd.vtt", "WEBVTT\n\n-->\n"),
        ("odd.vtt", "WEBVTT\n\n--> -->\n-->\n"),
        ("odd.vtt", "WEBVTT\n\n00:00 --> \n<v>\n"),
        ("odd.vtt", "WEBVTT\n\n99:99:99.999 --> 00:00:01.000\nSam: hi\n"),
        ("odd.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 line:abc align:nowhere\n<v\n"),
        ("odd.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<<<>>> &bogus; &#99999999;\n"),
        ("odd.vtt", "WEBVTT\rNOTE old mac line ends\r\r00:00:01.000 --> 00:00:02.000\rSam: hi\r"),
        ("odd.srt", "1\n-->\n"),
        ("odd.srt", "1\n00:00:01,000 --> 00:00:02,000\n"),
        ("odd.srt", "1\n99:99:99,999 --> 00:00:01,000\nSam: hi\n"),
        ("odd.srt", "\n\n\n1\n00:00:01,000 --> 00:00:02,000\n<i>\n"),
        ("odd.srt", "1\r00:00:01,000 --> 00:00:02,000\rSam: hi\r"),
    ],
)
def test_odd_input_is_never_a_traceback(name, text):
    try:
        read_text(text, name, LEE)
    except TranscriptError:
        pass


# --------------------------------------------------------------------------- fixture files

# Zoom's "Name: text" captions and a SubRip file with the same kind of session.
LABELLED = {
    "zoom.vtt": dict(
        summary=[
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
        ],
        places=[[(5, 11)], [(9, 6), (10, 0), (14, 0)], [(18, 11)], [(22, 0)], [(30, 6)], [(34, 11)]],
        verbatim=[[True], [True, True, True], [True], [True], [True], [True]],
        times=[2.31, 6.0, 12.0, 15.3, 19.0, 23.5],
        annotations=[
            ("[voice catches]", 18, 11, 26, "therapist"),
            ("[Dr. Reyes wipes her eyes]", 22, 0, 26, "therapist"),  # the scene note (cue 5)
        ],
        # Cue 6 ("->" instead of "-->") is skipped with a warning on its timing line.
        warnings=((25, bad_timing("00:00:16.500 -> 00:00:18.000")),),
    ),
    "session.srt": dict(
        summary=[
            ("DR. REYES", "therapist", "How have you been since we last met?"),
            ("ANNA", "client", "Honestly, not great. [sighs]\nThe scan came back.\nIt's not good."),
            ("DR. REYES", "therapist", "[voice catches] I'm sorry.\nGive me a second."),
            (
                "ANNA",
                "client",
                "Oh no, are you okay? I didn't mean to upset you.\nWe can talk about something else.",
            ),
            ("DR. REYES", "therapist", "Thank you. This is your time."),
        ],
        places=[
            [(3, 11)],
            [(7, 6), (8, 0), (12, 6)],
            [(16, 11), (17, 0)],
            [(21, 12), (25, 0)],  # after "{\an8}ANNA: "; cue 6 has no speaker: it continues Anna
            [(29, 11)],
        ],
        verbatim=[[True], [True, True, False], [True, True], [True, True], [True]],  # "<i>not</i>"
        times=[5.12, 9.0, 16.5, 22.0, 30.0],
        annotations=[("[sighs]", 7, 27, 34, "client"), ("[voice catches]", 16, 11, 26, "therapist")],
        warnings=(),
    ),
}


@pytest.mark.parametrize("name", LABELLED)
def test_name_colon_labels_merged_cues_continuations_and_notes_in_files(name):
    want = LABELLED[name]
    path = DATA / name.rpartition(".")[2] / name
    t = read_file(path, REYES)
    assert t.format == name.rpartition(".")[2]
    assert summary(t) == want["summary"]
    assert [places(turn) for turn in t.turns] == want["places"]
    lines = physical_lines(path)
    assert [verbatim(turn, lines) for turn in t.turns] == want["verbatim"]
    assert [turn.time for turn in t.turns] == want["times"]
    assert [turn.is_note for turn in t.turns] == [s is None for s, _, _ in want["summary"]]
    assert [(a.raw, a.line, a.start, a.end, a.about) for turn in t.turns for a in turn.annotations] == (
        want["annotations"]
    )
    assert t.warnings == want["warnings"]


# Byte-order mark, CRLF line ends, a first cue with nobody to continue, a cue without text,
# malformed timings, a timing written with the other format's separator.
MESSY = {
    "messy_bom_crlf.vtt": dict(
        starts=b"\xef\xbb\xbfWEBVTT",
        summary=[
            ("Dr. Lee", "therapist", "Okay, we're recording.\nShall we start?"),
            ("Sam", "client", "I slept badly again\nthis week, <honestly>."),
        ],
        places=[[(10, 11), (11, 3)], [(22, 7), (26, 14)]],  # <b>, <00:00:10.200>: tags before the text
        verbatim=[[True, False], [True, False]],
        times=[2.0, 8.0],  # 00:00:08,000 (comma, as SRT converters write it) is read as 8 seconds
        warnings=(
            (6, NO_SPEAKER),  # the first cue has no speaker and nobody to continue
            (17, bad_timing("00:00:05.000 --> 00:00:07")),
        ),
    ),
    "messy_bom_crlf.srt": dict(
        starts=b"\xef\xbb\xbf1\r\n",
        summary=[
            ("Dr. Lee", "therapist", "Okay, we're recording.\nShall we start?"),
            ("Sam", "client", "I slept badly again\nthis week."),  # cue 6 follows with no blank line
            ("Dr. Lee", "therapist", "Mm. Go on."),
        ],
        places=[[(7, 9), (8, 0)], [(19, 5), (22, 0)], [(30, 31)]],
        verbatim=[[True, True], [True, True], [False]],  # <font ...> inside the text
        times=[2.0, 8.0, 14.0],  # 00:00:08.000 (dot, as in WebVTT) is read as 8 seconds
        warnings=(
            (3, NO_SPEAKER),
            (14, bad_timing("00:00:05,000 -> 00:00:07,000", ",")),  # between two cues srt could read
            (25, bad_timing("0:12 --> 0:13", ",")),  # swallowed by srt into cue 6's text
        ),
    ),
}


@pytest.mark.parametrize("name", MESSY)
def test_messy_files_with_bom_crlf_bad_timings_and_cues_without_text(name):
    want = MESSY[name]
    path = DATA / name.rpartition(".")[2] / name
    raw = path.read_bytes()
    assert raw.startswith(want["starts"]) and b"\r\n" in raw
    t = read_file(path, LEE)
    assert summary(t) == want["summary"]
    assert [places(turn) for turn in t.turns] == want["places"]
    lines = physical_lines(path)
    first = t.turns[0].pieces[0]
    assert lines[first.line - 1][first.column :] == "Okay, we're recording."  # CR stripped
    assert [verbatim(turn, lines) for turn in t.turns] == want["verbatim"]
    assert [turn.time for turn in t.turns] == want["times"]
    assert t.warnings == want["warnings"]


# =========================================================================== WebVTT only


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


def test_vtt_text_between_cues_is_a_warning():
    t = read_captions("vtt", cue(1, 2, "Sam: Hello."), "a stray paragraph with no timing", cue(3, 4, "Sam: Bye."))
    assert summary(t) == [("Sam", "client", "Hello.\nBye.")]
    assert t.warnings == ((7, OUTSIDE),)


def test_vtt_note_style_region_blocks_header_metadata_and_empty_cues_are_ignored():
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


def test_vtt_blank_lines_before_the_header_are_tolerated_and_a_missing_header_is_a_warning():
    t = read_text(src("", "WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "Sam: Hi."), "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(5, 5)]
    assert t.warnings == ()

    t = read_text(src("1", "00:00:01.000 --> 00:00:02.000", "Sam: Hi."), "x.vtt", LEE)
    assert summary(t) == [("Sam", "client", "Hi.")]
    assert places(t.turns[0]) == [(3, 5)]
    assert t.warnings == ((1, "no 'WEBVTT' header on the first line; read as WebVTT anyway"),)


def test_vtt_header_only_and_a_timing_webvtt_py_rejects_are_transcript_errors():
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


# =========================================================================== SubRip only


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


def test_srt_text_before_the_first_cue_on_the_first_line_is_a_warning():
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
    assert t.warnings == ((1, OUTSIDE),)


# =========================================================================== sniffing

SNIFF = {
    "vtt": ["WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", "\ufeffWEBVTT - Session 3\n"],
    "srt": ["1\n00:00:01,000 --> 00:00:02,000\nSam: hi\n", "\ufeff1\r\n00:00:01,000 --> 00:00:02,000\r\nSam: hi\r\n"],
}
SNIFF_FILES = {"vtt": ["teams.vtt", "messy_bom_crlf.vtt"], "srt": ["session.srt", "messy_bom_crlf.srt"]}
NATIVE = "T: hello\nC: hi\n"


def test_sniffing_each_format_and_never_the_other_or_native(fmt):
    module = {"vtt": vtt_format, "srt": srt_format}[fmt]
    other = "srt" if fmt == "vtt" else "vtt"
    assert all(module.sniff(head, fmt) for head in SNIFF[fmt])
    assert not any(module.sniff(head, fmt) for head in SNIFF[other])
    assert not module.sniff(NATIVE, fmt)
    assert not module.sniff("1\nT: hello\n", fmt)
    for name in SNIFF_FILES[fmt]:
        assert detect_format("upload", (DATA / fmt / name).read_bytes()) == fmt
    assert detect_format("notes.txt", NATIVE.encode()) == "native"


# =========================================================================== end to end


def _events(analysis) -> list[tuple[str, str, int, str]]:
    return [(e.category, e.subtype, e.line, e.text) for e in analysis.events]


END_TO_END = {
    "teams.vtt": (
        [
            ("therapist_emotion", "voice_break", 23, "[voice catches]"),
            ("therapist_emotion", "needs_moment", 24, "Give me a second"),
            ("client_caretaking", "check_in", 32, "are you okay"),
            ("client_caretaking", "withholding", 35, "We can talk about something else"),
        ],
        [(23, (32, 35))],
    ),
    "session.srt": (
        [
            ("therapist_emotion", "voice_break", 16, "[voice catches]"),
            ("therapist_emotion", "needs_moment", 17, "Give me a second"),
            ("client_caretaking", "check_in", 21, "are you okay"),
            ("client_caretaking", "apology", 21, "I didn't mean to upset you"),
        ],
        [(16, (21, 25))],
    ),
}


@pytest.mark.parametrize("name", END_TO_END)
def test_end_to_end_focus_shift(analyzer, name):
    expected, shifts = END_TO_END[name]
    path = DATA / name.rpartition(".")[2] / name
    analysis = analyzer.analyze_transcript(read_file(path, REYES))
    events = _events(analysis)
    for event in expected:
        assert event in events
    lines = physical_lines(path)
    for e in analysis.events:
        assert lines[e.line - 1][e.span[0] : e.span[1]] == e.text
    assert [(s.start_line, s.caretaking_lines) for s in analysis.shifts] == shifts


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
