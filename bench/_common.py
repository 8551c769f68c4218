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

    for model in (Region, get_user_model(), ObjectChange):
        if model.objects.exists():
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
