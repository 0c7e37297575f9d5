"""The transcription-service text reader (Otter, Rev) and the Word (.docx) reader.

Service fixtures live in tests/data/formats/service/; the small inline transcripts
below are written one physical line per list element, so line N is element N-1.

Word documents are built in the tests with python-docx (``make_docx``) so their
content can be read here; paragraph N of the document is line N of the reading.
The one committed .docx besides the equivalence session is
tests/data/formats/docx/truncated.docx: the first 4096 bytes of a two-paragraph
document saved by python-docx, i.e. a download cut short.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, detect_format, read_all
from focusshift.formats import docx as docx_reader
from focusshift.formats import service
from focusshift.model import Transcript

DATA = Path(__file__).parent / "data"
SERVICE = DATA / "formats" / "service"
DOCX = DATA / "formats" / "docx"
EQUIV = DATA / "formats" / "equivalence"

LEE_SAM = ReadOptions(therapist=("Dr. Lee",), client=("Sam",))
SPEAKERS_12 = ReadOptions(therapist=("Speaker 1",), client=("Speaker 2",))


def src(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_service(data: bytes, options: ReadOptions | None = None, path: str = "otter.txt") -> Transcript:
    (t,) = service.read(data, path, options or ReadOptions())
    return t


def summary(t: Transcript) -> list[tuple[str | None, str, str]]:
    return [(turn.speaker, turn.role, turn.text) for turn in t.turns]


def placed(t: Transcript) -> list[list[tuple[int, int]]]:
    """(line, column) of every piece of every turn."""
    return [[(p.line, p.column) for p in turn.pieces] for turn in t.turns]


def annotations(t: Transcript) -> list[tuple[int, int, int, str, str | None]]:
    return [(a.line, a.start, a.end, a.raw, a.about) for turn in t.turns for a in turn.annotations]


def assert_verbatim(t: Transcript, data: bytes) -> None:
    """Every piece and annotation points at its text in the source line."""
    lines = data.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    for turn in t.turns:
        for piece, part in zip(turn.pieces, turn.text.split("\n")):
            assert lines[piece.line - 1][piece.column :].rstrip() == part
        for a in turn.annotations:
            assert lines[a.line - 1][a.start : a.end] == a.raw


# =========================================================================== service: Otter


def test_otter_fixture_reads_turns_lines_times_and_warnings():
    data = (SERVICE / "otter_grief_session.txt").read_bytes()
    t = read_service(data, LEE_SAM, "otter_grief_session.txt")
    assert t.format == "service"
    assert t.meta == {"therapist": ["Dr. Lee"], "client": ["Sam"]}
    assert summary(t) == [
        ("Dr. Lee", "therapist", "Hi Sam, come in. How have things been since last week?"),
        ("Sam", "client", "Not great. [sighs] The funeral was on Friday.\nI keep replaying it, over and over."),
        ("Dr. Lee", "therapist", "[voice breaks] I'm so sorry. Give me a second."),
        ("Sam", "client", "Oh no, are you okay? I didn't mean to upset you."),
        ("Sam", "client", "We can talk about something else if you want."),
        ("Dr. Lee", "therapist", "Thank you, I'm alright. This is your time.\nTell me about Friday."),
        (None, "therapist", "[Dr. Lee takes a breath]"),
        ("Sam", "client", "I stood at the back (crying) because I couldn't face the front row."),
        ("Dr. Lee", "therapist", "We'll stop there for today."),
        ("Sam", "client", "Okay. Thank you."),
    ]
    assert placed(t) == [
        [(5, 0)], [(8, 0), (9, 0)], [(12, 0)], [(15, 0)], [(20, 0)],
        [(23, 0), (25, 0)], [(24, 0)], [(28, 0)], [(31, 0)], [(34, 0)],
    ]  # fmt: skip
    # 0:03 is M:SS, 1:01:58 is H:MM:SS; the scene note has no time of its own
    assert [turn.time for turn in t.turns] == [3.0, 9.0, 21.0, 27.0, 35.0, 41.0, None, 52.0, 3718.0, 3724.0]
    assert [turn.is_note for turn in t.turns] == [False] * 6 + [True] + [False] * 3
    assert annotations(t) == [
        (8, 11, 18, "[sighs]", "client"),
        (12, 0, 14, "[voice breaks]", "therapist"),
        (24, 0, 24, "[Dr. Lee takes a breath]", "therapist"),
        (28, 20, 28, "(crying)", "client"),
    ]
    assert t.warnings == (
        (1, "text before the first speaker header (a title line?); ignored"),
        (2, "text before the first speaker header (a title line?); ignored"),
        (17, "speaker header for 'Speaker 3' has no text under it; ignored"),
        (36, "'Transcribed by otter.ai' footer; ignored"),
    )
    assert [(s.index, s.start_line, s.end_line, s.turns) for s in t.segments] == [
        (1, 5, 34, tuple(range(10)))
    ]
    assert_verbatim(t, data)


def test_otter_timestamp_forms():
    t = read_service(
        src(
            "T  00:01:23",
            "Hello.",
            "",
            "C  1:02:03",
            "Hi.",
            "",
            "T\t12:05",
            "Tab-separated header.",
            "",
            "C      0:07",
            "Many spaces.",
        )
    )
    assert [(turn.speaker, turn.role, turn.time) for turn in t.turns] == [
        ("T", "therapist", 83.0),
        ("C", "client", 3723.0),
        ("T", "therapist", 725.0),
        ("C", "client", 7.0),
    ]
    assert t.warnings == ()


def test_one_space_before_the_time_is_text_not_a_header():
    t = read_service(src("Sam  0:01", "We met at 10:30", "Sam 0:05", "still Sam"), LEE_SAM)
    assert summary(t) == [("Sam", "client", "We met at 10:30\nSam 0:05\nstill Sam")]


def test_turns_of_one_speaker_are_not_merged():
    t = read_service(src("Sam  0:01", "First block.", "", "Sam  0:04", "Second block.", "Sam  0:09", "Third."), LEE_SAM)
    assert summary(t) == [
        ("Sam", "client", "First block."),
        ("Sam", "client", "Second block."),
        ("Sam", "client", "Third."),
    ]
    assert placed(t) == [[(2, 0)], [(5, 0)], [(7, 0)]]


def test_second_paragraph_after_a_blank_line_continues_the_turn():
    t = read_service(
        src("Dr. Lee  0:01", "  First paragraph.", "", "Second paragraph.", "", "Sam  0:30", "Yes."), LEE_SAM
    )
    assert summary(t) == [
        ("Dr. Lee", "therapist", "First paragraph.\nSecond paragraph."),
        ("Sam", "client", "Yes."),
    ]
    assert placed(t) == [[(2, 2), (4, 0)], [(7, 0)]]


def test_annotation_only_first_line_is_the_speakers_later_ones_are_scene_notes():
    t = read_service(
        src(
            "Dr. Lee  0:01",
            "[long pause]",
            "I'm sorry, that landed.",
            "[she wipes her eyes]",
            "Go on.",
            "",
            "Sam  0:09",
            "((laughs)) Okay.",
        ),
        LEE_SAM,
    )
    assert summary(t) == [
        ("Dr. Lee", "therapist", "[long pause]\nI'm sorry, that landed.\nGo on."),
        (None, "unknown", "[she wipes her eyes]"),  # names nobody: unattributed, as in native text
        ("Sam", "client", "((laughs)) Okay."),
    ]
    assert placed(t) == [[(2, 0), (3, 0), (5, 0)], [(4, 0)], [(8, 0)]]
    assert annotations(t) == [
        (2, 0, 12, "[long pause]", "therapist"),
        (4, 0, 20, "[she wipes her eyes]", None),
        (8, 0, 10, "((laughs))", "client"),
    ]


def test_titled_speaker_is_the_therapist_and_the_other_party_the_client():
    data = (SERVICE / "otter_grief_session.txt").read_bytes()
    t = read_service(data)
    assert {(turn.speaker, turn.role) for turn in t.turns if not turn.is_note} == {
        ("Dr. Lee", "therapist"), ("Sam", "client")}
    assert [(s.label, s.role, s.role_source) for s in t.speakers] == [
        ("Dr. Lee", "therapist", "label"), ("Sam", "client", "label")]
    assert t.meta == {"therapist": [], "client": []}
    assert t.warnings == (
        (1, "text before the first speaker header (a title line?); ignored"),
        (2, "text before the first speaker header (a title line?); ignored"),
        (17, "speaker header for 'Speaker 3' has no text under it; ignored"),
        (36, "'Transcribed by otter.ai' footer; ignored"),
    )


def test_speakers_without_roles_are_unknown_and_warned_once_each_without_inference():
    data = (SERVICE / "otter_grief_session.txt").read_bytes().replace(b"Dr. Lee", b"Lee")
    t = read_service(data, ReadOptions(infer_roles=False))
    assert {turn.role for turn in t.turns if not turn.is_note} == {"unknown"}
    assert [(w[0], w[1].split(" (")[0]) for w in t.warnings if "has no role" in w[1]] == [
        (5, "speaker 'Lee' has no role"), (8, "speaker 'Sam' has no role")]


# =========================================================================== service: Rev


def test_rev_fixture_same_line_and_next_line_text_and_bracket_variant():
    data = (SERVICE / "rev_session.txt").read_bytes()
    t = read_service(data, SPEAKERS_12, "rev_session.txt")
    assert summary(t) == [
        ("Speaker 1", "therapist", "Thanks for coming in. Where would you like to start today?"),
        (
            "Speaker 2",
            "client",
            "Work, I guess. My manager moved the deadline again (laughs) so that's fun.\n"
            "And my dad's scan results came back.",
        ),
        ("Speaker 1", "therapist", "[crosstalk]"),
        ("Speaker 2", "client", "Sorry, go ahead."),
        ("Speaker 1", "therapist", "No, please. [voice cracks] Sorry. My own father... give me a moment."),
        ("Speaker 2", "client", "Are you alright? We don't have to talk about this."),
        ("Speaker 1", "therapist", "I'm okay, thank you. This is your hour. What did the scan show?"),
        ("Speaker 2", "client", "It's spread. [crying] They said months, maybe."),
    ]
    # same-line text starts after "Speaker 1 (00:00:04): " (22 characters)
    assert placed(t) == [[(1, 22)], [(4, 0), (5, 0)], [(8, 0)], [(10, 22)], [(12, 22)], [(15, 0)], [(18, 0)], [(21, 0)]]
    # (01:02) is MM:SS
    assert [turn.time for turn in t.turns] == [4.0, 9.0, 21.0, 22.0, 24.0, 33.0, 40.0, 62.0]
    assert annotations(t) == [
        (4, 51, 59, "(laughs)", "client"),
        (8, 0, 11, "[crosstalk]", "therapist"),
        (12, 34, 48, "[voice cracks]", "therapist"),
        (21, 13, 21, "[crying]", "client"),
    ]
    assert t.warnings == ()
    assert_verbatim(t, data)


def test_rev_names_with_titles_and_hours():
    t = read_service(
        src(
            "Dr. Lee (01:02): How are you?",
            "Sam (00:01:05):    Fine.",
            "Unknown Speaker [1:00:00]:",
            "Hello?",
        ),
        LEE_SAM,
    )
    assert [(turn.speaker, turn.role, turn.time, turn.text) for turn in t.turns] == [
        ("Dr. Lee", "therapist", 62.0, "How are you?"),
        ("Sam", "client", 65.0, "Fine."),
        ("Unknown Speaker", "unknown", 3600.0, "Hello?"),
    ]
    assert placed(t) == [[(1, 17)], [(2, 19)], [(4, 0)]]


def test_bom_and_crlf():
    data = b"\xef\xbb\xbf" + "\r\n".join(
        ["Speaker 1 (00:00:01): Hi there.", "", "Speaker 2 (00:00:03):", "Hello [laughs]", "more", ""]
    ).encode("utf-8")
    t = read_service(data, SPEAKERS_12)
    assert summary(t) == [
        ("Speaker 1", "therapist", "Hi there."),
        ("Speaker 2", "client", "Hello [laughs]\nmore"),
    ]
    assert placed(t) == [[(1, 22)], [(4, 0), (5, 0)]]
    assert annotations(t) == [(4, 6, 14, "[laughs]", "client")]
    assert t.warnings == ()
    assert_verbatim(t, data)


def test_header_with_no_text_under_it_is_a_warning():
    t = read_service(
        src("Speaker 1 (00:00:01):", "", "Speaker 2 (00:00:02): Hi.", "Speaker 1 (00:00:05):"), SPEAKERS_12
    )
    assert summary(t) == [("Speaker 2", "client", "Hi.")]
    assert t.warnings == (
        (1, "speaker header for 'Speaker 1' has no text under it; ignored"),
        (4, "speaker header for 'Speaker 1' has no text under it; ignored"),
    )


def test_text_before_the_first_header_is_a_warning_but_a_scene_note_is_kept():
    t = read_service(
        src("Intake call", "[recording starts]", "", "T  0:00", "Hello."), ReadOptions()
    )
    assert summary(t) == [(None, "unknown", "[recording starts]"), ("T", "therapist", "Hello.")]
    assert t.warnings == ((1, "text before the first speaker header (a title line?); ignored"),)


def test_footer_without_a_blank_line_is_not_part_of_the_turn():
    t = read_service(src("T  0:00", "Bye now.", "Transcribed by https://otter.ai"))
    assert summary(t) == [("T", "therapist", "Bye now.")]
    assert t.warnings == ((3, "'Transcribed by otter.ai' footer; ignored"),)


def test_native_label_lines_inside_a_block_stay_text():
    t = read_service(src("Sam  0:01", "She said: stop it.", "Mum: no."), LEE_SAM)
    assert summary(t) == [("Sam", "client", "She said: stop it.\nMum: no.")]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", 1, "the file is empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", 1, "the file is empty"),
        (src("Team sync", "Transcribed by https://otter.ai"), 1, "no speaker turns found"),
        (src("Sam  0:01", "", "Dr. Lee  0:02"), 1, "no speaker turns found"),
        (b"Sam  0:01\n\xff\xfe\n", 2, "invalid UTF-8"),
    ],
)
def test_nothing_usable_is_a_located_transcript_error(data, line, message):
    with pytest.raises(TranscriptError) as info:
        read_service(data, path="broken.txt")
    assert info.value.path == "broken.txt"
    assert info.value.line == line
    assert info.value.message.startswith(message)


# =========================================================================== service: sniffing


def test_service_fixtures_sniff_as_service():
    for name in ("otter_grief_session.txt", "rev_session.txt"):
        data = (SERVICE / name).read_bytes()
        assert service.sniff(data.decode("utf-8"), name)
        assert detect_format(name, data) == "service"
    for name in ("session.otter.txt", "session.rev.txt"):
        assert detect_format(name, (EQUIV / name).read_bytes()) == "service"


@pytest.mark.parametrize(
    "head",
    [
        "T: hello\nC: hi\n",
        "Sam  0:01\nHello.\n",  # one header is not enough
        "Speaker 1 (00:01): Hi.\nSpeaker 2 (00:02): Hi.\nT: hello\nC: hi\n",  # native lines not rare
        "@therapist: Dr. Lee\nSam  0:01\nHi.\nDr. Lee  0:03\nHello.\n",
        "[00:00:05] Dr. Reyes: How are you?\n(00:09) Anna: Fine, at 10:30  12:00\n",
    ],
)
def test_sniff_is_strict(head):
    assert not service.sniff(head, "x.txt")


def test_native_transcripts_never_sniff_as_service():
    natives = [
        *sorted((DATA / "devset").rglob("*.txt")),
        *sorted((DATA / "reader").glob("*.txt")),
        *sorted((DATA.parent.parent / "sample_transcripts").glob("*.txt")),
        EQUIV / "session.txt",
    ]
    assert len(natives) > 10
    for path in natives:
        head = path.read_bytes()[:8192].decode("utf-8", errors="replace")
        assert not service.sniff(head, path.name), path.name


# =========================================================================== docx


def make_docx(tmp_path: Path, *blocks: str | list[list[str]], name: str = "session.docx") -> Path:
    """A Word document: a str is a paragraph, a list of rows is a table."""
    document = python_docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, values in zip(table.rows, block):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    path = tmp_path / name
    document.save(path)
    return path


def read_docx(path: Path, options: ReadOptions | None = None) -> Transcript:
    (t,) = docx_reader.read(path.read_bytes(), str(path), options or ReadOptions())
    return t


def test_docx_paragraphs_are_native_lines_counting_empty_paragraphs(tmp_path):
    path = make_docx(
        tmp_path,
        "@therapist: Dr. Lee",
        "@client: Sam",
        "",
        "## Opening",
        "Dr. Lee: How are you?",
        "",
        "",
        "Sam: Not great. [sighs]",
        "It's been a week.",
        "[Dr. Lee nods]",
        "Someone: who is this?",
    )
    t = read_docx(path)
    assert t.format == "docx"
    assert t.path == str(path)
    assert t.meta == {"therapist": ["Dr. Lee"], "client": ["Sam"]}
    assert summary(t) == [
        ("Dr. Lee", "therapist", "How are you?"),
        ("Sam", "client", "Not great. [sighs]\nIt's been a week."),
        (None, "therapist", "[Dr. Lee nods]"),
        ("Someone", "unknown", "who is this?"),
    ]
    assert placed(t) == [[(5, 9)], [(8, 5), (9, 0)], [(10, 0)], [(11, 9)]]
    assert annotations(t) == [(8, 16, 23, "[sighs]", "client"), (10, 0, 14, "[Dr. Lee nods]", "therapist")]
    assert [(s.title, s.heading_line, s.start_line, s.end_line) for s in t.segments] == [("Opening", 4, 4, 11)]
    assert t.warnings == ((11, "speaker 'Someone' has no role (too little speech to infer a role (1 turn(s), "
                               "3 words)); give it one with --therapist/--client or --role LABEL=ROLE"),)


def test_docx_soft_line_break_keeps_one_paragraph_one_line(tmp_path):
    document = python_docx.Document()
    document.add_paragraph("T: How was it?")
    paragraph = document.add_paragraph("C: Hard.")
    paragraph.add_run().add_break()
    paragraph.add_run("Really hard.")
    document.add_paragraph("T: I hear you.")
    path = tmp_path / "breaks.docx"
    document.save(path)
    t = read_docx(path)
    assert summary(t) == [
        ("T", "therapist", "How was it?"),
        ("C", "client", "Hard. Really hard."),
        ("T", "therapist", "I hear you."),
    ]
    assert placed(t) == [[(1, 3)], [(2, 3)], [(3, 3)]]


def test_docx_two_column_table_rows_are_speaker_text_lines(tmp_path):
    path = make_docx(
        tmp_path,
        "@therapist: Dr. Lee",  # line 1
        [
            ["Speaker", "Text"],  # line 2: a header row, skipped
            ["Dr. Lee", "[voice breaks] Give me a second."],  # 3
            ["Sam:", "Oh no, are you okay?"],  # 4: a trailing colon in the cell is dropped
            ["", "I didn't mean to upset you."],  # 5: no speaker: continues the turn
            ["Sam", ""],  # 6: no text
            ["", ""],  # 7: empty row
        ],
        "Dr. Lee: Thank you. This is your time.",  # line 8
    )
    t = read_docx(path, ReadOptions(client=("Sam",)))
    assert summary(t) == [
        ("Dr. Lee", "therapist", "[voice breaks] Give me a second."),
        ("Sam", "client", "Oh no, are you okay?\nI didn't mean to upset you."),
        ("Dr. Lee", "therapist", "Thank you. This is your time."),
    ]
    # columns in a row are positions in the built line "speaker: text"
    assert placed(t) == [[(3, 9)], [(4, 5), (5, 0)], [(8, 9)]]
    assert annotations(t) == [(3, 9, 23, "[voice breaks]", "therapist")]
    assert t.warnings == (
        (2, "table header row 'Speaker' | 'Text' skipped"),
        (6, "table row for 'Sam' has no text; skipped"),
    )


def test_docx_table_with_other_column_counts_is_skipped_with_a_warning(tmp_path):
    path = make_docx(
        tmp_path,
        "T: Before the table.",
        [["00:01", "T", "Hello"], ["00:02", "C", "Hi"]],
        "C: After the table.",
    )
    t = read_docx(path)
    assert summary(t) == [("T", "therapist", "Before the table."), ("C", "client", "After the table.")]
    # the two skipped rows still take lines 2 and 3
    assert placed(t) == [[(1, 3)], [(4, 3)]]
    assert t.warnings == (
        (2, "table with 3 columns skipped; only two-column (speaker, text) tables are read"),
    )


def test_truncated_docx_fixture_is_a_transcript_error():
    path = DOCX / "truncated.docx"
    data = path.read_bytes()
    assert detect_format(str(path), data) == "docx"
    with pytest.raises(TranscriptError) as info:
        read_all(data, str(path))
    assert info.value.path == str(path)
    assert info.value.line is None
    assert info.value.message == (
        "not a readable Word document: not a zip archive, or a damaged or truncated one; "
        "open it in Word and save it again as .docx"
    )


def _zip(**parts: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _as_spreadsheet(tmp_path: Path) -> bytes:
    """A real .docx whose content type says spreadsheet (an .xlsx renamed, in effect)."""
    source = zipfile.ZipFile(make_docx(tmp_path, "T: hi"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in source.namelist():
            content = source.read(name)
            if name == "[Content_Types].xml":
                content = content.replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
            z.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: b"T: hello\nC: hi\n", "not a zip archive, or a damaged or truncated one"),
        (lambda tmp: b"PK\x03\x04" + b"\x00" * 40, "not a zip archive, or a damaged or truncated one"),
        (lambda tmp: _zip(**{"notes.txt": b"T: hi"}), "a zip archive without the parts of a Word document"),
        (
            _as_spreadsheet,
            "an Office file of another kind "
            "(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml)",
        ),
    ],
)
def test_corrupt_docx_is_a_transcript_error(tmp_path, make, reason):
    with pytest.raises(TranscriptError) as info:
        docx_reader.read(make(tmp_path), "notes.docx", ReadOptions())
    assert (info.value.path, info.value.line) == ("notes.docx", None)
    assert info.value.message == f"not a readable Word document: {reason}; open it in Word and save it again as .docx"


def test_old_doc_file_is_a_transcript_error():
    with pytest.raises(TranscriptError) as info:
        docx_reader.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.docx", ReadOptions())
    assert info.value.message == "not a readable Word document: this is an old .doc file; save it as .docx"


def test_docx_without_turns_is_a_located_transcript_error(tmp_path):
    path = make_docx(tmp_path, "", "Session notes", "", "Client was late.")
    with pytest.raises(TranscriptError) as info:
        read_docx(path)
    assert info.value.line == 2
    assert info.value.message.startswith("no speaker turns found")


def test_empty_docx_is_a_transcript_error(tmp_path):
    with pytest.raises(TranscriptError) as info:
        read_docx(make_docx(tmp_path))
    assert info.value.message.startswith("no speaker turns found")


def test_docx_detection_and_sniff(tmp_path):
    data = make_docx(tmp_path, "T: hi").read_bytes()
    assert detect_format("upload.docx", data) == "docx"
    assert detect_format("upload.txt", data) == "docx"  # the PK zip magic
    assert detect_format("-", data) == "docx"
    assert docx_reader.sniff("T: hi\nC: hello\n", "x") is False


# =========================================================================== end to end


def test_end_to_end_otter_focus_shift(analyzer):
    path = SERVICE / "otter_grief_session.txt"
    (t,) = read_all(path.read_bytes(), str(path), LEE_SAM)
    assert t.format == "service"
    analysis = analyzer.analyze_transcript(t)
    found = {(e.category, e.line, e.text) for e in analysis.events}
    assert ("therapist_emotion", 12, "[voice breaks]") in found
    assert ("client_caretaking", 15, "are you okay") in found
    assert ("client_caretaking", 20, "We can talk about something else") in found
    (shift,) = analysis.shifts
    assert (shift.start_line, shift.caretaking_lines) == (12, (15, 20))


def test_end_to_end_rev_focus_shift(analyzer):
    path = SERVICE / "rev_session.txt"
    (t,) = read_all(path.read_bytes(), str(path), SPEAKERS_12)
    analysis = analyzer.analyze_transcript(t)
    found = {(e.category, e.line, e.span, e.text) for e in analysis.events}
    assert ("therapist_emotion", 12, (34, 48), "[voice cracks]") in found
    assert ("client_caretaking", 15, (0, 15), "Are you alright") in found
    (shift,) = analysis.shifts
    assert (shift.start_line, shift.caretaking_lines) == (12, (15,))


def test_end_to_end_docx_focus_shift(analyzer, tmp_path):
    path = make_docx(
        tmp_path,
        "@therapist: Dr. Lee",
        "@client: Sam",
        "",
        "Sam: The scan came back and it's not good.",
        "Dr. Lee: [crying] Oh, Sam. Give me a moment.",
        "",
        "Sam: Oh no, are you okay? I'm sorry, I didn't mean to upset you.",
    )
    (t,) = read_all(path.read_bytes(), str(path))
    assert t.format == "docx"
    analysis = analyzer.analyze_transcript(t)
    found = {(e.category, e.line, e.text) for e in analysis.events}
    assert ("therapist_emotion", 5, "[crying]") in found
    assert ("client_caretaking", 7, "are you okay") in found


# =========================================================================== equivalence


def _events(analysis) -> list[tuple[str, str, str]]:
    return [(e.category, e.subtype, e.text) for e in analysis.events]


def test_equivalence_fixtures_give_the_same_events_and_score(analyzer):
    native = analyzer.analyze_transcript(read_all((EQUIV / "session.txt").read_bytes(), "session.txt")[0])
    assert native.shifts
    for name in ("session.otter.txt", "session.rev.txt", "session.docx"):
        (t,) = read_all((EQUIV / name).read_bytes(), name, LEE_SAM)
        analysis = analyzer.analyze_transcript(t)
        assert _events(analysis) == _events(native), name
        assert analysis.score == native.score, name
        assert [turn.speaker for turn in t.turns] == [turn.speaker for turn in native.transcript.turns]


def test_equivalence_docx_has_the_lines_of_session_txt():
    """session.docx is make_docx.py's output: paragraph N is line N of session.txt."""
    paragraphs = [p.text for p in python_docx.Document(str(EQUIV / "session.docx")).paragraphs]
    assert paragraphs == (EQUIV / "session.txt").read_text("utf-8").splitlines()
    native = read_all((EQUIV / "session.txt").read_bytes(), "session.txt")[0]
    (t,) = read_all((EQUIV / "session.docx").read_bytes(), "session.docx")
    assert placed(t) == placed(native)
    assert summary(t) == summary(native)


