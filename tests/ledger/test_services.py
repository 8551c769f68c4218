"""Ledger services: numbering, one live association per region, status history, seats,
the verification workflow and standardization periods, group members and targets."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import uscc as stdnum_uscc

from qingxie.core.changelog import changes_for
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.ledger import coverage, services
from qingxie.ledger.choices import AssociationStatus, ChecklistState
from qingxie.ledger.models import (
    Association,
    AssociationStatusPeriod,
    ChecklistEntry,
    ChecklistItem,
    Seat,
)
from qingxie.ledger.numbering import number_normalize

pytestmark = pytest.mark.django_db

D = dt.date
FORM = "youth_volunteer_association"
DEFAULT_DAY = D(2020, 3, 1)


def valid_uscc(body: str = "51440105MJ000001") -> str:
    body = body[:17].ljust(17, "0")
    return body + stdnum_uscc.calc_check_digit(body)


@pytest.fixture
def create(region):
    def make(code: str, on: D = DEFAULT_DAY, actor=None, **kwargs):
        r = region(code)
        return services.association_create(
            actor=actor,
            region=r,
            name=kwargs.pop("name", f"{r.name}青年志愿者协会"),
            form=kwargs.pop("form", FORM),
            established_on=on,
            **kwargs,
        )

    return make


def errors_of(excinfo) -> dict:
    return excinfo.value.errors


# ---------------------------------------------------------------- numbering


def test_numbers_show_region_and_level_and_carry_a_check_character(create):
    county = create("440105")
    city = create("440100")
    assert county.number.startswith("440105-3-01-")
    assert city.number.startswith("440100-2-01-")
    assert number_normalize(county.number.replace("-", "")) == county.number


def test_a_successor_on_the_same_region_gets_the_next_sequence(create):
    first = create("440105", on=D(2015, 1, 1))
    services.association_dissolve(actor=None, association=first, on=D(2018, 6, 30))
    second = create("440105", on=D(2019, 1, 1), name="海珠区志愿者联合会")
    assert second.number.startswith("440105-3-02-")
    assert first.number.startswith("440105-3-01-")


def test_number_is_not_editable_and_survives_a_rename(create):
    a = create("440105")
    number = a.number
    with pytest.raises(QingxieError) as excinfo:
        services.association_update(actor=None, association=a, number="440105-3-09-1")
    assert "number" in excinfo.value.message or "不能修改" in excinfo.value.message
    services.association_update(actor=None, association=a, name="海珠区青年志愿者联合会")
    a.refresh_from_db()
    assert a.number == number


def test_mistyped_number_is_refused_by_its_check_character(create):
    a = create("440105")
    wrong = a.number[:-1] + ("0" if a.number[-1] != "0" else "1")
    with pytest.raises(QingxieError, match="校验位"):
        number_normalize(wrong)


# ----------------------------------------------------------------- bad input


def test_invalid_uscc_is_refused_with_the_field_named(create):
    good = valid_uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(QingxieError) as excinfo:
        create("440105", registered=True, uscc=bad)
    assert "uscc" in errors_of(excinfo)
    assert "校验位" in errors_of(excinfo)["uscc"][0]
    assert not Association.objects.filter(region__code="440105").exists()


def test_every_bad_field_is_reported_at_once(create):
    future = D.today() + dt.timedelta(days=3)
    with pytest.raises(QingxieError) as excinfo:
        create("440105", on=future, form="club", president_phone="12345", name=" ")
    assert set(errors_of(excinfo)) >= {"established_on", "form", "president_phone", "name"}
    assert "不能晚于今天" in errors_of(excinfo)["established_on"][0]


def test_township_and_level_mismatch_are_refused(create):
    with pytest.raises(QingxieError) as excinfo:
        create("440105001")
    assert "乡级" in errors_of(excinfo)["region"][0]
    with pytest.raises(QingxieError) as excinfo:
        create("440100", level=3)
    assert "不是县级" in errors_of(excinfo)["region"][0]
    assert Association.objects.count() == 0


def test_second_live_association_for_a_region_is_refused(create):
    first = create("440105")
    with pytest.raises(QingxieError) as excinfo:
        create("440105", name="另一个协会")
    assert first.number in errors_of(excinfo)["region"][0]
    services.association_suspend(actor=None, association=first, on=D(2021, 1, 1))
    with pytest.raises(QingxieError):
        create("440105", name="另一个协会")
    assert Association.objects.filter(region__code="440105").count() == 1


def test_a_new_association_may_not_overlap_a_dissolved_ones_history(create):
    first = create("440105", on=D(2015, 1, 1))
    services.association_dissolve(actor=None, association=first, on=D(2018, 6, 30))
    with pytest.raises(QingxieError) as excinfo:
        create("440105", on=D(2017, 1, 1))
    assert "重叠" in errors_of(excinfo)["established_on"][0]


def test_dissolved_before_established_is_refused(create):
    a = create("440105", on=D(2020, 3, 1))
    with pytest.raises(QingxieError) as excinfo:
        services.association_dissolve(actor=None, association=a, on=D(2019, 1, 1))
    assert "早于成立日期" in errors_of(excinfo)["on"][0]
    a.refresh_from_db()
    assert a.status == AssociationStatus.ACTIVE


# ----------------------------------------------------------- status history


def test_status_history_answers_past_dates(create, region):
    a = create("440105", on=D(2019, 1, 1))
    services.association_suspend(actor=None, association=a, on=D(2020, 1, 1))
    services.association_resume(actor=None, association=a, on=D(2020, 7, 1))
    services.association_dissolve(actor=None, association=a, on=D(2022, 1, 1))
    gz = region("440100")
    expected = {
        D(2018, 12, 31): 0,
        D(2019, 1, 1): 1,
        D(2019, 12, 31): 1,
        D(2020, 1, 1): 0,
        D(2020, 6, 30): 0,
        D(2020, 7, 1): 1,
        D(2021, 12, 31): 1,
        D(2022, 1, 1): 0,
    }
    got = {day: coverage.coverage_tree(gz, day, depth=0).established for day in expected}
    assert got == expected
    statuses = list(AssociationStatusPeriod.objects.filter(association=a).values_list("status"))
    assert [s for (s,) in statuses] == ["active", "suspended", "active", "dissolved"]


def test_merge_moves_coverage_to_nothing_and_records_the_target(create):
    a = create("440105", on=D(2019, 1, 1))
    b = create("440106", on=D(2019, 1, 1))
    services.association_merge(actor=None, association=a, into=b, on=D(2021, 3, 1))
    a.refresh_from_db()
    assert a.status == AssociationStatus.MERGED and a.merged_into == b
    with pytest.raises(QingxieError):
        services.association_merge(actor=None, association=b, into=a, on=D(2021, 4, 1))


# --------------------------------------------------------------------- seats


def test_seats_follow_founding_and_dissolution(create):
    city = create("440100", on=D(2010, 1, 1))
    county = create("440105", on=D(2019, 5, 1), president_name="张三")
    seat = Seat.objects.get(holder=city, member=county, until__isnull=True)
    assert seat.representative == "张三" and seat.since == D(2019, 5, 1)
    # An upper association founded later takes seats for the live ones below it.
    province = create("440000", on=D(2012, 1, 1))
    assert Seat.objects.filter(holder=province, member=city, until__isnull=True).exists()
    services.association_dissolve(actor=None, association=county, on=D(2022, 2, 1))
    seat.refresh_from_db()
    assert seat.until == D(2022, 2, 1)
    assert not Seat.objects.filter(member=county, until__isnull=True).exists()


def test_counties_directly_under_a_province_sit_in_the_province(create):
    bj = create("110000", on=D(2005, 1, 1))
    dongcheng = create("110101", on=D(2019, 1, 1))
    assert Seat.objects.filter(holder=bj, member=dongcheng, until__isnull=True).exists()


# ------------------------------------------------------- verification workflow


@pytest.fixture
def county_assoc(create):
    create("440100", on=D(2010, 1, 1))
    return create("440105", on=D(2019, 1, 1))


def test_only_the_level_above_verifies(county_assoc, make_user):
    item = ChecklistItem.objects.get(code="charter")
    county_admin = make_user("county_admin", "440105")
    city_admin = make_user("city_admin", "440100")
    province_admin = make_user("province_admin", "440000")
    other_city = make_user("city_admin", "440300")
    entry = services.checklist_entry_submit(
        actor=county_admin, association=county_assoc, item=item, note="章程已通过"
    )
    assert entry.state == ChecklistState.SUBMITTED
    for user in (county_admin, province_admin, other_city):
        with pytest.raises(PermissionDeniedError):
            services.checklist_entry_verify(actor=user, entry=entry)
    entry = services.checklist_entry_verify(actor=city_admin, entry=entry, on=D(2021, 1, 1))
    assert entry.state == ChecklistState.VERIFIED and entry.decided_by == city_admin


def test_return_needs_a_reason_and_allows_resubmission(county_assoc, make_user):
    item = ChecklistItem.objects.get(code="disclosure")
    city_admin = make_user("city_admin", "440100")
    entry = services.checklist_entry_submit(
        actor=None, association=county_assoc, item=item, note="x"
    )
    with pytest.raises(QingxieError):
        services.checklist_entry_return(actor=city_admin, entry=entry, reason=" ")
    entry = services.checklist_entry_return(actor=city_admin, entry=entry, reason="缺少公开网址")
    assert entry.state == ChecklistState.RETURNED and entry.return_reason == "缺少公开网址"
    entry = services.checklist_entry_submit(
        actor=None, association=county_assoc, item=item, note="已补充"
    )
    assert entry.state == ChecklistState.SUBMITTED and entry.return_reason == ""


def test_out_of_scope_submit_is_refused(county_assoc, make_user):
    other = make_user("county_admin", "440106")
    with pytest.raises(PermissionDeniedError):
        services.checklist_entry_submit(
            actor=other,
            association=county_assoc,
            item=ChecklistItem.objects.get(code="charter"),
            note="x",
        )
    assert not ChecklistEntry.objects.exists()


def _verify_all(association, verifier, days):
    items = services.required_items()
    for item, day in zip(items, days, strict=False):
        entry = services.checklist_entry_submit(
            actor=None, association=association, item=item, note="材料齐全"
        )
        services.checklist_entry_verify(actor=verifier, entry=entry, on=day)


def test_standardized_from_the_last_verification_and_withdrawn_on_revoke(
    county_assoc, make_user, region
):
    city_admin = make_user("city_admin", "440100")
    n = len(services.required_items())
    days = [D(2021, 1, 1) + dt.timedelta(days=i) for i in range(n)]
    _verify_all(county_assoc, city_admin, days)
    county_assoc.refresh_from_db()
    assert county_assoc.standardized_since == days[-1]
    gz = region("440100")
    assert coverage.coverage_tree(gz, days[-1] - dt.timedelta(days=1), depth=0).standardized == 0
    assert coverage.coverage_tree(gz, days[-1], depth=0).standardized == 1

    entry = ChecklistEntry.objects.get(association=county_assoc, item__code="charter")
    services.checklist_entry_revoke(
        actor=city_admin, entry=entry, reason="章程过期", on=D(2022, 3, 1)
    )
    county_assoc.refresh_from_db()
    assert county_assoc.standardized_since is None
    assert coverage.coverage_tree(gz, D(2022, 2, 28), depth=0).standardized == 1
    assert coverage.coverage_tree(gz, D(2022, 3, 1), depth=0).standardized == 0
    # Changes are on record with before and after.
    last = changes_for(entry).first()
    assert last.before["state"] == "verified" and last.after["state"] == "returned"


def test_suspension_withdraws_standardization_and_resuming_restores_it(county_assoc, region):
    services.association_standardize(actor=None, association=county_assoc, on=D(2021, 1, 1))
    services.association_suspend(actor=None, association=county_assoc, on=D(2021, 6, 1))
    services.association_resume(actor=None, association=county_assoc, on=D(2021, 9, 1))
    gz = region("440100")
    standardized = {
        day: coverage.coverage_tree(gz, day, depth=0).standardized
        for day in (D(2021, 5, 31), D(2021, 6, 1), D(2021, 8, 31), D(2021, 9, 1))
    }
    assert standardized == {
        D(2021, 5, 31): 1,
        D(2021, 6, 1): 0,
        D(2021, 8, 31): 0,
        D(2021, 9, 1): 1,
    }


def test_a_new_required_item_withdraws_standardization(county_assoc):
    services.association_standardize(actor=None, association=county_assoc, on=D(2021, 1, 1))
    services.checklist_item_save(actor=None, code="volunteer_registry", title="志愿者注册管理")
    county_assoc.refresh_from_db()
    assert county_assoc.standardized_since is None


def test_checklist_items_are_national_data(make_user):
    with pytest.raises(PermissionDeniedError):
        services.checklist_item_save(
            actor=make_user("province_admin", "440000"), code="x", title="x"
        )
    item = services.checklist_item_save(
        actor=make_user("national_admin", "000000"), code="x", title="新事项", required=False
    )
    assert ChecklistItem.objects.restrict(make_user("viewer", "440105")).filter(pk=item.pk).exists()


# ---------------------------------------------------- permissions and logging


def test_services_recheck_scope(make_user, create, region):
    outsider = make_user("county_admin", "440106")
    with pytest.raises(PermissionDeniedError):
        create("440105", actor=outsider)
    viewer = make_user("viewer", "440105")
    with pytest.raises(PermissionDeniedError):
        create("440105", actor=viewer)
    a = create("440105", actor=make_user("county_admin", "440105"))
    with pytest.raises(PermissionDeniedError):
        services.association_update(actor=outsider, association=a, name="x")
    with pytest.raises(PermissionDeniedError):
        services.association_dissolve(actor=outsider, association=a, on=D(2021, 1, 1))


def test_every_write_is_change_logged(create, make_user):
    actor = make_user("county_admin", "440105")
    a = create("440105", actor=actor)
    services.association_update(actor=actor, association=a, address="广州市海珠区")
    log = list(changes_for(a))
    assert [c.action for c in log] == ["update", "create"]
    assert log[0].before["address"] == "" and log[0].after["address"] == "广州市海珠区"


# ------------------------------------------------------ group members, targets


def test_group_member_rules(county_assoc):
    with pytest.raises(QingxieError) as excinfo:
        services.group_member_create(
            actor=None,
            association=county_assoc,
            name="海珠义工队",
            kind="volunteer_organisation",
            admitted_on=D(2021, 1, 1),
            uscc="123",
        )
    assert "uscc" in errors_of(excinfo)
    m = services.group_member_create(
        actor=None,
        association=county_assoc,
        name="海珠义工队",
        kind="volunteer_organisation",
        admitted_on=D(2021, 1, 1),
        uscc=valid_uscc("52440105MJ00000"),
    )
    with pytest.raises(QingxieError):
        services.group_member_create(
            actor=None,
            association=county_assoc,
            name="海珠义工队",
            kind="other",
            admitted_on=D(2021, 1, 1),
        )
    with pytest.raises(QingxieError):
        services.group_member_withdraw(actor=None, member=m, on=D(2020, 1, 1))
    services.group_member_withdraw(actor=None, member=m, on=D(2022, 1, 1))


def test_province_targets_replace_national_ones(region, make_user):
    gd = region("440000")
    assert [float(t.rate) for t in coverage.targets_for(gd)["established"]] == [50.0, 70.0, 100.0]
    with pytest.raises(PermissionDeniedError):
        services.coverage_target_set(
            actor=make_user("province_admin", "440000"),
            region=region("000000"),
            measure="established",
            due_on=D(2022, 6, 30),
            rate=80,
        )
    services.coverage_target_set(
        actor=make_user("province_admin", "440000"),
        region=gd,
        measure="established",
        due_on=D(2021, 6, 30),
        rate=90,
    )
    assert [float(t.rate) for t in coverage.targets_for(region("440105"))["established"]] == [90.0]
    assert len(coverage.targets_for(region("450000"))["established"]) == 3


def test_required_rate_follows_the_targets(region):
    targets = coverage.targets_for(region("440000"))["established"]
    assert coverage.required_rate(targets, D(2020, 12, 31)) == 50.0
    assert coverage.required_rate(targets, D(2021, 12, 31)) == 70.0
    midway = coverage.required_rate(targets, D(2021, 7, 2))
    assert 59.0 < midway < 61.0
    assert coverage.required_rate(targets, D(2025, 1, 1)) == 100.0


def test_rates_round_half_up_to_one_decimal():
    assert coverage.rate(106, 122) == 86.9
    assert coverage.rate(84, 122) == 68.9
    assert coverage.rate(1, 8) == 12.5
    assert coverage.rate(0, 0) is None


def test_a_recoded_county_keeps_its_association_number_and_history(create, region):
    old = region("440105")
    a = create("440105", on=D(2019, 1, 1))
    services.association_standardize(actor=None, association=a, on=D(2020, 1, 1))
    # Simulate a newer division list that retired 440105 in favour of 440106's code.
    new = region("440106")
    old.valid_to, old.successor = D(2021, 1, 1), new
    old.save()
    from qingxie.teams.services import team_create

    team = team_create(
        actor=None,
        association=a,
        name="海珠青年志愿服务队",
        category="school",
        founded_on=D(2020, 1, 1),
    )
    moved = services.associations_follow_successors()
    team.refresh_from_db()
    assert team.region == new
    assert [(m.number, o.code, n.code) for m, o, n in moved] == [(a.number, "440105", "440106")]
    a.refresh_from_db()
    assert a.region == new and a.number.startswith("440105-3-01-")
    gz = region("440100")
    for day in (D(2020, 6, 1), D(2021, 6, 1)):
        node = coverage.coverage_tree(gz, day, depth=0)
        assert (node.established, node.standardized) == (1, 1)
    assert services.associations_follow_successors() == []
