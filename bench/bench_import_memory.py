"""Benchmark: peak memory of checking (dry run) a 1,000,000-row teams csv, against 50,000 rows.

The import runner streams rows in batches (qingxie.core.tabular.runner), so its memory should
not grow with the file. This sets up its own data in a throwaway data directory (all
divisions, one association per county of 广东省 through `association_create`, a province
admin), writes two teams csv files as a cadre would fill them (the baseline of 50,000 rows
and the big one of 1,000,000 rows, same columns and mix: 40 % township teams), then runs
`run_import(TEAM_KIND, file, dry_run=True)` on each in a fresh child process and reads the
child's own peak RSS (resource.getrusage(RUSAGE_SELF).ru_maxrss, read in the child). The dry run is the whole
preview: every cell parsed and every row checked, then, the file being good, every row
written through team_create_bulk with its change-log entry and all rolled back.

Goal: peak RSS of the 1,000,000-row dry run ≤ 300 MB; the ratio to the 50,000-row run shows
whether memory grows with the file (a runner holding every row would be ×20).

Run (from the repository root). On this 2-core machine, shared, the check runs at about
600 rows/s on SQLite (both passes: check, then write and roll back), so the million-row run
takes about 25–30 minutes; `--rows 200000` takes about 6:

    .venv/bin/python bench/bench_import_memory.py [--rows 1000000] [--baseline 50000]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import database_label, ensure_empty, load_divisions, setup_django

GOAL_RSS_MB = 300
PROVINCE = "440000"
USERNAME = "bench-province"


def child_check(path: str) -> dict:
    """Run in a fresh process: the dry run as the province admin; its report's figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingxie.settings")
    import django

    django.setup()
    from qingxie.accounts.models import User
    from qingxie.core.context import change_context
    from qingxie.core.tabular import run_import
    from qingxie.teams.sheets import TEAM_KIND

    actor = User.objects.get(username=USERNAME)
    start = time.perf_counter()
    with change_context(user=actor, channel="cli"):
        report = run_import(
            TEAM_KIND,
            Path(path),
            filename=Path(path).name,
            actor=actor,
            dry_run=True,
            max_bytes=1 << 40,
        )
    return {
        "seconds": time.perf_counter() - start,
        "rows": report.rows,
        "problems": len(report.problems),
        "first": [str(p) for p in report.problems[:5]],
        "created": report.counts["create"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(path: Path) -> dict:
    """The child's result, with its own peak RSS in MB (getrusage in the child)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
    )
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    if os.environ.get("BENCH_PROFILE"):
        print(out.stderr[-12000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _prepare(sizes: list[int], workdir: Path) -> tuple[dict[int, Path], int]:
    from qingxie.accounts.roles import Role
    from qingxie.accounts.services import role_grant_create, user_create
    from qingxie.core.context import change_context
    from qingxie.ledger.services import association_create
    from qingxie.regions.models import Region
    from qingxie.teams.choices import TeamCategory
    from qingxie.teams.sheets import TEAM_KIND

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
    files = {}
    for size in sizes:
        rng = random.Random(6)
        path = workdir / f"基层队伍_{size}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for n in range(size):
                a = rng.choice(hosts)
                township = rng.choice(townships[a.region_id]) if rng.random() < 0.4 else None
                category = TeamCategory.TOWNSHIP if township else rng.choice(others)
                founded = datetime.date(2019, 2, 1) + datetime.timedelta(days=rng.randrange(2000))
                values = {
                    "association": a.number,
                    "name": f"{(township or a.region).name}第{n + 1}青年志愿服务队",
                    "category": labels[category],
                    "township": township.code if township else "",
                    "leader_name": "王小明",
                    "leader_phone": f"139{rng.randrange(10**8):08d}",
                    "member_count": rng.randint(8, 150),
                    "founded_on": founded.isoformat(),
                }
                writer.writerow([values.get(f, "") for f in fields])
        files[size] = path
    return files, len(associations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=50_000)
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(child_check, args.child)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            print(json.dumps(result))
            return
        print(json.dumps(child_check(args.child)))
        return

    data_dir = setup_django()
    try:
        import django
        from django.core.management import call_command
        from django.db import connection

        from qingxie.teams.models import Team

        ensure_empty()
        load_divisions()
        start = time.perf_counter()
        files, associations = _prepare([args.baseline, args.rows], data_dir)
        prepare_seconds = time.perf_counter() - start
        connection.close()  # the children use the database alone
        results = {size: _run_child(files[size]) for size in (args.baseline, args.rows)}
        for size, result in results.items():
            assert result["problems"] == 0, result["first"]
            assert result["rows"] == result["created"] == size, result
        assert Team.objects.count() == 0  # a dry run writes nothing
        base, big = results[args.baseline], results[args.rows]
        print("Import memory benchmark (dry run of a teams csv)")
        print(
            f"  {database_label()}; Django {django.__version__}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs"
        )
        print(
            f"  {associations} county associations of 广东省; files written in "
            f"{prepare_seconds:.0f} s, not timed below"
        )
        print()
        print(f"  {'rows':>10}{'file':>10}{'time':>10}{'rows/s':>10}{'peak RSS':>11}")
        for size in (args.baseline, args.rows):
            r = results[size]
            mb = files[size].stat().st_size / 1048576
            print(
                f"  {size:>10,}{mb:>7.0f} MB{r['seconds']:>8.0f} s"
                f"{size / r['seconds']:>10,.0f}{r['rss_mb']:>8.0f} MB"
            )
        print()
        print(
            f"  ratio peak RSS {args.rows:,} / {args.baseline:,} rows: "
            f"{big['rss_mb'] / base['rss_mb']:.2f} (rows ×{args.rows / args.baseline:.0f})"
        )
        ok = big["rss_mb"] <= GOAL_RSS_MB
        print(
            f"  goal: peak RSS <= {GOAL_RSS_MB} MB  ->  {'PASS' if ok else 'FAIL'} "
            f"({big['rss_mb']:.0f} MB)"
        )
        if connection.vendor != "sqlite":
            call_command("flush", interactive=False, verbosity=0)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
