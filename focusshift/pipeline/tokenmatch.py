"""A token-pattern matcher over attribute hashes: spaCy's Matcher semantics, without Python per token and state.

spaCy's Matcher evaluates set predicates ({"LOWER": {"IN": [...]}}, nearly
every rule has some) by making a Token object and calling Python for every
token and every live pattern state; that was most of detection's time. Here
every distinct token test of every rule is registered once in a `SpecIndex`
(value hash -> the tests it passes), a doc's tokens are looked up in it once
(`DocMasks`: one bit mask over the doc's tokens per test), and a small
automaton per rule walks those masks to find every (start, end) the pattern
matches, as the Matcher does; `longest` then keeps the same matches that
greedy="LONGEST" keeps.

Patterns using anything else (REGEX, LENGTH, extension attributes, OP "!"
and so on) are left to spaCy's Matcher: `SpecIndex.compile` returns None for
them. A test compares both matchers rule by rule on generated text.
"""

from __future__ import annotations

from typing import Any

STRING_ATTRS = ("LOWER", "ORTH", "NORM", "LEMMA")  # TEXT is ORTH
FLAG_ATTRS = ("IS_ALPHA", "IS_ASCII", "IS_PUNCT", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_SPACE",
              "LIKE_NUM", "IS_STOP")
_OPS = (None, "?", "*", "+")


class CompiledPattern:
    """One rule's pattern: the tests of each step and an automaton over the steps."""

    def __init__(self, steps: list[tuple[tuple[int, ...], str | None]]) -> None:
        self.steps = [tests for tests, _op in steps]  # spec ids that must all pass, per step
        self.states: list[tuple[int, str | None]] = []  # (step, op) per automaton state; X+ is X X*
        for k, (_tests, op) in enumerate(steps):
            if op == "+":
                self.states += [(k, None), (k, "*")]
            else:
                self.states.append((k, op))
        self.accept = len(self.states)
        self._closure = [self._close(i) for i in range(self.accept + 1)]
        # Every step exactly once: a match is a run of len(steps) tokens, found with shifts alone.
        self.fixed = all(op is None for _tests, op in steps)

    def _close(self, i: int) -> frozenset[int]:
        out = {i}
        while i < self.accept and self.states[i][1] in ("?", "*"):
            i += 1
            out.add(i)
        return frozenset(out)

    def matches(self, masks: DocMasks, start: int, end: int) -> list[tuple[int, int]]:
        """Every (s, e) with start <= s < e <= end whose tokens the pattern matches (all of them,
        as spaCy's Matcher finds them before greedy filtering)."""
        steps = [masks.all(tests) for tests in self.steps]
        window = ((1 << end) - 1) ^ ((1 << start) - 1)
        if not steps[0] & window and self.states[0][1] not in ("?", "*"):
            return []
        out: list[tuple[int, int]] = []
        if self.fixed:
            n = len(steps)
            if end - start < n:
                return out
            starts = ((1 << (end - n + 1)) - 1) ^ ((1 << start) - 1)  # s with s + n <= end
            for k, mask in enumerate(steps):
                starts &= mask >> k
            while starts:
                low = starts & -starts
                s = low.bit_length() - 1
                out.append((s, s + n))
                starts ^= low
            return out
        states, closure, accept = self.states, self._closure, self.accept
        first = closure[0]
        # A first step that must match: only its tokens can start a match.
        starters = -1 if states[0][1] in ("?", "*") else steps[states[0][0]]
        for s in range(start, end):
            if not (starters >> s) & 1:
                continue
            current = first
            for t in range(s, end):
                bit = 1 << t
                nxt: set[int] = set()
                for i in current:
                    if i != accept and steps[states[i][0]] & bit:
                        nxt |= closure[i + 1]
                        if states[i][1] == "*":
                            nxt |= closure[i]
                if not nxt:
                    break
                if accept in nxt:
                    out.append((s, t + 1))
                current = frozenset(nxt)
        return out


