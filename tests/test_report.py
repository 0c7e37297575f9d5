"""`focusshift report`: self-contained HTML, escaping, --no-text, folders with an index, errors,
and the pages opened in a real headless Chromium (Playwright: tests/browser/driver.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from focusshift.cli import EXIT_ERROR, EXIT_OK, cli
from focusshift.report import safe_name
from focusshift.model import CLIENT_CARETAKING, THERAPIST_EMOTION

from .conftest import SAMPLES

SAMPLE = SAMPLES / "03_full_shift_recovery.txt"

SHIFT = "T: [crying] Oh.\nC: Are you okay? I'm sorry, I didn't mean to upset you.\nC: My week was hard for me.\n"
CALM = "T: How was the week?\nC: Fine, busy at work.\n"

# Everything in here must come out as inert text.
HOSTILE = """@title: </title><script>alert(1)</script><!--
@note: javascript:alert(1) "><img src=x onerror=alert(1)>
@therapist: T
@client: C
@"><b onclick=alert(9)>: '><svg onload=alert(1)>

## <img src=x onerror=alert(2)> </style> & <style>body{display:none}</style>
T: [crying] <script>window.__pwned=1;alert(document.cookie)</script> oh. "><img src=x onerror="window.__pwned=1">
C: Are you okay? </style><script>alert(3)</script> javascript:alert(1) I'm sorry, I didn't mean to upset you.
[<iframe src=javascript:alert(4)> therapist wipes her eyes] "><svg/onload=alert(1)>
T: ]]><![CDATA[ <a href="javascript:alert(5)">x</a> &amp; &lt;script&gt; {{7*7}} ${alert(1)} <!-- -->
C: I don't know <style>*{color:red}</style> <link href=//evil.example/a.css rel=stylesheet> 'onmouseover='alert(1)
C: <base href="//evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(6)"> \x07\x1b end
"""


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def invoke(runner, args, **kw):
    return runner.invoke(cli, ["report", *args], catch_exceptions=False, **kw)


class Page(HTMLParser):
    """A parsed page: elements (tag, attrs), text, ids, and the text inside each element with an id."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "embed", "source", "wbr",
            "rect", "circle", "line", "path"}

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.by_id: dict[str, str] = {}
        self.styles: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._in_style = False
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
            self.by_id[a["id"]] = ""
        if tag == "style":
            self._in_style = True
            self.styles.append("")
        if tag not in self.VOID:
            self._open.append((tag, a.get("id")))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data
            return
        self.text.append(data)
        for _tag, ident in self._open:
            if ident:
                self.by_id[ident] += data

    def all(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.elements if t == tag and (cls is None or cls in (a.get("class") or "").split())]

    @property
    def plain(self) -> str:
        return "".join(self.text)


EXTERNAL = re.compile(r"(?i)(https?:|ftp:|file:|data:|javascript:|//[^/\s]|\\\\)")


def assert_self_contained(source: str) -> Page:
    """No script, no fetch: no src/srcset anywhere, links only to #anchors or sibling .html files."""
    page = Page(source)
    tags = {t for t, _ in page.elements}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "form", "audio", "video",
                       "source", "frame", "frameset", "applet"}, tags
    assert re.search(r"(?i)<script|<link\b|@import|url\(|@font-face", "\n".join(page.styles) + source) is None
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert name.lower() not in ("src", "srcset", "xlink:href", "action", "formaction", "background", "poster")
            if name.lower() == "href":
                assert value and not EXTERNAL.search(value), value
                assert value.startswith("#") or re.fullmatch(r"[A-Za-z0-9._%-]+\.html", value), value
    for tag, attrs in page.elements:
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            raise AssertionError("meta refresh")
    # no absolute URL anywhere outside the transcript's own (escaped) text
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", "".join(page.styles))
    return page


def links_resolve(page: Page) -> None:
    for a in page.all("a"):
        href = a.get("href") or ""
        if href.startswith("#"):
            assert href[1:] in page.ids, f"broken anchor {href}"


