"""In a real Chromium against `qingxie serve` and its worker: a province's export goes through
the job queue — the progress page (htmx, and without JavaScript), the download — the same export
asked again is served at once from the kept file, and nobody else may open the job (404)."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

JOB_URL = re.compile(r"/sheets/teams/export/job/(\d+)/$")


def _export(page, base, kind, region):
    page.goto(f"{base}/sheets/{kind}/export/")
    page.fill("#id_region", region)
    page.keyboard.press("Escape")  # close the region picker's suggestions, if any
    page.click("#export-submit")


def test_a_province_export_runs_as_a_job_then_is_served_kept(page_as, server, tmp_path):
    base = server["url"]
    page = page_as("demo-gd")
    _export(page, base, "teams", "440000")
    page.wait_for_url(JOB_URL, timeout=30_000)
    job_url = page.url
    assert page.locator("h1").inner_text().startswith("导出基层队伍")
    page.wait_for_selector("#export-job[data-state=done]", timeout=120_000)
    done = page.locator("#job-done").inner_text()
    rows = int(re.search(r"共 (\d+) 行", done).group(1))
    assert rows > 1000
    with page.expect_download() as download:
        page.click("#job-download")
    first = tmp_path / "first.xlsx"
    download.value.save_as(first)
    sheet = load_workbook(first, read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == rows

    # The same export again, the data unchanged: the kept file comes back at once, no job.
    page.goto(f"{base}/sheets/teams/export/")
    page.fill("#id_region", "440000")
    page.keyboard.press("Escape")
    with page.expect_download(timeout=10_000) as download:
        page.click("#export-submit")
    second = tmp_path / "second.xlsx"
    download.value.save_as(second)
    assert second.read_bytes() == first.read_bytes()

    # Someone else — a city cadre inside 广东, a national administrator — never opens the job.
    for username in ("demo-gz", "demo"):
        other = page_as(username)
        for suffix in ("", "status/", "download/"):
            response = other.goto(job_url + suffix)
            assert response.status == 404, (username, suffix, response.status)
    # And a cadre of 广州 asking for 广东's export is refused.
    gz = page_as("demo-gz")
    _export(gz, base, "teams", "440000")
    assert "不在您的管辖范围内" in gz.locator("#field-region").inner_text()


def test_the_progress_page_works_without_javascript(browser, server, tmp_path):
    base = server["url"]
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/sheets/group-members/export/")
    page.fill("#id_region", "000000")
    page.click("#export-submit")
    page.wait_for_url(re.compile(r"/sheets/group-members/export/job/\d+/$"))
    assert page.locator("noscript").count() or page.locator("#job-download").count()
    # The page refreshes itself (meta refresh inside noscript) until the file is ready.
    page.wait_for_selector("#job-download", timeout=120_000)
    with page.expect_download() as download:
        page.click("#job-download")
    target = tmp_path / "members.xlsx"
    download.value.save_as(target)
    sheet = load_workbook(target, read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) > 1000  # the demo's 7,939 group members
    context.close()
