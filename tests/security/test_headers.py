"""Security headers on pages, the API and the sign-in page; no inline script or style in any
template; `qingxie check --deploy` clean under production settings; API rate and page limits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "qingxie"


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/regions/440000/", "/api/regions/"])
def test_every_response_carries_the_security_headers(client_for, path):
    client = Client() if path == "/accounts/login/" else client_for("province_admin", "440000")
    response = client.get(path)
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    # Plain HTTP (the default): no HSTS, which would pin browsers to an HTTPS that is not there.
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.django_db
def test_hsts_and_secure_cookies_when_served_over_https(client_for, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = client_for("viewer", "440000")
    plain = client.get("/regions/440000/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/regions/440000/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# Inline code is any <script> that is not a src= or a JSON data block, any <style> element, any
# style="…" attribute, any on…= handler and any javascript: URL.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    templates = sorted(SRC.glob("**/templates/**/*.html"))
    assert len(templates) > 20  # the glob found the real templates
    found = [
        f"{path.relative_to(SRC)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_inline_pattern_catches_what_it_must():
    def caught(html):
        return [what for pattern, what in INLINE if pattern.search(html)]

    assert caught('<div style="color:red">') == ["style= attribute"]
    assert caught("<script>alert(1)</script>") == ["inline <script>"]
    assert caught('<button onclick="go()">') == ["on…= handler"]
    assert caught('<script src="/static/x.js"></script>') == []
    assert caught('<script id="d" type="application/json">{}</script>') == []


@pytest.mark.django_db
def test_server_error_page_renders_without_inline_style():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'class="error-page"' in html and "style=" not in html and "服务器内部错误" in html


@pytest.mark.django_db
def test_api_docs_page_loads_its_start_script_from_a_file(client_for):
    client = client_for("viewer", "440000")
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    start = client.get("/api/docs/?script=")
    assert start.status_code == 200 and "SwaggerUIBundle" in start.content.decode()


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    """`qingxie check --deploy` as an operator runs it on the production host."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QINGXIE_"))}
    env.update(
        QINGXIE_DATA_DIR=str(tmp_path),
        QINGXIE_HTTPS="1",
        QINGXIE_DEBUG="0",
        QINGXIE_SECRET_KEY="k7Gq2vXr9pLw4ZcN8mTt3yBh6JdF1sQe5uAo0iKx-VbRnWlEgYzCa",
        QINGXIE_ALLOWED_HOSTS="qingxie.gd.gqt.org.cn",
    )
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_is_wrong_without_https(tmp_path):
    """The same check fails on a debug, plain-HTTP configuration: the test above can fail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QINGXIE_"))}
    env.update(QINGXIE_DATA_DIR=str(tmp_path), QINGXIE_DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "security.W004" in out and "security.W018" in out  # no HSTS; DEBUG on
