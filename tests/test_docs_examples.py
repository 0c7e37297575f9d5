"""Every Python example in the README's library section and in docs/api.md runs as written."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_transcripts"


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text("utf-8"), flags=re.S)


def readme_library_example() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Library use", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's library section has a Python example"
    return blocks[0]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copy(SAMPLES / "03_full_shift_recovery.txt", tmp_path / "session.txt")
    shutil.copytree(SAMPLES, tmp_path / "transcripts")
    shutil.copytree(SAMPLES, tmp_path / "sample_transcripts")
    gold = {
        "03_full_shift_recovery.txt": {"therapist_emotion": [], "client_caretaking": [], "segments": []},
        "01_no_shift.txt": {"therapist_emotion": [], "client_caretaking": [], "segments": []},
    }
    (tmp_path / "transcripts" / "gold.json").write_text(json.dumps(gold), "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_library_example_is_five_lines_and_runs(workdir, capsys):
    code = readme_library_example()
    lines = [ln for ln in code.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert len(lines) <= 6, code  # the import and five lines
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.strip(), "the example prints what it found"


@pytest.mark.parametrize("index", range(len(python_blocks(ROOT / "docs" / "api.md"))))
def test_api_doc_example_runs(workdir, capsys, index):
    code = python_blocks(ROOT / "docs" / "api.md")[index]
    exec(compile(code, f"docs/api.md example {index + 1}", "exec"), {})
    assert capsys.readouterr().out.strip(), "each example prints something"


def test_api_doc_names_every_public_function():
    import focusshift

    doc = (ROOT / "docs" / "api.md").read_text("utf-8")
    for name in ("Options", "analyze", "analyze_many", "validate", "evaluate", "write_report",
                 "write_results", "to_rows", "to_frame", "find_events", "caseload"):
        assert name in focusshift.__all__
        assert f"focusshift.{name}" in doc or f"## {name}" in doc, name


def test_public_names_stay_functions_after_every_module_is_imported():
    """A submodule named like a function (focusshift.evaluate) would replace it on import."""
    import importlib
    import pkgutil
    import types

    import focusshift

    for info in pkgutil.walk_packages(focusshift.__path__, "focusshift."):
        if ".cli" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    for name in focusshift.__all__:
        assert not isinstance(getattr(focusshift, name), types.ModuleType), name


def test_segment_by_shows_in_the_output_config(workdir):
    analysis = __import__("focusshift").analyze("session.txt", segment_by="turns:5", detector="rules")
    assert analysis.config["segment"]["by"] == "turns:5"
