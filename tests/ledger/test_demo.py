"""The demo national ledger: Guangdong matches its bulletin, everything is demo, loading is idempotent.

The ledger is loaded once for the module (about 40 s on SQLite) inside a transaction that is
rolled back afterwards; each test runs in a savepoint inside it.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

from qingxie.ledger.choices import LIVE_STATUSES, AssociationStatus, ChecklistState
from qingxie.ledger.coverage import coverage_tree
from qingxie.ledger.demo import (
    BULLETIN_DATE,
    GD_UNCOVERED,
    TEAMS_TOTAL,
    demo_ledger_counts,
    demo_ledger_load,
)
from qingxie.ledger.models import Association, ChecklistEntry, GroupMember, Seat
from qingxie.regions.models import Region
from qingxie.teams.models import Team


@pytest.fixture(scope="module")
def demo_ledger(django_db_setup, django_db_blocker):
    """Load the demo ledger once for this module and roll it back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_ledger_load()
        yield result
        transaction.set_rollback(True)


def test_guangdong_matches_its_bulletin(demo_ledger, db):
    """On 2021-05-06: 106 of 122 established (86.9 %), 84 standardized (68.9 %)."""
    assert demo_ledger.created
    node = coverage_tree(Region.objects.get(code="440000"), BULLETIN_DATE, depth=1)
    assert (node.counties, node.established, node.standardized) == (122, 106, 84)
    assert (node.coverage_rate, node.standardized_rate) == (86.9, 68.9)
    assert sum(c.established for c in node.children) == 106
    assert sum(c.standardized for c in node.children) == 84


def test_guangdong_today_leaves_work_for_a_cadre(demo_ledger, db):
    """海珠区 is established and standardized; the listed counties have no association at all."""
    haizhu = Association.objects.get(region__code="440105", status__in=LIVE_STATUSES)
    assert haizhu.is_demo and haizhu.is_standardized and haizhu.name == "海珠区青年志愿者协会"
    assert not Association.objects.filter(region__code__in=GD_UNCOVERED).exists()
    today = coverage_tree(Region.objects.get(code="440000"), datetime.date.today(), depth=0)
    assert 106 < today.established < today.counties == 122


def test_national_coverage_rises_across_the_targets(demo_ledger, db):
    """Coverage climbs through 2020–2023 and is nearly full by the end of the history."""
    nation = Region.objects.get(code="000000")
    rates = [
        coverage_tree(nation, datetime.date(year, 12, 31), depth=0).coverage_rate
        for year in (2019, 2020, 2021, 2023, 2024)
    ]
    assert rates == sorted(rates)
    assert rates[0] < 50 <= rates[1] and rates[2] >= 70 and rates[4] >= 95


def test_everything_is_marked_demo(demo_ledger, db):
    """Associations, teams and group members are demo rows with undialable phone numbers."""
    assert not Association.objects.filter(is_demo=False).exists()
    assert not Team.objects.filter(is_demo=False).exists()
    assert not GroupMember.objects.filter(is_demo=False).exists()
    assert not Association.objects.exclude(note__contains="演示").exists()
    phones = list(Association.objects.values_list("president_phone", "secretary_phone"))
    phones += list(Team.objects.values_list("leader_phone", "leader_phone")[:2000])
    assert all(p.startswith("000-0000") for pair in phones for p in pair)


def test_shape_and_consistency(demo_ledger, db):
    """Sizes as promised; numbers, USCCs, periods, seats and townships hold together."""
    counts = demo_ledger.counts
    assert 3_100 <= counts["associations"] <= 3_400
    assert 2_800 <= counts["county_associations"] <= 2_850
    assert counts["teams"] == TEAMS_TOTAL
    assert counts["awaiting_verification"] > 50 and counts["returned"] > 20
    statuses = set(Association.objects.values_list("status", flat=True))
    assert statuses == set(AssociationStatus.values)
    for number, code in Association.objects.values_list("number", "uscc"):
        assert mod_11_2.is_valid(number.replace("-", ""))
        assert not code or uscc.is_valid(code)
    live = {a.region_id: a for a in Association.objects.filter(status__in=LIVE_STATUSES)}
    open_seats = set(Seat.objects.filter(until__isnull=True).values_list("holder", "member"))
    parents = dict(Region.objects.filter(id__in=list(live)).values_list("id", "parent_id"))
    for region_id, association in live.items():
        holder = live.get(parents[region_id])
        if holder is not None:
            assert (holder.pk, association.pk) in open_seats, association
    for a in Association.objects.prefetch_related("status_periods", "standardization_periods"):
        (open_status,) = [p for p in a.status_periods.all() if p.end is None]
        assert (open_status.status, open_status.start) == (a.status, a.status_since), a
        open_std = [p.start for p in a.standardization_periods.all() if p.end is None]
        assert open_std == ([a.standardized_since] if a.standardized_since else []), a
    verified = ChecklistEntry.objects.filter(state=ChecklistState.VERIFIED).count()
    assert verified >= 10 * counts["standardized"]
    outside = [
        t
        for t in Team.objects.filter(township__isnull=False).select_related("township", "region")
        if not t.township.path.startswith(t.region.path)
    ]
    assert outside == []


def test_bulk_loaded_history_is_what_the_services_would_rebuild(demo_ledger, db):
    """Every standardization period equals a rebuild from status and verification spans."""
    from qingxie.ledger.services import _standardization_rebuild

    differing = []
    for a in Association.objects.all():
        before = list(a.standardization_periods.values_list("region_id", "start", "end"))
        since = a.standardized_since
        _standardization_rebuild(a)
        after = list(a.standardization_periods.values_list("region_id", "start", "end"))
        if (before, since) != (after, a.standardized_since):
            differing.append((a.number, before, after))
    assert differing == []


def test_loading_twice_changes_nothing(demo_ledger, db):
    """A second load is skipped and leaves every count as it was."""
    before = demo_ledger_counts()
    again = demo_ledger_load()
    assert not again.created and "已存在" in again.reason
    assert demo_ledger_counts() == before


def test_demo_accounts_find_work_in_their_queues(demo_ledger, make_user):
    """The city sees 从化区's resubmitted training; the province sees 广州市's own items."""
    from qingxie.ledger.selectors import entries_to_verify

    city = [e.association.region.code for e in entries_to_verify(make_user("city_admin", "440100"))]
    assert city == ["440117"]
    province = {
        e.association.region.code for e in entries_to_verify(make_user("province_admin", "440000"))
    }
    assert "440100" in province