class SpecIndex:
    """Every distinct token test of the compiled rules: (attribute, kind, value) by spec id.

    Kinds: "eq" (one hash), "in" and "not_in" (a frozenset of hashes), "flag"
    (a boolean attribute's wanted value). DocMasks computes a test's mask.
    """

    def __init__(self, strings: Any) -> None:
        self.strings = strings
        self.ids: dict[tuple, int] = {}
        self.kinds: list[tuple[str, str, Any]] = []  # (attr, kind, value) per spec id
        self.attrs: set[str] = set()

    def _spec(self, attr: str, kind: str, value: Any) -> int:
        key = (attr, kind, tuple(sorted(value)) if isinstance(value, frozenset) else value)
        found = self.ids.get(key)
        if found is not None:
            return found
        sid = self.ids[key] = len(self.kinds)
        self.kinds.append((attr, kind, value))
        self.attrs.add(attr)
        return sid

    def compile(self, pattern: list[dict[str, Any]]) -> CompiledPattern | None:
        """The pattern over this index, or None if it needs something only spaCy's Matcher does."""
        steps: list[tuple[tuple[int, ...], str | None]] = []
        for token in pattern:
            if not isinstance(token, dict) or token.get("OP") not in _OPS:
                return None
            tests: list[int] = []
            for name, value in token.items():
                if name == "OP":
                    continue
                attr = "ORTH" if name == "TEXT" else name
                if attr in STRING_ATTRS and isinstance(value, str):
                    tests.append(self._spec(attr, "eq", self.strings.add(value)))
                elif (attr in STRING_ATTRS and isinstance(value, dict) and len(value) == 1
                      and next(iter(value)) in ("IN", "NOT_IN")
                      and isinstance(next(iter(value.values())), list)
                      and all(isinstance(v, str) for v in next(iter(value.values())))):
                    op, items = next(iter(value.items()))
                    hashes = frozenset(self.strings.add(v) for v in items)
                    tests.append(self._spec(attr, "in" if op == "IN" else "not_in", hashes))
                elif attr in FLAG_ATTRS and isinstance(value, bool):
                    tests.append(self._spec(attr, "flag", value))
                else:
                    return None
            steps.append((tuple(tests), token.get("OP")))
        if not steps:
            return None
        return CompiledPattern(steps)


class DocMasks:
    """Bit masks over a doc's tokens, one per test of the index (bit t set when token t passes),
    each computed when a pattern first asks for it: a doc is matched against a few rules, and
    a common word passes dozens of tests of rules it will never be matched against."""

    def __init__(self, doc: Any, index: SpecIndex) -> None:
        from spacy.attrs import IDS

        n = len(doc)
        self.full = (1 << n) - 1
        self.index = index
        self._masks: dict[int, int] = {}
        self._names = sorted(index.attrs)
        self._rows = doc.to_array([IDS[a] for a in self._names]).reshape(n, len(self._names)) \
            if self._names and n else None
        self._where: dict[str, dict[int, int]] = {}  # attr -> value -> the tokens that have it

    def _tokens_with(self, attr: str) -> dict[int, int]:
        found = self._where.get(attr)
        if found is None:
            found = self._where[attr] = {}
            if self._rows is not None:
                for t, value in enumerate(self._rows[:, self._names.index(attr)].tolist()):
                    found[value] = found.get(value, 0) | 1 << t
        return found

    def mask(self, sid: int) -> int:
        found = self._masks.get(sid)
        if found is None:
            found = self._masks[sid] = self._compute(sid)
        return found

    def _compute(self, sid: int) -> int:
        attr, kind, value = self.index.kinds[sid]
        if kind == "flag":
            if self._rows is None:
                return 0
            import numpy

            passes = self._rows[:, self._names.index(attr)] != 0
            if not value:
                passes = ~passes
            return int.from_bytes(numpy.packbits(passes, bitorder="little").tobytes(), "little")
        where = self._tokens_with(attr)
        if kind == "eq":
            return where.get(value, 0)
        bits = 0
        for v in value.intersection(where):  # C walks the smaller of the two
            bits |= where[v]
        return bits if kind == "in" else self.full & ~bits  # not_in

    def all(self, tests: tuple[int, ...]) -> int:
        """Tokens that pass every one of these tests."""
        mask = self.full
        for sid in tests:
            mask &= self.mask(sid)
        return mask


def longest(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's greedy="LONGEST": longest first (then earliest), keeping those that overlap none kept."""
    if len(pairs) <= 1:
        return pairs
    kept: list[tuple[int, int]] = []
    taken = 0
    for start, end in sorted(pairs, key=lambda x: (x[1] - x[0], -x[0]), reverse=True):
        span = ((1 << end) - 1) ^ ((1 << start) - 1)
        if not taken & span:
            taken |= span
            kept.append((start, end))
    return kept
