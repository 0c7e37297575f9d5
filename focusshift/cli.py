"""The command line: options, files and exit codes. Everything else lives in the library."""

from __future__ import annotations

import csv
import functools

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from . import __version__
from .errors import ConfigError, FocusshiftError, LexiconError, TranscriptError

# Exit codes, pinned by tests.
EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # SIGTERM (timeout, job schedulers, kill)

_DEBUG = False  # --debug: internal errors show their traceback


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (workers stopped, temporary files removed), exit 143."""


def _on_sigterm(signum, frame):  # noqa: ARG001
    raise Terminated()

FORMATS = ("table", "json", "jsonl", "csv", "tsv")
INPUT_FORMATS = ("native", "vtt", "srt", "chat", "service", "meet", "whisper", "csv", "tsv", "json", "jsonl", "docx")
TABLE_FIELDS = ("speaker", "text", "transcript", "time", "segment", "role")


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


class FocusshiftUsageError(click.ClickException):
    """A bad option value, config or rule file: 'Error: ...' on stderr and exit 2."""

    exit_code = EXIT_ERROR


def err(message: str) -> None:
    click.echo(message, err=True)


def failed(report: Report, path: str, line: int | None, message: str, traceback: str = "") -> None:
    """One file's one-line error (and, under --debug, the traceback of an internal one)."""
    report.failed += 1
    err(f"error: {path}:{line}: {message}" if line else f"error: {path}: {message}")
    if traceback and _DEBUG:
        err(traceback.rstrip())


def warn_unused(condition: bool, message: str) -> None:
    """An option that does nothing in this mode is said so, never silently dropped."""
    if condition:
        err(f"warning: {message}")


def files_to_read(paths: tuple[str, ...] | list[str], glob: str | None, report: Report) -> list[str]:
    """The files PATH... name; a folder (or a --glob) that gives none is that path's error."""
    from .api import discover as _discover
    from .formats import supported_suffixes

    files: list[str] = []
    for p in paths:
        found = list(_discover([p], glob))
        if not found:
            if glob:
                why = f"--glob {glob!r} matched no supported file in this folder"
            else:
                why = "no transcript here (supported: " + ", ".join(sorted(set(supported_suffixes()))) + ")"
            failed(report, p, None, why)
        files.extend(found)
    return files


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


def _split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(n.strip() for n in v.split(",") if n.strip())
    return tuple(out)


