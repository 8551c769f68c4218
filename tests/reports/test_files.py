"""The bulletin as files: the PDF rendered to PNG and read back (text, fonts, pixels), the Word
document read back with python-docx, and the map and trend images coloured from the ledger."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from qingxie.regions.models import Region
from qingxie.reports import charts, fonts
from qingxie.reports.bulletin import Table, bulletin_build
from qingxie.reports.files import bulletin_file
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(
    os.environ.get("QINGXIE_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts")
)
SUMMARY = (
    "截至2021年5月6日，全市11个县（市、区）中共有4个成立团属志愿服务组织，覆盖率为36.4%；"
    "1个县（市、区）规范建设了团属志愿服务组织，覆盖率为9.1%。"
)
SCALE = 2  # render at 144 dpi


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def write(code: str, fmt: str, **kwargs):
    return bulletin_file(region=Region.objects.get(code=code), as_of=AS_OF, fmt=fmt, **kwargs)


# ------------------------------------------------------------------------------------ PDF


@pytest.fixture
def guangzhou_pdf(guangzhou, maps):
    written = write("440100", "pdf", issue=3)
    assert written.content.startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(written.content)
    yield pdf
    pdf.close()


def _fonts_used(pdf) -> set[tuple[str, bool]]:
    import ctypes

    used = set()
    for page in pdf:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
            used.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return used


def test_pdf_text_comes_out_with_the_figures(guangzhou_pdf):
    text = flat("".join(page.get_textpage().get_text_range() for page in guangzhou_pdf))
    assert text.startswith(
        "广州志愿服务工作信息2021年第3期共青团广州市委员会广州市青年志愿者协会秘书处编"
    )
    assert SUMMARY in text
    assert "海珠区海珠区青年志愿者协会已成立已规范化" in text
    assert "合计11个县级单位4个（36.4%）1个（9.1%）" in text
    assert "2020年12月31日前达到50%，届时为45.5%，未完成" in text
    assert "图1广州市县（市、区）团属志愿服务组织建设情况（2021年5月6日）" in text
    assert "—1—" in text  # page number at the foot


def test_pdf_fonts_are_embedded_cjk_subsets(guangzhou_pdf):
    used = _fonts_used(guangzhou_pdf)
    assert used and all(embedded for _, embedded in used)
    names = {re.sub(r"^[A-Z]{6}\+", "", name) for name, _ in used}
    assert names == {"NotoSerifCJKSC", "NotoSerifCJKSCBold", "NotoSansCJKSC", "NotoSansCJKSCBold"}


def test_pdf_has_the_map_and_the_trend_chart(guangzhou_pdf):
    images = [
        obj
        for page in guangzhou_pdf
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    ]
    assert len(images) == 2


def _char_boxes(page, textpage, needle: str) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each printed character of `needle` on the page with its pixel box on the rendering
    (left, top, right, bottom); the line breaks pdfium reports inside a match are skipped."""
    hit = textpage.search(needle).get_next()
    assert hit, f"“{needle}” not found on the page"
    height = page.get_height()
    out = []
    for index in range(hit[0], hit[0] + hit[1]):
        char = textpage.get_text_range(index, 1)
        if char.isspace():
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        box = (
            int(left * SCALE),
            int((height - top) * SCALE),
            int(right * SCALE) + 1,
            int((height - bottom) * SCALE) + 1,
        )
        out.append((char, box))
    return out


def test_pdf_renders_real_glyphs_where_the_text_is(guangzhou_pdf):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = guangzhou_pdf[0]
    image = page.render(scale=SCALE).to_pil().convert("RGB")
    for n, p in enumerate(guangzhou_pdf):
        p.render(scale=1.5).to_pil().save(ARTIFACTS / f"bulletin-440100-page{n + 1}.png")
    textpage = page.get_textpage()
    pixels = np.asarray(image)

    # The summary's characters are drawn: dark ink inside each glyph box ...
    crops = {}
    for char, (left, top, right, bottom) in _char_boxes(page, textpage, "覆盖率为36.4%"):
        crop = pixels[top:bottom, left:right].min(axis=2)
        assert crop.size and crop.min() < 90, f"nothing drawn for “{char}”"
        crops[char] = crop
    assert set("覆盖率为36.4%") <= set(crops)
    # ... and they are real glyphs, not one missing-glyph box repeated: 覆 and 盖 differ.
    a, b = crops["覆"], crops["盖"]
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert np.abs(a[:h, :w].astype(int) - b[:h, :w].astype(int)).mean() > 10

    # The masthead is printed in red.
    boxes = [box for _, box in _char_boxes(page, textpage, "广州志愿服务工作信息")]
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    head = pixels[top:bottom, left:right].astype(int)
    red = (head[..., 0] > 150) & (head[..., 1] < 80) & (head[..., 2] < 80)
    assert red.sum() > 500


