"""What every command shares: exit codes, error lines, the analysis options and their Options object."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError, FocusshiftError, LexiconError

# --color: None lets the console decide (a terminal, NO_COLOR), True and False force it.
COLOR = {"auto": None, "always": True, "never": False}

# Exit codes, pinned by tests.
EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # SIGTERM (timeout, job schedulers, kill)

INPUT_FORMATS = ("native", "vtt", "srt", "chat", "service", "meet", "whisper", "csv", "tsv", "json", "jsonl", "docx")
TABLE_FIELDS = ("speaker", "text", "transcript", "time", "segment", "role")
DEBUG = {"on": False}  # --debug: internal errors show their traceback


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (workers stopped, temporary files removed), exit 143."""


class PipeClosed(Exception):
    """The reader of stdout went away (`| head`): not an OSError, so click leaves it to main() (exit 0)."""


class FocusshiftUsageError(click.ClickException):
    """A bad option value, config or rule file: 'Error: ...' on stderr and exit 2."""

    exit_code = EXIT_ERROR


class Report:
    """Owns the exit status of a run: 2 if any file failed, else 1 if a threshold broke."""

    def __init__(self) -> None:
        self.failed = 0
        self.breached = 0
        self.done = 0
        self.unassessed = 0  # sessions with no therapist or no client: never scored

    @property
    def return_code(self) -> int:
        if self.failed:
            return EXIT_ERROR
        if self.breached:
            return EXIT_THRESHOLD
        return EXIT_OK


def err(message: str) -> None:
    click.echo(message, err=True)


def failed(report: Report, path: str, line: int | None, message: str, traceback: str = "") -> None:
    """One file's one-line error (and, under --debug, the traceback of an internal one)."""
    report.failed += 1
    err(f"error: {path}:{line}: {message}" if line else f"error: {path}: {message}")
    if traceback and DEBUG["on"]:
        err(traceback.rstrip())


def warn(path: str, line: int | None, message: str) -> None:
    err(f"warning: {path}:{line}: {message}" if line else f"warning: {path}: {message}")


def warn_unused(condition: bool, message: str) -> None:
    """An option that does nothing in this mode is said so, never silently dropped."""
    if condition:
        err(f"warning: {message}")


def drop_missing(paths, report: Report) -> list[str]:
    """Report paths that do not exist (the run goes on with the others, and exits 2)."""
    kept = []
    for p in paths:
        if p != "-" and not Path(p).exists():
            err(f"error: {p}: no such file or directory")
            report.failed += 1
        else:
            kept.append(p)
    return kept


def files_to_read(paths, glob: str | None, report: Report) -> list[str]:
    """The files PATH... name; a folder (or a --glob) that gives none is that path's error."""
    from ..api import discover
    from ..formats import supported_suffixes

    files: list[str] = []
    for p in paths:
        found = list(discover([p], glob))
        if not found:
            if glob:
                why = f"--glob {glob!r} matched no supported file in this folder"
            else:
                why = "no transcript here (supported: " + ", ".join(sorted(set(supported_suffixes()))) + ")"
            failed(report, p, None, why)
        files.extend(found)
    return files


def read_stdin(paths) -> bytes | None:
    return sys.stdin.buffer.read() if "-" in paths else None


# --------------------------------------------------------------------------- the analysis options


def _split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(n.strip() for n in v.split(",") if n.strip())
    return tuple(out)


