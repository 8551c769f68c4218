"""Team services: the township must lie inside the association's county; township coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.ledger import coverage, services
from qingxie.teams.models import Team
from qingxie.teams.services import team_create, team_dissolve, team_update

pytestmark = pytest.mark.django_db
D = dt.date
DEFAULT_DAY = D(2020, 1, 1)


@pytest.fixture
def haizhu(region):
    return services.association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )


def township_team(assoc, township, on=DEFAULT_DAY, actor=None, **kw):
    return team_create(
        actor=actor,
        association=assoc,
        name=kw.pop("name", f"{township.name}青年志愿服务队"),
        category="township",
        township=township,
        founded_on=on,
        member_count=kw.pop("member_count", 30),
        **kw,
    )


def test_township_outside_the_county_is_refused(haizhu, region):
    with pytest.raises(QingxieError) as excinfo:
        township_team(haizhu, region("440106001"))
    assert "不在海珠区范围内" in excinfo.value.errors["township"][0]
    assert not Team.objects.exists()


def test_township_team_needs_a_township_and_a_county_is_not_one(haizhu, region):
    with pytest.raises(QingxieError) as excinfo:
        team_create(
            actor=None, association=haizhu, name="x", category="township", founded_on=D(2020, 1, 1)
        )
    assert "township" in excinfo.value.errors
    with pytest.raises(QingxieError) as excinfo:
        township_team(haizhu, region("440105"))
    assert "不是乡镇" in excinfo.value.errors["township"][0]


def test_bad_fields_are_all_named(haizhu):
    future = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(QingxieError) as excinfo:
        team_create(
            actor=None,
            association=haizhu,
            name="",
            category="club",
            founded_on=future,
            member_count=-1,
            leader_phone="abc",
        )
    assert set(excinfo.value.errors) >= {
        "name",
        "category",
        "founded_on",
        "member_count",
        "leader_phone",
    }


def test_township_coverage_counts_townships_with_an_active_team(haizhu, region):
    towns = list(region("440105").children.order_by("code")[:3])
    first = township_team(haizhu, towns[0], on=D(2020, 1, 1))
    township_team(haizhu, towns[0], on=D(2020, 2, 1), name="第二支队伍")
    township_team(haizhu, towns[1], on=D(2021, 1, 1))
    team_create(
        actor=None,
        association=haizhu,
        name="中大青年志愿者队",
        category="school",
        founded_on=D(2020, 1, 1),
    )
    hz = region("440105")
    total = hz.township_count
    node = coverage.coverage_tree(hz, D(2020, 6, 1), depth=0)
    assert (node.townships, node.townships_with_team) == (total, 1)
    assert coverage.coverage_tree(hz, D(2021, 6, 1), depth=0).townships_with_team == 2
    team_dissolve(actor=None, team=first, on=D(2022, 1, 1))
    # The second team keeps the first township covered.
    assert coverage.coverage_tree(hz, D(2022, 6, 1), depth=0).townships_with_team == 2
    city = coverage.coverage_tree(region("440100"), D(2022, 6, 1), depth=1)
    assert sum(c.townships_with_team for c in city.children) == city.townships_with_team == 2


def test_dissolve_and_update_rules(haizhu, region, make_user):
    team = township_team(haizhu, region("440105001"), on=D(2020, 5, 1))
    with pytest.raises(QingxieError):
        team_dissolve(actor=None, team=team, on=D(2020, 1, 1))
    with pytest.raises(PermissionDeniedError):
        team_update(actor=make_user("county_admin", "440106"), team=team, member_count=5)
    team_update(actor=make_user("county_admin", "440105"), team=team, member_count=5)
    team.refresh_from_db()
    assert team.member_count == 5
