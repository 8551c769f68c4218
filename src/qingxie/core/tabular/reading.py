"""Reading an uploaded xlsx or csv: type and size checks, encoding, header matching, rows.

The file is checked before it is parsed: over the size limit it is refused from its size
alone (never read); its first bytes say whether it is an xlsx (a zip) or text. xlsx and csv
are both read row by row; csv is streamed row by row in
UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030, detected by decoding the bytes.
xlsx is streamed within bounds by `qingxie.core.tabular.xlsx` (no dense grid, no zip bomb).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext

from qingxie.core.tabular.problems import FileRefused, Problems
from qingxie.core.tabular.spec import SheetKind, is_blank, normalize_header, unguard
from qingxie.core.tabular.xlsx import XlsxLimits, open_sheet

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
_CHUNK = 1 << 20


def default_max_bytes() -> int:
    """The upload limit (QINGXIE_IMPORT_MAX_MB, 30 MB unless set)."""
    from django.conf import settings

    return int(getattr(settings, "QINGXIE_IMPORT_MAX_BYTES", 30 * 1024 * 1024))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Table:
    """An opened file: where each column is, and its data rows with their sheet row numbers."""

    format: str
    header_row: int
    positions: dict[str, int]  # field → 0-based column index
    row_iter: Iterator[tuple[int, list]]
    estimated_rows: int
    problems: Problems = field(default_factory=Problems)
    unnamed: set[int] = field(default_factory=set)  # columns with data but no header
    width: int | None = None  # the header row's width: cells further right have no header

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(row number, {field: raw cell}) for every row holding anything; blank rows skipped."""
        for number, cells in self.row_iter:
            if all(is_blank(c) for c in cells):
                continue
            beyond = range(self.width, len(cells)) if self.width is not None else ()
            for index in (*self.unnamed, *beyond):
                if index < len(cells) and not is_blank(cells[index]):
                    self.problems.add(
                        gettext("第%(column_letter)s列没有列名却填了内容，请删除或补上列名。")
                        % {"column_letter": column_letter(index)},
                        row=number,
                    )
            yield (
                number,
                {
                    f: (unguard(cells[i]) if i < len(cells) else None)
                    for f, i in self.positions.items()
                },
            )


