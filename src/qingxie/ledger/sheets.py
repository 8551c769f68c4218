"""Spreadsheet kinds of the ledger: associations (协会台账), group members (团体会员) and the
coverage table (覆盖率统计表, export only).

Each kind is declared once as columns (qingxie.core.tabular); the importers map each row
onto the ledger services, so every write is validated, scope-checked and change-logged as if
a cadre had typed it in. The importers first check everything the services would refuse
(and what only a whole file can show: duplicates inside it), so every problem of every row
is named before anything is written.

Matching rows to what is already there, so that importing the same file twice changes
nothing: a row with a 统一编号 is that association; a row without one is the association on
the same region with the same name, if there is one, else a new association. Group members
match by their 会员编号 or by association and name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone
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
from qingxie.core.validators import phone_problem, uscc_compact, uscc_problem
from qingxie.ledger import services
from qingxie.ledger.choices import (
    LIVE_STATUSES,
    AssociationForm,
    AssociationStatus,
    GroupMemberKind,
    GroupMemberStatus,
)
from qingxie.ledger.models import (
    Association,
    AssociationStatusPeriod,
    GroupMember,
    StandardizationPeriod,
)
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.models import Region

ACTIVE, SUSPENDED = AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED
DISSOLVED, MERGED = AssociationStatus.DISSOLVED, AssociationStatus.MERGED


association_number = checked_by(number_normalize, "统一编号")
"""A 统一编号 cell, with or without hyphens, checked by its check character."""


def _label(choices, value) -> str:
    return dict(choices).get(value, str(value))


# ----------------------------------------------------------------------------- associations

REGISTERED_CHOICES = ((True, "已登记"), (False, "未登记"))

LEDGER_COLUMNS = (
    Column(
        "统一编号",
        "number",
        parser=association_number,
        help=gettext_noop("新增协会留空；填写已有协会的统一编号则更新该协会。"),
        example="440105-3-01-4",
        width=18,
    ),
    Column(
        "行政区划代码",
        "region",
        required=True,
        parser=code(6, 9),
        help=gettext_noop(
            "协会所在县级及以上行政区划的6位代码（GB/T 2260），不能填乡级9位代码或已撤销的代码。"
        ),
        example="440105",
        width=14,
    ),
    Column(
        "行政区划名称", "region_name", importable=False, help=gettext_noop("导出时附上，便于阅读。")
    ),
    Column(
        "名称",
        "name",
        required=True,
        parser=text(100),
        help=gettext_noop("协会全称，不超过100字。"),
        example="广州市海珠区青年志愿者协会",
        width=30,
    ),
    Column(
        "组织形式",
        "form",
        required=True,
        choices=choice_pairs(AssociationForm.choices),
        help=gettext_noop("团属志愿服务组织的组织形式，每种形式都计入覆盖率。"),
        example="青年志愿者协会",
        width=22,
    ),
    Column(
        "成立日期", "established_on", required=True, parser=date(), example="2019-03-05", width=12
    ),
    Column(
        "登记状态",
        "registered",
        choices=REGISTERED_CHOICES,
        help=gettext_noop(
            "是否已在民政部门登记注册；留空按“未登记”。已登记须填写统一社会信用代码。"
        ),
        example="已登记",
        width=10,
    ),
    Column(
        "统一社会信用代码",
        "uscc",
        parser=text(20),
        help=gettext_noop("18位（GB 32100），系统核对校验位；已登记的协会必填。"),
        example="51440105MJL1234566",
        width=22,
    ),
    Column("登记日期", "registered_on", parser=date(), example="2019-06-01", width=12),
    Column(
        "规范化认定日期",
        "standardized_on",
        parser=date(),
        help=gettext_noop(
            "上一级认定该协会规范化建设的日期，导入后记为全部必备事项于该日核验通过；"
            "只有管辖范围覆盖上一级的管理员（如所辖县的市、省或全国）可以填写。已认定的日期不能通过导入修改。"
        ),
        example="2021-04-20",
        width=14,
    ),
    Column(
        "状态",
        "status",
        choices=choice_pairs(AssociationStatus.choices),
        help=gettext_noop(
            "留空按“正常”（已有协会：不变）。暂停活动、已注销须同时填写状态日期；"
            "“已合并”请在协会页面办理。"
        ),
        example="正常",
        width=10,
    ),
    Column(
        "状态日期",
        "status_since",
        parser=date(),
        help=gettext_noop("当前状态的起始日期：暂停活动或注销的日期。不能早于成立日期。"),
        example="",
        width=12,
    ),
    Column("会长", "president_name", parser=text(50), example="张三", width=10),
    Column(
        "会长电话",
        "president_phone",
        parser=text(20),
        help=gettext_noop("11位手机号或带区号的固定电话。导出文件中为脱敏显示，原样保留即不修改。"),
        example="13800138000",
        width=14,
    ),
    Column("秘书长", "secretary_name", parser=text(50), example="李四", width=10),
    Column(
        "秘书长电话",
        "secretary_phone",
        parser=text(20),
        help=gettext_noop("同会长电话。"),
        example="020-83201234",
        width=14,
    ),
)

_EDITABLE = (
    "name",
    "form",
    "established_on",
    "registered",
    "uscc",
    "registered_on",
    "president_name",
    "president_phone",
    "secretary_name",
    "secretary_phone",
)
_PHONES = ("president_phone", "secretary_phone")
_DATES = ("established_on", "registered_on")


class LedgerImporter(Importer):
    """Rows of the association ledger onto association_create/update/standardize/suspend/…

    The whole file is planned as one batch: the rows are written in an order across the file
    (a region's dissolved associations before its live one), and a ledger file is small (one
    row per association: a few thousand for the whole country).
    """

    batch_size = None

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        actor = ctx.actor
        codes = {r.get("region") for r in rows if r.get("region")}
        self.regions = {
            r.code: r for r in Region.objects.filter(code__in=codes).select_related("successor")
        }
        numbers = {r.get("number") for r in rows if r.get("number")}
        self.by_number = {
            a.number: a
            for a in visible(Association, actor).filter(number__in=numbers).select_related("region")
        }
        on_regions = Association.objects.filter(
            region__in=list(self.regions.values())
        ).select_related("region")
        self.live_on = {a.region_id: a for a in on_regions if a.status in LIVE_STATUSES}
        self.by_name: dict[tuple, Association] = {}
        for a in on_regions.order_by("established_on"):
            key = (a.region_id, a.name)
            if key not in self.by_name or a.is_live:
                self.by_name[key] = a
        usccs = {uscc_compact(r.get("uscc", "")) for r in rows} - {""}
        self.uscc_owner = {
            a.uscc: a
            for a in Association.objects.filter(uscc__in=usccs).only("pk", "uscc", "name", "number")
        }
        self.seen_region: dict[int, int] = {}
        self.seen_number: dict[str, int] = {}
        self.seen_uscc: dict[str, int] = {}
        self.today = timezone.localdate()
        plans = []
        for row in rows:
            plan = self._plan_row(row, ctx)
            if plan is not None:
                plans.append(plan)
        # Historical (dissolved) associations first, so a live one on the same region follows them.
        plans.sort(key=lambda p: (p.verb != CREATE, getattr(p, "_live", True), p.row))
        return plans

    def _region(self, row: Row, ctx: ImportContext, *, new: bool) -> Region | None:
        code_ = row.get("region")
        region = self.regions.get(code_)
        if region is None:
            ctx.problem(
                row.number,
                "region",
                gettext("行政区划代码“%(code)s”不存在，请按 GB/T 2260 核对。") % {"code": code_},
            )
        elif region.level == Region.Level.TOWNSHIP:
            ctx.problem(
                row.number,
                "region",
                gettext("“%(code)s”是乡级区划（%(name)s），本列须填写县级及以上区划的6位代码。")
                % {"code": code_, "name": region.name},
            )
        elif new and region.valid_to is not None:
            after = (
                gettext("，现为%(name)s（%(code)s）")
                % {"name": region.successor.name, "code": region.successor.code}
                if region.successor
                else ""
            )
            ctx.problem(
                row.number,
                "region",
                gettext("行政区划“%(name)s”（%(code)s）已于 %(on)s 撤销%(after)s。")
                % {"name": region.name, "code": code_, "on": region.valid_to, "after": after},
            )
        else:
            return region
        return None

    def _plan_row(self, row: Row, ctx: ImportContext) -> RowPlan | None:
        actor, n = ctx.actor, row.number
        before = len(ctx.problems)
        existing = None
        number = row.get("number")
        if number:
            if number in self.seen_number:
                ctx.problem(
                    n,
                    "number",
                    gettext("统一编号与第%(row)s行重复。") % {"row": self.seen_number[number]},
                )
            self.seen_number[number] = n
            existing = self.by_number.get(number)
            if existing is None:
                ctx.problem(
                    n,
                    "number",
                    gettext("统一编号为 %(number)s 的协会不存在，或不在您的管辖范围内。")
                    % {"number": number},
                )
                self._check_fields(row, ctx, None)
                return None
        region = None if "region" in row.bad else self._region(row, ctx, new=existing is None)
        if region is None:
            self._check_fields(row, ctx, existing)  # still name this row's other problems
            return None
        if existing is not None and existing.region_id != region.pk:
            ctx.problem(
                n,
                "region",
                gettext(
                    "统一编号 %(number)s 的协会位于%(name)s（%(code)s），"
                    "与本行的行政区划代码不一致；协会所在区划不能通过导入修改。"
                )
                % {"number": number, "name": existing.region.name, "code": existing.region.code},
            )
            return None
        if existing is None:
            existing = self.by_name.get((region.pk, row.get("name")))
        action = "change" if existing else "add"
        if not user_may(actor, Association, action, region.path):
            ctx.problem(
                n,
                "region",
                gettext("%(name)s（%(code)s）不在您的管辖范围内，不能导入。")
                % {"name": region.name, "code": region.code},
            )
            return None
        status = row.get("status")
        if status == MERGED and (existing is None or existing.status != MERGED):
            ctx.problem(
                n,
                "status",
                gettext("“已合并”须在协会页面办理（要指定合并入的协会），不能通过导入设置。"),
            )
        self._check_fields(row, ctx, existing)
        if existing is None:
            plan = self._plan_create(row, ctx, region, status)
        else:
            plan = self._plan_update(row, ctx, existing, status)
        return plan if len(ctx.problems) == before else None

    def _check_fields(self, row: Row, ctx: ImportContext, existing) -> None:
        """The service's own field rules (association_fields_check) on what this row sets,
        plus what only a whole file shows: a credit code repeated in another row."""
        n = row.number
        uscc = uscc_compact(row.get("uscc", ""))
        data: dict = {}
        if uscc or row.has("uscc") or existing is None:
            data["uscc"] = uscc
        elif existing is not None:
            data["uscc"] = existing.uscc  # kept as it is: only needed for the 已登记 rule
        data["registered"] = row.get(
            "registered", existing.registered if existing and not row.has("registered") else False
        )
        for field_name in _PHONES:
            value = row.get(field_name, "")
            current = getattr(existing, field_name) if existing else ""
            if value and (existing is None or phone_change(value, current)):
                data[field_name] = value
        errors = ErrorCollector()
        services.association_fields_check(
            data,
            errors,
            exclude_pk=existing.pk if existing else None,
            actor=ctx.actor,
            uscc_holder=self.uscc_owner.get,
            phone_labels=False,
        )
        for field_name, messages in errors.errors.items():
            for message in messages:
                ctx.problem(n, field_name, message)
        if uscc and not uscc_problem(uscc):
            if uscc in self.seen_uscc:
                ctx.problem(
                    n,
                    "uscc",
                    gettext("统一社会信用代码与第%(row)s行重复。") % {"row": self.seen_uscc[uscc]},
                )
            self.seen_uscc[uscc] = n

    def _check_status_date(self, row, ctx, status, since, established, floor=None) -> None:
        label = _label(AssociationStatus.choices, status)
        if since is None:
            ctx.problem(
                row.number,
                "status_since",
                gettext("状态为“%(label)s”时须填写状态日期（%(label)s的日期）。")
                % {"label": label},
            )
        elif established and since < established:
            ctx.problem(
                row.number,
                "status_since",
                gettext("状态日期（%(since)s）不能早于成立日期（%(established)s）。")
                % {"since": since, "established": established},
            )
        elif floor and since < floor:
            ctx.problem(
                row.number,
                "status_since",
                gettext("状态日期（%(since)s）不能早于当前状态的起始日期（%(floor)s）。")
                % {"since": since, "floor": floor},
            )

    def _check_standardize(self, row, ctx, probe: Association, established) -> bool:
        on = row.get("standardized_on")
        if on is None:
            return False
        if established and on < established:
            ctx.problem(
                row.number,
                "standardized_on",
                gettext("规范化认定日期（%(on)s）不能早于成立日期（%(established)s）。")
                % {"on": on, "established": established},
            )
        if not services.may_record_standardization(ctx.actor, probe):
            above = services.verifying_region(probe)
            ctx.problem(
                row.number,
                "standardized_on",
                gettext(
                    "规范化建设只能由上一级（%(above)s）认定，您不能为%(name)s的协会"
                    "填写规范化认定日期。"
                )
                % {"above": above.name, "name": probe.region.name},
            )
        return True

    def _plan_create(self, row: Row, ctx: ImportContext, region: Region, status) -> RowPlan:
        n, actor = row.number, ctx.actor
        final = status or ACTIVE
        established = row.get("established_on")
        since = row.get("status_since")
        live = final in LIVE_STATUSES
        if live:
            holder = self.live_on.get(region.pk)
            if holder is not None:
                ctx.problem(
                    n,
                    "region",
                    gettext(
                        "%(region)s已有正常活动的协会“%(name)s”（%(number)s），"
                        "同一区划同一时间只能有一个；如要修改该协会，请在“统一编号”列填写"
                        " %(number)s。"
                    )
                    % {"region": region.name, "name": holder.name, "number": holder.number},
                )
            elif region.pk in self.seen_region:
                ctx.problem(
                    n,
                    "region",
                    gettext(
                        "与第%(row)s行是同一行政区划（%(name)s），"
                        "同一区划同一时间只能有一个正常活动的协会。"
                    )
                    % {"row": self.seen_region[region.pk], "name": region.name},
                )
            self.seen_region.setdefault(region.pk, n)
        if final in (SUSPENDED, DISSOLVED):
            self._check_status_date(row, ctx, final, since, established)
        elif since and established and since != established:
            ctx.problem(
                n,
                "status_since",
                gettext("新增的正常协会从成立日期起算，状态日期应留空或与成立日期相同。"),
            )
        standardize = self._check_standardize(
            row, ctx, Association(region=region, level=region.level), established
        )
        fields = {f: row.get(f) for f in _EDITABLE}
        fields = {
            k: (
                v
                if v is not None
                else (None if k in _DATES else (False if k == "registered" else ""))
            )
            for k, v in fields.items()
        }

        def write():
            association = services.association_create(actor=actor, region=region, **fields)
            if standardize:
                services.association_standardize(
                    actor=actor, association=association, on=row.get("standardized_on")
                )
            if final == SUSPENDED:
                services.association_suspend(actor=actor, association=association, on=since)
            elif final == DISSOLVED:
                services.association_dissolve(actor=actor, association=association, on=since)
            return association

        values = [
            ctx.diff(f, None, v, personal=f in _PHONES)
            for f, v in fields.items()
            if v not in (None, "", False)
        ]
        if final != ACTIVE:
            values.append(["状态", "", _label(AssociationStatus.choices, final)])
        plan = RowPlan(n, CREATE, f"{region.name}：{fields['name']}", write, [], values)
        plan._live = live
        return plan

    def _plan_update(self, row: Row, ctx: ImportContext, existing: Association, status) -> RowPlan:
        n, actor = row.number, ctx.actor
        changed = {}
        for field_name in _EDITABLE:
            if not row.has(field_name):
                continue
            new = row.values[field_name]
            current = getattr(existing, field_name)
            if field_name == "registered":
                new = bool(new)
            elif field_name == "uscc":
                new = uscc_compact(new or "")
            elif field_name in _PHONES:
                if not phone_change(new or "", current):
                    continue
                new = new or ""
            elif field_name not in _DATES:
                new = new or ""
            if new != current:
                changed[field_name] = new
        headers = [ctx.kind.header_for(f) for f in changed]
        established = changed.get("established_on", existing.established_on)
        since = row.get("status_since")
        transition = None
        if status and status != existing.status:
            if existing.status in (DISSOLVED, MERGED):
                ctx.problem(
                    n,
                    "status",
                    gettext("该协会已“%(status)s”，不能通过导入改为“%(new)s”。")
                    % {
                        "status": _label(AssociationStatus.choices, existing.status),
                        "new": _label(AssociationStatus.choices, status),
                    },
                )
            elif status == ACTIVE or status in (SUSPENDED, DISSOLVED):
                if status == SUSPENDED and existing.status != ACTIVE:
                    ctx.problem(n, "status", gettext("只有状态为“正常”的协会可以暂停活动。"))
                self._check_status_date(
                    row, ctx, status, since, established, floor=existing.status_since
                )
                transition = {
                    ACTIVE: services.association_resume,
                    SUSPENDED: services.association_suspend,
                    DISSOLVED: services.association_dissolve,
                }[status]
                headers.append("状态")
        elif since and since != existing.status_since:
            ctx.problem(
                n,
                "status_since",
                gettext(
                    "状态日期与台账记录不一致（台账为 %(since)s）；状态不变时不能修改状态日期。"
                )
                % {"since": existing.status_since},
            )
        standardize = False
        on = row.get("standardized_on")
        if on and existing.standardized_since:
            if on != existing.standardized_since:
                ctx.problem(
                    n,
                    "standardized_on",
                    gettext(
                        "该协会已于 %(on)s 认定为规范化建设，认定日期不能通过导入修改"
                        "（如需更正，请由上一级撤销核验后重新认定）。"
                    )
                    % {"on": existing.standardized_since},
                )
        elif on:
            standardize = self._check_standardize(row, ctx, existing, established)
            headers.append("规范化认定日期")
        label = f"{existing.name}（{existing.number}）"
        if not changed and not transition and not standardize:
            return RowPlan(n, UNCHANGED, label)

        def write():
            association = existing
            if changed:
                association = services.association_update(
                    actor=actor, association=association, **changed
                )
            if standardize:
                association = services.association_standardize(
                    actor=actor, association=association, on=on
                )
            if transition:
                transition(actor=actor, association=association, on=since)
            return association

        values = [
            ctx.diff(f, getattr(existing, f), v, personal=f in _PHONES) for f, v in changed.items()
        ]
        if transition:
            values.append(
                ["状态", existing.get_status_display(), _label(AssociationStatus.choices, status)]
            )
        if standardize:
            values.append(["规范化认定日期", "", on.isoformat()])
        plan = RowPlan(n, UPDATE, label, write, headers, values)
        return plan


def _status_on(ids: list[int], as_of: datetime.date) -> dict[int, tuple]:
    periods = AssociationStatusPeriod.objects.filter(
        association_id__in=ids, start__lte=as_of
    ).filter(Q(end__isnull=True) | Q(end__gt=as_of))
    return {
        a: (s, start) for a, s, start in periods.values_list("association_id", "status", "start")
    }


def _standardized_on(ids: list[int], as_of: datetime.date) -> dict[int, datetime.date]:
    periods = StandardizationPeriod.objects.filter(association_id__in=ids, start__lte=as_of).filter(
        Q(end__isnull=True) | Q(end__gt=as_of)
    )
    found: dict[int, datetime.date] = {}
    for association_id, start in periods.values_list("association_id", "start").order_by("start"):
        found.setdefault(association_id, start)
    return found


def export_associations(
    user, region: Region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The associations under `region` that existed on `as_of`, as they stood that day."""
    qs = (
        visible(Association, user)
        .filter(subtree_q("region__path", region.path), established_on__lte=as_of)
        .filter(Q(status__in=LIVE_STATUSES) | Q(status_since__gt=as_of))
        .select_related("region")
        .order_by("region__code", "number")
    )
    associations = list(qs)
    ids = [a.pk for a in associations]
    status, standardized = _status_on(ids, as_of), _standardized_on(ids, as_of)

    def rows() -> Iterator[dict]:
        for a in associations:
            state, since = status.get(a.pk, (a.status, a.status_since))
            yield {
                "number": a.number,
                "region": a.region.code,
                "region_name": a.region.name,
                "name": a.name,
                "form": a.form,
                "established_on": a.established_on,
                "registered": a.registered,
                "uscc": a.uscc,
                "registered_on": a.registered_on,
                "standardized_on": standardized.get(a.pk),
                "status": state,
                "status_since": since,
                "president_name": a.president_name,
                "president_phone": export_phone(user, a.president_phone, region.path),
                "secretary_name": a.secretary_name,
                "secretary_phone": export_phone(user, a.secretary_phone, region.path),
            }

    return rows(), len(associations)


