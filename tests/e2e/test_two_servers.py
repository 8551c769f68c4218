"""Two app servers as one: two `qingxie serve` processes with their own data directories, one
database and one storage directory (as behind a load balancer). An import uploaded through
one is previewed and confirmed through the other, and its job is run by whichever worker
takes it; an evidence file uploaded on one downloads from the other.

The first is the session's server (tests/e2e/conftest.py); the second gets its own data
directory and the first one's database (its SQLite file, or its PostgreSQL database when
QINGXIE_DATABASE_URL is set), storage directory and keys.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, _free_port, _qingxie

pytestmark = pytest.mark.e2e

HAIZHU = "440105-3-01-4"  # the demo's 海珠区青年志愿者协会 (fixed seed)


def _second_server_env(first: dict) -> dict[str, str]:
    """The environment of a second app server of the session's site: its own data directory
    (made by the caller), the first one's database, storage directory and keys."""
    env = dict(first["env"])
    first_dir = Path(first["dir"])
    env.setdefault("QINGXIE_DATABASE_URL", f"sqlite:///{first_dir / 'qingxie.sqlite3'}")
    env["QINGXIE_STORAGE_DIR"] = str(first_dir / "storage")
    # Servers of one site share their keys (docs/deployment.md), as they share the database.
    env["QINGXIE_SECRET_KEY"] = (first_dir / "secret_key").read_text().strip()
    env["QINGXIE_FIELD_KEYS"] = (first_dir / "field_keys").read_text().strip()
    return env


class Browser:
    """A signed-in session against one server: cookies, CSRF token, JSON and multipart."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar):
        self.base = base
        self.jar = jar
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, method, path, *, data=None, headers=None, expect=200):
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        req.add_header("Referer", self.base + "/")
        if method != "GET":
            req.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(req, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert status in expected, (status, body[:500].decode("utf-8", "replace"))
        return body

    def json(self, method, path, **kwargs):
        return json.loads(self.request(method, path, **kwargs))

    def multipart(self, path, fields: dict, files: dict, *, expect):
        boundary = uuid.uuid4().hex
        out = io.BytesIO()
        for name, value in fields.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content) in files.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            )
            out.write(content + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return self.json(
            "POST",
            path,
            data=out.getvalue(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            expect=expect,
        )

    def sign_in(self, username: str) -> None:
        page = self.request("GET", "/accounts/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        self.request(
            "POST",
            "/accounts/login/",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert any(c.name == "sessionid" for c in self.jar)


def _start(env, data_dir: Path, *extra) -> tuple[subprocess.Popen, str]:
    env = {**env, "QINGXIE_DATA_DIR": str(data_dir)}
    _qingxie(env, "setup")
    port = _free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - the process owns it until the end
    proc = subprocess.Popen(
        [sys.executable, "-m", "qingxie", "serve", "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text()) from None
            time.sleep(0.3)


@pytest.fixture(scope="module")
def two_servers(server, tmp_path_factory):
    """The session's server (with its worker) and a second one beside it without a worker:
    jobs submitted on the second are run by the first's worker."""
    second_dir = tmp_path_factory.mktemp("qingxie-second")
    two, two_url = _start(_second_server_env(server), second_dir, "--no-worker")
    yield server["url"], two_url
    two.terminate()
    two.wait(timeout=30)


def _team_csv() -> bytes:
    from qingxie.teams.sheets import TEAM_KIND

    headers = [c.header for c in TEAM_KIND.import_columns]
    row = {
        "所属协会统一编号": HAIZHU,
        "队伍名称": "双服务器测试赤岗街道青年志愿服务队",
        "类别": "乡镇/街道",
        "所在乡镇（街道）代码": "440105001",
        "负责人": "王五",
        "负责人电话": "13900139000",
        "队员人数": "25",
        "成立日期": "2020-06-01",
    }
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerow([row.get(h, "") for h in headers])
    return text.getvalue().encode("utf-8-sig")


def _wait(browser: Browser, job_id: int, *, dry_run: bool) -> dict:
    deadline = time.monotonic() + 90
    while True:
        job = browser.json("GET", f"/api/imports/{job_id}")
        if job["state"] in ("done", "failed") and job["dry_run"] is dry_run:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.3)


def test_an_import_and_an_evidence_file_cross_between_two_servers(two_servers):
    one_url, two_url = two_servers
    jar = http.cookiejar.CookieJar()  # one browser, a load balancer sending it either way
    one, two = Browser(one_url, jar), Browser(two_url, jar)
    one.sign_in("demo-haizhu")

    created = one.multipart(
        "/api/imports/",
        {"kind": "teams", "dry_run": "true"},
        {"file": ("队伍.csv", _team_csv())},
        expect=202,
    )
    checked = _wait(two, created["id"], dry_run=True)
    assert checked["state"] == "done" and checked["ok"], checked
    assert checked["counts"]["created"] == 1
    page = two.request("GET", f"/sheets/teams/import/{checked['sha256']}/").decode()
    assert 'id="confirm-import"' in page  # the page on the other server shows the preview

    two.json("POST", f"/api/imports/{created['id']}/confirm", expect=202)
    imported = _wait(one, created["id"], dry_run=False)
    assert imported["state"] == "done" and imported["counts"]["created"] == 1, imported
    teams = one.json("GET", "/api/teams/?township=440105001&page_size=100")
    assert "双服务器测试赤岗街道青年志愿服务队" in [t["name"] for t in teams["results"]]

    # The city's own association submits its evidence (海珠区's items are all verified).
    city_jar = http.cookiejar.CookieJar()
    city_one, city_two = Browser(one_url, city_jar), Browser(two_url, city_jar)
    city_two.sign_in("demo-gz")
    listed = city_two.json("GET", "/api/associations/?region=440100&page_size=100")["results"]
    number = next(a["number"] for a in listed if a["region"] == "440100" and not a["standardized"])
    items = city_two.json("GET", "/api/checklist-items/")
    items = items["results"] if isinstance(items, dict) else items
    evidence = b"%PDF-1.4 evidence scanned on server two " + secrets.token_bytes(16)
    entry, refusals = None, []
    for item in items:
        try:
            entry = city_two.multipart(
                "/api/checklist-entries/",
                {"association": number, "item": item["code"], "note": "双服务器"},
                {"evidence": ("章程.pdf", evidence)},
                expect=(200, 201),
            )
            break
        except AssertionError as exc:
            refusals.append(str(exc))  # e.g. an item the demo has already verified
    assert entry is not None, refusals
    downloaded = city_one.request("GET", f"/checklist/{entry['id']}/evidence/")
    assert downloaded == evidence
