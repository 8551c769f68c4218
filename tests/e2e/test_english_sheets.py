"""In a real Chromium, in English: the import and export pages of the `sheets` app (index,
import form, preview with problems, export form, a large export's progress page) keep no
Chinese in their own words. Column headers, choices and notes of the file format are Chinese on
purpose (marked lang="zh-Hans"), as is the data."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.english import (
    USERS,
    chrome_problems,
    data_strings,
    english_page,
)

pytestmark = pytest.mark.e2e

__all__ = ["data_strings"]  # the fixture, used by name

KINDS = ("ledger", "teams", "group-members", "coverage")


def _pages(code: str) -> list[str]:
    pages = ["/sheets/"]
    for kind in KINDS:
        pages.append(f"/sheets/{kind}/export/")
        if kind != "coverage":
            pages.append(f"/sheets/{kind}/import/")
    return pages


@pytest.mark.parametrize("username", ["demo", "demo-haizhu"])
def test_sheets_pages_in_english(browser, server, data_strings, username, tmp_path):
    page = english_page(browser, server, username)
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen = 0
    for path in _pages(USERS[username]):
        response = page.goto(server["url"] + path)
        if response.status in (403, 404):
            continue
        assert response.ok, f"{path}: {response.status}"
        seen += 1
        problems += chrome_problems(page, path, data_strings)
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=str(ARTIFACTS / f"english-{username}-{name}.png"), full_page=True)
    assert seen >= 6

    # An upload with a problem: the preview with its problem table, in English.
    bad = tmp_path / "ledger.csv"
    bad.write_text(
        "区划代码,名称,组织形式,成立日期\n440105,,青年志愿者协会,2099-01-01\n", "utf-8-sig"
    )
    page.goto(server["url"] + "/sheets/ledger/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("#upload-submit")
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)
    assert "problem" in page.locator("#problem-summary").inner_text()
    problems += chrome_problems(page, "import preview", data_strings)
    # The reasons are English sentences (quoting the file's Chinese headers as written).
    reasons = page.locator("#problem-table tbody td:nth-child(3)")
    assert reasons.count() and "is missing" in " ".join(reasons.all_inner_texts())
    assert page.locator("#problem-table tbody td:nth-child(3)[lang=zh-Hans]").count() == 0

    # The kind's explanation (column help, notes) is English; headers and choices stay Chinese.
    page.goto(server["url"] + "/sheets/teams/import/")
    # (An English help may quote a choice as the file writes it: “正常”.)
    helps = page.locator("#column-help tbody td:nth-child(4)").all_inner_texts()
    assert [h for h in helps if h.strip()], helps
    assert page.locator("#column-help tbody td:nth-child(4)[lang=zh-Hans]").count() == 0
    assert page.locator("#kind-notes p").count() == 2
    assert page.locator("#kind-notes [lang=zh-Hans]").count() == 0

    # An export on the job queue (a province or the nation): the progress page, then done.
    code = "440000" if username == "demo" else "440105"
    page.goto(server["url"] + "/sheets/coverage/export/")
    page.fill("#id_region", code)
    page.keyboard.press("Escape")
    if username == "demo":
        page.click("#export-submit")
        page.wait_for_url(re.compile(r"/export/job/\d+/$"), timeout=30_000)
        page.wait_for_selector("#export-job[data-state=done]", timeout=60_000)
        assert "rows" in page.locator("#job-done").inner_text()
        problems += chrome_problems(page, "export job", data_strings)
        page.screenshot(path=str(ARTIFACTS / "english-demo-export-job.png"), full_page=True)
    page.context.close()
    assert not problems, f"{len(problems)} untranslated:\n" + "\n".join(dict.fromkeys(problems))
