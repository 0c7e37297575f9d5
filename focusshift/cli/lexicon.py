"""`focusshift lexicon`: list, check and try the detection rules."""

from __future__ import annotations

import json
import sys

import click

from ..errors import FocusshiftError
from .common import FocusshiftUsageError


@click.group()
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
    from ..config import load_config
    from ..lexicon import load_lexicon

    try:
        lex = load_lexicon(list(lexicon_files))
        config = load_config(config_path)
    except FocusshiftError as exc:
        raise FocusshiftUsageError(str(exc)) from None
    from ..render.lexicon import context_rows, marker_rows, render_rows

    rows = context_rows(lex) if category == "context" else marker_rows(lex, config, category)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        from ..render.table import make_console

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
    from ..lexicon import load_lexicon

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
    from ..pipeline.try_rules import try_sentence

    for line in try_sentence(sample, role, list(files)):
        click.echo(line)
