"""Shared by the command-line tests: one CliRunner, an `invoke` that lets unexpected exceptions
through (so a crash is a traceback, never an exit code 1 that passes for a threshold failure),
and two small transcripts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from focusshift.cli import cli

SHIFT = "T: [crying] Oh.\nC: Are you okay? I'm sorry, I didn't mean to upset you.\n"
CALM = "T: How was the week?\nC: Fine, busy at work.\n"


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """invoke(["analyze", path, "-f", "json"], input=...) -> click Result; arguments may be paths."""

    def _invoke(args, **kw):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, **kw)

    return _invoke


@pytest.fixture
def shift_file(tmp_path):
    """A one-segment session with one focus shift, as tmp_path/s.txt."""
    f = tmp_path / "s.txt"
    f.write_text(SHIFT)
    return f
