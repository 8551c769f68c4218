"""Reading an xlsx within bounds: the zip's sizes checked first, then the sheet streamed row
by row with expat, never as a dense grid.

Why not a spreadsheet library: calamine (and openpyxl) build the sheet as a grid up to its
last cell, so one cell at XFD1048576 in a 5 KB file asks for 512 GB and aborts the worker,
and a zip bomb (a 6 MB file whose sheet inflates to 1 GB) is inflated whole. Here:

- before any cell is read, the zip's declared sizes are checked: the whole file's inflated
  size and every large member's compression ratio (`XlsxLimits`); inflating is counted again
  as it happens, so a member that lies about its size stops at the same limit;
- the sheet's declared dimension (`<dimension ref="A1:XFD1048576">`) is checked against the
  kind's rows and columns before its first row; while streaming, every row number and column
  is checked again (a file may lie about its dimension or leave it out);
- rows are yielded as they are parsed: memory holds one row, the shared strings (their part
  is bounded) and the styles, whatever the sheet's length;
- XML with a document type declaration is refused (no entity expansion, no external entity).
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from django.utils.translation import gettext

from qingxie.core.tabular.problems import FileRefused, Problems

MB = 1024 * 1024
_CHUNK = 256 * 1024
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,8})$")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Built-in number formats that are dates or times (ECMA-376 18.8.30), plus the Chinese ones.
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(frozen=True)
class XlsxLimits:
    """What an xlsx may be before its cells are read; every limit stops one hostile file.

    `max_rows` / `max_columns`: the sheet's last row and column (the corner-cell file);
    `max_inflated`: the whole zip inflated (the zip bomb); `max_ratio`: inflated/compressed
    of any member over 1 MB (a bomb smaller than `max_inflated`); `max_shared_strings`: the
    shared-strings part inflated, which is held in memory.
    """

    max_rows: int = 1_000_001
    max_columns: int = 64
    max_inflated: int = 512 * MB
    max_ratio: int = 100
    max_shared_strings: int = 128 * MB
    max_members: int = 2000


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26, XFD → 16383."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_ref(ref: str) -> tuple[int, int] | None:
    """ "B7" → (7, 1): the 1-based row and 0-based column of a cell reference."""
    match = _CELL_REF.match(ref or "")
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


def _local(name: str) -> str:
    """An element's name without its namespace (expat is given ' ' as separator)."""
    return name.rsplit(" ", 1)[-1]


def _unescape(text: str) -> str:
    """OOXML's _xHHHH_ escapes (a carriage return is stored as _x000D_)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def refuse_doctype(*_args):
        raise ValueError("document type declarations are not accepted")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    return parser


class _Zip:
    """The opened zip, each member inflated with a running count against the limits."""

    def __init__(self, path: Path, filename: str, limits: XlsxLimits):
        self.filename = filename
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise self.invalid() from exc
        if len(infos) > limits.max_members:
            raise self.invalid()
        declared = 0
        self.names = set()
        for info in infos:
            self.names.add(info.filename)
            declared += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MB and ratio > limits.max_ratio:
                raise self.bomb(
                    gettext("其中“%(filename)s”的压缩比约为 %(ratio)s:1")
                    % {"filename": info.filename, "ratio": format(ratio, ".0f")}
                )
        if declared > limits.max_inflated:
            raise self.bomb(
                gettext("解压后约 %(value)s MB") % {"value": format(declared / MB, ".0f")}
            )
        self.inflated = 0

    def invalid(self) -> FileRefused:
        return FileRefused.because(
            gettext("文件“%(filename)s”不是有效的 Excel（.xlsx）文件，无法读取。")
            % {"filename": self.filename}
        )

    def bomb(self, detail: str) -> FileRefused:
        limits = self.limits
        return FileRefused.because(
            gettext(
                "文件“%(filename)s”解压后过大（%(detail)s），超过了上限（解压后 %(value)s MB、压缩比 %(max_ratio)s:1），不予读取。请确认文件来源，或拆分成几个文件分别导入。"
            )
            % {
                "filename": self.filename,
                "detail": detail,
                "value": limits.max_inflated // MB,
                "max_ratio": limits.max_ratio,
            }
        )

    def chunks(self, name: str, limit: int | None = None) -> Iterator[bytes]:
        """The member's bytes, inflated piece by piece; past a limit the file is refused."""
        try:
            info = self.zip.getinfo(name)
        except KeyError as exc:
            raise self.invalid() from exc
        if limit is not None and info.file_size > limit:
            raise self.bomb(
                gettext("其中“%(name)s”约 %(value)s MB")
                % {"name": name, "value": format(info.file_size / MB, ".0f")}
            )
        read = 0
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(_CHUNK):
                    read += len(chunk)
                    self.inflated += len(chunk)
                    if self.inflated > self.limits.max_inflated or (
                        limit is not None and read > limit
                    ):
                        raise self.bomb(
                            gettext("其中“%(name)s”超过 %(value)s MB")
                            % {"name": name, "value": format(read / MB, ".0f")}
                        )
                    if read > MB and read / max(info.compress_size, 1) > self.limits.max_ratio:
                        raise self.bomb(
                            gettext("其中“%(name)s”的压缩比超过 %(max_ratio)s:1")
                            % {"name": name, "max_ratio": self.limits.max_ratio}
                        )
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise self.invalid() from exc

    def parse(self, name: str, parser, limit: int | None = None) -> None:
        """Feed the whole member to `parser` (small parts: workbook, relations, styles)."""
        try:
            for chunk in self.chunks(name, limit):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, ValueError) as exc:
            raise self.invalid() from exc


