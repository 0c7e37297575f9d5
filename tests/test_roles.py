"""Every speaker gets a role: user > file > label > conversation, and never a silent all-clear."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from focusshift.cli import cli
from focusshift.formats import ReadOptions, read_bytes
from focusshift.roles import label_role, role_data

from .conftest import CORPUS, DATA

ROLES = DATA / "roles"


def read(text: str, **options) -> object:
    return read_bytes(text.encode("utf-8"), "session.txt", ReadOptions(**options))


def roles_of(t) -> list[tuple[str, str, str | None]]:
    return [(s.label, s.role, s.role_source) for s in t.speakers]


# --------------------------------------------------------------------------- label vocabulary

THERAPIST_LABELS = ["T", "Th", "TH", "Dr. Reyes", "Dr Reyes", "Doctor Okafor", "Therapist", "THERAPIST",
                    "Counsellor", "Counselor", "Clinician", "Psychologist", "Psychiatrist", "Interviewer",
                    "INV", "THE", "T1", "Therapist 2", "Co-therapist", "Therapist (Maya)", "Maya - therapist", "Dr",
                    "Doctor"]
CLIENT_LABELS = ["C", "Cl", "CL", "Client", "P", "Pt", "PT", "Patient", "Participant", "PAR", "CLI", "PAT",
                 "Interviewee", "C2", "Client A", "Patient 3", "Sam (client)", "Mum", "Partner B", "Husband"]
NEITHER = ["Interpreter", "Unknown Speaker", "Crosstalk", "Speakers"]
NOTHING = ["Pat", "The", "Maya", "Speaker 1", "SPEAKER_00", "Sam Ortiz", "iPhone", "Theo", "Clive", "Par"]


@pytest.mark.parametrize("label", THERAPIST_LABELS)
def test_therapist_vocabulary(label):
    assert label_role(label)[0] == "therapist"


@pytest.mark.parametrize("label", CLIENT_LABELS)
def test_client_vocabulary(label):
    assert label_role(label)[0] == "client"


@pytest.mark.parametrize("label", NEITHER)
def test_labels_that_name_neither_party(label):
    assert label_role(label)[0] == "unknown"


@pytest.mark.parametrize("label", NOTHING)
def test_labels_that_say_nothing(label):
    assert label_role(label) is None  # 'Pat' and 'The' are names or words: the CHAT codes are PAT, THE


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["T: How are you?", "P: Tired."], [("T", "therapist", "label"), ("P", "client", "label")]),
        (["Interviewer: How are you?", "Participant: Tired."],
         [("Interviewer", "therapist", "label"), ("Participant", "client", "label")]),
        (["INV: How are you?", "PAR: Tired."], [("INV", "therapist", "label"), ("PAR", "client", "label")]),
        (["Dr. Lee: How are you?", "Sam: Tired."], [("Dr. Lee", "therapist", "label"), ("Sam", "client", "label")]),
        (["@therapist: Maya", "Maya: How are you?", "Sam: Tired."],
         [("Maya", "therapist", "declared"), ("Sam", "client", "declared")]),
        (["@client: Sam", "Maya: How are you?", "Sam: Tired."],
         [("Maya", "therapist", "declared"), ("Sam", "client", "declared")]),
        (["@therapist: Maya, Jo", "@client: Sam", "Maya: Hi.", "Jo: Hello.", "Sam: Tired."],
         [("Maya", "therapist", "declared"), ("Jo", "therapist", "declared"), ("Sam", "client", "declared")]),
        (["T1: Hi.", "T2: Hello.", "C: Tired."],
         [("T1", "therapist", "label"), ("T2", "therapist", "label"), ("C", "client", "label")]),
        (["Therapist: Hi.", "Wife: Tired.", "Husband: Me too."],
         [("Therapist", "therapist", "label"), ("Wife", "client", "label"), ("Husband", "client", "label")]),
    ],
)
def test_labels_and_declarations_resolve_every_speaker(lines, expected):
    t = read("\n".join(lines) + "\n")
    assert roles_of(t) == expected
    assert t.assessable


def test_order_cli_over_declared_over_label():
    text = "@client: Dr. Lee\nDr. Lee: I keep crying.\nT: Tell me more.\nMaya: Hello.\n"
    t = read(text)
    # the header beats the title in the label; T is the therapist by its label
    assert roles_of(t)[:2] == [("Dr. Lee", "client", "declared"), ("T", "therapist", "label")]
    t = read(text, therapist=("Dr. Lee",), client=("T",))
    assert roles_of(t)[:2] == [("Dr. Lee", "therapist", "cli"), ("T", "client", "cli")]


# --------------------------------------------------------------------------- inference

SESSION = """\
Maya: Hi Sam, come in. How have you been since last week?
Sam: Not great. My mum's back in hospital and I haven't slept.
Maya: That sounds exhausting. What happened?
Sam: She fell again. I don't know, I just feel like it's all on me.
Maya: So you're carrying a lot of it on your own.
Sam: Yeah. My brother never calls. I feel so angry with him.
Maya: It sounds like part of you is angry and part of you is scared.
Sam: Both. I keep thinking I should be doing more.
"""


def test_names_only_are_inferred_by_default_with_confidence_and_evidence():
    t = read(SESSION)
    assert roles_of(t) == [("Maya", "therapist", "inferred"), ("Sam", "client", "inferred")]
    maya, sam = t.speakers
    assert 0.6 <= maya.confidence <= 0.99 and maya.confidence == sam.confidence
    assert "'Maya'" in maya.evidence and "'Sam'" in maya.evidence and maya.evidence == sam.evidence
    notes = [m for line, m in t.warnings if m.startswith("roles inferred")]
    assert notes == ["roles inferred: 'Maya' = therapist (%.2f), 'Sam' = client (%.2f); check them, or pin "
                     "them with --therapist Maya --client Sam" % (maya.confidence, sam.confidence)]


def test_whoever_speaks_first_does_not_decide():
    lines = SESSION.splitlines()
    t = read("\n".join(lines[1:]) + "\n")  # the client opens
    assert roles_of(t) == [("Sam", "client", "inferred"), ("Maya", "therapist", "inferred")]


def test_an_anxious_client_who_asks_many_questions_is_not_the_therapist():
    text = """\