def _check_segment_by(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .formats import parse_segment_rule

    try:
        parse_segment_rule(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def analysis_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads and analyzes transcripts."""
    options = [
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
                     help="An installed or saved spaCy pipeline instead of the blank English one. "
                          "Never downloaded."),
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
        click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True,
                     metavar="SECONDS",
                     help="Give up on a file that takes longer than this (it becomes that file's error; "
                          "the others go on). 0: no limit."),
        click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug, is_eager=True,
                     help="Show the traceback of an internal error (a bug of ours) instead of one line."),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    import codecs

    try:
        return codecs.lookup(value).name
    except LookupError:
        raise click.BadParameter(f"unknown encoding {value!r} (e.g. utf-8, utf-16, cp1252, latin-1)") from None


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    global _DEBUG
    if value:
        _DEBUG = True


def _check_columns(ctx: click.Context, param: click.Parameter, value: str | None):
    if not value:
        return ()
    out = []
    for part in value.split(","):
        field, sep, column = part.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"{part!r}: use FIELD=COLUMN, e.g. speaker=who,text=utterance")
        if field.strip() not in TABLE_FIELDS:
            raise click.BadParameter(f"unknown field {field.strip()!r}; use {', '.join(TABLE_FIELDS)}")
        out.append((field.strip(), column.strip()))
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


def discover(paths, glob):
    from .api import discover as _discover

    return _discover(paths, glob)


def _build_analyzer(therapist, client, segment_by, config_path, lexicon_files, model,
                    input_format=None, glob=None, columns=(), role_specs=(), infer_roles=True,
                    encoding=None, timeout=None, detector="both", min_confidence=0.0):
    from .api import Analyzer
    from .config import load_config

    config = load_config(config_path)
    therapist = _split_names(therapist) + tuple(label for label, r in role_specs if r == "therapist")
    client = _split_names(client) + tuple(label for label, r in role_specs if r == "client")
    analyzer = Analyzer(
        config=config,
        lexicon_files=tuple(lexicon_files),
        model=model,
        therapist=therapist,
        client=client,
        segment_by=segment_by,
        input_format=input_format,
        columns=tuple(columns),
        infer_roles=infer_roles,
        encoding=encoding,
        timeout=timeout or None,
        detector=detector,
        min_confidence=min_confidence,
    )
    analyzer.lexicon  # validate rule files before any output starts
    return analyzer


class PipeClosed(Exception):
    """The reader of stdout went away (`| head`): not an OSError, so click leaves it to main() (exit 0)."""


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed() from None


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


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("--explain", is_flag=True, help="List each segment's evidence under its row (table format).")
@click.option("--no-text", is_flag=True,
              help="De-identify every output: no transcript text, speaker names (role and a number instead), "
                   "titles or header metadata (docs/output.md).")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="SCORE",
              help="Exit 1 when any segment scores below SCORE, or a session could not be assessed.")
@click.option("--allow-unassessed", is_flag=True,
              help="With --fail-under: a session that could not be assessed (no therapist or no client "
                   "found) does not fail the run; it is still reported as not assessed.")
@click.option("-o", "--output", metavar="FILE",
              help="Write results to FILE, replaced only when the run completes (never an input file; "
                   "a device such as /dev/null is written to, not replaced).")
@click.option("--private", is_flag=True, help="Create -o files readable by you only (mode 0600); "
                                               "default: the mode your umask gives.")
@click.option("--raw-csv", is_flag=True, help="CSV/TSV cells as they are: no apostrophe before a cell a "
                                               "spreadsheet would run as a formula (=, +, -, @).")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour in the table: auto is on a terminal, unless NO_COLOR is set.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no parse warnings on stderr.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), metavar="N",
              help="Worker processes (default: the machine's cores, or FOCUSSHIFT_JOBS); 1 runs in-process.")
@click.option("--executor", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="Run locally, or on a Dask cluster (pip install 'focusshift[dask]').")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@analysis_options
def analyze(paths, fmt, explain, no_text, fail_under, allow_unassessed, output, private, raw_csv, color, quiet,
            jobs, executor, scheduler, therapist, client, segment_by, config_path, lexicon_files, model,
            input_format, glob, columns, role_specs, infer_roles, detector, min_confidence, encoding, timeout) -> None:
    """Score each segment of the transcripts at PATH... ('-' reads stdin).

    A PATH may be a file or a folder (every supported file below it, in sorted
    order: .txt, .vtt, .srt, .cha, .csv, .tsv, .json, .jsonl, .docx). Folders
    are analyzed in parallel; results come out in input order as files finish.

    \b
    Examples:
      focusshift analyze session.txt --explain
      focusshift analyze session.txt --format json | jq '.[0].summary'
      focusshift analyze transcripts/ --format jsonl > results.jsonl
      focusshift analyze transcripts/ --format csv -o corpus.csv
      focusshift analyze notes.txt --therapist "Dr. Reyes" --client Anna
      focusshift analyze sessions/ --fail-under 60
      focusshift analyze corpus/ --jobs 2 --format jsonl -o results.jsonl
      focusshift analyze corpus/ --executor dask --scheduler tcp://10.0.0.5:8786 -f csv

    \b
    Roles: a speaker's role comes from --therapist/--client/--role, else the
    file (@therapist:, CHAT participants, a role column), else the label
    (T, Client, Dr. Lee), else the conversation (inferred, with a confidence,
    reported on stderr). A session with no therapist or no client is "not
    assessed": no score, never 100.

    \b
    Exit codes: 0 done; 1 a segment scored below --fail-under (or a session
    could not be assessed, unless --allow-unassessed); 2 usage error or a file
    that could not be read (the others are still done).
    """
    from . import batch
    from .outputs import OutputError, open_output
    from .render.data import CSV_COLUMNS, spreadsheet_safe
    from .render.outcome import shape
    from .render.summary import CorpusSummary

    if scheduler and executor != "dask":
        raise FocusshiftUsageError("--scheduler needs --executor dask")
    if executor == "dask" and not scheduler:
        raise FocusshiftUsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    warn_unused(explain and fmt != "table", "--explain only changes the table format; ignored")
    warn_unused(raw_csv and fmt not in ("csv", "tsv"), "--raw-csv only changes CSV/TSV output; ignored")
    warn_unused(allow_unassessed and fail_under is None, "--allow-unassessed only matters with --fail-under")
    warn_unused(color != "auto" and fmt != "table", "--color only changes the table format; ignored")
    warn_unused(private and not output, "--private only changes an -o file; ignored")
    warn_unused(bool(jobs) and executor == "dask", "--jobs is ignored with --executor dask (the cluster decides)")
    try:
        analyzer = _build_analyzer(therapist, client, segment_by, config_path, lexicon_files, model,
                                   input_format, glob, columns, role_specs, infer_roles, encoding, timeout,
                                   detector, min_confidence)
    except (ConfigError, LexiconError) as exc:
        raise FocusshiftUsageError(str(exc)) from None
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    report = Report()
    paths = drop_missing(paths, report)
    files = files_to_read(paths, glob, report)
    if not files:
        raise FocusshiftUsageError("nothing to analyze")
    inputs = [*files, *lexicon_files, *([config_path] if config_path else [])]
    summary = CorpusSummary()

    with ExitStack() as stack:
        try:
            out = stack.enter_context(open_output(output, inputs, private=private))
        except OutputError as exc:
            raise FocusshiftUsageError(str(exc)) from None
        with _progress(len(files), enabled=not quiet and sys.stderr.isatty()) as progress:
            console = None
            if fmt == "table":
                from .render.table import make_console

                console = make_console(out, color={"auto": None, "always": True, "never": False}[color])
            writer = None
            if fmt in ("csv", "tsv"):
                writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
                writer.writerow(CSV_COLUMNS)
            first = True
            if fmt == "json":
                out.write("[")
            try:
                stream = batch.run(files, analyzer, jobs=jobs or batch.default_jobs(), stdin=stdin,
                                   executor=executor, scheduler=scheduler,
                                   shape=functools.partial(shape, fmt=fmt, text=not no_text))
                for _path, outcomes in stream:
                    words = 0
                    for o in outcomes:
                        if o.failure is not None:
                            line, message = o.failure
                            failed(report, o.path, line, message, o.traceback)
                        else:
                            report.done += 1
                            words += o.words
                            if not o.assessable:
                                report.unassessed += 1
                                if fail_under is not None and not allow_unassessed:
                                    report.breached += 1
                            elif fail_under is not None and any(sc is not None and sc < fail_under
                                                                for sc in o.scores):
                                report.breached += 1
                            if not quiet:
                                for line, message in o.warnings:
                                    err(f"warning: {o.path}:{line}: {message}" if line
                                        else f"warning: {o.path}: {message}")
                            if not o.assessable:
                                err(f"warning: {o.path}: not assessed: {o.reason}")
                        if fmt in ("json", "jsonl"):
                            if fmt == "json":
                                out.write(("\n" if first else ",\n") + o.payload)
                            else:
                                out.write(o.payload + "\n")
                        elif writer is not None and o.failure is None:
                            writer.writerows(o.payload if raw_csv else [spreadsheet_safe(r) for r in o.payload])
                        elif console is not None and o.failure is None:
                            from .render.table import render_analysis

                            summary.add(o.payload)
                            console.print(render_analysis(o.payload, explain=explain, text=not no_text))
                        first = False
                    out.flush()
                    progress(words)
            except FocusshiftError as exc:
                raise FocusshiftUsageError(str(exc)) from None
            if fmt == "json":
                out.write("\n]\n" if not first else "]\n")
            if console is not None and summary.sessions > 1:
                console.print(summary.render(text=not no_text))
    if report.unassessed and report.done > 1:
        err(f"{report.unassessed} of {report.done} session(s) not assessed: no therapist or no client found "
            "(see the warnings above; pin roles with --therapist/--client or --role)")
    sys.exit(report.return_code)


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (files, words/s, ETA), only on a terminal."""
    if not enabled or total < 2:
        yield lambda words: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]analyzing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,  # no refresh thread: workers may be forked while it runs
    ) as bar:
        task = bar.add_task("files", total=total, rate="")
        seen = [0]

        def advance(words: int) -> None:
            seen[0] += words
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{seen[0] / elapsed:,.0f} words/s" if elapsed > 0.5 else ""
            bar.update(task, advance=1, rate=rate)
            bar.refresh()

        yield advance


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False), metavar="GOLD.json",
              help="Human line-level labels (docs/gold-format.md), keyed by file name relative to PATH.")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="Output format.")
