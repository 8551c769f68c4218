"""`qingxie report bulletin`: the same bulletin from the command line, Chinese errors."""

from __future__ import annotations

import datetime
import io

import pypdfium2 as pdfium
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx import Document

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("report", "bulletin", *args, stdout=out)
    return out.getvalue()


def test_writes_word(guangzhou, tmp_path):
    target = tmp_path / "广州.docx"
    printed = run("--region", "440100", "--as-of", "2021-05-06", "--issue", "3", "-o", str(target))
    assert f"已生成 {target}" in printed
    assert "全市11个县（市、区）中共有4个成立团属志愿服务组织，覆盖率为36.4%" in printed
    paragraphs = [p.text for p in Document(str(target)).paragraphs]
    assert paragraphs[:2] == ["广州志愿服务工作信息", "2021年第3期"]


def test_writes_pdf(guangzhou, tmp_path):
    target = tmp_path / "gd.pdf"
    run("--region", "440000", "--as-of", "2021-05-06", "-o", str(target))
    pdf = pdfium.PdfDocument(str(target))
    text = "".join(page.get_textpage().get_text_range() for page in pdf).replace("\r\n", "")
    pdf.close()
    assert "全省122个县（市、区）中共有6个成立团属志愿服务组织，覆盖率为4.9%" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--region", "999999"), "行政区划代码“999999”不存在"),
        (("--region", "440105001"), "县级及以上区划"),
        (("--region", "440100", "--as-of", "2021-13-01"), "不是有效日期"),
        (("--region", "440100", "--issue", "0"), "期号“0”应为 1 到 999"),
    ],
)
def test_bad_arguments_are_chinese_command_errors(tmp_path, args, words):
    with pytest.raises(CommandError, match=words):
        run(*args, "-o", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.docx").exists()


def test_output_must_be_word_or_pdf_in_an_existing_folder(tmp_path):
    with pytest.raises(CommandError, match=r"应以 \.docx（Word）或 \.pdf 结尾"):
        run("--region", "440100", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match=r"输出目录.*不存在"):
        run("--region", "440100", "-o", str(tmp_path / "nowhere" / "x.pdf"))


def test_future_date_is_refused(tmp_path):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="不能晚于今天"):
        run("--region", "440100", "--as-of", tomorrow, "-o", str(tmp_path / "x.pdf"))
