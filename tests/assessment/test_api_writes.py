"""The assessment's write API: rounds, a sheet through all its steps, quotas, candidates and
the library — the pages' services, their rules and messages, the change log."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from qingxie.assessment import services
from qingxie.assessment.models import Candidate, LibraryEntry, Round, Support
from qingxie.core.models import ObjectChange
from qingxie.regions.models import Region

from .conftest import fill_all

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def api(make_user, role, code) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(role, code))
    return client


def errors(response) -> dict:
    return response.json()["error"]["fields"]


def logged(obj, action="update") -> int:
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        action=action,
    ).count()


def _spare_version(world):
    return services.version_copy(
        actor=None, source=world.version, code="api-2022", name="2022年度指标", year=2022
    )


def test_rounds_are_paged_with_a_cursor(opened, make_user):
    spare = _spare_version(opened)
    for year in (2022, 2023):
        services.round_open(
            actor=None,
            region=Region.objects.get(code="440000"),
            year=year,
            indicator_version=spare,
            cut_off=datetime.date(year, 12, 31),
            self_until=datetime.date(year + 1, 1, 31),
            review_until=datetime.date(year + 1, 2, 28),
            appeal_until=datetime.date(year + 1, 3, 31),
        )
    client = api(make_user, "county_admin", "440105")
    first = client.get("/api/assessment/rounds/?page_size=2").json()
    assert [r["year"] for r in first["results"]] == [2023, 2022]
    second = client.get(first["next"]).json()
    assert [r["year"] for r in second["results"]] == [2021]
    assert second["next"] is None


def test_the_nation_opens_a_round_and_bad_dates_save_nothing(world, make_user):
    nation = api(make_user, "national_admin", "000000")
    body = {
        "region": "000000",
        "year": 2021,
        "indicator_version": "default-2021",
        "cut_off": "2021-12-31",
        "self_until": "2021-12-01",
        "review_until": "2022-03-31",
        "appeal_until": "2022-04-30",
    }
    response = nation.post("/api/assessment/rounds/", body, format="json")
    assert response.status_code == 400
    assert errors(response)["self_until"] == ["自评截止日期不能早于数据截止日期。"]
    assert not Round.objects.exists()
    response = nation.post(
        "/api/assessment/rounds/", {**body, "tiers": [["示范", 60], ["薄弱", 80]]}, format="json"
    )
    assert errors(response)["tiers"] == ["档次须按最低分从高到低排列。"]
    response = nation.post("/api/assessment/rounds/", {**body, "status": "closed"}, format="json")
    assert response.status_code == 400 and "status" in errors(response)
    city = api(make_user, "city_admin", "440100")
    body["self_until"] = "2022-02-28"
    assert city.post("/api/assessment/rounds/", body, format="json").status_code == 403
    response = nation.post("/api/assessment/rounds/", body, format="json")
    assert response.status_code == 201, response.json()
    row = response.json()
    assert (row["year"], row["status"], row["indicator_version"]) == (2021, "open", "default-2021")
    rnd = Round.objects.get(pk=row["id"])
    assert logged(rnd, "create") == 1
    world.version.refresh_from_db()
    assert world.version.frozen


def test_round_update_and_advance(opened, make_user):
    nation = api(make_user, "national_admin", "000000")
    url = f"/api/assessment/rounds/{opened.round.pk}/"
    later = (TODAY() + datetime.timedelta(days=20)).isoformat()
    response = nation.patch(url, {"self_until": later, "review_until": later}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["self_until"] == later
    opened.round.refresh_from_db()
    assert logged(opened.round) >= 1
    # The figures were computed as of the cut-off: it stays.
    response = nation.patch(url, {"cut_off": "2021-11-30"}, format="json")
    assert errors(response)["cut_off"] == ["平台数据已按数据截止日期计算，不能再修改数据截止日期。"]
    response = nation.patch(url, {"appeal_until": "2021-01-01"}, format="json")
    assert errors(response)["appeal_until"] == ["申诉截止日期不能早于审核截止日期。"]
    response = nation.patch(url, {"year": 2020}, format="json")
    assert errors(response)["year"] == ["年度不能修改。"]
    assert (
        api(make_user, "province_admin", "440000")
        .patch(url, {"name": "改名"}, format="json")
        .status_code
        == 403
    )
    # A stale version is refused.
    stale = nation.patch(url, {"name": "改名", "version": 1}, format="json")
    assert stale.status_code == 409
    response = nation.post(url + "tiers/", {"tiers": [["示范", 90], ["其余", 0]]}, format="json")
    assert response.status_code == 200 and response.json()["tiers"] == [["示范", 90], ["其余", 0]]
    assert set(opened.round.sheets.values_list("tier", flat=True)) <= {"示范", "其余"}
    response = nation.post(url + "advance/", {"step": "close"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    response = nation.patch(url, {"name": "改名"}, format="json")
    assert errors(response)["status"] == ["本轮评估已结束，不能再修改。"]
    response = nation.post(url + "advance/", {"step": "publish"}, format="json")
    assert response.status_code == 400 and "step" in errors(response)


def test_compute_through_the_api_queues_the_job(world, make_user):
    rnd = services.round_open(
        actor=None,
        region=Region.objects.get(code="000000"),
        year=2021,
        indicator_version=world.version,
        cut_off=datetime.date(2021, 12, 31),
        self_until=TODAY(),
        review_until=TODAY(),
        appeal_until=TODAY(),
    )
    response = api(make_user, "national_admin", "000000").post(
        f"/api/assessment/rounds/{rnd.pk}/advance/", {"step": "compute"}, format="json"
    )
    assert response.status_code == 202 and response.json()["job"]
    rnd.refresh_from_db()
    assert rnd.status == "computed" and rnd.sheets.count() == 3


def test_a_sheet_through_every_step(opened, make_user):
    sheet = opened.sheet(opened.hz)
    url = f"/api/assessment/sheets/{sheet.pk}/actions/"
    county = api(make_user, "county_admin", "440105")
    # Evidence is required for the charter: without it, refused and named.
    response = county.post(url, {"action": "fill", "indicator": "charter", "grade": "A"})
    assert response.status_code == 400
    assert errors(response)["evidence"] == ["“章程与按期换届”须上传佐证材料。"]
    response = county.post(
        url,
        {
            "action": "fill",
            "indicator": "charter",
            "grade": "A",
            "evidence": SimpleUploadedFile("章程.pdf", b"%PDF-1.4", "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["indicators"]["charter"]["grade"] == "A"
    assert sheet.values.get(indicator__code="charter").evidence
    fill_all(sheet)
    assert county.post(url, {"action": "submit"}, format="json").status_code == 200
    city = api(make_user, "city_admin", "440100")
    response = city.post(url, {"action": "return"}, format="json")
    assert response.status_code == 400 and "reason" in errors(response)
    assert city.post(url, {"action": "verify"}, format="json").json()["state"] == "verified"
    # Another city, and the county itself, cannot withdraw the city's verification.
    assert (
        api(make_user, "city_admin", "440300")
        .post(url, {"action": "revoke", "reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert county.post(url, {"action": "revoke", "reason": "x"}, format="json").status_code == 403
    response = city.post(url, {"action": "revoke", "reason": "活动数字有误"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "returned"
    sheet.refresh_from_db()
    assert sheet.return_reason == "活动数字有误"
    assert county.post(url, {"action": "submit"}, format="json").status_code == 200
    assert city.post(url, {"action": "verify"}, format="json").status_code == 200
    province = api(make_user, "province_admin", "440000")
    response = province.post(url, {"action": "confirm"}, format="json")
    assert response.status_code == 200 and response.json()["confirmed_on"]
    # Confirmed: the city can no longer revoke.
    response = city.post(url, {"action": "revoke", "reason": "晚了"}, format="json")
    assert errors(response)["state"] == ["评估结果已经省级确认，不能撤销审核。"]
    response = county.post(url, {"action": "appeal", "reason": "活动数漏计"}, format="json")
    assert response.status_code == 200
    response = province.post(url, {"action": "appeal_decide", "outcome": "维持"}, format="json")
    assert errors(response)["upheld"] == ["请说明申诉是否成立（upheld）。"]
    response = province.post(
        url, {"action": "appeal_decide", "upheld": False, "outcome": "维持原结果"}, format="json"
    )
    assert response.status_code == 200
    sheet.refresh_from_db()
    assert sheet.appeal_state == "rejected" and sheet.appeal_outcome == "维持原结果"


def _confirmed(world, association):
    sheet = world.sheet(association)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    services.sheet_verify(actor=None, sheet=sheet)
    services.sheet_confirm(actor=None, sheet=sheet)
    return sheet


def test_quota_candidates_and_selection(opened, make_user):
    _confirmed(opened, opened.hz)
    _confirmed(opened, opened.th)
    nation = api(make_user, "national_admin", "000000")
    province = api(make_user, "province_admin", "440000")
    body = {"region": "440000", "year": 2021, "quota": 1}
    assert province.post("/api/assessment/quotas/", body, format="json").status_code == 403
    response = nation.post("/api/assessment/quotas/", {**body, "quota": 101}, format="json")
    assert response.status_code == 400 and "quota" in errors(response)
    response = nation.post("/api/assessment/quotas/", body, format="json")
    assert response.status_code == 200 and response.json()["quota"] == 1
    response = province.get("/api/assessment/quotas/?year=2021")
    assert [(q["region"], q["quota"], q["recommended"]) for q in response.json()] == [
        ("440000", 1, 0)
    ]
    assert api(make_user, "province_admin", "450000").get("/api/assessment/quotas/").json() == []
    response = province.post(
        "/api/assessment/candidates/",
        {"association": opened.hz.number, "year": 2021, "note": "运作规范"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "recommended"
    response = province.post(
        "/api/assessment/candidates/",
        {"association": opened.th.number, "year": 2021},
        format="json",
    )
    assert errors(response)["association"] == ["广东省2021年度推荐名额为 1 个，已全部使用。"]
    assert Candidate.objects.count() == 1
    # Guangxi's province does not see Guangdong's counties.
    response = api(make_user, "province_admin", "450000").post(
        "/api/assessment/candidates/",
        {"association": opened.th.number, "year": 2021},
        format="json",
    )
    assert response.status_code == 404
    candidate = Candidate.objects.get()
    url = f"/api/assessment/candidates/{candidate.pk}/decide/"
    assert province.post(url, {"selected": True}, format="json").status_code == 403
    response = nation.post(url, {"selected": True}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "selected"
    assert LibraryEntry.objects.get().association == opened.hz
    listed = province.get("/api/assessment/candidates/?year=2021").json()
    assert [c["association"] for c in listed] == [opened.hz.number]
    response = province.get("/api/assessment/candidates/?year=19")
    assert response.status_code == 400 and "year" in errors(response)


def test_library_entries_renewal_removal_and_support(opened, make_user):
    province = api(make_user, "province_admin", "440000")
    response = province.post(
        "/api/assessment/library/",
        {"association": opened.hz.number, "year": 2021, "entered_on": "2021-04-30"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert (entry["name"], entry["valid_until"]) == ("海珠区青年志愿者协会", "2024-04-30")
    url = f"/api/assessment/library/{entry['id']}/"
    response = province.post(
        url + "support/",
        {"kind": "venture", "amount": "80000", "given_on": "2021-06-01", "note": "公益创投"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["support_total"] == "80000.00"
    response = province.post(
        url + "support/", {"kind": "gift", "amount": "-1", "given_on": "2021-06-01"}, format="json"
    )
    assert response.status_code == 400 and {"kind", "amount"} <= set(errors(response))
    assert Support.objects.count() == 1
    response = province.post(url + "renew/", {"on": "2024-04-01"}, format="json")
    assert response.status_code == 200 and response.json()["valid_until"] == "2027-04-30"
    response = province.post(url + "remove/", {"on": "2024-05-01", "reason": ""}, format="json")
    assert errors(response)["reason"] == ["请填写移出原因。"]
    response = province.post(
        url + "remove/", {"on": "2024-05-01", "reason": "停止活动"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["removed_reason"]) == (
        "removed",
        "停止活动",
    )
    assert logged(LibraryEntry.objects.get()) == 2
    elsewhere = api(make_user, "province_admin", "450000")
    assert elsewhere.post(url + "renew/", {"on": "2024-04-01"}, format="json").status_code == 404
    assert elsewhere.get("/api/assessment/library/").json() == []
    listed = province.get("/api/assessment/library/?region=440105").json()
    assert [e["supports"][0]["kind_label"] for e in listed] == ["公益创投资金"]
