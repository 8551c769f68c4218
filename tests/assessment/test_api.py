"""The assessment API and the `qingxie assessment` command."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from .conftest import fill_all

pytestmark = pytest.mark.django_db


def api(make_user, role, code) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(role, code))
    return client


def test_rounds_list_and_detail(opened, make_user):
    response = api(make_user, "county_admin", "440105").get("/api/assessment/rounds/")
    assert response.status_code == 200
    body = response.json()
    [row] = body["results"]
    assert body["next"] is None
    assert (row["id"], row["year"], row["status"]) == (opened.round.pk, 2021, "computed")
    assert APIClient().get("/api/assessment/rounds/").status_code == 401
    response = api(make_user, "county_admin", "440105").get(
        f"/api/assessment/rounds/{opened.round.pk}/"
    )
    assert response.json()["indicator_version"] == "default-2021"
    assert (
        api(make_user, None, None).get(f"/api/assessment/rounds/{opened.round.pk}/").status_code
        == 404
    )


def test_scores_per_association(opened, make_user):
    client = api(make_user, "province_admin", "440000")
    response = client.get(f"/api/assessment/rounds/{opened.round.pk}/scores?region=440105")
    assert response.status_code == 200
    [row] = response.json()
    sheet = opened.sheet(opened.hz)
    assert row["association"] == opened.hz.number
    assert row["region"] == "440105"
    assert row["total"] == float(sheet.total)
    assert row["tier"] == sheet.tier
    assert set(row["dimensions"]) == {
        "组织建设",
        "内部治理与规范化",
        "队伍与会员",
        "项目与活动",
        "培训",
        "社会影响",
        "信息化",
    }
    assert row["indicators"]["registered"] == {
        "value": 1.0,
        "grade": None,
        "points": 8.0,
        "kind": "computed",
    }
    assert round(sum(v["points"] for v in row["indicators"].values()), 2) == row["total"]
    # The province sees its two counties, not Guangxi's.
    rows = client.get(f"/api/assessment/rounds/{opened.round.pk}/scores").json()
    assert {r["region"] for r in rows} == {"440105", "440106"}
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    bad = client.get(f"/api/assessment/rounds/{opened.round.pk}/scores?region=999999")
    assert bad.status_code == 400


def test_sheet_workflow_over_the_api(opened, make_user):
    sheet = opened.sheet(opened.hz)
    county = api(make_user, "county_admin", "440105")
    url = f"/api/assessment/sheets/{sheet.pk}/actions/"
    response = county.post(
        url, {"action": "fill", "indicator": "activities", "value": "-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["value"] == [
        "“年度志愿服务活动”须在 0 至 10000 之间。"
    ]
    response = county.post(
        url, {"action": "fill", "indicator": "activities", "value": "30"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["indicators"]["activities"]["points"] == 5.0
    fill_all(sheet)
    assert county.post(url, {"action": "submit"}, format="json").status_code == 200
    # The county cannot verify its own sheet; the city can.
    assert county.post(url, {"action": "verify"}, format="json").status_code == 403
    city = api(make_user, "city_admin", "440100")
    response = city.post(url, {"action": "verify"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "verified"
    assert (
        api(make_user, "county_admin", "450102")
        .post(url, {"action": "submit"}, format="json")
        .status_code
        == 404
    )


def test_command_prints_the_scores_as_the_api_does(opened, capsys, make_user):
    call_command(
        "assessment", "score", "--round", str(opened.round.pk), "--region", "440100", "--json"
    )
    rows = json.loads(capsys.readouterr().out)
    client = api(make_user, "national_admin", "000000")
    assert (
        rows == client.get(f"/api/assessment/rounds/{opened.round.pk}/scores?region=440100").json()
    )
    call_command("assessment", "score", "--round", str(opened.round.pk), "--region", "440100")
    out = capsys.readouterr().out
    assert "海珠区青年志愿者协会" in out and "名次" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有编号为 999 的评估轮次"):
        call_command("assessment", "score", "--round", "999")
