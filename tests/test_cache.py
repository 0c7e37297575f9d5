"""Rule tables kept between runs: same results from the cache, and any cache problem means building again."""

from __future__ import annotations

import pickle

from focusshift.pipeline.cache import cache_dir, cached, fingerprint
from focusshift.pipeline.components import focusshift_pipes
from focusshift.pipeline.nlp import blank_english

TEXTS = ["are you okay? I was crying", "we talked about the plan", "I don't want to put this on you",
         "let's go back to what you said", "it's okay, take your time"]


def _prefilter(tmp_path, monkeypatch, folder):
    monkeypatch.setenv("FOCUSSHIFT_CACHE_DIR", str(folder))
    nlp = blank_english()
    nlp.add_pipe("focusshift_markers")
    markers, _ = focusshift_pipes(nlp)
    return markers.chunker(nlp).prefilter


def test_cache_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FOCUSSHIFT_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    monkeypatch.setenv("FOCUSSHIFT_CACHE_DIR", "")
    assert cache_dir() is None
    monkeypatch.delenv("FOCUSSHIFT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "focusshift"


def test_a_cached_prefilter_answers_as_a_built_one(tmp_path, monkeypatch):
    built = _prefilter(tmp_path, monkeypatch, tmp_path / "c")
    files = list((tmp_path / "c").glob("text-prefilter-*.pickle"))
    assert len(files) == 1
    loaded = _prefilter(tmp_path, monkeypatch, tmp_path / "c")
    fresh = _prefilter(tmp_path, monkeypatch, "")
    for text in TEXTS:
        assert loaded.possible(text, "speech") == built.possible(text, "speech") == fresh.possible(text, "speech")


def test_a_damaged_cache_file_is_built_again(tmp_path, monkeypatch):
    _prefilter(tmp_path, monkeypatch, tmp_path / "c")
    (path,) = (tmp_path / "c").glob("text-prefilter-*.pickle")
    path.write_bytes(b"not a pickle")
    again = _prefilter(tmp_path, monkeypatch, tmp_path / "c")
    assert again.possible(TEXTS[0], "speech")
    assert pickle.loads(path.read_bytes()).possible(TEXTS[0], "speech") == again.possible(TEXTS[0], "speech")


def test_an_unwritable_cache_folder_changes_nothing(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert cached("t", "k", lambda: {"built": True}) == {"built": True}  # the test run's folder
    monkeypatch.setenv("FOCUSSHIFT_CACHE_DIR", str(blocked / "sub"))
    assert cached("t", "k", lambda: {"built": 1}) == {"built": 1}
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))


def test_the_key_changes_with_the_rules():
    assert fingerprint(["rule a"], True) != fingerprint(["rule b"], True)
    assert fingerprint(["rule a"], True) != fingerprint(["rule a"], False)
    assert fingerprint(["rule a"], True) == fingerprint(["rule a"], True)


def test_the_key_changes_with_the_code_that_builds_the_table(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("class Table: pass\n")
    b.write_text("class Table:\n    slots = 1\n")
    assert fingerprint(["rules"], code=str(a)) != fingerprint(["rules"], code=str(b))


def test_only_the_most_recently_used_tables_of_a_kind_are_kept(tmp_path, monkeypatch):
    import os

    from focusshift.pipeline import cache

    monkeypatch.setenv("FOCUSSHIFT_CACHE_DIR", str(tmp_path))
    for n in range(cache.KEEP + 3):
        assert cache.cached("demo", f"key{n}", lambda n=n: {"n": n}) == {"n": n}
        os.utime(tmp_path / f"demo-key{n}.pickle", (1000 + n, 1000 + n))  # one a second, in order
    (tmp_path / "other-key0.pickle").write_bytes(b"")  # another kind is left alone
    assert cache.cached("demo", "key0", lambda: "rebuilt") == "rebuilt"  # key0 was the oldest: gone
    kept = sorted(p.name for p in tmp_path.glob("demo-*.pickle"))
    assert len(kept) == cache.KEEP and "demo-key0.pickle" in kept and "demo-key3.pickle" not in kept
    assert (tmp_path / "other-key0.pickle").exists()
    assert cache.cached("demo", "key10", lambda: "rebuilt") == {"n": 10}  # a kept one loads