Ana: Is that normal? I mean, do you think I'm going mad? What should I do when it happens at night?
Ruth: You've been really frightened by these nights.
Ana: Yes. Am I making it worse by checking my pulse? Should I stop? Is it my heart?
Ruth: Part of you wants me to promise it isn't your heart.
Ana: Can you? Is it possible it's something serious? Why do I keep doing this?
Ruth: It sounds like the not knowing is the hardest part for you.
Ana: It is. What if I never get better? Will it always be like this?
Ruth: You're scared it will always feel like this.
"""
    t = read(text)
    assert roles_of(t) == [("Ana", "client", "inferred"), ("Ruth", "therapist", "inferred")]


def test_no_infer_roles_leaves_names_unknown_and_not_assessed():
    t = read(SESSION, infer_roles=False)
    assert roles_of(t) == [("Maya", "unknown", None), ("Sam", "unknown", None)]
    assert not t.assessable
    assert t.unassessed_reason.startswith("no speaker could be identified as therapist or client")


def test_couple_session_one_therapist_two_clients():
    text = """\
Anita: Welcome back, both of you. Where would you like to start today?
Gareth: I'll start. Since the redundancy I feel useless. My dad always said a man provides.
Lou: And I keep telling him I don't care about that. I just want him to talk to me.
Anita: So Gareth, you feel useless, and Lou, you're saying what you miss is him talking to you.
Gareth: I don't know how to talk about it. I feel ashamed.
Lou: I feel shut out. My sister says I should just leave him to it.
Anita: It sounds like you're both lonely in this. What happens for you, Lou, when he goes quiet?
Lou: I panic. I think he's going to leave.
Anita: And Gareth, what do you notice when Lou says that?
Gareth: I didn't know she felt that. I feel awful.
"""
    t = read(text)
    assert roles_of(t) == [("Anita", "therapist", "inferred"), ("Gareth", "client", "inferred"),
                           ("Lou", "client", "inferred")]


def test_header_naming_only_the_therapist_of_a_couple_session():
    text = "@therapist: Anita\n" + "\n".join(
        line for line in """\
