"""The terminal view: one rich table per transcript, evidence under each row with --explain."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..model import CLIENT_CARETAKING, THERAPIST_EMOTION, Analysis
from .bands import band_for

_BAR_WIDTH = 10
_CATEGORY_STYLE = {THERAPIST_EMOTION: "magenta", CLIENT_CARETAKING: "yellow"}
_SHORT = {THERAPIST_EMOTION: "T-emotion", CLIENT_CARETAKING: "C-caretaking", "therapist_repair": "T-repair"}


def score_style(score: float) -> str:
    """The rich style of a score: its band's terminal colour (render.bands)."""
    return band_for(score).terminal


def bar(score: float, width: int = _BAR_WIDTH) -> str:
    """A small bar of the score, so the session's shape shows at a glance."""
    eighths = round(max(0.0, min(100.0, score)) / 100 * width * 8)
    full, part = divmod(eighths, 8)
    blocks = " ▏▎▍▌▋▊▉"
    out = "█" * full + (blocks[part] if part else "")
    return out.ljust(width, "·")


def _segment_name(seg_title: str | None, index: int, start: int, end: int) -> str:
    return seg_title if seg_title else f"lines {start}-{end}"


def render_analysis(analysis: Analysis, *, explain: bool = False, text: bool = True) -> Group:
    """A heading line, the segment table, and the shifts: what a supervisor reads first."""
    if not text:
        from ..deidentify import deidentify

        analysis = deidentify(analysis)
    t = analysis.transcript
    title = t.meta.get("title")
    head = Text()
    head.append(t.path, style="bold")
    if analysis.score is None:
        head.append("  ")
        head.append(f"NOT ASSESSED: {analysis.reason}", style="bold red")
    else:
        head.append("  session score ")
        head.append(f"{analysis.score:.1f}", style=f"bold {score_style(analysis.score)}")
    head.append(f"  focus shifts {len(analysis.shifts)}")
    if analysis.time is not None:  # None when not assessed: nothing is said about where attention went
        head.append(f"\n  time: {analysis.time.sentence()}")
    if title and text:
        head.append(f"\n{title}", style="dim")
    roles_line = _roles_line(analysis, text)
    if roles_line is not None:
        head.append("\n")
        head.append_text(roles_line)

    table = Table(show_header=True, header_style="bold", show_edge=False, pad_edge=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column("segment")
    table.add_column("lines", justify="right")
    table.add_column("score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("T-emo", justify="right")
    table.add_column("C-care", justify="right")
    table.add_column("turns", justify="right")
    by_segment: dict[int, list] = {}
    for e in analysis.events:
        by_segment.setdefault(e.segment, []).append(e)
    for s in analysis.segments:
        seg = s.segment
        if s.score is None:
            score_cell, bar_cell = Text("not assessed", style="bold red"), Text("?" * _BAR_WIDTH, style="red")
        else:
            style = score_style(s.score)
            score_cell, bar_cell = Text(f"{s.score:.1f}", style=style), Text(bar(s.score), style=style)
        table.add_row(
            str(seg.index),
            _segment_name(seg.title if text else None, seg.index, seg.start_line, seg.end_line),
            f"{seg.start_line}-{seg.end_line}",
            score_cell,
            bar_cell,
            str(s.counts.get(THERAPIST_EMOTION, 0)),
            str(s.counts.get(CLIENT_CARETAKING, 0)),
            str(sum(s.turns_by_role.values())),
        )
    parts: list = [head, table]
    if explain:
        parts.append(_evidence(analysis, by_segment, text))
    for i, sh in enumerate(analysis.shifts, 1):
        msg = Text(f"  shift {i}: marker line {sh.start_line}, caretaking line(s) ")
        msg.append(", ".join(str(x) for x in sh.caretaking_lines))
        if sh.ended_by == "repair":
            msg.append(f"; therapist repaired it at line {sh.end_line}")
        if sh.recovery_turns is not None:
            msg.append(f"; client back on own material at line {sh.recovery_line} after {sh.recovery_turns} turn(s)")
        else:
            msg.append("; the client did not get back to their own material in the segment")
        parts.append(msg)
    parts.append(Text(""))
    return Group(*parts)


def _evidence(analysis: Analysis, by_segment: dict[int, list], text: bool) -> Group:
    """Each segment's events, one per line: where, who, what, how heavy, why."""
    rows: list[Text] = []
    for s in analysis.segments:
        events = by_segment.get(s.segment.index, [])
        if not events:
            continue
        seg = s.segment
        how = ("not assessed" if s.score is None
               else f"score {s.score:.1f} = 100 x (1 - load {s.load:.2f} / {s.units} units)")
        rows.append(Text(f"  segment {seg.index} ({_segment_name(seg.title, seg.index, seg.start_line, seg.end_line)}): "
                         f"{how}", style="bold"))
        for e in events:
            line = Text("    ")
            line.append(f"line {e.line:<5}", style="bold")
            line.append(f"{(e.speaker or e.role)[:18]:<18} ")
            line.append(f"{_SHORT.get(e.category, e.category)}/{e.subtype}", style=_CATEGORY_STYLE.get(e.category, "cyan"))
            line.append(f"  w={e.weight:g}")
            if text:
                line.append(f'  "{e.text}"', style="italic")
            why = f"  [{e.rule}"
            if e.detector == "model":
                why += f" p={e.confidence:.2f}" + (f": {', '.join(e.evidence)}" if text and e.evidence else "")
            if e.anchor_line is not None:
                why += f"; {'supported by' if e.condition == 'with_support' else 'after'} line {e.anchor_line}"
            if e.modifiers:
                why += f"; context overridden: {', '.join(e.modifiers)}"
            line.append(why + "]", style="dim")
            rows.append(line)
    if not rows:
        rows.append(Text("  no evidence: no therapist emotion or client caretaking found", style="dim"))
    return Group(*rows)


def _roles_line(analysis: Analysis, text: bool) -> Text | None:
    """Who is who, shown when a role was inferred or is missing: the score depends on it."""
    speakers = analysis.transcript.speakers
    if not speakers or all(sp.role_source in ("cli", "declared", "label") and sp.role != "unknown"
                           for sp in speakers):
        return None
    line = Text("  roles: ", style="dim")
    for i, sp in enumerate(speakers):
        if i:
            line.append(", ", style="dim")
        name = sp.label
        if sp.role_source == "inferred":
            line.append(f"{name} = {sp.role} (inferred, {sp.confidence:.2f})", style="yellow")
        elif sp.role == "unknown":
            line.append(f"{name} = unknown", style="red")
        else:
            line.append(f"{name} = {sp.role} ({sp.role_source})", style="dim")
    return line


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """rich exits 1 here; a closed pipe (`| head`) is the reader's choice: let the CLI exit 0."""
        self.quiet = True
        raise BrokenPipeError()


def make_console(file, *, color: bool | None = None) -> Console:
    """color None: on a terminal, unless NO_COLOR is set (rich's own checks); True/False: --color always/never."""
    if color is True:
        return _Console(file=file, force_terminal=True, no_color=False, highlight=False, soft_wrap=True)
    if color is False:
        return _Console(file=file, no_color=True, color_system=None, highlight=False, soft_wrap=True)
    return _Console(file=file, highlight=False, soft_wrap=True)
