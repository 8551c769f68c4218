"""The training API: generic read/write tests, scope by attendance, the tick list, and
`GET /api/trainings/compliance` (the same JSON as the command)."""

from __future__ import annotations

import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from qingxie.trainings.models import Attendee, Training
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests

from .conftest import D, attend, make_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainings(gd_world):
    w = gd_world
    return SimpleNamespace(
        w=w,
        hz_training=make_training(w.hz, title="海珠区志愿服务骨干培训"),
        th_training=make_training(w.th, title="天河区志愿服务骨干培训"),
    )


class TestTrainingRead(ScopedAPIReadTests):
    model_label = "trainings.Training"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/trainings/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, trainings):
        self.api_in_scope = f"/api/trainings/{trainings.hz_training.pk}"
        self.api_out_of_scope = f"/api/trainings/{trainings.th_training.pk}"
        self.in_scope_key = trainings.hz_training.pk
        self.out_of_scope_key = trainings.th_training.pk


class TestTrainingWrite(ScopedAPIWriteTests):
    model_label = "trainings.Training"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/trainings/"
    editable_patch = {"place": "海珠区青年之家", "capacity": 60}
    read_only_patch = {"status": "cancelled", "organiser": "440106-3-01-X"}
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, trainings):
        self.t = trainings
        self.api_in_scope = f"/api/trainings/{trainings.hz_training.pk}"

    def create_data(self):
        return {
            "organiser": self.t.w.hz.number,
            "title": "海珠区2021年志愿者骨干培训",
            "kind": "backbone",
            "audience": ["backbone", "leaders"],
            "mode": "offline",
            "start_date": "2021-06-01",
            "end_date": "2021-06-02",
            "class_hours": "12",
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "organiser": self.t.w.th.number}


@pytest.fixture
def attendees(trainings):
    w = trainings.w
    return SimpleNamespace(
        t=trainings,
        hz=attend(trainings.hz_training, w.hz, "陈海"),
        th=attend(trainings.th_training, w.th, "赵天"),
    )


class TestAttendeeRead(ScopedAPIReadTests):
    model_label = "trainings.Attendee"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/training-attendees/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, attendees):
        self.api_in_scope = f"/api/training-attendees/{attendees.hz.pk}"
        self.api_out_of_scope = f"/api/training-attendees/{attendees.th.pk}"
        self.in_scope_key, self.out_of_scope_key = attendees.hz.pk, attendees.th.pk


class TestAttendeeWrite(ScopedAPIWriteTests):
    model_label = "trainings.Attendee"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/training-attendees/"
    editable_patch = {"hours": "6.0", "completion_number": "HZ2021-01"}
    read_only_patch = {"training": 1, "association": "440106-3-01-X"}
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, attendees):
        self.a = attendees
        self.api_in_scope = f"/api/training-attendees/{attendees.hz.pk}"

    def create_data(self):
        return {
            "training": self.a.t.hz_training.pk,
            "association": self.a.t.w.hz.number,
            "name": "林秘",
            "role": "secretary_general",
            "attended": True,
            "hours": "8",
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "training": self.a.t.th_training.pk}


