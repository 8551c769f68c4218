"""Benchmark: fetching a whole province subtree of the region tree.

Loads all divisions once (`divisions_load(source=mca_divisions())`), then times fetching the
subtree of 广东省 440000 (itself + 21 prefectures + 122 counties + 1,610 townships = 1,754 rows)
as (code, name, level):

  * ORM:  list(Region.objects.filter(subtree_q("path", guangdong.path)).values_list(...))
  * gate: list(Region.objects.restrict(user, "view").values_list(...)) for a user holding a
          province_admin grant on 440000 — the permission gate every page and API call uses.
          The user caches its grants in `_qingxie_grants`, as within one request; an extra
          row re-reads the grants every time (the first restrict() of a request).
  * baseline: the bare SQL `SELECT code, name, level FROM regions_region WHERE path >= %s AND
          path < %s` on django.db.connection.cursor(), and for reference the same with
          `ORDER BY code`, which the ORM adds from Region.Meta.ordering.

The variants run interleaved (in shuffled order each repetition, after a warm-up) so that
noise on the shared machine hits them alike; compare the ratios to the bare SQL between runs
rather than the absolute milliseconds. All variants must return the same 1,754 rows.

Goal: the median ORM and gate queries each take at most 5 ms.

Run (from the repository root):

    .venv/bin/python bench/bench_subtree_query.py [--reps 200]

It works in a throwaway data directory (QINGXIE_DATA_DIR is set to a new temporary directory
and removed afterwards), so the default SQLite database is fresh and yours is never touched.
To run on PostgreSQL instead, point QINGXIE_DATABASE_URL at an existing *empty* database, e.g.

    createdb -h 127.0.0.1 -U postgres qingxie_bench
    QINGXIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingxie_bench \\
        .venv/bin/python bench/bench_subtree_query.py
    dropdb -h 127.0.0.1 -U postgres qingxie_bench

The script migrates it, refuses to run if it already holds regions, users or change records,
runs ANALYZE after loading (as autovacuum soon would) and flushes all data when done.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import time

from _common import database_label, ensure_empty, setup_django

GOAL_MS = 5.0
PROVINCE = "440000"
FIELDS = ("code", "name", "level")
BARE_SQL = "SELECT code, name, level FROM regions_region WHERE path >= %s AND path < %s"
WARMUP = 10


def subtree_size(source, code: str) -> int:
    """Rows in the subtree of `code` (itself included), counted from the source records."""
    parent_of = {r.code: r.parent_code for r in source.records}
    count = 0
    for rec in source.records:
        node = rec.code
        while node and node != code:
            node = parent_of.get(node, "")
        count += node == code
    return count


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="timed repetitions (default 200)")
    args = parser.parse_args()

    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.accounts.services import role_grant_create, user_create
        from qingxie.core.models import subtree_q
        from qingxie.regions.models import Region
        from qingxie.regions.services import divisions_load
        from qingxie.regions.sources import mca_divisions

        ensure_empty()
        start = time.perf_counter()
        source = mca_divisions()
        source_seconds = time.perf_counter() - start
        divisions_load(source=source)
        load_seconds = time.perf_counter() - start - source_seconds
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        guangdong = Region.objects.get(code=PROVINCE)
        user = user_create(username="bench_province_admin", password="bench", validate=False)
        role_grant_create(actor=None, user=user, role="province_admin", region=guangdong)
        expected = subtree_size(source, PROVINCE)
        low, high = guangdong.path, guangdong.path + "~"

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(BARE_SQL, [low, high])
                return cursor.fetchall()

        def bare_ordered():
            with connection.cursor() as cursor:
                cursor.execute(BARE_SQL + " ORDER BY code", [low, high])
                return cursor.fetchall()

        def orm():
            return list(
                Region.objects.filter(subtree_q("path", guangdong.path)).values_list(*FIELDS)
            )

        def gate():
            return list(Region.objects.restrict(user, "view").values_list(*FIELDS))

        def gate_fresh_grants():
            user.__dict__.pop("_qingxie_grants", None)
            return gate()

        variants = {
            "bare SQL (baseline)": bare,
            "bare SQL + ORDER BY code": bare_ordered,
            "ORM subtree_q": orm,
            "gate restrict(user, view)": gate,
            "gate, grants re-read": gate_fresh_grants,
        }
        goal_variants = ("ORM subtree_q", "gate restrict(user, view)")

        # Same rows from every variant, and the number the source says.
        reference = sorted(bare())
        for name, fn in variants.items():
            rows = fn()
            assert len(rows) == expected, (name, len(rows), expected)
            assert sorted(tuple(r) for r in rows) == reference, name

        timings: dict[str, list[float]] = {name: [] for name in variants}
        order = list(variants)
        shuffle = random.Random(0).shuffle
        for rep in range(WARMUP + args.reps):
            shuffle(order)
            for name in order:
                fn = variants[name]
                start = time.perf_counter()
                rows = fn()
                elapsed_ms = (time.perf_counter() - start) * 1000
                assert len(rows) == expected, (name, len(rows))
                if rep >= WARMUP:
                    timings[name].append(elapsed_ms)

        plan = Region.objects.filter(subtree_q("path", guangdong.path)).values_list(*FIELDS)
        plan = plan.explain()

        medians = {name: statistics.median(values) for name, values in timings.items()}
        base = medians["bare SQL (baseline)"]
        print("Province subtree query benchmark")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  {Region.objects.count():,} regions (source built in {source_seconds:.1f} s, "
            f"loaded in {load_seconds:.1f} s, not timed below)"
        )
        print(f"  subtree of {guangdong.name} {PROVINCE} = {expected:,} rows (all variants agree)")
        print(f"  {args.reps} interleaved repetitions after {WARMUP} warm-up")
        print()
        print(f"  {'':28}{'median':>9}{'p95':>9}{'min':>9}   x bare")
        for name, values in timings.items():
            print(
                f"  {name:28}{medians[name]:6.2f} ms{p95(values):6.2f} ms"
                f"{min(values):6.2f} ms{medians[name] / base:8.2f}"
            )
        print()
        print(f"  ratio ORM / bare:  {medians['ORM subtree_q'] / base:.2f}")
        print(f"  ratio gate / bare: {medians['gate restrict(user, view)'] / base:.2f}")
        print("  ORM query plan:")
        for line in plan.splitlines():
            print(f"    {line}")
        print()
        for name in goal_variants:
            verdict = "PASS" if medians[name] <= GOAL_MS else "FAIL"
            print(
                f"  goal: {name} median <= {GOAL_MS:.0f} ms  ->  {verdict} ({medians[name]:.2f} ms)"
            )
        overall = all(medians[name] <= GOAL_MS for name in goal_variants)
        print(f"  overall: {'PASS' if overall else 'FAIL'}")

        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
