"""Figures derived from the data, kept until a write reaches the regions and domains they read.

Every recorded write (`core.changelog`) bumps, inside its own transaction, the `FigureVersion`
row of its domain (the written model's app label or declared `figure_domain`) and its region
(down to county level). A figure of a region depends on writes in its subtree and in its
ancestors (a province's targets change its counties' figures), for the domains it declares:
its stamp is the sum of those rows' counters per domain, one range scan over the path index.
Counters only grow and rows are never deleted, so the sum changes with every such write.

Read committed on PostgreSQL: the counter commits atomically with the data, and the stamp is
read before the data, so a figure is never older than the stamp it is cached under (a write
committing in between is at worst counted under the older stamp, which no later reader asks
for). A write in 海珠区 leaves 四川省's figures cached.

Each process also keeps the values it last read, as long as the cache holds the token they
were stored under (unpickling them was most of a warm workbench's cache reads).

Within one request the counters of a region are read once, for every domain (one query
however many figures and panels the page shows); a recorded write in the request forgets
them, and outside a request (jobs, commands) nothing is remembered.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import TypeVar

from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import get_language

from qingxie.core.models import FigureVersion

T = TypeVar("T")

#: A figure keyed by date is not needed for longer than a day; the stamp makes it exact.
TIMEOUT = 24 * 3600


def _ancestor_paths(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/".join(codes[:n]) + "/" for n in range(1, len(codes))]


#: The counters read in the current request, by region path (None outside a request).
_request = threading.local()


def request_started(**kwargs) -> None:
    """Start remembering counters for this request (connected in CoreConfig.ready)."""
    _request.versions = {}


def request_finished(**kwargs) -> None:
    """Forget them: the next request reads them again."""
    _request.versions = None


def forget_versions() -> None:
    """A write was recorded: this request's later reads see its new counters."""
    if getattr(_request, "versions", None):
        _request.versions = {}


def _versions(path: str) -> dict[str, int]:
    """Every domain's counter sum for a figure of the region at `path` (its subtree and
    ancestors), read once per request."""
    memo = getattr(_request, "versions", None)
    if memo is not None and path in memo:
        return memo[path]
    sums = _counter_sums(path)
    if memo is not None:
        memo[path] = sums
    return sums


