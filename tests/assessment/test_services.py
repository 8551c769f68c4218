"""The assessment's rules: versions, rounds, the sheet's review chain, tiers, appeals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qingxie.assessment import services
from qingxie.assessment.models import Indicator, IndicatorVersion, Sheet, Value
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.jobs import Job
from qingxie.core.models import ObjectChange
from qingxie.core.review import ReviewDecision
from qingxie.regions.models import Region

from .conftest import CUT_OFF, evidence, fill_all

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------- versions


def test_the_default_version_adds_up_to_its_total(world):
    assert services.weight_sum(world.version) == Decimal(100)
    assert services.version_problems(world.version) == []
    computed = world.version.indicators.filter(kind="computed")
    assert sum(i.weight for i in computed) == 48


def test_weights_over_the_total_are_refused_and_nothing_saved(world, make_user):
    national = make_user("national_admin", "000000")
    ind = world.version.indicators.get(code="charter")
    with pytest.raises(QingxieError) as exc:
        services.indicator_update(actor=national, indicator=ind, weight=10)
    assert "超过总分 100 分" in exc.value.errors["weight"][0]
    ind.refresh_from_db()
    assert ind.weight == 6


def test_a_round_refuses_a_version_whose_weights_do_not_add_up(world, make_user):
    national = make_user("national_admin", "000000")
    ind = world.version.indicators.get(code="charter")
    services.indicator_update(actor=national, indicator=ind, weight=4)
    with pytest.raises(QingxieError) as exc:
        world.open_round()
    assert exc.value.errors["indicator_version"] == ["指标分值合计为 98 分，应等于总分 100 分。"]
    assert not world.version.rounds.exists()


def test_a_version_is_frozen_once_a_round_uses_it(opened, make_user):
    national = make_user("national_admin", "000000")
    version = IndicatorVersion.objects.get(pk=opened.version.pk)
    assert version.frozen
    with pytest.raises(QingxieError, match="已被评估轮次使用并冻结"):
        services.indicator_update(
            actor=national, indicator=version.indicators.get(code="charter"), weight=5
        )
    copy = services.version_copy(
        actor=national, source=version, code="default-2022", name="2022版", year=2022
    )
    assert not copy.frozen and services.weight_sum(copy) == 100
    services.indicator_update(
        actor=national,
        indicator=copy.indicators.get(code="teams"),
        params={"steps": [[1, 50], [3, 100]]},
    )


def test_only_the_nation_edits_indicators(world, make_user):
    province = make_user("province_admin", "440000")
    with pytest.raises(PermissionDeniedError):
        services.indicator_update(
            actor=province, indicator=world.version.indicators.get(code="charter"), weight=5
        )


def test_a_decreasing_threshold_rule_is_refused(world, make_user):
    national = make_user("national_admin", "000000")
    with pytest.raises(QingxieError) as exc:
        services.indicator_update(
            actor=national,
            indicator=world.version.indicators.get(code="teams"),
            params={"steps": [[1, 80], [5, 20]]},
        )
    assert exc.value.errors["params"] == ["门槛越高，得分比例不能越低。"]


# ------------------------------------------------------------------------- rounds


def test_a_province_may_open_its_own_round_but_not_a_city(world, make_user):
    city = make_user("city_admin", "440100")
    today = timezone.localdate()
    kw = dict(
        year=2022,
        indicator_version=world.version,
        cut_off=today,
        self_until=today,
        review_until=today,
        appeal_until=today,
    )
    with pytest.raises(QingxieError) as exc:
        services.round_open(actor=city, region=Region.objects.get(code="440100"), **kw)
    assert exc.value.errors["region"] == ["年度评估由全国或省级组织。"]
    province = make_user("province_admin", "440000")
    rnd = services.round_open(actor=province, region=Region.objects.get(code="440000"), **kw)
    services.round_compute(round_id=rnd.pk)
    assert set(rnd.sheets.values_list("association__region__code", flat=True)) == {
        "440105",
        "440106",
    }


def test_dates_out_of_order_are_named(world):
    with pytest.raises(QingxieError) as exc:
        services.round_open(
            actor=None,
            region=Region.objects.get(code="000000"),
            year=2021,
            indicator_version=world.version,
            cut_off=datetime.date(2021, 12, 31),
            self_until=datetime.date(2021, 6, 1),
            review_until=datetime.date(2022, 1, 1),
            appeal_until=datetime.date(2022, 2, 1),
        )
    assert exc.value.errors["self_until"] == ["自评截止日期不能早于数据截止日期。"]


def test_the_job_computes_the_round_at_the_cut_off(world, make_user):
    national = make_user("national_admin", "000000")
    today = timezone.localdate()
    rnd = services.round_open(
        actor=national,
        region=Region.objects.get(code="000000"),
        year=2021,
        indicator_version=world.version,
        cut_off=CUT_OFF,
        self_until=today,
        review_until=today,
        appeal_until=today,
    )
    assert rnd.sheets.count() == 0
    # The periodic job finds the open round whose cut-off has passed and queues its job.
    assert services.rounds_compute_due() == 1
    job = Job.objects.get(kind="assessment.compute")
    assert job.state == Job.State.DONE, job.message
    rnd.refresh_from_db()
    assert rnd.status == "computed"
    # County level only: 海珠, 天河, 兴宁; the province and city associations are not assessed.
    assert rnd.sheets.count() == 3
    hz = rnd.sheets.get(association=world.hz)
    registered = hz.values.get(indicator__code="registered")
    assert (registered.value, registered.points, registered.source_text) == (1, 8, "已登记")
    assert rnd.sheets.get(association=world.th).values.get(indicator__code="registered").points == 0


def test_recomputing_is_idempotent(opened):
    before = list(Value.objects.order_by("pk").values_list("pk", "points"))
    result = services.round_compute(round_id=opened.round.pk)
    assert result["created"] == 0 and result["changed"] == 0
    assert list(Value.objects.order_by("pk").values_list("pk", "points")) == before


# -------------------------------------------------------------------- the sheet


def test_manual_values_out_of_range_or_without_evidence_are_refused(opened):
    sheet = opened.sheet(opened.hz)
    activities = Indicator.objects.get(indicator_version=opened.version, code="activities")
    with pytest.raises(QingxieError) as exc:
        services.value_fill(actor=None, sheet=sheet, indicator=activities, value="-3")
    assert exc.value.errors["value"] == ["“年度志愿服务活动”须在 0 至 10000 之间。"]
    charter = Indicator.objects.get(indicator_version=opened.version, code="charter")
    with pytest.raises(QingxieError) as exc:
        services.value_fill(actor=None, sheet=sheet, indicator=charter, grade="A")
    assert exc.value.errors["evidence"] == ["“章程与按期换届”须上传佐证材料。"]
    with pytest.raises(QingxieError) as exc:
        services.value_fill(actor=None, sheet=sheet, indicator=charter, grade="E")
    assert "请为“章程与按期换届”选择等级" in exc.value.errors["grade"][0]
    registered = Indicator.objects.get(indicator_version=opened.version, code="registered")
    with pytest.raises(QingxieError, match="由平台数据计算"):
        services.value_fill(actor=None, sheet=sheet, indicator=registered, value=1)
    assert not sheet.values.filter(filled=True, indicator__kind="manual").exists()


def test_a_county_submits_the_city_reviews_the_province_confirms(opened, make_user):
    county = make_user("county_admin", "440105")
    city = make_user("city_admin", "440100")
    other_city = make_user("city_admin", "440300")
    province = make_user("province_admin", "440000")
    sheet = opened.sheet(opened.hz)
    with pytest.raises(QingxieError) as exc:
        services.sheet_submit(actor=county, sheet=sheet)
    assert "“章程与按期换届”未填报" in exc.value.errors["values"][0]
    fill_all(sheet)
    services.sheet_submit(actor=county, sheet=sheet, note="已自评")
    sheet.refresh_from_db()
    assert sheet.state == "submitted"
    # Not the county itself, not another city, not the province (the city first).
    for wrong in (county, other_city, province):
        with pytest.raises(PermissionDeniedError, match="广州市"):
            services.sheet_verify(actor=wrong, sheet=sheet)
    services.sheet_return(actor=city, sheet=sheet, reason="活动场次请附台账")
    sheet.refresh_from_db()
    assert sheet.state == "returned" and sheet.return_reason == "活动场次请附台账"
    services.sheet_submit(actor=county, sheet=sheet, note="已补充")
    services.sheet_verify(actor=city, sheet=sheet)
    with pytest.raises(PermissionDeniedError):
        services.sheet_confirm(actor=city, sheet=sheet)
    services.sheet_confirm(actor=province, sheet=sheet)
    sheet.refresh_from_db()
    assert sheet.confirmed_on == timezone.localdate()
    assert list(
        ReviewDecision.objects.filter(object_id=str(sheet.pk))
        .order_by("time", "id")
        .values_list("action", "user")
    ) == [
        ("submit", county.pk),
        ("return", city.pk),
        ("submit", county.pk),
        ("verify", city.pk),
    ]
    assert sheet.confirmed_by == province
    assert ObjectChange.objects.filter(object_id=str(sheet.pk), note="省级确认").exists()


def test_the_province_sends_a_reviewed_sheet_back(opened, make_user):
    city = make_user("city_admin", "440100")
    province = make_user("province_admin", "440000")
    sheet = opened.sheet(opened.hz)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    services.sheet_verify(actor=city, sheet=sheet)
    with pytest.raises(QingxieError) as exc:
        services.sheet_send_back(actor=province, sheet=sheet, reason=" ")
    assert exc.value.errors["reason"] == ["请填写退回原因。"]
    services.sheet_send_back(actor=province, sheet=sheet, reason="佐证不足")
    sheet.refresh_from_db()
    assert sheet.state == "returned" and sheet.return_reason == "省级退回：佐证不足"


def test_a_submitted_sheet_cannot_be_edited(opened):
    sheet = opened.sheet(opened.hz)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    with pytest.raises(QingxieError, match="评估表已提交"):
        fill_all(sheet, grade="B")


def test_after_the_self_assessment_deadline_nothing_is_submitted(world):
    world.open_round(self_until=CUT_OFF + datetime.timedelta(days=1))
    sheet = world.sheet(world.hz)
    fill_all(sheet)
    with pytest.raises(QingxieError, match="自评已于 2022-01-01 截止"):
        services.sheet_submit(actor=None, sheet=sheet)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grades=st.lists(st.sampled_from("ABCD"), min_size=8, max_size=8),
    activities=st.integers(0, 60),
)
def test_a_total_equals_the_sum_of_its_points(opened, grades, activities):
    sheet = opened.sheet(opened.th)
    manual = list(sheet.values.select_related("indicator").filter(indicator__kind="manual"))
    for v, grade in zip(manual, grades, strict=False):
        ind = v.indicator
        services.value_fill(
            actor=None,
            sheet=sheet,
            indicator=ind,
            grade=grade if ind.rule == "abc" else "",
            value=activities,
            evidence=evidence() if ind.evidence_required else None,
        )
    sheet = Sheet.objects.get(pk=sheet.pk)
    points = [v.points for v in sheet.values.exclude(indicator__kind="gate")]
    assert sheet.total == sum(points)
    assert sum(Decimal(x) for x in sheet.dimension_scores.values()) == sheet.total
    assert Decimal(0) <= sheet.total <= 100


def test_tiers_follow_the_cut_offs_and_a_province_may_set_its_own(opened, make_user):
    national = make_user("national_admin", "000000")
    province = make_user("province_admin", "440000")
    sheet = opened.sheet(opened.hz)
    total = sheet.total
    assert sheet.tier == services.scoring.tier_for(total, opened.round.tiers)
    services.round_set_tiers(
        actor=province,
        round=opened.round,
        province=Region.objects.get(code="440000"),
        tiers=[["示范", 90], ["规范", 1], ["薄弱", 0]],
    )
    sheet.refresh_from_db()
    assert sheet.tier == ("规范" if total >= 1 else "薄弱")
    # Guangxi keeps the round's cut-offs.
    assert opened.sheet(opened.nn).tier in {t[0] for t in opened.round.tiers}
    with pytest.raises(PermissionDeniedError):
        services.round_set_tiers(actor=province, round=opened.round, tiers=[["A", 50], ["B", 0]])
    with pytest.raises(QingxieError) as exc:
        services.round_set_tiers(actor=national, round=opened.round, tiers=[["A", 10], ["B", 50]])
    assert exc.value.errors["tiers"] == ["档次须按最低分从高到低排列。"]


def test_a_failed_gate_bars_the_best_tier(opened):
    sheet = opened.sheet(opened.hz)
    gate = Indicator.objects.get(indicator_version=opened.version, code="no-violation")
    services.round_set_tiers(actor=None, round=opened.round, tiers=[["示范", 0], ["规范", -1]])
    services.value_fill(actor=None, sheet=sheet, indicator=gate, value=0)
    sheet.refresh_from_db()
    assert not sheet.eligible and sheet.tier == "规范"
    assert sheet.gate_notes == "未满足：无违规违纪情况"


def test_appeals_within_the_window_only(world, make_user):
    world.open_round(appeal_until=timezone.localdate() + datetime.timedelta(days=1))
    county = make_user("county_admin", "440105")
    sheet = world.sheet(world.hz)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    with pytest.raises(QingxieError, match="经省级确认后才能申诉"):
        services.sheet_appeal(actor=county, sheet=sheet, reason="x")
    services.sheet_verify(actor=None, sheet=sheet)
    services.sheet_confirm(actor=None, sheet=sheet)
    services.sheet_appeal(actor=county, sheet=sheet, reason="团体会员漏计")
    with pytest.raises(QingxieError, match="只能申诉一次"):
        services.sheet_appeal(actor=county, sheet=sheet, reason="again")
    services.sheet_appeal_decide(
        actor=None,
        sheet=sheet,
        upheld=True,
        outcome="更正活动场次",
        indicator=Indicator.objects.get(indicator_version=world.version, code="activities"),
        value=40,
    )
    sheet.refresh_from_db()
    assert sheet.appeal_state == "upheld"
    assert sheet.values.get(indicator__code="activities").points == 5
    # After the window: refused.
    other = world.sheet(world.th)
    fill_all(other)
    services.sheet_submit(actor=None, sheet=other)
    services.sheet_verify(actor=None, sheet=other)
    services.sheet_confirm(actor=None, sheet=other)
    world.round.appeal_until = timezone.localdate() - datetime.timedelta(days=1)
    world.round.save()
    with pytest.raises(QingxieError) as exc:
        services.sheet_appeal(actor=None, sheet=other, reason="晚了")
    assert "申诉已于" in exc.value.errors["reason"][0]