@click.option("--no-text", is_flag=True, help="Leave transcript text out of the lists of mistakes.")
@click.option("--min-precision", type=click.FloatRange(0, 1), metavar="P",
              help="Exit 1 when any category's precision is below P.")
@click.option("--min-recall", type=click.FloatRange(0, 1), metavar="R",
              help="Exit 1 when any category's recall is below R.")
@analysis_options
def evaluate(paths, gold_path, fmt, no_text, min_precision, min_recall,
             therapist, client, segment_by, config_path, lexicon_files, model,
             input_format, glob, columns, role_specs, infer_roles, detector, min_confidence, encoding, timeout) -> None:
    """Compare detections with human line-level coding.

    Prints, per category and per subtype, true/false positives and negatives,
    precision, recall, F1 and Cohen's kappa over lines, the false positives and
    misses with their text, and whether segment scores order the gold levels
    (none > therapist_only, caretaking_only > shift).

    \b
    Examples:
      focusshift evaluate tests/data/devset/dev --gold tests/data/devset/dev/gold.json
      focusshift evaluate coded/ --gold coded/gold.json --format json | jq .categories
      focusshift evaluate coded/ --gold gold.json --min-precision 0.9 --min-recall 0.85
    """
    from .evaluate import evaluate as run_evaluation
    from .evaluate import load_gold

    try:
        analyzer = _build_analyzer(therapist, client, segment_by, config_path, lexicon_files, model,
                                   input_format, glob, columns, role_specs, infer_roles, encoding, timeout,
                                   detector, min_confidence)
        gold = load_gold(gold_path)
        result = run_evaluation(list(paths), gold, analyzer, glob=glob, skip=[gold_path])
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    for problem in result.errors:
        err(f"error: {problem}")
    if result.files == 0:
        raise FocusshiftUsageError(
            f"no analyzed file has an entry in {gold_path}; gold keys are file names relative to the folder given"
        )
    data = result.as_dict()
    if no_text:
        for item in data["false_positives"] + data["misses"]:
            item["text"] = None
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from .render.evaluation import render_evaluation
        from .render.table import make_console

        make_console(sys.stdout).print(render_evaluation(data))
    code = EXIT_OK
    for c in result.categories.values():
        if (min_precision is not None and c.precision < min_precision) or (
            min_recall is not None and c.recall < min_recall
        ):
            code = EXIT_THRESHOLD
    sys.exit(EXIT_ERROR if result.errors else code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="Output format.")
