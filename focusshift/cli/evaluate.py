"""`focusshift evaluate`: detection against human line-level coding."""

from __future__ import annotations

import json
import sys

import click

from ..errors import FocusshiftError
from ..options import Options
from .common import EXIT_ERROR, EXIT_OK, EXIT_THRESHOLD, FocusshiftUsageError, analysis_options, err


@click.command()
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
def evaluate(paths: tuple[str, ...], options: Options, glob: str | None, gold_path: str, fmt: str, no_text: bool,
             min_precision: float | None, min_recall: float | None) -> None:
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
    from ..evaluation import evaluate as run_evaluation

    try:
        result = run_evaluation(list(paths), gold_path, options, glob=glob)
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    for problem in result.errors:
        err(f"error: {problem}")
    if result.files == 0:
        raise FocusshiftUsageError(
            f"no analyzed file has an entry in {gold_path}; gold keys are file names relative to the folder given"
        )
    data = result.as_dict(text=not no_text)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from ..render.evaluation import render_evaluation
        from ..render.table import make_console

        make_console(sys.stdout).print(render_evaluation(data))
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_THRESHOLD if result.below(min_precision, min_recall) else EXIT_OK)