LEDGER_KIND = SheetKind(
    name="ledger",
    title="协会台账",
    columns=LEDGER_COLUMNS,
    notes=(
        gettext_noop(
            "每行一个团属志愿服务组织（县级及以上）。同一区划同一时间只能有一个正常或暂停活动的协会。"
        ),
        gettext_noop(
            "没有统一编号的行：若同一区划已有同名协会，视为该协会；否则新增，由系统分配统一编号。"
        ),
        gettext_noop("城市用户只能导入本市范围内的协会，范围以外的行会被指出，整个文件不写入。"),
    ),
    importer=LedgerImporter,
    exporter=export_associations,
    model=Association,
    personal_data=True,
    field_headers={"on": "状态日期", "status": "状态", "into": "状态", "association": "统一编号"},
)


# ---------------------------------------------------------------------------- group members

GROUP_MEMBER_COLUMNS = (
    Column(
        "会员编号",
        "id",
        parser=integer(1),
        help=gettext_noop("系统内编号：新增留空；导出的文件中已填好，修改后导入即更新该会员。"),
        width=10,
    ),
    Column(
        "所属协会统一编号",
        "association",
        required=True,
        parser=association_number,
        help=gettext_noop("接收该会员的协会的统一编号（见协会台账）。"),
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
    Column("名称", "name", required=True, parser=text(100), example="海珠区蓝天救援队", width=28),
    Column(
        "类型",
        "kind",
        required=True,
        choices=choice_pairs(GroupMemberKind.choices),
        example="志愿服务组织",
        width=14,
    ),
    Column("入会日期", "admitted_on", required=True, parser=date(), example="2021-03-01", width=12),
    Column(
        "统一社会信用代码",
        "uscc",
        parser=text(20),
        help=gettext_noop("有则填写，系统核对校验位。"),
        width=22,
    ),
    Column("联系人", "contact_name", parser=text(50), width=10),
    Column(
        "联系电话",
        "contact_phone",
        parser=text(20),
        help=gettext_noop("导出文件中为脱敏显示，原样保留即不修改。"),
        width=14,
    ),
    Column(
        "状态",
        "status",
        choices=choice_pairs(GroupMemberStatus.choices),
        help=gettext_noop("留空按“在册”。已退出须填写退出日期。"),
        width=8,
    ),
    Column(
        "退出日期",
        "left_on",
        parser=date(),
        help=gettext_noop("已退出的会员填写，不能早于入会日期。"),
        width=12,
    ),
)

_GM_EDITABLE = ("name", "kind", "admitted_on", "uscc", "contact_name", "contact_phone")


class GroupMemberImporter(Importer):
    """Rows of group members onto group_member_create/update/withdraw."""

    def __init__(self) -> None:
        self.seen = SeenKeys()  # (association, name) → first row, across the whole file

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        actor = ctx.actor
        numbers = {r.get("association") for r in rows}
        associations = {
            a.number: a
            for a in visible(Association, actor).filter(number__in=numbers).select_related("region")
        }
        ids = {r.get("id") for r in rows if r.get("id")}
        by_id = {
            m.pk: m
            for m in visible(GroupMember, actor).filter(pk__in=ids).select_related("association")
        }
        # A row without 会员编号 is the member in the register under that name, or a former
        # member admitted on the same day (so a withdrawn row imported again is not new).
        by_name: dict[tuple, GroupMember] = {}
        for m in GroupMember.objects.filter(association__in=list(associations.values())):
            if m.status == GroupMemberStatus.ACTIVE:
                by_name[(m.association_id, m.name)] = m
            else:
                by_name.setdefault((m.association_id, m.name, m.admitted_on), m)
        plans = []
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
                if (phone := row.get("contact_phone")) and (problem := phone_problem(phone)):
                    ctx.problem(n, "contact_phone", problem)
                continue
            member = None
            if row.get("id"):
                member = by_id.get(row.get("id"))
                if member is None:
                    ctx.problem(
                        n,
                        "id",
                        gettext("会员编号 %(id)s 不存在，或不在您的管辖范围内。")
                        % {"id": row.get("id")},
                    )
                    continue
                if member.association_id != association.pk:
                    ctx.problem(
                        n,
                        "association",
                        gettext(
                            "会员编号 %(id)s 属于“%(name)s”（%(number)s），"
                            "团体会员不能通过导入改属其他协会。"
                        )
                        % {
                            "id": member.pk,
                            "name": member.association.name,
                            "number": member.association.number,
                        },
                    )
                    continue
            else:
                member = by_name.get((association.pk, row.get("name"))) or by_name.get(
                    (association.pk, row.get("name"), row.get("admitted_on"))
                )
            if (earlier := self.seen.first((association.pk, row.get("name")), n)) is not None:
                ctx.problem(
                    n, "name", gettext("与第%(row)s行是同一协会的同名会员。") % {"row": earlier}
                )
            if not user_may(
                actor, GroupMember, "change" if member else "add", association.region.path
            ):
                ctx.problem(
                    n,
                    "association",
                    gettext("%(name)s（%(code)s）不在您的管辖范围内，不能导入。")
                    % {"name": association.name, "code": association.number},
                )
                continue
            plan = self._plan_row(row, ctx, association, member)
            if len(ctx.problems) == before:
                plans.append(plan)
        return plans

    def _plan_row(self, row, ctx, association, member) -> RowPlan:
        n, actor = row.number, ctx.actor
        uscc = uscc_compact(row.get("uscc", ""))
        if uscc and (problem := uscc_problem(uscc)):
            ctx.problem(n, "uscc", problem)
        phone = row.get("contact_phone", "")
        changes = phone and (member is None or phone_change(phone, member.contact_phone))
        if changes and (problem := phone_problem(phone)):
            ctx.problem(n, "contact_phone", problem)
        status = row.get("status") or (GroupMemberStatus.WITHDRAWN if row.get("left_on") else None)
        left_on = row.get("left_on")
        admitted = row.get("admitted_on")
        withdraw = False
        if status == GroupMemberStatus.WITHDRAWN:
            if left_on is None:
                ctx.problem(n, "left_on", gettext("状态为“已退出”时须填写退出日期。"))
            elif admitted and left_on < admitted:
                ctx.problem(
                    n,
                    "left_on",
                    gettext("退出日期（%(left_on)s）不能早于入会日期（%(admitted)s）。")
                    % {"left_on": left_on, "admitted": admitted},
                )
            withdraw = member is None or member.status == GroupMemberStatus.ACTIVE
            if member is not None and not withdraw and member.left_on != left_on:
                ctx.problem(
                    n,
                    "left_on",
                    gettext("该会员已于 %(on)s 退出，退出日期不能通过导入修改。")
                    % {"on": member.left_on},
                )
        elif status == GroupMemberStatus.ACTIVE and member and member.status != status:
            ctx.problem(n, "status", gettext("已退出的团体会员不能通过导入恢复，请重新登记入会。"))
        elif left_on:
            ctx.problem(n, "left_on", gettext("状态为“在册”时不应填写退出日期。"))
        if member is None and association.status not in LIVE_STATUSES:
            ctx.problem(n, "association", gettext("已注销或合并的协会不能接收团体会员。"))
        fields = {}
        for field_name in _GM_EDITABLE:
            if not row.has(field_name):
                continue
            new = row.values[field_name]
            if field_name == "uscc":
                new = uscc
            elif field_name != "admitted_on":
                new = new or ""
            if member is None:
                fields[field_name] = new
            elif field_name == "contact_phone":
                if phone_change(new, member.contact_phone):
                    fields[field_name] = new
            elif new != getattr(member, field_name):
                fields[field_name] = new
        label = f"{association.name}：{row.get('name')}"
        if member is None:

            def create():
                created = services.group_member_create(
                    actor=actor, association=association, **fields
                )
                if withdraw:
                    services.group_member_withdraw(actor=actor, member=created, on=left_on)

            values = [
                ctx.diff(f, None, v, personal=f == "contact_phone")
                for f, v in fields.items()
                if v not in (None, "")
            ]
            return RowPlan(n, CREATE, label, create, [], values)
        if not fields and not withdraw:
            return RowPlan(n, UNCHANGED, label)

        def update():
            current = member
            if fields:
                current = services.group_member_update(actor=actor, member=current, **fields)
            if withdraw:
                services.group_member_withdraw(actor=actor, member=current, on=left_on)

        changes = [ctx.kind.header_for(f) for f in fields] + (["状态"] if withdraw else [])
        values = [
            ctx.diff(f, getattr(member, f), v, personal=f == "contact_phone")
            for f, v in fields.items()
        ]
        if withdraw:
            values.append(["状态", member.get_status_display(), "已退出"])
        return RowPlan(n, UPDATE, label, update, changes, values)


def export_group_members(user, region: Region, as_of: datetime.date, **options):
    """Group members of the associations under `region` who were members on `as_of`."""
    qs = (
        visible(GroupMember, user)
        .filter(subtree_q("association__region__path", region.path), admitted_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .order_by("association__number", "admitted_on", "id")
    )
    fields = (
        "id",
        "association__number",
        "association__name",
        "name",
        "kind",
        "admitted_on",
        "uscc",
        "contact_name",
        "contact_phone",
    )

    def rows():
        for values in qs.values_list(*fields).iterator(chunk_size=2000):
            row = dict(zip(fields, values, strict=True))
            yield {
                **row,
                "association": row["association__number"],
                "association_name": row["association__name"],
                "contact_phone": export_phone(user, row["contact_phone"], region.path),
                "status": GroupMemberStatus.ACTIVE,
                "left_on": None,
            }

    return rows(), qs.count()


GROUP_MEMBER_KIND = SheetKind(
    name="group-members",
    title="团体会员",
    columns=GROUP_MEMBER_COLUMNS,
    notes=(
        gettext_noop(
            "每行一个团体会员。没有会员编号的行：同一协会已有同名在册会员（或同名、同一入会日期的已退出会员）则视为该会员，否则新增。"
        ),
    ),
    importer=GroupMemberImporter,
    exporter=export_group_members,
    model=GroupMember,
    personal_data=True,
    field_headers={"on": "退出日期", "association": "所属协会统一编号"},
)


# ---------------------------------------------------------------------------------- coverage

COVERAGE_COLUMNS = (
    Column("区划代码", "region", width=10),
    Column("区划名称", "name", width=18),
    Column("层级", "level", choices=choice_pairs(Region.Level.choices), width=8),
    Column("县级单位数", "counties", width=10),
    Column("已成立", "established", width=8),
    Column("覆盖率（%）", "coverage_rate", width=10),
    Column("规范化建设", "standardized", width=10),
    Column("规范化建设覆盖率（%）", "standardized_rate", width=12),
    Column("乡镇（街道）数", "townships", width=12),
    Column("已建队的乡镇（街道）", "townships_with_team", width=12),
    Column("乡镇建队覆盖率（%）", "township_rate", width=12),
)


def export_coverage(user, region: Region, as_of: datetime.date, *, depth: int = 1, **options):
    """The coverage tree of `region` on `as_of` (coverage_tree), one row per region, parent first."""
    from qingxie.ledger.coverage import coverage_tree

    node = coverage_tree(region, as_of, depth=depth)
    out: list[dict] = []

    def walk(n, indent: str = "") -> None:
        data = n.as_dict()
        data["name"] = indent + data["name"]
        out.append(data)
        for child in n.children:
            walk(child, indent + "　")

    walk(node)
    return iter(out), len(out)


COVERAGE_KIND = SheetKind(
    name="coverage",
    title="覆盖率统计表",
    columns=COVERAGE_COLUMNS,
    notes=(gettext_noop("按通报口径：某日在册的县级单位为分母，当日有正常活动协会的为已成立。"),),
    exporter=export_coverage,
    model=Region,
)

KINDS = (LEDGER_KIND, GROUP_MEMBER_KIND, COVERAGE_KIND)

__all__ = ["COVERAGE_KIND", "GROUP_MEMBER_KIND", "KINDS", "LEDGER_KIND"]