def test_a_county_sees_the_province_training_it_attended_and_only_its_own_people(
    gd_world, client_for
):
    w = gd_world
    province = make_training(w.gd, title="全省志愿服务骨干人才班（第一期）")
    attend(province, w.hz, "陈海")
    attend(province, w.lh, "周罗")
    other = make_training(w.gd, title="全省秘书长培训")
    attend(other, w.lh, "周罗")
    haizhu = client_for("county_admin", "440105")
    titles = {t["title"] for t in haizhu.get("/api/trainings/").json()["results"]}
    assert titles == {"全省志愿服务骨干人才班（第一期）"}
    people = haizhu.get("/api/training-attendees/", {"training": province.pk}).json()["results"]
    assert [p["name"] for p in people] == ["陈海"]
    # It may see the training but not change it.
    response = haizhu.patch(
        f"/api/trainings/{province.pk}/", {"place": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert haizhu.get(f"/api/trainings/{other.pk}/").status_code == 404


def test_the_tick_list_over_the_api(gd_world, client_for):
    w = gd_world
    training = make_training(w.gz, class_hours=6)
    a = attend(training, w.hz, "陈海", attended=False)
    b = attend(training, w.th, "赵天", attended=False)
    client = client_for("city_admin", "440100")
    response = client.post(
        f"/api/trainings/{training.pk}/attendance/",
        {"marks": [{"id": a.pk, "attended": True, "hours": "6"}, {"id": b.pk, "attended": False}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert [r["name"] for r in response.json()] == ["陈海"]
    response = client.post(
        f"/api/trainings/{training.pk}/attendance/",
        {"marks": [{"id": b.pk, "attended": True, "hours": "7"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "赵天" in response.json()["error"]["fields"]["hours"][0]
    assert not Attendee.objects.get(pk=b.pk).attended


def test_status_action_and_its_refusals(gd_world, client_for):
    training = make_training(gd_world.gz, status="planned", start=D(2021, 5, 1))
    client = client_for("city_admin", "440100")
    url = f"/api/trainings/{training.pk}/status/"
    response = client.post(url, {"status": "held"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "held"
    response = client.post(url, {"status": "held"}, content_type="application/json")
    assert "已是" in response.json()["error"]["fields"]["status"][0]


def _compliance_world(w):
    """广州 held a leaders' training in 2021 that 海珠's president attended; 深圳 held none;
    罗湖's secretary-general went to the province's."""
    gz = make_training(w.gz, start=D(2021, 3, 10))
    attend(gz, w.hz, "陈海")
    attend(gz, w.th, "赵天", role="backbone")  # not a leader: 天河 is not trained
    gd = make_training(w.gd, start=D(2021, 4, 20))
    attend(gd, w.lh, "周罗", role="secretary_general")
    make_training(w.sz, start=D(2021, 5, 1), audience=["backbone"])  # not for leaders


def test_compliance_api_and_command_agree(gd_world, client_for):
    _compliance_world(gd_world)
    client = client_for("province_admin", "440000")
    body = client.get("/api/trainings/compliance", {"region": "440000", "year": 2021}).json()
    assert body["region"] == "440000" and body["year"] == 2021 and body["as_of"] == "2021-12-31"
    assert (body["organisers_required"], body["organisers_held"]) == (3, 2)
    assert body["organiser_rate"] == 66.7
    assert (body["counties_required"], body["counties_trained"]) == (3, 2)
    assert body["county_rate"] == 66.7
    assert body["own_required"] and body["own_held"]
    kids = {c["region"]: c for c in body["children"]}
    assert (kids["440100"]["counties_trained"], kids["440100"]["counties_required"]) == (1, 2)
    assert kids["440300"]["organisers_held"] == 0 and kids["440300"]["county_rate"] == 100.0
    # Children and the region's own obligation add up to the region.
    assert sum(c["organisers_required"] for c in body["children"]) + 1 == 3
    assert sum(c["counties_trained"] for c in body["children"]) == 2
    out = StringIO()
    call_command(
        "trainings", "compliance", "--region", "440000", "--year", "2021", "--json", stdout=out
    )
    assert json.loads(out.getvalue()) == body
    # As of a date inside the year: 广州's March training counts, the April one not yet.
    early = client.get(
        "/api/trainings/compliance", {"region": "440000", "year": 2021, "as_of": "2021-03-31"}
    ).json()
    assert (early["organisers_held"], early["counties_trained"]) == (1, 1)
    assert early["county_rate"] == 33.3


def test_compliance_refusals(gd_world, client_for):
    county = client_for("county_admin", "440105")
    response = county.get("/api/trainings/compliance", {"region": "440000", "year": 2021})
    assert response.status_code == 404
    response = county.get("/api/trainings/compliance", {"region": "440105", "year": "20x1"})
    assert "year" in response.json()["error"]["fields"]
    response = county.get(
        "/api/trainings/compliance", {"region": "440105", "year": 2021, "as_of": "2022-01-01"}
    )
    assert "须在2021年内" in response.json()["error"]["fields"]["as_of"][0]
    assert (
        county.get("/api/trainings/compliance", {"region": "440105", "year": 2021}).json()[
            "counties_required"
        ]
        == 1
    )


def test_command_prints_a_table(gd_world):
    _compliance_world(gd_world)
    out = StringIO()
    call_command("trainings", "compliance", "--region", "440000", "--year", "2021", stdout=out)
    text = out.getvalue()
    assert "广东省（440000）2021年培训情况" in text and "66.7%" in text
    assert Training.objects.count() == 3


def test_bad_list_items_and_an_overlong_training_id_keep_the_one_error_shape(gd_world, client_for):
    client = client_for("county_admin", "440105")
    response = client.post(
        "/api/trainings/",
        {"organiser": gd_world.hz.number, "title": "骨干培训", "audience": ["leaders", ""]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["audience"] == ["第 2 项：该字段不能为空。"]
    for raw in ("99999999999999999999999", "²", "-1"):
        response = client.get("/api/training-attendees/", {"training": raw})
        assert response.status_code == 400, raw
        assert response.json()["error"]["fields"]["training"]
    assert client.get("/api/trainings/", {"year": "1e308"}).status_code == 400
