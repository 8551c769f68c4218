"""Benchmark: the national coverage tree (every province and prefecture) on the demo ledger.

Loads all divisions and the demo national ledger (`qingxie.ledger.demo.demo_ledger_load`:
about 3,160 associations, their status and standardization periods, 40,000 teams), then times

  * ORM:  coverage_tree(<全国 000000>, as_of, depth=2) — the root, 31 provinces and every
          prefecture-level node below them (counties directly under a municipality or province
          are depth-2 nodes themselves), each with counties, established, standardized,
          townships and townships with an active team;
  * baseline: one hand-written SQL aggregate over the same tables (regions_region,
          ledger_associationstatusperiod, ledger_standardizationperiod, teams_team) grouping
          by the depth-2 ancestor path, rolled up to provinces and the root in Python.

Both must give the same numbers for every node (asserted before timing). The variants run
interleaved in shuffled order after a warm-up; compare the ratio between runs rather than the
absolute milliseconds, since the machine is shared. A breakdown of the ORM variant's queries
(one extra run with a query timer) shows where its time goes.

Goal: the median ORM coverage tree takes at most 100 ms on SQLite.

Run (from the repository root):

    .venv/bin/python bench/bench_coverage_tree.py [--reps 30] [--as-of 2021-05-06]

It works in a throwaway data directory (QINGXIE_DATA_DIR is set to a new temporary directory
and removed afterwards), so the default SQLite database is fresh and yours is never touched.
Loading takes about a minute (divisions, then the demo ledger); it is not timed below.
To run on PostgreSQL instead, point QINGXIE_DATABASE_URL at an existing *empty* database, e.g.

    createdb -h 127.0.0.1 -U postgres qingxie_bench
    QINGXIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingxie_bench \\
        .venv/bin/python bench/bench_coverage_tree.py
    dropdb -h 127.0.0.1 -U postgres qingxie_bench

The script migrates it, refuses to run if it already holds regions, users or change records,
runs ANALYZE after loading (as autovacuum soon would) and flushes all data when done.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import time
from collections import defaultdict

from _common import (
    database_label,
    ensure_empty,
    interleaved_timings,
    load_divisions,
    p95,
    setup_django,
)

GOAL_MS = 100.0
WARMUP = 3
FIELDS = ("counties", "established", "standardized", "townships", "townships_with_team")
NODE_PREFIX = len("000000/110000/110100/")  # the path of a depth-2 node: 3 six-digit codes

#: The same figures as coverage_tree, per depth-2 node, in one statement. A region counts on
#: `as_of` when valid then; a county is established / standardized when it has an active status
#: period / a standardization period covering `as_of`; a township is covered when it has a team
#: founded on or before `as_of` and not dissolved on or before it.
BARE_SQL = """
SELECT substr(r.path, 1, %(prefix)s) AS node,
       SUM(CASE WHEN r.level = 3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.level = 3 AND r.id IN (
             SELECT p.region_id FROM ledger_associationstatusperiod p
              WHERE p.status = 'active'
                AND p.start <= %(as_of)s AND (p."end" IS NULL OR p."end" > %(as_of)s))
           THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.level = 3 AND r.id IN (
             SELECT s.region_id FROM ledger_standardizationperiod s
              WHERE s.start <= %(as_of)s AND (s."end" IS NULL OR s."end" > %(as_of)s))
           THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.level = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.level = 4 AND r.id IN (
             SELECT t.township_id FROM teams_team t
              WHERE t.founded_on <= %(as_of)s
                AND (t.dissolved_on IS NULL OR t.dissolved_on > %(as_of)s))
           THEN 1 ELSE 0 END)
  FROM regions_region r
 WHERE r.path >= %(low)s AND r.path < %(high)s AND r.level >= 3
   AND (r.valid_from IS NULL OR r.valid_from <= %(as_of)s)
   AND (r.valid_to IS NULL OR r.valid_to > %(as_of)s)
 GROUP BY substr(r.path, 1, %(prefix)s)
