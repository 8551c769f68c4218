"""A real qingxie: a copy of the session's demo installation (`qingxie setup` and `qingxie demo
--no-serve`, made once: tests/demo_install.py), `qingxie serve` (gunicorn) on a free port, and
Debian's headless Chromium driven by Playwright.

On PostgreSQL (QINGXIE_DATABASE_URL set) the server gets its own database, `<name>_e2e`, a copy
of the demo installation's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ARTIFACTS = Path(
    os.environ.get("QINGXIE_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")
)
CHROMIUM = os.environ.get("QINGXIE_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "qingxie-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _qingxie(env, *args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qingxie", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        **kwargs,
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory, demo_installation):
    """Base URL of a running qingxie with the demo accounts (a copy of the session's demo
    installation); the setup outputs for inspection."""
    tmp = tmp_path_factory.mktemp("qingxie-e2e")
    env = demo_installation.copy(tmp, "e2e")
    # Setup again on the copy: it must find everything up to date (and say where it lives).
    second = _qingxie(env, "setup")
    port = _free_port()
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "qingxie", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                raise RuntimeError((tmp / "server.log").read_text()) from None
            time.sleep(0.3)
    yield {
        "url": base,
        "setup_outputs": (demo_installation.setup_output, second.stdout),
        "env": env,
        "dir": tmp,
    }
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    """Playwright's sync API runs an event loop; it must be closed before other modules use the
    ORM (Django refuses synchronous queries while a loop is running), hence module scope."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--lang=zh-CN",  # date inputs as a cadre's browser shows them (年/月/日)
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page_as(browser, server, request):
    """page_as(username) → a Playwright page signed in as that demo user; screenshot kept."""
    pages = []

    def make(username: str):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(server["url"] + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        pages.append(page)
        return page

    yield make
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, page in enumerate(pages):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"), full_page=True)
        page.context.close()


@pytest.fixture(scope="session")
def assessment_demo(server):
    """The assessment's demo (a 2021 round, Guangdong's library) on the server's database,
    made once for the browser tests that walk it (`qingxie assessment demo` is idempotent)."""
    done = subprocess.run(
        [sys.executable, "-m", "qingxie", "assessment", "demo"],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    assert "演示评估" in done.stdout
    return server
