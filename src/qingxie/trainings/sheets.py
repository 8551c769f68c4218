"""Spreadsheet kinds of the trainings app: the attendee list (签到表, import and export) and
the trainings of a region in a year (export).

The attendee import checks every row with `services.attendee_check` (the rules
`attendee_add` applies) and writes new people through `attendee_create_bulk`, one training at
a time, so a file refused anywhere writes nothing; a row naming someone already on the list
(same association and name) updates their attendance through `attendee_update`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

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
from qingxie.core.tabular.spec import checked_by, integer, text
from qingxie.ledger import selectors as ledger_selectors
from qingxie.regions.models import Region
from qingxie.trainings import services
from qingxie.trainings.choices import AttendeeRole, TrainingKind, TrainingStatus
from qingxie.trainings.models import Attendee, Training


def _yes_no(raw) -> bool:
    value = str(raw).strip()
    if value in ("是", "参加", "已参加", "1", "Y", "y", "√", "✓"):
        return True
    if value in ("否", "缺席", "未参加", "0", "N", "n", ""):
        return False
    from qingxie.core.tabular.spec import CellError

    raise CellError(gettext("应填写“是”或“否”。"))


def _hours(raw):
    from decimal import Decimal, InvalidOperation

    from qingxie.core.tabular.spec import CellError

    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise CellError(gettext("应为数字，如 8 或 7.5。")) from exc
    if value < 0:
        raise CellError(gettext("不能为负数。"))
    return value


ATTENDEE_COLUMNS = (
    Column(
        "培训编号",
        "training",
        required=True,
        parser=integer(1),
        help=gettext_noop("培训详情页地址中的编号（/trainings/编号/），导出的名单中已填好。"),
        example="12",
        width=10,
    ),
    Column(
        "培训名称",
        "training_title",
        importable=False,
        help=gettext_noop("导出时附上，便于阅读。"),
        width=26,
    ),
    Column(
        "所在协会统一编号",
        "association",
        required=True,
        parser=checked_by(ledger_selectors.association_number_normalize, "统一编号"),
        help=gettext_noop(
            "参训人员所在协会的统一编号，须在主办协会的范围内（全国协会的培训不限）。"
        ),
        example="440105-3-01-4",
        width=18,
    ),
    Column(
        "所在协会",
        "association_name",
        importable=False,
        help=gettext_noop("导出时附上。"),
        width=26,
    ),
    Column("姓名", "name", required=True, parser=text(50), example="张三", width=10),
    Column(
        "职务",
        "role",
        required=True,
        choices=choice_pairs(AttendeeRole.choices),
        example="会长",
        width=12,
    ),
    Column(
        "联系电话",
        "phone",
        parser=text(20),
        help=gettext_noop("11位手机号或带区号的固定电话。导出文件中为脱敏显示，原样保留即不修改。"),
        example="13900139000",
        width=14,
    ),
    Column(
        "是否参加",
        "attended",
        parser=_yes_no,
        help=gettext_noop("“是”或“否”；培训须已举办才能填“是”。留空为“否”。"),
        example="是",
        width=8,
    ),
    Column(
        "参训学时",
        "hours",
        parser=_hours,
        help=gettext_noop("不能超过培训课时。"),
        example="8",
        width=8,
    ),
    Column("结业证书编号", "completion_number", parser=text(50), example="GD2021-001", width=14),
)


class AttendeeImporter(Importer):
    """Rows of attendees: new people by training through attendee_create_bulk, people
    already listed through attendee_update."""

    batch_size = None  # one training's list is small; duplicates are judged over the file

    def __init__(self) -> None:
        self.seen = SeenKeys()

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        actor = ctx.actor
        trainings = {
            t.pk: t
            for t in visible(Training, actor)
            .filter(pk__in={r.get("training") for r in rows})
            .select_related("organiser")
        }
        associations = ledger_selectors.associations_by_number(
            None, {r.get("association") for r in rows}
        )
        listed = {
            (a.training_id, a.association_id, a.name): a
            for a in Attendee.objects.filter(training__in=list(trainings.values()))
        }
        plans: list[RowPlan] = []
        for row in rows:
            n = row.number
            before = len(ctx.problems)
            training = trainings.get(row.get("training"))
            if training is None:
                if "training" not in row.bad:
                    ctx.problem(
                        n,
                        "training",
                        gettext("培训编号 %(number)s 不存在，或不在您的权限范围内。")
                        % {"number": row.get("training")},
                    )
                continue
            if actor is not None and not user_may(actor, Training, "change", training.region_path):
                ctx.problem(
                    n,
                    "training",
                    gettext("您不能修改“%(title)s”的名单：不是本级主办的培训。")
                    % {"title": training.title},
                )
                continue
            association = associations.get(row.get("association"))
            if association is None:
                if "association" not in row.bad:
                    ctx.problem(
                        n,
                        "association",
                        gettext("统一编号为 %(number)s 的协会不存在。")
                        % {"number": row.get("association")},
                    )
                continue
            key = (training.pk, association.pk, row.get("name"))
            if (earlier := self.seen.first(key, n)) is not None:
                ctx.problem(
                    n,
                    "name",
                    gettext("与第%(row)s行是同一培训、同一协会的同名人员。") % {"row": earlier},
                )
            fields = {
                f: row.values[f]
                for f in ("name", "role", "phone", "attended", "hours", "completion_number")
                if row.has(f)
            }
            fields.setdefault("attended", False)
            label = f"{training.title}：{association.name} {row.get('name')}"
            current = listed.get(key)
            errors = ErrorCollector()
            if current is None:
                draft = {**fields, "association": association}
                services.attendee_check(draft, training, errors)
                ctx_errors(ctx, n, errors)
                plan = RowPlan(n, CREATE, label)
                plan.training, plan.draft = training, services.AttendeeDraft(draft)
            else:
                changed = {}
                for f, value in fields.items():
                    old = getattr(current, f)
                    if f == "phone":
                        if phone_change(value or "", old):
                            changed[f] = value
                    elif (value or None) != (old or None):
                        changed[f] = value
                services.attendee_check(changed, training, errors)
                ctx_errors(ctx, n, errors)
                if not changed:
                    plan = RowPlan(n, UNCHANGED, label)
                else:

                    def write(attendee=current, changed=changed):
                        services.attendee_update(actor=actor, attendee=attendee, **changed)

                    headers = [ctx.kind.header_for(f) for f in changed]
                    plan = RowPlan(n, UPDATE, label, write, headers)
            if len(ctx.problems) == before:
                plans.append(plan)
        return plans

    def write(self, plans: list[RowPlan], ctx: ImportContext) -> None:
        """New people by training through attendee_create_bulk; others one by one."""
        by_training: dict[int, list[RowPlan]] = defaultdict(list)
        for plan in plans:
            if getattr(plan, "draft", None) is not None:
                by_training[plan.training.pk].append(plan)
        for group in by_training.values():
            try:
                services.attendee_create_bulk(
                    actor=ctx.actor, training=group[0].training, drafts=[p.draft for p in group]
                )
            except services.AttendeesRefused as refused:
                for index, errors in refused.refused.items():
                    for field_name, messages in errors.items():
                        for message in messages:
                            ctx.problem(group[index].row, field_name, message)
        super().write([p for p in plans if p.write is not None], ctx)


def ctx_errors(ctx: ImportContext, row: int, errors: ErrorCollector) -> None:
    for field_name, messages in errors.errors.items():
        for message in messages:
            ctx.problem(row, field_name, message)


def export_attendees(
    user, region: Region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The lists of the trainings organised under `region` ending in `as_of`'s year."""
    start = datetime.date(as_of.year, 1, 1)
    qs = (
        visible(Attendee, user)
        .filter(subtree_q("region_path", region.path))
        .filter(
            training__end_date__gte=start, training__end_date__lte=datetime.date(as_of.year, 12, 31)
        )
        .order_by("training_id", "id")
    )
    fields = (
        "training_id",
        "training__title",
        "association__number",
        "association__name",
        "name",
        "role",
        "phone",
        "attended",
        "hours",
        "completion_number",
    )

    def rows() -> Iterator[dict]:
        for values in qs.values_list(*fields).iterator(chunk_size=2000):
            row = dict(zip(fields, values, strict=True))
            yield {
                "training": row["training_id"],
                "training_title": row["training__title"],
                "association": row["association__number"],
                "association_name": row["association__name"],
                "name": row["name"],
                "role": row["role"],
                "phone": export_phone(user, row["phone"], region.path),
                "attended": "是" if row["attended"] else "否",
                "hours": row["hours"],
                "completion_number": row["completion_number"],
            }

    return rows(), qs.count()


