"""Write a parsed transcript out again as other tools would: for format-equivalence tests.

Speakers keep their names (role labels such as T or CLIENT become first names, as
a meeting tool would show people); nothing declares a role. Headings and header
metadata are lost, as they are in those formats.
"""

from __future__ import annotations

import csv
import io

from focusshift.model import Transcript
from focusshift.roles import label_role

NAMES = ["Jordan Blake", "Casey Reid", "Robin Hale", "Avery Lund", "Quinn Ash"]


def names(t: Transcript) -> dict[str, str]:
    """Each speaker label as a meeting tool would show the person.

    A role word (T, CLIENT) becomes the name the header gave that role, when it
    gave one name, else a made-up full name; names stay as they are.
    """
    out: dict[str, str] = {}
    pool = iter(NAMES)
    for sp in t.speakers:
        found = label_role(sp.label)
        declared = t.meta.get(sp.role) if sp.role in ("therapist", "client") else None
        if found is None or sp.label.startswith(("Dr", "Doctor")):
            out[sp.label] = sp.label
        elif isinstance(declared, list) and len(declared) == 1 and declared[0] not in out.values():
            out[sp.label] = declared[0]
        else:
            out[sp.label] = next(pool)
    return out


def _units(t: Transcript):
    """(speaker name or None for a scene note, [lines of text])."""
    who = names(t)
    for turn in t.turns:
        lines = [ln.strip() for ln in turn.text.split("\n") if ln.strip()]
        if not lines:
            continue
        yield (None if turn.is_note else who[turn.speaker]), lines


def _clock(seconds: float, sep: str = ".") -> str:
    h, rem = divmod(int(seconds * 1000), 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_vtt(t: Transcript, voice_tags: bool = True) -> str:
    out = ["WEBVTT", ""]
    clock = 0.0
    for n, (name, lines) in enumerate(_units(t), 1):
        out.append(str(n))
        out.append(f"{_clock(clock)} --> {_clock(clock + 4)}")
        clock += 4
        if name is None:
            out.extend(lines)
        elif voice_tags:
            out.extend(f"<v {name}>{ln}</v>" for ln in lines)
        else:
            out.append(f"{name}: {lines[0]}")
            out.extend(lines[1:])
        out.append("")
    return "\n".join(out)


def to_srt(t: Transcript) -> str:
    out = []
    clock = 0.0
    for n, (name, lines) in enumerate(_units(t), 1):
        out.append(str(n))
        out.append(f"{_clock(clock, ',')} --> {_clock(clock + 4, ',')}")
        clock += 4
        out.extend(lines if name is None else [f"{name}: {lines[0]}", *lines[1:]])
        out.append("")
    return "\n".join(out)


def to_otter(t: Transcript) -> str:
    out = []
    clock = 0
    for name, lines in _units(t):
        if name is None:
            if out:
                out.insert(len(out) - 1, lines[0])  # a note line under the block before it
            continue
        out.append(f"{name}  {clock // 60}:{clock % 60:02d}")
        clock += 7
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def to_csv(t: Transcript) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["speaker", "text"])
    for name, lines in _units(t):
        w.writerow([name or "", " ".join(lines)])
    return buf.getvalue()


WRITERS = {"vtt": (to_vtt, "vtt"), "zoom": (lambda t: to_vtt(t, voice_tags=False), "vtt"),
           "srt": (to_srt, "srt"), "otter": (to_otter, "txt"), "csv": (to_csv, "csv")}
