"""The `focusshift` program itself: exit codes, help, version, `python -m`, Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from focusshift import cli as cli_mod
from focusshift.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD


def test_exit_codes_are_pinned():
    assert (EXIT_OK, EXIT_THRESHOLD, EXIT_ERROR, EXIT_INTERRUPTED) == (0, 1, 2, 130)


def test_help_and_version(invoke):
    r = invoke(["--help"])
    assert r.exit_code == 0 and "analyze" in r.output
    r = invoke(["analyze", "--help"])
    assert "Examples:" in r.output and "--fail-under" in r.output and "Exit codes" in r.output
    r = invoke(["--version"])
    assert r.output.strip() == "focusshift, version 0.1.0"


@pytest.mark.parametrize("name", sorted(cli_mod.COMMANDS))
def test_every_command_has_help_and_the_programs_help_line_is_its_own(name):
    command = cli_mod.all_commands()[name]
    assert command.help and command.name == name
    for limit in (30, 45, 64, 200):  # shortened for any terminal as click shortens the command's own help
        assert cli_mod.short_help(name, limit) == command.get_short_help_str(limit)


def test_the_programs_help_imports_no_command():
    code = ("import sys\nfrom focusshift.cli import main\nsys.argv = ['focusshift', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('focusshift.cli.') or m == 'spacy'))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "analyze" in p.stdout and "Commands:" in p.stdout
    assert p.stdout.strip().splitlines()[-1] == "['focusshift.cli.common']"


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


class _Exited(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.fixture
def quick_exit(monkeypatch):
    """run() with os._exit recorded instead of taken, and the exit handlers counted."""
    handlers: list[str] = []
    monkeypatch.setattr(cli_mod.os, "_exit", lambda code: (_ for _ in ()).throw(_Exited(code)))
    monkeypatch.setattr(cli_mod.atexit, "_run_exitfuncs", lambda: handlers.append("ran"))
    return handlers


@pytest.mark.parametrize(("outcome", "code"), [(None, 0), (0, 0), (1, 1), (2, 2), (143, 143)])
def test_run_exits_quickly_with_mains_status_after_the_exit_handlers(monkeypatch, quick_exit, outcome, code):
    def fake_main():
        if outcome is not None:
            sys.exit(outcome)

    monkeypatch.setattr(cli_mod, "main", fake_main)
    with pytest.raises(_Exited) as exited:
        cli_mod.run()
    assert exited.value.code == code and quick_exit == ["ran"]


def test_run_with_a_message_exits_1_and_says_it(monkeypatch, quick_exit, capsys):
    monkeypatch.setattr(cli_mod, "main", lambda: sys.exit("focusshift: cannot go on"))
    with pytest.raises(_Exited) as exited:
        cli_mod.run()
    assert exited.value.code == 1 and "cannot go on" in capsys.readouterr().err


def test_run_exits_the_ordinary_way_while_another_thread_runs(monkeypatch, quick_exit):
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        monkeypatch.setattr(cli_mod, "main", lambda: sys.exit(2))
        with pytest.raises(SystemExit) as exited:
            cli_mod.run()
        assert exited.value.code == 2 and quick_exit == []
    finally:
        stop.set()
        worker.join()


def test_the_console_command_prints_all_its_output_before_leaving(tmp_path):
    """Through a pipe, every JSON line of a batch arrives, and a file written with -o is whole."""
    from ..conftest import SAMPLES

    samples = sorted(SAMPLES.glob("*.txt"))
    env = {**os.environ, "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "focusshift", "analyze", *map(str, samples), "-f", "jsonl"],
                       capture_output=True, text=True, env=env, timeout=300)
    lines = p.stdout.splitlines()
    assert p.returncode in (0, 1) and len(lines) == len(samples) and all(ln.endswith("}") for ln in lines)
    out = tmp_path / "all.json"
    p = subprocess.run([sys.executable, "-m", "focusshift", "analyze", *map(str, samples), "-f", "json",
                        "-o", str(out)], capture_output=True, text=True, env=env, timeout=300)
    import json

    assert len(json.loads(out.read_text())) == len(samples)
