"""The change history on an object page shows each changed field as old → new, personal
fields masked (as the change log records them)."""

from __future__ import annotations

import pytest

from qingxie.accounts.models import User
from qingxie.regions.models import Region
from qingxie.teams.services import team_create, team_update
from tests.web.helpers import D, doc, make_association, text

pytestmark = pytest.mark.django_db


def test_history_shows_old_and_new_values_with_the_phone_masked(client_for):
    association = make_association("440105")
    street = Region.objects.filter(parent__code="440105").order_by("code").first()
    admin = User.objects.create_superuser("root-history", password="x" * 16)
    team = team_create(
        actor=admin,
        association=association,
        name="赤岗街道青年志愿服务队",
        category="township",
        township=street,
        leader_phone="13800138000",
        founded_on=D(2021, 1, 1),
    )
    team_update(actor=admin, team=team, member_count=25, leader_phone="13912345678")
    page = doc(client_for("county_admin", "440105").get(team.get_absolute_url()))
    (history,) = page.xpath("//section[@id='history']")
    diffs = [text(li) for li in history.xpath(".//ul[@class='diffs']/li")]
    assert "队员人数：0 → 25" in diffs
    (phone,) = [d for d in diffs if d.startswith("负责人电话")]
    assert "13912345678" not in phone and "13800138000" not in phone
    assert "→" in phone
