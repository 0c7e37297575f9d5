"""The native transcript reader against docs/transcript-format.md, one rule per test.

Every transcript is written inline so that the line numbers asserted below can be
checked by eye: line N of the source is element N-1 of the joined list.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from focusshift.errors import TranscriptError
from focusshift.formats import ReadOptions, read_bytes, read_path
from focusshift.model import Transcript, Turn

DATA = Path(__file__).parent / "data" / "reader"


def read(text: str | bytes, path: str = "session.txt", **options) -> Transcript:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_bytes(data, path, ReadOptions(**options) if options else None)


def src(*lines: str) -> str:
    """Join physical lines with LF and a final newline."""
    return "\n".join(lines) + "\n"


def speaking(t: Transcript) -> list[Turn]:
    return [turn for turn in t.turns if not turn.is_note]


def summary(t: Transcript) -> list[tuple[str | None, str, str]]:
    return [(turn.speaker, turn.role, turn.text) for turn in t.turns]


def lines_of(turn: Turn) -> list[int]:
    return [p.line for p in turn.pieces]


def read_error(text: str | bytes, path: str = "session.txt", **options) -> TranscriptError:
    with pytest.raises(TranscriptError) as info:
        read(text, path, **options)
    return info.value


# --------------------------------------------------------------------------- the doc example


def test_contract_example_file_reads_as_documented():
    t = read_path(DATA / "contract_example.txt")
    assert t.path == str(DATA / "contract_example.txt")
    assert t.format == "native"
    assert t.meta == {"title": "Session 12", "therapist": ["Dr. Reyes"], "client": ["Anna"]}
    assert summary(t) == [
        ("Dr. Reyes", "therapist", "How have you been since we last met?"),
        ("Anna", "client", "Honestly, not great. [sighs] The scan came back."),
        ("Dr. Reyes", "therapist", "[voice catches] I'm sorry. Give me a second."),
        (None, "therapist", "[Dr. Reyes wipes her eyes.]"),
        (
            "Anna",
            "client",
            "Oh no, are you okay? I didn't mean to upset you.\n"
            "It's fine, really. We can talk about something else.",
        ),
        ("T", "therapist", "Let's look at the thought record."),
        ("C", "client", "Sure."),
    ]
    assert [lines_of(turn) for turn in t.turns] == [[6], [7], [8], [9], [10, 11], [14], [15]]
    assert [turn.time for turn in t.turns] == [5.0, 9.0, None, None, None, None, None]
    assert [turn.index for turn in t.turns] == [0, 1, 2, 3, 4, 5, 6]
    assert [(s.index, s.title, s.start_line, s.end_line, s.turns) for s in t.segments] == [
        (1, "Opening", 5, 11, (0, 1, 2, 3, 4)),
        (2, "Homework", 13, 15, (5, 6)),
    ]
    assert t.warnings == ()


# --------------------------------------------------------------------------- header


def test_header_title_and_other_keys_are_metadata():
    t = read(src("@title: Session 12", "@date: 2024-03-01", "@session: 7", "T: Hello."))
    assert t.meta == {
        "title": "Session 12",
        "date": "2024-03-01",
        "session": "7",
        "therapist": [],
        "client": [],
    }


def test_header_keys_are_case_insensitive_and_values_trimmed():
    t = read(src("@Title:   Intake  ", "T: Hello."))
    assert t.meta["title"] == "Intake"


def test_header_therapist_declares_role():
    t = read(src("@therapist: Dr. Reyes", "Dr. Reyes: How are you?"))
    assert t.meta["therapist"] == ["Dr. Reyes"]
    assert summary(t) == [("Dr. Reyes", "therapist", "How are you?")]


def test_header_client_declares_role():
    t = read(src("@client: Anna", "T: Hi.", "Anna: Hello."))
    assert t.meta["client"] == ["Anna"]
    assert t.turns[1].role == "client"


def test_header_comma_separated_names_all_map():
    t = read(
        src(
            "@therapist: Dr. Reyes, Sam ,  Lee",
            "@client: Anna,Bob",
            "Dr. Reyes: one",
            "Sam: two",
            "Lee: three",
            "Anna: four",
            "Bob: five",
        )
    )
    assert t.meta["therapist"] == ["Dr. Reyes", "Sam", "Lee"]
    assert t.meta["client"] == ["Anna", "Bob"]
    assert [turn.role for turn in t.turns] == [
        "therapist",
        "therapist",
        "therapist",
        "client",
        "client",
    ]
    assert t.warnings == ()


def test_header_repeated_role_key_accumulates_names():
    t = read(src("@client: Anna", "@client: Bob", "Bob: hi"))
    assert t.meta["client"] == ["Anna", "Bob"]
    assert t.turns[0].role == "client"


def test_header_lines_count_in_line_numbers():
    t = read(src("@title: X", "@therapist: Dr. Reyes", "", "Dr. Reyes: Hello."))
    assert lines_of(t.turns[0]) == [4]


def test_header_line_after_transcript_start_is_ignored_with_warning():
    t = read(src("T: Hello.", "@client: Bob", "Bob: Hi."))
    assert t.meta["client"] == []
    # not from the late header: Bob is the other party of a two-party session whose T is the therapist
    assert t.turns[1].role == "client"
    assert t.speakers[1].role_source == "label"
    assert "two-party" in t.speakers[1].evidence
    assert (2, "header line after the transcript has started; ignored") in t.warnings
    assert len(t.turns) == 2


def test_meta_has_empty_role_lists_without_header():
    t = read(src("T: Hello.", "C: Hi."))
    assert t.meta == {"therapist": [], "client": []}


# --------------------------------------------------------------------------- headings


def test_heading_titles_and_start_lines():
    t = read(src("## Opening", "T: a", "C: b", "", "## Homework  ", "T: c"))
    assert [(s.index, s.title, s.start_line, s.heading_line) for s in t.segments] == [
        (1, "Opening", 1, 1),
        (2, "Homework", 5, 5),
    ]
    assert [s.turns for s in t.segments] == [(0, 1), (2,)]
    assert [s.end_line for s in t.segments] == [3, 6]


def test_turns_before_first_heading_form_untitled_segment():
    t = read(src("T: a", "C: b", "## Middle", "T: c"))
    first, second = t.segments
    assert (first.index, first.title, first.heading_line) == (1, None, None)
    assert (first.start_line, first.end_line, first.turns) == (1, 2, (0, 1))
    assert (second.index, second.title, second.start_line, second.turns) == (2, "Middle", 3, (2,))


def test_no_untitled_segment_when_file_starts_with_heading():
    t = read(src("@title: X", "## Start", "T: a"))
    assert [s.title for s in t.segments] == ["Start"]
    assert t.segments[0].start_line == 2


def test_empty_heading_section_is_kept():
    t = read(src("## A", "T: x", "## B", "## C", "C: y"))
    assert [(s.title, s.start_line, s.end_line, s.turns) for s in t.segments] == [
        ("A", 1, 2, (0,)),
        ("B", 3, 3, ()),
        ("C", 4, 5, (1,)),
    ]


def test_heading_closes_the_previous_turn():
    t = read(src("T: a", "## Next", "C: b"))
    assert summary(t) == [("T", "therapist", "a"), ("C", "client", "b")]
    assert lines_of(t.turns[0]) == [1]


def test_hash_without_space_is_not_a_heading():
    t = read(src("T: a", "##not a heading", "C: b"))
    assert len(t.segments) == 1
    assert t.segments[0].title is None
    assert t.turns[0].text == "a\n##not a heading"


def test_text_after_heading_without_label_is_not_merged_into_previous_section():
    t = read(src("T: hi", "## A", "continued", "C: ok"))
    assert summary(t) == [("T", "therapist", "hi"), ("C", "client", "ok")]
    assert [w[0] for w in t.warnings] == [3]


def test_heading_with_empty_title_opens_segment():
    t = read(src("T: hi", "## ", "C: ok"))
    assert t.turns[0].text == "hi"
    assert [s.heading_line for s in t.segments][-1] == 2


# --------------------------------------------------------------------------- segmentation rules


def _ten_turns() -> str:
    return src(*[f"{'T' if i % 2 == 0 else 'C'}: turn {i}" for i in range(10)])


def test_default_segmentation_is_twenty_turns():
    t = read(src(*[f"{'T' if i % 2 == 0 else 'C'}: t{i}" for i in range(45)]))
    assert [len(s.turns) for s in t.segments] == [20, 20, 5]
    assert [s.index for s in t.segments] == [1, 2, 3]
    assert all(s.title is None and s.heading_line is None for s in t.segments)


def test_segment_by_turns():
    t = read(_ten_turns(), segment_by="turns:4")
    assert [s.turns for s in t.segments] == [(0, 1, 2, 3), (4, 5, 6, 7), (8, 9)]
    assert [(s.start_line, s.end_line) for s in t.segments] == [(1, 4), (5, 8), (9, 10)]


def test_segment_by_turns_keeps_scene_note_with_previous_turn():
    t = read(src("T: a", "C: b", "[sighs]", "T: c", "C: d", "T: e"), segment_by="turns:2")
    assert [s.turns for s in t.segments] == [(0, 1, 2), (3, 4), (5,)]
    assert t.segments[0].end_line == 3


def test_segment_end_line_covers_turn_continued_after_scene_note():
    t = read(src("C: oh no", "[sighs]", "It's fine.", "T: ok"), segment_by="turns:1")
    first = t.segments[0]
    assert first.turns == (0, 1)
    assert lines_of(t.turns[0]) == [1, 3]
    assert first.end_line == 3


def test_headings_override_segment_by():
    t = read(src("## A", "T: a", "C: b", "T: c"), segment_by="turns:1")
    assert [(s.title, s.turns) for s in t.segments] == [("A", (0, 1, 2))]


def test_segment_by_minutes_uses_timestamps():
    t = read(
        src(
            "T: a",
            "[00:00:30] C: b",
            "[00:01:05] T: c",
            "C: d",
            "[00:02:10] T: e",
        ),
        segment_by="minutes:1",
    )
    assert [s.turns for s in t.segments] == [(0, 1), (2, 3), (4,)]
    assert [(s.start_line, s.end_line) for s in t.segments] == [(1, 2), (3, 4), (5, 5)]


def test_segment_by_fractional_minutes():
    t = read(src("[00:00] T: a", "[00:20] C: b", "[00:31] T: c"), segment_by="minutes:0.5")
    assert [s.turns for s in t.segments] == [(0, 1), (2,)]


def test_segment_by_minutes_without_timestamps_raises():
    err = read_error(src("T: a", "C: b"), segment_by="minutes:5")
    assert err.path == "session.txt"
    assert "timestamps" in err.message
    assert "minutes:5" in err.message


# --------------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("[01:02:03] T: hi", 3723.0),
        ("[00:00:05] T: hi", 5.0),
        ("[02:03] T: hi", 123.0),
        ("[2:03] T: hi", 123.0),
        ("01:02:03 T: hi", 3723.0),
        ("(02:03) T: hi", 123.0),
        ("[00:00:05.5] T: hi", 5.5),
    ],
)
def test_timestamp_styles_give_seconds(line, seconds):
    t = read(src(line))
    assert summary(t) == [("T", "therapist", "hi")]
    assert t.turns[0].time == seconds


def test_turn_without_timestamp_has_no_time():
    t = read(src("[00:00:05] T: a", "C: b"))
    assert [turn.time for turn in t.turns] == [5.0, None]


def test_timestamp_column_and_text_offset():
    line = "[00:00:09] Anna: Honestly."
    t = read(src("@client: Anna", line))
    turn = t.turns[0]
    assert turn.text == "Honestly."
    assert turn.pieces[0].column == line.index("Honestly")


def test_timestamp_inside_text_is_not_an_annotation():
    t = read(src("T: at [10:30] we met"))
    assert t.turns[0].annotations == ()
    assert t.turns[0].time is None


# --------------------------------------------------------------------------- role aliases


@pytest.mark.parametrize(
    "label",
    [
        "T",
        "t",
        "TH",
        "Th",
        "THERAPIST",
        "therapist",
        "Counsellor",
        "COUNSELOR",
        "counselor",
        "clinician",
        "Clinician",
        "psychologist",
        "PSYCHOLOGIST",
        "psychiatrist",
        "Psychiatrist",
    ],
)
def test_therapist_aliases_case_insensitive(label):
    t = read(src(f"{label}: Hello."))
    assert summary(t) == [(label, "therapist", "Hello.")]
    assert t.warnings == ()


@pytest.mark.parametrize(
    "label", ["C", "c", "CL", "cl", "client", "Client", "CLIENT", "patient", "PATIENT", "PT", "pt"]
)
def test_client_aliases_case_insensitive(label):
    t = read(src(f"{label}: Hello."))
    assert summary(t) == [(label, "client", "Hello.")]
    assert t.warnings == ()


def test_declared_name_matches_without_regard_to_case_or_spacing():
    t = read(src("@therapist: Dr. Reyes", "DR.  REYES: Hello.", "dr. reyes: Again."))
    assert [turn.role for turn in t.turns] == ["therapist", "therapist"]


def test_label_with_leading_whitespace():
    t = read(src("   T: Hello.", "\tC: Hi."))
    assert summary(t) == [("T", "therapist", "Hello."), ("C", "client", "Hi.")]
    assert [turn.pieces[0].column for turn in t.turns] == [6, 4]


def test_empty_turn_text_is_allowed():
    t = read(src("T:", "C: Hi."))
    assert summary(t) == [("T", "therapist", ""), ("C", "client", "Hi.")]


# --------------------------------------------------------------------------- named speakers


def test_names_from_read_options():
    t = read(
        src("Dr. Reyes: Hello.", "Anna: Hi."),
        therapist=("Dr. Reyes",),
        client=("Anna",),
    )
    assert summary(t) == [("Dr. Reyes", "therapist", "Hello."), ("Anna", "client", "Hi.")]
    assert t.warnings == ()


def test_read_options_names_win_over_header():
    t = read(src("@client: Sam", "Sam: Hello.", "Jo: Hi."), therapist=("Sam",), client=("Jo",))
    assert [turn.role for turn in t.turns] == ["therapist", "client"]


def test_read_options_and_header_names_combine():
    t = read(src("@therapist: Dr. Reyes", "Dr. Reyes: a", "Anna: b"), client=("Anna",))
    assert [turn.role for turn in t.turns] == ["therapist", "client"]


# --------------------------------------------------------------------------- unknown labels


def test_label_naming_neither_party_stays_unknown_and_the_session_is_not_assessed():
    t = read(src("T: Hello.", "Interpreter: She says hello."))
    assert summary(t) == [
        ("T", "therapist", "Hello."),
        ("Interpreter", "unknown", "She says hello."),
    ]
    assert [(s.label, s.role, s.role_source) for s in t.speakers] == [
        ("T", "therapist", "label"),
        ("Interpreter", "unknown", "label"),
    ]
    assert t.warnings == ()  # the label says who they are: no "has no role" warning
    assert not t.assessable
    assert t.unassessed_reason.startswith("no speaker could be identified as the client")


def test_family_labels_are_clients():
    t = read(src("Mum: a", "T: b", "MUM: c", "Mum: d", "Dad: e"))
    assert [turn.role for turn in t.turns] == ["client", "therapist", "client", "client", "client"]
    assert [(s.label, s.role_source) for s in t.speakers] == [("Mum", "label"), ("T", "label"), ("Dad", "label")]
    assert t.warnings == ()


def test_unlabelled_speakers_warn_once_each_without_inference():
    t = read(src("Speaker 1: a", "T: b", "SPEAKER 1: c", "Speaker 1: d", "Speaker 3: e"), infer_roles=False)
    assert [turn.role for turn in t.turns] == ["unknown", "therapist", "unknown", "unknown", "unknown"]
    assert [w[0] for w in t.warnings] == [1, 5]
    assert all("has no role" in w[1] and "--no-infer-roles" in w[1] for w in t.warnings)


def test_doctor_title_is_the_therapist_by_label():
    t = read(src("Dr. Smith: How are you feeling?", "C: Fine."))
    assert t.turns[0].speaker == "Dr. Smith"
    assert t.turns[0].role == "therapist"
    assert t.speakers[0].role_source == "label"


def test_numbered_speaker_is_unknown():
    t = read(src("Speaker 1: Hello.", "Speaker 2: Hi."))
    assert [(turn.speaker, turn.role) for turn in t.turns] == [
        ("Speaker 1", "unknown"),
        ("Speaker 2", "unknown"),
    ]


def test_only_unknown_speakers_still_reads():
    t = read(src("Anna: Hi.", "Bob: Hello."))
    assert [turn.role for turn in t.turns] == ["unknown", "unknown"]
    assert [w[0] for w in t.warnings] == [1, 2]


def test_lowercase_unknown_label_is_not_merged_into_therapist_turn():
    t = read(src("T: How are you?", "interpreter: She says she is tired."))
    assert summary(t) == [
        ("T", "therapist", "How are you?"),
        ("interpreter", "unknown", "She says she is tired."),
    ]


def test_label_without_space_after_colon_is_a_turn():
    t = read(src("C: I'm okay.", "T:Good to hear."))
    assert summary(t) == [("C", "client", "I'm okay."), ("T", "therapist", "Good to hear.")]


# --------------------------------------------------------------------------- continuation


def test_continuation_lines_join_previous_turn():
    t = read(src("T: First line.", "Second line.", "", "Third line after a blank.", "C: Ok."))
    turn = t.turns[0]
    assert turn.text == "First line.\nSecond line.\nThird line after a blank."
    assert lines_of(turn) == [1, 2, 4]
    assert [p.column for p in turn.pieces] == [3, 0, 0]
    assert [p.offset for p in turn.pieces] == [0, 12, 25]
    assert lines_of(t.turns[1]) == [5]


def test_continuation_strips_indent_and_trailing_space():
    t = read(src("T: hello   ", "    indented continuation  ", "C: ok"))
    turn = t.turns[0]
    assert turn.text == "hello\nindented continuation"
    assert [p.column for p in turn.pieces] == [3, 4]


def test_continuation_locate_maps_back_to_source():
    t = read(src("T: abc", "  defg"))
    turn = t.turns[0]
    assert turn.locate(turn.text.index("f")) == (2, 4)
    assert turn.offset_of(2, 4) == turn.text.index("f")


def test_continuation_with_annotation_at_start_is_not_a_note():
    t = read(src("T: hi", "[client sobbing] it's okay", "C: ok"))
    assert len(t.turns) == 2
    assert t.turns[0].text == "hi\n[client sobbing] it's okay"
    assert t.turns[0].is_note is False


def test_continuation_after_scene_note_extends_last_speaking_turn():
    t = read(src("C: oh no", "[She wipes her eyes]", "It's fine.", "T: ok"))
    assert summary(t) == [
        ("C", "client", "oh no\nIt's fine."),
        (None, "unknown", "[She wipes her eyes]"),
        ("T", "therapist", "ok"),
    ]
    assert lines_of(t.turns[0]) == [1, 3]


def test_unlabelled_text_before_any_turn_is_ignored_with_warning():
    t = read(src("Some preamble.", "T: Hello."))
    assert summary(t) == [("T", "therapist", "Hello.")]
    assert t.warnings == ((1, "text with no speaker label before any turn; ignored"),)


def test_colon_inside_sentence_is_not_a_label():
    t = read(src("T: hello", "and then she said: no way", "C: ok"))
    assert t.turns[0].text == "hello\nand then she said: no way"
    assert len(t.turns) == 2


# --------------------------------------------------------------------------- annotations


def test_square_bracket_annotation():
    line = "C: Honestly, not great. [sighs] The scan came back."
    t = read(src(line))
    (ann,) = t.turns[0].annotations
    assert (ann.text, ann.raw, ann.line, ann.about) == ("sighs", "[sighs]", 1, "client")
    assert line[ann.start : ann.end] == "[sighs]"


def test_jefferson_double_parentheses_annotation():
    line = "T: I see ((crying)) yes"
    t = read(src(line))
    (ann,) = t.turns[0].annotations
    assert (ann.text, ann.raw, ann.about) == ("crying", "((crying))", "therapist")
    assert line[ann.start : ann.end] == "((crying))"


@pytest.mark.parametrize("event", ["sighs", "crying", "long pause", "laughs", "voice breaks", "tearful"])
def test_known_parenthesised_event_is_annotation(event):
    line = f"C: I know ({event}) I know."
    t = read(src(line))
    (ann,) = t.turns[0].annotations
    assert ann.text == event
    assert ann.raw == f"({event})"
    assert line[ann.start : ann.end] == f"({event})"


@pytest.mark.parametrize("aside", ["I think", "you know", "my mother", "on Tuesday", "maybe"])
def test_ordinary_parentheses_are_not_annotations(aside):
    t = read(src(f"C: It was ({aside}) hard."))
    assert t.turns[0].annotations == ()


def test_long_story_aside_is_not_an_annotation():
    t = read(src("C: We moved (long story) last year."))
    assert t.turns[0].annotations == ()


def test_several_annotations_in_one_line_in_order():
    line = "C: (I think) so (sighs) and (long pause) ((crying)) [laughs]"
    t = read(src(line))
    anns = t.turns[0].annotations
    assert [a.raw for a in anns] == ["(sighs)", "(long pause)", "((crying))", "[laughs]"]
    assert [line[a.start : a.end] for a in anns] == [a.raw for a in anns]


def test_annotation_on_continuation_line_has_that_line_and_column():
    line2 = "  then [pause] more"
    t = read(src("C: first", line2))
    (ann,) = t.turns[0].annotations
    assert ann.line == 2
    assert line2[ann.start : ann.end] == "[pause]"
    assert ann.about == "client"


def test_empty_brackets_are_not_annotations():
    t = read(src("T: [] and [ ] here"))
    assert t.turns[0].annotations == ()


def test_spoken_blanks_annotations():
    t = read(src("C: no [sighs] yes"))
    assert t.turns[0].spoken == "no         yes"
    assert t.turns[0].words == 2


# --------------------------------------------------------------------------- attribution in turns


def test_annotation_in_therapist_turn_is_about_therapist():
    t = read(src("T: [voice catches] I'm sorry."))
    assert [a.about for a in t.turns[0].annotations] == ["therapist"]


def test_annotation_in_client_turn_is_about_client():
    t = read(src("C: [tearful] I can't."))
    assert [a.about for a in t.turns[0].annotations] == ["client"]


def test_annotation_naming_client_inside_therapist_turn():
    t = read(src("T: Take your time. [client sobbing]"))
    assert [(a.text, a.about) for a in t.turns[0].annotations] == [("client sobbing", "client")]


def test_annotation_naming_therapist_inside_client_turn():
    t = read(src("C: [therapist's voice breaks] ok [T laughs] [counsellor pauses]"))
    assert [a.about for a in t.turns[0].annotations] == ["therapist", "therapist", "therapist"]


def test_annotation_naming_declared_client_inside_therapist_turn():
    t = read(src("T: a [Anna cries] b", "C: [Dr. Reyes tears up]"), therapist=("Dr. Reyes",), client=("Anna",))
    assert [a.about for a in t.turns[0].annotations] == ["client"]
    assert [a.about for a in t.turns[1].annotations] == ["therapist"]


def test_annotation_naming_patient_alias_inside_therapist_turn():
    t = read(src("TH: [patient tearful] Okay.", "TH: [C cries]"))
    assert [a.about for a in t.turns[0].annotations] == ["client"]
    assert [a.about for a in t.turns[1].annotations] == ["client"]


def test_annotation_naming_therapist_with_possessive_apostrophe():
    t = read(src("@therapist: James", "C: [James' voice breaks] oh", "[Reyes' eyes fill]"), therapist=("Dr. Reyes",))
    assert [a.about for a in t.turns[0].annotations] == ["therapist"]
    assert t.turns[1].role == "therapist"


def test_annotation_naming_therapist_with_possessive_s():
    t = read(src("@therapist: James", "C: [James's voice breaks] oh"))
    assert [a.about for a in t.turns[0].annotations] == ["therapist"]


def test_annotation_in_unknown_speaker_turn_is_unknown():
    t = read(src("Speaker 3: [sighs] fine"))
    assert [a.about for a in t.turns[0].annotations] == ["unknown"]


def test_unnamed_pronoun_annotation_in_turn_is_about_speaker():
    t = read(src("C: [she laughs] yes"))
    assert [a.about for a in t.turns[0].annotations] == ["client"]


# --------------------------------------------------------------------------- scene notes


def test_scene_note_naming_therapist_by_declared_name():
    t = read(src("@therapist: Dr. Reyes", "Dr. Reyes: hi", "[Dr. Reyes wipes her eyes.]", "C: ok"))
    note = t.turns[1]
    assert note.is_note is True
    assert note.speaker is None
    assert note.role == "therapist"
    assert note.text == "[Dr. Reyes wipes her eyes.]"
    assert lines_of(note) == [3]
    assert [a.about for a in note.annotations] == ["therapist"]


def test_scene_note_by_surname_of_declared_therapist():
    t = read(src("@therapist: Dr. Reyes", "Dr. Reyes: hi", "[Reyes pauses]"))
    assert t.turns[1].role == "therapist"


@pytest.mark.parametrize(
    ("note", "role"),
    [
        ("[T wipes eyes]", "therapist"),
        ("[Therapist tears up]", "therapist"),
        ("[The counsellor's voice breaks]", "therapist"),
        ("((Therapist pauses))", "therapist"),
        ("[Client sobbing]", "client"),
        ("[C looks away]", "client"),
        ("[patient cries]", "client"),
        ("(client sighs)", "client"),
    ],
)
def test_scene_note_attributed_by_party_named(note, role):
    t = read(src("T: hi", note, "C: ok"))
    assert t.turns[1].is_note is True
    assert t.turns[1].role == role
    assert [a.about for a in t.turns[1].annotations] == [role]


def test_scene_note_naming_declared_client():
    t = read(src("@client: Anna", "T: hi", "[Anna cries]"))
    assert t.turns[1].role == "client"


def test_scene_note_naming_declared_client_from_options():
    t = read(src("T: hi", "[Anna cries]"), client=("Anna",))
    assert t.turns[1].role == "client"


def test_unnamed_scene_note_stays_unattributed():
    t = read(src("@therapist: Dr. Reyes", "@client: Anna", "Dr. Reyes: hi", "[She wipes her eyes]", "Anna: ok"))
    note = t.turns[1]
    assert note.is_note is True
    assert note.role == "unknown"
    assert [a.about for a in note.annotations] == [None]


def test_scene_note_without_any_party_is_unattributed():
    t = read(src("T: hi", "[door slams]"))
    assert (t.turns[1].role, t.turns[1].annotations[0].about) == ("unknown", None)


def test_scene_note_naming_both_parties_is_unattributed():
    t = read(src("T: hi", "[therapist and client laugh]"))
    assert t.turns[1].role == "unknown"


def test_scene_note_with_several_annotations_and_punctuation():
    t = read(src("T: hi", "[sighs] [laughs]."))
    note = t.turns[1]
    assert note.is_note is True
    assert [a.raw for a in note.annotations] == ["[sighs]", "[laughs]"]


def test_scene_note_closes_the_previous_turn():
    t = read(src("T: hi", "[client cries]", "C: sorry"))
    assert [turn.is_note for turn in t.turns] == [False, True, False]
    assert t.turns[0].text == "hi"


def test_scene_note_with_timestamp():
    t = read(src("T: hi", "[00:01:00] (sighs)"))
    note = t.turns[1]
    assert (note.is_note, note.time, note.text) == (True, 60.0, "(sighs)")


def test_ordinary_parenthesised_line_is_a_continuation_not_a_note():
    t = read(src("C: it was hard", "(I think)"))
    assert len(t.turns) == 1
    assert t.turns[0].text == "it was hard\n(I think)"


def test_scene_note_before_any_turn():
    t = read(src("[door closes]", "T: hi"))
    assert [(turn.is_note, turn.line) for turn in t.turns] == [(True, 1), (False, 2)]


def test_scene_note_has_no_words():
    t = read(src("T: hi", "[client cries]"))
    assert t.turns[1].words == 0


def test_file_with_only_scene_notes_is_an_error():
    err = read_error(src("", "[door closes]", "[sighs]"))
    assert err.line == 2
    assert "no speaker turns" in err.message


def test_scene_note_naming_declared_name_with_typographic_apostrophe():
    t = read(src("@client: O\u2019Brien", "T: hi", "[O\u2019Brien cries]"))
    assert t.turns[1].role == "client"


def test_declared_name_with_typographic_apostrophe_as_label():
    t = read(src("@client: O\u2019Brien", "O'Brien: hi", "O\u2019Brien: again"))
    assert [turn.role for turn in t.turns] == ["client", "client"]


# --------------------------------------------------------------------------- line numbers


def test_line_numbers_count_header_blank_and_heading_lines():
    t = read(
        src(
            "@title: X",  # 1
            "",  # 2
            "@client: Anna",  # 3
            "",  # 4
            "## One",  # 5
            "",  # 6
            "T: a",  # 7
            "",  # 8
            "",  # 9
            "Anna: b",  # 10
            "more",  # 11
            "## Two",  # 12
            "[sighs]",  # 13
            "T: c",  # 14
        )
    )
    assert [lines_of(turn) for turn in t.turns] == [[7], [10, 11], [13], [14]]
    assert [turn.line for turn in t.turns] == [7, 10, 13, 14]
    assert [(s.start_line, s.end_line, s.heading_line) for s in t.segments] == [
        (5, 11, 5),
        (12, 14, 12),
    ]
    assert t.turns[2].annotations[0].line == 13


def test_leading_blank_lines_count():
    t = read("\n\n\nT: hi\n")
    assert t.turns[0].line == 4


def test_missing_final_newline():
    t = read("T: a\nC: b")
    assert [turn.line for turn in t.turns] == [1, 2]
    assert t.turns[1].text == "b"


# --------------------------------------------------------------------------- BOM and CRLF


def test_bom_is_tolerated():
    t = read(b"\xef\xbb\xbf@title: X\nT: hi\n")
    assert t.meta["title"] == "X"
    assert summary(t) == [("T", "therapist", "hi")]
    assert t.turns[0].line == 2


def test_bom_before_label_does_not_shift_column():
    t = read(b"\xef\xbb\xbfT: hi\n")
    assert t.turns[0].pieces[0].column == 3
    assert t.turns[0].speaker == "T"


def test_crlf_is_tolerated():
    t = read(b"@title: X\r\n\r\nT: hi [sighs]\r\nthere\r\n## Two\r\nC: ok\r\n")
    assert t.meta["title"] == "X"
    assert summary(t) == [("T", "therapist", "hi [sighs]\nthere"), ("C", "client", "ok")]
    assert [lines_of(turn) for turn in t.turns] == [[3, 4], [6]]
    assert "\r" not in "".join(turn.text for turn in t.turns)
    assert t.segments[-1].title == "Two"


def test_bom_and_crlf_together():
    t = read(b"\xef\xbb\xbf@therapist: Dr. Reyes\r\nDr. Reyes: hi\r\n")
    assert t.meta["therapist"] == ["Dr. Reyes"]
    assert summary(t) == [("Dr. Reyes", "therapist", "hi")]


# --------------------------------------------------------------------------- malformed input


def test_empty_file():
    err = read_error(b"", path="empty.txt")
    assert (err.path, err.line, err.message) == ("empty.txt", 1, "the file is empty")
    assert str(err) == "empty.txt:1: the file is empty"


def test_whitespace_only_file():
    err = read_error(b"  \n\t\n\n")
    assert (err.line, err.message) == (1, "the file is empty")


def test_no_speaker_labels():
    err = read_error(src("hello there", "no labels here"), path="plain.txt")
    assert err.path == "plain.txt"
    assert err.line == 1
    assert "no speaker turns found" in err.message


def test_no_speaker_labels_reports_first_non_blank_line():
    err = read_error("\n\n  just text\n")
    assert err.line == 3


def test_header_only_file_is_an_error():
    err = read_error(src("@title: X", "@therapist: Dr. Reyes"))
    assert "no speaker turns found" in err.message


def test_binary_data_with_nul_bytes():
    err = read_error(b"T: hi\nC: \x00\x01\x02", path="bin.txt")
    assert (err.path, err.line) == ("bin.txt", 2)
    assert "binary" in err.message


def test_binary_nul_on_first_line():
    err = read_error(b"\x00\x00\x00")
    assert err.line == 1
    assert "binary" in err.message


def test_invalid_utf8_reports_line_and_byte():
    err = read_error(b"T: hi\nC: caf\xe9\n", path="latin1.txt")
    assert (err.path, err.line) == ("latin1.txt", 2)
    assert "invalid UTF-8" in err.message
    assert "0xe9" in err.message
    assert "column 7" in err.message


def test_invalid_utf8_after_bom_and_crlf():
    err = read_error(b"\xef\xbb\xbfT: hi\r\n\r\nC: ok\r\nT: \xff\r\n")
    assert err.line == 4
    assert "0xff" in err.message


def test_truncated_utf8_sequence_at_end():
    err = read_error(b"T: hi\nC: caf\xc3")
    assert err.line == 2
    assert "invalid UTF-8" in err.message


def test_errors_are_transcript_errors_not_unicode_errors():
    with pytest.raises(TranscriptError) as info:
        read(b"T: \x80")
    assert not isinstance(info.value, UnicodeError)
    assert info.value.__cause__ is None


# --------------------------------------------------------------------------- read_path


def test_read_path_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(TranscriptError) as info:
        read_path(missing)
    assert info.value.path == str(missing)
    assert info.value.line is None
    assert info.value.message == "no such file"


def test_read_path_directory(tmp_path):
    with pytest.raises(TranscriptError) as info:
        read_path(tmp_path)
    assert info.value.path == str(tmp_path)
    assert info.value.line is None
    assert info.value.message == "is a directory"


def test_read_path_accepts_str_and_options(tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(b"Anna: hi\n")
    t = read_path(str(f), ReadOptions(client=("Anna",)))
    assert t.path == str(f)
    assert t.turns[0].role == "client"


def test_read_path_error_carries_the_path(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_bytes(b"T: ok\n\xff\n")
    with pytest.raises(TranscriptError) as info:
        read_path(f)
    assert (info.value.path, info.value.line) == (str(f), 2)


def test_reading_never_modifies_the_file(tmp_path):
    f = tmp_path / "session.txt"
    original = b"\xef\xbb\xbf@title: X\r\nT: hi [sighs]\r\nC: ok\r\n"
    f.write_bytes(original)
    old = 1_000_000_000_000_000_000  # 2001-09-09, far from "now"
    os.utime(f, ns=(old, old))
    before = f.stat()
    t = read_path(f)
    assert len(t.turns) == 2
    after = f.stat()
    assert f.read_bytes() == original
    assert after.st_mtime_ns == before.st_mtime_ns == old
    assert after.st_size == before.st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.txt"]


def test_reading_a_bad_file_never_modifies_it(tmp_path):
    f = tmp_path / "bad.txt"
    original = b"caf\xe9\n"
    f.write_bytes(original)
    old = 1_000_000_000_000_000_000
    os.utime(f, ns=(old, old))
    with pytest.raises(TranscriptError):
        read_path(f)
    assert f.read_bytes() == original
    assert f.stat().st_mtime_ns == old


def test_read_bytes_and_read_path_agree(tmp_path):
    data = (DATA / "contract_example.txt").read_bytes()
    a = read_bytes(data, "x.txt")
    f = tmp_path / "x.txt"
    f.write_bytes(data)
    b = read_path(f)
    assert a.turns == b.turns
    assert a.segments == b.segments
    assert a.meta == b.meta
