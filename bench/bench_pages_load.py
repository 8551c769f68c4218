"""Benchmark: the dashboard and the ledger list under 16 concurrent clients, beside /healthz.

Sets up a real qingxie with the national demo ledger (`qingxie demo --no-serve`, which runs
`qingxie setup` first: all 41,935 divisions, about 3,160 associations and 40,000 teams), starts
the production server (`qingxie serve`, gunicorn) on a free loopback port, signs in as the demo
users and drives each page with wrk (a real HTTP load tool, Debian package `wrk`) through
bench_pages_load.lua, which prints p50/p95/p99 and counts responses by status:

  * /healthz                  the trivial page of the same app and middleware: the baseline,
                              measured first and again last (a drift check on a shared machine);
  * /associations/            the ledger, first page, national user `demo` (all of China);
  * /associations/?status=active&standardized=false&ordering=-established_on
                              the same, filtered and sorted the way a national cadre looks for
                              live associations not yet standardized, newest first;
  * /                         the dashboard of the national (`demo`), province (`demo-gd`,
                              广东省), city (`demo-gz`, 广州市) and county (`demo-haizhu`,
                              海珠区) users;
  * /teams/                   the team list, national user.

Every page is first fetched once without following redirects: a 3xx is reported (with its
target) and not timed, because wrk does not follow redirects and would time the redirect.
Then each page gets a warm-up run and a timed run: 16 connections, 2 wrk threads, 20 s.

Goal: p95 <= 150 ms for the dashboard and ledger pages. The table shows each page's p95 as a
multiple of the baseline's p95 in the same run; compare those ratios between runs rather than
the absolute milliseconds, since the machine is shared. "server CPU" is the CPU time the
gunicorn processes spent per request (user + system), which depends little on concurrency
(PostgreSQL's own CPU is not in it). wrk's clients never pause, so latency is about 16 divided
by the throughput: a p95 of 150 ms needs well over 100 requests/s, i.e. roughly 15 ms of CPU
per request at most (server, database and wrk together) on a 2-core machine.

The server runs without its job worker (`--no-worker`): no page measured needs it, and its
periodic jobs (at a fresh data directory's first start, about three minutes of CPU writing the
nation's and every province's bulletin PDF) would otherwise share the cores with the pages.

Workers: the default is `qingxie serve`'s own (2 workers x 4 threads, gthread), the shipped
production configuration, sized for a 2-core machine: one process per core does the CPU-bound
rendering; the threads overlap database waits (PostgreSQL) and keep connections alive. wrk
itself needs part of the same cores, which the absolute figures include.

Run (from the repository root):

    .venv/bin/python bench/bench_pages_load.py [--duration 20] [--warmup 5] [--json]
        [--workers 2 --threads 4] [--data-dir DIR] [--pages ledger,dashboard-national]

Without --data-dir it works in a throwaway data directory (removed afterwards), so the default
SQLite database is fresh and yours is never touched; loading takes about a minute and is not
timed. With --data-dir DIR it keeps DIR and reuses it on later runs (`qingxie setup` brings it
up to date in seconds; the demo ledger is loaded only once).
To run on PostgreSQL, point QINGXIE_DATABASE_URL at a database that is missing, empty or holds
only this benchmark's demo data (it refuses one with real users or associations), e.g.

    QINGXIE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingxie_bench_pages \\
        .venv/bin/python bench/bench_pages_load.py

`qingxie setup` creates the database if missing; the script runs ANALYZE after loading (as
autovacuum soon would); the demo data stays in it for the next run (drop it with `dropdb`). If wrk is missing the script installs it with apt-get when run as root,
else it stops and says how.

Exit status: 0 when every page meets the goal; 1 when a page misses it or redirects; 2 when
anything went wrong (a non-2xx response or socket error under load, a failed sign-in, a crashed
server), after printing what it measured.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

GOAL_MS = 150.0
BENCH_DIR = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH_DIR / "bench_pages_load.lua"
DEMO_PASSWORD = "qingxie-demo"
USERS = {
    "demo": "全国",
    "demo-gd": "广东省",
    "demo-gz": "广州市",
    "demo-haizhu": "海珠区",
}
#: key → (path, user or None, label). The baseline is measured first and again last.
PAGES = {
    "healthz": ("/healthz", "demo", "trivial page (baseline)"),
    # A signed-in page with the whole frame and almost no data (a small form): the issue's
    # "authenticated trivial page", against which the hot pages' CPU is compared.
    "trivial-signed-in": ("/search/", "demo", "signed-in trivial page (empty search)"),
    "ledger": ("/associations/", "demo", "ledger, first page"),
    "ledger-filtered": (
        "/associations/?status=active&standardized=false&ordering=-established_on",
        "demo",
        "ledger, filtered + sorted",
    ),
    "dashboard-national": ("/", "demo", "dashboard, national"),
    "dashboard-province": ("/", "demo-gd", "dashboard, province"),
    "dashboard-city": ("/", "demo-gz", "dashboard, city"),
    "dashboard-county": ("/", "demo-haizhu", "dashboard, county"),
    "teams": ("/teams/", "demo", "team list, national"),
}
BASELINE = "healthz"


def say(message: str) -> None:
    """Progress goes to stderr, so that --json output on stdout stays parseable."""
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    """Something broke (not merely slow): the run must fail loudly."""


@dataclass
class PageResult:
    key: str
    path: str
    user: str | None
    label: str
    status: int = 0
    body_bytes: int = 0
    redirect_to: str | None = None
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    ratio_p95: float | None = None
    server_cpu_ms: float | None = None
    wrk_cpu_s: float = 0.0
    non_2xx: int = 0
    status_counts: dict = field(default_factory=dict)
    socket_errors: dict = field(default_factory=dict)
    verdict: str = ""


# ------------------------------------------------------------------------------ preflight


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian with apt-get when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk is missing: installing the Debian package `wrk` …")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(install, env=env, stdout=subprocess.DEVNULL, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk not found: install it first (`apt-get install wrk` on Debian), then rerun.")


def database_url() -> str | None:
    return os.environ.get("QINGXIE_DATABASE_URL") or None


def database_label(data_dir: Path) -> str:
    url = database_url()
    if url is None:
        return f"SQLite {sqlite3.sqlite_version} ({data_dir / 'qingxie.sqlite3'})"
    parts = urllib.parse.urlsplit(url)
    return f"PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}"


def database_state(data_dir: Path) -> str:
    """'empty' (missing or no users), 'demo' (only demo users and associations) or 'real'."""
    checks = (
        "SELECT COUNT(*), SUM(CASE WHEN is_demo THEN 0 ELSE 1 END) FROM accounts_user",
        "SELECT SUM(CASE WHEN is_demo THEN 0 ELSE 1 END) FROM ledger_association",
    )
    url = database_url()
    if url is None:
        path = data_dir / "qingxie.sqlite3"
        if not path.exists():
            return "empty"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        errors: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
    else:
        import psycopg

        try:
            conn = psycopg.connect(url, connect_timeout=10)
        except psycopg.OperationalError as exc:
            if "does not exist" in str(exc):
                return "empty"
            raise BenchError(f"cannot connect to the database: {exc}") from exc
        errors = (psycopg.errors.UndefinedTable,)
    try:
        users, real_users = conn.execute(checks[0]).fetchone()
        (real_associations,) = conn.execute(checks[1]).fetchone()
    except errors:
        return "empty"
    finally:
        conn.close()
    if real_users or real_associations:
        return "real"
    return "demo" if users else "empty"


def analyze() -> None:
    """ANALYZE the PostgreSQL database after the bulk load, as autovacuum soon would.

    Without statistics the planner takes the 41,935-row region range for a handful of rows and
    walks it in a nested loop; a server with autovacuum off (as some test set-ups run) would
    stay that way, which is not what production sees.
    """
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        conn.execute("ANALYZE")


# ------------------------------------------------------------------------------ the server


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["QINGXIE_DATA_DIR"] = str(data_dir)
    env["QINGXIE_DEBUG"] = "0"  # the production server refuses DEBUG; it would also skew timings
    return env


def qingxie(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", *args], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"`qingxie {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`qingxie serve` in a child process, stopped (SIGTERM to gunicorn) on exit."""

    def __init__(self, env: dict[str, str], data_dir: Path, workers: int, threads: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "bench-server.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "qingxie", "serve", "--port", str(self.port)),
                *("--workers", str(workers), "--threads", str(threads)),
                # The job worker's periodic jobs (at its first start, the nation's and every
                # province's bulletin PDF: minutes of CPU) would run beside the timed pages.
                "--no-worker",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise BenchError("the server did not start:\n" + self.log_tail()) from None
                time.sleep(0.3)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise BenchError("the server stopped during the run:\n" + self.log_tail())

    def cpu_seconds(self) -> float | None:
        """User + system CPU of gunicorn's master and workers so far (Linux /proc), or None."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        try:
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return None
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            # Fields after the command name, which is in parentheses and may contain spaces.
            rest = stat[stat.rindex(")") + 2 :].split()
            ppid, utime, stime = int(rest[1]), int(rest[11]), int(rest[12])
            if int(pid) == self.proc.pid or ppid == self.proc.pid:
                total += utime + stime
        return total / tick

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ------------------------------------------------------------------------------ HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def sign_in(base: str, username: str) -> str:
    """Sign in through the real login form (CSRF token and all); the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise BenchError("the login page has no CSRF token")
    data = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": match[1]}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    try:
        status = opener.open(request, timeout=30).status
    except urllib.error.HTTPError as exc:  # a 302 surfaces as an HTTPError without a handler
        status = exc.code
    cookies = {c.name: c.value for c in jar}
    if status != 302 or "sessionid" not in cookies:
        raise BenchError(f"signing in as {username} failed (HTTP {status}): demo data missing?")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch_once(base: str, path: str, cookie: str) -> tuple[int, int, str | None]:
    """(status, body bytes, redirect target) of one GET, redirects not followed."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), response.getheader("Location")
    finally:
        conn.close()


# ------------------------------------------------------------------------------ wrk


def run_wrk(
    wrk: str, url: str, cookie: str, seconds: int, connections: int, threads: int
) -> tuple[dict, float]:
    """One wrk run; (the Lua script's summary, wrk's own CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        # wrk leaves requests slower than its timeout (default 2 s) out of the latency
        # figures; a generous timeout keeps slow pages in the percentiles.
        "--timeout=60s",
        "--script",
        str(LUA_SCRIPT),
        "--header",
        f"Cookie: {cookie}",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if result.returncode != 0 or not lines:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout}\n{result.stderr}")
    return json.loads(lines[-1].removeprefix("BENCH_JSON ")), cpu


def measure(args, wrk: str, server: Server, page: PageResult, cookie: str) -> None:
    url = server.base + page.path
    if args.warmup:
        run_wrk(wrk, url, cookie, args.warmup, args.connections, args.wrk_threads)
    cpu_before = server.cpu_seconds()
    summary, wrk_cpu = run_wrk(wrk, url, cookie, args.duration, args.connections, args.wrk_threads)
    cpu_after = server.cpu_seconds()
    server.check_alive()
    latency = summary["latency_us"]
    page.requests = summary["requests"]
    page.seconds = summary["duration_us"] / 1e6
    page.rps = page.requests / page.seconds if page.seconds else 0.0
    for name in ("p50", "p90", "p95", "p99", "max"):
        setattr(page, f"{name}_ms", latency[name] / 1000)
    page.status_counts = summary["status"]
    page.socket_errors = summary["socket_errors"]
    page.non_2xx = sum(v for k, v in summary["status"].items() if k != "2xx")
    page.wrk_cpu_s = wrk_cpu
    if cpu_before is not None and cpu_after is not None and page.requests:
        page.server_cpu_ms = (cpu_after - cpu_before) * 1000 / page.requests


# ------------------------------------------------------------------------------ report


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)


