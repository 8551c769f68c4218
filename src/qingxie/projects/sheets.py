"""Spreadsheet kind of projects (志愿服务项目): template, import onto the project services, and
the export of a region's projects run on a date.

Rows without a 项目编号 are new projects (`project_create`); rows with one correct that
project (`project_update`). Every rule is the services' own (`project_check`), so a bad row
is named by row and column exactly as a page would name the field; nothing is written
unless every row is good. Ledger data (associations by number) is read through
`qingxie.ledger.selectors`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils.translation import gettext, gettext_noop

from qingxie.core.errors import ErrorCollector
from qingxie.core.models import subtree_q
from qingxie.core.tabular import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    ImportContext,
    Importer,
    Row,
    RowPlan,
    SeenKeys,
    SheetKind,
    choice_pairs,
)
from qingxie.core.tabular.lookups import visible
from qingxie.core.tabular.spec import checked_by, code, date, integer, text
from qingxie.ledger import selectors as ledger_selectors
from qingxie.projects import services
from qingxie.projects.choices import ProjectField, ProjectStatus, TargetGroup
from qingxie.projects.models import Programme, Project
from qingxie.projects.selectors import run_on
from qingxie.regions.models import Region

PROJECT_COLUMNS = (
    Column(
        "项目编号",
        "id",
        parser=integer(1),
        help=gettext_noop("新增留空；导出的文件中已填好，修改后导入即更新该项目。"),
        width=10,
    ),
    Column(
        "实施协会统一编号",
        "association",
        required=True,
        parser=checked_by(ledger_selectors.association_number_normalize, "统一编号"),
        example="440105-3-01-4",
        width=18,
    ),
    Column(
        "实施协会",
        "association_name",
        importable=False,
        help=gettext_noop("导出时附上，便于阅读。"),
        width=24,
    ),
    Column(
        "项目名称",
        "name",
        required=True,
        parser=text(100),
        example="关爱留守儿童假日课堂",
        width=26,
    ),
    Column(
        "品牌项目代码",
        "programme",
        parser=text(40),
        help=gettext_noop(
            "如 guanai（关爱行动）、yangguang（阳光行动）、jinhui（金晖行动）、community、emergency；不属于品牌项目留空。"
        ),
        example="guanai",
        width=14,
    ),
    Column(
        "服务领域",
        "field",
        required=True,
        choices=choice_pairs(ProjectField.choices),
        example="关爱儿童",
        width=10,
    ),
    Column(
        "服务区域代码",
        "region",
        required=True,
        parser=code(6, 9),
        help=gettext_noop("县级6位或乡镇（街道）9位区划代码，须在实施协会的区划范围内。"),
        example="440105001",
        width=14,
    ),
    Column(
        "服务对象",
        "target_groups",
        parser=text(200),
        help="可填多个，以顿号分隔："
        + "、".join(label for _, label in choice_pairs(TargetGroup.choices)),
        example="留守儿童、特困群体",
        width=20,
    ),
    Column("开始日期", "start_on", required=True, parser=date(), example="2021-03-01", width=12),
    Column("结束日期", "end_on", parser=date(allow_future=True), example="", width=12),
    Column(
        "状态",
        "status",
        required=True,
        choices=choice_pairs(ProjectStatus.choices),
        example="实施中",
        width=8,
    ),
    Column("预算（元）", "budget", parser=text(20), example="50000", width=10),
    Column("资金来源", "funding_sources", parser=text(200), width=16),
    Column("合作单位", "partners", parser=text(200), width=16),
    Column("项目目标", "goals", parser=text(2000), width=24),
    Column("实施成效", "results", parser=text(2000), width=24),
)
FIELDS = [c.field for c in PROJECT_COLUMNS if c.importable and c.field not in ("id", "association")]


def _groups(raw: str) -> list[str]:
    parts = [p.strip() for p in raw.replace("，", "、").replace(",", "、").split("、")]
    return [p for p in parts if p]


class ProjectImporter(Importer):
    """Plans each row with the project services' own checks; writes through the services."""

    def __init__(self) -> None:
        self.seen = SeenKeys()

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        numbers = {r.get("association") for r in rows if r.get("association")}
        associations = ledger_selectors.associations_by_number(ctx.actor, numbers)
        codes = {r.get("region") for r in rows if r.get("region")}
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        programmes = {p.code: p for p in Programme.objects.all()}
        ids = {r.get("id") for r in rows if r.get("id")}
        existing = {p.pk: p for p in visible(Project, ctx.actor).filter(pk__in=ids)}
        return [
            self._plan_row(row, ctx, associations, regions, programmes, existing) for row in rows
        ]

    def _plan_row(self, row, ctx, associations, regions, programmes, existing) -> RowPlan:
        n = row.number
        label = row.get("name") or f"第{n}行"
        association = associations.get(row.get("association"))
        if association is None:
            if "association" not in row.bad:
                ctx.problem(
                    n, "association", gettext("未找到该统一编号的协会，或不在您的权限范围内。")
                )
            return RowPlan(n, UNCHANGED, label)
        data = {f: row.get(f) for f in FIELDS if row.has(f)}
        if "region" in data:
            region = regions.get(data["region"])
            if region is None:
                ctx.problem(
                    n, "region", gettext("未找到行政区划代码 %(code)s。") % {"code": data["region"]}
                )
                return RowPlan(n, UNCHANGED, label)
            data["region"] = region
        code_ = data.pop("programme", "") or ""
        data["programme"] = None
        if code_:
            data["programme"] = programmes.get(code_)
            if data["programme"] is None:
                ctx.problem(
                    n, "programme", gettext("未找到代码为“%(code)s”的品牌项目。") % {"code": code_}
                )
        if "target_groups" in data:
            data["target_groups"] = _groups(data["target_groups"] or "")
        if "budget" in data:
            data["budget"] = data["budget"] or 0
        for key in ("funding_sources", "partners", "goals", "results"):
            if key in data:
                data[key] = data[key] or ""
        errors = ErrorCollector()
        checked = services.project_check(data, association, errors)
        for field_name, messages in errors.errors.items():
            for message in messages:
                ctx.problem(n, field_name, message)
        if earlier := self.seen.first((association.pk, row.get("name"), row.get("id")), n):
            ctx.problem(
                n, "name", gettext("与第%(row)s行是同一协会的同一项目。") % {"row": earlier}
            )
        project_id = row.get("id")
        if project_id:
            project = existing.get(project_id)
            if project is None:
                ctx.problem(n, "id", gettext("未找到该项目编号，或不在您的权限范围内。"))
                return RowPlan(n, UNCHANGED, label)
            changed = {k: v for k, v in data.items() if getattr(project, k) != checked.get(k, v)}
            if not changed:
                return RowPlan(n, UNCHANGED, label)
            return RowPlan(
                n,
                UPDATE,
                label,
                write=lambda: services.project_update(actor=ctx.actor, project=project, **changed),
                changes=sorted(str(PROJECT_KIND.header_for(k) or k) for k in changed),
            )
        return RowPlan(
            n,
            CREATE,
            label,
            write=lambda: services.project_create(actor=ctx.actor, association=association, **data),
        )