def _sniff_format(path: Path, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise FileRefused.because(gettext("文件“%(filename)s”是空的。") % {"filename": filename})
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused.because(
            gettext(
                "文件“%(filename)s”是旧版 Excel（.xls）或加密文件，请在 Excel 中另存为 .xlsx 后再导入。"
            )
            % {"filename": filename}
        )
    if suffix in (".xlsx", ".xlsm"):
        raise FileRefused.because(
            gettext("文件“%(filename)s”不是有效的 Excel（.xlsx）文件。") % {"filename": filename}
        )
    if suffix not in (".csv", ".txt"):
        raise FileRefused.because(
            gettext("文件“%(filename)s”不是电子表格：只接受 Excel（.xlsx）或 CSV（.csv）文件。")
            % {"filename": filename}
        )
    return "csv"


def open_table(
    path: Path, *, filename: str, kind: SheetKind, max_bytes: int | None = None
) -> Table:
    """Open `path` (uploaded as `filename`) as `kind`; FileRefused says why it cannot be read.

    Refuses, each with its reason: files over the size limit (judged from the size alone,
    without reading), empty files, anything that is not xlsx or csv, merged cells, and a
    header that lacks a required column, repeats one or has one this kind does not know.
    """
    limit = default_max_bytes() if max_bytes is None else max_bytes
    size = os.stat(path).st_size
    if size > limit:
        raise FileRefused.because(
            gettext(
                "文件“%(filename)s”有 %(value)s MB，超过了 %(value2)s MB 的上限，请拆分成几个文件分别导入。"
            )
            % {
                "filename": filename,
                "value": format(size / 1048576, ".1f"),
                "value2": format(limit / 1048576, ".0f"),
            }
        )
    fmt = _sniff_format(path, filename)
    encoding = None
    if fmt == "xlsx":
        header_row, headers, row_iter, estimated = _open_xlsx(path, filename, kind)
    else:
        header_row, headers, row_iter, estimated, encoding = _open_csv(path, filename)
    try:
        positions, unnamed = match_headers(kind, headers, header_row)
    except FileRefused:
        if encoding == "gb18030" and not _any_known_header(kind, headers):
            # GB18030 decodes almost any bytes: Shift-JIS or Big5 text comes out as other
            # characters, and not one header is recognised. Say so, not "unknown columns".
            raise FileRefused.because(
                gettext(
                    "文件“%(filename)s”的编码无法识别：它不是 UTF-8，按 GB18030 读出的列名也没有一个是本表的列（可能是 Shift-JIS、Big5 等其他编码）。请在 Excel 中另存为 .xlsx，或另存为“CSV UTF-8（逗号分隔）”后再导入。"
                )
                % {"filename": filename}
            ) from None
        raise
    return Table(
        fmt, header_row, positions, row_iter, estimated, unnamed=unnamed, width=len(headers)
    )


def _any_known_header(kind: SheetKind, headers: list) -> bool:
    known = {normalize_header(n) for c in kind.columns for n in (c.header, *c.aliases)}
    return any(not is_blank(h) and normalize_header(h) in known for h in headers)


def match_headers(kind: SheetKind, headers: list, header_row: int) -> tuple[dict, set]:
    """Map each header cell onto a column of `kind`, or refuse the file saying what is wrong."""
    problems = Problems()
    known = {}
    for column in kind.columns:
        for name in (column.header, *column.aliases):
            known[normalize_header(name)] = column
    positions: dict[str, int] = {}
    unnamed: set[int] = set()
    for index, raw in enumerate(headers):
        if is_blank(raw):
            unnamed.add(index)
            continue
        column = known.get(normalize_header(raw))
        letter = column_letter(index)
        if column is None:
            problems.add(
                gettext(
                    "第%(letter)s列的列名“%(strip)s”不是“%(title)s”模板中的列，请删除该列或按模板改正列名。"
                )
                % {"letter": letter, "strip": str(raw).strip(), "title": kind.title},
                row=header_row,
            )
        elif column.field in positions:
            problems.add(
                gettext("第%(letter)s列“%(header)s”与第%(column_letter)s列重复。")
                % {
                    "letter": letter,
                    "header": column.header,
                    "column_letter": column_letter(positions[column.field]),
                },
                row=header_row,
            )
        elif column.importable:
            positions[column.field] = index
    for column in kind.import_columns:
        if column.required and column.field not in positions:
            problems.add(
                gettext("缺少必填列“%(header)s”。") % {"header": column.header}, row=header_row
            )
    if problems:
        raise FileRefused(problems)
    return positions, unnamed


def xlsx_limits(kind: SheetKind) -> XlsxLimits:
    """The bounds an xlsx of `kind` is read within (settings may lower or raise the sizes)."""
    from django.conf import settings

    return XlsxLimits(
        max_rows=kind.max_rows + 1,  # the header row
        max_columns=kind.max_columns,
        max_inflated=int(getattr(settings, "QINGXIE_IMPORT_MAX_INFLATED_BYTES", 512 * 1048576)),
        max_ratio=int(getattr(settings, "QINGXIE_IMPORT_MAX_RATIO", 100)),
    )


def _open_xlsx(path: Path, filename: str, kind: SheetKind):
    sheet = open_sheet(
        path, filename=filename, sheet_name=kind.sheet_name, limits=xlsx_limits(kind)
    )
    rows = sheet.rows
    for header_row, headers in rows:  # noqa: B007 - the first row holding anything is the header
        if not all(is_blank(c) for c in headers):
            break
    else:
        raise FileRefused.because(
            gettext("文件“%(filename)s”的工作表“%(name)s”是空的，没有列名和数据。")
            % {"filename": filename, "name": sheet.name}
        )

    def data() -> Iterator[tuple[int, list]]:
        yield from rows

    estimated = max(0, sheet.declared_rows - header_row)
    return header_row, list(headers), data(), estimated


def detect_encoding(path: Path, filename: str) -> tuple[str, int]:
    """The text encoding of a csv (and its line count), by decoding it; refuses binary files."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        lines = 0
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    text = decoder.decode(chunk)
                    if "\x00" in text:
                        raise FileRefused.because(
                            gettext(
                                "文件“%(filename)s”不是电子表格（含有二进制内容）：只接受 .xlsx 或 .csv 文件。"
                            )
                            % {"filename": filename}
                        )
                    lines += text.count("\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise FileRefused.because(
        gettext(
            "文件“%(filename)s”不是可识别的文本表格：请在 Excel 中另存为 .xlsx，或另存为 UTF-8 / GB18030 编码的 CSV。"
        )
        % {"filename": filename}
    )


def _open_csv(path: Path, filename: str):
    encoding, lines = detect_encoding(path, filename)
    stream = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed when exhausted
    first = stream.readline()
    stream.seek(0)
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter)
    header_row, headers = 0, []
    for headers in reader:
        header_row = reader.line_num
        if not all(is_blank(c) for c in headers):
            break
    else:
        stream.close()
        raise FileRefused.because(
            gettext("文件“%(filename)s”是空的，没有列名和数据。") % {"filename": filename}
        )

    def data() -> Iterator[tuple[int, list]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FileRefused.because(
                gettext("CSV 格式有误，无法继续读取：%(exc)s") % {"exc": exc}, row=reader.line_num
            ) from exc
        finally:
            stream.close()

    return header_row, headers, data(), max(0, lines - header_row), encoding


def read_all(table: Table) -> list[tuple[int, dict]]:
    """Every data row of `table` (for small files and tests)."""
    return list(table.rows())


__all__ = [
    "ACCEPTED_SUFFIXES",
    "Table",
    "column_letter",
    "detect_encoding",
    "file_sha256",
    "match_headers",
    "open_table",
    "read_all",
]
