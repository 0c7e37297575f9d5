"""Detection: positives, the hard negatives the issues name, and role/attribution gating."""

from __future__ import annotations

import pytest

TE = "therapist_emotion"
CT = "client_caretaking"


def events(run, text):
    return [(e.line, e.category, e.subtype) for e in run(text).events]


def categories_on(run, text, line):
    return {e.category for e in run(text).events if e.line == line}


# Each case: a transcript, the line to look at, the categories expected there.
POSITIVES = [
    ("T: [crying] Oh, that is so much.", 1, {TE}),
    ("T: ((sobbing))", 1, {TE}),
    ("THERAPIST: (voice breaks) I'm sorry.", 1, {TE}),
    ("T: Okay.\n[Therapist wipes her eyes]", 2, {TE}),
    ("@therapist: Dr. Reyes\nDr. Reyes: Go on.\n[Dr. Reyes tears up]", 3, {TE}),
    ("T: I'm getting a bit choked up hearing that.", 1, {TE}),
    ("T: Sorry, this is hitting me hard.", 1, {TE}),
    ("T: I need a second to collect myself.", 1, {TE}),
    ("T: I'm not going to cry, I promise.", 1, {TE}),
    ("T: My eyes are welling up a little.", 1, {TE}),
    ("C: It happened.\nT: [voice catches] Give me a moment.", 2, {TE}),
    ("T: [tearful] That's a lot.\nC: Oh no, are you okay?", 2, {CT}),
    ("T: [crying]\nC: I'm sorry, I didn't mean to upset you.", 2, {CT}),
    ("T: [crying]\nC: Take your time.", 2, {CT}),
    ("T: [crying]\nC: It's not that bad, really. We can talk about something else.", 2, {CT}),
    ("T: [crying]\nC: Here, have a tissue.", 2, {CT}),
    ("C: You look exhausted today.", 1, {CT}),
    ("C: I feel awful for dumping all this on you.", 1, {CT}),
    ("T: [crying] Oh.\nC: Do you want to take a break?", 2, {CT}),
]

NEGATIVES = [
    # the therapist naming the client's tears
    "T: I notice you're tearing up.",
    "T: I can see this brings tears up for you.",
    # the client crying
    "C: [crying] I just miss her.",
    "C: ((sobs)) Sorry. Sorry for crying.",
    "T: [client sobbing] Take all the time you need.",
    # ordinary apologies and politeness
    "C: Sorry I'm late, the bus was awful.",
    "C: I'm sorry, it's a silly question.",
    "C: Thanks so much for today, it really helped.",
    # practical pauses, laughter
    "T: Give me a moment to find that worksheet.",
    "T: Hang on, give me a second, my laptop froze.",
    "T: [laughs] That's a great way to put it.",
    # quoting other people, other experiencers
    "C: My sister asked me, are you okay?",
    'C: She texted "are you okay?" like nothing happened.',
    "C: My mom kept apologising for upsetting me.",
    "C: My daughter was sobbing in the car.",
    # therapist talking about crying elsewhere or hypothetically
    "T: I cried at my own father's funeral, years ago.",
    "T: If I cried every time a client told me something sad, I'd never stop.",
    "T: Sometimes I get emotional at weddings.",
    # regulated empathy
    "T: I'm so sorry you went through that.",
    "T: That sounds so painful.",
    # the same words from the other role
    "T: Take your time.",
    "C: I'm getting a bit choked up.",
    "T: Are you okay?",
    # caring for family in the story
    "C: I kept asking my son if he was alright.",
    # "never mind" with no therapist emotion around it
    "C: Never mind, it doesn't matter, I'll do the homework.",
    # an unattributed scene note
    "C: It was awful.\n[She wipes her eyes]",
    # unknown role is never the therapist
    "Mum: [crying] I'm getting choked up.",
]


@pytest.mark.parametrize("text,line,expected", POSITIVES)
def test_positive(run, text, line, expected):
    assert categories_on(run, text, line) >= expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_hard_negative(run, text):
    assert [e for e in run(text).events if e.category in (TE, CT)] == []


def test_not_going_to_cry_by_client_is_not_therapist_emotion(run):
    assert events(run, "C: I'm not going to cry.") == []


def test_annotation_in_client_turn_naming_therapist_is_therapist_emotion(run):
    got = run("T: Go on.\nC: [therapist tearful] Are you okay?").events
    assert (2, TE) in {(e.line, e.category) for e in got}
    te = next(e for e in got if e.category == TE)
    assert te.role == "therapist"


def test_event_evidence_fields(run):
    a = run("T: Okay.\nC: Oh no, are you okay?")
    [e] = a.events
    assert (e.line, e.category, e.subtype, e.speaker, e.role) == (2, CT, "check_in", "C", "client")
    assert e.text == "are you okay"
    line = "C: Oh no, are you okay?"
    assert line[e.span[0] : e.span[1]] == "are you okay"
    assert e.rule == "ct.check.are_you_ok"
    assert e.weight == 0.8


def test_span_points_into_continuation_line(run):
    a = run("T: [crying]\nC: Hmm.\nHere, have a tissue.")
    [e] = [x for x in a.events if x.category == CT]
    assert e.line == 3
    assert "Here, have a tissue."[e.span[0] : e.span[1]].lower().startswith("here")


def test_context_phrase_needs_preceding_emotion(run):
    # "it's okay" only counts right after therapist emotion
    assert events(run, "T: How was the week?\nC: It's okay, I guess.") == []
    assert (2, CT) in {(ln, c) for ln, c, _ in events(run, "T: [crying]\nC: It's okay, honestly.")}


def test_window_is_counted_in_speaking_turns(run):
    far = "T: [crying]\nC: So anyway.\nT: Mm.\nC: And then.\nT: Yes.\nC: Take your time."
    assert CT not in {c for _, c, _ in events(run, far)}


def test_case_insensitive_annotations(run):
    assert {c for _, c, _ in events(run, "T: [CRYING]")} == {TE}
    assert {c for _, c, _ in events(run, "T: [Sobs quietly]")} == {TE}
