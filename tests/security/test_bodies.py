"""The one error shape for every API request (issue 18, item 5): a body that is not a JSON
object, nesting 1,000 deep, a number past its column, an oversized body and a malformed
lookup each answer 400/404/413 in {"error": {"code", "message"}}, never a 500 or an HTML
page, and nothing is written. Every write operation of the attack matrix is tried."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from qingxie.core.models import ObjectChange
from tests.security.test_matrix import API, Probe, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

HOSTILE_BODIES = {
    "null": "null",
    "number": "123",
    "true": "true",
    "string": '"x"',
    "list": "[]",
    "deep": "[" * 1000 + "]" * 1000,
    "deep-object": '{"a":' * 1000 + "1" + "}" * 1000,
    "not json": "{name: 1",
    "NaN": '{"name": NaN}',
}
#: Operations that take no JSON body: multipart only (415), or no body at all (its own 400).
NO_JSON = {("POST", "/api/imports/"): 415, ("POST", "/api/imports/{id}/confirm/"): 400}
WRITES = {key: probe for key, probe in API.items() if probe.method in ("post", "put", "patch")}


@pytest.fixture(autouse=True)
def _no_throttling(monkeypatch):
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])


def error_of(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert body["error"]["message"]
    return body["error"]


def test_every_write_operation_is_tried():
    assert len(WRITES) >= 20, sorted(WRITES)


@pytest.mark.parametrize("operation", sorted(WRITES), ids=" ".join)
def test_hostile_bodies_on_every_write_answer_400_and_write_nothing(world, operation):  # noqa: F811
    probe: Probe = WRITES[operation]
    if probe.setup:
        probe.setup(world)
    client = world.client(*probe.who)
    url = probe.url(world)
    before = ObjectChange.objects.count()
    for name, raw in HOSTILE_BODIES.items():
        response = getattr(client, probe.method)(url, raw, content_type="application/json")
        if operation in NO_JSON:
            error_of(response, NO_JSON[operation])
            continue
        error = error_of(response, 400)
        assert error["code"] == "parse_error", (name, error)
        if name in ("null", "number", "true", "string", "list"):
            assert "必须是 JSON 对象" in error["message"], (name, error)
        if name.startswith("deep"):
            assert "嵌套过深" in error["message"], (name, error)
    assert ObjectChange.objects.count() == before


def test_a_number_past_its_column_is_a_400_naming_the_field(world):  # noqa: F811
    client = world.client("county_admin", "440105")
    before = ObjectChange.objects.count()
    body = {
        "association": world.hz.number,
        "name": "溢出队",
        "category": "township",
        "township": "440105003",
        "founded_on": "2021-03-05",
        "member_count": 2**70,
    }
    response = client.post("/api/teams/", body, content_type="application/json")
    error = error_of(response, 400)
    assert error["fields"]["member_count"] == ["不能大于 2147483647。"]
    response = client.patch(
        f"/api/teams/{world.hz_team.pk}",
        {"member_count": -(2**70)},
        content_type="application/json",
    )
    assert error_of(response, 400)["fields"]["member_count"]
    assert ObjectChange.objects.count() == before


def test_an_oversized_body_is_refused_unread(world, settings):  # noqa: F811
    client = world.client("county_admin", "440105")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    note = "长" * limit
    response = client.patch(
        f"/api/associations/{world.hz.number}",
        json.dumps({"note": note}),
        content_type="application/json",
    )
    error = error_of(response, 413)
    assert error["code"] == "too_large" and "请求体过大" in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/associations/44010%2e5",
        "/api/teams/abc",
        "/api/teams/99999999999999999999999",
        "/api/regions/12",
        "/api/no-such-thing/",
        "/api/associations/440105-3-01-4/no-such-action/",
    ],
)
def test_malformed_lookups_answer_a_json_404(world, url):  # noqa: F811
    client = world.client("county_admin", "440105")
    error = error_of(client.get(url), 404)
    assert error["code"] == "not_found"


def test_a_lookup_in_the_wrong_format_names_the_format(world):  # noqa: F811
    client = world.client("county_admin", "440105")
    error = error_of(client.get("/api/associations/not-a-number"), 400)
    assert "编号" in str(error["fields"])


def test_an_anonymous_malformed_lookup_is_json_too():
    response = Client().get("/api/associations/not-a-number")
    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()
