"""Profile the hot pages in-process: CPU per request and where it goes (pyinstrument).

Uses a data directory prepared by `bench_pages_load.py --data-dir DIR` (the national demo
ledger and its demo users) and Django's test client, so no server, no network and no wrk:
what remains is the view, the templates, the middleware and the database calls.

    .venv/bin/python bench/profile_pages.py --data-dir DIR [--pages ledger,teams] [-n 20]
        [--profile] [--html OUT_DIR]

For each page it prints the median and mean CPU time (process time) of n warm requests,
after two warm-up requests (the figures cache is then filled, as in a running server), and
with --profile a pyinstrument call tree of the timed requests. Point QINGXIE_DATABASE_URL
at the same PostgreSQL database as the load benchmark to profile on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages_load import PAGES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("-n", type=int, default=20, help="timed requests per page (20)")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument tree")
    parser.add_argument("--sql", action="store_true", help="print each query of one request")
    parser.add_argument("--html", type=Path, help="write each page's profile as HTML here")
    args = parser.parse_args()

    os.environ["QINGXIE_DATA_DIR"] = str(args.data_dir)
    os.environ["QINGXIE_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingxie.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.all()}
    for key in args.pages.split(","):
        path, username, label = PAGES[key]
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=True)
        if username:
            client.force_login(users[username])
        for _ in range(2):
            response = client.get(path)
            if response.status_code != 200:
                print(f"{key}: {path} answered {response.status_code}", file=sys.stderr)
                return 2
        profiler = None
        if args.profile or args.html:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        times = []
        for _ in range(args.n):
            start = time.process_time()
            client.get(path)
            times.append((time.process_time() - start) * 1000)
        if profiler is not None:
            profiler.stop()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{key:22} {label:40} {len(queries):3} queries  median {statistics.median(times):6.1f} ms  "
            f"mean {statistics.mean(times):6.1f}  min {min(times):6.1f} ms CPU"
        )
        if args.sql:
            for q in queries:
                sql = q["sql"] if os.environ.get("BENCH_FULL_SQL") else q["sql"][:300]
                print(f"  {q['time']:>6}  {sql}")
        if args.profile:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{key}.html").write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
