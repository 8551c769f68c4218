"""Spreadsheet kind of grassroots teams (基层队伍): columns, import onto the team services,
and the export.

A county may hold hundreds of teams and a province tens of thousands, so new teams are
written by the bulk service `teams.services.team_create_bulk` rather than one `team_create`
call per row (50,000 service calls take minutes, each with its own scope check, queries and
change-log insert). The rules are the service's own, in one place: while planning, every
row is checked with `team_check` and `team_association_check` (the functions `team_create`
calls), and `team_create_bulk` checks them again, with the scope and the association
locked, when it writes (bulk_create, one change-log entry per team).

Changes to existing teams and dissolutions go through `team_update` / `team_dissolve`, one
row at a time; they are few in any real file. Ledger data (associations by number) is read
through `qingxie.ledger.selectors`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from qingxie.accounts.permissions import user_may
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
from qingxie.core.tabular.masking import export_phone, phone_change
from qingxie.core.tabular.spec import checked_by, code, date, integer, text
from qingxie.core.validators import phone_problem
from qingxie.ledger import selectors as ledger_selectors
from qingxie.regions.models import Region
from qingxie.teams import services
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.models import Team

TEAM_COLUMNS = (
    Column(
        "队伍编号",
        "id",
        parser=integer(1),
        help=gettext_noop("系统内编号：新增留空；导出的文件中已填好，修改后导入即更新该队伍。"),
        width=10,
    ),
    Column(
        "所属协会统一编号",
        "association",
        required=True,
        parser=checked_by(ledger_selectors.association_number_normalize, "统一编号"),
        help=gettext_noop("队伍所属协会的统一编号（见协会台账）。"),
        example="440105-3-01-4",
        width=18,
    ),
    Column(
        "所属协会",
        "association_name",
        importable=False,
        help=gettext_noop("导出时附上，便于阅读。"),
        width=26,
    ),
    Column(
        "队伍名称",
        "name",
        required=True,
        parser=text(100),
        help=gettext_noop("同一协会的在册队伍名称不能重复。"),
        example="滨江街道青年志愿服务队",
        width=28,
    ),
    Column(
        "类别",
        "category",
        required=True,
        choices=choice_pairs(TeamCategory.choices),
        example="乡镇/街道",
        width=10,
    ),
    Column(
        "所在乡镇（街道）代码",
        "township",
        parser=code(9),
        help=gettext_noop(
            "9位乡级区划代码，须在所属协会的区划范围内；可留空只填名称，导入时按名称补上"
            "（见“乡镇（街道）代码表”工作表）。“乡镇/街道”类队伍须填代码或名称。"
        ),
        example="440105001",
        width=14,
    ),
    Column(
        "所在乡镇（街道）",
        "township_name",
        parser=text(50),
        help=gettext_noop(
            "乡镇（街道）名称，如“滨江街道”；代码留空时按所属协会区划内的名称查找代码。"
        ),
        example="滨江街道",
        width=16,
    ),
    Column("负责人", "leader_name", parser=text(50), example="王五", width=10),
    Column(
        "负责人电话",
        "leader_phone",
        parser=text(20),
        help=gettext_noop("11位手机号或带区号的固定电话。导出文件中为脱敏显示，原样保留即不修改。"),
        example="13900139000",
        width=14,
    ),
    Column("队员人数", "member_count", parser=integer(0), example="30", width=8),
    Column("成立日期", "founded_on", required=True, parser=date(), example="2021-03-05", width=12),
    Column(
        "状态",
        "status",
        choices=choice_pairs(TeamStatus.choices),
        help=gettext_noop("留空按“正常”。已撤销须填写撤销日期。"),
        width=8,
    ),
    Column(
        "撤销日期",
        "dissolved_on",
        parser=date(),
        help=gettext_noop("已撤销的队伍填写，不能早于成立日期。"),
        width=12,
    ),
)

_EDITABLE = services.TEAM_EDITABLE


class TeamImporter(Importer):
    """Rows of teams: new ones through team_create_bulk, changes and dissolutions through
    team_update / team_dissolve."""

    def __init__(self) -> None:
        self.seen = SeenKeys()  # (association, name) → first row, across the whole file

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        actor = ctx.actor
        associations = ledger_selectors.associations_by_number(
            actor, {r.get("association") for r in rows}
        )
        may_add = {
            a.pk: user_may(actor, Team, "add", a.region.path) if actor else True
            for a in associations.values()
        }
        codes = {r.get("township") for r in rows if r.get("township")}
        townships = {t.code: t for t in Region.objects.filter(code__in=codes)}
        # Rows naming their township without its code: every current township of those
        # names, matched to the row's association region below.
        names = {
            r.get("township_name")
            for r in rows
            if r.get("township_name") and not r.get("township") and "township" not in r.bad
        }
        by_township_name: dict[str, list[Region]] = {}
        for t in Region.objects.filter(
            name__in=names, level=Region.Level.TOWNSHIP, valid_to__isnull=True
        ).order_by("code"):
            by_township_name.setdefault(t.name, []).append(t)
        ids = {r.get("id") for r in rows if r.get("id")}
        by_id = {
            t.pk: t for t in visible(Team, actor).filter(pk__in=ids).select_related("township")
        }
        # A row without 队伍编号 is the active team of that name, or a dissolved one founded
        # on the same day (so a dissolved row imported again is not a new team).
        # Keys only at first: a province holds tens of thousands of teams, and only the ones a
        # row names are loaded whole (their personal fields decrypted) further down.
        by_name: dict[tuple, int] = {}
        # Only the names this batch holds: the batches of a long file must not each read
        # every team the earlier batches wrote.
        for pk, association_id, name, status, founded_on in Team.objects.filter(
            association__in=list(associations.values()), name__in={r.get("name") for r in rows}
        ).values_list("pk", "association_id", "name", "status", "founded_on"):
            if status == TeamStatus.ACTIVE:
                by_name[(association_id, name)] = pk
            else:
                by_name.setdefault((association_id, name, founded_on), pk)
        named = {
            by_name.get((a.pk, r.get("name")))
            or by_name.get((a.pk, r.get("name"), r.get("founded_on")))
            for r in rows
            if (a := associations.get(r.get("association"))) is not None and not r.get("id")
        } - {None}
        matched = {t.pk: t for t in Team.objects.filter(pk__in=named).select_related("township")}
        plans: list[RowPlan] = []
        for row in rows:
            n = row.number
            before = len(ctx.problems)
            association = associations.get(row.get("association"))
            if association is None:
                if "association" not in row.bad:
                    ctx.problem(
                        n,
                        "association",
                        gettext("统一编号为 %(number)s 的协会不存在，或不在您的管辖范围内。")
                        % {"number": row.get("association")},
                    )
                # Without its association the row's other rules cannot be checked; the phone can.
                if (phone := row.get("leader_phone")) and (problem := phone_problem(phone)):
                    ctx.problem(n, "leader_phone", problem)
                continue
            team = None
            if row.get("id"):
                team = by_id.get(row.get("id"))
                if team is None:
                    ctx.problem(
                        n,
                        "id",
                        gettext("队伍编号 %(id)s 不存在，或不在您的管辖范围内。")
                        % {"id": row.get("id")},
                    )
                    continue
                if team.association_id != association.pk:
                    ctx.problem(n, "association", gettext("队伍不能通过导入改属其他协会。"))
                    continue
            else:
                team = matched.get(
                    by_name.get((association.pk, row.get("name")))
                    or by_name.get((association.pk, row.get("name"), row.get("founded_on")))
                )
            if (earlier := self.seen.first((association.pk, row.get("name")), n)) is not None:
                ctx.problem(
                    n, "name", gettext("与第%(row)s行是同一协会的同名队伍。") % {"row": earlier}
                )
            allowed = (
                may_add[association.pk]
                if team is None
                else user_may(actor, Team, "change", association.region.path)
            )
            if not allowed:
                ctx.problem(
                    n,
                    "association",
                    gettext("%(name)s（%(code)s）不在您的管辖范围内，不能导入。")
                    % {"name": association.name, "code": association.number},
                )
                continue
            township = None
            name = row.get("township_name")
            if row.get("township"):
                township = townships.get(row.get("township"))
                if township is None:
                    ctx.problem(
                        n,
                        "township",
                        gettext("乡级区划代码“%(code)s”不存在。") % {"code": row.get("township")},
                    )
                    continue
                if name and name != township.name:
                    ctx.problem(
                        n,
                        "township_name",
                        gettext(
                            "乡镇（街道）“%(name)s”与代码 %(code)s（%(township)s）不一致，"
                            "请核对后只保留正确的一项。"
                        )
                        % {"name": name, "code": township.code, "township": township.name},
                    )
                    continue
            elif name and "township" not in row.bad:
                township = self._township_named(n, ctx, association, name, by_township_name)
                if township is None:
                    continue
            plan = self._plan_row(row, ctx, association, team, township)
            if plan is not None and len(ctx.problems) == before:
                plans.append(plan)
        return plans

    @staticmethod
    def _township_named(n, ctx, association, name, by_township_name) -> Region | None:
        """The one current township called `name` inside the association's region."""
        found = [
            t for t in by_township_name.get(name, []) if t.path.startswith(association.region.path)
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            ctx.problem(
                n,
                "township_name",
                gettext(
                    "%(region)s没有名为“%(name)s”的乡镇（街道），"
                    "请对照“乡镇（街道）代码表”填写名称或代码。"
                )
                % {"region": association.region.name, "name": name},
            )
        else:
            codes = "、".join(t.code for t in found)
            ctx.problem(
                n,
                "township_name",
                gettext("%(region)s有%(count)s个“%(name)s”（%(codes)s），请填写代码。")
                % {
                    "region": association.region.name,
                    "count": len(found),
                    "name": name,
                    "codes": codes,
                },
            )
        return None

    def _plan_row(self, row: Row, ctx: ImportContext, association, team, township):
        n = row.number
        fields = {}
        for field_name in _EDITABLE:
            if row.has(field_name):
                value = row.values[field_name]
                if field_name == "township":
                    value = township
                elif field_name == "member_count":
                    value = value or 0
                elif field_name != "founded_on":
                    value = value or ""
                fields[field_name] = value
        status = row.get("status") or (TeamStatus.DISSOLVED if row.get("dissolved_on") else None)
        dissolved_on = row.get("dissolved_on")
        founded = row.get("founded_on")
        dissolve = False
        if status == TeamStatus.DISSOLVED:
            if dissolved_on is None:
                ctx.problem(n, "dissolved_on", gettext("状态为“已撤销”时须填写撤销日期。"))
            elif founded and dissolved_on < founded:
                ctx.problem(
                    n,
                    "dissolved_on",
                    gettext("撤销日期（%(on)s）不能早于成立日期（%(founded)s）。")
                    % {"on": dissolved_on, "founded": founded},
                )
            dissolve = team is None or team.status == TeamStatus.ACTIVE
            if team is not None and not dissolve and team.dissolved_on != dissolved_on:
                ctx.problem(
                    n,
                    "dissolved_on",
                    gettext("该队伍已于 %(on)s 撤销，撤销日期不能通过导入修改。")
                    % {"on": team.dissolved_on},
                )
        elif status == TeamStatus.ACTIVE and team and team.status != status:
            ctx.problem(n, "status", gettext("已撤销的队伍不能通过导入恢复，请新建队伍。"))
        elif dissolved_on:
            ctx.problem(n, "dissolved_on", gettext("状态为“正常”时不应填写撤销日期。"))
        label = f"{association.name}：{row.get('name')}"
        if team is None:
            errors = ErrorCollector()
            draft = {"township": None, **fields}
            services.team_check(draft, association, errors)  # team_create's own rules
            services.team_association_check(association, errors)
            for field_name, messages in errors.errors.items():
                for message in messages:
                    ctx.problem(n, field_name, message)
            values = [
                ctx.diff(f, None, v, personal=f == "leader_phone")
                for f, v in draft.items()
                if v not in (None, "")
            ]
            plan = RowPlan(n, CREATE, label, values=values)
            plan.draft = services.TeamDraft(association, draft, dissolved_on if dissolve else None)
            return plan
        changed = {}
        for field_name, value in fields.items():
            current = getattr(team, field_name)
            if field_name == "leader_phone":
                if phone_change(value, current):
                    changed[field_name] = value
            elif value != current:
                changed[field_name] = value
        if not changed and not dissolve:
            return RowPlan(n, UNCHANGED, label)
        errors = ErrorCollector()
        merged = {"category": team.category, "township": team.township} | changed
        services.team_check(merged, association, errors)
        for field_name, messages in errors.errors.items():
            if field_name in changed or field_name == "township":
                for message in messages:
                    ctx.problem(n, field_name, message)
        actor = ctx.actor

        def write():
            current = team
            if changed:
                current = services.team_update(actor=actor, team=current, **changed)
            if dissolve:
                services.team_dissolve(actor=actor, team=current, on=dissolved_on)

        headers = [ctx.kind.header_for(f) for f in changed] + (["状态"] if dissolve else [])
        values = [
            ctx.diff(f, getattr(team, f), v, personal=f == "leader_phone")
            for f, v in changed.items()
        ]
        if dissolve:
            values.append(["状态", team.get_status_display(), f"已撤销（{dissolved_on}）"])
        return RowPlan(n, UPDATE, label, write, headers, values)

    def write(self, plans: list[RowPlan], ctx: ImportContext) -> None:
        """New teams through team_create_bulk; other rows through the services."""
        new = [p for p in plans if getattr(p, "draft", None) is not None]
        if new:
            try:
                services.team_create_bulk(actor=ctx.actor, drafts=[p.draft for p in new])
            except services.TeamsRefused as refused:
                for index, errors in refused.refused.items():
                    for field_name, messages in errors.items():
                        for message in messages:
                            ctx.problem(new[index].row, field_name, message)
        super().write([p for p in plans if p.write is not None], ctx)


def export_teams(
    user, region: Region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The teams of the associations under `region` that existed on `as_of`."""
    qs = (
        visible(Team, user)
        .filter(subtree_q("region__path", region.path), founded_on__lte=as_of)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))
        .order_by("association__number", "name", "id")
    )
    fields = (
        "id",
        "association__number",
        "association__name",
        "name",
        "category",
        "township__code",
        "township__name",
        "leader_name",
        "leader_phone",
        "member_count",
        "founded_on",
    )

    def rows() -> Iterator[dict]:
        for values in qs.values_list(*fields).iterator(chunk_size=2000):
            row = dict(zip(fields, values, strict=True))
            yield {
                **row,
                "association": row["association__number"],
                "association_name": row["association__name"],
                "township": row["township__code"],
                "township_name": row["township__name"],
                "leader_phone": export_phone(user, row["leader_phone"], region.path),
                "status": TeamStatus.ACTIVE,
                "dissolved_on": None,
            }

    return rows(), qs.count()


#: More townships than this (a national template) are not listed: the sheet would be huge.
LOOKUP_MAX_TOWNSHIPS = 50_000


def township_lookup(user) -> list[tuple[str, list[str], list[list[str]]]]:
    """The “乡镇（街道）代码表” sheet of the team template: every current township in the
    patch where `user` may build teams, with its county, so a cadre finds the code by name
    (or leaves the code empty: the import fills it from the name)."""
    from qingxie.accounts.permissions import scope_paths

    paths = scope_paths(user, Team, "add")
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP, valid_to__isnull=True)
    if paths is not None:
        if not paths:
            return []
        condition = Q()
        for path in paths:
            condition |= subtree_q("path", path)
        qs = qs.filter(condition)
    rows = [
        [county, county_code, name, code]
        for county, county_code, name, code in qs.order_by("code").values_list(
            "parent__name", "parent__code", "name", "code"
        )[:LOOKUP_MAX_TOWNSHIPS]
    ]
    return [
        (
            "乡镇（街道）代码表",
            ["所属县级单位", "县级代码", "乡镇（街道）", "乡镇（街道）代码"],
            rows,
        )
    ]


TEAM_KIND = SheetKind(
    name="teams",
    title="基层队伍",
    columns=TEAM_COLUMNS,
    notes=(
        gettext_noop(
            "每行一支基层队伍。没有队伍编号的行：同一协会已有同名的在册队伍（或同名、同一成立日期的已撤销队伍）则视为该队伍，否则新增。"
        ),
        gettext_noop(
            "“乡镇/街道”类队伍须填写所在乡镇（街道）的9位代码或名称，且在所属协会的区划范围内；"
            "只填名称时导入按名称补上代码（同名的须填代码）。各乡镇（街道）的代码见模板中的"
            "“乡镇（街道）代码表”。"
        ),
    ),
    lookups=township_lookup,
    importer=TeamImporter,
    exporter=export_teams,
    model=Team,
    personal_data=True,
    field_headers={"on": "撤销日期", "association": "所属协会统一编号"},
)

KINDS = (TEAM_KIND,)

__all__ = ["KINDS", "TEAM_KIND"]