@analysis_options
def validate(paths, fmt, therapist, client, segment_by, config_path, lexicon_files, model,
             input_format, glob, columns, role_specs, infer_roles, detector, min_confidence, encoding, timeout) -> None:
    """Parse transcripts without analyzing them: check format, speakers and roles.

    For each file: the format detected, each speaker with its role, where the
    role came from (cli, declared, label, inferred with its confidence and
    evidence) and number of turns, whether the session can be assessed, the
    segments, and every warning with its line. Check the roles here before
    trusting a score. Exit 2 when a file cannot be read.

    \b
    Examples:
      focusshift validate session.vtt
      focusshift validate transcripts/ --glob '*.cha'
      focusshift validate export.csv --columns speaker=who,text=said --format json
    """
    try:
        analyzer = _build_analyzer(therapist, client, segment_by, config_path, lexicon_files, model,
                                   input_format, glob, columns, role_specs, infer_roles, encoding, timeout,
                                   detector, min_confidence)
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    report = Report()
    docs = []
    paths = drop_missing(paths, report)
    files = files_to_read(paths, glob, report)
    if not files:
        raise FocusshiftUsageError("nothing to validate")
    for path in files:
        try:
            from .api import time_budget

            with time_budget(analyzer.timeout):
                transcripts = analyzer.read_all(path, (stdin or b"") if path == "-" else None)
        except TranscriptError as exc:
            failed(report, path, exc.line, exc.message)
            docs.append({"path": path, "errors": [{"line": exc.line, "message": exc.message}]})
            continue
        except FocusshiftError as exc:
            raise FocusshiftUsageError(str(exc)) from None
        except BaseException as exc:  # a stall or a bug of ours: this file's error, the others go on
            if isinstance(exc, (KeyboardInterrupt, SystemExit, Terminated, GeneratorExit)):
                raise
            import traceback as tb

            message = (f"took longer than {analyzer.timeout:g} s and was skipped (--timeout)"
                       if type(exc).__name__ == "_OverBudget"
                       else f"internal error ({type(exc).__name__}: {exc}); please report it; "
                            "--debug shows the traceback")
            failed(report, path, None, message, tb.format_exc())
            docs.append({"path": path, "errors": [{"line": None, "message": message}]})
            continue
        for t in transcripts:
            speakers = [{"speaker": sp.label, "label": sp.label, "role": sp.role, "role_source": sp.role_source,
                         "confidence": sp.confidence, "evidence": sp.evidence, "turns": sp.turns,
                         "first_line": sp.first_line} for sp in t.speakers]
            docs.append({
                "path": t.path,
                "format": t.format,
                "meta": t.meta,
                "speakers": speakers,
                "assessable": t.assessable,
                "reason": t.unassessed_reason,
                "turns": sum(1 for x in t.turns if not x.is_note),
                "scene_notes": sum(1 for x in t.turns if x.is_note),
                "annotations": sum(len(x.annotations) for x in t.turns),
                "timestamps": any(x.time is not None for x in t.turns),
                "segments": [{"index": s.index, "title": s.title, "start_line": s.start_line,
                              "end_line": s.end_line, "turns": len(s.turns)} for s in t.segments],
                "warnings": [{"line": ln, "message": m} for ln, m in t.warnings],
                "errors": [],
            })
    if fmt == "json":
        click.echo(json.dumps(docs, indent=2, ensure_ascii=False))
    else:
        for d in docs:
            if d["errors"]:
                continue
            click.echo(f"{d['path']}: {d['format']}, {d['turns']} turns, {len(d['segments'])} segment(s), "
                       f"{d['scene_notes']} scene note(s), {d['annotations']} annotation(s)"
                       + (", timestamps" if d["timestamps"] else ""))
            for sp in d["speakers"]:
                click.echo(f"  {sp['label']}: {sp['role']} ({_role_why(sp)}{sp['turns']} turns, "
                           f"first on line {sp['first_line']})")
            if not d["assessable"]:
                click.echo(f"  NOT ASSESSED: {d['reason']}")
            for w in d["warnings"]:
                where = f"line {w['line']}: " if w["line"] else ""
                click.echo(f"  warning: {where}{w['message']}")
    sys.exit(report.return_code)