def export_projects(
    user, region: Region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The projects of `region`'s subtree run on `as_of`."""
    qs = (
        visible(Project, user)
        .filter(subtree_q("region_path", region.path))
        .filter(run_on(as_of))
        .select_related("association", "programme", "region")
        .order_by("region_path", "id")
    )
    labels = dict(choice_pairs(TargetGroup.choices))  # the file format: Chinese

    def rows() -> Iterator[dict]:
        for p in qs.iterator(chunk_size=2000):
            yield {
                "id": p.pk,
                "association": p.association.number,
                "association_name": p.association.name,
                "name": p.name,
                "programme": p.programme.code if p.programme else "",
                "field": p.field,
                "region": p.region.code,
                "target_groups": "、".join(str(labels.get(g, g)) for g in p.target_groups),
                "start_on": p.start_on,
                "end_on": p.end_on,
                "status": p.status,
                "budget": str(p.budget),
                "funding_sources": p.funding_sources,
                "partners": p.partners,
                "goals": p.goals,
                "results": p.results,
            }

    return rows(), qs.count()


PROJECT_KIND = SheetKind(
    name="projects",
    title="志愿服务项目",
    columns=PROJECT_COLUMNS,
    notes=(
        gettext_noop("每行一个志愿服务项目。没有项目编号的行新增项目；有项目编号的行更新该项目。"),
        gettext_noop("服务区域须在实施协会的区划范围内；结束日期不能早于开始日期。"),
        gettext_noop("导出为统计日期当天实施中（非草稿、已开始、未结束）的项目。"),
    ),
    importer=ProjectImporter,
    exporter=export_projects,
    model=Project,
)
