"""Building the spaCy pipeline: offline only, blank English by default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import FocusshiftError
from .rules import file_stamps, rules_for

MARKERS = "focusshift_markers"
CONTEXT = "focusshift_context"
CASEFOLD = "focusshift_casefold_lemmas"
LEMMAS = "focusshift_lookup_lemmas"


_CACHE: dict[tuple, object] = {}


def _key(model: str | None, files: Sequence[str | Path]) -> tuple:
    return (model, file_stamps(files))


SHARED_TOKENIZER = "focusshift.english_tokenizer.v1"
_ENGLISH: list = []


def english_tokenizer():  # -> spacy.tokenizer.Tokenizer
    """spaCy's English tokenizer, made once per process and shared by focusshift's pipelines.

    Making one costs about 0.1 s (4,000 special cases); the rule pipeline and
    the caretaking classifier use the same rules, so they share one instance
    and its vocabulary.
    """
    if not _ENGLISH:
        import spacy

        _ENGLISH.append(spacy.blank("en").tokenizer)
    return _ENGLISH[0]


def shared_tokenizer_factory():  # noqa: ANN201  (spaCy's registry signature: () -> (nlp -> Tokenizer))
    """The tokenizer of focusshift's pipelines: the shared instance for a pipeline built on its
    vocabulary (blank_english, the classifier), else spaCy's English tokenizer made for the
    pipeline's own vocabulary (a saved pipeline loaded with spacy.load, through the
    `spacy_tokenizers` entry point, never changes the shared one)."""
    from spacy.util import registry

    standard = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp):  # noqa: ANN001, ANN202
        shared = english_tokenizer()
        return shared if nlp.vocab is shared.vocab else standard(nlp)

    return make


def register_shared_tokenizer() -> None:
    from spacy.util import registry

    if SHARED_TOKENIZER not in registry.tokenizers:
        registry.tokenizers.register(SHARED_TOKENIZER, func=shared_tokenizer_factory)


def blank_english():  # -> spacy.Language
    """A blank English pipeline on the shared tokenizer and vocabulary."""
    import spacy

    register_shared_tokenizer()
    tokenizer = english_tokenizer()
    return spacy.blank("en", vocab=tokenizer.vocab, config={"nlp": {"tokenizer": {"@tokenizers": SHARED_TOKENIZER}}})


def build_nlp(model: str | None = None, lexicon_files: Sequence[str | Path] = ()):  # -> Language
    """The pipeline for these settings, built once per process (it takes about a second)."""
    key = _key(model, lexicon_files)
    if key not in _CACHE:
        _CACHE[key] = _build(model, lexicon_files)
    return _CACHE[key]


def _build(model: str | None, lexicon_files: Sequence[str | Path]):  # -> Language
    """A blank English pipeline with the lookup lemmatizer, or an installed/saved one.

    Nothing is ever downloaded: a model name must be an installed package or a
    path on disk, and the lookup tables come from the spacy-lookups-data package.
    """
    import spacy

    from . import components  # noqa: F401  (registers the factories)

    files = [str(p) for p in lexicon_files]
    if model is None:
        nlp = blank_english()
        nlp.add_pipe("focusshift_sentencizer", name="sentencizer")  # spaCy's rule, read from arrays
        try:
            nlp.add_pipe(LEMMAS).lemma("cried")  # the lookup lemmatizer, case-folded, vectorised
        except (ValueError, OSError, ImportError) as exc:
            raise FocusshiftError(
                "the lookup lemmatizer needs the spacy-lookups-data package "
                f"(pip install spacy-lookups-data): {exc}"
            ) from None
    else:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            raise FocusshiftError(
                f"cannot load spaCy pipeline {model!r}: it must be an installed package "
                "or a saved pipeline folder (focusshift never downloads models). "
                f"spaCy said: {str(exc).splitlines()[0][:200]}"
            ) from None
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer", first=True)
    if not nlp.has_pipe(CASEFOLD) and not nlp.has_pipe(LEMMAS):
        nlp.add_pipe(CASEFOLD)
    for name in (MARKERS, CONTEXT):
        if nlp.has_pipe(name):
            if files:
                nlp.remove_pipe(name)
            else:
                continue
        config: dict = {"lexicon_files": files}
        if name == MARKERS:
            config["exact_lemmas"] = model is None
        nlp.add_pipe(name, config=config).initialize(lexicon=rules_for(files))
    return nlp
