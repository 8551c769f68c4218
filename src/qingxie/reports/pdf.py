"""The bulletin as a PDF (fpdf2), with the Noto CJK faces embedded as subsets.

Laid out like a printed 工作信息: a red masthead over a red double rule, the compiling body and
date, the headline, numbered sections in a heavy sans, justified body text with a two-character
indent, bordered tables, the map and the trend chart, and page numbers in the — 1 — style.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from qingxie.reports import charts
from qingxie.reports.bulletin import Bulletin, Figure, Note, Table, figure_caption, section_heading
from qingxie.reports.fonts import cjk_fonts

RED = (192, 0, 0)
GREY = (90, 90, 90)
#: Characters a line may not start with, and characters it may not end with (禁则).
NO_LINE_START = set("，。、；：？！）》」』”’%…—·〕】")
NO_LINE_END = set("（《「『“‘〔【")
#: Runs kept on one line: numbers with their decimals and percent signs, Latin words.
TOKEN = re.compile(r"[0-9A-Za-z.%\-–/]+|.", re.S)
MARGIN = 25.0
BODY_PT, LINE_MM = 12, 7.2


class BulletinPDF(FPDF):
    """A4 pages with the Chinese faces registered and page numbers at the foot."""

    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        fonts = cjk_fonts()
        for family, style, face in (
            ("serif", "", fonts.serif),
            ("serif", "B", fonts.serif_bold),
            ("sans", "", fonts.sans),
            ("sans", "B", fonts.sans_bold),
        ):
            self.add_font(family, style, str(face.path), collection_font_number=face.index)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=22)
        self.c_margin = 0

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("serif", size=10)
        self.set_text_color(0)
        self.cell(0, 6, f"— {self.page_no()} —", align="C")


def _lines(pdf: FPDF, text: str, width: float, first_indent: float) -> list[tuple[str, bool]]:
    """Break `text` into lines of at most `width` mm: (line, is_last_of_paragraph)."""
    lines: list[list[str]] = [[]]
    used = first_indent
    for token in TOKEN.findall(text):
        w = pdf.get_string_width(token)
        if lines[-1] and used + w > width:
            carry: list[str] = []
            if token[0] in NO_LINE_START:
                # Take the previous token along, so the punctuation does not open a line.
                carry.append(lines[-1].pop())
            while lines[-1] and lines[-1][-1][-1] in NO_LINE_END:
                carry.insert(0, lines[-1].pop())
            lines.append(carry)
            used = sum(pdf.get_string_width(t) for t in carry)
            if token.isspace() and not carry:
                continue  # an English line does not open with the space it broke at
        lines[-1].append(token)
        used += w
    out = ["".join(tokens) for tokens in lines]
    return [(line, n == len(out) - 1) for n, line in enumerate(out)]


def _paragraph(
    pdf: FPDF, text: str, *, indent_chars: int = 2, size: float = BODY_PT, colour=(0, 0, 0)
) -> None:
    """Justified body text: each full line is spread to the margin, the last left as it is."""
    pdf.set_font("serif", size=size)
    pdf.set_text_color(*colour)
    width = pdf.epw
    indent = pdf.get_string_width("中") * indent_chars
    for n, (line, last) in enumerate(_lines(pdf, text, width, indent)):
        x = pdf.l_margin + (indent if n == 0 else 0)
        room = width - (indent if n == 0 else 0)
        natural = pdf.get_string_width(line)
        chars = len(line)
        if not last and chars > 1 and natural < room:
            # fpdf2 takes character spacing in points.
            pdf.set_char_spacing((room - natural) * pdf.k / (chars - 1))
        pdf.set_x(x)
        pdf.cell(room, LINE_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_char_spacing(0)


def _masthead(pdf: FPDF, bulletin: Bulletin) -> None:
    pdf.set_text_color(*RED)
    size = 30.0
    pdf.set_font("serif", "B", size)
    # Long county names must still fit on one line.
    while pdf.get_string_width(bulletin.masthead) > pdf.epw and size > 16:
        size -= 1
        pdf.set_font("serif", "B", size)
    pdf.set_y(30)
    pdf.cell(0, 16, bulletin.masthead, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    if bulletin.issue_line:
        pdf.set_font("serif", size=14)
        pdf.cell(0, 9, bulletin.issue_line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("serif", size=12)
    for n, issuer in enumerate(bulletin.issuers):
        # The last issuer shares its line with the date, set flush right.
        last = n == len(bulletin.issuers) - 1
        pdf.cell(0, 6.5, issuer, new_x=XPos.LMARGIN, new_y=YPos.TOP if last else YPos.NEXT)
    pdf.cell(0, 6.5, bulletin.date_line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = pdf.get_y() + 2
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.0)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, y + 1.4, pdf.w - pdf.r_margin, y + 1.4)
    pdf.set_draw_color(0)
    pdf.set_y(y + 8)
    pdf.set_font("serif", "B", 18)
    pdf.multi_cell(0, 10, bulletin.headline, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font("sans", size=9.5)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.25)
    total = sum(table.widths)
    widths = [pdf.epw * w / total for w in table.widths]
    align = {"L": "LEFT", "C": "CENTER", "R": "RIGHT"}
    with pdf.table(
        col_widths=widths,
        text_align=[align[a] for a in table.align],
        line_height=5.0,
        padding=(0.9, 1.6),
        headings_style=_style(bold=True, fill=(236, 236, 236)),
        first_row_as_headings=True,
        repeat_headings=1,
    ) as grid:
        for n, cells in enumerate([table.header, *table.rows]):
            is_total = table.total and n == len(table.rows)
            row = grid.row(style=_style(bold=True) if is_total else None)
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)


def _style(*, bold: bool, fill=None):
    from fpdf.fonts import FontFace

    return FontFace(family="sans", emphasis="BOLD" if bold else None, fill_color=fill)


def _image_size(pdf: FPDF, png: bytes, kind: str) -> tuple[float, float]:
    """Width and height (mm) of a figure at full measure, shrunk to fit one page."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        ratio = img.height / img.width
    width = pdf.epw * (0.92 if kind == "map" else 1.0)
    tallest = pdf.h - pdf.t_margin - pdf.b_margin - 24
    if width * ratio > tallest:
        width = tallest / ratio
    return width, width * ratio


