"""Backward scheduling (倒排工期), property-based: every due date fits its successors and the
target, a cycle is refused, and the forward check flags a chain that no longer fits."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingxie.core.errors import QingxieError
from qingxie.plans.scheduling import earliest_finish, schedule_backward, topological_order

TARGET = datetime.date(2023, 12, 31)


@st.composite
def dags(draw):
    """A random acyclic task graph: each task may depend only on tasks before it."""
    n = draw(st.integers(min_value=1, max_value=12))
    codes = [f"t{i}" for i in range(n)]
    durations = {c: draw(st.integers(min_value=0, max_value=120)) for c in codes}
    deps = {
        c: sorted(draw(st.sets(st.sampled_from(codes[:i]), max_size=i))) if i else []
        for i, c in enumerate(codes)
    }
    order = draw(st.permutations(codes))  # the given order must not matter
    return {c: durations[c] for c in order}, {c: deps[c] for c in order}


@settings(max_examples=200, deadline=None)
@given(dags())
def test_every_due_date_fits_its_successors_and_the_target(graph):
    durations, deps = graph
    slots = schedule_backward(durations, deps, TARGET)
    for code, slot in slots.items():
        assert slot.due <= TARGET
        assert slot.start_by == slot.due - datetime.timedelta(days=durations[code])
        for other, ds in deps.items():
            if code in ds:
                assert slot.due <= slots[other].start_by
    # Latest, not just feasible: a task with no successor is due on the target date itself,
    # and any other exactly at its earliest successor's latest start.
    for code, slot in slots.items():
        successors = [o for o, ds in deps.items() if code in ds]
        expected = min((slots[s].start_by for s in successors), default=TARGET)
        assert slot.due == expected


@settings(max_examples=200, deadline=None)
@given(dags(), st.integers(min_value=-400, max_value=400))
def test_the_chain_fits_exactly_when_the_first_start_is_not_before_today(graph, offset):
    durations, deps = graph
    slots = schedule_backward(durations, deps, TARGET)
    first = min(s.start_by for s in slots.values())
    today = first + datetime.timedelta(days=offset)
    fits = earliest_finish(durations, deps, set(), today) <= TARGET
    assert fits == (today <= first)


@settings(max_examples=100, deadline=None)
@given(dags(), st.data())
def test_a_cycle_is_refused_naming_the_field(graph, data):
    durations, deps = graph
    codes = list(durations)
    if len(codes) < 2:
        deps = {codes[0]: [codes[0]]}
    else:
        a, b = data.draw(st.sampled_from([(x, y) for x in codes for y in codes if x != y]))
        deps = {c: list(ds) for c, ds in deps.items()}
        deps[a] = sorted({*deps[a], b})
        deps[b] = sorted({*deps[b], a})
    with pytest.raises(QingxieError) as exc:
        schedule_backward(durations, deps, TARGET)
    assert exc.value.errors["depends_on"][0].startswith("任务之间的前置关系构成循环")


def test_unknown_prerequisite_is_named():
    with pytest.raises(QingxieError) as exc:
        topological_order({"a": ["zz"]})
    assert "zz" in exc.value.errors["depends_on"][0]


def test_done_tasks_take_no_more_time():
    deps = {"a": [], "b": ["a"]}
    durations = {"a": 30, "b": 10}
    today = datetime.date(2023, 1, 1)
    assert earliest_finish(durations, deps, set(), today) == datetime.date(2023, 2, 10)
    assert earliest_finish(durations, deps, {"a"}, today) == datetime.date(2023, 1, 11)
