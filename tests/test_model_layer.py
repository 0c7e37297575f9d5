"""The trained layer beside the rules: shipped, offline, reported with its evidence, chosen with --detector."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from focusshift.api import Analyzer
from focusshift.cli import cli
from focusshift.pipeline.model import context_words, load_classifier, model_path

from .conftest import DATA, ROOT

BURDEN = (b"T: How was the week?\n"
          b"C: Honestly, listen to me rabbiting on again. You must hear this stuff all day long, I'm sorry.\n"
          b"T: Not at all, go on.\n"
          b"C: You look shattered today though, did you even sleep?\n")


def events(detector: str, data: bytes = BURDEN, **kw):
    a = Analyzer(detector=detector, **kw)
    return a.analyze_transcript(a.read_bytes(data)).events


@pytest.mark.slow
def test_the_model_ships_in_the_package_small_and_loads_offline():
    path = model_path()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size <= 10 * 1024 * 1024
    meta = json.loads((path / "focusshift.json").read_text())
    assert 0 < meta["threshold"] < meta["threshold_far"] < 1 and 0 < meta["veto"] < meta["threshold"]
    # in a fresh process with every network call refused
    code = ("import socket\n"
            "def refuse(*a, **k): raise OSError('network')\n"
            "socket.socket.connect = refuse\n"
            "from focusshift.pipeline.model import load_classifier\n"
            "nlp, meta = load_classifier(); print(sorted(nlp.pipe_names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "textcat_multilabel" in out.stdout


def test_each_detector_and_the_evidence_of_each_layer():
    rules = events("rules")
    assert [(e.line, e.detector, e.rule) for e in rules] == [(4, "rule", "ct.check.noticing")]
    assert 0 < rules[0].confidence <= 1 and rules[0].evidence == ()
    model = [e for e in events("model") if e.category == "client_caretaking"]
    assert [(e.line, e.detector) for e in model] == [(2, "model")]
    assert model[0].confidence >= 0.7 and model[0].rule == "model.caretaking"
    assert model[0].evidence and all(w in model[0].text for w in model[0].evidence)
    both = events("both")
    assert [(e.line, e.detector) for e in both] == [(2, "model"), (4, "rule")]


def test_json_reports_source_evidence_and_confidence(tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(BURDEN)
    d = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json"]).stdout)[0]
    by_line = {e["line"]: e for e in d["events"]}
    assert by_line[2]["source"] == "model" and by_line[2]["channel"] == "speech"
    assert by_line[2]["evidence"]["probability"] == by_line[2]["confidence"]
    assert by_line[2]["evidence"]["words"]
    assert by_line[4]["source"] == "rule" and by_line[4]["evidence"] == {"rule": "ct.check.noticing"}
    d = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json", "--no-text"]).stdout)[0]
    assert all(e["evidence"].get("words") is None for e in d["events"] if e["source"] == "model")


def test_min_confidence_leaves_out_less_likely_events(tmp_path):
    f = tmp_path / "s.txt"
    f.write_bytes(BURDEN)
    every = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json"]).stdout)[0]
    confident = json.loads(CliRunner().invoke(cli, ["analyze", str(f), "-f", "json", "--min-confidence",
                                                    "0.9"]).stdout)[0]
    assert len(confident["events"]) < len(every["events"])
    assert all(e["confidence"] >= 0.9 for e in confident["events"])
    assert confident["summary"]["score"] > every["summary"]["score"]


def test_the_classifier_vetoes_an_implausible_rule_match_but_never_a_users_rule(tmp_path):
    family = (b"@therapist: T\n@client: Mum, Jo\n"
              b"T: What happened at the weekend?\n"
              b"Jo: [crying] I just couldn't stop thinking about Nan.\n"
              b"Mum: Oh love, are you okay? Come here.\n")
    assert "ct.check.are_you_ok" in [e.rule for e in events("rules", family) if e.category == "client_caretaking"]
    assert [e for e in events("both", family) if e.category == "client_caretaking"] == []
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps({"id": "my.come_here", "label": "client_caretaking", "subtype": "soothing",
                               "role": "client", "source": "speech", "pattern": [{"LOWER": "come"},
                                                                                 {"LOWER": "here"}]}) + "\n")
    mine = [e.rule for e in events("both", family, lexicon_files=[str(own)]) if e.category == "client_caretaking"]
    assert "my.come_here" in mine


def test_context_words_are_the_same_for_a_transcript_and_its_captions():
    from focusshift.formats import ReadOptions, read_all

    from .convert import to_vtt

    a = Analyzer(detector="rules")
    native = a.read(DATA / "devset" / "dev" / "d05_therapist_has_a_cold.txt")
    caps = read_all(to_vtt(native).encode(), "x.vtt", ReadOptions())[0]
    r1, r2 = a.analyze_transcript(native), a.analyze_transcript(caps)
    words1 = [w for _, w in sorted(context_words(native, r1.events).items())]
    words2 = [w for _, w in sorted(context_words(caps, r2.events).items())]
    # the caption reader merges a speaker's consecutive cues; every merged turn has its first line's words
    assert set(words2) <= set(words1)


def test_training_and_evaluation_scripts_exist_and_document_their_commands():
    for script, words in (("scripts/train_model.py", "--cv"), ("scripts/corpus_eval.py", "test"),
                          ("scripts/check_corpus.py", "gold.json"), ("scripts/rule_confidence.py", "confidence")):
        text = (ROOT / script).read_text()
        assert words in text.split('"""')[1], script
    assert load_classifier()[1]["seed"] == 0


@pytest.mark.slow
def test_a_saved_focusshift_pipeline_loads_with_spacy_alone(tmp_path):
    """Every component focusshift builds is a spaCy entry point: spacy.load needs no import of ours."""
    a = Analyzer(detector="rules")
    a.nlp.to_disk(tmp_path / "pipeline")
    code = ("import spacy, sys\n"
            f"nlp = spacy.load({str(tmp_path / 'pipeline')!r})\n"
            "doc = nlp('T: how are you? C: Are you okay? You look tired.')\n"
            "print(nlp.pipe_names, len(list(doc.sents)), 'focusshift.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "'sentencizer', 'focusshift_lookup_lemmas', 'focusshift_markers'" in out.stdout
    assert out.stdout.split()[-2] == "3" and out.stdout.split()[-1] == "False"