def _role_why(sp: dict[str, Any]) -> str:
    """'inferred 0.93: why; ' — where a speaker's role came from, for validate's listing."""
    source, evidence = sp["role_source"], sp["evidence"]
    if source is None:
        return f"no role: {evidence}; " if evidence else "no role; "
    if source == "inferred":
        return f"inferred {sp['confidence']:.2f}: {evidence}; "
    if evidence in ("declared in the file", "given on the command line or in the config",
                    f"the label {sp['label']!r}"):
        return f"{source}; "
    return f"{source}: {evidence}; "


@cli.group()
def lexicon() -> None:
    """List, check and try the detection rules (JSONL files, see docs/rules.md).

    \b
    Examples:
      focusshift lexicon list
      focusshift lexicon list --category client_caretaking --format jsonl
      focusshift lexicon check my_rules.jsonl
      focusshift lexicon check my_rules.jsonl --try "are you okay?" --role client
    """


@lexicon.command("list")
@click.option("--category", type=click.Choice(("therapist_emotion", "client_caretaking", "therapist_repair", "context")),
              help="Only this category (context: the ConText modifier rules).")
@click.option("--lexicon", "lexicon_files", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Include a user rule file (repeatable), as analyze does.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Config whose weights to show.")
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "jsonl")), default="table", show_default=True)
def lexicon_list(category, lexicon_files, config_path, fmt) -> None:
    """Show the rules in force: id, category, subtype, weight, condition and pattern."""
    from .config import load_config
    from .lexicon import load_lexicon

    try:
        lex = load_lexicon(list(lexicon_files))
        config = load_config(config_path)
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    from .render.lexicon import context_rows, marker_rows, render_rows

    rows = context_rows(lex) if category == "context" else marker_rows(lex, config, category)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        from .render.table import make_console

        make_console(sys.stdout).print(render_rows(rows, context=category == "context"))