def _room(pdf: FPDF) -> float:
    return pdf.h - pdf.b_margin - pdf.get_y()


def _figure(pdf: FPDF, png: bytes, figure: Figure, number: int) -> None:
    width, height = _image_size(pdf, png, figure.kind)
    if height + 10 > _room(pdf):
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=(pdf.w - width) / 2, w=width, h=height)
    pdf.set_font("sans", size=10)
    pdf.multi_cell(
        0, 6, figure_caption(number, figure.caption), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)


def _note(pdf: FPDF, note: Note) -> None:
    _paragraph(pdf, note.text, indent_chars=0, size=9.5, colour=GREY)
    pdf.set_text_color(0)


def bulletin_pdf(bulletin: Bulletin, pngs: dict[str, bytes] | None = None) -> bytes:
    """The bulletin as PDF bytes (raises FontsMissingError when no Chinese font is installed).

    `pngs` are the figures already drawn (kind → PNG), as the bulletin job draws them first to
    report its progress; the others are drawn here."""
    pdf = BulletinPDF()
    pdf.set_title(f"{bulletin.masthead} {bulletin.headline}")
    pdf.set_author(bulletin.author)
    pdf.set_creator(gettext("青协信息平台"))
    pdf.set_lang("zh-CN")
    pdf.add_page()
    _masthead(pdf, bulletin)
    pngs = {
        f.kind: (pngs or {}).get(f.kind) or charts.figure_png(bulletin, f.kind)
        for f in bulletin.figures()
    }
    figures = 0
    for n, section in enumerate(bulletin.sections):
        # Keep a heading with what follows it: a whole figure, or a few lines of text.
        first = section.blocks[0] if section.blocks else None
        need = 30.0
        if isinstance(first, Figure):
            need = 12 + _image_size(pdf, pngs[first.kind], first.kind)[1] + 10
        if need > _room(pdf):
            pdf.add_page()
        pdf.set_font("sans", "B", 14)
        pdf.cell(0, 10, section_heading(n, section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for block in section.blocks:
            if isinstance(block, str):
                _paragraph(pdf, block)
            elif isinstance(block, Table):
                _table(pdf, block)
            elif isinstance(block, Figure):
                figures += 1
                _figure(pdf, pngs[block.kind], block, figures)
            elif isinstance(block, Note):
                _note(pdf, block)
        pdf.ln(2)
    pdf.ln(4)
    y = pdf.get_y()
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
    pdf.ln(2)
    _note(pdf, Note(bulletin.footer))
    return bytes(pdf.output())
