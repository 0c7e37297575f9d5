"""The JSON output is a checked contract: focusshift/schema/*.schema.json against real output and the docs.

- the schemas are valid draft 2020-12, every property has a description, every
  object says whether it takes fields it does not name;
- every golden file, and the JSON / JSON Lines / ConvoKit output of `focusshift
  analyze` over every input format and the options that change the output
  (--no-text, roles, --allow-unassessed, a batch with failing files, stdin,
  --config, --detector ...), and the JSON of `validate` and `evaluate`, validate;
- the schemas can fail: an extra field, a wrong type, a missing field are rejected;
- docs/output.md's field tables name exactly the schema's fields, and its
  example runs.

Each command runs once (module-scoped cache), in-process (-j 1).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from focusshift.cli import cli
from focusshift.schema import NAMES, load

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "sample_transcripts"
GOLDEN = sorted((DATA / "golden").glob("*.json"))
DOC = ROOT / "docs" / "output.md"
SCHEMA_DIR = ROOT / "focusshift" / "schema"

NAMED = "Sam: I had a rough week honestly.\nAlex: Tell me more about that.\n" \
        "Sam: My mother called again and I felt small.\nAlex: That sounds painful.\n"
HEADERS = "@title: Headers kept as strings\n@attendees: Maya, Sam\n@participants: two\n@session_number: 3\n" \
          "@transcript: s9\n@date: 2024-05-02\nT: [voice catches] Sorry. Give me a moment.\n" \
          "C: Are you okay? I'm sorry, I didn't mean to upset you.\nT: Thank you. Let's come back to you.\n" \
          "C: I keep thinking about my dad and how I never told him.\n"
CONFIG = "[shift]\nwindow = 2\n[scoring]\nshift_turn_weight = 1\n[weights.client_caretaking]\ncheck_in = 0.3\n" \
         "[roles]\n\"Alex\" = \"therapist\"\n"


# --- the inputs and the runs -----------------------------------------------------------------


@pytest.fixture(scope="module")
def extra(tmp_path_factory) -> Path:
    """Inputs the repository has no file for: named speakers, one speaker, header strings, broken files."""
    d = tmp_path_factory.mktemp("inputs")
    (d / "named.txt").write_text(NAMED, "utf-8")
    (d / "one_speaker.txt").write_text("T: Hello, how has the week been?\n", "utf-8")
    (d / "headers.txt").write_text(HEADERS, "utf-8")
    (d / "empty.txt").write_text("", "utf-8")
    (d / "broken.cha").write_bytes(b"\x00\x01\x02\x03 not a transcript")
    (d / "not_whisper.json").write_text('{"segments": 5}', "utf-8")
    (d / "focusshift.toml").write_text(CONFIG, "utf-8")
    return d


def _runs(x: Path) -> dict[str, tuple[list[str], str | None]]:
    """Run id -> (arguments after `analyze`, stdin). Every reader, and every option that changes the JSON."""
    formats, roles = DATA / "formats", DATA / "roles" / "train" / "author_a"
    s03, s06 = SAMPLES / "03_full_shift_recovery.txt", SAMPLES / "06_no_headings.txt"
    truncated = formats / "docx" / "truncated.docx"
    batch = [s03, x / "broken.cha", x / "empty.txt", x / "not_whisper.json", truncated]  # one good, four failing
    runs: dict[str, tuple[list[Any], str | None]] = {
        "samples": ([SAMPLES], None),
        "formats": ([formats, DATA / "reader"], None),  # every reader, and files that fail
        "formats-no-text": ([formats, "--no-text"], None),
        "explain": ([s03, "--explain"], None),
        "unassessed": ([x / "named.txt", x / "one_speaker.txt", "--no-infer-roles", "--fail-under", "50",
                        "--allow-unassessed"], None),
        "unassessed-no-text": ([x / "named.txt", "--no-infer-roles", "--no-text"], None),
        "roles-cli": ([x / "named.txt", "--role", "Sam=client", "--role", "Alex=therapist"], None),
        "roles-therapist": ([x / "named.txt", "--therapist", "Alex"], None),
        "roles-inferred": ([x / "named.txt", roles, "--glob", "*.txt"], None),  # not its roles.json
        "batch-with-failures": (batch, None),
        "detector-rules": ([SAMPLES, "--detector", "rules"], None),
        "detector-model": ([SAMPLES, "--detector", "model"], None),
        "detector-model-no-text": ([s03, "--detector", "model", "--no-text"], None),
        "min-confidence": ([s03, "--min-confidence", "0.9"], None),
        "config": ([s06, x / "named.txt", "--config", x / "focusshift.toml", "--segment-by", "turns:5"], None),
        "headers": ([x / "headers.txt"], None),
        "stdin": (["-"], s03.read_text("utf-8")),
    }
    return {k: ([str(a) for a in args], stdin) for k, (args, stdin) in runs.items()}


RUN_IDS = ("samples", "formats", "formats-no-text", "explain", "unassessed", "unassessed-no-text", "roles-cli",
           "roles-therapist", "roles-inferred", "batch-with-failures", "detector-rules", "detector-model",
           "detector-model-no-text", "min-confidence", "config", "headers", "stdin")
FAILING = {"formats", "formats-no-text", "batch-with-failures"}  # runs with a file that cannot be read: exit 2


@pytest.fixture(scope="module")
def invoke(extra):
    """invoke(command, args, stdin) -> (exit code, stdout), each distinct call run once for the module."""
    runner = CliRunner()
    cache: dict[tuple, tuple[int, str]] = {}

    def _invoke(command: str, args: list[str], stdin: str | None = None) -> tuple[int, str]:
        key = (command, *args, stdin)
        if key not in cache:
            in_process = ["-j", "1", "-q"] if command == "analyze" else []
            r = runner.invoke(cli, [command, *args, *in_process], input=stdin, catch_exceptions=False)
            cache[key] = (r.exit_code, r.stdout)
        return cache[key]

    return _invoke


@pytest.fixture(scope="module")
def analyze(invoke, extra):
    """analyze(run id, format) -> (exit code, the parsed results: a list of objects for json and jsonl)."""
    runs = _runs(extra)
    assert set(runs) == set(RUN_IDS)

    def _analyze(run: str, fmt: str) -> tuple[int, list[dict[str, Any]]]:
        args, stdin = runs[run]
        code, out = invoke("analyze", [*args, "-f", fmt], stdin)
        if fmt == "json":
            return code, json.loads(out)
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    return _analyze


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    return {name: Draft202012Validator(load(name)) for name in NAMES}


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(doc)][:10]


# --- the schemas themselves ------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name):
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (SCHEMA_DIR / f"{name}.schema.json").is_file()


def _subschemas(node: Any, path: str = "#"):
    """Every (path, subschema) of a schema, recursively."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("properties", "$defs", "patternProperties"):
                for k, sub in value.items():
                    yield from _subschemas(sub, f"{path}/{key}/{k}")
            elif key in ("items", "additionalProperties", "not", "if", "then", "else", "propertyNames"):
                yield from _subschemas(value, f"{path}/{key}")
            elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                for i, sub in enumerate(value):
                    yield from _subschemas(sub, f"{path}/{key}/{i}")


