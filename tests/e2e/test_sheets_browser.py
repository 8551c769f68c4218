"""In a real Chromium: a county cadre downloads the team template, fills it with a mistake,
sees each problem by row and column with nothing saved, fixes it, previews, confirms, and
finds the new teams in the list."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

HAIZHU = "440105-3-01-4"  # the demo's 海珠区青年志愿者协会 (fixed seed)


def _fill(template, target, rows):
    workbook = load_workbook(template)
    sheet = workbook["基层队伍"]
    headers = [c.value for c in sheet[1]]
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(row=r, column=headers.index(header) + 1, value=value)
    workbook.save(target)


def _wait_done(page):
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)


def test_team_import_from_template_to_list(page_as, server, tmp_path):
    base = server["url"]
    page = page_as("demo-haizhu")
    page.goto(f"{base}/teams/")
    with page.expect_download() as download:
        page.click("#team-sheets a:has-text('下载模板')")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    founded = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    good = {
        "所属协会统一编号": HAIZHU,
        "队伍名称": "导入测试赤岗街道青年志愿服务队",
        "类别": "乡镇/街道",
        "所在乡镇（街道）代码": "440105001",
        "负责人": "王五",
        "负责人电话": "13900139000",
        "队员人数": 25,
        "成立日期": founded,
    }
    bad = {
        "所属协会统一编号": HAIZHU,
        "队伍名称": "导入测试五山街道队",
        "类别": "乡镇/街道",
        "所在乡镇（街道）代码": "440106001",  # 天河区's street: outside 海珠区
        "负责人电话": "12345",
        "成立日期": founded,
    }
    broken = tmp_path / "队伍.xlsx"
    _fill(template, broken, [good, bad])

    page.click("#team-sheets a:has-text('导入')")
    page.set_input_files("#id_file", str(broken))
    page.click("#upload-submit")
    _wait_done(page)
    problems = page.locator("#problem-table tbody tr")
    assert problems.count() == 2
    township = page.locator("#problem-table tr[data-row='3'][data-column='所在乡镇（街道）代码']")
    assert "五山街道（440106001）不在海珠区范围内" in township.inner_text()
    phone = page.locator("#problem-table tr[data-row='3'][data-column='负责人电话']")
    assert "电话号码“12345”格式不对" in phone.inner_text()
    assert "未写入任何数据" in page.locator("#problem-summary").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheets-errors.png"), full_page=True)

    fixed = tmp_path / "队伍（改）.xlsx"
    _fill(
        template,
        fixed,
        [good, {**bad, "所在乡镇（街道）代码": "440105002", "负责人电话": "13700137000"}],
    )
    page.click("#reupload")
    page.set_input_files("#id_file", str(fixed))
    page.click("#upload-submit")
    _wait_done(page)
    assert page.locator("#count-create").inner_text() == "2"
    assert page.locator("#plan-table tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "sheets-preview.png"), full_page=True)

    page.click("#confirm-import")
    page.wait_for_selector("#job[data-state=done] #result", timeout=60_000)
    assert "已新增 2 条" in page.locator("#result-summary").inner_text()
    page.screenshot(path=str(ARTIFACTS / "sheets-result.png"), full_page=True)

    assert page.locator("#to-list").get_attribute("href") == "/teams/"
    page.goto(f"{base}/teams/?q=导入测试", timeout=60_000)
    names = page.locator("#teams tbody tr td:first-child").all_inner_texts()
    assert sorted(n.strip() for n in names) == [
        "导入测试五山街道队",
        "导入测试赤岗街道青年志愿服务队",
    ]
