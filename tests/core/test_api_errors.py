"""The API's one error shape keeps a service error's own code and every field's message."""

from __future__ import annotations

import pytest

from qingxie.core.api import exception_handler
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError


def test_service_error_keeps_its_code_and_every_field():
    errors = ErrorCollector()
    errors.add("uscc", "统一社会信用代码校验位错误，请核对。")
    errors.add("established_on", "成立日期不能晚于今天。")
    try:
        errors.raise_if_any()
    except QingxieError as exc:
        exc.code = "duplicate"
        body = exception_handler(exc, {}).data["error"]
    assert body["code"] == "duplicate"
    assert set(body["fields"]) == {"uscc", "established_on"}
    assert body["message"] == "提交的数据有误。"


def test_permission_error_is_403_with_its_message():
    response = exception_handler(PermissionDeniedError("只有上一级可以核验。"), {})
    assert response.status_code == 403
    assert response.data["error"]["message"] == "只有上一级可以核验。"


def test_one_masking_rule_for_pages_and_api():
    from qingxie.core.validators import phone_masked
    from qingxie.ledger.serializers import mask_phone
    from qingxie.ledger.templatetags.ledger_tags import mask_phone as mask_filter

    for raw, shown in (("13812345678", "138****5678"), ("020-87654321", "020****4321"), ("", "")):
        assert phone_masked(raw) == mask_phone(raw) == mask_filter(raw) == shown


@pytest.mark.django_db
def test_a_nul_character_in_a_parameter_is_a_400_not_a_server_error(client_for):
    """Found by schemathesis on PostgreSQL, whose text cannot hold NUL."""
    client = client_for("province_admin", "440000")
    response = client.get("/api/coverage/", {"region": "\x00\U000f2e18"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请求参数中含有不允许的空字符（NUL）。"
    page = client.get("/search/", {"q": "海珠\x00"})
    assert page.status_code == 400 and "空字符" in page.content.decode()
    assert client.get("/api/coverage/", {"region": "440000"}).status_code == 200
