"""The bulletin page and its downloads: scope-checked, Chinese errors, Chinese file names."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

pytestmark = pytest.mark.django_db

URL = "/reports/bulletin/{}/"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def get(client, code: str, **params):
    return client.get(URL.format(code), params)


def test_word_download_with_a_chinese_file_name(guangzhou, client_for):
    response = get(
        client_for("province_admin", "440000"), "440100", as_of="2021-05-06", format="docx"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="qingxie-bulletin-440100-2021-05-06.docx"')
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", disposition).group(1)
    assert unquote(encoded) == "广州市工作信息（2021-05-06）.docx"
    doc = Document(io.BytesIO(response.content))
    assert any(
        "全市11个县（市、区）中共有4个成立团属志愿服务组织，覆盖率为36.4%" in p.text
        for p in doc.paragraphs
    )


def test_pdf_download(guangzhou, client_for):
    response = get(
        client_for("city_admin", "440100"), "440100", as_of="2021-05-06", format="pdf", issue="3"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert int(response["Content-Length"]) == len(response.content)


def test_page_previews_the_text_and_offers_both_formats(guangzhou, client_for, maps):
    response = get(client_for("city_admin", "440100"), "440100", as_of="2021-05-06")
    assert response.status_code == 200
    html = response.content.decode()
    assert "广州志愿服务工作信息" in html
    assert "全市11个县（市、区）中共有4个成立团属志愿服务组织，覆盖率为36.4%" in html
    assert 'value="docx"' in html and 'value="pdf"' in html
    assert "/reports/bulletin/440100/map.png?as_of=2021-05-06" in html


def test_region_page_links_to_the_bulletin(client_for):
    html = client_for("city_admin", "440100").get("/regions/440100/").content.decode()
    assert 'href="/reports/bulletin/440100/"' in html


@pytest.mark.parametrize(
    ("role", "home", "code", "status"),
    [
        ("province_admin", "440000", "440105", 200),
        ("city_admin", "440300", "440100", 404),  # another city
        ("county_admin", "440105", "440100", 404),  # the city above
        ("county_admin", "440105", "440105", 200),  # its own county
        ("viewer", "440100", "440100", 200),
        (None, None, "440100", 404),  # signed in, no grant at all
    ],
)
def test_scope(guangzhou, client_for, role, home, code, status):
    client = client_for(role, home)
    for fmt in (None, "docx"):
        params = {"as_of": "2021-05-06"} | ({"format": fmt} if fmt else {})
        response = get(client, code, **params)
        assert response.status_code == status, (fmt, response.status_code)
        if status == 404:
            assert "不在您的权限范围内" in response.content.decode()


def test_scope_also_guards_the_figures(guangzhou, client_for):
    client = client_for("city_admin", "440300")
    assert (
        client.get("/reports/bulletin/440100/map.png", {"as_of": "2021-05-06"}).status_code == 404
    )
    own = client_for("city_admin", "440100").get(
        "/reports/bulletin/440100/map.png", {"as_of": "2021-05-06"}
    )
    assert own.status_code in (200, 404)  # 404 only if this machine has no map files


def test_anonymous_is_sent_to_sign_in(guangzhou):
    response = Client().get(URL.format("440100"), {"format": "docx"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"as_of": "2021-02-30", "format": "docx"}, "as_of", "不是有效日期"),
        ({"as_of": "明天", "format": "pdf"}, "as_of", "不是有效日期"),
        ({"format": "xlsx"}, "format", "请选择 Word（docx）或 PDF（pdf）"),
        ({"issue": "第五", "format": "docx"}, "issue", "期号“第五”应为 1 到 999 之间的整数"),
        ({"issue": "0"}, "issue", "应为 1 到 999"),
    ],
)
def test_bad_input_is_named_in_chinese(guangzhou, client_for, params, field, words):
    response = get(client_for("city_admin", "440100"), "440100", **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'id="error-{field}"' in html and words in html


def test_future_date_is_refused(guangzhou, client_for):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = get(client_for("city_admin", "440100"), "440100", as_of=tomorrow, format="docx")
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()


def test_township_has_no_bulletin(client_for):
    township = "440105001"
    response = get(client_for("province_admin", "440000"), township, format="docx")
    assert response.status_code == 404


def test_pdf_without_fonts_says_so_and_keeps_word(guangzhou, client_for, monkeypatch):
    from qingxie.reports import fonts

    monkeypatch.setattr(fonts, "SEARCH_DIRS", ())
    monkeypatch.delenv("QINGXIE_FONT_DIR", raising=False)
    fonts.cjk_fonts.cache_clear()
    try:
        client = client_for("city_admin", "440100")
        response = get(client, "440100", as_of="2021-05-06", format="pdf")
        assert response.status_code == 503
        assert "fonts-noto-cjk" in response.content.decode()
        assert get(client, "440100", as_of="2021-05-06", format="docx").status_code == 200
    finally:
        fonts.cjk_fonts.cache_clear()
