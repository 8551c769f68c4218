"""Competitions: quotas, no level skipping, criteria weights, judges' assignments and 回避,
score ranges, ranking, awards and disbursements with totals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.projects import competitions as c
from qingxie.projects import selectors
from qingxie.projects.models import Entry, ScoreSheet
from qingxie.regions.models import Region
from tests.projects.conftest import project

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(gd, make_user):
    gd.province = make_user("province_admin", "440000")
    gd.city = make_user("city_admin", "440100")
    gd.sz_city = make_user("city_admin", "440300")
    gd.comp = c.competition_create(
        actor=gd.province, organiser=Region.objects.get(code="440000"), name="益苗计划", year=2021
    )
    gd.cat = c.category_add(actor=gd.province, competition=gd.comp, name="关爱少年儿童")
    gd.stage = c.stage_add(
        actor=gd.province, competition=gd.comp, kind="preliminary", drop_extremes=True
    )
    c.criteria_set(
        actor=gd.province,
        stage=gd.stage,
        criteria=[
            {"name": "项目创意", "weight": 60, "max_score": 100},
            {"name": "受益覆盖", "weight": 40, "max_score": 20},
        ],
    )
    gd.crit = list(gd.stage.criteria.all())
    c.quota_set(
        actor=gd.province,
        competition=gd.comp,
        region=Region.objects.get(code="440100"),
        max_entries=2,
    )
    return gd


def test_criteria_weights_must_add_up(contest):
    with pytest.raises(QingxieError) as exc:
        c.criteria_set(
            actor=contest.province,
            stage=contest.stage,
            criteria=[{"name": "项目建设", "weight": 50}, {"name": "现场表现", "weight": 30}],
        )
    assert exc.value.errors["criteria"] == ["各评分项权重之和须为 100，现为 80。"]
    assert contest.stage.criteria.count() == 2


def test_entries_quota_and_no_level_skipping(contest, make_user):
    p1, p2, p3 = (project(contest.hz, name=f"项目{i}") for i in range(3))
    county = make_user("county_admin", "440105")
    with pytest.raises(QingxieError) as exc:
        c.entry_submit(actor=county, competition=contest.comp, category=contest.cat, project=p1)
    assert "不能越级报送" in exc.value.errors["project"][0]
    with pytest.raises(QingxieError, match="不能越级报送"):
        c.entry_submit(
            actor=contest.province, competition=contest.comp, category=contest.cat, project=p1
        )
    c.entry_submit(actor=contest.city, competition=contest.comp, category=contest.cat, project=p1)
    with pytest.raises(QingxieError) as exc:
        c.entry_submit(
            actor=contest.city, competition=contest.comp, category=contest.cat, project=p1
        )
    assert exc.value.errors["project"] == ["该项目已报送本届赛事，不能重复报送。"]
    c.entry_submit(actor=contest.city, competition=contest.comp, category=contest.cat, project=p2)
    with pytest.raises(QingxieError) as exc:
        c.entry_submit(
            actor=contest.city, competition=contest.comp, category=contest.cat, project=p3
        )
    assert exc.value.errors["quota"] == ["广州市的报送名额为 2 个，已报送 2 个。"]
    assert Entry.objects.count() == 2


def _entries(contest):
    hz = c.entry_submit(
        actor=contest.city,
        competition=contest.comp,
        category=contest.cat,
        project=project(contest.hz, name="海珠项目"),
    )
    th = c.entry_submit(
        actor=contest.city,
        competition=contest.comp,
        category=contest.cat,
        project=project(contest.th, name="天河项目"),
    )
    lh = c.entry_submit(
        actor=contest.sz_city,
        competition=contest.comp,
        category=contest.cat,
        project=project(contest.lh, name="罗湖项目"),
    )
    return hz, th, lh


def test_judging_conflicts_ranges_and_ranking(contest, make_user):
    hz, th, lh = _entries(contest)
    gz_judge = contest.city  # a Guangzhou cadre judging the provincial contest
    outsider = make_user("viewer", "450000")
    stranger = make_user("viewer", "450100")
    for judge in (gz_judge, outsider):
        c.judge_assign(
            actor=contest.province, stage=contest.stage, category=contest.cat, judge=judge
        )
    a, b = contest.crit
    with pytest.raises(PermissionDeniedError, match="须回避：评委的权限区划为广州市"):
        c.sheet_save(actor=gz_judge, entry=hz, scores={str(a.pk): 80, str(b.pk): 10})
    with pytest.raises(PermissionDeniedError, match="未被分配"):
        c.sheet_save(actor=stranger, entry=lh, scores={str(a.pk): 80, str(b.pk): 10})
    with pytest.raises(QingxieError) as exc:
        c.sheet_save(actor=outsider, entry=hz, scores={str(a.pk): 101, str(b.pk): 10}, submit=True)
    assert exc.value.errors[f"criterion_{a.pk}"] == ["“项目创意”的得分须在 0 到 100 之间。"]
    assert not ScoreSheet.objects.exists()
    # A draft, then a submission; a submitted sheet is final.
    c.sheet_save(actor=outsider, entry=hz, scores={str(a.pk): 50})
    with pytest.raises(QingxieError, match="请为“受益覆盖”评分"):
        c.sheet_save(actor=outsider, entry=hz, scores={str(a.pk): 50}, submit=True)
    c.sheet_save(actor=outsider, entry=hz, scores={str(a.pk): 90, str(b.pk): 20}, submit=True)
    with pytest.raises(QingxieError, match="已提交"):
        c.sheet_save(actor=outsider, entry=hz, scores={str(a.pk): 10, str(b.pk): 1})
    c.sheet_save(actor=outsider, entry=th, scores={str(a.pk): 50, str(b.pk): 10}, submit=True)
    c.sheet_save(actor=gz_judge, entry=lh, scores={str(a.pk): 100, str(b.pk): 20}, submit=True)
    c.sheet_save(actor=outsider, entry=lh, scores={str(a.pk): 60, str(b.pk): 10}, submit=True)
    result = selectors.competition_ranking(contest.comp)
    rows = [
        (r["entry"].pk, str(r["row"].score_display), r["row"].rank)
        for r in result.categories[0]["rows"]
    ]
    # hz: 0.9×60 + 1×40 = 94; lh: mean(100, 56) = 78; th: 30 + 20 = 50.
    assert rows == [(hz.pk, "94.00", 1), (lh.pk, "78.00", 2), (th.pk, "50.00", 3)]
    # The judge's list offers only assigned entries and marks the conflict.
    listed = {r["entry"].pk: r["conflict"] for r in selectors.judge_entries(gz_judge, contest.comp)}
    assert listed[lh.pk] is None and "回避" in listed[hz.pk]
    assert selectors.judge_entries(stranger, contest.comp) == []


def test_awards_disbursements_and_totals(contest):
    hz, th, lh = _entries(contest)
    award = c.award_grant(actor=contest.province, entry=hz, tier="示范项目", amount=50000)
    c.award_grant(actor=contest.province, entry=lh, tier="重点培育", amount="30000")
    with pytest.raises(PermissionDeniedError):
        c.award_grant(actor=contest.city, entry=th, tier="持续支持", amount=1)
    c.disbursement_record(
        actor=contest.province, award=award, amount=30000, paid_on=datetime.date(2021, 6, 1)
    )
    with pytest.raises(QingxieError) as exc:
        c.disbursement_record(
            actor=contest.province,
            award=award,
            amount="20000.01",
            paid_on=datetime.date(2021, 7, 1),
        )
    assert exc.value.errors["amount"] == [
        "拨付合计 50000.01 元将超过奖项金额 50000.00 元（已拨付 30000.00 元）。"
    ]
    totals = selectors.funding_totals(contest.comp)
    assert totals["awarded"] == Decimal("80000.00") and totals["disbursed"] == Decimal("30000.00")
    assert totals["county_associations"] == 2
    assert {r["region"]: r["awarded"] for r in totals["per_region"]} == {
        "440100": Decimal("50000.00"),
        "440300": Decimal("30000.00"),
    }