def _relations(zf: _Zip, part: str) -> dict[str, tuple[str, str]]:
    """The relations of `part`: id → (type, member name)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_name not in zf.names:
        return found
    parser = _parser()

    def start(name, attrs):
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                member = target.lstrip("/")
            else:
                member = posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), member)

    parser.StartElementHandler = start
    zf.parse(rels_name, parser, limit=MB)
    return found


def _attr(attrs: dict, local: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id …)."""
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


def _workbook(zf: _Zip) -> tuple[list[tuple[str, str, str]], bool, dict]:
    """(name, state, relation id) of every sheet, whether dates count from 1904, relations."""
    part = "xl/workbook.xml"
    if part not in zf.names:
        raise zf.invalid()
    sheets: list[tuple[str, str, str]] = []
    flags = {"date1904": False}
    parser = _parser()

    def start(name, attrs):
        local = _local(name)
        if local == "sheet":
            sheets.append(
                (attrs.get("name", ""), attrs.get("state", "visible"), _attr(attrs, "id") or "")
            )
        elif local == "workbookPr":
            flags["date1904"] = attrs.get("date1904") in ("1", "true")

    parser.StartElementHandler = start
    zf.parse(part, parser, limit=8 * MB)
    return sheets, flags["date1904"], _relations(zf, part)


def _shared_strings(zf: _Zip, member: str | None) -> list[str]:
    if not member or member not in zf.names:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0}
    parser = _parser()

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            parts.clear()
        elif local == "t" and not state["phonetic"]:
            state["in_t"] = True
        elif local == "rPh":
            state["phonetic"] += 1

    def end(name):
        local = _local(name)
        if local == "si":
            strings.append(_unescape("".join(parts)))
        elif local == "t":
            state["in_t"] = False
        elif local == "rPh":
            state["phonetic"] -= 1

    def data(text):
        if state["in_t"]:
            parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    zf.parse(member, parser, limit=zf.limits.max_shared_strings)
    return strings


def _is_date_code(code: str) -> bool:
    return bool(_DATE_CODE.search(_QUOTED.sub("", code)))


def _date_styles(zf: _Zip, member: str | None) -> frozenset[int]:
    """Indexes of the cell formats that show a number as a date."""
    if not member or member not in zf.names:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    state = {"in_xfs": False}
    parser = _parser()

    def start(name, attrs):
        local = _local(name)
        if local == "numFmt":
            number = attrs.get("numFmtId", "")
            if number.isdigit():
                custom[int(number)] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            state["in_xfs"] = True
        elif local == "xf" and state["in_xfs"]:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(name):
        if _local(name) == "cellXfs":
            state["in_xfs"] = False

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    zf.parse(member, parser, limit=16 * MB)
    return frozenset(
        index
        for index, fmt in enumerate(formats)
        if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_code(custom[fmt]))
    )


def _serial_date(value: float, date1904: bool):
    """An Excel serial day number as a date (or a datetime when it has a time of day)."""
    base = datetime.datetime(1904, 1, 1) if date1904 else datetime.datetime(1899, 12, 30)
    try:
        moment = base + datetime.timedelta(days=value)
    except (OverflowError, ValueError):
        return value
    if moment.time() == datetime.time(0):
        return moment.date()
    return moment


