"""A long session's turns held as columns, so that a session is held once and compactly.

A Turn object with its text, its pieces and their numbers takes about 450
bytes in memory; a session of 1.3M words has 77,000 of them (35 MB). A
TurnTable holds the same turns as a few arrays and one UTF-8 buffer (about
150 bytes a turn) and makes each Turn when it is asked for, equal to the one
it was given. It is a read-only sequence of Turns: everything that reads
`Transcript.turns` (detection, scoring, writers, a researcher's loop) works on
it unchanged. The readers use it for sessions of at least `TABLE_FROM` turns;
shorter sessions keep a tuple, which is faster to read over and over.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from .model import ROLES, Annotation, Piece, Turn

TABLE_FROM = 5000  # turns; an hour's session has a few hundred

_ROLE_CODE = {role: code for code, role in enumerate(ROLES)}
_NOTE, _INTERJECTION, _TIMED = 1, 2, 4
_KEEP = 256  # turns made by indexing that are kept for the next look-up

# Slot setters: a Turn is made without running its __init__ (which would count its words again).
_SET_TURN = {name: getattr(Turn, name).__set__ for name in Turn.__slots__}
_SET_PIECE = {name: getattr(Piece, name).__set__ for name in Piece.__slots__}


def _piece(offset: int, line: int, column: int) -> Piece:
    p = object.__new__(Piece)
    _SET_PIECE["offset"](p, offset)
    _SET_PIECE["line"](p, line)
    _SET_PIECE["column"](p, column)
    return p


class TurnTable(Sequence[Turn]):
    """A session's turns as columns; `table[i]` and iteration make equal Turn objects on demand."""

    __slots__ = ("_index", "_labels", "_speaker", "_role", "_flags", "_time", "_words",
                 "_text", "_text_at", "_pieces", "_pieces_at", "_annotations", "_recent", "_columns")

    def __init__(self, turns: Iterable[Turn] = ()) -> None:
        self._index = array("i")  # 4 bytes a number where it is enough (not for text offsets)
        self._labels: list[str | None] = [None]
        self._speaker = array("i")  # into _labels; 0 is None (a scene note)
        self._role = bytearray()
        self._flags = bytearray()
        self._time = array("d")
        self._words = array("i")
        self._text = bytearray()  # every turn's text, UTF-8
        self._text_at = array("q", [0])
        self._pieces = array("i")  # (offset, line, column) of every piece
        self._pieces_at = array("i", [0])
        self._annotations: dict[int, tuple[Annotation, ...]] = {}  # only the turns that have some
        self._recent: dict[int, Turn] = {}
        self._columns: TurnColumns | None = None
        label_of: dict[str | None, int] = {None: 0}
        for turn in turns:
            self._append(turn, label_of)

    def _append(self, turn: Turn, label_of: dict[str | None, int]) -> None:
        k = len(self._index)
        self._index.append(turn.index)
        code = label_of.get(turn.speaker)
        if code is None:
            code = label_of[turn.speaker] = len(self._labels)
            self._labels.append(turn.speaker)
        self._speaker.append(code)
        self._role.append(_ROLE_CODE[turn.role])
        flags = (_NOTE if turn.is_note else 0) | (_INTERJECTION if turn.interjection else 0)
        if turn.time is not None:
            flags |= _TIMED
        self._flags.append(flags)
        self._time.append(math.nan if turn.time is None else turn.time)
        self._words.append(turn.words)
        self._text += turn.text.encode("utf-8", "surrogatepass")
        self._text_at.append(len(self._text))
        for p in turn.pieces:
            self._pieces.extend((p.offset, p.line, p.column))
        self._pieces_at.append(len(self._pieces))
        if turn.annotations:
            self._annotations[k] = turn.annotations

    def _make(self, k: int) -> Turn:
        t = object.__new__(Turn)
        s = _SET_TURN
        s["index"](t, self._index[k])
        s["speaker"](t, self._labels[self._speaker[k]])
        s["role"](t, ROLES[self._role[k]])
        a, b = self._text_at[k], self._text_at[k + 1]
        s["text"](t, str(memoryview(self._text)[a:b], "utf-8", "surrogatepass"))
        pd, a, b = self._pieces, self._pieces_at[k], self._pieces_at[k + 1]
        s["pieces"](t, tuple(_piece(pd[j], pd[j + 1], pd[j + 2]) for j in range(a, b, 3)))
        s["annotations"](t, self._annotations.get(k, ()))
        flags = self._flags[k]
        s["time"](t, self._time[k] if flags & _TIMED else None)
        s["is_note"](t, bool(flags & _NOTE))
        s["interjection"](t, bool(flags & _INTERJECTION))
        s["words"](t, self._words[k])
        return t

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, k: int) -> Turn: ...
    @overload
    def __getitem__(self, k: slice) -> tuple[Turn, ...]: ...

    def __getitem__(self, k: int | slice) -> Turn | tuple[Turn, ...]:
        if isinstance(k, slice):
            return tuple(self._make(i) for i in range(*k.indices(len(self))))
        n = len(self._index)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("turn index out of range")
        turn = self._recent.get(k)
        if turn is None:
            if len(self._recent) >= _KEEP:
                self._recent.clear()
            turn = self._recent[k] = self._make(k)
        return turn

    def __iter__(self) -> Iterator[Turn]:
        make = self._make
        for k in range(len(self._index)):
            yield make(k)

    def between(self, start: int, stop: int) -> Iterator[Turn]:
        """The turns at places start..stop-1, made one by one (none held)."""
        make = self._make
        for k in range(max(start, 0), min(stop, len(self._index))):
            yield make(k)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (TurnTable, tuple, list)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TurnTable({len(self)} turns)"

    def columns(self) -> TurnColumns:
        """The table's columns, made on first use and kept (a few bytes a turn)."""
        if self._columns is None:
            labels, flags, times = self._labels, self._flags, self._time
            self._columns = TurnColumns(
                index=self._index,
                speaker=[labels[c] for c in self._speaker],
                role=[ROLES[c] for c in self._role],
                is_note=bytes(f & _NOTE for f in flags),  # 0 or 1, a byte a turn
                interjection=bytes((f & _INTERJECTION) >> 1 for f in flags),
                words=self._words,
                time=[times[k] if f & _TIMED else None for k, f in enumerate(flags)],
            )
        return self._columns

    def renamed(self, names: dict[str, str]) -> TurnTable:
        """The same turns with speaker labels renamed (de-identified output), without making them;
        an empty label becomes None, as `replace(turn, speaker=...)` in deidentify makes it."""
        out = TurnTable()
        for name in self.__slots__:
            if name not in ("_labels", "_recent", "_columns"):
                setattr(out, name, getattr(self, name))
        out._labels = [names.get(x, x) if x else None for x in self._labels]
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        state = {name: getattr(self, name) for name in self.__slots__ if name not in ("_recent", "_columns")}
        return (_restore, (state,))


