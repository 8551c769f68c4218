"""The 示范 selection (quota, gates, ranks) and the library (validity, removal, support totals)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from qingxie.assessment import selectors, services
from qingxie.assessment.bulletin import sections
from qingxie.assessment.models import Indicator, LibraryEntry
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.regions.models import Region

from .conftest import D, fill_all

pytestmark = pytest.mark.django_db


def confirm(sheet):
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    services.sheet_verify(actor=None, sheet=sheet)
    services.sheet_confirm(actor=None, sheet=sheet)


@pytest.fixture
def gd(region):
    return region("440000")


def test_only_the_nation_sets_quotas(opened, make_user, gd):
    with pytest.raises(PermissionDeniedError):
        services.quota_set(
            actor=make_user("province_admin", "440000"), region=gd, year=2021, quota=3
        )
    with pytest.raises(QingxieError) as exc:
        services.quota_set(actor=None, region=Region.objects.get(code="440100"), year=2021, quota=3)
    assert exc.value.errors["region"] == ["推荐名额按省份设定。"]
    quota = services.quota_set(
        actor=make_user("national_admin", "000000"), region=gd, year=2021, quota=1
    )
    assert quota.quota == 1


def test_a_province_recommends_within_quota_and_gates(opened, make_user, gd):
    province = make_user("province_admin", "440000")
    with pytest.raises(QingxieError, match="尚未为广东省设定2021年度的推荐名额"):
        services.candidate_recommend(actor=province, association=opened.hz, year=2021)
    services.quota_set(actor=None, region=gd, year=2021, quota=1)
    with pytest.raises(QingxieError, match="尚未经省级确认"):
        services.candidate_recommend(actor=province, association=opened.hz, year=2021)
    hz, th = opened.sheet(opened.hz), opened.sheet(opened.th)
    confirm(hz)
    # 天河 states an open violation (a gate): its confirmed result cannot be recommended.
    gate = Indicator.objects.get(indicator_version=opened.version, code="no-violation")
    services.value_fill(actor=None, sheet=th, indicator=gate, value=0)
    confirm(th)
    with pytest.raises(QingxieError, match="不符合资格条件（未满足：无违规违纪情况）"):
        services.candidate_recommend(actor=province, association=opened.th, year=2021)
    candidate = services.candidate_recommend(actor=province, association=opened.hz, year=2021)
    assert candidate.sheet_id == hz.pk
    with pytest.raises(QingxieError, match="推荐名额为 1 个，已全部使用"):
        services.candidate_recommend(actor=province, association=opened.th, year=2021)
    # Another province may not recommend Guangdong's counties; a city may not either.
    with pytest.raises(PermissionDeniedError):
        services.candidate_recommend(
            actor=make_user("city_admin", "440100"), association=opened.th, year=2021
        )
    with pytest.raises(QingxieError, match="名额不能少于已推荐数"):
        services.quota_set(actor=None, region=gd, year=2021, quota=0)


def test_the_nation_selects_and_the_library_receives(opened, make_user, gd):
    national = make_user("national_admin", "000000")
    services.quota_set(actor=None, region=gd, year=2021, quota=2)
    confirm(opened.sheet(opened.hz))
    candidate = services.candidate_recommend(actor=None, association=opened.hz, year=2021)
    with pytest.raises(PermissionDeniedError):
        services.candidate_decide(
            actor=make_user("province_admin", "440000"), candidate=candidate, selected=True
        )
    services.candidate_decide(actor=national, candidate=candidate, selected=True, on=D(2022, 4, 1))
    entry = LibraryEntry.objects.get(association=opened.hz)
    assert (entry.entered_on, entry.valid_until, entry.status) == (
        D(2022, 4, 1),
        D(2025, 4, 1),
        "active",
    )
    rows = selectors.candidates_for(national, 2021)
    assert [c.state for c in rows] == ["selected"]


def test_validity_renewal_removal_and_support_totals(world, make_user, region):
    province = make_user("province_admin", "440000")
    county = make_user("county_admin", "440105")
    with pytest.raises(PermissionDeniedError):
        services.library_add(
            actor=county, association=world.hz, year=2021, entered_on=D(2021, 4, 30)
        )
    a = services.library_add(
        actor=province, association=world.hz, year=2021, entered_on=D(2021, 4, 30)
    )
    b = services.library_add(
        actor=province,
        association=world.th,
        year=2021,
        entered_on=D(2021, 4, 30),
        kind="team",
        name="天河区应急志愿服务队",
    )
    with pytest.raises(QingxieError, match="已在示范库中"):
        services.library_add(
            actor=province, association=world.hz, year=2021, entered_on=D(2021, 5, 1)
        )
    services.support_add(
        actor=province, entry=a, kind="venture", amount=80000, given_on=D(2021, 6, 30)
    )
    services.support_add(
        actor=county, entry=a, kind="poverty", amount="12000.50", given_on=D(2022, 3, 1)
    )
    services.support_add(
        actor=province, entry=b, kind="venture", amount=50000, given_on=D(2021, 7, 1)
    )
    with pytest.raises(QingxieError) as exc:
        services.support_add(
            actor=province, entry=b, kind="venture", amount=-1, given_on=D(2021, 7, 1)
        )
    assert exc.value.errors["amount"] == ["金额须为不小于 0 的数（元）。"]
    with pytest.raises(QingxieError) as exc:
        services.library_remove(actor=province, entry=b, on=D(2022, 1, 1), reason="")
    assert exc.value.errors["reason"] == ["请填写移出原因。"]
    services.library_remove(actor=province, entry=b, on=D(2022, 1, 1), reason="队伍已撤销")
    totals = selectors.library_totals(province, region("440000"), D(2023, 1, 1))
    assert totals["active"] == 1
    assert totals["support_total"] == Decimal("142000.50")
    assert [(y["year"], y["amount"], y["count"]) for y in totals["by_year"]] == [
        (2022, Decimal("12000.50"), 1),
        (2021, Decimal("130000"), 2),
    ]
    # Expired after three years unless reviewed; the review keeps it for another term.
    assert selectors.library_totals(province, region("440000"), D(2024, 5, 1))["active"] == 0
    services.library_renew(actor=province, entry=a, on=timezone.localdate())
    a.refresh_from_db()
    assert a.valid_until >= timezone.localdate() + datetime.timedelta(days=365 * 3 - 1)
    # A county sees only its own region's totals.
    assert selectors.library_totals(county, region("440000"), D(2023, 1, 1))[
        "support_total"
    ] == Decimal("92000.50")


def test_the_bulletin_gains_a_paragraph_from_the_data(opened, region):
    for assoc in (opened.hz, opened.th):
        services.library_add(actor=None, association=assoc, year=2021, entered_on=D(2021, 4, 30))
        entry = LibraryEntry.objects.get(association=assoc)
        services.support_add(
            actor=None, entry=entry, kind="venture", amount=50000, given_on=D(2021, 6, 1)
        )
    found = sections(region("440000"), D(2021, 12, 31))
    text = " ".join(p for s in found for p in s.paragraphs)
    assert (
        "广东省遴选2个县级协会入选示范性志愿服务组织库（海珠区青年志愿者协会、天河区青年志愿者协会）"
        in text
    )
    assert "资金扶持100,000元" in text
    assert "广东省共有2个县级协会参评" in text
    assert (
        sections(region("450000"), D(2021, 12, 31))[0]
        .paragraphs[0]
        .startswith("2021年度县级青年志愿者协会建设评估中，广西壮族自治区共有1个")
    )
    # An English bulletin reads the same facts in English (names are data).
    with translation.override("en"):
        found = sections(region("440000"), D(2021, 12, 31))
    assert [s.title for s in found] == ["Yearly assessment and model selection"]
    text = " ".join(p for s in found for p in s.paragraphs)
    assert (
        "In 2021, 广东省 chose 2 county-level associations for the library of model volunteer "
        "organisations (海珠区青年志愿者协会, 天河区青年志愿者协会) and funded them with 100,000 yuan"
    ) in text
    assert "2 county-level associations of 广东省 took part" in text
    for word in ("遴选", "参评", "资金扶持", "个县级协会"):
        assert word not in text
    with translation.override("en"):
        one = sections(region("450000"), D(2021, 12, 31))[0].paragraphs[0]
    assert "1 county-level association of 广西壮族自治区 took part" in one
