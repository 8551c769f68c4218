"""Moving a retired region's association to its successor change-logs its teams' move too."""

from __future__ import annotations

import datetime

import pytest

from qingxie.core.changelog import changes_for
from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.regions.models import Region
from qingxie.teams.services import team_create

pytestmark = pytest.mark.django_db
D = datetime.date


def test_each_team_that_follows_its_association_gets_an_update_entry_with_before_and_after():
    old, new = Region.objects.get(code="440105"), Region.objects.get(code="440106")
    a = services.association_create(
        actor=None,
        region=old,
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )
    teams = [
        team_create(
            actor=None, association=a, name=name, category="school", founded_on=D(2020, 1, 1)
        )
        for name in ("甲队", "乙队")
    ]
    old.valid_to, old.successor = D(2021, 1, 1), new
    old.save()
    services.associations_follow_successors()
    for team in teams:
        team.refresh_from_db()
        assert team.region == new
        (moved,) = [c for c in changes_for(team) if c.action == ObjectChange.Action.UPDATE]
        assert moved.before["region"] == old.pk and moved.after["region"] == new.pk
