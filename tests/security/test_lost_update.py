"""Two editors of one record: the second to save is told, and the first one's work survives."""

from __future__ import annotations

import datetime

import lxml.html
import pytest

from qingxie.ledger import services
from qingxie.ledger.choices import AssociationForm
from qingxie.ledger.models import Association
from qingxie.teams.models import Team
from qingxie.teams.services import team_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def association(region):
    return services.association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
        established_on=datetime.date(2020, 1, 1),
    )


def form_data(client, url: str) -> dict:
    """The edit form as the browser would submit it unchanged (hidden version included)."""
    page = lxml.html.fromstring(client.get(url).content.decode())
    form = next(f for f in page.forms if "version" in f.inputs)
    return dict(form.form_values())


def test_the_second_editor_of_an_association_page_is_refused(client_for, association):
    url = f"/associations/{association.number}/edit/"
    first, second = client_for("county_admin", "440105"), client_for("city_admin", "440100")
    mine, theirs = form_data(first, url), form_data(second, url)
    assert mine["version"] == theirs["version"] == "1"

    assert first.post(url, {**mine, "address": "广州市海珠区江南大道"}).status_code == 302
    response = second.post(url, {**theirs, "address": "另一个地址"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "已被" in page and "您的修改没有保存" in page and "请刷新页面" in page
    association.refresh_from_db()
    assert association.address == "广州市海珠区江南大道"
    assert association.version == 2

    # Reopened, the second editor sees the first one's work and can save over it.
    again = form_data(second, url)
    assert again["version"] == "2" and again["address"] == "广州市海珠区江南大道"
    assert second.post(url, {**again, "address": "另一个地址"}).status_code == 302
    association.refresh_from_db()
    assert (association.address, association.version) == ("另一个地址", 3)


def test_the_second_editor_of_a_team_page_is_refused(client_for, association, region):
    team = team_create(
        actor=None,
        association=association,
        name="海珠区志愿服务队",
        category="township",
        township=region("440105001"),
        founded_on=datetime.date(2021, 1, 1),
    )
    url = f"/teams/{team.pk}/edit/"
    first, second = client_for("county_admin", "440105"), client_for("county_admin", "440105")
    mine, theirs = form_data(first, url), form_data(second, url)
    assert first.post(url, {**mine, "member_count": "30"}).status_code == 302
    response = second.post(url, {**theirs, "member_count": "5"})
    assert response.status_code == 200 and "您的修改没有保存" in response.content.decode()
    assert Team.objects.get(pk=team.pk).member_count == 30


def test_the_api_answers_409_to_a_stale_version(client_for, association):
    url = f"/api/associations/{association.number}/"
    first, second = client_for("county_admin", "440105"), client_for("city_admin", "440100")
    assert first.get(url).json()["version"] == second.get(url).json()["version"] == 1

    ok = first.patch(url, {"note": "第一位", "version": 1}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = second.patch(url, {"note": "第二位", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and "第 1 版" in error["message"]
    assert Association.objects.get(pk=association.pk).note == "第一位"

    by_header = second.patch(
        url, {"note": "第二位"}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert by_header.status_code == 409
    fresh = second.patch(
        url, {"note": "第二位"}, content_type="application/json", HTTP_IF_MATCH='"2"'
    )
    assert fresh.status_code == 200 and fresh.json()["version"] == 3
    bad = second.patch(url, {"note": "x", "version": "abc"}, content_type="application/json")
    assert bad.status_code == 400 and "version" in bad.json()["error"]["fields"]


def test_an_unchanged_save_does_not_move_the_version(client_for, association):
    url = f"/associations/{association.number}/edit/"
    client = client_for("county_admin", "440105")
    assert client.post(url, form_data(client, url)).status_code == 302
    association.refresh_from_db()
    assert association.version == 1
