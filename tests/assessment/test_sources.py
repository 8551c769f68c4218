"""The data sources agree with the figures the platform shows elsewhere, and their batch form
with their single form."""

from __future__ import annotations

import datetime

import pytest

from qingxie.core.indicators import indicator_source, indicator_value, indicator_values
from qingxie.ledger import services as ledger
from qingxie.ledger.coverage import coverage_tree
from qingxie.ledger.models import ChecklistItem
from qingxie.regions.models import Region
from qingxie.teams.services import team_create

from .conftest import CUT_OFF, D

pytestmark = pytest.mark.django_db

SOURCES = [
    "ledger.registered",
    "ledger.checklist_rate",
    "ledger.standardized",
    "ledger.group_members",
    "ledger.active_all_year",
    "teams.township_rate",
    "teams.live_teams",
]


def test_each_app_registered_its_sources():
    for code in SOURCES:
        assert indicator_source(code) is not None, code


def _teams(world):
    for code in ("440105001", "440105002", "440105003"):
        team_create(
            actor=None,
            association=world.hz,
            name=f"{code}队",
            category="township",
            township=Region.objects.get(code=code),
            founded_on=D(2020, 5, 1),
        )
    team_create(
        actor=None, association=world.hz, name="校园队", category="school", founded_on=D(2022, 1, 5)
    )


def test_township_coverage_equals_the_coverage_page(world):
    _teams(world)
    value, text = indicator_value("teams.township_rate", world.hz, CUT_OFF)
    node = coverage_tree(world.hz.region, CUT_OFF, depth=0)
    assert float(value) == node.township_rate
    assert f"{node.townships_with_team}/{node.townships}" in text
    assert node.townships_with_team == 3


def test_live_teams_count_only_teams_founded_by_the_cut_off(world):
    _teams(world)
    assert indicator_value("teams.live_teams", world.hz, CUT_OFF)[0] == 3
    assert indicator_value("teams.live_teams", world.hz, D(2022, 2, 1))[0] == 4


def test_standardized_and_checklist_follow_the_verifications(world):
    items = list(ChecklistItem.objects.filter(required=True, active=True))
    for item in items[:-1]:
        entry = ledger.checklist_entry_submit(
            actor=None, association=world.hz, item=item, note="已完成"
        )
        ledger.checklist_entry_verify(actor=None, entry=entry, on=D(2021, 3, 1))
    rate, text = indicator_value("ledger.checklist_rate", world.hz, CUT_OFF)
    assert 0 < rate < 100
    assert text == f"规范化建设事项已核验 {len(items) - 1}/{len(items)} 项"
    assert indicator_value("ledger.standardized", world.hz, CUT_OFF)[0] == 0
    entry = ledger.checklist_entry_submit(
        actor=None, association=world.hz, item=items[-1], note="已完成"
    )
    ledger.checklist_entry_verify(actor=None, entry=entry, on=D(2021, 6, 1))
    assert indicator_value("ledger.checklist_rate", world.hz, CUT_OFF)[0] == 100
    assert indicator_value("ledger.standardized", world.hz, CUT_OFF)[0] == 1
    # The figure on the coverage page counts 海珠 as standardized on the same date.
    assert coverage_tree(world.hz.region, CUT_OFF, depth=0).standardized == 1
    # Before the last verification, not yet.
    assert indicator_value("ledger.standardized", world.hz, D(2021, 5, 1))[0] == 0


def test_group_members_and_registration(world):
    ledger.group_member_create(
        actor=None,
        association=world.hz,
        name="蓝天救援队",
        kind="volunteer_organisation",
        admitted_on=D(2021, 2, 1),
    )
    ledger.group_member_create(
        actor=None,
        association=world.hz,
        name="晚到队",
        kind="volunteer_organisation",
        admitted_on=D(2022, 2, 1),
    )
    assert indicator_value("ledger.group_members", world.hz, CUT_OFF)[0] == 1
    assert indicator_value("ledger.registered", world.hz, CUT_OFF)[0] == 1
    assert indicator_value("ledger.registered", world.th, CUT_OFF)[0] == 0
    assert indicator_value("ledger.registered", world.hz, D(2019, 6, 1))[0] == 0


def test_active_all_year_gate(world):
    assert indicator_value("ledger.active_all_year", world.hz, CUT_OFF)[0] == 1
    ledger.association_suspend(actor=None, association=world.th, on=D(2021, 8, 1))
    assert indicator_value("ledger.active_all_year", world.th, CUT_OFF)[0] == 0
    assert indicator_value("ledger.active_all_year", world.th, D(2021, 7, 1))[0] == 1


@pytest.mark.parametrize("code", SOURCES)
def test_batch_agrees_with_the_single_figure(world, code):
    _teams(world)
    ledger.group_member_create(
        actor=None,
        association=world.th,
        name="天河义工",
        kind="volunteer_organisation",
        admitted_on=D(2021, 2, 1),
    )
    people = [world.hz, world.th, world.nn]
    for day in (CUT_OFF, datetime.date(2020, 6, 30)):
        batch = indicator_values(code, people, day)
        for a in people:
            assert batch[a.pk] == indicator_value(code, a, day), (code, a.name, day)
