"""The spaCy components own their rules: someone else's pipeline can add focusshift and get its events."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from focusshift import Analyzer
from focusshift.pipeline import components
from focusshift.pipeline.components import SPANS_KEY, MODIFIER_SPANS_KEY, focusshift_pipes
from focusshift.pipeline.detect import find_events
from focusshift.pipeline.nlp import build_nlp

SAMPLES = Path(__file__).resolve().parents[1] / "sample_transcripts"


def own_pipeline() -> spacy.Language:
    """What a researcher might build: blank English, sentences, lookup lemmas, then focusshift."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    nlp.add_pipe("focusshift_markers")
    nlp.add_pipe("focusshift_context")
    return nlp


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(detector="rules")


@pytest.fixture(scope="module")
def shift_transcript(analyzer):
    path = SAMPLES / "03_full_shift_recovery.txt"
    return analyzer.read(path)


def test_candidates_and_modifiers_are_on_the_doc():
    nlp = own_pipeline()
    doc = nlp("I'm not crying, honestly. Are you okay?")
    labels = {(s.label_, s.text) for s in doc.spans[SPANS_KEY]}
    assert any(label == "client_caretaking" for label, _ in labels), labels
    crying = [s for s in doc.spans[SPANS_KEY] if "crying" in s.text]
    assert crying, labels
    assert "negated" in {cat for cat, _ in crying[0]._.focusshift_modifiers}
    assert any(s.label_ == "negated" for s in doc.spans[MODIFIER_SPANS_KEY])


def test_own_pipeline_gets_the_same_events_as_the_analyzer(analyzer, shift_transcript):
    ours = analyzer.analyze_transcript(shift_transcript).events
    theirs = find_events(shift_transcript, own_pipeline(), analyzer.config)
    assert ours, "the sample has events"
    assert [(e.line, e.rule, e.text) for e in theirs] == [(e.line, e.rule, e.text) for e in ours]


def test_find_events_names_what_is_missing(shift_transcript):
    with pytest.raises(ValueError, match="focusshift_markers"):
        find_events(shift_transcript, spacy.blank("en"))


def test_rules_are_parsed_once_per_process(monkeypatch, tmp_path):
    calls = []
    import focusshift.pipeline.rules as rules_module

    real = rules_module.load_lexicon

    def counting(extra=()):
        calls.append(tuple(extra))
        return real(extra)

    monkeypatch.setattr(rules_module, "load_lexicon", counting)
    rules = tmp_path / "mine.jsonl"
    rules.write_text('{"id": "mine_1", "label": "client_caretaking", "subtype": "checking", '
                     '"role": "client", "source": "speech", '
                     '"pattern": [{"LOWER": "zorbly"}, {"LOWER": "wibble"}]}\n', "utf-8")
    nlp = build_nlp(None, [str(rules)])
    a = Analyzer(lexicon_files=(str(rules),))
    assert a.lexicon is focusshift_pipes(nlp)[0].lexicon
    markers, context = focusshift_pipes(nlp)
    assert context is not None and context.lexicon is markers.lexicon
    assert calls == [(str(rules),)]


def test_saved_pipeline_keeps_its_rules(tmp_path, analyzer, shift_transcript):
    rules = tmp_path / "mine.jsonl"
    rules.write_text('{"id": "mine_1", "label": "client_caretaking", "subtype": "checking", '
                     '"role": "client", "source": "speech", '
                     '"pattern": [{"LOWER": "zorbly"}, {"LOWER": "wibble"}]}\n', "utf-8")
    nlp = own_pipeline()
    nlp.remove_pipe("focusshift_markers")
    nlp.remove_pipe("focusshift_context")
    nlp.add_pipe("focusshift_markers", config={"lexicon_files": [str(rules)]})
    nlp.add_pipe("focusshift_context", config={"lexicon_files": [str(rules)]})
    before = focusshift_pipes(nlp)[0].ensure_rules()
    nlp.to_disk(tmp_path / "pipeline")
    rules.unlink()  # the saved pipeline must not need the original file

    loaded = spacy.load(tmp_path / "pipeline")
    markers, context = focusshift_pipes(loaded)
    assert markers.lexicon is not None, "from_disk loads the rules"
    assert markers.lexicon.markers == before.markers
    assert context is not None and context.lexicon.context == before.context
    assert "mine_1" in markers.lexicon.markers
    doc = loaded("zorbly wibble")
    assert [s.id_ for s in doc.spans[SPANS_KEY]] == ["mine_1"]
    expected = find_events(shift_transcript, nlp, analyzer.config)
    assert find_events(shift_transcript, loaded, analyzer.config) == expected


def test_component_initialises_itself_on_first_use():
    nlp = spacy.blank("en")
    nlp.add_pipe("focusshift_markers")
    markers = nlp.get_pipe("focusshift_markers")
    assert isinstance(markers, components.MarkerMatcher) and markers.lexicon is None
    doc = nlp("are you okay?")
    assert markers.lexicon is not None
    assert SPANS_KEY in doc.spans