@pytest.mark.parametrize("name", NAMES)
def test_every_property_is_described_and_every_object_is_closed(name):
    constraints = ("#/$defs/Analysed", "#/$defs/Failed") if name == "analysis-1" else ()
    checked = 0
    for path, sub in _subschemas(load(name)):
        if {"if", "then", "else", "not"} & set(path.split("/")) or path.startswith(constraints):
            continue  # conditions between fields, not fields
        if "properties" in sub:
            checked += 1
            missing = [k for k, v in sub["properties"].items() if "description" not in v]
            assert not missing, f"{name} {path}: no description for {missing}"
            assert "additionalProperties" in sub, f"{name} {path}: say whether other fields are allowed"
    assert checked >= 2


def test_load_reads_the_packaged_file():
    assert load() == json.loads((SCHEMA_DIR / "analysis-1.schema.json").read_text("utf-8"))
    with pytest.raises(ValueError, match="unknown schema"):
        load("analysis-0")


def test_enums_match_the_code():
    """A category, condition, modifier, format or role source added to the code must be added to the schema."""
    from focusshift.config import load_config
    from focusshift.formats import FORMATS
    from focusshift.lexicon import CONDITIONS, CONTEXT_CATEGORIES
    from focusshift.model import CATEGORIES, ROLES, THERAPIST_REPAIR
    from focusshift.roles import CLI, DECLARED, INFERRED, LABEL

    defs = load()["$defs"]
    ev = defs["Event"]["properties"]
    assert set(ev["category"]["enum"]) == {*CATEGORIES, THERAPIST_REPAIR}
    assert set(defs["CategoryCounts"]["required"]) == {*CATEGORIES, THERAPIST_REPAIR}
    assert set(ev["condition"]["enum"]) == {*CONDITIONS, "model"}
    assert set(ev["modifiers"]["items"]["enum"]) == set(CONTEXT_CATEGORIES)
    assert set(defs["Result"]["properties"]["format"]["enum"]) == {*FORMATS, None}
    assert set(defs["Speaker"]["properties"]["role"]["enum"]) == set(ROLES) == set(defs["ByRole"]["required"])
    assert set(defs["Speaker"]["properties"]["role_source"]["enum"]) == {CLI, DECLARED, LABEL, INFERRED, None}
    config = Draft202012Validator({"$defs": defs, "$ref": "#/$defs/Config"})
    assert not _errors(config, load_config().as_dict())


