"""Helpers shared by the benchmarks: a throwaway Django set-up and a guard against real data."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def setup_django() -> Path:
    """Point the settings at a new temporary data directory, then start Django and migrate."""
    data_dir = Path(tempfile.mkdtemp(prefix="qingxie-bench-"))
    os.environ["QINGXIE_DATA_DIR"] = str(data_dir)
    os.environ["QINGXIE_DEBUG"] = "0"  # DEBUG would record every query and skew the timings
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingxie.settings"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir


def ensure_empty() -> None:
    """Refuse to benchmark (and later empty) a database that holds real data."""
    from django.contrib.auth import get_user_model

    from qingxie.core.models import ObjectChange
    from qingxie.regions.models import Region

    # The ledger's data migration creates the national root (the loader keeps it): not data.
    for qs in (
        Region.objects.exclude(code="000000", level=0),
        get_user_model().objects.all(),
        ObjectChange.objects.all(),
    ):
        model = qs.model
        if qs.exists():
            sys.exit(
                f"refusing to run: {model._meta.db_table} is not empty; "
                "point QINGXIE_DATABASE_URL at an empty database"
            )


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"


def load_divisions() -> tuple[float, float]:
    """Load the official division list with the real loader; (source seconds, load seconds)."""
    import time

    from qingxie.regions.services import divisions_load
    from qingxie.regions.sources import mca_divisions

    start = time.perf_counter()
    source = mca_divisions()
    source_seconds = time.perf_counter() - start
    divisions_load(source=source)
    return source_seconds, time.perf_counter() - start - source_seconds


def interleaved_timings(variants: dict, reps: int, warmup: int, seed: int = 0) -> dict:
    """Run every variant once per repetition, in a shuffled order; milliseconds per variant.

    Interleaving makes noise on a shared machine hit all variants alike. The first `warmup`
    repetitions are not recorded.
    """
    import random
    import time

    timings: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    shuffle = random.Random(seed).shuffle
    for rep in range(warmup + reps):
        shuffle(order)
        for name in order:
            start = time.perf_counter()
            variants[name]()
            elapsed_ms = (time.perf_counter() - start) * 1000
            if rep >= warmup:
                timings[name].append(elapsed_ms)
    return timings


def p95(values: list[float]) -> float:
    """The 95th percentile of `values`."""
    import statistics

    return statistics.quantiles(values, n=20, method="inclusive")[18]
