"""The command line: one small module per command over the library (focusshift.api).

Each command parses its options into one Options (cli.common), makes one
library call, and maps what comes back to output and exit codes. `main()`
runs the command line: one-line errors, quiet on a closed pipe, 130 on Ctrl-C,
143 on SIGTERM; `run()` is the console entry point, `main()` and a quick exit.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import Any, NoReturn

import click

from .. import __version__
from .common import (
    DEBUG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_THRESHOLD,
    PipeClosed,
    Terminated,
    err,
)


# Each command's module and the first paragraph of its help, which `focusshift --help` shortens
# as click would: a command is imported only when it runs (or shows its own help), so the
# program's help needs none of them. tests/cli/test_main.py keeps these equal to the commands'.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("analyze", "Score each segment of the transcripts at PATH... ('-' reads stdin)."),
    "caseload": ("caseload", "Group sessions by therapist and by client: focus shifts, recovery, and the "
                             "time given to the therapist."),
    "evaluate": ("evaluate", "Compare detections with human line-level coding."),
    "lexicon": ("lexicon", "List, check and try the detection rules (JSONL files, see docs/rules.md)."),
    "report": ("report", "Write self-contained HTML reports: timeline, segment table, highlighted transcript."),
    "validate": ("validate", "Parse transcripts without analyzing them: check format, speakers and roles."),
}


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed() from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            module = importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
            self.add_command(getattr(module, cmd_name))
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))  # click's own layout
        with formatter.section("Commands"):
            formatter.write_dl([(name, short_help(name, limit)) for name in names])


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="focusshift")
def cli() -> None:
    """focusshift: where a therapy session stopped being about the client.

    Reads annotated session transcripts, finds therapist-emotion markers and
    client caretaking, and scores each segment's focus balance (100 = the
    attention stayed on the client). Everything runs locally.

    \b
    Examples:
      focusshift analyze session.txt
      focusshift analyze session.txt --explain
      focusshift analyze transcripts/ --format csv > corpus.csv
      cat session.txt | focusshift analyze - --format json
    """


def short_help(name: str, limit: int) -> str:
    """The command's first help paragraph, shortened to `limit` as click shortens a command's help."""
    return click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit)


def all_commands() -> dict[str, click.Command]:
    """Every command, imported (for documentation and tests; the program imports what it runs)."""
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}  # type: ignore[misc]


def _on_sigterm(signum: int, frame: Any) -> None:  # noqa: ARG001
    raise Terminated()


def main() -> None:
    """Console entry point: errors as one line, quiet on a closed pipe, 130 on Ctrl-C, 143 on SIGTERM."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):  # Abort: click's name for Ctrl-C
        err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        err("terminated")
        sys.exit(EXIT_TERMINATED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (BrokenPipeError, PipeClosed):
        _quiet_stdout()
        sys.exit(EXIT_OK)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise
        code = EXIT_OK
    except Exception as exc:  # a bug of ours outside any one file's analysis
        if DEBUG["on"]:
            raise
        err(f"error: internal error ({type(exc).__name__}: {exc}); please report it; --debug shows the traceback")
        sys.exit(EXIT_ERROR)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away as the last output was flushed
        _quiet_stdout()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def run() -> NoReturn:
    """The console command (`focusshift`, `python -m focusshift`): main(), then a quick exit.

    Tearing the interpreter down frees the spaCy pipeline and its tables object
    by object, which costs about as much as analysing a small file. Once the
    output is flushed and the exit handlers have run (worker pools, temporary
    folders, logging), nothing is left to do, so the process leaves at once.
    With other threads still running it exits the ordinary way.
    """
    try:
        main()
        code: Any = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1, as Python does
        err(str(code))
        code = 1
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if threading.active_count() > 1 or run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away; nothing more can be said
            pass
    os._exit(code)


def _quiet_stdout() -> None:
    """The reader (e.g. `head`) went away: point stdout at /dev/null so the exit flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


__all__ = ["cli", "all_commands", "main", "run", "EXIT_OK", "EXIT_THRESHOLD", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_TERMINATED"]
