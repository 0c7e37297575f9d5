"""The `focusshift` program itself: exit codes, help, version, `python -m`, Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from focusshift import cli as cli_mod
from focusshift.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD, cli


def test_exit_codes_are_pinned():
    assert (EXIT_OK, EXIT_THRESHOLD, EXIT_ERROR, EXIT_INTERRUPTED) == (0, 1, 2, 130)


def test_help_and_version(invoke):
    r = invoke(["--help"])
    assert r.exit_code == 0 and "analyze" in r.output
    r = invoke(["analyze", "--help"])
    assert "Examples:" in r.output and "--fail-under" in r.output and "Exit codes" in r.output
    r = invoke(["--version"])
    assert r.output.strip() == "focusshift, version 0.1.0"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name):
    assert cli.commands[name].help


def test_python_dash_m():
    """`python -m focusshift` runs the same program. (A closed stdout pipe ending quietly, with
    focusshift's own exit status checked, is tests/test_reliability.py::test_closed_stdout_pipe_exits_0_quietly.)"""
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "focusshift", "--version"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert p.returncode == 0 and "0.1.0" in p.stdout


def test_main_handles_keyboard_interrupt(monkeypatch, capsys):
    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_mod.cli, "main", boom)
    with pytest.raises(SystemExit) as exc:
        cli_mod.main()
    assert exc.value.code == EXIT_INTERRUPTED
