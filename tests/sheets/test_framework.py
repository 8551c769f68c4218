"""The domain-free framework: reading xlsx/csv, refusing bad files, parsing cells, templates."""

from __future__ import annotations

import datetime
import io
import os
import tracemalloc

import pytest
from openpyxl import load_workbook

from qingxie.core.tabular import CellError, Column, FileRefused, SheetKind
from qingxie.core.tabular.reading import detect_encoding, open_table, read_all
from qingxie.core.tabular.spec import code, date, integer, text
from qingxie.core.tabular.writing import (
    CHOICES_SHEET,
    INSTRUCTIONS_SHEET,
    write_csv,
    write_template,
    write_xlsx,
)
from tests.sheets.files import csv_file, xlsx

KIND = SheetKind(
    name="demo",
    title="示例",
    columns=(
        Column("代码", "code", required=True, parser=code(6)),
        Column("名称", "name", required=True, parser=text(10)),
        Column("类别", "category", choices=(("a", "甲类"), ("b", "乙类"))),
        Column("日期", "day", parser=date()),
        Column("人数", "count", parser=integer(0)),
        Column("备注", "remark", importable=False),
    ),
)


def refused(tmp_path, name: str, content: bytes, **kwargs) -> list[str]:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRefused) as excinfo:
        open_table(path, filename=name, kind=KIND, **kwargs)
    return [str(p) for p in excinfo.value.problems.sorted()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(tmp_path, encoding):
    path = csv_file(
        tmp_path / "a.csv",
        ["代码", "名称", "类别"],
        [["440105", "海珠区", "乙类"]],
        encoding=encoding,
    )
    assert detect_encoding(path, "a.csv")[0] == encoding
    table = open_table(path, filename="a.csv", kind=KIND)
    assert read_all(table) == [(2, {"code": "440105", "name": "海珠区", "category": "乙类"})]


def test_xlsx_rows_keep_their_sheet_row_numbers_and_skip_blank_rows(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        ["名称", "代码"],
        [["甲", 440105], [None, None], ["乙", "440106"]],
        sheet="示例",
    )
    rows = read_all(open_table(path, filename="a.xlsx", kind=KIND))
    assert [n for n, _ in rows] == [2, 4]
    assert KIND.column("code").parse(rows[0][1]["code"]) == "440105"  # Excel's 440105.0


def test_headers_match_despite_spaces_full_width_and_required_marks(tmp_path):
    path = csv_file(
        tmp_path / "a.csv", [" 代码* ", "名 称", "日期（选填）"], [["440105", "甲", "2021-5-6"]]
    )
    table = open_table(path, filename="a.csv", kind=KIND)
    assert set(table.positions) == {"code", "name", "day"}


def test_missing_required_extra_and_repeated_columns_are_all_named(tmp_path):
    path = csv_file(
        tmp_path / "a.csv", ["名称", "负责人", "名称", "日期"], [["甲", "张三", "乙", ""]]
    )
    with pytest.raises(FileRefused) as excinfo:
        open_table(path, filename="a.csv", kind=KIND)
    messages = [str(p) for p in excinfo.value.problems.sorted()]
    assert any("“负责人”不是“示例”模板中的列" in m and "第B列" in m for m in messages)
    assert any("第C列“名称”与第A列重复" in m for m in messages)
    assert any("缺少必填列“代码”" in m for m in messages)
    assert all(m.startswith("第1行") for m in messages)


def test_export_only_columns_are_accepted_and_ignored(tmp_path):
    path = csv_file(tmp_path / "a.csv", ["代码", "名称", "备注"], [["440105", "甲", "随便"]])
    table = open_table(path, filename="a.csv", kind=KIND)
    assert "remark" not in table.positions


def test_data_under_a_column_without_header_is_a_problem(tmp_path):
    path = csv_file(tmp_path / "a.csv", ["代码", "名称", ""], [["440105", "甲", "多出来的"]])
    table = open_table(path, filename="a.csv", kind=KIND)
    read_all(table)
    assert [str(p) for p in table.problems.sorted()] == [
        "第2行：第C列没有列名却填了内容，请删除或补上列名。"
    ]


def test_merged_cells_are_refused_with_their_place(tmp_path):
    path = xlsx(
        tmp_path / "a.xlsx",
        ["代码", "名称"],
        [["440105", "甲"], ["440106", "乙"]],
        merged=["A2:A3"],
        sheet="示例",
    )
    messages = refused(tmp_path, "b.xlsx", path.read_bytes())
    assert messages == [
        "第2行：工作表“示例”的 A2:A3 是合并单元格，请取消合并、每格分别填写后再导入。"
    ]


def test_empty_file_and_empty_sheet_are_refused(tmp_path):
    assert refused(tmp_path, "a.csv", b"") == ["文件“a.csv”是空的。"]
    assert "是空的" in refused(tmp_path, "b.csv", b"\n\n")[0]
    empty = xlsx(tmp_path / "e.xlsx", [], [], sheet="示例")
    assert "是空的" in refused(tmp_path, "c.xlsx", empty.read_bytes())[0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.xlsx", b"%PDF-1.7\n%binary\x00\x01", "不是有效的 Excel（.xlsx）文件"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是电子表格"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
        ("notes.docx", b"hello", "不是电子表格：只接受"),
        ("fake.xlsx", b"PK\x03\x04not really a zip", "不是有效的 Excel（.xlsx）文件"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(tmp_path, name, content, expected):
    messages = refused(tmp_path, name, content)
    assert len(messages) == 1 and expected in messages[0]


def test_a_word_document_renamed_xlsx_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    messages = refused(tmp_path, "report.xlsx", path.read_bytes())
    assert "不是有效的 Excel（.xlsx）文件" in messages[0]


def test_a_200_mb_file_is_refused_from_its_size_without_being_read(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:  # sparse: 200 MB long, no disk used
        fh.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused) as excinfo:
            open_table(path, filename="huge.csv", kind=KIND, max_bytes=30 * 1024 * 1024)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "200.0 MB，超过了 30 MB 的上限" in str(excinfo.value)
    assert peak < 1024 * 1024  # nothing of the file was read into memory
    assert os.stat(path).st_size == 200 * 1024 * 1024


def test_binary_undecodable_csv_is_refused(tmp_path):
    messages = refused(
        tmp_path, "a.csv", "代码,名称\n".encode() + bytes([0xFF, 0xFE, 0xFD, 0x81, 0x30])
    )
    assert "不是可识别的文本表格" in messages[0]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2021-05-06", datetime.date(2021, 5, 6)),
        ("2021/5/6", datetime.date(2021, 5, 6)),
        ("2021年5月6日", datetime.date(2021, 5, 6)),
        ("20210506", datetime.date(2021, 5, 6)),
        (datetime.datetime(2021, 5, 6, 0, 0), datetime.date(2021, 5, 6)),
    ],
)
def test_dates_in_the_forms_cadres_write(raw, value):
    assert date()(raw) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2021-02-30", "“2021-02-30”不是有效日期。"),
        ("去年三月", "“去年三月”不是日期，请写成 2021-05-06 的格式。"),
        ("5/6/2021", "“5/6/2021”不是日期"),
        (44000.0, "“44000”不是日期"),
    ],
)
def test_unparseable_dates_are_named(raw, message):
    with pytest.raises(CellError) as excinfo:
        date()(raw)
    assert message in excinfo.value.message


