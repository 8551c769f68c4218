"""Benchmark: the national team export (xlsx), written fresh by its job and then served kept.

Times, on the demo data set (`qingxie setup && qingxie demo --no-serve`), as the national
administrator `demo`, through the pages (Django's test client, the job run inline as
QINGXIE_JOBS_SYNC does):

  * fresh: POST /sheets/teams/export/ (the job reads the rows, writes them with openpyxl's
           write-only mode and keeps the file, sealed) and GET of the job's download;
  * kept:  the same POST again, the data unchanged: the kept file unsealed and sent;
  * baseline: `exports.export_write` to a local file, as a request wrote it before the job
           (no job, no sealing, nothing kept).

Goal (issue 16 item 9): the second request for the same large export served from the kept file
at once — kept ≤ 1/10 of fresh; peak memory (RSS) is printed, it stays flat with the row count.

Run (from the repository root); without a data directory the demo is built first (~3 min):

    .venv/bin/python bench/bench_export.py [--data-dir DIR] [--kind teams] [--reps 3]

Kept files go to a new temporary directory (QINGXIE_STORAGE_DIR points there), never to the
data directory's storage; the export entries of the change log are written as on a server.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _demo_dir() -> Path:
    """A new data directory holding the demo (setup + demo --no-serve)."""
    data = Path(tempfile.mkdtemp(prefix="qingxie-bench-export-"))
    env = {**os.environ, "QINGXIE_DATA_DIR": str(data), "QINGXIE_BULLETIN_PREPARE": "0"}
    for args in (("setup",), ("demo", "--no-serve")):
        subprocess.run(
            [sys.executable, "-m", "qingxie", *args], env=env, check=True, capture_output=True
        )
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("QINGXIE_DATA_DIR"))
    parser.add_argument("--kind", default="teams", help="teams or ledger")
    parser.add_argument("--region", default="000000")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    data = Path(args.data_dir) if args.data_dir else _demo_dir()
    os.environ["QINGXIE_DATA_DIR"] = str(data)
    os.environ["QINGXIE_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingxie.settings"
    kept_dir = Path(tempfile.mkdtemp(prefix="qingxie-bench-exports-"))
    os.environ["QINGXIE_STORAGE_DIR"] = str(kept_dir)

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.test import Client
    from django.utils import timezone

    from qingxie.accounts.models import User
    from qingxie.core.jobs import Job
    from qingxie.regions.models import Region
    from qingxie.sheets import export_jobs
    from qingxie.sheets.exports import export_write
    from qingxie.sheets.kinds import get_kind

    settings.QINGXIE_JOBS_SYNC = True
    user = User.objects.get(username=args.user)
    kind, region = get_kind(args.kind), Region.objects.get(code=args.region)
    day = timezone.localdate()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    form = {"region": region.code, "format": "xlsx", "as_of": day.isoformat()}
    url = f"/sheets/{kind.name}/export/"

    def fresh() -> bytes:
        key = export_jobs.export_key(user, kind, region, day, "xlsx")
        default_storage.delete(key.name)  # nothing kept: the job writes it
        response = client.post(url, form)
        assert response.status_code == 302, response.status_code
        job_url = response["Location"]
        assert Job.objects.get(pk=int(job_url.rstrip("/").rsplit("/", 1)[1])).state == "done"
        return b"".join(client.get(job_url + "download/").streaming_content)

    def kept() -> bytes:
        response = client.post(url, form)
        assert response.status_code == 200 and response["X-Qingxie-Export"] == "kept"
        return b"".join(response.streaming_content)

    def baseline() -> int:
        with tempfile.TemporaryFile() as out:
            export_write(actor=user, kind=kind, region=region, as_of=day, fmt="xlsx", stream=out)
            return out.tell()

    fresh()  # warm-up: imports, first queries
    times = {"fresh": [], "kept": [], "baseline": []}
    for _ in range(args.reps):
        t = time.perf_counter()
        written = fresh()
        times["fresh"].append(time.perf_counter() - t)
        t = time.perf_counter()
        served = kept()
        times["kept"].append(time.perf_counter() - t)
        assert served == written
        t = time.perf_counter()
        baseline()
        times["baseline"].append(time.perf_counter() - t)
    rows = export_jobs.kept_rows(export_jobs.export_key(user, kind, region, day, "xlsx").name)
    med = {k: statistics.median(v) for k, v in times.items()}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{kind.title} export of {region.name} ({region.code}) as {user.username} on {day}: "
        f"{rows:,} rows, {len(written) / 1048576:.1f} MiB xlsx, {args.reps} runs, "
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}"
    )
    print(f"  fresh (job writes, keeps, download): median {med['fresh']:7.2f} s")
    print(f"  kept  (second request, served):      median {med['kept'] * 1000:7.1f} ms")
    print(f"  baseline (written in the request):    median {med['baseline']:7.2f} s")
    print(f"  kept is x{med['fresh'] / med['kept']:.0f} faster; peak RSS {rss:.0f} MB")
    ok = med["kept"] * 10 <= med["fresh"]
    print("goal (kept <= 1/10 of fresh):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
