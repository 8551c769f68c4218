"""The built wheel installs into a fresh virtual environment and serves pages, browser libraries
included, with neither the source tree nor npm (`pip install qingxie-*.whl && qingxie setup &&
qingxie serve`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}"
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (REPO / "node_modules").exists(), reason="npm ci has not run")
def test_wheel_installs_and_serves_without_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)])
    wheel = next(dist.glob("qingxie-*.whl"))

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path)

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "QINGXIE_", "PYTHON", "PROMETHEUS"))
    }
    env["QINGXIE_DATA_DIR"] = str(tmp_path / "data")
    where = _run(
        [str(python), "-c", "import qingxie; print(qingxie.__file__)"], cwd=tmp_path, env=env
    )
    assert str(venv) in where.stdout and str(REPO) not in where.stdout

    qingxie = str(venv / "bin" / "qingxie")
    setup = _run([qingxie, "setup", "--skip-maps"], cwd=tmp_path, env=env)
    assert "青协已就绪" in setup.stdout and "正在载入行政区划" in setup.stdout

    port = _free_port()
    server = subprocess.Popen(
        [qingxie, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        page = urllib.request.urlopen(base + "/accounts/login/", timeout=10).read().decode()
        assert "登录" in page
        for name in ("vendor/echarts/echarts.min.js", "vendor/htmx/htmx.min.js"):
            with urllib.request.urlopen(f"{base}/static/{name}", timeout=10) as response:
                assert response.status == 200 and len(response.read()) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)