# --- real output validates -------------------------------------------------------------------


def test_there_are_golden_files():
    assert len(GOLDEN) >= 6


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.name)
def test_golden_file_validates(validators, golden):
    doc = json.loads(golden.read_text("utf-8"))  # one whole analysis object, as analysis_to_dict makes it
    assert doc["schema"] == "focusshift.analysis/1"
    assert not _errors(validators["analysis-1"], doc)


@pytest.mark.parametrize("fmt", ("json", "jsonl"))
@pytest.mark.parametrize("run", RUN_IDS)
def test_analyze_output_validates(validators, analyze, run, fmt):
    code, results = analyze(run, fmt)
    assert code == (2 if run in FAILING else 0), run
    assert results
    v = validators["analysis-1"]
    for r in results:
        assert not _errors(v, r), r["path"]
    if fmt == "json":  # the whole document, as the schema accepts it too
        assert v.is_valid(results)


@pytest.mark.parametrize("run", RUN_IDS)
def test_json_and_jsonl_hold_the_same_objects(analyze, run):
    assert analyze(run, "json")[1] == analyze(run, "jsonl")[1]


def test_the_runs_cover_every_reader_and_every_kind_of_result(analyze):
    results = [r for run in RUN_IDS for r in analyze(run, "jsonl")[1]]
    enum = load()["$defs"]["Result"]["properties"]["format"]["enum"]
    assert {r["format"] for r in results} == set(enum), "an input format no run reads"
    events = [e for r in results for e in r["events"]]
    speakers = [s for r in results for s in r["speakers"]]
    assert {e["source"] for e in events} == {"rule", "model"}
    assert {e["channel"] for e in events} == {"speech", "annotation"}
    assert {e["category"] for e in events} == {"therapist_emotion", "client_caretaking", "therapist_repair"}
    assert any(e["evidence"].get("words") is None for e in events if e["source"] == "model")  # --no-text
    assert {s["role_source"] for s in speakers} == {"cli", "declared", "label", "inferred", None}
    assert any(r["summary"] is None for r in results), "a file that failed"
    assert any(r["summary"] and not r["assessable"] for r in results), "a session not assessed"
    assert any(r["shifts"] for r in results) and any(r["meta"].get("participants") for r in results)
    assert any(isinstance(r["meta"].get("attendees"), list) for r in results)
    assert any(isinstance(r["meta"].get("attendees"), str) for r in results)
    assert any(e["line"] is None for r in results for e in r["errors"])


def test_a_failed_file_has_its_error_and_nothing_else(analyze):
    code, results = analyze("batch-with-failures", "json")
    assert code == 2 and len(results) == 5
    good, *failed = results
    assert good["summary"] is not None and "config" in good and not good["errors"]
    for r in failed:
        assert r["summary"] is None and r["errors"] and r["reason"] == r["errors"][0]["message"]
        assert "config" not in r  # docs/output.md says so; the schema rejects a failure with a config