def _check_segment_by(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from ..formats import parse_segment_rule

    try:
        parse_segment_rule(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        return codecs.lookup(value).name
    except LookupError:
        raise click.BadParameter(f"unknown encoding {value!r} (e.g. utf-8, utf-16, cp1252, latin-1)") from None


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        DEBUG["on"] = True


def _check_columns(ctx: click.Context, param: click.Parameter, value: str | None):
    if not value:
        return ()
    out = []
    for part in value.split(","):
        name, sep, column = part.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise click.BadParameter(f"{part!r}: use FIELD=COLUMN, e.g. speaker=who,text=utterance")
        if name.strip() not in TABLE_FIELDS:
            raise click.BadParameter(f"unknown field {name.strip()!r}; use {', '.join(TABLE_FIELDS)}")
        out.append((name.strip(), column.strip()))
    return tuple(out)


def _check_roles(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]):
    out = []
    for spec in value:
        label, sep, role = spec.rpartition("=")
        role = role.strip().lower()
        if not sep or not label.strip() or role not in ("therapist", "client"):
            raise click.BadParameter(f"{spec!r}: use LABEL=therapist or LABEL=client")
        out.append((label.strip(), role))
    return tuple(out)


_OPTIONS = [
    click.option("--therapist", "therapist", multiple=True, metavar="NAME",
                 help="Speaker label(s) to treat as the therapist (repeatable, or comma-separated)."),
    click.option("--client", "client", multiple=True, metavar="NAME",
                 help="Speaker label(s) to treat as the client (repeatable, or comma-separated)."),
    click.option("--segment-by", callback=_check_segment_by, metavar="RULE",
                 help="Segments for files without '## ' headings: turns:N or minutes:M "
                      "(default from config: turns:20)."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
                 help="TOML file with weights, windows and roles (see docs/configuration.md)."),
    click.option("--lexicon", "lexicon_files", multiple=True, type=click.Path(dir_okay=False),
                 metavar="FILE", help="Extra JSONL rule file; same id overrides a built-in rule (repeatable)."),
    click.option("--model", metavar="NAME_OR_PATH",
                 help="An installed or saved spaCy pipeline instead of the blank English one. Never downloaded."),
    click.option("--input-format", type=click.Choice(INPUT_FORMATS), metavar="FORMAT",
                 help="Read every input as FORMAT (" + ", ".join(INPUT_FORMATS) + "); "
                      "default: by extension, then by content."),
    click.option("--glob", metavar="PATTERN",
                 help="In folders, only files whose path below the folder matches PATTERN (e.g. '*.vtt')."),
    click.option("--columns", callback=_check_columns, metavar="FIELD=COLUMN,...",
                 help="Table columns: speaker=,text=,transcript=,time=,segment=,role= "
                      "(default: found by common header names)."),
    click.option("--role", "role_specs", multiple=True, callback=_check_roles, metavar="LABEL=ROLE",
                 help="Give a speaker label a role, e.g. --role 'Speaker 1=therapist' (repeatable)."),
    click.option("--infer-roles/--no-infer-roles", "infer_roles", default=True, show_default=True,
                 help="Give speakers that have no role from the options, the file or their label one "
                      "from the conversation (who asks, reflects, runs the session); reported on "
                      "stderr and in the output with a confidence (docs/roles.md)."),
    click.option("--guess-roles", is_flag=True, hidden=True, expose_value=False,
                 help="Deprecated: roles are inferred by default."),
    click.option("--detector", type=click.Choice(("rules", "model", "both")), default="both", show_default=True,
                 help="What finds client caretaking: the rules, the trained classifier, or both (the "
                      "classifier also drops rule matches it finds implausible). docs/validation.md."),
    click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, metavar="P",
                 help="Leave out (and do not score) events less likely than P to be right: a rule's "
                      "measured precision, or the classifier's probability."),
    click.option("--encoding", callback=_check_encoding, metavar="NAME",
                 help="Read inputs in this encoding (e.g. cp1252, latin-1). Default: UTF-8, or UTF-16/32 "
                      "when the file starts with a byte-order mark."),
    click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True, metavar="SECONDS",
                 help="Give up on a file that takes longer than this (it becomes that file's error; "
                      "the others go on). 0: no limit."),
    click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug, is_eager=True,
                 help="Show the traceback of an internal error (a bug of ours) instead of one line."),
]
_ANALYSIS_PARAMS = ("therapist", "client", "segment_by", "config_path", "lexicon_files", "model",
                    "input_format", "columns", "role_specs", "infer_roles", "detector", "min_confidence",
                    "encoding", "timeout")


def options_from_cli(*, therapist=(), client=(), role_specs=(), config_path=None, lexicon_files=(),
                     timeout=None, **settings: Any):
    """The one Options object of a run, from the command line (errors become exit 2)."""
    from ..api import analyzer_for
    from ..options import Options

    try:
        options = Options.create(
            config_path,
            therapist=_split_names(therapist) + tuple(label for label, r in role_specs if r == "therapist"),
            client=_split_names(client) + tuple(label for label, r in role_specs if r == "client"),
            lexicon_files=tuple(lexicon_files),
            timeout=timeout or None,
            **settings,
        )
        analyzer_for(options).lexicon  # rule files are checked before any output starts
    except (ConfigError, LexiconError) as exc:
        raise FocusshiftUsageError(str(exc)) from None
    return options


def analysis_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by every command that reads and analyzes transcripts.

    The command receives them as one `options` (an Options) and `glob`.
    """

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        settings = {k: kwargs.pop(k) for k in _ANALYSIS_PARAMS}
        kwargs["options"] = options_from_cli(**settings)
        return fn(**kwargs)

    for opt in reversed(_OPTIONS):
        wrapper = opt(wrapper)
    return wrapper


class _NoBar:
    def advance(self, words: int) -> None:
        pass

    def within(self, fraction: float) -> None:
        pass


BIG_FILE_BYTES = 1 << 20  # one file this big gets a bar of its own progress


@contextmanager
def progress_bar(files: Sequence[str], *, enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr (files, words/s, ETA), only on a terminal.

    For several files it counts files; a big file run in this process also
    moves the bar while it is analyzed (`within`), so a 50 MB transcript shows
    how far it has got rather than nothing for minutes.
    """
    total = len(files)
    big = total == 1 and files[0] != "-" and _size(files[0]) >= BIG_FILE_BYTES
    if not enabled or (total < 2 and not big):
        yield _NoBar()
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from ..progress import reporting

    with Progress(
        TextColumn("[bold]analyzing"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,  # no refresh thread: workers may be forked while it runs
    ) as bar:
        task = bar.add_task("files", total=total, rate="", count=f"0/{total} files")

        class Bar:
            done = 0
            words = 0
            last = 0.0

            def advance(self, words: int) -> None:
                self.done += 1
                self.words += words
                self.last = 0.0
                elapsed = bar.tasks[0].elapsed or 0.0
                rate = f"{self.words / elapsed:,.0f} words/s" if elapsed > 0.5 else ""
                bar.update(task, completed=self.done, rate=rate, count=f"{self.done}/{total} files")
                bar.refresh()

            def within(self, fraction: float) -> None:
                if fraction - self.last < 0.01:
                    return  # a refresh per percent is plenty
                self.last = fraction
                count = f"{fraction:.0%} of {Path(files[0]).name}" if big else f"{self.done}/{total} files"
                bar.update(task, completed=self.done + fraction, count=count)
                bar.refresh()

        progress = Bar()
        with reporting(progress.within):
            yield progress


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def usage_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A FocusshiftError a command did not catch is a one-line usage error, exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FocusshiftError as exc:
            raise FocusshiftUsageError(str(exc)) from None

    return wrapper
