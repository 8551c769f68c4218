"""In a real Chromium against `qingxie serve` (gunicorn and its worker): the corner-cell xlsx
of issue 18 uploaded by a county cadre is refused by the job with the limit, the server keeps
serving; an export is a form POST that downloads; no response names the server software."""

from __future__ import annotations

import urllib.request

import pytest

from qingxie.teams.sheets import TEAM_KIND
from tests.e2e.conftest import ARTIFACTS
from tests.security.hostile import corner_cell_xlsx

pytestmark = pytest.mark.e2e


def test_the_corner_cell_upload_is_refused_and_the_server_lives(page_as, server, tmp_path):
    base = server["url"]
    page = page_as("demo-haizhu")
    path = corner_cell_xlsx(
        tmp_path / "队伍.xlsx",
        TEAM_KIND.sheet_name,
        TEAM_KIND.headers(for_import=True),
        "XFD1048576",
    )
    page.goto(f"{base}/sheets/teams/import/")
    page.set_input_files("#id_file", str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)
    assert "超过了本表的上限" in page.locator("#job").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-corner-cell.png"), full_page=True)
    # The same worker still runs the next job: a page and an import both answer.
    with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert response.headers.get("Server") is None


def test_an_export_is_a_form_post_that_downloads(page_as, server):
    base = server["url"]
    page = page_as("demo-haizhu")
    page.goto(f"{base}/sheets/teams/export/?region=440105&format=csv")
    assert page.locator("#export-form").get_attribute("method") == "post"
    assert page.locator("#id_region").input_value() == "440105"
    with page.expect_download() as download:
        page.click("#export-submit")
    assert download.value.suggested_filename.endswith(".csv")