ATTENDEE_KIND = SheetKind(
    name="training-attendees",
    title="培训签到表",
    columns=ATTENDEE_COLUMNS,
    notes=(
        gettext_noop(
            "每行一名参训人员。同一培训中，同一协会的同名人员视为同一人：已在名单上则更新其出勤，否则加入名单。"
        ),
        gettext_noop(
            "所在协会须在主办协会的范围内（全国协会主办的培训不限）；培训已举办才能登记出勤、学时和结业证书编号。"
        ),
        gettext_noop("导出为所选区划主办的、结束日期在所选日期当年的培训名单。"),
    ),
    importer=AttendeeImporter,
    exporter=export_attendees,
    model=Attendee,
    personal_data=True,
    field_headers={"association": "所在协会统一编号", "attendees": "姓名"},
)


TRAINING_COLUMNS = (
    Column("培训编号", "id", importable=False, width=8),
    Column("培训名称", "title", importable=False, width=30),
    Column("主办协会统一编号", "organiser", importable=False, width=18),
    Column("主办协会", "organiser_name", importable=False, width=24),
    Column("类别", "kind", importable=False, choices=choice_pairs(TrainingKind.choices), width=10),
    Column("培训对象", "audience", importable=False, width=18),
    Column("开始日期", "start_date", importable=False, width=12),
    Column("结束日期", "end_date", importable=False, width=12),
    Column("地点", "place", importable=False, width=20),
    Column("课时", "class_hours", importable=False, width=6),
    Column(
        "状态", "status", importable=False, choices=choice_pairs(TrainingStatus.choices), width=8
    ),
    Column("名单人数", "listed", importable=False, width=8),
    Column("参训人数", "attended", importable=False, width=8),
)


