"""Projects, activities and the library workflow: the rules a cadre meets."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.projects import selectors, services
from qingxie.projects.models import LibraryEntry, Project
from qingxie.regions.models import Region
from tests.projects.conftest import project

pytestmark = pytest.mark.django_db


def test_project_names_every_bad_field_and_saves_nothing(gd):
    with pytest.raises(QingxieError) as exc:
        services.project_create(
            actor=None,
            association=gd.hz,
            name="",
            field="nonsense",
            region=Region.objects.get(code="440303"),
            start_on=datetime.date(2021, 5, 1),
            end_on=datetime.date(2021, 4, 1),
            target_groups=["留守儿童", "外星人"],
        )
    errors = exc.value.errors
    assert errors["name"] == ["请填写项目名称。"]
    assert "不在可选范围内" in errors["field"][0]
    assert "不在海珠区青年志愿者协会的区划范围内" in errors["region"][0]
    assert errors["end_on"] == ["结束日期不能早于开始日期。"]
    assert "外星人" in errors["target_groups"][0]
    assert not Project.objects.exists()


def test_project_county_and_scope(gd, make_user):
    township = Region.objects.get(code="440105001")
    p = project(gd.hz, region=township, target_groups=["留守儿童"])
    assert p.county.code == "440105"
    assert p.target_groups == ["left_behind"]
    assert p.region_path == gd.hz.region.path
    other = make_user("county_admin", "440303")
    with pytest.raises(PermissionDeniedError):
        services.project_update(actor=other, project=p, name="改名")
    assert Project.objects.restrict(other, "view").count() == 0
    mine = make_user("county_admin", "440105")
    services.project_update(actor=mine, project=p, name="改名", expected_version=1)
    p.refresh_from_db()
    assert p.name == "改名" and p.version == 2
    change = ObjectChange.objects.filter(action="update").latest("id")
    assert change.before["name"] == "关爱留守儿童" and change.after["name"] == "改名"


def test_activity_ending_before_it_starts_is_refused(gd):
    p = project(gd.hz)
    start = timezone.make_aware(datetime.datetime(2021, 6, 1, 9))
    with pytest.raises(QingxieError) as exc:
        services.activity_create(
            actor=None, project=p, title="探访", starts_at=start, ends_at=start, place="", posts=0
        )
    assert exc.value.errors["ends_at"] == ["结束时间须晚于开始时间。"]
    assert exc.value.errors["place"] == ["请填写活动地点。"]
    assert "招募人数" in exc.value.errors["posts"][0]
    a = services.activity_create(
        actor=None,
        project=p,
        title="探访",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        place="赤岗街道社区服务中心",
        posts=12,
    )
    assert a.region_path == p.region_path and a.posts == 12


def test_library_workflow(gd, make_user):
    county = make_user("county_admin", "440105")
    city = make_user("city_admin", "440100")
    province = make_user("province_admin", "440000")
    p = project(gd.hz)
    draft = project(gd.hz, name="草稿项目", status="draft")
    with pytest.raises(QingxieError, match="草稿状态"):
        services.library_submit(actor=county, project=draft, note="申报")
    entry = services.library_submit(actor=county, project=p, note="申报入库")
    assert entry.state == "submitted"
    # Only the level directly above (the city) decides, not the county nor the province.
    assert list(selectors.library_queue(city)) == [entry]
    assert not selectors.library_queue(province).exists()
    with pytest.raises(PermissionDeniedError, match="广州市"):
        services.library_approve(actor=county, entry=entry)
    with pytest.raises(QingxieError, match="退回原因"):
        services.library_return(actor=city, entry=entry, reason=" ")
    services.library_return(actor=city, entry=entry, reason="请补充实施成效")
    entry.refresh_from_db()
    assert entry.state == "returned" and entry.return_reason == "请补充实施成效"
    services.library_submit(actor=county, project=p, note="已补充")
    entry = services.library_approve(actor=city, entry=entry, on=datetime.date(2021, 3, 1))
    assert entry.number == "XMK-440100-2021-0001" and entry.year == 2021
    assert entry.listing == "listed"
    # A reused number is refused, naming the field; nothing changes.
    other = services.library_submit(
        actor=make_user("county_admin", "440106"), project=project(gd.th), note="x"
    )
    with pytest.raises(QingxieError) as exc:
        services.library_approve(actor=city, entry=other, number="XMK-440100-2021-0001")
    assert exc.value.errors["number"] == ["入库编号“XMK-440100-2021-0001”已被使用。"]
    assert LibraryEntry.objects.get(pk=other.pk).state == "submitted"
    # Not in the catalogue until published; then every signed-in cadre sees it.
    stranger = make_user("county_admin", "450102")
    assert not selectors.catalogue(stranger).exists()
    services.library_listing_change(actor=city, entry=entry, step="recommend")
    services.library_listing_change(actor=city, entry=entry, step="publish")
    assert list(selectors.catalogue(stranger, field="children", year=2021)) == [entry]
    assert not selectors.catalogue(stranger, programme="yangguang").exists()
    with pytest.raises(QingxieError, match="退库原因"):
        services.library_listing_change(actor=city, entry=entry, step="withdraw")
    services.library_listing_change(actor=city, entry=entry, step="withdraw", reason="项目已停止")
    assert not selectors.catalogue(stranger).exists()
    counts = selectors.library_counts(Region.objects.get(code="440000"))
    assert counts == [{"year": 2021, "listed": 1, "published": 0, "withdrawn": 1}]


def test_programme_variant_and_scope(gd, make_user):
    province = make_user("province_admin", "440000")
    zhaoyang = services.programme_create(
        actor=province,
        code="zhaoyang",
        name="朝阳行动",
        region=Region.objects.get(code="440000"),
        parent=gd.guanai,
    )
    with pytest.raises(PermissionDeniedError):
        services.programme_create(actor=make_user("city_admin", "440100"), code="x", name="x")
    with pytest.raises(QingxieError) as exc:
        project(_gx(), programme=zhaoyang)
    assert "不适用于" in exc.value.errors["programme"][0]


def _gx():
    from tests.projects.conftest import association

    return association("450000", "广西壮族自治区青年志愿者协会")


def test_the_library_queue_filters_on_the_entries_own_path(gd, make_user):
    """The queue (core.review with path_field) equals the region-join rule and joins no
    region rows: the city decides its counties' entries, the province its own city's."""
    import dataclasses

    from qingxie.core.review import review_queue
    from qingxie.projects.selectors import library_queue
    from qingxie.projects.services import LIBRARY_REVIEW, library_submit
    from tests.projects.conftest import project

    for association in (gd.hz, gd.th, gd.gz, gd.lh, gd.sz):
        library_submit(actor=None, project=project(association, name=association.name), note="申报")
    joined = dataclasses.replace(LIBRARY_REVIEW, path_field=None)
    for role, code, expected in [
        ("city_admin", "440100", {"海珠区青年志愿者协会", "天河区青年志愿者协会"}),
        ("province_admin", "440000", {"广州市青年志愿者协会", "深圳市青年志愿者协会"}),
        ("city_admin", "440300", {"罗湖区青年志愿者协会"}),
    ]:
        user = make_user(role, code)
        names = {e.project.association.name for e in library_queue(user)}
        assert names == expected
        assert names == {e.project.association.name for e in review_queue(user, joined)}
        assert "regions_region" not in str(library_queue(user).query).split("WHERE")[1]