# --------------------------------------------------------------------------- one session


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "report.html"
    r = CliRunner().invoke(cli, ["report", str(SAMPLE), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == EXIT_OK, r.stderr
    return out


def test_single_session_report_is_self_contained(sample_html):
    source = sample_html.read_text(encoding="utf-8")
    assert source.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in source
    assert "Content-Security-Policy" in source and "default-src 'none'" in source
    assert not re.search(r"(?i)https?://|<script|<link\b|url\(", source)
    page = assert_self_contained(source)
    assert len(page.styles) == 1 and "@media print" in page.styles[0]
    links_resolve(page)
    assert not list(sample_html.parent.glob("*.part"))


def test_report_contents(sample_html, analyzer):
    analysis = analyzer.analyze(SAMPLE)
    page = Page(sample_html.read_text(encoding="utf-8"))
    text = page.plain
    # metadata and summary
    assert "Individual therapy, session 9 - traumatic loss" in text
    assert f"{analysis.score:.1f}" in text and "Focus shifts" in text
    # chart: one column per segment, one dot per event, the shift shaded
    assert len(page.all("rect", "seg-score")) == len(analysis.segments) == 4
    dots = page.all("circle", "ev")
    assert len(dots) == len(analysis.events)
    assert {d["class"].split()[1] for d in dots} >= {"te", "cc"}
    assert len(page.all("rect", "shift")) == len(analysis.shifts) == 1
    red = [r for r in page.all("rect", "seg-score") if "red" in r["class"]]
    assert [r["data-segment"] for r in red] == ["2"]
    # the segment table
    table = page.by_id["segments"]
    assert "The morning of 14 March" in table and "65.9" in table and "100.0" in table
    # every event's exact words are wrapped, with its details on hover
    marks = page.all("mark", "ev")
    assert marks
    for i, e in enumerate(analysis.events):
        assert page.by_id[f"ev-{i}"] == e.text, (i, e)
        mark = next(m for m in marks if m.get("id") == f"ev-{i}")
        assert e.subtype in mark["title"] and e.rule in mark["title"] and f"weight {e.weight:g}" in mark["title"]
        assert _cat_class(e.category) in mark["class"]
    # speakers coloured by role, scene notes as notes, shaded turns
    turns = page.all("div", "turn")
    assert {c for t in turns for c in t["class"].split()} >= {"therapist", "client", "note", "in-shift"}
    notes = [t["id"] for t in turns if "note" in t["class"].split()]
    assert notes and "The therapist is crying; she reaches for a tissue" in page.by_id[notes[0]]
    # legend and the plain-language note
    assert "therapist emotion" in page.by_id["legend"] and "client caretaking" in page.by_id["legend"]
    meaning = page.by_id["meaning"]
    assert "not a rating of the therapist" in meaning and "tears are not harmful" in meaning
    assert "attention" in meaning


def _cat_class(category: str) -> str:
    return {THERAPIST_EMOTION: "te", CLIENT_CARETAKING: "cc"}.get(category, "rp")


def test_score_colours_match_the_terminal(runner, tmp_path):
    from focusshift.render.html import band
    from focusshift.render.table import score_style

    for score in (0, 69.99, 70, 89.9, 90, 100):
        assert band(score) == {"green": "green", "yellow": "amber", "red": "red"}[score_style(score)]


def test_no_text_quotes_nothing_from_the_transcript(runner, tmp_path, analyzer):
    out = tmp_path / "r.html"
    r = invoke(runner, [str(SAMPLE), "-o", str(out), "--no-text"])
    assert r.exit_code == EXIT_OK
    source = out.read_text(encoding="utf-8")
    page = assert_self_contained(source)
    links_resolve(page)
    analysis = analyzer.analyze(SAMPLE)
    body = page.plain + " ".join(v or "" for _, a in page.elements for v in a.values())
    for turn in analysis.transcript.turns:
        for line in turn.text.split("\n"):
            for phrase in re.findall(r"\w[\w' ,.-]{11,}", line):
                assert phrase not in body, phrase
    for e in analysis.events:
        assert e.text not in body, e.text
        assert e.rule in body and e.subtype in body
    for phrase in ("CPR", "Danny", "are you okay", "[crying]", "tissue"):
        assert phrase.lower() not in body.lower()
    # the structure stays: lines, speakers, events by category, the chart
    assert {"L16", "L18", "ev-0", "seg-2"} <= page.ids
    assert "Therapist" in page.plain and "Client" in page.plain and "text omitted" in page.plain
    assert len(page.all("circle", "ev")) == len(analysis.events)
    assert not page.all("mark")


def test_hostile_transcript_is_inert(runner, tmp_path):
    src = tmp_path / "hostile.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "hostile.html"
    r = invoke(runner, [str(src), "-o", str(out)])
    assert r.exit_code == EXIT_OK, r.output
    source = out.read_text(encoding="utf-8")
    page = assert_self_contained(source)
    links_resolve(page)
    assert len(page.styles) == 1 and page.styles[0].strip().startswith(":root")
    assert [t for t, _ in page.elements].count("title") >= 1
    assert page.all("meta", None)[0].get("charset") == "utf-8"
    text = page.plain
    # it is all there, as text
    for s in ("<script>window.__pwned=1;alert(document.cookie)</script>", '"><img src=x onerror="window.__pwned=1">',
              "</style><script>alert(3)</script>", "<iframe src=javascript:alert(4)>", "</title><script>alert(1)</script>",
              "<style>body{display:none}</style>", "&amp; &lt;script&gt;", "'onmouseover='alert(1)"):
        assert s in text, s
    assert "\x07" not in source and "\x1b" not in source
    # and the event on the hostile annotation is still highlighted exactly
    assert page.by_id["ev-0"] == "[crying]"


def test_report_accepts_the_analysis_options(runner, tmp_path):
    src = tmp_path / "named.txt"
    src.write_text("Dr. Lee: [crying] Oh.\nSam: Are you okay? I'm sorry, I didn't mean to upset you.\n" + CALM * 3)
    out = tmp_path / "named.html"
    r = invoke(runner, [str(src), "-o", str(out), "--therapist", "Dr. Lee", "--client", "Sam", "--segment-by", "turns:4"])
    assert r.exit_code == EXIT_OK
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.all("rect", "seg-score")) == 2 and len(page.all("circle", "ev")) >= 2
    r = invoke(runner, [str(src), "-o", str(out), "--config", str(tmp_path / "nope.toml")])
    assert r.exit_code == EXIT_ERROR


def test_stdin_to_a_file(runner, tmp_path):
    out = tmp_path / "stdin.html"
    r = invoke(runner, ["-", "-o", str(out)], input=SHIFT)
    assert r.exit_code == EXIT_OK and Page(out.read_text()).all("mark", "ev")


# --------------------------------------------------------------------------- several sessions


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "a").mkdir(parents=True)
    (d / "b").mkdir()
    (d / "a" / "s1.txt").write_text(SHIFT)
    (d / "b" / "s1.txt").write_text(CALM)
    (d / "index.txt").write_text("T: [voice breaks] sorry.\nC: Take your time, it's okay.\n" + CALM)
    (d / "many.csv").write_text(
        "session_id,speaker,role,text\n"
        "../../evil,T,therapist,[crying] Oh.\n"
        "../../evil,C,client,\"Are you okay? I'm sorry, I didn't mean to upset you.\"\n"
        "<script>,T,therapist,How was the week?\n"
        "<script>,C,client,Fine.\n"
    )
    return d


