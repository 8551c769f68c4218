"""Benchmark: loading the complete official division list into an empty database.

Measures `divisions_load(source=mca_divisions())` — the root plus all 41,935 divisions (34
provinces, 333 prefectures, 2,845 counties, 38,723 townships) — into an empty database, repeated
on a fresh database each run. Baseline, measured in the same run on the same database: a bare
`executemany` INSERT of the same 41,935 rows (code, name, level, kind, path) into a plain table
with those columns and no indexes, in one transaction. The machine is shared and noisy, so
compare the load/bare ratio between runs rather than the absolute seconds.

Goal: the median load takes at most 15 s on SQLite.

Run (from the repository root):

    .venv/bin/python bench/bench_division_load.py [--runs 3]

It works in a throwaway data directory (QINGXIE_DATA_DIR is set to a new temporary directory
and removed afterwards), so the default SQLite database is fresh and yours is never touched.
To run on PostgreSQL instead, point QINGXIE_DATABASE_URL at an existing *empty* database, e.g.

    createdb -h 127.0.0.1 -U postgres qingxie_bench
    QINGXIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingxie_bench \\
        .venv/bin/python bench/bench_division_load.py
    dropdb -h 127.0.0.1 -U postgres qingxie_bench

The script migrates it, refuses to run if it already holds regions, users or change records,
empties the division tables between runs (TRUNCATE) and flushes all data when done.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import time
from pathlib import Path

from _common import database_label, ensure_empty, setup_django

GOAL_SECONDS = 15.0
BARE_TABLE = "bench_bare_insert"


def fresh_database() -> None:
    """SQLite: delete the database file and migrate anew. Otherwise: empty the loader's tables."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from qingxie.core.models import ObjectChange
    from qingxie.regions.models import DivisionDataset, Region, RegionName

    if connection.vendor == "sqlite":
        connection.close()
        name = str(settings.DATABASES["default"]["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        ContentType.objects.clear_cache()
        call_command("migrate", verbosity=0)
        return
    tables = ", ".join(
        m._meta.db_table for m in (ObjectChange, RegionName, DivisionDataset, Region)
    )
    with connection.cursor() as cursor:
        # CASCADE also empties tables that refer to regions (role grants); the database was
        # checked to be empty at the start, so only this script's rows are affected.
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def bare_rows(source) -> list[tuple[str, str, int, str, str]]:
    """(code, name, level, kind, path) for every record, paths built as the loader does."""
    from qingxie.regions.models import ROOT_CODE

    paths = {ROOT_CODE: f"{ROOT_CODE}/"}
    rows = []
    for rec in sorted(source.records, key=lambda r: (r.level, r.code)):
        path = f"{paths[rec.parent_code or ROOT_CODE]}{rec.code}/"
        paths[rec.code] = path
        rows.append((rec.code, rec.name, rec.level, rec.kind, path))
    return rows


def time_bare_insert(rows) -> float:
    """Seconds for one executemany INSERT of `rows` into a plain table, committed."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(
            f"CREATE TABLE {BARE_TABLE} (code varchar(9) NOT NULL, name varchar(100) NOT NULL, "
            "level smallint NOT NULL, kind varchar(16) NOT NULL, path varchar(80) NOT NULL)"
        )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {BARE_TABLE} (code, name, level, kind, path) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {BARE_TABLE}")
        (count,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {BARE_TABLE}")
    assert count == len(rows), (count, len(rows))
    return elapsed


def time_load(source) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) for one divisions_load into the empty tables."""
    from qingxie.regions.models import Region
    from qingxie.regions.services import divisions_load

    start, cpu_start = time.perf_counter(), time.process_time()
    result = divisions_load(source=source)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert result.first_load, "the database was not empty"
    count = Region.objects.count()
    assert count == len(source.records) + 1, (count, len(source.records))
    return elapsed, cpu


def seconds(values: list[float], digits: int = 2) -> str:
    return "  ".join(f"{v:6.{digits}f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed loads (default 3)")
    args = parser.parse_args()

    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.regions.sources import mca_divisions

        ensure_empty()
        start = time.perf_counter()
        source = mca_divisions()
        source_seconds = time.perf_counter() - start
        rows = bare_rows(source)

        loads, cpus, bares = [], [], []
        for run in range(args.runs):
            if run:
                fresh_database()
            bares.append(time_bare_insert(rows))
            load, cpu = time_load(source)
            loads.append(load)
            cpus.append(cpu)
            print(f"  run {run + 1}/{args.runs}: load {load:.2f} s, bare {bares[-1]:.3f} s")

        load_med, bare_med = statistics.median(loads), statistics.median(bares)
        verdict = "PASS" if load_med <= GOAL_SECONDS else "FAIL"
        print()
        print("Division load benchmark")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  source: mca_divisions() built in {source_seconds:.2f} s (not timed below); "
            f"{len(source.records):,} records, data as of {source.data_as_of}"
        )
        print(f"  {args.runs} runs, each into an empty database")
        print()
        print(f"  {'':34}{'median':>8}    runs (s)")
        print(f"  {'divisions_load (wall)':34}{load_med:8.2f} s  {seconds(loads)}")
        print(
            f"  {'divisions_load (process CPU)':34}{statistics.median(cpus):8.2f} s  "
            f"{seconds(cpus)}"
        )
        print(f"  {'bare executemany INSERT (wall)':34}{bare_med:8.3f} s  {seconds(bares, 3)}")
        print(f"  {'ratio load / bare (medians)':34}{load_med / bare_med:8.1f} x")
        print()
        print(f"  goal: median load <= {GOAL_SECONDS:.0f} s  ->  {verdict} ({load_med:.2f} s)")

        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
