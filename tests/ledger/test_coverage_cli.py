"""`qingxie coverage` and `qingxie associations show`: same figures as the API, Chinese errors."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.ledger.test_api import make_association

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def guangzhou():
    made = [make_association(code) for code in ("440100", "440103", "440105", "440106")]
    return made


def test_json_is_the_api_payload(guangzhou, client_for):
    printed = json.loads(
        run("coverage", "--region", "440100", "--as-of", "2021-05-06", "--depth", "1", "--json")
    )
    api = (
        client_for("city_admin", "440100")
        .get("/api/coverage", {"region": "440100", "as_of": "2021-05-06", "depth": 1})
        .json()
    )
    assert printed == api
    assert (printed["counties"], printed["established"], printed["coverage_rate"]) == (11, 3, 27.3)
    assert sum(c["established"] for c in printed["children"]) == 3


def test_json_keeps_chinese_readable(guangzhou):
    text = run("coverage", "--region", "440100", "--as-of", "2021-05-06", "--json")
    assert "广州市" in text and "\\u" not in text


def test_table(guangzhou):
    text = run("coverage", "--region", "440100", "--as-of", "2021-05-06")
    assert "广州市（440100）截至 2021-05-06" in text
    assert "已成立 3 个，覆盖率 27.3%" in text
    assert "海珠区" in text and "440105" in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--region", "999999"), "不存在"),
        (("--region", "440105001"), "县级及以上"),
        (("--as-of", "2021-02-30"), "不是有效日期"),
        (("--depth", "7"), "depth"),
    ],
)
def test_bad_arguments_are_chinese_command_errors(args, words):
    with pytest.raises(CommandError, match=words):
        run("coverage", *args)


def test_future_date_is_refused():
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="不能晚于今天"):
        run("coverage", "--region", "440100", "--as-of", tomorrow)


def test_associations_show(guangzhou):
    hz = guangzhou[2]
    text = run("associations", "show", hz.number.replace("-", ""))
    assert hz.number in text and "海珠区" in text
    data = json.loads(run("associations", "show", hz.number, "--json"))
    assert data["number"] == hz.number and data["region"] == "440105"
    with pytest.raises(CommandError, match="校验位"):
        run("associations", "show", hz.number[:-1] + ("0" if hz.number[-1] != "0" else "1"))
