"""Scoring: pure functions, checked by hand on small cases and by hypothesis on random ones."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focusshift.config import load_config
from focusshift.model import Event, Piece, Segment, Turn
from focusshift.scoring import find_shifts, score, score_segments, session_score

CONFIG = load_config()
TE, CT = "therapist_emotion", "client_caretaking"
CLIENT_OWN = "I went to see my mother and I told her how I felt about it"


def make_turns(roles: list[str], texts: list[str] | None = None) -> list[Turn]:
    turns = []
    for i, role in enumerate(roles):
        text = texts[i] if texts else ("Tell me more about that." if role == "therapist" else CLIENT_OWN)
        turns.append(Turn(index=i, speaker=role[0].upper(), role=role, text=text, pieces=(Piece(0, i + 1, 3),)))
    return turns


def ev(turn: int, category: str, weight: float = 0.8) -> Event:
    role = "therapist" if category == TE else "client"
    return Event(category, "x", turn, turn + 1, (0, 1), None, role, "x", "r", "speech", (), weight)


def one_segment(turns: list[Turn]) -> tuple[Segment, ...]:
    return (Segment(1, None, 1, len(turns), tuple(t.index for t in turns)),)


def seg_scores(turns, events, segments=None):
    segments = segments or one_segment(turns)
    shifts = find_shifts(turns, events, CONFIG, segments)
    return [s.score for s in score_segments(segments, turns, events, shifts, CONFIG)]


def test_formula_by_hand():
    # 10 turns, one crying event (weight 1.0) and nothing else: 100 * (1 - 1/10)
    turns = make_turns(["therapist", "client"] * 5)
    assert seg_scores(turns, [ev(2, TE, 1.0)]) == [90.0]
    assert score(0.0, 0) == 100.0
    assert score(2.5, 10) == 75.0
    assert score(20, 10) == 0.0


def test_shift_turns_count_until_recovery():
    roles = ["therapist", "client", "therapist", "client", "therapist", "client"]
    texts = ["[crying]", "Are you okay?", "I'm fine.", "It's fine, really.", "Go on.", CLIENT_OWN]
    turns = make_turns(roles, texts)
    events = [ev(0, TE, 1.0), ev(1, CT, 0.8), ev(3, CT, 0.7)]
    shifts = find_shifts(turns, events, CONFIG, one_segment(turns))
    assert len(shifts) == 1
    sh = shifts[0]
    assert (sh.start_line, sh.caretaking_lines, sh.end_line, sh.recovery_turns) == (1, (2, 4), 6, 5)
    # load: t0 min(1, 1.0+0.5)=1, t1 min(1, .8+.5)=1, t2 .5, t3 min(1,.7+.5)=1, t4 .5, t5 0 -> 4.0 / 6
    [s] = score_segments(one_segment(turns), turns, events, shifts, CONFIG)
    assert math.isclose(s.load, 4.0)
    assert math.isclose(s.score, 100 * (1 - 4.0 / 6))


def test_no_shift_without_caretaking_or_too_far():
    roles = ["therapist", "client"] * 6
    turns = make_turns(roles)
    assert find_shifts(turns, [ev(0, TE)], CONFIG) == ()
    # caretaking 4 speaking turns later: beyond the default window of 3
    assert find_shifts(turns, [ev(0, TE), ev(5, CT)], CONFIG) == ()
    assert len(find_shifts(turns, [ev(0, TE), ev(3, CT)], CONFIG)) == 1


def test_unrecovered_shift_has_null_recovery():
    roles = ["therapist", "client", "therapist", "client"]
    turns = make_turns(roles, ["[crying]", "Are you okay?", "Yes.", "Ok."])
    [sh] = find_shifts(turns, [ev(0, TE), ev(1, CT)], CONFIG, one_segment(turns))
    assert sh.recovery_turns is None and sh.end_line is None


def test_session_score_pools_segments():
    turns = make_turns(["therapist", "client"] * 4)
    segs = (Segment(1, "a", 1, 4, (0, 1, 2, 3)), Segment(2, "b", 5, 8, (4, 5, 6, 7)))
    scored = score_segments(segs, turns, [ev(0, TE, 1.0)], (), CONFIG)
    assert [s.score for s in scored] == [75.0, 100.0]
    assert session_score(scored)[0] == 100 * (1 - 1 / 8)


# ---- properties -------------------------------------------------------------

roles_st = st.lists(st.sampled_from(["therapist", "client"]), min_size=1, max_size=30)


@st.composite
def scenario(draw):
    roles = draw(roles_st)
    n = len(roles)
    texts = [draw(st.sampled_from(["ok", CLIENT_OWN, "Mm.", "I see what you mean, I really do think so"])) for _ in roles]
    turns = make_turns(roles, texts)
    cuts = sorted(draw(st.sets(st.integers(1, max(1, n - 1)), max_size=3))) if n > 1 else []
    bounds = [0, *cuts, n]
    segments = tuple(
        Segment(i + 1, None, a + 1, b, tuple(range(a, b))) for i, (a, b) in enumerate(zip(bounds, bounds[1:])) if b > a
    )
    events = []
    for t in turns:
        if draw(st.booleans()) and draw(st.booleans()):
            cat = TE if t.role == "therapist" else CT
            events.append(ev(t.index, cat, draw(st.sampled_from([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]))))
    return turns, segments, events


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_scores_are_bounded(sc):
    turns, segments, events = sc
    for s in seg_scores(turns, events, segments):
        assert 0.0 <= s <= 100.0


@settings(max_examples=100, deadline=None)
@given(scenario())
def test_no_events_scores_100(sc):
    turns, segments, _ = sc
    assert seg_scores(turns, [], segments) == [100.0] * len(segments)


@pytest.mark.slow
@settings(max_examples=800, deadline=None)
@given(scenario(), st.data())
def test_adding_an_event_never_raises_a_score(sc, data):
    turns, segments, events = sc
    t = data.draw(st.sampled_from(turns))
    extra = ev(t.index, TE if t.role == "therapist" else CT, data.draw(st.sampled_from([0.5, 0.8, 1.0])))
    before = seg_scores(turns, events, segments)
    after = seg_scores(turns, [*events, extra], segments)
    for b, a in zip(before, after):
        assert a <= b + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 30), st.data())
def test_both_categories_score_lower_than_either_alone(n, data):
    roles = ["therapist" if i % 2 == 0 else "client" for i in range(n)]
    turns = make_turns(roles)
    t = data.draw(st.sampled_from([x.index for x in turns if x.role == "therapist"]))
    c = data.draw(st.sampled_from([x.index for x in turns if x.role == "client"]))
    te, ct = ev(t, TE), ev(c, CT)
    [only_te] = seg_scores(turns, [te])
    [only_ct] = seg_scores(turns, [ct])
    [both] = seg_scores(turns, [te, ct])
    assert both < min(only_te, only_ct)


def test_exchange_positions_of_one_session_are_kept_but_never_shared():
    from focusshift.scoring import exchange_positions

    turns = tuple(Turn(index=i, speaker=s, role="client" if s == "C" else "therapist", text="hello there",
                       pieces=(Piece(offset=0, line=i + 1, column=3),)) for i, s in enumerate("TCCTC"))
    first = exchange_positions(turns)
    assert first.values() == [0, 1, 1, 2, 3]
    first[4] = 99  # a caller changing its answer changes nobody else's
    assert exchange_positions(turns).values() == [0, 1, 1, 2, 3]
    other = tuple(turns[:2])
    assert exchange_positions(other).values() == [0, 1]
    assert exchange_positions(list(turns)).values() == [0, 1, 1, 2, 3]  # lists are not kept: they can change
