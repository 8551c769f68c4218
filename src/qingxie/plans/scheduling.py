"""Backward scheduling (倒排工期): due dates worked back from the target date through the
dependency chain, with cycle refusal and a forward check of whether the chain still fits.

Pure functions on plain data, so pages, the API, the command and the tests share them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext, pgettext

from qingxie.core.errors import QingxieError


@dataclass(frozen=True)
class Slot:
    """A task's latest start and latest finish (its due date)."""

    start_by: datetime.date
    due: datetime.date


def topological_order(
    deps: dict[str, list[str]], titles: dict[str, str] | None = None
) -> list[str]:
    """The task codes with every task after its prerequisites; a cycle is a QingxieError on
    `depends_on` naming the tasks caught in it. Ties keep the given order."""
    titles = titles or {}
    unknown = sorted({d for ds in deps.values() for d in ds} - set(deps))
    if unknown:
        raise QingxieError(
            gettext("前置任务“%(tasks)s”不在本计划中。")
            % {"tasks": pgettext("list separator", "、").join(unknown)},
            field="depends_on",
        )
    waiting = {code: set(ds) for code, ds in deps.items()}
    order: list[str] = []
    ready = [c for c in deps if not waiting[c]]
    while ready:
        code = ready.pop(0)
        order.append(code)
        for other in deps:
            if code in waiting[other]:
                waiting[other].discard(code)
                if not waiting[other] and other not in order and other not in ready:
                    ready.append(other)
    if len(order) < len(deps):
        stuck = [titles.get(c, c) for c in deps if c not in order]
        raise QingxieError(
            gettext("任务之间的前置关系构成循环：%(tasks)s。请调整前置任务。")
            % {"tasks": pgettext("list separator", "、").join(stuck)},
            field="depends_on",
            code="cycle",
        )
    return order


def schedule_backward(
    durations: dict[str, int],
    deps: dict[str, list[str]],
    target: datetime.date,
    titles: dict[str, str] | None = None,
) -> dict[str, Slot]:
    """Latest finish and latest start of each task so the whole chain ends by `target`.

    A task with no successor is due on the target date; any other is due by the earliest
    latest start of its successors; its latest start is its due date minus its duration.
    """
    order = topological_order(deps, titles)
    successors: dict[str, list[str]] = {c: [] for c in deps}
    for code, ds in deps.items():
        for d in ds:
            successors[d].append(code)
    slots: dict[str, Slot] = {}
    for code in reversed(order):
        due = min((slots[s].start_by for s in successors[code]), default=target)
        slots[code] = Slot(start_by=due - datetime.timedelta(days=durations[code]), due=due)
    return slots


def earliest_finish(
    durations: dict[str, int],
    deps: dict[str, list[str]],
    done: set[str],
    today: datetime.date,
) -> datetime.date:
    """When the open tasks can all be done at the earliest, starting `today` (forward pass);
    finished tasks take no more time."""
    order = topological_order(deps)
    finish: dict[str, datetime.date] = {}
    for code in order:
        start = max((finish[d] for d in deps[code]), default=today)
        finish[code] = start if code in done else start + datetime.timedelta(days=durations[code])
    return max(finish.values(), default=today)
