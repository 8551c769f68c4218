"""The division loader: real counts, the special cases, idempotence, and reloads with history."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from qingxie.core.models import ObjectChange, subtree_q
from qingxie.regions.models import DivisionDataset, Region
from qingxie.regions.selectors import division_stats
from qingxie.regions.services import divisions_load
from qingxie.regions.sources import DivisionRecord, DivisionSource

pytestmark = pytest.mark.django_db


def test_counts_match_the_ministry_list_plus_taiwan():
    stats = division_stats()
    assert stats["data_as_of"] == "2025-12-31"
    assert (stats["province"], stats["prefecture"], stats["county"], stats["township"]) == (
        34,
        333,
        2845,
        38723,
    )
    assert Region.objects.count() == 41935 + 1  # the national root


def test_guangdong_has_the_bulletins_denominator(region):
    gd = region("440000")
    assert gd.children.filter(level=Region.Level.PREFECTURE).count() == 21
    assert gd.county_count == 122
    assert Region.objects.filter(subtree_q("path", gd.path), level=3).count() == 122


def test_taiwan_hong_kong_macau_are_province_level(region):
    assert region("710000").name == "台湾省"
    assert region("710000").kind == "省"
    assert region("810000").kind == "特别行政区"
    assert region("820000").level == Region.Level.PROVINCE


def test_municipality_districts_sit_directly_under_the_province(region):
    dongcheng = region("110101")
    assert dongcheng.parent.code == "110000"
    assert dongcheng.level == Region.Level.COUNTY
    assert dongcheng.kind == "市辖区"
    assert not Region.objects.filter(code="110100").exists()


@pytest.mark.parametrize("code", ["441900", "442000", "460400", "620200"])
def test_prefecture_cities_without_counties_hold_townships_directly(region, code):
    city = region(code)
    assert city.level == Region.Level.PREFECTURE
    assert city.county_count == 0
    levels = set(city.children.values_list("level", flat=True))
    assert levels == {Region.Level.TOWNSHIP}


@pytest.mark.parametrize(
    ("code", "province"),
    [("419001", "410000"), ("429004", "420000"), ("469001", "460000"), ("659001", "650000")],
)
def test_province_administered_counties_hang_from_the_province(region, code, province):
    county = region(code)
    assert county.level == Region.Level.COUNTY
    assert county.parent.code == province


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("152200", "盟"),
        ("429021", "林区"),
        ("520203", "特区"),
        ("330100", "地级市"),
        ("522600", "自治州"),
        ("150000", "自治区"),
        ("440105", "市辖区"),
        ("441900003", "街道"),
        ("441900101", "镇"),
    ],
)
def test_kinds(region, code, kind):
    assert region(code).kind == kind


def test_subtree_query_covers_exactly_the_descendants(region):
    gz = region("440100")
    codes = set(Region.objects.filter(subtree_q("path", gz.path)).values_list("code", flat=True))
    assert "440100" in codes and "440105" in codes
    assert any(c.startswith("440105") and len(c) == 9 for c in codes)
    assert "440300" not in codes and "440000" not in codes
    assert len(codes) == 1 + gz.county_count + gz.township_count


def test_reloading_the_same_list_changes_nothing(division_source):
    before = (Region.objects.count(), ObjectChange.objects.count())
    result = divisions_load(source=division_source)
    assert result.unchanged
    assert (Region.objects.count(), ObjectChange.objects.count()) == before


def _newer(source: DivisionSource, edit) -> DivisionSource:
    records = [r for r in (edit(r) for r in source.records) if r is not None]
    return dataclasses.replace(source, data_as_of=dt.date(2026, 6, 30), records=tuple(records))


def test_newer_list_retires_renames_moves_and_adds(division_source, region, make_user):
    # A cadre holds a grant on the county about to be retired: it must keep working.
    holder = make_user("county_admin", "440105")

    def edit(rec: DivisionRecord):
        if rec.code == "440105" or rec.parent_code == "440105":
            return None  # 海珠区 abolished …
        if rec.code == "440106":
            return dataclasses.replace(rec, name="天河新区")  # … 天河区 renamed …
        if rec.code == "440118":
            return dataclasses.replace(rec, parent_code="440300")  # … 增城区 moved to 深圳
        return rec

    extra = DivisionRecord("440199", "海珠市", 3, "440100", "县级市")
    newer = _newer(division_source, edit)
    newer = dataclasses.replace(newer, records=(*newer.records, extra))
    result = divisions_load(source=newer)

    assert result.retired.count("440105") == 1
    haizhu = region("440105")
    assert haizhu.valid_to == dt.date(2026, 6, 30)
    assert haizhu.successor.code == "440199"  # same name stem under the same parent
    assert Region.objects.filter(code__startswith="440105", valid_to__isnull=False).count() > 1

    tianhe = region("440106")
    assert tianhe.name == "天河新区"
    assert list(tianhe.names.values_list("name", flat=True)) == ["天河区"]

    zengcheng = region("440118")
    assert zengcheng.parent.code == "440300"
    assert zengcheng.path == "000000/440000/440300/440118/"
    town = Region.objects.filter(parent=zengcheng).first()
    assert town.path.startswith("000000/440000/440300/440118/")

    assert region("440199").valid_from == dt.date(2026, 6, 30)
    gz, sz = region("440100"), region("440300")
    assert gz.county_count == 11 - 1 - 1 + 1
    assert sz.county_count == 9 + 1
    assert division_stats()["county"] == 2845
    assert DivisionDataset.objects.count() == 2

    # Referring rows survive; history of the retirement is in the change log.
    assert holder.grants.get().region.code == "440105"
    change = ObjectChange.objects.filter(object_id=str(haizhu.pk), action="update").latest("id")
    assert change.before["valid_to"] is None
    assert change.after["valid_to"] == "2026-06-30"


def test_older_list_is_refused(division_source):
    from qingxie.core.errors import QingxieError

    older = dataclasses.replace(division_source, data_as_of=dt.date(2020, 1, 1))
    with pytest.raises(QingxieError):
        divisions_load(source=older)


def test_subtree_range_holds_under_any_database_collation(region):
    """On PostgreSQL the path column is compared in "C" order (ICU would put "~" before digits)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'regions_region' AND column_name = 'path'"
            )
            assert cur.fetchone()[0] == "C"
    gd = region("440000")
    assert Region.objects.filter(subtree_q("path", gd.path)).count() == 1 + 21 + 122 + 1610
