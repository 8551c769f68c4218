"""Benchmark: the 广东 bulletin PDF, written cold and then served from the kept file.

Times, on a demo ledger (`qingxie setup && qingxie demo --no-serve`):

  * cold:   `reports.jobs.bulletin_write` — the bulletin built from the ledger, the map and the
            trend chart drawn, the PDF laid out and kept (what the job does, first time);
  * stored: `reports.jobs.stored_file` — the data version read and the kept file found and
            read (what a download does while the data are unchanged);
  * baseline: reading the same bytes from a local file (the floor for any stored answer).

Goal (issue 16): the PDF for 广东 in under 3 s, or pre-generated — the stored path must be
under 3 s (it is milliseconds); the cold figure says how long the job (or `qingxie report
prepare`) takes.

Run (from the repository root), on a data directory holding the demo:

    QINGXIE_DATA_DIR=/path/to/demo .venv/bin/python bench/bench_bulletin_pdf.py [--reps 5]

Kept files go to a new temporary directory (QINGXIE_STORAGE_DIR is pointed there), never to the data
directory's storage; the ledger is only read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--region", default="440000")
    parser.add_argument("--as-of", dest="as_of", default=None)
    args = parser.parse_args()
    if not os.environ.get("QINGXIE_DATA_DIR"):
        print("QINGXIE_DATA_DIR must name a data directory holding the demo", file=sys.stderr)
        return 2
    os.environ["QINGXIE_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qingxie.settings"
    kept = Path(tempfile.mkdtemp(prefix="qingxie-bench-bulletins-"))
    os.environ["QINGXIE_STORAGE_DIR"] = str(kept)  # kept files here, not in the data's storage
    import datetime

    import django

    django.setup()
    from django.utils import timezone

    from qingxie.regions.models import Region
    from qingxie.reports import jobs

    region = Region.objects.get(code=args.region)
    day = datetime.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    # Warm-up: fonts registered, map files read, imports done (a worker has them loaded).
    jobs.bulletin_write(region, day, "pdf", None)

    cold, stored, floor = [], [], []
    for n in range(args.reps):
        issue = 100 + n  # a new file each time: nothing kept for it yet
        t = time.perf_counter()
        result = jobs.bulletin_write(region, day, "pdf", issue)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        content = jobs.stored_file(region, day, "pdf", issue)
        stored.append(time.perf_counter() - t)
        assert content is not None and content.startswith(b"%PDF-")
        path = kept / result["name"]
        t = time.perf_counter()
        assert path.read_bytes() == content
        floor.append(time.perf_counter() - t)
    size = len(content)
    print(
        f"{region.name} ({region.code}) bulletin PDF on {day}, {size / 1024:.0f} KiB, {args.reps} runs"
    )
    print(f"  cold   (job writes it):      median {statistics.median(cold):7.2f} s")
    print(f"  stored (download, kept):     median {statistics.median(stored) * 1000:7.1f} ms")
    print(f"  baseline (read local file):  median {statistics.median(floor) * 1000:7.1f} ms")
    ok = statistics.median(stored) < 3.0
    print("goal (stored < 3 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
