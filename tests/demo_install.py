"""One demo installation per test run, copied for each test that needs a real one.

`qingxie setup` and `qingxie demo --no-serve` (all divisions, the maps, the national demo
ledger) take one to three minutes; the browser tests' server and the backup round trip each
needed their own. They now copy one installation made once per session: its data directory
file by file, and on PostgreSQL its database by `CREATE DATABASE … TEMPLATE`. Each copy is
then an installation of its own (its own database, files and keys) that nothing else touches.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg


def qingxie_env(data_dir: Path, database: str | None) -> dict[str, str]:
    """The environment of a `qingxie` process on `data_dir` and, on PostgreSQL, `database`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["QINGXIE_DATA_DIR"] = str(data_dir)
    # The bulletins written ahead (reports.jobs) would take the CPU the tests need.
    env["QINGXIE_BULLETIN_PREPARE"] = "0"
    pg = pg_base()
    if pg and database:
        env["QINGXIE_DATABASE_URL"] = f"{pg[0]}/{database}"
    return env


def pg_base() -> tuple[str, str] | None:
    """(server URL, test database name) when the suite runs on PostgreSQL."""
    url = os.environ.get("QINGXIE_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    base, _, name = url.rpartition("/")
    return base, name


def run_qingxie(env, *args, timeout=900) -> subprocess.CompletedProcess:
    """`python -m qingxie ARGS` in `env`; raises with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"qingxie {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def _drop(base: str, name: str) -> None:
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class DemoInstallation:
    """The session's demo installation: a data directory and, on PostgreSQL, a database."""

    dir: Path
    database: str | None
    #: What the first `qingxie setup` printed.
    setup_output: str
    #: What `qingxie demo --no-serve` printed.
    demo_output: str = ""

    @classmethod
    def make(cls, data_dir: Path) -> DemoInstallation:
        pg = pg_base()
        database = f"{pg[1]}_demo" if pg else None
        if pg:
            _drop(pg[0], database)
        env = qingxie_env(data_dir, database)
        first = run_qingxie(env, "setup")
        demo = run_qingxie(env, "demo", "--no-serve")
        return cls(data_dir, database, first.stdout, demo.stdout)

    def copy(self, data_dir: Path, suffix: str) -> dict[str, str]:
        """A copy of the installation in `data_dir` (which may exist, empty); returns the
        environment of `qingxie` processes on the copy. On PostgreSQL the copy's database is
        `<test database>_<suffix>`, dropped first if an earlier run left it."""
        shutil.copytree(self.dir, data_dir, dirs_exist_ok=True)
        pg = pg_base()
        database = None
        if pg:
            database = f"{pg[1]}_{suffix}"
            _drop(pg[0], database)
            with psycopg.connect(f"{pg[0]}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{self.database}"')
        return qingxie_env(data_dir, database)
