"""In a real Chromium (issue 16, item 6): a form shows every one of its errors in one pass,
required fields marked; an import preview shows each changed value as old → new."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

HAIZHU = "440105-3-01-4"  # the demo's 海珠区青年志愿者协会 (fixed seed)


def test_a_team_form_shows_all_its_errors_at_once(page_as, server):
    page = page_as("demo-haizhu")
    page.goto(f"{server['url']}/teams/new/?association={HAIZHU}")
    # Required fields carry their mark before anything is sent.
    assert page.locator("#field-name label .req").is_visible()
    assert page.locator("#field-founded_on label .req").is_visible()
    page.fill("#id_name", "")
    page.select_option("#id_category", "township")
    page.select_option("#id_township", "")
    page.fill("#id_member_count", "-3")
    page.fill("#id_leader_phone", "12345")
    page.fill("#id_founded_on", "")
    page.click("form.form-panel button[type=submit]")
    page.wait_for_load_state("networkidle")
    errors = {
        name: page.locator(f"#field-{name} .field-error").all_inner_texts()
        for name in ("name", "founded_on", "member_count", "township", "leader_phone")
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "forms-all-errors.png"), full_page=True)
    assert errors["name"] == ["请填写队伍名称。"]
    assert errors["founded_on"] == ["请填写成立日期。"]
    assert errors["member_count"] and "0" in errors["member_count"][0]
    assert errors["township"] == ["乡镇/街道队伍须选择所在乡镇（街道）。"]
    assert errors["leader_phone"] and "12345" in errors["leader_phone"][0]


def test_an_import_preview_shows_old_and_new_values(page_as, server, tmp_path):
    base = server["url"]
    page = page_as("demo-haizhu")
    page.goto(f"{base}/sheets/teams/export/?region=440105&format=xlsx")
    with page.expect_download() as download:
        page.click("#export-submit")
    exported = tmp_path / "队伍导出.xlsx"
    download.value.save_as(exported)

    workbook = load_workbook(exported)
    sheet = workbook["基层队伍"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("队员人数") + 1
    name = sheet.cell(row=2, column=headers.index("队伍名称") + 1).value
    old = int(sheet.cell(row=2, column=column).value or 0)
    sheet.cell(row=2, column=column, value=old + 7)
    if sheet.max_row > 2:
        sheet.delete_rows(3, sheet.max_row - 2)
    edited = tmp_path / "队伍改人数.xlsx"
    workbook.save(edited)

    page.goto(f"{base}/sheets/teams/import/")
    page.set_input_files("#id_file", str(edited))
    page.click("#upload-submit")
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "forms-import-old-new.png"), full_page=True)
    assert page.locator("#count-update").inner_text() == "1"
    row = page.locator("#plan-table tbody tr[data-row='2']")
    assert name in row.inner_text()
    change = row.locator("ul.diffs li").filter(has_text="队员人数")
    assert change.locator("del").inner_text() == str(old)
    assert change.locator("ins").inner_text() == str(old + 7)
    # The file is named by its name and a short check code, not a 64-character hash.
    meta = page.locator(".file-meta").inner_text()
    assert "队伍改人数.xlsx" in meta and len(max(meta.split(), key=len)) < 40
