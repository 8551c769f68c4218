"""The region API: fields, filters, errors, scope, schema."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.generic import ScopedAPIReadTests

pytestmark = pytest.mark.django_db


class TestRegionAPI(ScopedAPIReadTests):
    model_label = "regions.Region"
    api_in_scope = "/api/regions/440105"
    api_out_of_scope = "/api/regions/440300"
    api_list = "/api/regions/?level=county"
    role = "city_admin"
    grant_code = "440100"
    lookup_key = "code"
    in_scope_key = "440105"
    out_of_scope_key = "440303"


def test_region_object_fields(client_for):
    body = client_for("national_admin", "000000").get("/api/regions/440000").json()
    assert body["code"] == "440000"
    assert body["name"] == "广东省"
    assert body["level"] == "province"
    assert body["kind"] == "省"
    assert body["parent"] == "000000"
    assert body["county_count"] == 122


def test_trailing_slash_is_optional(client_for):
    client = client_for("national_admin", "000000")
    assert client.get("/api/regions/440000/").json()["code"] == "440000"


def test_children_of_a_province_by_level(client_for):
    client = client_for("national_admin", "000000")
    body = client.get("/api/regions/", {"parent": "440000", "level": "prefecture"}).json()
    assert body["count"] == 21
    assert {r["parent"] for r in body["results"]} == {"440000"}


def test_search_by_text(client_for):
    body = (
        client_for("national_admin", "000000")
        .get("/api/regions/", {"q": "仙桃", "level": "county"})
        .json()
    )
    assert [r["code"] for r in body["results"]] == ["429004"]
    assert body["results"][0]["parent"] == "420000"


def test_unknown_code_is_404_with_a_chinese_message(client_for):
    response = client_for("national_admin", "000000").get("/api/regions/999999")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "999999" in error["message"] and "未找到" in error["message"]


def test_bad_level_is_400(client_for):
    response = client_for("national_admin", "000000").get("/api/regions/", {"level": "galaxy"})
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]


def test_page_size_is_capped(client_for):
    body = (
        client_for("national_admin", "000000")
        .get("/api/regions/", {"level": "township", "page_size": 100000})
        .json()
    )
    assert len(body["results"]) == 500


def test_bearer_token(client, make_user):
    user = make_user("province_admin", "440000")
    token = Token.objects.create(user=user)
    ok = client.get("/api/regions/440100", HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert ok.status_code == 200
    bad = client.get("/api/regions/440100", HTTP_AUTHORIZATION="Bearer nonsense")
    assert bad.status_code == 401


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/regions/{code}" in schema["paths"] or "/api/regions/{code}/" in schema["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger" in docs.content.decode().lower()
