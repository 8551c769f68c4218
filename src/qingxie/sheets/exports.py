"""Writing an export or a template for a user (its error messages are shown on the export
page in the page's language; what is written to the file and the change log stays Chinese): the region must be in the user's scope, rows
come from the kind's exporter (which reads through `restrict()`), phones are masked
unless the user administers the exported region (accounts.permissions.may_see_personal_at)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext

from qingxie.core.changelog import log_access
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import SheetKind
from qingxie.core.tabular.masking import may_export_clear_phones
from qingxie.core.tabular.writing import Progress, write_csv, write_template, write_xlsx
from qingxie.regions.models import ROOT_CODE, Region
from qingxie.sheets.templatetags.sheets_i18n import sheet_title

FORMATS = ("xlsx", "csv")


def export_region(actor, code: str | None) -> Region:
    """The region an export covers, checked against the actor's scope (None: the operator)."""
    code = (code or ROOT_CODE).strip()
    if not code.isdigit():
        # A name typed in the region picker ("广州", "海珠区"): the region it names, if any.
        from qingxie.regions.selectors import region_by_code_or_name

        named = region_by_code_or_name(code)
        if named is None:
            raise QingxieError(
                gettext("没有名称或代码为“%(code)s”的行政区划。") % {"code": code}, field="region"
            )
        code = Region.objects.filter(pk=named.pk).values_list("code", flat=True).get()
    qs = Region.objects.all() if actor is None else Region.objects.restrict(actor, "view")
    region = qs.filter(code=code).first()
    if region is None:
        if Region.objects.filter(code=code).exists():
            raise PermissionDeniedError(
                gettext("行政区划 %(code)s 不在您的管辖范围内，不能导出。") % {"code": code}
            )
        raise QingxieError(
            gettext("行政区划代码“%(code)s”不存在。") % {"code": code}, field="region"
        )
    if region.level >= Region.Level.TOWNSHIP:
        raise QingxieError(gettext("请选择县级及以上的行政区划导出。"), field="region")
    return region


def export_filename(kind: SheetKind, region: Region, as_of: datetime.date, fmt: str) -> str:
    return f"{kind.title}_{region.name}_{as_of:%Y%m%d}.{fmt}"


def template_filename(kind: SheetKind) -> str:
    return f"{kind.title}_导入模板.xlsx"


def export_check(kind: SheetKind, fmt: str, as_of: datetime.date | None) -> datetime.date:
    """The date exported (today by default), after checking the kind, format and date."""
    if kind.exporter is None:
        raise QingxieError(
            gettext("“%(title)s”不能导出。") % {"title": sheet_title(kind.title)}, field="kind"
        )
    if fmt not in FORMATS:
        raise QingxieError(
            gettext("导出格式只能是 xlsx 或 csv，不能是“%(fmt)s”。") % {"fmt": fmt}, field="format"
        )
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise QingxieError(
            gettext("统计日期（%(day)s）不能晚于今天。") % {"day": as_of}, field="as_of"
        )
    return as_of


def export_rows(
    *, actor, kind: SheetKind, region: Region, as_of: datetime.date, depth: int = 1
) -> tuple[Iterator[dict], int]:
    """The rows of `kind` for `region` on `as_of` as `actor` may see them, and their count
    (read before deciding whether the export is a job; hand both to `export_write`)."""
    as_of = export_check(kind, "xlsx", as_of)
    rows, total = kind.exporter(actor, region, as_of, depth=depth)
    return iter(rows), total


def phones_note(actor, region: Region) -> str:
    """How phone numbers appear in `actor`'s export of `region` (file note and log)."""
    if may_export_clear_phones(actor, region.path):
        return "电话号码为明文，请妥善保管"
    return "电话号码已脱敏"


def export_log(
    *, actor, kind: SheetKind, region: Region, as_of: datetime.date, fmt: str, count, kept=False
) -> None:
    """Record an export of personal data in the change log (who and when come from the change
    context), filed under the region exported; `kept`: served from a file written earlier."""
    if not kind.personal_data:
        return
    note = f"格式 {fmt}，{phones_note(actor, region)}"
    if kept:
        note += "，取自已生成的文件"
    log_access(
        None,
        ObjectChange.Action.EXPORT,
        what=f"{kind.title}导出 {region.name}（{region.code}）{count if count is not None else '?'} 条，截至 {as_of:%Y-%m-%d}",
        note=note,
        scope_path=region.path,
    )


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
    fetched: tuple[Iterator[dict], int] | None = None,
) -> int:
    """Write `kind` for `region` on `as_of` to the binary `stream` as xlsx or csv; row count.

    `fetched`: the (rows, count) `export_rows` already read for the same export.
    """
    as_of = export_check(kind, fmt, as_of)
    rows, total = fetched or kind.exporter(actor, region, as_of, depth=depth)
    phones = phones_note(actor, region)
    note = f"{region.name}（{region.code}），截至 {as_of:%Y-%m-%d}。{phones}。"
    if fmt == "xlsx":
        count = write_xlsx(kind, rows, stream, title_note=note, progress=progress, total=total)
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        try:
            count = write_csv(kind, rows, text, progress=progress, total=total)
        finally:
            text.detach()
    # Personal data leaving the system is recorded, filed under the region exported.
    export_log(actor=actor, kind=kind, region=region, as_of=as_of, fmt=fmt, count=count)
    return count


def template_write(kind: SheetKind, stream: IO[bytes], *, user=None) -> None:
    """The kind's empty template; with `user`, its reference sheets for that user's patch."""
    if kind.importer is None:
        raise QingxieError(f"“{kind.title}”只能导出，没有导入模板。", field="kind")
    lookups = kind.lookups(user) if kind.lookups is not None and user is not None else ()
    write_template(kind, stream, lookups=lookups)