Anita: Welcome back, both of you. Where would you like to start today?
Gareth: I'll start. Since the redundancy I feel useless. My dad always said a man provides.
Lou: And I keep telling him I don't care about that. I just want him to talk to me.
Anita: So Gareth, you feel useless, and Lou, you're saying what you miss is him talking to you.
Gareth: I don't know how to talk about it. I feel ashamed.
Lou: I feel shut out. My sister says I should just leave him to it.""".splitlines()) + "\n"
    t = read(text)
    assert roles_of(t) == [("Anita", "therapist", "declared"), ("Gareth", "client", "inferred"),
                           ("Lou", "client", "inferred")]


def test_single_speaker_is_not_assessed_and_says_so():
    t = read("Sam: I went to the funeral on Friday and I still can't stop thinking about it.\n"
             "Sam: My sister didn't come.\n")
    assert not t.assessable
    assert t.unassessed_reason == "only one speaker ('Sam'); a session needs a therapist and a client"


# --------------------------------------------------------------------------- interjections


def test_interjections_become_turns_of_the_named_speaker_at_their_line():
    text = ("T: How was the weekend?\n"
            "C: Awful. I went to the grave (T: Mhm) and I just sat there [Therapist: yeah] for an hour,\n"
            "and then (T: Right.) I drove home.\n")
    t = read(text)
    turns = [(x.speaker, x.role, x.line, x.interjection, x.text) for x in t.turns]
    assert turns[2:5] == [
        ("T", "therapist", 2, True, "Mhm"),
        ("Therapist", "therapist", 2, True, "yeah"),
        ("T", "therapist", 3, True, "Right."),
    ]
    client = t.turns[1]
    assert "Mhm" not in client.text and "yeah" not in client.text and "Right" not in client.text
    assert client.text.split() == "Awful. I went to the grave and I just sat there for an hour, and then I drove home.".split()
    # columns still point into the file
    line2 = text.splitlines()[1]
    mhm = t.turns[2]
    assert line2[mhm.pieces[0].column:].startswith("Mhm)")


def test_bracketed_text_that_is_not_a_known_speaker_stays_text():
    t = read("T: So?\nC: It was (see: last week) and [Note: inaudible] hard.\n")
    assert [x.speaker for x in t.turns] == ["T", "C"]
    assert "(see: last week)" in t.turns[1].text


def test_interjected_caretaking_is_the_clients(run):
    a = run("T: [crying] I'm sorry, it's just (C: oh no, are you okay?) very sad.\nC: My dad was ill for years.\n")
    care = [e for e in a.events if e.category == "client_caretaking"]
    assert [(e.speaker, e.line, e.text) for e in care] == [("C", 1, "are you okay")]


# --------------------------------------------------------------------------- no silent all-clear


@pytest.fixture
def unlabelled(tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("Sam: I went to the funeral on Friday and I still can't stop thinking about it.\n"
                 "Sam: My sister didn't come.\n")
    return f


def test_table_says_not_assessed_where_the_score_would_be(unlabelled):
    r = CliRunner().invoke(cli, ["analyze", str(unlabelled)])
    assert r.exit_code == 0
    assert "NOT ASSESSED: only one speaker ('Sam')" in r.stdout
    assert "not assessed" in r.stdout and "100.0" not in r.stdout
    assert f"warning: {unlabelled}: not assessed: only one speaker" in r.stderr


def test_json_and_csv_carry_null_scores_and_the_reason(unlabelled):
    d = json.loads(CliRunner().invoke(cli, ["analyze", str(unlabelled), "-f", "json"]).stdout)[0]
    assert d["assessable"] is False
    assert d["reason"].startswith("only one speaker")
    assert d["summary"]["score"] is None and [s["score"] for s in d["segments"]] == [None]
    assert d["speakers"] == [{"label": "Sam", "role": "unknown", "role_source": None, "confidence": None,
                              "evidence": "the only speaker with enough speech: nobody to compare with",
                              "turns": 2, "first_line": 1}]
    rows = list(csv.DictReader(io.StringIO(CliRunner().invoke(cli, ["analyze", str(unlabelled), "-f", "csv"]).stdout)))
    assert rows[0]["assessable"] == "false"
    assert rows[0]["therapist"] == rows[0]["client"] == rows[0]["roles_inferred"] == ""
    assert rows[0]["seconds_to_therapist"] == rows[0]["client_share"] == ""  # no time share without roles
    assert rows[0]["score"].startswith("not assessed: only one speaker")


def test_fail_under_fails_an_unassessed_session_unless_allowed(unlabelled):
    assert CliRunner().invoke(cli, ["analyze", str(unlabelled), "--fail-under", "10"]).exit_code == 1
    r = CliRunner().invoke(cli, ["analyze", str(unlabelled), "--fail-under", "10", "--allow-unassessed"])
    assert r.exit_code == 0


def test_batch_summary_counts_unassessed_sessions(unlabelled, tmp_path):
    (tmp_path / "two.txt").write_text(SESSION)
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path), "--jobs", "1"])
    assert "1 session(s) NOT ASSESSED" in r.stdout
    assert "1 of 2 session(s) not assessed" in r.stderr


def test_no_text_keeps_names_out_of_speakers(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text(SESSION)
    d = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json", "--no-text"]).stdout)[0]
    assert [s["label"] for s in d["speakers"]] == ["therapist 1", "client 1"]
    assert "Maya" not in json.dumps(d) and "Sam" not in json.dumps(d)
    assert d["speakers"][0]["evidence"].startswith("'therapist 1' talks about 'you'")


def test_validate_prints_roles_with_their_source(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("@therapist: Maya\n" + SESSION)
    r = CliRunner().invoke(cli, ["validate", str(f)])
    assert "  Maya: therapist (declared; 4 turns, first on line 2)" in r.stdout
    assert "  Sam: client (declared: the other speaker of a two-party session" in r.stdout
    f.write_text(SESSION)
    r = CliRunner().invoke(cli, ["validate", str(f)])
    assert re.search(r"  Maya: therapist \(inferred 0\.\d\d: 'Maya' .*; 4 turns, first on line 1\)", r.stdout)
    d = json.loads(CliRunner().invoke(cli, ["validate", str(f), "-f", "json"]).stdout)[0]
    assert d["speakers"][0]["role_source"] == "inferred" and d["assessable"] is True


# --------------------------------------------------------------------------- the labelled sets

AUTHOR_SETS = sorted(p for p in ROLES.glob("*/*") if p.is_dir())
FORBIDDEN = re.compile(r"\b(?:therapist|counsell?or|clinician|doctor|dr|psycholog\w*|psychiatrist|client|"
                       r"patient|interviewer|participant|[tcp]|th|pt)\b", re.I)


def _sessions(folder: Path):
    key = json.loads((folder / "roles.json").read_text("utf-8"))
    for f in sorted(folder.glob("*.txt")):
        yield f, key[f.name]


@pytest.mark.parametrize("folder", AUTHOR_SETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_author_files_are_consistent(folder):
    """Every file: names only, no header, every label in the key, two roles present."""
    key = json.loads((folder / "roles.json").read_text("utf-8"))
    assert sorted(key) == sorted(f.name for f in folder.glob("*.txt"))
    for f, gold in _sessions(folder):
        t = read_bytes(f.read_bytes(), str(f), ReadOptions(infer_roles=False))
        labels = {s.label for s in t.speakers}
        assert labels == set(gold), f"{f.name}: labels {labels} vs key {set(gold)}"
        assert set(gold.values()) == {"therapist", "client"}, f.name
        for label in labels:
            assert not FORBIDDEN.search(label), f"{f.name}: label {label!r} gives the role away"
        assert not any(line.startswith(("@", "##")) for line in f.read_text("utf-8").splitlines()), f.name


def _accuracy(split: str) -> tuple[int, int, list[str], list[str]]:
    right = total = 0
    wrong: list[str] = []
    missed: list[str] = []
    for folder in sorted((ROLES / split).iterdir()):
        for f, gold in _sessions(folder):
            t = read_bytes(f.read_bytes(), str(f))
            got = {s.label: s.role for s in t.speakers}
            for label, role in gold.items():
                total += 1
                right += got[label] == role
                if got[label] not in (role, "unknown"):
                    wrong.append(f"{folder.name}/{f.name}: {label}")
                elif got[label] == "unknown":
                    missed.append(f"{folder.name}/{f.name}: {label}")
    return right, total, wrong, missed


def test_inference_is_right_on_every_training_session():
    right, total, wrong, missed = _accuracy("train")
    assert (wrong, missed) == ([], [])
    assert right == total >= 50


def test_inference_on_held_out_authors():
    """Authors nobody read while writing the cues: never a wrong role, at most one speaker in 25 unresolved."""
    right, total, wrong, missed = _accuracy("test")
    assert wrong == []
    assert total >= 70 and len(missed) <= total // 25


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="the AnnoMI corpus is not beside the project")
def test_inference_on_real_sessions_with_role_labels_replaced_by_names():
    wrong = []
    for f in sorted((CORPUS / "txt").glob("*.txt")):
        names = iter(["Robin", "Alex"])
        mapping: dict[str, str] = {}

        def rename(m: re.Match[str]) -> str:
            if m.group(1) not in mapping:
                mapping[m.group(1)] = next(names)
            return mapping[m.group(1)] + ":"

        text = re.sub(r"^(THERAPIST|CLIENT):", rename, f.read_text("utf-8"), flags=re.M)
        t = read_bytes(text.encode(), f.name)
        got = {s.label: s.role for s in t.speakers}
        if got != {mapping["THERAPIST"]: "therapist", mapping["CLIENT"]: "client"}:
            wrong.append(f.name)
    assert wrong == []


def test_role_data_has_only_known_cues():
    data = role_data()
    assert set(data.cues) >= {"second_person", "first_person", "question_start", "reflection", "management"}
    assert 0.5 < data.min_confidence < 1
