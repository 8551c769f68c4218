"""Writes on the region tree: loading (and reloading) an official division list."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from qingxie.core.changelog import log_change
from qingxie.core.models import ObjectChange, scope_paths_follow, serialize_object
from qingxie.regions.models import ROOT_CODE, DivisionDataset, Region, RegionName
from qingxie.regions.sources import DivisionSource

logger = logging.getLogger(__name__)

ROOT_NAME = "全国"
_KIND_SUFFIX = re.compile(r"(自治县|自治旗|特区|林区|街道|民族乡|县|市|区|旗|镇|乡|苏木)$")


@dataclass
class LoadResult:
    """What a load did, for the command line and the change log."""

    dataset: DivisionDataset
    unchanged: bool = False
    first_load: bool = False
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.first_load:
            return f"首次载入区划数据 {self.dataset.data_as_of}：共 {self.dataset.item_count} 条。"
        if self.unchanged:
            return f"区划数据 {self.dataset.data_as_of} 已是最新，未做修改。"
        return (
            f"载入区划数据 {self.dataset.data_as_of}：新增 {len(self.created)}，"
            f"更名 {len(self.renamed)}，隶属变更 {len(self.moved)}，撤销 {len(self.retired)}，"
            f"恢复 {len(self.restored)}。"
        )


def _stem(name: str) -> str:
    return _KIND_SUFFIX.sub("", name)


@transaction.atomic
def divisions_load(
    *, source: DivisionSource, successors: dict[str, str] | None = None
) -> LoadResult:
    """Load an official division list; idempotent, and a newer list updates the tree in place.

    New codes are added; a changed name keeps the old one in RegionName; a changed parent moves
    the subtree; a code that disappeared is retired (valid_to = the list's date) with its
    successor from `successors` or, failing that, the one new code with the same name stem under
    the same parent. Rows are never deleted, so nothing that refers to a region breaks.
    """
    existing_ds = DivisionDataset.objects.filter(data_as_of=source.data_as_of).first()
    if existing_ds and existing_ds.sha256 == source.sha256:
        return LoadResult(dataset=existing_ds, unchanged=True)
    if DivisionDataset.objects.filter(data_as_of__gt=source.data_as_of).exists():
        from qingxie.core.errors import QingxieError

        raise QingxieError(
            gettext("已载入比 %(data_as_of)s 更新的区划数据，不能回退。")
            % {"data_as_of": source.data_as_of}
        )

    as_of = source.data_as_of
    first_load = not Region.objects.exclude(code=ROOT_CODE).exists()
    root, _ = Region.objects.get_or_create(
        code=ROOT_CODE,
        defaults={
            "name": ROOT_NAME,
            "level": Region.Level.NATION,
            "kind": "国家",
            "path": "000000/",
        },
    )
    by_code: dict[str, Region] = {r.code: r for r in Region.objects.all()}
    seen: set[str] = {ROOT_CODE}
    result_lists: dict[str, list[str]] = {
        k: [] for k in ("created", "renamed", "moved", "restored")
    }
    to_update: dict[str, Region] = {}
    renames: list[RegionName] = []
    before: dict[str, dict] = {}

    counts = _subtree_counts(source)
    for level in (1, 2, 3, 4):
        new_rows: list[Region] = []
        for rec in (r for r in source.records if r.level == level):
            seen.add(rec.code)
            parent = by_code[rec.parent_code or ROOT_CODE]
            path = f"{parent.path}{rec.code}/"
            county_count, township_count = counts.get(rec.code, (0, 0))
            region = by_code.get(rec.code)
            if region is None:
                region = Region(
                    code=rec.code,
                    name=rec.name,
                    level=level,
                    kind=rec.kind,
                    parent=parent,
                    path=path,
                    valid_from=None if first_load else as_of,
                    county_count=county_count,
                    township_count=township_count,
                )
                new_rows.append(region)
                by_code[rec.code] = region
                if not first_load:
                    result_lists["created"].append(rec.code)
                continue
            wanted = (
                rec.name,
                parent.pk,
                path,
                rec.kind,
                level,
                None,
                county_count,
                township_count,
            )
            stored = (
                region.name,
                region.parent_id,
                region.path,
                region.kind,
                region.level,
                region.valid_to,
                region.county_count,
                region.township_count,
            )
            if wanted == stored:
                continue
            before[rec.code] = serialize_object(region)
            if region.valid_to is not None:
                region.valid_to, region.successor = None, None
                result_lists["restored"].append(rec.code)
            if region.name != rec.name:
                renames.append(
                    RegionName(
                        region=region,
                        name=region.name,
                        valid_from=region.valid_from,
                        valid_to=as_of,
                    )
                )
                result_lists["renamed"].append(rec.code)
            if region.parent_id != parent.pk:
                result_lists["moved"].append(rec.code)
            region.name, region.parent, region.path = rec.name, parent, path
            region.kind, region.level = rec.kind, level
            region.county_count, region.township_count = county_count, township_count
            to_update[rec.code] = region
        Region.objects.bulk_create(new_rows, batch_size=2000)
    root_counts = counts.get(ROOT_CODE, (0, 0))
    if (root.county_count, root.township_count) != root_counts:
        root.county_count, root.township_count = root_counts
        to_update[ROOT_CODE] = root

    retired: list[str] = []
    created_set = set(result_lists["created"])
    successors = dict(successors or {})
    for code, region in by_code.items():
        if code in seen or region.valid_to is not None:
            continue
        before.setdefault(code, serialize_object(region))
        region.valid_to = as_of
        region.county_count = region.township_count = 0
        target = successors.get(code)
        if target is None:
            stems = [
                c
                for c in created_set
                if by_code[c].parent_id == region.parent_id
                and _stem(by_code[c].name) == _stem(region.name)
            ]
            target = stems[0] if len(stems) == 1 else None
        region.successor = by_code.get(target) if target else None
        to_update[code] = region
        retired.append(code)

    _write_updates(list(to_update.values()))
    # Rows that keep a region's path on themselves follow a division moved to a new parent.
    scope_paths_follow(
        Region,
        [r.pk for c, r in to_update.items() if before.get(c, {}).get("path", r.path) != r.path],
    )
    RegionName.objects.bulk_create(renames)

    dataset = DivisionDataset.objects.update_or_create(
        data_as_of=as_of,
        defaults={
            "source": source.source,
            "source_table": source.source_table,
            "sha256": source.sha256,
            "item_count": len(source.records),
            "created_count": len(source.records) if first_load else len(result_lists["created"]),
            "renamed_count": len(result_lists["renamed"]),
            "moved_count": len(result_lists["moved"]),
            "retired_count": len(retired),
        },
    )[0]
    result = LoadResult(dataset=dataset, retired=retired, first_load=first_load, **result_lists)
    log_change(
        dataset,
        ObjectChange.Action.CREATE,
        after=serialize_object(dataset),
        note=result.summary(),
    )
    for code, snap in before.items():
        log_change(by_code[code], ObjectChange.Action.UPDATE, before=snap, note=result.summary())
    logger.info(result.summary())
    return result


def _write_updates(regions: list[Region]) -> None:
    """Save changed rows (a path ends in the row's own unique code, so moves never collide)."""
    fields = [
        "name",
        "level",
        "kind",
        "parent",
        "path",
        "valid_to",
        "successor",
        "county_count",
        "township_count",
    ]
    Region.objects.bulk_update(regions, fields, batch_size=1000)


def _subtree_counts(source: DivisionSource) -> dict[str, tuple[int, int]]:
    """Code → (county-level units, township-level units) in its subtree, root included."""
    parent_of = {r.code: r.parent_code or ROOT_CODE for r in source.records}
    counties: Counter[str] = Counter()
    townships: Counter[str] = Counter()
    for rec in source.records:
        if rec.level not in (3, 4):
            continue
        target = counties if rec.level == 3 else townships
        code = rec.code
        while code != ROOT_CODE:
            target[code] += 1
            code = parent_of[code]
        target[ROOT_CODE] += 1
    return {code: (counties[code], townships[code]) for code in counties.keys() | townships.keys()}
