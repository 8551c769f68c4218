"""Pages for targets and the checklist: who may set what, and what each level sees."""

from __future__ import annotations

import pytest

from qingxie.ledger.models import ChecklistItem, CoverageTarget

pytestmark = pytest.mark.django_db


def test_province_sets_its_own_target_and_its_cities_follow_it(client_for):
    province = client_for("province_admin", "440000")
    page = province.get("/targets/").content.decode()
    assert "广东省尚未自行设定目标" in page and "50.0%" in page
    response = province.post(
        "/targets/?region=440000",
        {"region": "440000", "measure": "established", "due_on": "2021-06-30", "rate": "90"},
    )
    assert response.status_code == 302
    assert CoverageTarget.objects.filter(region__code="440000", rate=90).exists()
    page = client_for("city_admin", "440100").get("/targets/?region=440000").content.decode()
    assert "90.0%" in page and "50.0%" not in page
    assert "保存目标" not in page  # a city cannot set targets


def test_bad_target_input_is_named_and_nothing_saved(client_for):
    province = client_for("province_admin", "440000")
    response = province.post(
        "/targets/?region=440000",
        {"region": "440000", "measure": "established", "due_on": "", "rate": "120"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="field-error"') == 2  # the missing date and the rate over 100
    assert not CoverageTarget.objects.filter(region__code="440000").exists()


def test_province_cannot_change_national_targets_or_another_province(client_for):
    province = client_for("province_admin", "440000")
    response = province.post(
        "/targets/?region=000000",
        {"region": "000000", "measure": "established", "due_on": "2022-06-30", "rate": "80"},
    )
    assert response.status_code == 403
    national = CoverageTarget.objects.filter(region__code="000000").first()
    assert province.post(f"/targets/{national.pk}/delete/").status_code in (403, 404)
    assert province.get("/targets/?region=450000").status_code == 404
    assert CoverageTarget.objects.filter(region__code="000000").count() == 3


def test_only_national_admins_edit_the_checklist(client_for):
    county = client_for("county_admin", "440105")
    page = county.get("/checklist-items/").content.decode()
    assert "依法登记注册" in page and "新增事项" not in page
    assert county.get("/checklist-items/charter/edit/").status_code == 403
    national = client_for("national_admin", "000000")
    response = national.post(
        "/checklist-items/charter/edit/",
        {
            "title": "制定并公开协会章程",
            "description": "",
            "basis": "",
            "required": "on",
            "active": "on",
            "position": "20",
        },
    )
    assert response.status_code == 302
    assert ChecklistItem.objects.get(code="charter").title == "制定并公开协会章程"
    response = national.post(
        "/checklist-items/new/",
        {
            "code": "registry",
            "title": "志愿者注册管理",
            "required": "on",
            "active": "on",
            "position": "200",
        },
    )
    assert response.status_code == 302 and ChecklistItem.objects.filter(code="registry").exists()