@lexicon.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False), metavar="[FILE]...")
@click.option("--try", "sample", metavar="TEXT", help="Run the rules (built-in plus FILE) on this sentence.")
@click.option("--role", type=click.Choice(("therapist", "client")), default="client", show_default=True,
              help="Who says the --try sentence.")
def lexicon_check(files, sample, role) -> None:
    """Validate rule files; errors name the file, the line and what is wrong.

    With --try, show which rules match the sentence (the built-in rules, plus
    FILE... when given), the context modifiers that reach each match, and
    whether it would count for a speaker of --role.

    \b
    Examples:
      focusshift lexicon check my_rules.jsonl
      focusshift lexicon check --try "are you okay?" --role client
      focusshift lexicon check my_rules.jsonl --try "hang on, I need a moment" --role therapist
    """
    from .lexicon import load_lexicon

    if not files and sample is None:
        raise FocusshiftUsageError("give rule FILE(s) to check, or --try TEXT to try the built-in rules")

    for f in files:
        try:
            lex = load_lexicon([f])
        except FocusshiftError as exc:
            raise FocusshiftUsageError(str(exc)) from None
        own = [rid for rid, r in lex.markers.items() if r.origin.startswith(f"{f}:")]
        ctx = [rid for rid, r in lex.context.items() if r.origin.startswith(f"{f}:")]
        click.echo(f"{f}: OK ({len(own)} marker rule(s), {len(ctx)} context rule(s))")
    if sample is None:
        return
    from .pipeline.try_rules import try_sentence

    for line in try_sentence(sample, role, list(files)):
        click.echo(line)


def main() -> None:
    """Console entry point: errors as one line, quiet on a closed pipe, 130 on Ctrl-C, 143 on SIGTERM."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:  # click's name for Ctrl-C
        err("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
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
        if _DEBUG:
            raise
        err(f"error: internal error ({type(exc).__name__}: {exc}); please report it; --debug shows the traceback")
        sys.exit(EXIT_ERROR)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away as the last output was flushed
        _quiet_stdout()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _quiet_stdout() -> None:
    """The reader (e.g. `head`) went away: point stdout at /dev/null so the exit flush is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


__all__ = ["cli", "main", "EXIT_OK", "EXIT_THRESHOLD", "EXIT_ERROR", "EXIT_INTERRUPTED"]



def _register_report() -> None:
    """The `report` command lives in its own module (HTML rendering is a concern of its own)."""
    try:
        from .cli_report import report
    except ImportError:  # pragma: no cover - while the module is being written
        return
    cli.add_command(report)


_register_report()