def test_unassessed_session_has_no_score(analyze):
    _, results = analyze("unassessed", "json")
    assert [r["assessable"] for r in results] == [False, False]
    assert all(r["summary"]["score"] is None and r["reason"] for r in results)


def test_convokit_lines_validate(validators, invoke):
    v = validators["convokit-1"]
    for extra_args in ([], ["--no-text"]):
        code, out = invoke("analyze", [str(DATA / "formats"), str(SAMPLES), "-f", "convokit", *extra_args])
        lines = [json.loads(line) for line in out.splitlines()]
        assert code == 2 and len(lines) > 500
        for u in lines:
            assert not _errors(v, u), u["id"]


def test_validate_json_validates(validators, invoke, extra):
    code, out = invoke("validate", [str(DATA / "formats"), str(SAMPLES), str(extra), "-f", "json"])
    docs = json.loads(out)
    assert code == 2 and any("format" not in d for d in docs) and any("format" in d for d in docs)
    assert not _errors(validators["validate-1"], docs)


@pytest.mark.parametrize("no_text", ([], ["--no-text"]))
def test_evaluate_json_validates(validators, invoke, no_text):
    dev = DATA / "devset" / "dev"
    code, out = invoke("evaluate", [str(dev), "--gold", str(dev / "gold.json"), "--glob", "d[12]*.txt", "-f", "json",
                                    *no_text])
    doc = json.loads(out)
    assert code == 0 and doc["files"] >= 10 and doc["false_positives"] and doc["misses"]
    assert not _errors(validators["evaluate-1"], doc)


# --- the schema can fail ---------------------------------------------------------------------


def _base() -> dict[str, Any]:
    doc = json.loads((DATA / "golden" / "03_full_shift_recovery.json").read_text("utf-8"))
    assert doc["events"] and doc["shifts"] and doc["segments"]
    return doc


def _failure() -> dict[str, Any]:
    return {"schema": "focusshift.analysis/1", "path": "x.cha", "format": None, "meta": {}, "speakers": [],
            "assessable": False, "reason": "the file is empty", "segments": [], "events": [], "shifts": [],
            "summary": None, "warnings": [], "errors": [{"line": 1, "message": "the file is empty"}]}


def _set(path: str, value: Any):
    def change(doc):
        *parents, last = path.split("/")
        node = doc
        for p in parents:
            node = node[int(p) if p.isdigit() else p]
        node[int(last) if last.isdigit() else last] = value
    return change


def _drop(path: str):
    def change(doc):
        *parents, last = path.split("/")
        node = doc
        for p in parents:
            node = node[int(p) if p.isdigit() else p]
        del node[last]
    return change


