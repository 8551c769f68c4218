"""The printable sign-in sheet (签到表) of a training, as xlsx and docx."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from qingxie.trainings.models import Attendee, Training

HEADERS = ("序号", "姓名", "所在协会", "职务", "签到", "签退", "备注")


def _facts(training: Training) -> str:
    dates = f"{training.start_date:%Y年%m月%d日}"
    if training.end_date != training.start_date:
        dates += f"至{training.end_date:%Y年%m月%d日}"
    parts = [f"主办：{training.organiser.name}", f"时间：{dates}"]
    if training.place:
        parts.append(f"地点：{training.place}")
    return "　".join(parts)


def _rows(attendees: list[Attendee]):
    for n, a in enumerate(attendees, 1):
        yield (n, a.name, a.association.name, a.get_role_display(), "", "", "")


def sign_in_xlsx(training: Training, attendees: list[Attendee], blank_rows: int = 10) -> bytes:
    """An A4 sheet: title, facts, the list and blank signature columns, plus blank rows for
    walk-ins; repeated header row when printed over several pages."""
    wb = Workbook()
    ws = wb.active
    ws.title = "签到表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([f"{training.title} 签到表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([_facts(training)])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.append(list(HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    rows = list(_rows(attendees))
    start = len(rows) + 1
    rows += [(n, "", "", "", "", "", "") for n in range(start, start + blank_rows)]
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.row_dimensions[row[0].row].height = 28
    for column, width in zip("ABCDEFG", (6, 12, 30, 12, 16, 16, 12), strict=True):
        ws.column_dimensions[column].width = width
    ws.print_title_rows = "3:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sign_in_docx(training: Training, attendees: list[Attendee], blank_rows: int = 10) -> bytes:
    """The same sheet as a Word document (landscape A4, repeated header row)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{training.title} 签到表")
    run.bold, run.font.size = True, Pt(16)
    doc.add_paragraph(_facts(training))
    rows = list(_rows(attendees))
    start = len(rows) + 1
    rows += [(n, "", "", "", "", "", "") for n in range(start, start + blank_rows)]
    table = doc.add_table(rows=1 + len(rows), cols=len(HEADERS))
    table.style = "Table Grid"
    for i, text in enumerate(HEADERS):
        cell = table.rows[0].cells[i]
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    # Repeat the header row on every printed page.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            table.rows[r].cells[c].text = str(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
