"""Shared fixtures: one spaCy pipeline for the whole session (building it costs ~1 s).

Running the tests
-----------------
    python -m pytest                  # everything (what CI runs; the default selects every test)
    python -m pytest -m "not slow"    # the fast set for a quick edit-test loop
    python -m pytest -m slow          # only the long ones

`@pytest.mark.slow` marks the long tests: runs over the real corpus in ../shared/corpora, the
whole labelled dev set or author corpus, property tests with many examples, and runs that start
processes (worker pools, Ctrl-C/SIGTERM, Dask, pseudo-terminals, `python -m focusshift`).
Nothing is deselected by default; `-m "not slow"` is opt-in.

Hypothesis profiles (HYPOTHESIS_PROFILE=<name>, or pytest's --hypothesis-profile=<name>)
-----------------------------------------------------------------------------------------
The default is "ci" when the CI environment variable is set (to anything but "", "0", "false"
or "no"), else "dev".

    ci        max_examples=100, deadline=None, derandomize=True, print_blob=True, database=None,
              suppress_health_check=[too_slow] -- Hypothesis' own CI profile, which it loaded
              by itself on CI before: the same examples on every run, and a failure prints the
              blob that reproduces it (@reproduce_failure)
    dev       max_examples=50, deadline=None, print_blob=True; random, with the local example
              database (.hypothesis/), so a failure found once is replayed first next time
    thorough  max_examples=1000, deadline=None, print_blob=True, and every property test that
              pins its own max_examples runs 10x that many
              (e.g. HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_scoring.py)

A profile's max_examples is only the count for @given tests that do not set their own. Every
property test in this suite pins its count with @settings(max_examples=...) (12 to 800), and in
"ci" and "dev" those counts are kept as written, so plain `pytest` runs at least as many examples
as before the profiles existed; only "thorough" changes them (see pytest_collection_modifyitems
below). The fast loop comes from `-m "not slow"`, which leaves out the property tests with the
most examples, not from fewer examples per test.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from focusshift.api import Analyzer, analyze_text, analyzer_for
from focusshift.model import Analysis

# Rule tables cached between runs (focusshift/pipeline/cache.py) go to a folder of the test run,
# never to the user's ~/.cache.
os.environ.setdefault("FOCUSSHIFT_CACHE_DIR", tempfile.mkdtemp(prefix="focusshift-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "sample_transcripts"
CORPUS = ROOT.parent / "shared" / "corpora" / "annomi"

# --------------------------------------------------------------------------- Hypothesis profiles

settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, print_blob=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)

# how many times its own pinned max_examples a property test runs under each profile
EXAMPLES_SCALE = {"ci": 1, "dev": 1, "thorough": 10}


def _default_profile() -> str:
    ci = os.environ.get("CI", "").strip().lower()
    return "ci" if ci not in ("", "0", "false", "no") else "dev"


HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or _default_profile()
settings.load_profile(HYPOTHESIS_PROFILE)  # an unknown name fails here, loudly


def pytest_report_header(config):
    return f"hypothesis profile: {settings.get_current_profile_name()} ({settings.default.max_examples} examples unless a test pins its own)"


def pytest_collection_modifyitems(config, items):
    """Under "thorough", scale each property test's own max_examples (the profile's own count
    reaches only tests that pin none). --hypothesis-profile is applied after this file is
    imported, so the profile is read here, at collection."""
    scale = EXAMPLES_SCALE.get(settings.get_current_profile_name(), 1)
    if scale == 1:
        return
    seen: set[int] = set()
    for item in items:
        fn = getattr(item, "obj", None)
        if not getattr(fn, "is_hypothesis_test", False) or id(fn) in seen:
            continue
        seen.add(id(fn))  # parametrized tests share one function: scale it once
        own = getattr(fn, "_hypothesis_internal_use_settings", None)
        if own is not None:
            fn._hypothesis_internal_use_settings = settings(own, max_examples=own.max_examples * scale)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    a = analyzer_for()  # the instance the CLI and the library reuse in this process
    a.nlp  # build once
    return a


@pytest.fixture(scope="session")
def run(analyzer):
    """Analyze native-format text: run("T: hi\\nC: hello") -> Analysis."""

    def _run(text: str) -> Analysis:
        return analyze_text(text, analyzer=analyzer)

    return _run


def on_terminal(argv: list[str], timeout: float = 60) -> bytes:
    """Run `focusshift ARGV...` under a pseudo-terminal and return what it showed (stdout and stderr)."""
    pytest.importorskip("pty")
    import pty
    import sys
    import time

    code = f"import sys; from focusshift.cli import main; sys.argv = {['focusshift', *argv]!r}; main()"
    pid, fd = pty.fork()
    if pid == 0:  # child: stdin/stdout/stderr are the terminal
        os.execv(sys.executable, [sys.executable, "-c", code])
    seen = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    return seen


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium (driven by Playwright) for a whole module. In CI (CI=true) a missing
    browser or a missing Playwright fails, never skips."""
    import importlib.util

    from .browser.driver import BrowserError, Chromium, find_chromium

    binary = find_chromium()
    msg = None
    if binary is None:
        msg = "Chromium not found: apt-get install -y chromium (or set FOCUSSHIFT_CHROMIUM)"
    elif importlib.util.find_spec("playwright") is None:
        msg = "Playwright not installed: pip install -e '.[test]'"
    if msg:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        with Chromium(binary) as browser:
            yield browser
    except BrowserError as exc:  # a browser that does not start is a failure, not a skip
        pytest.fail(f"Chromium did not start: {exc}")