BROKEN = {
    # an undocumented field, anywhere
    "extra top-level field": ("", _set("score", 80.0)),
    "extra event field": ("events/0", _set("events/0/severity", "high")),
    "extra segment field": ("segments/0", _set("segments/0/mean", 1.0)),
    "extra speaker field": ("speakers/0", _set("speakers/0/speaker", "Therapist")),
    "extra shift field": ("shifts/0", _set("shifts/0/length", 3)),
    "extra summary field": ("summary", _set("summary/median", 90.0)),
    "extra count": ("segments/0/counts", _set("segments/0/counts/therapist_anger", 0)),
    "extra config field": ("config", _set("config/detector", "both")),
    "extra evidence field": ("events/0/evidence", _set("events/0/evidence/pattern", "cry")),
    "extra warning field": ("warnings/1", lambda d: d["warnings"].append({"line": 1, "message": "m", "level": "x"})),
    # a wrong type
    "score as a string": ("segments/1/score", _set("segments/1/score", "65.91")),
    "line as a string": ("events/0/line", _set("events/0/line", "16")),
    "units not an integer": ("summary/units", _set("summary/units", 40.5)),
    "span of three": ("events/0/span", _set("events/0/span", [1, 2, 3])),
    "assessable as a string": ("assessable", _set("assessable", "true")),
    "null category": ("events/0/category", _set("events/0/category", None)),
    "null segment index": ("segments/0/index", _set("segments/0/index", None)),
    "score above 100": ("segments/0/score", _set("segments/0/score", 120)),
    "meta header as a number": ("meta/session", _set("meta/session", 9)),
    # a value outside its enum
    "unknown category": ("events/0/category", _set("events/0/category", "therapist_sadness")),
    "unknown role": ("speakers/0/role", _set("speakers/0/role", "counsellor")),
    "unknown ended_by": ("shifts/0/ended_by", _set("shifts/0/ended_by", "timeout")),
    "unknown format": ("format", _set("format", "pdf")),
    "another schema id": ("schema", _set("schema", "focusshift.analysis/2")),
    # a missing field
    "no summary": ("", _drop("summary")),
    "no config": ("", _drop("config")),
    "event without rule": ("events/0", _drop("events/0/rule")),
    "counts without repair": ("segments/0/counts", _drop("segments/0/counts/therapist_repair")),
    "speaker without role_source": ("speakers/0", _drop("speakers/0/role_source")),
    # fields that disagree
    "assessable with a null score": ("", _set("summary/score", None)),
    "errors on an analyzed file": ("", lambda d: d["errors"].append({"line": None, "message": "x"})),
    "inferred role without confidence": ("speakers/0", _set("speakers/0/role_source", "inferred")),
    "model evidence on a rule event": ("events/0", _set("events/0/evidence", {"probability": 0.9, "words": []})),
    "caretaking by the therapist": ("events/0", _set("events/0/category", "client_caretaking")),
    "repair that is not repaired": ("shifts/0", lambda d: d["shifts"][0].update(ended_by="repair", repaired=False)),
}


def test_the_base_document_validates(validators):
    doc = _base()
    doc["warnings"].append({"line": None, "message": "a warning"})
    assert not _errors(validators["analysis-1"], doc)
    assert not _errors(validators["analysis-1"], _failure())
    assert not _errors(validators["analysis-1"], [doc, _failure()])


@pytest.mark.parametrize("case", BROKEN)
def test_schema_rejects(validators, case):
    where, change = BROKEN[case]
    doc = _base()
    doc["warnings"].append({"line": None, "message": "a warning"})
    change(doc)
    v = validators["analysis-1"]
    assert not v.is_valid(doc), case
    assert not v.is_valid([_base(), doc]), f"{case}, inside the --format json array"
    paths = ["/".join(map(str, e.absolute_path)) for e in _flatten(v.iter_errors(doc))]
    assert any(p.startswith(where) for p in paths), (case, paths)  # rejected for the right field
    assert best_match(v.iter_errors(doc)) is not None


def _flatten(errors):
    for e in errors:
        yield e
        yield from _flatten(e.context)


FAILURE_WITH_ANALYSIS = {
    "config": lambda d, base: d.update(config=base["config"]),
    "format": lambda d, base: d.update(format="native"),
    "segments": lambda d, base: d.update(segments=base["segments"]),
    "no errors": lambda d, base: d.update(errors=[]),
    "assessable": lambda d, base: d.update(assessable=True, reason=None),
    "meta": lambda d, base: d.update(meta=base["meta"]),
}


@pytest.mark.parametrize("case", FAILURE_WITH_ANALYSIS)
def test_schema_rejects_a_failure_that_carries_analysis(validators, case):
    doc = _failure()
    FAILURE_WITH_ANALYSIS[case](doc, _base())
    assert not validators["analysis-1"].is_valid(doc), case


# --- docs/output.md --------------------------------------------------------------------------

# Each `### heading` in docs/output.md whose table has a `field` column -> the schema object it documents.
TABLES = {
    "Result": ("analysis-1", "Result"),
    "Meta": ("analysis-1", "Meta"),
    "Speaker": ("analysis-1", "Speaker"),
    "Segment": ("analysis-1", "Segment"),
    "Event": ("analysis-1", "Event"),
    "Shift": ("analysis-1", "Shift"),
    "Summary": ("analysis-1", "Summary"),
    "Config": ("analysis-1", "Config"),
    "Warnings and errors": ("analysis-1", "Message"),
    "Validated session": ("validate-1", "Session"),
    "Evaluation": ("evaluate-1", None),
    "Counts": ("evaluate-1", "Counts"),
    "Utterance": ("convokit-1", "Utterance"),
}


