"""One writer per output format, behind one registry, used by the CLI and the library alike.

Each writer has two halves: `shape(result)` runs where the result is made (a
worker process, if any) and turns it into what travels back (JSON text, rows);
the writer object then writes those in order to one stream.

    from focusshift.writers import open_writer
    with open_writer("csv", sys.stdout, rows="events") as w:
        for result in focusshift.analyze_many(["sessions/"]):
            w.write(w.shape(result))

Formats: table (rich, a terminal), json (one array), jsonl (one object per line),
csv and tsv (one row per segment, or per event with rows="events"), convokit
(ConvoKit utterances.jsonl with focusshift's labels as utterance metadata),
html (the report page of one session; a folder of pages with an index is
focusshift.report.write_report).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from .failure import Failure
from .model import Analysis
from .turntable import columns


@dataclass(frozen=True)
class Outcome:
    """What the CLI needs of one result, made where the result is made."""

    path: str
    failure: tuple[int | None, str] | None  # (line, message) of a file that could not be read
    scores: tuple[float | None, ...]  # segment scores, for --fail-under (None: not assessed)
    warnings: tuple[tuple[int | None, str], ...]
    words: int
    payload: Any  # what the writer writes (JSON text, rows, an Analysis for the table)
    assessable: bool = True
    reason: str | None = None
    traceback: str = ""  # of an internal error, shown under --debug


class Writer:
    """Base: shape a result (picklable, in a worker), then write shaped results in order."""

    name = ""

    def __init__(self, out: IO[str], *, text: bool = True, **options: Any) -> None:
        self.out = out
        self.text = text
        self.options = options

    @classmethod
    def payload(cls, result: Analysis, text: bool, options: dict[str, Any]) -> Any:
        return result

    @classmethod
    def failure_payload(cls, result: Failure) -> Any:
        return None

    @classmethod
    def shape(cls, result: Analysis | Failure, text: bool = True, **options: Any) -> Outcome:
        if isinstance(result, Failure):
            return Outcome(result.path, (result.line, result.message), (), (), 0, cls.failure_payload(result),
                           False, result.message, result.traceback)
        if not text:  # --no-text: names out of every output, stderr's warnings included
            from .deidentify import deidentify

            result = deidentify(result)
        t = result.transcript
        return Outcome(t.path, None, tuple(s.score for s in result.segments), tuple(t.warnings),
                       sum(columns(t.turns).words), cls.payload(result, text, options), result.assessable,
                       result.reason)

    def begin(self) -> None:
        pass

    def write(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass


class JsonLinesWriter(Writer):
    name = "jsonl"

    @classmethod
    def payload(cls, result: Analysis, text: bool, options: dict[str, Any]) -> Any:
        from .render.data import analysis_to_dict

        return json.dumps(analysis_to_dict(result, text=text), ensure_ascii=False)

    @classmethod
    def failure_payload(cls, result: Failure) -> Any:
        from .render.data import failure_to_dict

        return json.dumps(failure_to_dict(result), ensure_ascii=False)

    def write(self, outcome: Outcome) -> None:
        self.out.write(outcome.payload + "\n")


class JsonWriter(JsonLinesWriter):
    """One JSON array, written as files finish (memory stays flat)."""

    name = "json"

    def begin(self) -> None:
        self.out.write("[")
        self.first = True

    def write(self, outcome: Outcome) -> None:
        self.out.write(("\n" if self.first else ",\n") + outcome.payload)
        self.first = False

    def end(self) -> None:
        self.out.write("]\n" if self.first else "\n]\n")


class CsvWriter(Writer):
    """One row per segment (rows="segments", the default) or per event (rows="events"); cells that a
    spreadsheet would run as a formula get a leading apostrophe unless raw=True."""

    name = "csv"
    delimiter = ","

    @classmethod
    def payload(cls, result: Analysis, text: bool, options: dict[str, Any]) -> Any:
        from .render.data import csv_rows, event_rows

        return (event_rows if options.get("rows") == "events" else csv_rows)(result, text=text)

    def begin(self) -> None:
        from .render.data import CSV_COLUMNS, EVENT_COLUMNS

        self.table = csv.writer(self.out, delimiter=self.delimiter, lineterminator="\n")
        self.table.writerow(EVENT_COLUMNS if self.options.get("rows") == "events" else CSV_COLUMNS)

    def write(self, outcome: Outcome) -> None:
        from .render.data import spreadsheet_safe

        if outcome.failure is None:
            rows = outcome.payload if self.options.get("raw") else [spreadsheet_safe(r) for r in outcome.payload]
            self.table.writerows(rows)


class TsvWriter(CsvWriter):
    name = "tsv"
    delimiter = "\t"


class TableWriter(Writer):
    """The terminal view: a table per session, the evidence with explain=True, a corpus summary at the end."""

    name = "table"

    def begin(self) -> None:
        from .render.summary import CorpusSummary
        from .render.table import make_console

        self.console = make_console(self.out, color=self.options.get("color"))
        self.summary = CorpusSummary()

    def write(self, outcome: Outcome) -> None:
        from .render.table import render_analysis

        if outcome.failure is None:
            self.summary.add(outcome.payload)
            self.console.print(render_analysis(outcome.payload, explain=bool(self.options.get("explain")),
                                               text=self.text))

    def end(self) -> None:
        if self.summary.sessions > 1:
            self.console.print(self.summary.render(text=self.text))


class ConvoKitWriter(Writer):
    """ConvoKit's utterances.jsonl: one utterance per speaking turn, focusshift's labels in `meta`."""

    name = "convokit"

    @classmethod
    def payload(cls, result: Analysis, text: bool, options: dict[str, Any]) -> Any:
        from .render.data import convokit_utterances

        return [json.dumps(u, ensure_ascii=False) for u in convokit_utterances(result, text=text)]

    def write(self, outcome: Outcome) -> None:
        if outcome.failure is None:
            for line in outcome.payload:
                self.out.write(line + "\n")


class HtmlWriter(Writer):
    """The self-contained HTML report of one session (a folder of pages with an index: focusshift report)."""

    name = "html"

    @classmethod
    def payload(cls, result: Analysis, text: bool, options: dict[str, Any]) -> Any:
        from .render.html import render_report

        return render_report(result, text=text)

    def begin(self) -> None:
        self.pages = 0

    def write(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            return
        self.pages += 1
        if self.pages > 1:
            from .errors import FocusshiftError

            raise FocusshiftError("-f html writes the page of one session; for several, write a folder of "
                                  "pages with an index: focusshift report PATH... -o DIR/")
        self.out.write(outcome.payload)


WRITERS: dict[str, type[Writer]] = {w.name: w for w in (TableWriter, JsonWriter, JsonLinesWriter, CsvWriter,
                                                        TsvWriter, ConvoKitWriter, HtmlWriter)}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def shaper(fmt: str, text: bool = True, **options: Any) -> Callable[[Analysis | Failure], Outcome]:
    """The picklable function that shapes results for `fmt` (run in the worker)."""
    import functools

    return functools.partial(WRITERS[fmt].shape, text=text, **options)


@contextmanager
def open_writer(fmt: str, out: IO[str], *, text: bool = True, **options: Any) -> Iterator[Writer]:
    """A writer for `fmt` on `out`, begun and (on leaving the block normally) ended."""
    writer = WRITERS[fmt](out, text=text, **options)
    writer.begin()
    yield writer
    writer.end()


def write_results(results, fmt: str, out: IO[str], *, text: bool = True, **options: Any) -> None:
    """Write analyses (or failures) in `fmt` to `out`: the library's one call for every format."""
    with open_writer(fmt, out, text=text, **options) as w:
        for r in results:
            w.write(w.shape(r, text=text, **options))