def print_table(meta: dict, results: list[PageResult]) -> None:
    print("Page load benchmark (wrk, loopback)")
    print(
        f"  {meta['database']}; qingxie serve: {meta['workers']} workers x {meta['threads']} "
        f"threads; Python {meta['python']}; {meta['cpus']} CPUs"
    )
    print(
        f"  wrk {meta['connections']} connections, {meta['wrk_threads']} threads, "
        f"{meta['warmup']} s warm-up + {meta['duration']} s per page; "
        f"goal p95 <= {GOAL_MS:.0f} ms; ratio = p95 / baseline p95"
    )
    before, after = meta["load_average"]
    print(
        f"  machine load average (1 min): {before:.1f} before the run, {after:.1f} after "
        "(the run itself adds about 4: two busy workers, two wrk threads)"
    )
    print()
    header = (
        f"  {'page':28}{'user':20}{'p50':>8}{'p95':>8}{'p99':>8}{'req/s':>8}"
        f"{'ratio':>7}{'srv CPU':>9}{'non-2xx':>9}  verdict"
    )
    print(header)
    print(f"  {'':28}{'':20}{'ms':>8}{'ms':>8}{'ms':>8}{'':>8}{'':>7}{'ms/req':>9}")
    for r in results:
        user = f"{r.user} ({USERS.get(r.user, '')})" if r.user else "—"
        if not r.requests:
            print(f"  {r.label:28}{pad(user, 20)}  {r.verdict}")
            continue
        ratio = f"{r.ratio_p95:.1f}" if r.ratio_p95 is not None else "—"
        cpu = f"{r.server_cpu_ms:.1f}" if r.server_cpu_ms is not None else "—"
        print(
            f"  {r.label:28}{pad(user, 20)}{r.p50_ms:8.1f}{r.p95_ms:8.1f}{r.p99_ms:8.1f}"
            f"{r.rps:8.1f}{ratio:>7}{cpu:>9}{r.non_2xx:9d}  {r.verdict}"
        )
    print()
    for r in results:
        print(f"  {r.key:20} {r.path}  ({r.status}, {r.body_bytes:,} bytes)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="timed seconds per page (20)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds per page (5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--data-dir", type=Path, help="set up once here and reuse on later runs")
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"comma-separated subset of: {', '.join(PAGES)} (the baseline always runs)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    keys = [k.strip() for k in args.pages.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PAGES]
    if unknown:
        parser.error(f"unknown pages: {', '.join(unknown)}")
    keys = [BASELINE, *[k for k in keys if k != BASELINE], BASELINE]

    wrk = ensure_wrk()
    load_before = os.getloadavg()[0]
    data_dir = args.data_dir.resolve() if args.data_dir else Path(tempfile.mkdtemp(prefix="qx-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir)
    server = None
    results: list[PageResult] = []
    failures: list[str] = []
    try:
        state = database_state(data_dir)
        if state == "real":
            raise BenchError(
                f"refusing to run: {database_label(data_dir)} holds users or associations that "
                "are not demo data; point QINGXIE_DATABASE_URL at another database"
            )
        # Always: `qingxie demo` runs `qingxie setup` first, which brings a reused data
        # directory up to the code (migrations, static files) in seconds, and loads the demo
        # ledger only where it is missing.
        say(f"setting up {data_dir} ({database_label(data_dir)}, {state}): setup + demo ledger …")
        started = time.perf_counter()
        qingxie(env, "demo", "--no-serve")
        if database_url() is not None:
            analyze()
        say(f"  ready in {time.perf_counter() - started:.0f} s (not timed below)")

        server = Server(env, data_dir, args.workers, args.threads)
        say(f"server on {server.base} ({args.workers} workers x {args.threads} threads)")
        try:
            cookies = {user: sign_in(server.base, user) for user in USERS}
        except OSError as exc:  # urllib's HTTPError (a 500 on the login page) is an OSError
            raise BenchError(f"signing in failed: {exc}\n{server.log_tail(12)}") from exc

        for index, key in enumerate(keys):
            path, user, label = PAGES[key]
            if index == len(keys) - 1:
                key, label = f"{BASELINE}-again", "trivial page, again"
            page = PageResult(key=key, path=path, user=user, label=label)
            results.append(page)
            cookie = cookies[user]
            page.status, page.body_bytes, location = fetch_once(server.base, path, cookie)
            if 300 <= page.status < 400:
                page.redirect_to = location
                page.verdict = f"NOT MEASURED: HTTP {page.status} redirect to {location}"
                failures.append(f"{label}: redirects to {location}")
                say(f"  {label}: HTTP {page.status} → {location}; not timed")
                continue
            if page.status != 200:
                page.verdict = f"ERROR: HTTP {page.status} before the load"
                say(f"  {label}: HTTP {page.status}; not timed\n{server.log_tail(12)}")
                continue
            say(f"  {label} ({path} as {user}) …")
            measure(args, wrk, server, page, cookie)

        base = results[0]
        for page in results:
            if not page.requests:
                continue
            page.ratio_p95 = page.p95_ms / base.p95_ms if base.p95_ms else None
            errors = page.non_2xx + sum(page.socket_errors.values())
            if errors:
                page.verdict = f"ERROR: {page.non_2xx} non-2xx, {page.socket_errors}"
            elif page.key.startswith(BASELINE):
                page.verdict = "baseline"
            elif page.p95_ms <= GOAL_MS:
                page.verdict = "PASS"
            else:
                page.verdict = "FAIL"
                failures.append(f"{page.label}: p95 {page.p95_ms:.1f} ms > {GOAL_MS:.0f} ms")
    except BenchError as exc:
        say(f"ERROR: {exc}")
        return 2
    finally:
        if server is not None:
            server.stop()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    meta = {
        "database": database_label(data_dir),
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "wrk_threads": args.wrk_threads,
        "duration": args.duration,
        "warmup": args.warmup,
        "goal_p95_ms": GOAL_MS,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": (load_before, os.getloadavg()[0]),
    }
    errors = [r for r in results if r.verdict.startswith("ERROR")]
    outcome = "error" if errors else "fail" if failures else "pass"
    if args.json:
        document = {**meta, "outcome": outcome, "failures": failures}
        print(json.dumps({**document, "pages": [asdict(r) for r in results]}, indent=2))
    else:
        print_table(meta, results)
        print()
        for line in failures:
            print(f"  goal missed — {line}")
        if errors:
            print(f"  ERRORS on {len(errors)} page(s): the figures above are not valid")
        elif not failures:
            print(f"  all pages: p95 <= {GOAL_MS:.0f} ms  ->  PASS")
    if errors:
        say(f"ERROR: {len(errors)} page(s) answered with non-2xx responses or socket errors")
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # anything unexpected is an error (2), never a mere missed goal (1)
        import traceback

        traceback.print_exc()
        sys.exit(2)
