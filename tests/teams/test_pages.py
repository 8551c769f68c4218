"""Team pages: list by scope and filters, create with the township select, edit, dissolve."""

from __future__ import annotations

import datetime

import pytest

from qingxie.ledger import services as ledger_services
from qingxie.regions.models import Region
from qingxie.teams import services
from qingxie.teams.models import Team
from tests.generic import ScopedDetailViewTests

pytestmark = pytest.mark.django_db


def make_association(code: str):
    region = Region.objects.get(code=code)
    return ledger_services.association_create(
        actor=None,
        region=region,
        name=f"{region.name}青年志愿者协会",
        form="youth_volunteer_association",
        established_on=datetime.date(2021, 3, 1),
    )


def make_team(association, name: str, **kwargs) -> Team:
    return services.team_create(
        actor=None,
        association=association,
        name=name,
        category=kwargs.pop("category", "school"),
        founded_on=kwargs.pop("founded_on", datetime.date(2021, 6, 1)),
        **kwargs,
    )


def township_of(code: str) -> Region:
    return Region.objects.filter(parent__code=code, valid_to__isnull=True).order_by("code").first()


class TestTeamDetailView(ScopedDetailViewTests):
    model_label = "teams.Team"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "海珠中学志愿服务队"

    @pytest.fixture(autouse=True)
    def _data(self, db):
        self.url_in_scope = make_team(
            make_association("440105"), "海珠中学志愿服务队"
        ).get_absolute_url()
        self.url_out_of_scope = make_team(make_association("440106"), "天河队").get_absolute_url()


def test_list_is_scoped_and_filtered(client_for):
    haizhu, tianhe = make_association("440105"), make_association("440106")
    school = make_team(haizhu, "海珠中学志愿服务队")
    street = make_team(
        haizhu, "街道志愿服务队", category="township", township=township_of("440105")
    )
    make_team(tianhe, "天河队")
    county = client_for("county_admin", "440105")
    names = {t.name for t in county.get("/teams/").context["object_list"]}
    assert names == {school.name, street.name}
    city = client_for("city_admin", "440100")

    def listed(query: str) -> set[str]:
        return {t.name for t in city.get("/teams/" + query).context["object_list"]}

    assert listed("") == {school.name, street.name, "天河队"}
    assert listed("?region=440106") == {"天河队"}
    assert listed("?category=township") == {street.name}
    assert listed(f"?association={haizhu.number.replace('-', '')}") == {school.name, street.name}
    services.team_dissolve(actor=None, team=school, on=datetime.date(2022, 1, 1))
    assert listed("?status=dissolved") == {school.name}