def _restore(state: dict[str, Any]) -> TurnTable:
    table = TurnTable()  # empty caches; the state's columns replace the empty ones
    for name, value in state.items():
        setattr(table, name, value)
    return table


@dataclass(frozen=True, slots=True)
class TurnColumns:
    """The numbers and labels of a session's turns, one sequence per attribute, in turn order.

    What scoring, positions and time read of every turn, without making each Turn
    (for a TurnTable these come from its packed columns)."""

    index: Sequence[int]
    speaker: Sequence[str | None]
    role: Sequence[str]
    is_note: Sequence[bool] | bytes  # read them as true or false (a table gives 0 or 1)
    interjection: Sequence[bool] | bytes
    words: Sequence[int]
    time: Sequence[float | None]


_last_columns: tuple[Sequence[Turn] | None, TurnColumns | None] = (None, None)


def columns(turns: Sequence[Turn]) -> TurnColumns:
    """The turns' columns: a TurnTable's own (made once), or read off a tuple's Turns.

    The last tuple's answer is kept (it is immutable): detection, the classifier,
    scoring and time each ask for the same session's columns.
    """
    global _last_columns
    if isinstance(turns, TurnTable):
        return turns.columns()
    last_turns, last = _last_columns  # one tuple, read and replaced whole: safe across threads
    if last is not None and turns is last_turns:
        return last
    found = TurnColumns(
        index=[t.index for t in turns],
        speaker=[t.speaker for t in turns],
        role=[t.role for t in turns],
        is_note=[t.is_note for t in turns],
        interjection=[t.interjection for t in turns],
        words=[t.words for t in turns],
        time=[t.time for t in turns],
    )
    if isinstance(turns, tuple):
        _last_columns = (turns, found)
    return found


def between(turns: Sequence[Turn], start: int, stop: int) -> Iterator[Turn]:
    """The turns at places start..stop-1 of a tuple or a table, without making the others."""
    if isinstance(turns, TurnTable):
        return turns.between(start, stop)
    return iter(turns[start:stop])


def hold(turns: list[Turn] | Iterable[Turn], size: int) -> Sequence[Turn]:
    """A session's turns as the readers keep them: a TurnTable from TABLE_FROM turns on, else a tuple."""
    return TurnTable(turns) if size >= TABLE_FROM else tuple(turns)


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim), where there is one.

    Reading a long session frees tens of MB of large buffers (the file's bytes,
    its lines, the packed turns before the table) that glibc keeps for later
    large allocations; the analysis that follows makes small Python objects,
    which never reuse them, so without this they stay in the process's memory.
    """
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except (ImportError, OSError, AttributeError, TypeError):  # not glibc (TypeError: Windows): nothing to do
        return
    trim(0)

