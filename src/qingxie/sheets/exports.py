"""Writing an export or a template for a user: the region must be in the user's scope, rows
come from the kind's exporter (which reads through `restrict()`), phones are masked
unless the user administers the exported region (accounts.permissions.may_see_personal_at)."""

from __future__ import annotations

import datetime
import io
from typing import IO

from django.utils import timezone

from qingxie.core.changelog import log_access
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import SheetKind
from qingxie.core.tabular.masking import may_export_clear_phones
from qingxie.core.tabular.writing import Progress, write_csv, write_template, write_xlsx
from qingxie.regions.models import ROOT_CODE, Region

FORMATS = ("xlsx", "csv")


def export_region(actor, code: str | None) -> Region:
    """The region an export covers, checked against the actor's scope (None: the operator)."""
    code = (code or ROOT_CODE).strip()
    if not code.isdigit():
        # A name typed in the region picker ("广州", "海珠区"): the region it names, if any.
        from qingxie.regions.selectors import region_by_code_or_name

        named = region_by_code_or_name(code)
        if named is None:
            raise QingxieError(f"没有名称或代码为“{code}”的行政区划。", field="region")
        code = Region.objects.filter(pk=named.pk).values_list("code", flat=True).get()
    qs = Region.objects.all() if actor is None else Region.objects.restrict(actor, "view")
    region = qs.filter(code=code).first()
    if region is None:
        if Region.objects.filter(code=code).exists():
            raise PermissionDeniedError(f"行政区划 {code} 不在您的管辖范围内，不能导出。")
        raise QingxieError(f"行政区划代码“{code}”不存在。", field="region")
    if region.level >= Region.Level.TOWNSHIP:
        raise QingxieError("请选择县级及以上的行政区划导出。", field="region")
    return region


def export_filename(kind: SheetKind, region: Region, as_of: datetime.date, fmt: str) -> str:
    return f"{kind.title}_{region.name}_{as_of:%Y%m%d}.{fmt}"


def template_filename(kind: SheetKind) -> str:
    return f"{kind.title}_导入模板.xlsx"


def export_write(
    *,
    actor,
    kind: SheetKind,
    region: Region,
    as_of: datetime.date | None,
    fmt: str,
    stream: IO[bytes],
    progress: Progress | None = None,
    depth: int = 1,
) -> int:
    """Write `kind` for `region` on `as_of` to the binary `stream` as xlsx or csv; row count."""
    if kind.exporter is None:
        raise QingxieError(f"“{kind.title}”不能导出。", field="kind")
    if fmt not in FORMATS:
        raise QingxieError(f"导出格式只能是 xlsx 或 csv，不能是“{fmt}”。", field="format")
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise QingxieError(f"统计日期（{as_of}）不能晚于今天。", field="as_of")
    rows, total = kind.exporter(actor, region, as_of, depth=depth)
    phones = (
        "电话号码为明文，请妥善保管"
        if may_export_clear_phones(actor, region.path)
        else "电话号码已脱敏"
    )
    note = f"{region.name}（{region.code}），截至 {as_of:%Y-%m-%d}。{phones}。"
    if fmt == "xlsx":
        count = write_xlsx(kind, rows, stream, title_note=note, progress=progress, total=total)
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        try:
            count = write_csv(kind, rows, text, progress=progress, total=total)
        finally:
            text.detach()
    if kind.personal_data:
        # Personal data leaving the system is recorded, filed under the region exported.
        log_access(
            None,
            ObjectChange.Action.EXPORT,
            what=f"{kind.title}导出 {region.name}（{region.code}）{count} 条，截至 {as_of:%Y-%m-%d}",
            note=f"格式 {fmt}，{phones}",
            scope_path=region.path,
        )
    return count


def template_write(kind: SheetKind, stream: IO[bytes], *, user=None) -> None:
    """The kind's empty template; with `user`, its reference sheets for that user's patch."""
    if kind.importer is None:
        raise QingxieError(f"“{kind.title}”只能导出，没有导入模板。", field="kind")
    lookups = kind.lookups(user) if kind.lookups is not None and user is not None else ()
    write_template(kind, stream, lookups=lookups)
