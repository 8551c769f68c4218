"""Writing templates and exports: xlsx (openpyxl, write-only for big exports) and csv.

A template has the data sheet with its header row (required columns marked), dropdowns for
every choice column, text format for codes and phone numbers (so Excel keeps 0s and long
digits), and a "填写说明" sheet that lists every column with its help, choices and example.
Exports write the same headers, so an edited export can be imported again.

No exported cell can run: text is written as text whatever it begins with. In xlsx a string
is always a string cell (openpyxl would make "=…" a formula); in csv, text beginning with
=, +, -, @, a tab or a carriage return gets a leading ' (OWASP's advice for CSV injection),
which the reader removes again (`unguard`), so a re-imported export gives back its values.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from qingxie.core.tabular.spec import Column, SheetKind, csv_guard

INSTRUCTIONS_SHEET = "填写说明"
CHOICES_SHEET = "可选值"
TEMPLATE_ROWS = 2000  # rows prepared with dropdowns and text formats in a template

_REQUIRED_FILL = PatternFill("solid", fgColor="F6D5D9")
_OPTIONAL_FILL = PatternFill("solid", fgColor="E4EAF1")
_READONLY_FILL = PatternFill("solid", fgColor="EEEEEE")
_BOLD = Font(bold=True)
_TEXT_KINDS = {"代码", "文本"}

Progress = Callable[[str, int, int | None], None]


def _header_fill(column: Column) -> PatternFill:
    if not column.importable:
        return _READONLY_FILL
    return _REQUIRED_FILL if column.required else _OPTIONAL_FILL


def _instructions(workbook: Workbook, kind: SheetKind, *, columns: Iterable[Column]) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.append([f"{kind.title}：填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    general = [
        f"在“{kind.sheet_name}”工作表中每行填写一条记录，第一行的列名不要修改；列名为红底的是必填列。",
        "日期写成 2021-05-06（也可使用 Excel 日期格式）；代码按文本填写。",
        "不要合并单元格，不要增加模板以外的列；不再需要的行整行删除即可。",
        "导入前系统会逐行逐列检查，只要有一处错误就一条也不写入，并列出每个错误所在的行和列。",
        "同一文件重复导入不会重复登记：与系统中已有记录相同的行不作任何修改。",
        *kind.notes,
    ]
    for line in general:
        sheet.append([line])
    sheet.append([])
    sheet.append(["列名", "是否必填", "填写方式", "说明", "可选值", "示例"])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for column in columns:
        sheet.append(
            [
                column.header,
                "必填"
                if column.required
                else ("仅供查看，导入时不读取" if not column.importable else "选填"),
                column.value_kind,
                column.help,
                "、".join(column.labels),
                column.example,
            ]
        )
    for letter, width in zip("ABCDEF", (22, 12, 10, 60, 40, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_template(kind: SheetKind, stream: IO[bytes], *, lookups=()) -> None:
    """An empty xlsx template for `kind`: header row, dropdowns, text formats, instructions,
    and the reference sheets `lookups` ((title, headers, rows), e.g. township codes), which
    the import ignores (it reads the data sheet by its name)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.sheet_name
    columns = kind.import_columns
    choices_sheet = None
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = _BOLD
        cell.fill = _header_fill(column)
        sheet.column_dimensions[letter].width = column.width
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if column.choices:
            if choices_sheet is None:
                choices_sheet = workbook.create_sheet(CHOICES_SHEET)
                choices_sheet.sheet_state = "hidden"
            target = get_column_letter(choices_sheet.max_column + (choices_sheet.max_row > 1))
            choices_sheet[f"{target}1"] = column.header
            for n, label in enumerate(column.labels, start=2):
                choices_sheet[f"{target}{n}"] = label
            validation = DataValidation(
                type="list",
                formula1=f"'{CHOICES_SHEET}'!${target}$2:${target}${len(column.labels) + 1}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=column.header,
                error=f"请从下拉列表中选择：{'、'.join(column.labels)}"[:255],
                promptTitle=column.header[:32],
                prompt=(column.help or "请从下拉列表中选择")[:255],
            )
            validation.add(cells)
            sheet.add_data_validation(validation)
        elif column.help:
            hint = DataValidation(
                type=None,
                showInputMessage=True,
                promptTitle=column.header[:32],
                prompt=column.help[:255],
            )
            hint.add(cells)
            sheet.add_data_validation(hint)
        if column.value_kind in _TEXT_KINDS:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        elif column.value_kind == "日期":
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    _instructions(workbook, kind, columns=columns)
    for title, headers, rows in lookups:
        lookup = workbook.create_sheet(title[:31])
        lookup.append(list(headers))
        for cell in lookup[1]:
            cell.font = _BOLD
        for row in rows:
            lookup.append([str(v) if v is not None else "" for v in row])
        for index in range(1, len(headers) + 1):
            lookup.column_dimensions[get_column_letter(index)].width = 18
        lookup.freeze_panes = "A2"
    workbook.save(stream)


def _cell_value(sheet, value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a string cell, never a formula
        return cell
    return value


def write_xlsx(
    kind: SheetKind,
    rows: Iterable[dict],
    stream: IO[bytes],
    *,
    title_note: str = "",
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """Stream `rows` (dicts by field) into an xlsx in write-only mode; returns the row count.

    Memory stays flat however many rows: openpyxl's write-only sheets go to a temporary file.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.sheet_name)
    columns = kind.columns
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _BOLD
        cell.fill = _header_fill(column)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(
            [_cell_value(sheet, column.label_of(row.get(column.field))) for column in columns]
        )
        count += 1
        if progress and count % 2000 == 0:
            progress("导出", count, total)
    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.append([f"{kind.title}：共 {count} 条。{title_note}"])
    notes.append(["本文件可修改后按“导入”再次上传；只读列（灰底）导入时不读取。"])
    notes.append(["列名", "是否必填", "说明", "可选值"])
    for column in columns:
        notes.append(
            [
                column.header,
                "必填" if column.required else ("只读" if not column.importable else "选填"),
                column.help,
                "、".join(column.labels),
            ]
        )
    workbook.save(stream)
    if progress:
        progress("导出", count, total)
    return count


def write_csv(
    kind: SheetKind,
    rows: Iterable[dict],
    stream: IO[str],
    *,
    progress: Progress | None = None,
    total: int | None = None,
) -> int:
    """Write `rows` as csv (the caller opens `stream` as UTF-8 with BOM so Excel reads it)."""
    writer = csv.writer(stream)
    writer.writerow(kind.headers())
    count = 0
    for row in rows:
        values = []
        for column in kind.columns:
            value = column.label_of(row.get(column.field))
            if isinstance(value, datetime.date):
                value = value.isoformat()
            values.append("" if value is None else csv_guard(value))
        writer.writerow(values)
        count += 1
        if progress and count % 2000 == 0:
            progress("导出", count, total)
    if progress:
        progress("导出", count, total)
    return count
