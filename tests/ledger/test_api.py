"""The ledger API: associations, checklist, seats, group members, targets, items and coverage."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from qingxie.core.changelog import changes_for
from qingxie.core.models import ObjectChange
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem
from qingxie.ledger.services import (
    association_create,
    association_standardize,
    checklist_entry_submit,
    coverage_target_set,
    group_member_create,
)
from qingxie.regions.models import Region
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests

pytestmark = pytest.mark.django_db

FOUNDED = datetime.date(2020, 1, 1)
VALID_USCC = "91440105MA59A1B2C0"
BAD_USCC = "91440105MA59A1B2C1"  # wrong check character


def make_association(code: str, *, on: datetime.date = FOUNDED, **fields) -> Association:
    """An association on region `code`, entered by the system (fast, no permission check)."""
    region = Region.objects.get(code=code)
    fields.setdefault("name", f"{region.name}青年志愿者协会")
    fields.setdefault("form", "youth_volunteer_association")
    return association_create(actor=None, region=region, established_on=on, **fields)


@pytest.fixture
def ledger(db):
    """Guangdong, Guangzhou with two districts, Shenzhen with one: seats follow."""
    return SimpleNamespace(
        gd=make_association("440000", name="广东省青年志愿者协会"),
        gz=make_association("440100", name="广州市青年志愿者协会"),
        hz=make_association("440105", name="海珠区青年志愿者协会", president_name="陈海"),
        th=make_association("440106", name="天河区青年志愿者协会"),
        sz=make_association("440300", name="深圳市义工联合会", form="yigong_federation"),
        lh=make_association("440303", name="罗湖区青年志愿者协会"),
    )


def api(number: str) -> str:
    return f"/api/associations/{number}"


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def error_fields(response) -> dict:
    assert response.status_code == 400, response.content.decode()
    return response.json()["error"]["fields"]


# ------------------------------------------------------------------ generic: associations


class TestAssociationRead(ScopedAPIReadTests):
    model_label = "ledger.Association"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/associations/"
    lookup_key = "number"

    @pytest.fixture(autouse=True)
    def _objects(self, ledger):
        self.api_in_scope, self.in_scope_key = api(ledger.hz.number), ledger.hz.number
        self.api_out_of_scope, self.out_of_scope_key = api(ledger.th.number), ledger.th.number


class TestAssociationWrite(ScopedAPIWriteTests):
    model_label = "ledger.Association"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/associations/"
    editable_patch = {"address": "广州市海珠区宝岗大道1号", "supervisor": "共青团海珠区委"}
    read_only_patch = {"number": "440105-3-09-1", "status": "dissolved", "region": "440106"}

    @pytest.fixture(autouse=True)
    def _objects(self, ledger):
        self.api_in_scope = api(ledger.hz.number)

    def create_data(self):
        return {
            "region": "440111",
            "level": "county",
            "name": "白云区青年志愿者协会",
            "form": "youth_volunteer_association",
            "established_on": "2020-05-04",
            "registered": True,
            "uscc": VALID_USCC,
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "region": "440304", "name": "福田区青年志愿者协会"}


# ------------------------------------------------------------ generic: checklist entries


@pytest.fixture
def entries(ledger):
    item = ChecklistItem.objects.get(code="registration")
    return SimpleNamespace(
        hz=checklist_entry_submit(actor=None, association=ledger.hz, item=item, note="已登记"),
        th=checklist_entry_submit(actor=None, association=ledger.th, item=item, note="已登记"),
    )


class TestChecklistEntryRead(ScopedAPIReadTests):
    model_label = "ledger.ChecklistEntry"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/checklist-entries/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, entries):
        self.api_in_scope = f"/api/checklist-entries/{entries.hz.pk}"
        self.api_out_of_scope = f"/api/checklist-entries/{entries.th.pk}"
        self.in_scope_key, self.out_of_scope_key = entries.hz.pk, entries.th.pk


class TestChecklistEntryWrite(ScopedAPIWriteTests):
    model_label = "ledger.ChecklistEntry"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/checklist-entries/"
    create_format = "multipart"
    #: The out-of-scope body names an association outside the scope: not found there.
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, ledger, entries):
        self.ledger = ledger
        self.api_in_scope = f"/api/checklist-entries/{entries.hz.pk}"

    def create_data(self):
        return {
            "association": self.ledger.hz.number,
            "item": "charter",
            "note": "章程经会员代表大会通过",
            "evidence": SimpleUploadedFile("charter.pdf", b"%PDF-1.4 charter", "application/pdf"),
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "association": self.ledger.th.number}


# ---------------------------------------------------------------------- generic: seats


def seat_of(holder: Association, member: Association):
    return holder.seats.get(member=member, until__isnull=True)


class TestSeatRead(ScopedAPIReadTests):
    model_label = "ledger.Seat"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/seats/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, ledger):
        inside, outside = seat_of(ledger.gz, ledger.hz), seat_of(ledger.sz, ledger.lh)
        self.api_in_scope, self.in_scope_key = f"/api/seats/{inside.pk}", inside.pk
        self.api_out_of_scope, self.out_of_scope_key = f"/api/seats/{outside.pk}", outside.pk


class TestSeatWrite(ScopedAPIWriteTests):
    model_label = "ledger.Seat"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/seats/"
    editable_patch = {"representative": "王晓明"}
    read_only_patch = {"member": "440106-3-01-0", "until": "2021-01-01"}

    @pytest.fixture(autouse=True)
    def _objects(self, ledger):
        self.api_in_scope = f"/api/seats/{seat_of(ledger.gz, ledger.hz).pk}"


# -------------------------------------------------------------- generic: group members


@pytest.fixture
def members(ledger):
    def admit(association, name):
        return group_member_create(
            actor=None,
            association=association,
            name=name,
            kind="volunteer_organisation",
            admitted_on=datetime.date(2021, 3, 1),
        )

    return SimpleNamespace(
        hz=admit(ledger.hz, "海珠区蓝天救援队"), th=admit(ledger.th, "天河区义工队")
    )


class TestGroupMemberRead(ScopedAPIReadTests):
    model_label = "ledger.GroupMember"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/group-members/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, members):
        self.api_in_scope = f"/api/group-members/{members.hz.pk}"
        self.api_out_of_scope = f"/api/group-members/{members.th.pk}"
        self.in_scope_key, self.out_of_scope_key = members.hz.pk, members.th.pk


class TestGroupMemberWrite(ScopedAPIWriteTests):
    model_label = "ledger.GroupMember"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/group-members/"
    editable_patch = {"contact_name": "李明"}
    read_only_patch = {"status": "withdrawn", "association": "440106-3-01-0"}
    #: The out-of-scope body names an association outside the scope: not found there.
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, ledger, members):
        self.ledger = ledger
        self.api_in_scope = f"/api/group-members/{members.hz.pk}"

    def create_data(self):
        return {
            "association": self.ledger.hz.number,
            "name": "海珠区社工服务中心",
            "kind": "social_organisation",
            "admitted_on": "2021-04-01",
            "uscc": VALID_USCC,
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "association": self.ledger.th.number}


# ------------------------------------------------------------- generic: coverage targets


@pytest.fixture
def targets(region):
    def set_(code):
        return coverage_target_set(
            actor=None,
            region=region(code),
            measure="established",
            due_on=datetime.date(2021, 12, 31),
            rate=80,
        )

    return SimpleNamespace(gd=set_("440000"), gx=set_("450000"))


class TestCoverageTargetRead(ScopedAPIReadTests):
    model_label = "ledger.CoverageTarget"
    role = "province_admin"
    grant_code = "440000"
    api_list = "/api/coverage-targets/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, targets):
        self.api_in_scope = f"/api/coverage-targets/{targets.gd.pk}"
        self.api_out_of_scope = f"/api/coverage-targets/{targets.gx.pk}"
        self.in_scope_key, self.out_of_scope_key = targets.gd.pk, targets.gx.pk


class TestCoverageTargetWrite(ScopedAPIWriteTests):
    model_label = "ledger.CoverageTarget"
    role = "province_admin"
    grant_code = "440000"
    api_list = "/api/coverage-targets/"
    editable_patch = {"rate": 75.0}
    read_only_patch = {"region": "450000", "due_on": "2030-01-01"}

    @pytest.fixture(autouse=True)
    def _objects(self, targets):
        self.api_in_scope = f"/api/coverage-targets/{targets.gd.pk}"

    def create_data(self):
        return {"region": "440000", "measure": "standardized", "due_on": "2022-12-31", "rate": 80}

    def create_data_out_of_scope(self):
        return {**self.create_data(), "region": "450000"}


# --------------------------------------------------------------- generic: checklist items


class TestChecklistItemRead(ScopedAPIReadTests):
    """National reference data: every grantee reads every item; unknown codes are 404."""

    model_label = "ledger.ChecklistItem"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/checklist-items/"
    api_in_scope = "/api/checklist-items/charter"
    api_out_of_scope = "/api/checklist-items/no-such-item"
    lookup_key = "code"
    in_scope_key = "charter"
    out_of_scope_key = "no-such-item"
    #: Only the national administrators edit the list; a county administrator may not.
    empty_post_status = 403


class TestChecklistItemWrite(ScopedAPIWriteTests):
    model_label = "ledger.ChecklistItem"
    role = "national_admin"
    grant_code = "000000"
    out_of_scope_role = "province_admin"
    out_of_scope_code = "440000"
    api_list = "/api/checklist-items/"
    api_in_scope = "/api/checklist-items/charter"
    editable_patch = {"title": "制定并公开协会章程"}
    read_only_patch = {"code": "charter2"}

    def create_data(self):
        return {"code": "volunteer_registry", "title": "志愿者注册管理", "required": False}


def test_checklist_items_need_a_grant(client_for):
    assert client_for().get("/api/checklist-items/charter").status_code == 404


# --------------------------------------------------------------------- associations: rules


def test_association_fields_and_lookup_without_hyphens(ledger, client_for):
    client = client_for("province_admin", "440000")
    body = client.get(api(ledger.hz.number.replace("-", ""))).json()
    assert body["number"] == ledger.hz.number
    assert body["region"] == "440105" and body["level"] == "county"
    assert body["status"] == "active" and body["status_display"] == "正常"
    assert body["standardized"] is False
    assert client.get(api(ledger.hz.number.lower() + "/")).status_code == 200


def test_bad_number_is_400_naming_the_format(ledger, client_for):
    response = client_for("province_admin", "440000").get(api("440105-3-01-Z"))
    assert response.status_code == 400
    assert "统一编号" in response.json()["error"]["fields"]["number"][0]


def test_association_list_follows_next_in_number_order(ledger, client_for):
    """The ledger list is keyset-paged: `next` until null, in unified-number order, no count."""
    client = client_for("province_admin", "440000")
    numbers, url = [], "/api/associations/?page_size=2"
    while url:
        body = client.get(url).json()
        assert "count" not in body and len(body["results"]) <= 2
        numbers += [row["number"] for row in body["results"]]
        url = body["next"]
    expected = sorted(a.number for a in (ledger.gd, ledger.gz, ledger.hz, ledger.th, ledger.sz))
    assert numbers == sorted(numbers) and set(expected) <= set(numbers)
    assert len(numbers) == len(set(numbers))


def test_list_filters(ledger, client_for, region):
    client = client_for("province_admin", "440000")

    def numbers(**params):
        return {row["number"] for row in client.get("/api/associations/", params).json()["results"]}

    assert numbers(region="440100") == {ledger.gz.number, ledger.hz.number, ledger.th.number}
    assert numbers(form="yigong_federation") == {ledger.sz.number}
    assert numbers(q="天河") == {ledger.th.number}
    assert numbers(q="440303") == {ledger.lh.number}
    assert numbers(level="prefecture") == {ledger.gz.number, ledger.sz.number}
    association_standardize(actor=None, association=ledger.hz, on=datetime.date(2021, 1, 1))
    assert numbers(standardized="1") == {ledger.hz.number}
    assert ledger.hz.number not in numbers(standardized="0")
    bad = client.get("/api/associations/", {"status": "sleeping"})
    assert "status" in error_fields(bad)


def test_create_with_an_invalid_uscc_names_the_field(ledger, client_for):
    client = client_for("city_admin", "440100")
    before = Association.objects.count()
    response = client.post(
        "/api/associations/",
        {
            "region": "440111",
            "name": "白云区青年志愿者协会",
            "form": "youth_volunteer_association",
            "established_on": "2020-05-04",
            "registered": True,
            "uscc": BAD_USCC,
        },
        content_type="application/json",
    )
    assert "校验位" in error_fields(response)["uscc"][0]
    assert Association.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"region": "440105001"}, "region", "乡级"),
        ({"region": "440200", "level": "county"}, "region", "地级"),
        ({"region": "440200", "level": 3}, "region", "县级"),
        ({"region": "440105"}, "region", "已有协会"),
        ({"region": "440111", "established_on": "TOMORROW"}, "established_on", "不能晚于今天"),
        ({"region": "440111", "form": "club"}, "form", "组织形式"),
        ({"region": "440111", "level": "galaxy"}, "level", "层级"),
        ({"region": "449999"}, "region", "不存在"),
    ],
)
def test_bad_association_input_is_refused(ledger, client_for, body, field, words):
    data = {
        "name": "某某青年志愿者协会",
        "form": "youth_volunteer_association",
        "established_on": "2020-05-04",
        **body,
    }
    if data["established_on"] == "TOMORROW":
        data["established_on"] = tomorrow()
    client = client_for("province_admin", "440000")
    before = Association.objects.count(), ObjectChange.objects.count()
    response = client.post("/api/associations/", data, content_type="application/json")
    assert words in "".join(error_fields(response)[field])
    assert (Association.objects.count(), ObjectChange.objects.count()) == before


def test_create_refuses_system_fields(ledger, client_for):
    response = client_for("city_admin", "440100").post(
        "/api/associations/",
        {
            "region": "440111",
            "name": "白云区青年志愿者协会",
            "form": "youth_volunteer_association",
            "established_on": "2020-05-04",
            "number": "440111-3-01-0",
            "standardized_since": "2020-06-01",
        },
        content_type="application/json",
    )
    fields = error_fields(response)
    assert "统一编号" in fields["number"][0]
    assert "standardized_since" in fields
    assert not Association.objects.filter(region__code="440111").exists()


def test_patch_unknown_field_is_refused(ledger, client_for):
    response = client_for("city_admin", "440100").patch(
        api(ledger.hz.number), {"colour": "red"}, content_type="application/json"
    )
    assert "colour" in error_fields(response)


def test_patch_future_established_date_is_refused(ledger, client_for):
    response = client_for("city_admin", "440100").patch(
        api(ledger.hz.number), {"established_on": tomorrow()}, content_type="application/json"
    )
    assert "不能晚于今天" in error_fields(response)["established_on"][0]
    ledger.hz.refresh_from_db()
    assert ledger.hz.established_on == FOUNDED


def test_phones_are_masked(db, client_for):
    a = make_association("440111", president_phone="13812345678")
    body = client_for("city_admin", "440100").get(api(a.number)).json()
    assert body["president_phone"] == "138****5678"


def test_county_user_cannot_see_or_change_another_county(ledger, client_for):
    client = client_for("county_admin", "440105")
    other = api(ledger.th.number)
    before = ObjectChange.objects.count()
    assert client.get(other).status_code == 404
    assert client.get(other + "/checklist").status_code == 404
    response = client.patch(other, {"address": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert "权限范围" in response.json()["error"]["message"]
    assert client.post(other + "/dissolve", {"on": "2021-01-01"}).status_code == 404
    assert client.post(other + "/suspend", {"on": "2021-01-01"}).status_code == 404
    assert ObjectChange.objects.count() == before
    ledger.th.refresh_from_db()
    assert ledger.th.status == "active"


def test_suspend_resume_dissolve(ledger, client_for):
    client = client_for("city_admin", "440100")
    url = api(ledger.hz.number)
    body = client.post(url + "/suspend", {"on": "2021-02-01", "note": "换届"}).json()
    assert body["status"] == "suspended" and body["status_since"] == "2021-02-01"
    assert client.post(url + "/resume", {"on": "2021-03-01"}).json()["status"] == "active"
    body = client.post(url + "/dissolve", {"on": "2021-06-01"}).json()
    assert body["status"] == "dissolved"
    assert not ledger.gz.seats.filter(member=ledger.hz, until__isnull=True).exists()


def test_dissolved_before_established_is_refused(ledger, client_for):
    response = client_for("city_admin", "440100").post(
        api(ledger.hz.number) + "/dissolve", {"on": "2019-12-31"}
    )
    assert "不能早于成立日期" in error_fields(response)["on"][0]
    ledger.hz.refresh_from_db()
    assert ledger.hz.status == "active"


def test_dissolve_in_the_future_is_refused(ledger, client_for):
    response = client_for("city_admin", "440100").post(
        api(ledger.hz.number) + "/dissolve", {"on": tomorrow()}
    )
    assert "不能晚于今天" in error_fields(response)["on"][0]


def test_dissolve_without_a_date_names_the_field(ledger, client_for):
    response = client_for("city_admin", "440100").post(api(ledger.hz.number) + "/dissolve", {})
    assert "on" in error_fields(response)


def test_merge(ledger, client_for):
    client = client_for("city_admin", "440100")
    body = client.post(
        api(ledger.hz.number) + "/merge",
        {"on": "2021-06-01", "into": ledger.th.number.replace("-", "")},
    ).json()
    assert body["status"] == "merged" and body["merged_into"] == ledger.th.number
    # Merging into an association outside the caller's scope: it does not exist for them.
    response = client.post(
        api(ledger.th.number) + "/merge", {"on": "2021-06-01", "into": ledger.lh.number}
    )
    assert response.status_code == 404


def test_nested_reads(ledger, members, client_for):
    client = client_for("city_admin", "440100")
    seats = client.get(api(ledger.gz.number) + "/seats").json()
    assert {s["member"] for s in seats} == {ledger.hz.number, ledger.th.number}
    hz_seat = next(s for s in seats if s["member"] == ledger.hz.number)
    assert hz_seat["representative"] == "陈海" and hz_seat["open"] is True
    checklist = client.get(api(ledger.hz.number) + "/checklist").json()
    assert len(checklist) == ChecklistItem.objects.filter(active=True).count()
    assert {row["state"] for row in checklist} == {"pending"}
    group = client.get(api(ledger.hz.number) + "/group-members").json()
    assert [m["name"] for m in group] == ["海珠区蓝天救援队"]


def test_bearer_token_write_is_attributed(ledger, client, make_user):
    user = make_user("city_admin", "440100")
    token = Token.objects.create(user=user)
    response = client.patch(
        api(ledger.hz.number),
        {"note": "经核实更正"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.key}",
    )
    assert response.status_code == 200
    change = changes_for(ledger.hz).first()
    assert change.user == user and change.channel == "api"
    assert change.before["note"] == "" and change.after["note"] == "经核实更正"


# ----------------------------------------------------------------- checklist workflow


def test_checklist_workflow_through_the_api(ledger, client_for):
    county = client_for("county_admin", "440105")
    city = client_for("city_admin", "440100")
    response = county.post(
        "/api/checklist-entries/",
        {
            "association": ledger.hz.number,
            "item": "charter",
            "note": "章程",
            "evidence": SimpleUploadedFile("章程.pdf", b"%PDF-1.4", "application/pdf"),
        },
    )
    assert response.status_code == 201
    entry = response.json()
    assert entry["state"] == "submitted" and entry["evidence"].endswith(".pdf")
    url = f"/api/checklist-entries/{entry['id']}"

    # The association cannot verify itself; its city can.
    assert county.post(url + "/verify", {}).status_code == 403
    queue = city.get("/api/checklist-entries/", {"queue": "1"}).json()["results"]
    assert [e["id"] for e in queue] == [entry["id"]]
    response = city.post(url + "/return", {"reason": ""})
    assert "reason" in error_fields(response)
    body = city.post(url + "/return", {"reason": "缺少会员大会决议"}).json()
    assert body["state"] == "returned" and body["return_reason"] == "缺少会员大会决议"

    county.post(
        "/api/checklist-entries/",
        {"association": ledger.hz.number, "item": "charter", "note": "补充决议"},
    )
    body = city.post(url + "/verify", {"on": "2021-03-01"}).json()
    assert body["state"] == "verified" and body["verified_on"] == "2021-03-01"
    assert city.post(url + "/revoke", {"reason": "材料失效", "on": "2021-02-01"}).status_code == 400
    body = city.post(url + "/revoke", {"reason": "材料失效", "on": "2021-04-01"}).json()
    assert body["state"] == "returned"


def test_submit_with_unknown_item_or_wrong_file(ledger, client_for):
    county = client_for("county_admin", "440105")
    response = county.post(
        "/api/checklist-entries/", {"association": ledger.hz.number, "item": "nope", "note": "x"}
    )
    assert "item" in error_fields(response)
    response = county.post(
        "/api/checklist-entries/",
        {
            "association": ledger.hz.number,
            "item": "charter",
            "evidence": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    assert "evidence" in error_fields(response)
    assert not ChecklistEntry.objects.filter(association=ledger.hz).exists()


def test_group_member_rules(ledger, members, client_for):
    client = client_for("county_admin", "440105")
    response = client.post(
        "/api/group-members/",
        {
            "association": ledger.hz.number,
            "name": "海珠区蓝天救援队",
            "kind": "volunteer_organisation",
            "admitted_on": tomorrow(),
            "uscc": BAD_USCC,
        },
        content_type="application/json",
    )
    fields = error_fields(response)
    assert {"name", "admitted_on", "uscc"} <= set(fields)
    url = f"/api/group-members/{members.hz.pk}/withdraw"
    assert "不能早于入会日期" in error_fields(client.post(url, {"on": "2021-01-01"}))["on"][0]
    assert client.post(url, {"on": "2021-05-01"}).json()["status"] == "withdrawn"


def test_target_rules(client_for, targets):
    client = client_for("province_admin", "440000")
    response = client.post(
        "/api/coverage-targets/",
        {"region": "440100", "measure": "established", "due_on": "2022-12-31", "rate": 120},
        content_type="application/json",
    )
    fields = error_fields(response)
    assert "region" in fields and "rate" in fields
    assert client.delete(f"/api/coverage-targets/{targets.gx.pk}").status_code == 404
    assert client.delete(f"/api/coverage-targets/{targets.gd.pk}").status_code == 204


# ----------------------------------------------------------------------------- coverage


def guangdong_bulletin():
    """106 of Guangdong's 122 county-level units established, 84 of them standardized."""
    counties = list(
        Region.objects.filter(path__startswith="000000/440000/", level=3, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    assert len(counties) == 122
    made = [make_association(code, on=datetime.date(2020, 6, 1)) for code in counties[:106]]
    for association in made[:84]:
        association_standardize(actor=None, association=association, on=datetime.date(2021, 1, 15))
    return made


FIGURES = ("counties", "established", "standardized", "townships", "townships_with_team")


def test_coverage_matches_the_bulletin_and_children_sum_to_parent(client_for):
    guangdong_bulletin()
    response = client_for("province_admin", "440000").get(
        "/api/coverage", {"region": "440000", "as_of": "2021-05-06", "depth": 1}
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["region"] == "440000" and body["name"] == "广东省"
    assert body["as_of"] == "2021-05-06"
    assert (body["counties"], body["established"], body["standardized"]) == (122, 106, 84)
    assert body["coverage_rate"] == 86.9
    assert body["standardized_rate"] == 68.9
    assert body["townships"] > 1000 and body["township_rate"] == 0.0
    assert len(body["children"]) == 21
    for key in FIGURES:
        assert sum(child[key] for child in body["children"]) == body[key], key
    for child in body["children"]:
        assert child["as_of"] == "2021-05-06"
        assert {"region", "name", "coverage_rate", "standardized_rate"} <= set(child)
    established = next(t for t in body["targets"] if t["measure"] == "established")
    assert established["actual"] == 86.9 and established["status"] == "on_track"
    assert body["projection"]["remaining"] == 16
    before = client_for("province_admin", "440000").get(
        "/api/coverage", {"region": "440000", "as_of": "2020-05-31"}
    )
    assert before.json()["established"] == 0


def test_coverage_defaults_and_errors(ledger, client_for):
    client = client_for("city_admin", "440100")
    body = client.get("/api/coverage").json()
    assert body["region"] == "440100" and body["as_of"] == timezone.localdate().isoformat()
    assert body["established"] == 2 and body["counties"] == 11
    assert body["coverage_rate"] == 18.2
    assert [c["region"] for c in body["children"]][:2] == ["440103", "440104"]
    assert client.get("/api/coverage", {"depth": 0}).json()["children"] == []

    bad = client.get("/api/coverage", {"as_of": "2021-02-30"})
    assert "不是有效日期" in error_fields(bad)["as_of"][0]
    future = client.get("/api/coverage", {"as_of": tomorrow()})
    assert "不能晚于今天" in error_fields(future)["as_of"][0]
    assert "depth" in error_fields(client.get("/api/coverage", {"depth": 9}))
    outside = client.get("/api/coverage", {"region": "440300"})
    assert outside.status_code == 404
    assert "权限范围" in outside.json()["error"]["message"]
    assert client.get("/api/coverage", {"region": "440105001"}).status_code == 400
    assert client_for().get("/api/coverage").status_code == 404


def test_coverage_series(ledger, client_for):
    client = client_for("city_admin", "440100")
    body = client.get(
        "/api/coverage/series", {"region": "440100", "start": "2019-11-15", "end": "2020-02-10"}
    ).json()
    assert [p["date"] for p in body["points"]] == [
        "2019-11-30",
        "2019-12-31",
        "2020-01-31",
        "2020-02-10",
    ]
    assert [p["established"] for p in body["points"]] == [0, 0, 2, 2]
    bad = client.get("/api/coverage/series", {"start": "2021-01-01", "end": "2020-01-01"})
    assert "start" in error_fields(bad)


def test_schema_lists_the_ledger_and_team_endpoints(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = {p.rstrip("/") for p in schema["paths"]}
    for path in (
        "/api/associations",
        "/api/associations/{number}",
        "/api/associations/{number}/merge",
        "/api/checklist-entries/{id}/verify",
        "/api/checklist-entries/{id}/return",
        "/api/seats/{id}",
        "/api/group-members/{id}/withdraw",
        "/api/coverage-targets/{id}",
        "/api/checklist-items/{code}",
        "/api/coverage",
        "/api/coverage/series",
        "/api/teams/{id}/dissolve",
    ):
        assert path in paths, path
    assert client.get("/api/docs/").status_code == 200


def test_province_reads_the_national_targets_it_follows_but_cannot_change_them(client_for):
    from qingxie.ledger.models import CoverageTarget

    client = client_for("province_admin", "440000")
    rows = client.get("/api/coverage-targets/?region=000000").json()["results"]
    assert sorted(r["rate"] for r in rows) == [50.0, 70.0, 100.0]
    national = CoverageTarget.objects.filter(region__code="000000").first()
    response = client.patch(
        f"/api/coverage-targets/{national.pk}", {"rate": 10}, content_type="application/json"
    )
    assert response.status_code == 403
    national.refresh_from_db()
    assert national.rate != 10