def test_future_dates_are_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(CellError) as excinfo:
        date()(tomorrow.isoformat())
    assert "不能填写将来的日期" in excinfo.value.message


def test_choices_accept_the_label_or_the_value_and_name_the_options():
    column = KIND.column("category")
    assert column.parse("乙类") == "b" and column.parse("a") == "a" and column.parse(" ") is None
    with pytest.raises(CellError) as excinfo:
        column.parse("丙类")
    assert excinfo.value.message == "“丙类”不是可选值，可选：甲类、乙类。"


def test_required_text_code_and_integer_cells():
    with pytest.raises(CellError, match="必填"):
        KIND.column("name").parse("  ")
    with pytest.raises(CellError, match="不能超过10个字"):
        KIND.column("name").parse("一二三四五六七八九十一")
    with pytest.raises(CellError, match="不是6位数字代码"):
        KIND.column("code").parse("44010")
    with pytest.raises(CellError, match="不是整数"):
        KIND.column("count").parse("三十")
    with pytest.raises(CellError, match="不能小于0"):
        KIND.column("count").parse(-1)
    assert KIND.column("count").parse(25.0) == 25


def test_template_has_dropdowns_text_formats_and_instructions():
    buffer = io.BytesIO()
    write_template(KIND, buffer)
    buffer.seek(0)
    workbook = load_workbook(buffer)
    assert workbook.sheetnames == ["示例", CHOICES_SHEET, INSTRUCTIONS_SHEET]
    sheet = workbook["示例"]
    assert [c.value for c in sheet[1]] == ["代码", "名称", "类别", "日期", "人数"]
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and str(lists[0].sqref).startswith("C2:C")
    choices = workbook[CHOICES_SHEET]
    assert workbook[CHOICES_SHEET].sheet_state == "hidden"
    assert [choices["A2"].value, choices["A3"].value] == ["甲类", "乙类"]
    assert sheet["A2"].number_format == "@" and sheet["D2"].number_format == "yyyy-mm-dd"
    notes = [row[0] for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    assert "代码" in notes and "类别" in notes and "备注" not in notes


def test_export_xlsx_and_csv_read_back_as_the_same_rows(tmp_path):
    rows = [
        {
            "code": "440105",
            "name": "甲",
            "category": "b",
            "day": datetime.date(2021, 5, 6),
            "count": 3,
        }
    ]
    with open(tmp_path / "e.xlsx", "wb") as fh:
        assert write_xlsx(KIND, iter(rows), fh) == 1
    with open(tmp_path / "e.csv", "w", encoding="utf-8-sig", newline="") as fh:
        write_csv(KIND, iter(rows), fh)
    assert (tmp_path / "e.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("e.xlsx", "e.csv"):
        table = open_table(tmp_path / name, filename=name, kind=KIND)
        [(number, raw)] = read_all(table)
        parsed = {f: KIND.column(f).parse(v) for f, v in raw.items()}
        assert number == 2
        assert parsed == {
            "code": "440105",
            "name": "甲",
            "category": "b",
            "day": datetime.date(2021, 5, 6),
            "count": 3,
        }