def test_pdf_needs_the_fonts_and_says_how_to_get_them(guangzhou, monkeypatch):
    monkeypatch.setattr(fonts, "SEARCH_DIRS", ())
    monkeypatch.delenv("QINGXIE_FONT_DIR", raising=False)
    fonts.cjk_fonts.cache_clear()
    try:
        with pytest.raises(fonts.FontsMissingError, match="fonts-noto-cjk"):
            write("440100", "pdf")
        # Word needs no font files: the cadre still gets the bulletin.
        assert write("440100", "docx").content.startswith(b"PK")
    finally:
        fonts.cjk_fonts.cache_clear()


def test_a_county_pdf_has_no_map_or_trend(guangzhou):
    pdf = pdfium.PdfDocument(write("440105", "pdf").content)
    images = [o for p in pdf for o in p.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])]
    text = flat("".join(p.get_textpage().get_text_range() for p in pdf))
    pdf.close()
    assert not images
    assert "海珠区已成立团属志愿服务组织“海珠区青年志愿者协会”" in text


# ----------------------------------------------------------------------------------- Word


def test_word_document_reads_back(guangzhou, maps):
    written = write("440100", "docx", issue=3)
    assert written.filename == "广州市工作信息（2021-05-06）.docx"
    doc = Document(io.BytesIO(written.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[:3] == ["广州志愿服务工作信息", "2021年第3期", "共青团广州市委员会"]
    assert paragraphs[3] == "广州市青年志愿者协会秘书处编\t2021年5月6日"
    assert SUMMARY in paragraphs
    assert "一、总体情况" in paragraphs and "五、目标完成情况" in paragraphs
    masthead = doc.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == "C00000" and masthead.font.bold
    assert masthead._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"

    bulletin = bulletin_build(region=Region.objects.get(code="440100"), as_of=AS_OF)
    tables = [b for s in bulletin.sections for b in s.blocks if isinstance(b, Table)]
    assert len(doc.tables) == len(tables) == 2
    for grid, table in zip(doc.tables, tables, strict=True):
        cells = [[c.text for c in row.cells] for row in grid.rows]
        assert cells == [table.header, *table.rows]
    assert [c.text for c in doc.tables[0].rows[-1].cells] == [
        "合计",
        "11个县级单位",
        "4个（36.4%）",
        "1个（9.1%）",
    ]
    assert len(doc.inline_shapes) == 2  # the map and the trend chart


# --------------------------------------------------------------------------------- images


def _map_area(png: bytes) -> np.ndarray:
    """The map without the legend strip below it (2 cm at the chart's resolution)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    legend = int(2.0 / 2.54 * charts.DPI)
    return pixels[: pixels.shape[0] - legend]


def _count(pixels: np.ndarray, colour: str) -> int:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return int((pixels == rgb).all(axis=2).sum())


def test_city_map_colours_each_county_by_its_status(guangzhou, maps):
    bulletin = bulletin_build(region=Region.objects.get(code="440100"), as_of=AS_OF)
    png = charts.figure_png(bulletin, "map")
    (ARTIFACTS / "bulletin-440100-map.png").write_bytes(png)
    area = _map_area(png)
    none = _count(area, charts.STATUS_COLOURS["none"])
    established = _count(area, charts.STATUS_COLOURS["established"])
    standardized = _count(area, charts.STATUS_COLOURS["standardized"])
    # Seven large outer districts have nothing; three small central ones are established
    # and one (海珠) standardized: every status shows, and "none" covers the most ground.
    assert standardized > 300 and established > 300
    assert none > established + standardized


def test_a_map_with_nothing_established_has_no_status_colour(db, maps):
    bulletin = bulletin_build(region=Region.objects.get(code="440200"), as_of=AS_OF)
    area = _map_area(charts.figure_png(bulletin, "map"))
    assert _count(area, charts.STATUS_COLOURS["none"]) > 10_000
    assert _count(area, charts.STATUS_COLOURS["established"]) == 0
    assert _count(area, charts.STATUS_COLOURS["standardized"]) == 0


def test_national_map_colours_provinces_by_rate(guangzhou, maps):
    bulletin = bulletin_build(region=Region.objects.get(code="000000"), as_of=AS_OF)
    area = _map_area(charts.figure_png(bulletin, "map"))
    bands = {label: colour for _, label, colour in charts.RATE_BANDS}
    assert _count(area, bands["50%以下"]) > 10_000
    assert _count(area, bands["100%（全覆盖）"]) == 0


def test_trend_chart_draws_the_coverage_line(guangzhou, maps):
    bulletin = bulletin_build(region=Region.objects.get(code="440100"), as_of=AS_OF)
    png = charts.figure_png(bulletin, "trend")
    (ARTIFACTS / "bulletin-440100-trend.png").write_bytes(png)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    near_red = (np.abs(pixels - (0xC0, 0x27, 0x2D)).sum(axis=2) < 40).sum()
    near_blue = (np.abs(pixels - (0x2C, 0x7F, 0xB8)).sum(axis=2) < 40).sum()
    assert near_red > 200 and near_blue > 200


def test_province_map_outlines_its_prefectures(db, maps):
    """As on the web map: the province's county map carries its prefectures' outlines."""
    province = _map_area(
        charts.figure_png(
            bulletin_build(region=Region.objects.get(code="440000"), as_of=AS_OF), "map"
        )
    )
    assert _count(province, charts.OUTLINE_COLOUR) > 500
