"""The HTML pages' machinery: the jinja2 environment, the inline stylesheet, the page shell.

Templates live in focusshift/render/templates, the stylesheet in
focusshift/render/static/report.css; both ship as package data. Every page is
one self-contained file: the stylesheet is inlined into a <style> element at
render time, and the Content-Security-Policy forbids every fetch and every script.

Escaping is the environment's job, not the caller's: autoescape is on for every
template, and `finalize` first cleans every value printed with {{ }} (no control
characters, no lone surrogates, no carriage returns). Nothing from a transcript
is ever marked safe; the only Markup made here is the stylesheet, a package file.

Templates whose first line is the comment {# compact #} are written one element
per line for reading: their line breaks and the indentation after them are not
part of the page (write a space that matters on the line it belongs to).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Any

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from .bands import BANDS, band_name, css_variables

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_COMPACT = re.compile(r"\A\{# compact #\}\r?\n")
_BAND_MARKER = re.compile(r"^ *\/\* the band colours .*\*\/$", re.M)


def clean(value: object) -> str:
    """Text safe to put in an HTML document: no control characters, no lone surrogates."""
    s = "" if value is None else str(value)
    s = s.replace("\r", "")
    return _BAD_CHARS.sub("\ufffd", s)


def _finalize(value: object) -> object:
    """Applied to every {{ }} before autoescape: markup made by a template passes, anything else is cleaned."""
    if hasattr(value, "__html__"):
        return value
    return clean(value)


class _Compact(Extension):
    """{# compact #} templates: drop each line break and the indentation after it."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        head = _COMPACT.match(source)
        if head is None:
            return source
        return re.sub(r"\r?\n[ \t]*", "", source[head.end():])


def score(x: float | None) -> str:
    """A score as the page shows it: one decimal, 'n/a' when missing."""
    return "n/a" if x is None else f"{x:.1f}"


def weight(x: float) -> str:
    return f"{x:g}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def bar_width(x: float) -> str:
    """A score as the width of a 100-wide bar, clamped to 0..100."""
    return f"{max(0.0, min(100.0, x)):.1f}"


def plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{suffix if n != 1 else ''}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("focusshift.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[_Compact],
    )
    env.filters.update(band=band_name, score=score, weight=weight, clock=clock, bar_width=bar_width,
                       f1="{:.1f}".format, f2="{:.2f}".format, g="{:g}".format)
    env.globals.update(bands=BANDS, plural=plural)
    return env


@lru_cache(maxsize=1)
def stylesheet() -> Markup:
    """static/report.css with the bands' colours written in, ready for the page's <style> element."""
    css = files("focusshift.render").joinpath("static", "report.css").read_text(encoding="utf-8")
    css, n = _BAND_MARKER.subn(lambda _m: css_variables(), css, count=1)
    if n != 1:
        raise RuntimeError("static/report.css has lost the line where the band colours go")
    missing = [b.name for b in BANDS if f".badge.{b.name} " not in css or f"svg .seg-score.{b.name} " not in css]
    if missing:
        raise RuntimeError(f"static/report.css has no rules for the band(s) {', '.join(missing)} (see bands.py)")
    if "</" in css:  # it could end the <style> element
        raise RuntimeError("static/report.css must not contain '</'")
    # A package file, not data: markup-escaping it would corrupt its quotes, and it cannot close <style>.
    return Markup("\n" + css)


def render(template: str, **context: Any) -> str:
    """A whole page: the template (which extends page.html) with the stylesheet inlined."""
    return environment().get_template(template).render(css=stylesheet(), **context)