def test_create_offers_only_the_association_townships(client_for):
    haizhu = make_association("440105")
    client = client_for("county_admin", "440105")
    response = client.get(f"/teams/new/?association={haizhu.number}")
    choices = [code for code, _ in response.context["form"].fields["township"].choices if code]
    expected = Region.objects.filter(parent__code="440105", valid_to__isnull=True).count()
    assert len(choices) == expected and all(c.startswith("440105") for c in choices)
    township = township_of("440105")
    response = client.post(
        f"/teams/new/?association={haizhu.number}",
        {"name": "", "category": "township", "township": "", "founded_on": "2022-01-01"},
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写队伍名称。"]
    assert errors["township"] == ["乡镇/街道队伍须选择所在乡镇（街道）。"]
    assert not Team.objects.exists()
    response = client.post(
        f"/teams/new/?association={haizhu.number}",
        {
            "name": "街道志愿服务队",
            "category": "township",
            "township": township.code,
            "member_count": "30",
            "founded_on": "2022-01-01",
            "leader_phone": "13900001111",
        },
        follow=True,
    )
    team = Team.objects.get()
    assert team.township == township and team.member_count == 30
    assert "队伍已建立" in response.content.decode()
    assert "139****1111" in response.content.decode()


def test_a_township_of_another_county_is_not_accepted(client_for):
    haizhu = make_association("440105")
    client = client_for("city_admin", "440100")
    response = client.post(
        f"/teams/new/?association={haizhu.number}",
        {
            "name": "越界队",
            "category": "township",
            "township": township_of("440106").code,
            "founded_on": "2022-01-01",
        },
    )
    assert response.context["form"].errors["township"]
    assert not Team.objects.exists()


def test_create_for_an_association_outside_scope_is_404(client_for):
    tianhe = make_association("440106")
    response = client_for("county_admin", "440105").get(f"/teams/new/?association={tianhe.number}")
    assert response.status_code == 404


def test_edit_and_dissolve(client_for):
    team = make_team(make_association("440105"), "海珠中学志愿服务队")
    client = client_for("county_admin", "440105")
    client.post(
        f"/teams/{team.pk}/edit/",
        {"name": "海珠中学青年志愿服务队", "category": "school", "founded_on": "2021-06-01"},
    )
    response = client.post(f"/teams/{team.pk}/dissolve/", {"on": "2021-01-01"})
    assert any("不能早于成立日期" in m for m in response.context["form"].errors["on"])
    client.post(f"/teams/{team.pk}/dissolve/", {"on": "2023-01-01"})
    team.refresh_from_db()
    assert team.name == "海珠中学青年志愿服务队"
    assert team.status == "dissolved" and str(team.dissolved_on) == "2023-01-01"
    assert client_for("viewer", "440105").get(f"/teams/{team.pk}/edit/").status_code == 403


def test_create_reports_the_form_and_the_service_errors_in_one_pass(client_for):
    """A negative member count (the form's own check), a missing name and date (required),
    a bad phone and a township team without its township (the service's rules) come back
    together, so the cadre fixes everything at once."""
    haizhu = make_association("440105")
    client = client_for("county_admin", "440105")
    response = client.post(
        f"/teams/new/?association={haizhu.number}",
        {
            "name": "",
            "category": "township",
            "township": "",
            "member_count": "-3",
            "founded_on": "",
            "leader_phone": "12345",
        },
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["请填写队伍名称。"]
    assert errors["founded_on"] == ["请填写成立日期。"]
    assert errors["member_count"] and "0" in errors["member_count"][0]
    assert errors["township"] == ["乡镇/街道队伍须选择所在乡镇（街道）。"]
    assert errors["leader_phone"]
    assert not Team.objects.exists()
    text = response.content.decode()
    # The required fields are marked on the page.
    assert text.count('class="req"') >= 3


def test_edit_reports_every_error_in_one_pass_and_keeps_a_masked_phone(client_for):
    haizhu = make_association("440105")
    team = make_team(haizhu, "海珠中学志愿服务队", leader_phone="13900001111")
    client = client_for("county_admin", "440105")
    response = client.post(
        f"/teams/{team.pk}/edit/",
        {
            "name": "",
            "category": "school",
            "member_count": "-1",
            "founded_on": "2021-06-01",
            "leader_phone": "139****1111",
            "version": team.version,
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"name", "member_count"}  # the masked phone means "keep it"
    team.refresh_from_db()
    assert team.name == "海珠中学志愿服务队" and team.leader_phone == "13900001111"


def test_list_total_and_new_team_button_follow_each_write_at_once(client_for):
    """The total under the list and the association 新建队伍 starts from are kept between
    requests; a team or an association written through a service shows on the next one."""
    haizhu = make_association("440105")
    make_team(haizhu, "海珠一队")
    city = client_for("city_admin", "440100")

    def page(query: str = "") -> str:
        return city.get("/teams/" + query).content.decode()

    first = page()
    assert "共 1 条" in first
    assert f'href="/teams/new/?association={haizhu.number}"' in first
    assert "共 1 条" in page("?status=active")
    second = make_team(haizhu, "海珠二队")
    assert "共 2 条" in page() and "海珠二队" in page()
    services.team_dissolve(actor=None, team=second, on=datetime.date(2022, 1, 1))
    assert "共 1 条" in page("?status=active")
    assert "共 2 条" in page()
    make_association("440106")  # a second association to build under: the choice comes first
    assert 'href="/teams/new/"' in page()