@dataclass
class XlsxSheet:
    """The chosen sheet: its name, declared last row, and its rows as they stream."""

    name: str
    declared_rows: int
    rows: Iterator[tuple[int, list]]


def open_sheet(path: Path, *, filename: str, sheet_name: str, limits: XlsxLimits) -> XlsxSheet:
    """Open the visible worksheet `sheet_name` (else the first visible one) of an xlsx.

    Refuses, before any cell is read: a file that is not an xlsx, one whose inflated size or
    compression ratio passes the limits, a sheet whose declared dimension passes the rows or
    columns. While the rows stream, a row or column past the limits, an inflated size past
    the limit, or merged cells (found at the sheet's end) refuse the file (FileRefused is
    raised by the iterator).
    """
    zf = _Zip(path, filename, limits)
    sheets, date1904, rels = _workbook(zf)
    chosen = None
    for name, state, rel_id in sheets:
        kind, member = rels.get(rel_id, ("", ""))
        if state != "visible" or not kind.endswith("/worksheet") or member not in zf.names:
            continue
        if chosen is None or name == sheet_name:
            chosen = (name, member)
        if name == sheet_name:
            break
    if chosen is None:
        raise FileRefused.because(
            gettext("文件“%(filename)s”中没有工作表。") % {"filename": filename}
        )
    by_type = {kind.rsplit("/", 1)[-1]: member for kind, member in rels.values()}
    shared = _shared_strings(zf, by_type.get("sharedStrings"))
    date_styles = _date_styles(zf, by_type.get("styles"))
    name, member = chosen
    _refuse_merged(zf, member, name)
    stream = _SheetStream(zf, member, name, shared, date_styles, date1904, limits)
    declared = stream.start()
    return XlsxSheet(name, declared, stream.rows())


_MERGED = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"([A-Za-z0-9:$]{1,40})\"")


def _refuse_merged(zf: _Zip, member: str, name: str) -> None:
    """Merged cells are listed after the rows: one inflating pass (no XML parsing, counted
    against the size limits like every read) finds them before any row is read."""
    found: list[str] = []
    tail = b""
    for chunk in zf.chunks(member):
        window = tail + chunk
        found.extend(m.group(1).decode() for m in _MERGED.finditer(window))
        cut = window.rfind(b"<")
        tail = window[cut:] if cut >= 0 and len(window) - cut < 512 else b""
        if len(found) > 1000:
            break
    zf.inflated = 0  # the rows' pass is counted afresh
    if not found:
        return
    problems = Problems()
    for ref in dict.fromkeys(found):
        first = parse_ref(ref.split(":")[0])
        problems.add(
            gettext("工作表“%(name)s”的 %(ref)s 是合并单元格，请取消合并、每格分别填写后再导入。")
            % {"name": name, "ref": ref},
            row=first[0] if first else None,
        )
    raise FileRefused(problems)