def _doc_tables() -> dict[str, list[list[str]]]:
    """`### heading` -> the rows (first cell's backticked names) of its table whose first column is `field`."""
    tables: dict[str, list[list[str]]] = {}
    heading = None
    header_seen = False
    for line in DOC.read_text("utf-8").splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip() if line.startswith("### ") else None
            header_seen = False
            continue
        if heading is None or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not header_seen:
            header_seen = True
            if cells[0] == "field":
                assert heading not in tables, f"two field tables under ### {heading}"
                tables[heading] = []
            continue
        if heading in tables and not set(cells[0]) <= set("-: "):
            names = re.findall(r"`([^`]+)`", cells[0])
            assert names, f"### {heading}: a row without a `field`: {line}"
            tables[heading].append(names)
    return tables


def _object(name: str, def_name: str | None) -> dict[str, Any]:
    schema = load(name)
    return schema if def_name is None else schema["$defs"][def_name]


def _resolve(schema: dict[str, Any], obj: dict[str, Any], dotted: str) -> dict[str, Any] | None:
    for part in dotted.split("."):
        while "$ref" in obj and "properties" not in obj:
            obj = schema["$defs"][obj["$ref"].rsplit("/", 1)[1]]
        obj = obj.get("properties", {}).get(part)
        if obj is None:
            return None
    return obj


def test_docs_have_a_table_for_every_documented_object():
    tables = _doc_tables()
    assert set(tables) == set(TABLES), "a field table that the test does not map to the schema, or one missing"


@pytest.mark.parametrize("heading", TABLES)
def test_docs_table_names_exactly_the_schema_fields(heading):
    name, def_name = TABLES[heading]
    schema, obj = load(name), _object(name, def_name)
    rows = _doc_tables()[heading]
    documented = [n.removesuffix("[]") for row in rows for n in row]
    unknown = [n for n in documented if _resolve(schema, obj, n) is None]
    assert not unknown, f"### {heading} documents fields the schema does not have: {unknown}"
    top = {n.split(".")[0] for n in documented}
    assert top == set(obj["properties"]), (
        f"### {heading}: undocumented {sorted(set(obj['properties']) - top)}, "
        f"not in the schema {sorted(top - set(obj['properties']))}")


def _section(text: str, title: str) -> str:
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _property_names(schema: dict[str, Any]) -> set[str]:
    return {k for _path, sub in _subschemas(schema) for k in sub.get("properties", {})}


@pytest.mark.parametrize("name", NAMES)
def test_every_schema_field_is_named_in_the_docs(name):
    text = DOC.read_text("utf-8")
    where = _section(text, "JSON and JSON Lines") if name == "analysis-1" else text
    tokens = {t for span in re.findall(r"`([^`\n]+)`", where) for t in re.findall(r"[A-Za-z_][\w>]*", span)}
    missing = sorted(_property_names(load(name)) - tokens)
    assert not missing, f"{name}: fields docs/output.md never names: {missing}"


def test_docs_name_the_schema_files_and_the_example_runs(analyze, tmp_path, monkeypatch, capsys):
    text = DOC.read_text("utf-8")
    for name in NAMES:
        assert f"focusshift/schema/{name}.schema.json" in text or f"`{name}.schema.json`" in text, name
    blocks = re.findall(r"```python\n(.*?)```", _section(text, "JSON and JSON Lines"), flags=re.S)
    assert len(blocks) == 1
    _, results = analyze("batch-with-failures", "jsonl")
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results), "utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "docs/output.md", "exec"), {})
    assert "matches focusshift.analysis/1" in capsys.readouterr().out
    broken = copy.deepcopy(results)
    broken[0]["events"][0]["category"] = "therapist_sadness"
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in broken), "utf-8")
    with pytest.raises(Exception, match="therapist_sadness"):
        exec(compile(blocks[0], "docs/output.md", "exec"), {})
