"""Spreadsheet files for the import tests, written the way a cadre's Excel or WPS would."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn import uscc as stdnum_uscc

from qingxie.ledger.sheets import LEDGER_KIND

LEDGER_HEADERS = [c.header for c in LEDGER_KIND.import_columns]


def xlsx(
    path: Path, headers: list[str], rows: list[list], *, merged: list[str] = (), sheet="协会台账"
) -> Path:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for span in merged:
        ws.merge_cells(span)
    workbook.save(path)
    return path


def csv_file(path: Path, headers: list[str], rows: list[list], *, encoding="utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [
                    "" if v is None else (v.isoformat() if isinstance(v, datetime.date) else v)
                    for v in row
                ]
            )
    return path


def uscc(body17: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return body17 + stdnum_uscc.calc_check_digit(body17)


def bad_check_digit(code: str) -> str:
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


def ledger_row(**values) -> list:
    """One ledger row in template column order; unnamed columns are empty."""
    fields = [c.field for c in LEDGER_KIND.import_columns]
    unknown = set(values) - set(fields)
    assert not unknown, unknown
    return [values.get(f) for f in fields]