# =========================================================================== robustness

_SERVICE_FRAGMENTS = [
    "Speaker 1", "Dr. Lee", "Sam", "T", "  ", " ", "\t", "0:05", "1:02:03", "00:00:05", "(00:01:02)",
    "[00:05]", "(", ")", "[", "]", ":", "[crying]", "(laughs)", "((sighs))", "Transcribed by https://otter.ai",
    "hello", "\r", "\ufeff", "\u2028", "@therapist: Sam", "## x",
]  # fmt: skip
_service_line = st.lists(
    st.one_of(st.sampled_from(_SERVICE_FRAGMENTS), st.text(max_size=3)), max_size=5
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(_service_line, max_size=20), crlf=st.booleans())
def test_service_reader_returns_well_formed_transcripts_or_transcript_errors(lines, crlf):
    data = ("\r\n" if crlf else "\n").join(lines).encode("utf-8", "surrogatepass")
    try:
        t = read_service(data, LEE_SAM, "fuzz.txt")
    except TranscriptError as exc:
        assert exc.path == "fuzz.txt" and exc.message
        return
    source = data.decode("utf-8-sig").split("\n")
    source = [ln[:-1] if ln.endswith("\r") else ln for ln in source]
    seen = set()
    for turn in t.turns:
        for piece, part in zip(turn.pieces, turn.text.split("\n"), strict=True):
            assert piece.line not in seen
            seen.add(piece.line)
            assert source[piece.line - 1][piece.column :].rstrip() == part
            assert part.strip()
        for a in turn.annotations:
            assert source[a.line - 1][a.start : a.end] == a.raw
    assert any(not turn.is_note for turn in t.turns)
    assert all(line is None or 1 <= line <= len(source) for line, _ in t.warnings)