def _counter_sums(path: str, domains: list[str] | None = None) -> dict[str, int]:
    """The counters of the region at `path` (its subtree and ancestors) summed by domain, for
    every domain or only `domains` (then read by the (domain, path) index)."""
    # Written in SQL: the ORM spent more CPU composing this query (a range, a list of
    # ancestors, a grouped sum) than the database spent answering it, on every workbench.
    table = FigureVersion._meta.db_table
    db = connections[router.db_for_read(FigureVersion)]
    ancestors = _ancestor_paths(path)
    q = db.ops.quote_name
    where = f"({q('path')} >= %s AND {q('path')} < %s)"
    if ancestors:
        where += f" OR {q('path')} IN (" + ", ".join(["%s"] * len(ancestors)) + ")"
    params = [path, path + "~", *ancestors]
    if domains is not None:
        where = f"{q('domain')} IN (" + ", ".join(["%s"] * len(domains)) + f") AND ({where})"
        params = [*domains, *params]
    sql = (
        f"SELECT {q('domain')}, SUM({q('counter')}) FROM {q(table)} WHERE {where} "
        f"GROUP BY {q('domain')}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        # PostgreSQL sums a bigint as a numeric: the stamp wants the integer.
        return {domain: int(n or 0) for domain, n in cursor.fetchall()}


def data_stamp(path: str, domains: Iterable[str]) -> str:
    """`figures_stamp(path, domains)` read for these domains only (a list's few domains: the
    nation's read of every domain scans every counter row, this one only theirs), not
    remembered for the request."""
    domains = sorted(set(domains))
    sums = _counter_sums(path, domains)
    return path + ":" + ".".join(f"{d}{sums.get(d) or 0}" for d in domains)


def figures_stamp(path: str, domains: Iterable[str]) -> str:
    """The version of everything a figure of the region at `path` reads in `domains`."""
    sums = _versions(path)
    return path + ":" + ".".join(f"{d}{sums.get(d) or 0}" for d in sorted(set(domains)))


def cached_figures(
    key: str,
    compute: Callable[[], T],
    *,
    path: str | None = None,
    domains: Iterable[str] = (),
    stamp: str | None = None,
) -> T:
    """`compute()`, or its value from the cache if nothing it depends on was written since.

    Pass the region `path` and the `domains` the figure reads, or a `stamp` from
    `figures_stamp` read once for a page showing several figures of one region.
    """
    if stamp is None:
        if path is None:
            raise ValueError("cached_figures needs the region path and domains, or a stamp")
        stamp = figures_stamp(path, domains)
    return _cached(_full_key(stamp, key), compute, lambda value: True)


def cached_until(
    key: str, compute: Callable[[], tuple[T, datetime.datetime | None]], *, stamp: str
) -> T:
    """Like `cached_figures` with a `stamp`, for a figure that also changes with the clock:
    `compute()` returns `(value, until)`, the value and the first moment it may change
    without a write (None: never), and the value is read again from that moment on.

    For a review queue whose objects escalate to the levels above after a wait: the moment
    is the first escalation still to come among the objects read.
    """

    def fresh(entry) -> bool:
        return entry[1] is None or timezone.now() < entry[1]

    return _cached(_full_key(stamp, f"until:{key}"), compute, fresh)[0]


def _full_key(stamp: str, key: str) -> str:
    # Figures may carry words (labels, sentences) in the language they were computed in.
    return f"qingxie:fig:{stamp}:{key}:{get_language() or ''}"


def _cached(full: str, compute: Callable[[], T], fresh: Callable[[T], bool]) -> T:
    value = _recall(full)
    if value is _MISSING or not fresh(value):
        # One computation per key and process: after a write (or a worker's start) the
        # threads asking for the same cold figure wait for the first one instead of each
        # computing it (the national workbench's cold figures cost over a second of CPU;
        # four threads computing them together took 5-8 s each under load).
        with _computing(full):
            value = _recall(full)
            if value is _MISSING or not fresh(value):
                value = compute()
                token = uuid.uuid4().hex
                # The value before its token: a reader never finds a token without a value
                # unless the cache dropped one (it then computes again).
                cache.set(full + ":v", value, timeout=TIMEOUT)
                cache.set(full, token, timeout=TIMEOUT)
                _remember(full, token, value)
    return value


_MISSING = object()

#: The values this process last read or computed, by key, each with the token it was stored
#: under: unpickling a cached figure (model rows, trees of nodes) cost the workbench 3-5 ms
#: a visit, reading its token a few microseconds. The cache stays the authority: a value is
#: used only while the cache holds the same token (cleared, culled or recomputed elsewhere:
#: read again). Callers treat cached values as read-only already (they may be shared).
_local: OrderedDict[str, tuple[str, object]] = OrderedDict()
_local_guard = threading.Lock()
#: Enough for the figures of the regions a worker serves in a day; the oldest go first.
LOCAL_ENTRIES = 500


def _recall(full: str):
    """The value cached under `full`, or _MISSING."""
    token = cache.get(full)
    if token is None:
        return _MISSING
    with _local_guard:
        kept = _local.get(full)
        if kept is not None and kept[0] == token:
            _local.move_to_end(full)
            return kept[1]
    value = cache.get(full + ":v", _MISSING)
    if value is not _MISSING:
        _remember(full, token, value)
    return value


def _remember(full: str, token: str, value) -> None:
    with _local_guard:
        _local[full] = (token, value)
        _local.move_to_end(full)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


#: A lock per key being computed in this process (removed once the value is cached).
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _computing(key: str):
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        try:
            yield
        finally:
            with _locks_guard:
                if _locks.get(key) is lock:
                    del _locks[key]


def cached_fragment(
    key: str,
    template: str,
    context: dict,
    *,
    path: str | None = None,
    domains: Iterable[str] = (),
    stamp: str | None = None,
):
    """`template` rendered with `context` (HTML, safe), kept like `cached_figures` until a
    write reaches the region at `path` in `domains`, per language.

    For a fragment that is the same for everyone who may see it (a workbench panel of a
    region): `key` must name everything else the rendering depends on. The template is
    rendered without a request, so it may use only `context`.
    """
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return mark_safe(
        cached_figures(
            f"html:{key}",
            lambda: str(render_to_string(template, context)),
            path=path,
            domains=domains,
            stamp=stamp,
        )
    )


def cached_for_user(user, key: str, compute: Callable[[], T], *, domains: Iterable[str]) -> T:
    """`compute()` of one user's own figure (a queue's length, the counties they chase), kept
    until a write anywhere in `domains` or in the accounts (their grants) — the whole country's
    counters, which a page reads once however many such figures it shows.

    Only for figures that change with the data alone: a queue that escalates with the clock
    (a review with `escalate_after`) must be read each time.
    """
    from qingxie.core.models import NATION_PATH

    return cached_figures(
        f"user:{user.pk}:{key}",
        compute,
        path=NATION_PATH,
        domains=(*domains, "accounts"),
    )
