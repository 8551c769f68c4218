"""Figures derived from the data, kept until the next recorded write.

Every write goes through the change log (`core.changelog`), so the id of the latest
`ObjectChange` is a version stamp of the whole database: a figure computed under stamp N is
exact until stamp N+1 exists. Statistics pages (coverage, the dashboard, the map) read their
aggregates through `cached_figures`, which costs one indexed MAX() per call when warm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Max

T = TypeVar("T")

#: A figure keyed by date is not needed for longer than a day; the stamp makes it exact.
TIMEOUT = 24 * 3600


def change_stamp() -> int:
    """The id of the latest recorded write (0 before any)."""
    from qingxie.core.models import ObjectChange

    return ObjectChange.objects.aggregate(m=Max("id"))["m"] or 0


def cached_figures(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the cache if nothing was written since it was computed."""
    full = f"qingxie:fig:{change_stamp()}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout=TIMEOUT)
    return value
