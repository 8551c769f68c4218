"""Benchmark: computing a national assessment round (every county at the cut-off).

Loads all divisions and the demo national ledger (`qingxie.ledger.demo.demo_ledger_load`), opens
the national 2021 round on the default indicators and times `round_compute` — what the job
`assessment.compute` does at the cut-off: about 2,300 sheets and 44,000 values created, every
computed indicator read through its data source's batch form (a few aggregate queries each),
every sheet scored and tiered — then a second `round_compute` (a recomputation after late
corrections: nothing created, values compared and rescored). It also times the old way for
reference, one `fn(association, as_of)` call per county and source, on 200 counties,
extrapolated to the round.

Goal: the first computation under 30 s and the recomputation under 15 s on SQLite, so the job
finishes well inside its timeout on the embedded database.

Run (from the repository root):

    .venv/bin/python bench/bench_assessment_compute.py

It works in a throwaway data directory (QINGXIE_DATA_DIR is a new temporary directory, removed
afterwards). On PostgreSQL point QINGXIE_DATABASE_URL at an existing *empty* database; the script
refuses a database that holds data and flushes it when done.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import time

from _common import database_label, ensure_empty, load_divisions, setup_django

GOAL_FIRST_S = 30.0
GOAL_AGAIN_S = 15.0


def main() -> None:
    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.assessment import services
        from qingxie.assessment.models import Value
        from qingxie.core.indicators import indicator_value
        from qingxie.ledger.demo import demo_ledger_load
        from qingxie.regions.models import ROOT_CODE, Region

        ensure_empty()
        load_divisions()
        result = demo_ledger_load()
        assert result.created, result.reason
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        version = services.version_create_default(actor=None)
        rnd = services.round_open(
            actor=None,
            region=Region.objects.get(code=ROOT_CODE),
            year=2021,
            indicator_version=version,
            cut_off=datetime.date(2021, 12, 31),
            self_until=datetime.date(2022, 2, 28),
            review_until=datetime.date(2022, 3, 31),
            appeal_until=datetime.date(2022, 4, 30),
        )
        start = time.perf_counter()
        first = services.round_compute(round_id=rnd.pk)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        again = services.round_compute(round_id=rnd.pk)
        again_s = time.perf_counter() - start

        counties = list(services.round_associations(rnd)[:200])
        sources = [i.source for i in version.indicators.exclude(kind="manual") if i.source]
        start = time.perf_counter()
        for a in counties:
            for code in sources:
                indicator_value(code, a, rnd.cut_off)
        single_s = (time.perf_counter() - start) * first["sheets"] / len(counties)

        print("National assessment round benchmark")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  {first['sheets']:,} county sheets, {Value.objects.count():,} values, "
            f"{len(sources)} computed sources"
        )
        print(f"  first computation     {first_s:8.1f} s   (goal < {GOAL_FIRST_S:.0f} s)")
        print(
            f"  recomputation         {again_s:8.1f} s   (goal < {GOAL_AGAIN_S:.0f} s; "
            f"{again['created']} created, {again['changed']} changed)"
        )
        print(f"  one query per county  {single_s:8.1f} s   (extrapolated from 200 counties)")
        print(f"  batch vs per county   x{single_s / first_s:.1f}")
        if connection.vendor == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
