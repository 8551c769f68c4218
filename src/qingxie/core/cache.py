"""Figures derived from the data, kept until the next recorded write.

Every write goes through the change log (`core.changelog`), so the id of the latest
`ObjectChange`, with the `DataVersion` counter bumped after each such transaction commits, is a
version stamp of the whole database: a figure computed under one stamp is exact until the
stamp changes. Statistics pages (coverage, the dashboard, the map) read their
aggregates through `cached_figures`, which costs two tiny queries per call when warm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Max

T = TypeVar("T")

#: A figure keyed by date is not needed for longer than a day; the stamp makes it exact.
TIMEOUT = 24 * 3600


def change_stamp() -> str:
    """The id of the latest recorded write and the data version bumped after each commit.

    The id changes as soon as a write is visible to this connection; the version catches a
    transaction that committed late with a lower id (PostgreSQL hands out ids at insert).
    """
    from qingxie.core.models import DataVersion, ObjectChange

    latest = ObjectChange.objects.aggregate(m=Max("id"))["m"] or 0
    version = DataVersion.objects.values_list("counter", flat=True).first() or 0
    return f"{latest}.{version}"


def cached_figures(key: str, compute: Callable[[], T], *, stamp: str | None = None) -> T:
    """`compute()`, or its value from the cache if nothing was written since it was computed.

    A page that reads several figures passes the `stamp` it read once.
    """
    full = f"qingxie:fig:{stamp or change_stamp()}:{key}"
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, timeout=TIMEOUT)
    return value
