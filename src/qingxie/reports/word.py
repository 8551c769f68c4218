"""The bulletin as a Word document (python-docx), for cadres who edit it before sending it up.

Fonts are named, not embedded: 宋体 for the masthead and headline, 仿宋 for the text and 黑体
for the section headings, the faces every government PC has (Word substitutes on others).
Paragraph text, tables and images are the same blocks the PDF lays out.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from qingxie.reports import charts
from qingxie.reports.bulletin import Bulletin, Figure, Note, Table, figure_caption, section_heading

RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x5A, 0x5A, 0x5A)
SONG, FANGSONG, HEI = "宋体", "仿宋", "黑体"
ALIGN = {
    "L": WD_ALIGN_PARAGRAPH.LEFT,
    "C": WD_ALIGN_PARAGRAPH.CENTER,
    "R": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _font(run, name: str, size: float, *, bold: bool = False, colour=None) -> None:
    run.font.name = name
    # python-docx sets the Latin font only; Chinese text takes the East Asian one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _para(
    doc,
    text: str,
    font: str,
    size: float,
    *,
    align=None,
    bold=False,
    colour=None,
    indent_chars: int = 0,
    line_pt: float | None = None,
    after: float = 0,
):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if line_pt:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    if text:
        _font(p.add_run(text), font, size, bold=bold, colour=colour)
    return p


def _red_rule(paragraph) -> None:
    """A red thick-thin rule under the masthead, as a paragraph border."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "thickThinSmallGap"),
        ("w:sz", "24"),
        ("w:space", "4"),
        ("w:color", "C00000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _page_number_footer(section) -> None:
    """— PAGE — centred at the foot of every page, as a field Word fills in."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), SONG, 10.5)
    run = p.add_run()
    _font(run, SONG, 10.5)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), SONG, 10.5)


def _table(doc, table: Table) -> None:
    grid = doc.add_table(rows=0, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(table.widths)
    widths = [Cm(15.6 * w / total) for w in table.widths]
    for n, cells in enumerate([table.header, *table.rows]):
        heading = n == 0
        bold = heading or (table.total and n == len(table.rows))
        row = grid.add_row()
        for col, text in enumerate(cells):
            cell = row.cells[col]
            cell.width = widths[col]
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if heading else ALIGN[table.align[col]]
            _font(p.add_run(text), SONG, 10.5, bold=bold)
            if heading:
                shade = OxmlElement("w:shd")
                shade.set(qn("w:val"), "clear")
                shade.set(qn("w:fill"), "ECECEC")
                cell._tc.get_or_add_tcPr().append(shade)
    # Word reads the cell widths, LibreOffice the table grid: set both.
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    # Repeat the heading row on every page the table runs onto.
    trpr = grid.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.start_type = WD_SECTION.NEW_PAGE
    _page_number_footer(section)
    doc.core_properties.title = f"{bulletin.masthead} {bulletin.headline}"
    doc.core_properties.author = bulletin.author
    doc.core_properties.language = "zh-CN"

    size = 30 if len(bulletin.masthead) <= 13 else 24
    _para(
        doc,
        bulletin.masthead,
        SONG,
        size,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        bold=True,
        colour=RED,
        after=6,
    )
    if bulletin.issue_line:
        _para(doc, bulletin.issue_line, SONG, 14, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for issuer in bulletin.issuers[:-1]:
        _para(doc, issuer, FANGSONG, 12)
    last = _para(doc, bulletin.issuers[-1], FANGSONG, 12)
    last.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    _font(last.add_run("\t" + bulletin.date_line), FANGSONG, 12)
    _red_rule(last)
    _para(doc, "", SONG, 12, after=6)
    _para(doc, bulletin.headline, SONG, 18, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)

    figures = 0
    for n, part in enumerate(bulletin.sections):
        heading = _para(doc, section_heading(n, part.title), HEI, 14, after=4)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.space_before = Pt(8)
        for block in part.blocks:
            if isinstance(block, str):
                _para(
                    doc,
                    block,
                    FANGSONG,
                    14,
                    indent_chars=2,
                    line_pt=26,
                    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                )
            elif isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Figure):
                figures += 1
                png = charts.figure_png(bulletin, block.kind)
                picture = doc.add_paragraph()
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.paragraph_format.keep_with_next = True
                width = Cm(14.5) if block.kind == "map" else Cm(15.6)
                picture.add_run().add_picture(io.BytesIO(png), width=width)
                _para(
                    doc,
                    figure_caption(figures, block.caption),
                    HEI,
                    10.5,
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    after=6,
                )
            elif isinstance(block, Note):
                _para(doc, block.text, FANGSONG, 10.5, colour=GREY, after=4)
    closing = _para(doc, "", FANGSONG, 10.5, after=2)
    closing.paragraph_format.space_before = Pt(12)
    _para(doc, bulletin.footer, FANGSONG, 10.5, colour=GREY)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