"""


def tree_figures(node, out=None) -> dict[str, tuple[int, ...]]:
    """Every node of a CoverageNode tree as path → (counties, established, …)."""
    out = {} if out is None else out
    out[node.path] = tuple(getattr(node, f) for f in FIELDS)
    for child in node.children:
        tree_figures(child, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30, help="timed repetitions (default 30)")
    parser.add_argument(
        "--as-of",
        type=datetime.date.fromisoformat,
        default=datetime.date(2021, 5, 6),
        help="coverage date (default 2021-05-06, the Guangdong bulletin's)",
    )
    args = parser.parse_args()
    as_of = args.as_of

    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.ledger.coverage import coverage_tree
        from qingxie.ledger.demo import demo_ledger_load
        from qingxie.ledger.models import Association
        from qingxie.regions.models import ROOT_CODE, Region
        from qingxie.teams.models import Team

        ensure_empty()
        source_seconds, load_seconds = load_divisions()
        result = demo_ledger_load()
        assert result.created, result.reason
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        root = Region.objects.get(code=ROOT_CODE)
        parent_of = dict(
            Region.objects.filter(level__lte=Region.Level.COUNTY).values_list(
                "path", "parent__path"
            )
        )
        params = {
            "prefix": NODE_PREFIX,
            "as_of": as_of,
            "low": root.path,
            "high": root.path + "~",
        }

        def orm():
            return coverage_tree(root, as_of, depth=2)

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(BARE_SQL, params)
                rows = cursor.fetchall()
            totals: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
            for node, *figures in rows:
                path = node
                while path is not None:  # the node, its province and the root
                    acc = totals[path]
                    for i, value in enumerate(figures):
                        acc[i] += int(value or 0)
                    path = parent_of.get(path)
            return totals

        # Same figures from both, for every node the ORM reports that has any region below it.
        tree = tree_figures(orm())
        sql = {path: tuple(v) for path, v in bare().items()}
        for path, figures in tree.items():
            assert sql.get(path, (0,) * len(FIELDS)) == figures, (path, figures, sql.get(path))
        assert set(sql) <= set(tree), set(sql) - set(tree)
        top = tree[root.path]

        timings = interleaved_timings(
            {"bare SQL (baseline)": bare, "ORM coverage_tree": orm}, args.reps, WARMUP
        )
        medians = {name: statistics.median(values) for name, values in timings.items()}
        base = medians["bare SQL (baseline)"]

        # Where the ORM's time goes: capture its queries, then run each alone to completion
        # (SQLite does most of a query's work while rows are fetched, not in execute()).
        captured: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            orm()
        spent = []
        for sql, query_params in captured:
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, query_params)
                    rows = len(cursor.fetchall())
                runs.append((time.perf_counter() - start) * 1000)
            spent.append((statistics.median(runs), rows, sql))
        total_ms = medians["ORM coverage_tree"]

        print("National coverage tree benchmark")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  {Region.objects.count():,} regions (source {source_seconds:.1f} s, loaded in "
            f"{load_seconds:.1f} s); demo ledger {Association.objects.count():,} associations, "
            f"{Team.objects.count():,} teams (loaded in {result.seconds:.1f} s); not timed below"
        )
        print(
            f"  as of {as_of}: {len(tree)} nodes; nation {top[0]:,} counties, {top[1]:,} "
            f"established, {top[2]:,} standardized, {top[4]:,} of {top[3]:,} townships with a "
            "team (both variants agree on every node)"
        )
        print(f"  {args.reps} interleaved repetitions after {WARMUP} warm-up")
        print()
        print(f"  {'':24}{'median':>10}{'p95':>10}{'min':>10}   x bare")
        for name, values in timings.items():
            print(
                f"  {name:24}{medians[name]:7.1f} ms{p95(values):7.1f} ms"
                f"{min(values):7.1f} ms{medians[name] / base:8.2f}"
            )
        print()
        print(f"  ratio ORM / bare SQL: {medians['ORM coverage_tree'] / base:.2f}")
        print(
            f"  where the ORM's median {total_ms:.1f} ms go ({len(spent)} queries, each run alone):"
        )
        for ms, rows, sql in spent:
            print(f"    {ms:7.1f} ms {rows:6,} rows  {' '.join(sql.split())[:100]}")
        print(
            f"    {total_ms - sum(ms for ms, _, _ in spent):7.1f} ms {'':6}       the rest: building querysets, the tree, rolling up"
        )
        print()
        verdict = "PASS" if medians["ORM coverage_tree"] <= GOAL_MS else "FAIL"
        print(
            f"  goal: ORM coverage_tree median <= {GOAL_MS:.0f} ms  ->  {verdict} "
            f"({medians['ORM coverage_tree']:.1f} ms)"
        )

        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