def export_trainings(
    user, region: Region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The trainings organised under `region` ending in `as_of`'s year, with their counts."""
    from django.db.models import Count, Q

    qs = (
        visible(Training, user)
        .filter(subtree_q("region_path", region.path))
        .filter(
            end_date__gte=datetime.date(as_of.year, 1, 1),
            end_date__lte=datetime.date(as_of.year, 12, 31),
        )
        .select_related("organiser")
        .annotate(
            listed=Count("attendees"), came=Count("attendees", filter=Q(attendees__attended=True))
        )
        .order_by("start_date", "id")
    )

    def rows() -> Iterator[dict]:
        for t in qs.iterator(chunk_size=500):
            yield {
                "id": t.pk,
                "title": t.title,
                "organiser": t.organiser.number,
                "organiser_name": t.organiser.name,
                "kind": t.kind,
                "audience": t.audience_labels,
                "start_date": t.start_date,
                "end_date": t.end_date,
                "place": t.place,
                "class_hours": t.class_hours,
                "status": t.status,
                "listed": t.listed,
                "attended": t.came,
            }

    return rows(), qs.count()


TRAINING_KIND = SheetKind(
    name="trainings",
    title="培训",
    columns=TRAINING_COLUMNS,
    notes=(
        gettext_noop("导出所选区划主办的、结束日期在所选日期当年的培训，含名单人数和参训人数。"),
    ),
    importer=None,
    exporter=export_trainings,
    model=Training,
)

KINDS = (TRAINING_KIND, ATTENDEE_KIND)