class _SheetStream:
    """The expat handlers of one worksheet; complete rows queue up between feeds."""

    def __init__(self, zf, member, name, shared, date_styles, date1904, limits):
        self.zf, self.member, self.name = zf, member, name
        self.shared, self.date_styles, self.date1904 = shared, date_styles, date1904
        self.limits = limits
        self.ready: list[tuple[int, list]] = []
        self.declared_rows = 0
        self.seen_data = False
        self.row_number = 0
        self.cells: dict[int, object] = {}
        self.column = -1
        self.cell_type = "n"
        self.cell_style = 0
        self.text: list[str] = []
        self.capture = False
        self.in_inline = False
        self.phonetic = 0
        parser = _parser()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        self.parser = parser
        self.chunks = zf.chunks(member)

    def refuse(self, message: str, row: int | None = None) -> FileRefused:
        return FileRefused.because(
            gettext("工作表“%(name)s”%(message)s") % {"name": self.name, "message": message},
            row=row,
        )

    def too_large(self, rows: int, columns: int) -> FileRefused:
        limits = self.limits
        return self.refuse(
            gettext(
                "的范围（%(rows)s 行、%(columns)s 列，至 %(letters)s%(rows)s）超过了本表的上限（%(max_rows)s 行、%(max_columns)s 列），不予读取。请删除表格末尾多余的行列（含只有格式、看似空白的单元格），或拆分成几个文件。"
            )
            % {
                "rows": rows,
                "columns": columns,
                "letters": _letters(columns - 1),
                "max_rows": limits.max_rows,
                "max_columns": limits.max_columns,
            }
        )

    def _feed(self) -> bool:
        """Parse the next piece of the sheet; False at its end."""
        try:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.parser.Parse(b"", True)
                return False
            self.parser.Parse(chunk, False)
        except (expat.ExpatError, ValueError) as exc:
            raise self.zf.invalid() from exc
        return True

    def start(self) -> int:
        """Parse up to the first row (the declared dimension comes before it)."""
        while not self.seen_data and not self.ready and self._feed():
            pass
        return self.declared_rows

    def rows(self) -> Iterator[tuple[int, list]]:
        more = True
        try:
            while True:
                if self.ready:
                    ready, self.ready = self.ready, []
                    yield from ready
                if not more:
                    break
                more = self._feed()
        finally:
            self.chunks.close()
            self.zf.zip.close()

    def _start(self, name, attrs):
        local = _local(name)
        if local == "c":
            ref = parse_ref(attrs.get("r", ""))
            self.column = ref[1] if ref else self.column + 1
            if self.column >= self.limits.max_columns:
                raise self.refuse(
                    gettext(
                        "的单元格 %(letters)s%(row_number)s 超过了本表的上限（最多 %(max_columns)s 列，至 %(letters2)s 列），不予读取。请删除多余的列（含只有格式、看似空白的单元格）。"
                    )
                    % {
                        "letters": _letters(self.column),
                        "row_number": self.row_number,
                        "max_columns": self.limits.max_columns,
                        "letters2": _letters(self.limits.max_columns - 1),
                    },
                    row=self.row_number,
                )
            self.cell_type = attrs.get("t", "n")
            style = attrs.get("s")
            self.cell_style = int(style) if style and style.isdigit() else 0
            self.text = []
        elif local == "v":
            self.capture = True
            self.text = []
        elif local == "t":
            if self.in_inline and not self.phonetic:
                self.capture = True
        elif local == "is":
            self.in_inline = True
            self.text = []
        elif local == "rPh":
            self.phonetic += 1
        elif local == "row":
            number = attrs.get("r", "")
            self.row_number = int(number) if number.isdigit() else self.row_number + 1
            if self.row_number > self.limits.max_rows:
                raise self.refuse(
                    gettext(
                        "的第 %(row_number)s 行超过了本表的上限（最多 %(max_rows)s 行），不予读取。请删除多余的行（含只有格式、看似空白的行），或拆分成几个文件。"
                    )
                    % {"row_number": self.row_number, "max_rows": self.limits.max_rows}
                )
            self.cells = {}
            self.column = -1
        elif local == "dimension":
            ref = (attrs.get("ref") or "").split(":")[-1]
            corner = parse_ref(ref)
            if corner:
                rows, column = corner
                if rows > self.limits.max_rows or column >= self.limits.max_columns:
                    raise self.too_large(rows, column + 1)
                self.declared_rows = rows
        elif local == "sheetData":
            self.seen_data = True

    def _end(self, name):
        local = _local(name)
        if local in ("v", "t"):
            self.capture = False
        elif local == "is":
            self.in_inline = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            value = self._value("".join(self.text))
            if value is not None and value != "":
                self.cells[self.column] = value
            self.text = []
        elif local == "row":
            if self.cells:
                width = max(self.cells) + 1
                row = [None] * width
                for index, value in self.cells.items():
                    row[index] = value
                self.ready.append((self.row_number, row))
            self.cells = {}

    def _data(self, text):
        if self.capture:
            self.text.append(text)

    def _value(self, raw: str):
        kind = self.cell_type
        if kind == "s":
            try:
                return self.shared[int(raw)]
            except (ValueError, IndexError):
                return None
        if kind in ("inlineStr", "str"):
            return _unescape(raw)
        if not raw:
            return None
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return raw
        if kind == "d":
            try:
                moment = datetime.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
            return moment.date() if moment.time() == datetime.time(0) else moment
        try:
            number = float(raw)
        except ValueError:
            return raw
        if self.cell_style in self.date_styles:
            return _serial_date(number, self.date1904)
        if number.is_integer() and abs(number) < 2**53:
            return int(number) if "." not in raw and "E" not in raw.upper() else number
        return number