def test_folder_gives_index_and_one_report_per_session(runner, tmp_path):
    d = _folder(tmp_path)
    out = tmp_path / "reports"
    r = CliRunner().invoke(cli, ["report", str(d), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == EXIT_OK, r.stderr
    files = sorted(p.name for p in out.iterdir())
    assert "index.html" in files and len(files) == 6, files  # 3 text files + 2 CSV sessions + index
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+\.html", f) for f in files)
    assert len({f.lower() for f in files}) == len(files)
    assert not (tmp_path / "evil.html").exists() and not list(tmp_path.glob("*.html"))
    index = assert_self_contained((out / "index.html").read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in index.all("a", "session")]
    assert len(hrefs) == 5
    for h in hrefs:  # relative links that work
        assert (out / unquote(h)).is_file()
        report = assert_self_contained((out / unquote(h)).read_text(encoding="utf-8"))
        links_resolve(report)
        assert any(a.get("href") == "index.html" for a in report.all("a"))
    # ranked by score, lowest first
    scores = [float(m) for m in re.findall(r'<span class="badge \w+">([\d.]+)</span><svg class="minibar"',
                                           (out / "index.html").read_text())]
    assert len(scores) == 5 and scores == sorted(scores) and scores[0] < 100 and scores[-1] == 100
    assert "&lt;script&gt;" in (out / "index.html").read_text()


def test_several_paths_and_a_multi_session_csv(runner, tmp_path):
    d = _folder(tmp_path)
    out = tmp_path / "two"
    r = invoke(runner, [str(d / "a" / "s1.txt"), str(d / "b" / "s1.txt"), "-o", str(out)])
    assert r.exit_code == EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "s1-2.html", "s1.html"]
    out = tmp_path / "csv"
    r = invoke(runner, [str(d / "many.csv"), "-o", str(out)])
    assert r.exit_code == EXIT_OK
    assert len(list(out.glob("*.html"))) == 3
    r = invoke(runner, [str(d / "many.csv"), "-o", str(tmp_path / "many.html")])
    assert r.exit_code == EXIT_ERROR and "2 sessions" in r.output and "directory" in r.output
    assert not (tmp_path / "many.html").exists()


def test_unreadable_files_are_reported_and_the_rest_written(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(SHIFT)
    (d / "bad.txt").write_bytes(b"\xff\xfe\x00\x01garbage\x00")
    (d / "empty.txt").write_text("just some words\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        cli, ["report", str(d), str(tmp_path / "missing.txt"), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == EXIT_ERROR
    assert f"{d / 'bad.txt'}:1:" in r.stderr and f"{d / 'empty.txt'}:1:" in r.stderr
    assert "missing.txt: no such file" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["good.html", "index.html"]
    index = (out / "index.html").read_text()
    assert "could not be read" in index and "bad.txt" in index and "missing.txt" in index
    # one file that cannot be read: exit 2, nothing written
    r = CliRunner().invoke(cli, ["report", str(d / "bad.txt"), "-o", str(tmp_path / "x.html")])
    assert r.exit_code == EXIT_ERROR and "bad.txt:1:" in r.stderr and not (tmp_path / "x.html").exists()


def test_usage_errors(runner, tmp_path):
    d = _folder(tmp_path)
    r = runner.invoke(cli, ["report", str(SAMPLE)])
    assert r.exit_code == EXIT_ERROR and "-o" in r.output
    r = invoke(runner, [str(d), "-o", str(tmp_path / "one.html")])
    assert r.exit_code == EXIT_ERROR and "directory" in r.output
    existing = tmp_path / "file"
    existing.write_text("x")
    r = invoke(runner, [str(d), "-o", str(existing)])
    assert r.exit_code == EXIT_ERROR and "is a file" in r.output and existing.read_text() == "x"
    r = invoke(runner, [str(SAMPLE), "-o", str(tmp_path / "no" / "such" / "dir" / "r.html")])
    assert r.exit_code == EXIT_ERROR and "does not exist" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = invoke(runner, [str(empty), "-o", str(tmp_path / "e")])
    assert r.exit_code == EXIT_ERROR and "no transcript" in r.output
    r = invoke(runner, ["--help"])
    assert r.exit_code == 0 and "Examples:" in r.output and "--no-text" in r.output and "--therapist" in r.output


def test_existing_directory_target_for_one_session(runner, tmp_path):
    out = tmp_path / "dir"
    out.mkdir()
    r = invoke(runner, [str(SAMPLE), "-o", str(out)])
    assert r.exit_code == EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == ["03_full_shift_recovery.html", "index.html"]


def test_safe_names():
    taken = {"index.html"}
    names = [safe_name(x, taken) for x in (
        "a/s1.txt", "b/s1.txt", "x.csv#../../etc/passwd", "../../up.txt", "index.txt", "INDEX", "CON.txt",
        "x.csv#<script>", "Séance été.txt", "#", ".hidden.txt", "a" * 400, "stdin", "a\\b.vtt",
    )]
    assert len({n.lower() for n in names}) == len(names)
    for n in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", n), n
        assert ".." not in n[:-5] or "/" not in n
        assert len(n) <= 130 and n.lower() != "index.html" and not n.lower().startswith("con.")
    assert names[0] == "a__s1.html" and names[2].startswith("x.csv--")


# --------------------------------------------------------------------------- in a real browser


PROBE = """(() => {
  const svg = document.querySelector('svg#chart');
  const box = svg ? svg.getBoundingClientRect() : null;
  const mark = document.querySelector('mark.ev.te');
  const care = document.querySelector('mark.ev.cc');
  return {
    svg: box ? [box.width, box.height] : null,
    columns: svg ? svg.querySelectorAll('rect.seg-score').length : 0,
    columnHeights: svg ? [...svg.querySelectorAll('rect.seg-score')].map(r => r.getBBox().height) : [],
    dots: svg ? svg.querySelectorAll('circle.ev').length : 0,
    shifts: svg ? svg.querySelectorAll('rect.shift').length : 0,
    marks: document.querySelectorAll('mark.ev').length,
    teBg: mark ? getComputedStyle(mark).backgroundColor : null,
    ccBg: care ? getComputedStyle(care).backgroundColor : null,
    markVisible: mark ? mark.getBoundingClientRect().width > 0 : false,
    bodyFont: getComputedStyle(document.body).fontFamily,
    bodyVisible: getComputedStyle(document.body).display !== 'none',
    dangerous: document.querySelectorAll('script,img,iframe,object,embed,link,base,meta[http-equiv=refresh]').length,
    onAttrs: [...document.querySelectorAll('*')].filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
    pwned: window.__pwned === undefined ? null : window.__pwned,
    title: document.title,
    text: document.body.innerText.length,
  };
})()"""


@pytest.mark.slow
def test_browser_renders_chart_and_highlights(chromium, sample_html, tmp_path, analyzer):
    shot = tmp_path / "report.png"
    page = chromium.open(sample_html.as_uri(), expression=PROBE, screenshot=shot, max_height=6000)
    assert page.errors == [] and page.dialogs == []
    assert page.requests == [sample_html.as_uri()]  # nothing else fetched
    v = page.value
    analysis = analyzer.analyze(SAMPLE)
    assert v["svg"][0] > 600 and v["svg"][1] > 150
    assert v["columns"] == 4 and v["dots"] == len(analysis.events) and v["shifts"] == 1
    assert min(v["columnHeights"]) > 50 and max(v["columnHeights"]) > min(v["columnHeights"])
    assert v["marks"] >= len(analysis.events) and v["markVisible"]
    assert v["teBg"] not in (None, "rgba(0, 0, 0, 0)") and v["ccBg"] not in (None, "rgba(0, 0, 0, 0)", v["teBg"])
    assert v["dangerous"] == 0 and v["onAttrs"] == 0 and v["bodyVisible"]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@pytest.mark.slow
def test_browser_hostile_page_runs_nothing(chromium, runner, tmp_path):
    src = tmp_path / "hostile.txt"
    src.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "hostile.html"
    assert invoke(runner, [str(src), "-o", str(out)]).exit_code == EXIT_OK
    page = chromium.open(out.as_uri(), expression=PROBE, screenshot=tmp_path / "hostile.png", max_height=3000)
    assert page.dialogs == [] and page.errors == [], page.errors
    assert page.requests == [out.as_uri()]
    v = page.value
    assert v["pwned"] is None and v["dangerous"] == 0 and v["onAttrs"] == 0
    assert v["bodyVisible"] and v["columns"] == 1 and v["marks"] >= 1
    assert v["title"].startswith("focusshift report") and "</title>" in v["title"]


@pytest.mark.slow
def test_browser_index_links_and_no_text(chromium, runner, tmp_path):
    d = _folder(tmp_path)
    out = tmp_path / "reports"
    assert invoke(runner, [str(d), "-o", str(out), "--no-text"]).exit_code == EXIT_OK
    index = out / "index.html"
    page = chromium.open(index.as_uri(), expression="[...document.querySelectorAll('a.session')].map(a => a.href)")
    assert page.errors == [] and len(page.value) == 5
    target = page.value[0]
    assert target.startswith(out.as_uri() + "/")
    report = chromium.open(target, expression=PROBE)
    assert report.errors == [] and report.value["columns"] >= 1 and report.value["marks"] == 0
    assert report.value["dots"] >= 1  # events still on the chart without their words


# --------------------------------------------------------------------------- roles and "not assessed"

NAMES_ONLY = """\
Maya: Hi Sam, come in. How have you been since last week?
Sam: Not great. My mum's back in hospital and I haven't slept.
Maya: [voice breaks] I'm sorry. That sounds exhausting. What happened?
Sam: Oh, are you okay? I didn't mean to upset you.
Maya: So you're carrying a lot of it on your own.
Sam: Yeah. My brother never calls. I feel so angry with him.
"""
ONE_SPEAKER = "Sam: I went to the funeral on Friday and I still can't stop thinking about it.\nSam: It was hard.\n"


def test_inferred_roles_are_shown_at_the_top_next_to_the_score(runner, tmp_path):
    f = tmp_path / "names.txt"
    f.write_text(NAMES_ONLY)
    out = tmp_path / "names.html"
    assert invoke(runner, [str(f), "-o", str(out)]).exit_code == EXIT_OK
    source = out.read_text(encoding="utf-8")
    page = assert_self_contained(source)
    roles = page.by_id["roles"]
    assert "Maya" in roles and "therapist" in roles and "inferred, confidence 0." in roles
    assert "pin them with --therapist/--client" in roles
    # at the top: before the timeline
    assert source.index('id="roles"') < source.index('id="timeline"')
    # --no-text: no names in the roles block
    out2 = tmp_path / "anon.html"
    assert invoke(runner, [str(f), "-o", str(out2), "--no-text"]).exit_code == EXIT_OK
    anon = Page(out2.read_text(encoding="utf-8")).by_id["roles"]
    assert "Maya" not in anon and "therapist 1" in anon and "client 1" in anon


def test_unassessed_session_is_never_shown_as_a_score(runner, tmp_path):
    f = tmp_path / "one.txt"
    f.write_text(ONE_SPEAKER)
    out = tmp_path / "one.html"
    assert invoke(runner, [str(f), "-o", str(out)]).exit_code == EXIT_OK
    page = assert_self_contained(out.read_text(encoding="utf-8"))
    assert "Not assessed: only one speaker ('Sam')" in page.by_id["not-assessed"]
    assert "100.0" not in page.plain and "green band" not in page.plain
    assert [c["class"] for c in page.all("div", "card") if "score" in c["class"].split()] == ["card score none"]
    assert not page.all("rect", "seg-score") and page.all("rect", "not-assessed")


def test_index_lists_unassessed_sessions_first_and_keeps_them_out_of_the_mean(runner, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_calm.txt").write_text(CALM)
    (d / "b_one.txt").write_text(ONE_SPEAKER)
    out = tmp_path / "out"
    assert invoke(runner, [str(d), "-o", str(out)]).exit_code == EXIT_OK
    index = (out / "index.html").read_text(encoding="utf-8")
    page = Page(index)
    names = [a.get("href") for a in page.all("a", "session")]
    assert names[0].startswith("b_one")
    assert "over 1 assessed session" in page.plain and "Not assessed" in page.plain
    assert "not assessed: only one speaker" in page.plain
