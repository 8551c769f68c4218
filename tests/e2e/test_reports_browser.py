"""In a real Chromium: a province cadre opens the bulletin from the region page, previews it
for 2021-05-06 and downloads it as PDF and Word, with the demo ledger's Guangdong figures (the
seed bulletin's 106 of 122 and 84 of 122) equal to what /api/coverage says."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

SENTENCE = (
    "全省122个县（市、区）中共有106个成立团属志愿服务组织，覆盖率为86.9%；"
    "84个县（市、区）规范建设了团属志愿服务组织，覆盖率为68.9%。"
)


def _through_the_job(page, button: str):
    """Ask for a file: the job page shows its progress, then offers the file written."""
    page.wait_for_selector(button)
    page.click(button)
    page.wait_for_url("**/reports/bulletin/440000/job/*/")
    page.wait_for_selector("#job-download", timeout=90000)
    with page.expect_download() as info:
        page.click("#job-download")
    return info.value


def test_province_cadre_downloads_the_guangdong_bulletin(page_as, server):
    page = page_as("demo-gd")
    page.goto(server["url"] + "/regions/440000/")
    page.click("#bulletin-link")
    page.wait_for_load_state("networkidle")
    page.fill("#id_as_of", "2021-05-06")
    page.fill("#id_issue", "5")
    page.click("#bulletin-form button:not([name])")  # 预览
    page.wait_for_load_state("networkidle")
    preview = page.locator("#bulletin-preview")
    assert SENTENCE in preview.inner_text().replace("\n", "")
    assert "广东志愿服务工作信息" in preview.inner_text()
    for img in preview.locator("figure img").all():
        img.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
        )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bulletin-preview-440000.png"), full_page=True)

    api = page.request.get(server["url"] + "/api/coverage?region=440000&as_of=2021-05-06").json()
    assert (api["counties"], api["established"], api["coverage_rate"]) == (122, 106, 86.9)
    assert (api["standardized"], api["standardized_rate"]) == (84, 68.9)

    download = _through_the_job(page, "#download-pdf")
    assert download.suggested_filename == "广东省工作信息（2021-05-06）.pdf"
    pdf = pdfium.PdfDocument(download.path())
    text = re.sub(r"\s+", "", "".join(p.get_textpage().get_text_range() for p in pdf))
    embedded = {
        bool(pdfium_c.FPDFFont_GetIsEmbedded(pdfium_c.FPDFTextObj_GetFont(obj.raw)))
        for p in pdf
        for obj in p.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT])
    }
    pdf[0].render(scale=1.5).to_pil().save(ARTIFACTS / "bulletin-440000-page1.png")
    pdf.close()
    assert "2021年第5期" in text and SENTENCE in text
    assert embedded == {True}
    rows = {c["name"]: c for c in api["children"]}
    guangzhou = rows["广州市"]
    assert (
        f"广州市{guangzhou['counties']}{guangzhou['established']}{guangzhou['coverage_rate']:.1f}%"
        in text
    )

    page.go_back()
    download = _through_the_job(page, "#download-docx")
    assert download.suggested_filename == "广东省工作信息（2021-05-06）.docx"
    doc = Document(download.path())
    assert any(SENTENCE in p.text for p in doc.paragraphs)
    total = [c.text for c in doc.tables[0].rows[-1].cells]
    assert total == ["合计", "122", "106", "86.9%", "84", "68.9%"]
