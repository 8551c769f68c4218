"""Benchmark: importing a 50,000-row teams xlsx — peak memory and time against a bare bulk insert.

Sets up its own data in a throwaway data directory: all divisions, one association per county
of Guangdong (122, through `association_create`), a province admin to import as. Then writes
a 50,000-row teams xlsx as a cadre would fill it (association number, name, category — 40 %
township teams with their 9-digit township code —, leader, phone, members, founded date) and
times, each in a fresh child process so that memory is measured alone:

  * import:   `run_import(TEAM_KIND, file, actor=province admin)` — reading the xlsx, parsing
              and checking every cell, planning every row (lookups, scope, duplicates), then
              the batch write path of qingxie.teams.sheets (the service's own row checks,
              `require_scope`, `bulk_create`, one change-log entry per team with the file's
              SHA-256) in one transaction; peak RSS of the process (ru_maxrss);
  * baseline: `Team.objects.bulk_create` of the same 50,000 rows, already resolved to ids
              and held in memory as dicts (timed: building the Team objects and inserting
              them in one transaction; no file, no checks, no change log).

Between runs the teams are deleted (the change log is append-only and keeps growing). The two variants alternate
(`--reps`, default 3) and medians are compared.

Goals: peak RSS of the import ≤ 300 MB; import time ≤ 3 × the bare bulk insert.

Run (from the repository root):

    .venv/bin/python bench/bench_team_import.py [--rows 50000] [--reps 3]

On PostgreSQL, point QINGXIE_DATABASE_URL at an existing *empty* database, as for the other
benchmarks (the script migrates it, refuses a database holding data, and flushes it at the end).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import database_label, ensure_empty, load_divisions, setup_django

GOAL_RSS_MB = 300
GOAL_RATIO = 3.0
PROVINCE = "440000"
USERNAME = "bench-province"


def _child_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingxie.settings")
    import django

    django.setup()


def child_import(path: str) -> dict:
    """Run in a fresh process: the import as the province admin; its time and peak memory."""
    _child_setup()
    from qingxie.accounts.models import User
    from qingxie.core.context import change_context
    from qingxie.core.tabular import run_import
    from qingxie.teams.sheets import TEAM_KIND

    actor = User.objects.get(username=USERNAME)
    start = time.perf_counter()
    with change_context(user=actor, channel="cli"):
        report = run_import(TEAM_KIND, Path(path), filename=Path(path).name, actor=actor)
    seconds = time.perf_counter() - start
    assert report.ok, [str(p) for p in report.problems[:10]]
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "created": report.counts["create"],
    }


def child_bulk(path: str) -> dict:
    """Run in a fresh process: a bare bulk insert of the same rows, resolved in advance."""
    _child_setup()
    from django.db import transaction

    from qingxie.teams.models import Team

    with open(path, "rb") as fh:
        rows = pickle.load(fh)
    start = time.perf_counter()
    teams = [Team(**row) for row in rows]
    with transaction.atomic():
        Team.objects.bulk_create(teams, batch_size=2000)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "created": len(teams),
    }


def _run_child(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare(rows: int, workdir: Path) -> tuple[Path, Path, dict]:
    """Associations, the user, the xlsx a cadre would upload, and the same rows resolved."""
    from openpyxl import Workbook

    from qingxie.accounts.roles import Role
    from qingxie.accounts.services import role_grant_create, user_create
    from qingxie.core.context import change_context
    from qingxie.ledger.services import association_create
    from qingxie.regions.models import Region
    from qingxie.teams.choices import TeamCategory
    from qingxie.teams.sheets import TEAM_KIND

    rng = random.Random(6)
    counties = list(
        Region.objects.filter(
            path__startswith=f"000000/{PROVINCE}/", level=Region.Level.COUNTY, valid_to__isnull=True
        ).order_by("code")
    )
    with change_context(channel="cli"):
        associations = [
            association_create(
                actor=None,
                region=county,
                name=f"{county.name}青年志愿者协会",
                form="youth_volunteer_association",
                established_on=datetime.date(2019, 1, 1),
            )
            for county in counties
        ]
        user = user_create(username=USERNAME, password="bench-password-1", validate=False)
        role_grant_create(
            actor=None,
            user=user,
            role=Role.PROVINCE_ADMIN,
            region=Region.objects.get(code=PROVINCE),
        )
    townships: dict[int, list[Region]] = {}
    for t in Region.objects.filter(
        parent__in=counties, level=Region.Level.TOWNSHIP, valid_to__isnull=True
    ):
        townships.setdefault(t.parent_id, []).append(t)
    hosts = [a for a in associations if townships.get(a.region_id)]
    labels = dict(TeamCategory.choices)
    others = [c for c in TeamCategory.values if c != TeamCategory.TOWNSHIP]
    headers = [c.header for c in TEAM_KIND.import_columns]
    fields = [c.field for c in TEAM_KIND.import_columns]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TEAM_KIND.sheet_name)
    sheet.append(headers)
    resolved = []
    for n in range(rows):
        a = rng.choice(hosts)
        township = rng.choice(townships[a.region_id]) if rng.random() < 0.4 else None
        category = TeamCategory.TOWNSHIP if township else rng.choice(others)
        founded = datetime.date(2019, 2, 1) + datetime.timedelta(days=rng.randrange(2000))
        values = {
            "association": a.number,
            "name": f"{(township or a.region).name}第{n + 1}青年志愿服务队",
            "category": labels[category],
            "township": township.code if township else None,
            "leader_name": "王小明",
            "leader_phone": f"139{rng.randrange(10**8):08d}",
            "member_count": rng.randint(8, 150),
            "founded_on": founded,
        }
        sheet.append([values.get(f) for f in fields])
        resolved.append(
            {
                "association_id": a.pk,
                "region_id": a.region_id,
                "township_id": township.pk if township else None,
                "township_parent_id": township.parent_id if township else None,
                "name": values["name"],
                "category": category,
                "leader_name": values["leader_name"],
                "leader_phone": values["leader_phone"],
                "member_count": values["member_count"],
                "founded_on": founded,
            }
        )
    xlsx = workbook_path = workdir / "基层队伍_50000.xlsx"
    workbook.save(workbook_path)
    pickled = workdir / "rows.pickle"
    with open(pickled, "wb") as fh:
        pickle.dump(resolved, fh)
    info = {"associations": len(associations), "townships": sum(map(len, townships.values()))}
    return xlsx, pickled, info


def _clear() -> None:
    """Remove the teams for the next run (the change log is append-only: its rows stay)."""
    from qingxie.teams.models import Team

    Team.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path = args.child
        result = child_import(path) if mode == "import" else child_bulk(path)
        print(json.dumps(result))
        return

    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.core.models import ObjectChange
        from qingxie.teams.models import Team

        ensure_empty()
        source_seconds, load_seconds = load_divisions()
        start = time.perf_counter()
        xlsx, pickled, info = _prepare(args.rows, data_dir)
        prepare_seconds = time.perf_counter() - start
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        connection.close()  # the children use the database alone

        runs: dict[str, list[dict]] = {"import": [], "bulk": []}
        for rep in range(args.reps):
            for mode in ("import", "bulk") if rep % 2 == 0 else ("bulk", "import"):
                logged_before = ObjectChange.objects.count()
                result = _run_child(mode, xlsx if mode == "import" else pickled)
                assert result["created"] == args.rows, result
                assert Team.objects.count() == args.rows
                if mode == "import":
                    logged = ObjectChange.objects.count() - logged_before
                    assert logged == args.rows, logged  # one change-log entry per team
                runs[mode].append(result)
                _clear()
                connection.close()

        imp = statistics.median(r["seconds"] for r in runs["import"])
        bulk = statistics.median(r["seconds"] for r in runs["bulk"])
        rss = max(r["rss_mb"] for r in runs["import"])
        bulk_rss = max(r["rss_mb"] for r in runs["bulk"])
        ratio = imp / bulk
        print("Team import benchmark")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  divisions loaded in {load_seconds:.1f} s (source {source_seconds:.1f} s); "
            f"{info['associations']} county associations of 广东省, {info['townships']:,} townships; "
            f"file of {args.rows:,} rows ({xlsx.stat().st_size / 1048576:.1f} MB) written in "
            f"{prepare_seconds:.1f} s; not timed below"
        )
        print(f"  {args.reps} repetitions, alternating, each in a fresh process")
        print()
        print(f"  {'':34}{'median':>9}{'min':>9}{'max':>9}{'peak RSS':>11}")
        for name, key, peak in (
            ("import (read, check, write, log)", "import", rss),
            ("bare bulk_create (baseline)", "bulk", bulk_rss),
        ):
            secs = [r["seconds"] for r in runs[key]]
            print(
                f"  {name:34}{statistics.median(secs):7.2f} s{min(secs):7.2f} s{max(secs):7.2f} s"
                f"{peak:8.0f} MB"
            )
        print()
        print(f"  ratio import / bare bulk insert: {ratio:.2f}")
        print(f"  import rate: {args.rows / imp:,.0f} rows/s")
        rss_ok, time_ok = rss <= GOAL_RSS_MB, ratio <= GOAL_RATIO
        print(
            f"  goal: peak RSS <= {GOAL_RSS_MB} MB  ->  {'PASS' if rss_ok else 'FAIL'} ({rss:.0f} MB)"
        )
        print(
            f"  goal: import <= {GOAL_RATIO:.0f} x bare bulk insert  ->  "
            f"{'PASS' if time_ok else 'FAIL'} ({ratio:.2f} x)"
        )
        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
