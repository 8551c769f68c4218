"""Self-assessments in bulk (评估自评批量填报): one row per association in a round, one column
per manual indicator, through the import framework (template, check of every row and cell,
all rows or none, change log naming the file).

The indicator columns are the manual indicators (and the county's own yes/no gates) of the
versions used by the rounds now open for self-assessment (status “computed”), so a template
downloaded today carries exactly the indicators a county fills today. A blank cell leaves
the indicator as it is. Evidence cannot travel in a spreadsheet: an indicator that requires
it is accepted only once its evidence is on the sheet (uploaded on the sheet's page).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db import DatabaseError

from qingxie.accounts.permissions import user_may
from qingxie.assessment import services
from qingxie.assessment.choices import Grade, IndicatorKind, RoundStatus, ScoringRule
from qingxie.assessment.defaults import DEFAULT_DIMENSIONS, DEFAULT_GATES
from qingxie.assessment.models import Indicator, Round, Sheet, Value
from qingxie.core.errors import QingxieError
from qingxie.core.review import ReviewState
from qingxie.core.tabular import ImportContext, Importer, Row, RowPlan
from qingxie.core.tabular.lookups import visible
from qingxie.core.tabular.runner import UNCHANGED, UPDATE
from qingxie.core.tabular.spec import CellError, Column, SheetKind, checked_by, integer
from qingxie.ledger.numbering import number_normalize

#: The prefix of an indicator column's field (the indicator's code follows).
PREFIX = "ind:"

BASE_COLUMNS = (
    Column(
        "评估轮次编号",
        "round",
        required=True,
        parser=integer(1, 2**31 - 1),
        help="评估轮次页面地址 /assessment/rounds/<编号>/ 中的编号；导出的文件中已填好。",
        example="1",
        width=10,
    ),
    Column(
        "协会统一编号",
        "association",
        required=True,
        parser=checked_by(number_normalize, "统一编号"),
        help="参评的县级协会的统一编号（见协会台账）。",
        example="440105-3-01-4",
    ),
    Column(
        "协会名称",
        "association_name",
        importable=False,
        help="导出时附上，便于阅读。",
        width=24,
    ),
)


def _number(raw) -> Decimal:
    """A number cell (its range is the indicator's, checked with the sheet's rules)."""
    if isinstance(raw, bool):
        raise CellError(f"“{raw}”不是数字。")
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text[:40]}”不是数字。") from None
    if not value.is_finite():
        raise CellError(f"“{text[:40]}”不是数字。")
    return value


_number.kind = "数字"


@lru_cache(maxsize=64)
def _column(code: str, name: str, rule: str, kind: str, limit: str, evidence: bool) -> Column:
    """The column of one manual indicator (built once per definition, so its choice map is)."""
    note = "须先在评估表页面上传佐证材料。" if evidence else ""
    if rule == ScoringRule.ABC:
        return Column(
            name,
            PREFIX + code,
            choices=tuple((g, g) for g in Grade.values),
            help=f"等级 A、B、C 或 D；留空则不修改。{note}",
            example="A",
            width=12,
        )
    upper = "1（1 = 是）" if kind == IndicatorKind.GATE else (limit or "不设上限")
    return Column(
        name,
        PREFIX + code,
        parser=_number,
        help=f"数值，0 至 {upper}；留空则不修改。{note}",
        example="1" if kind == IndicatorKind.GATE else "12",
        width=12,
    )


def _definition(code, name, rule, kind, max_value, evidence) -> tuple:
    limit = "" if max_value in (None, "") else services.num(max_value)
    return (code, name, rule, kind, limit, bool(evidence))


def _default_definitions() -> list[tuple]:
    """The default system's county-filled indicators (no database needed: the docs)."""
    found = []
    for _, _, indicators in DEFAULT_DIMENSIONS:
        for i in indicators:
            if i["kind"] == IndicatorKind.MANUAL:
                found.append(
                    _definition(
                        i["code"],
                        i["name"],
                        i["rule"],
                        i["kind"],
                        i.get("max_value"),
                        i.get("evidence_required"),
                    )
                )
    for g in DEFAULT_GATES:
        if not g.get("source"):
            found.append(_definition(g["code"], g["name"], g["rule"], g["kind"], 1, False))
    return found


def _county_filled_q():
    from django.db.models import Q

    return Q(kind=IndicatorKind.MANUAL) | Q(kind=IndicatorKind.GATE, source="")


def _open_definitions() -> list[tuple]:
    """The county-filled indicators of the versions of the rounds open for self-assessment,
    newest round first; the default system's when no round is open (or no database is
    reachable, as for the docs generator)."""
    try:
        rows = list(
            Indicator.objects.filter(
                _county_filled_q(),
                indicator_version__rounds__status=RoundStatus.COMPUTED,
            )
            .order_by("-indicator_version__rounds__year", "indicator_version_id", "position")
            .values_list("code", "name", "rule", "kind", "max_value", "evidence_required")
        )
    except (DatabaseError, RuntimeError):  # no database here: document the default system
        rows = []
    if not rows:
        return _default_definitions()
    return [_definition(*r) for r in rows]


def indicator_columns() -> tuple[Column, ...]:
    """One column per county-filled indicator, each code and each header once."""
    columns, codes, headers = [], set(), {c.header for c in BASE_COLUMNS}
    for definition in _open_definitions():
        code, name = definition[0], definition[1]
        if code in codes or name in headers:
            continue
        codes.add(code)
        headers.add(name)
        columns.append(_column(*definition))
    return tuple(columns)


class SelfAssessmentKind(SheetKind):
    """The kind whose columns follow the open rounds' indicators (read at each use)."""

    @property
    def columns(self) -> tuple[Column, ...]:
        return (*BASE_COLUMNS, *indicator_columns())

    @columns.setter
    def columns(self, value) -> None:
        """The dataclass's __init__ assigns the declared columns; the property decides."""


def _label(value: Value) -> object:
    if not value.filled:
        return None
    if value.indicator.rule == ScoringRule.ABC:
        return value.grade or None
    return services.num(value.value) if value.value is not None else None


def export_self_assessments(
    user, region, as_of: datetime.date, **options
) -> tuple[Iterator[dict], int]:
    """The sheets of the rounds open for self-assessment under `region`, one row each, with
    the values filled so far: the template a city hands its counties."""
    sheets = (
        visible(Sheet, user)
        .filter(round__status=RoundStatus.COMPUTED, region_path__startswith=region.path)
        .select_related("association", "round")
        .order_by("round_id", "region_path", "id")
    )
    codes = {c.field for c in indicator_columns()}
    values: dict[int, dict[str, object]] = {}
    for v in (
        Value.objects.filter(sheet__in=sheets)
        .filter(indicator__in=Indicator.objects.filter(_county_filled_q()))
        .select_related("indicator")
    ):
        field = PREFIX + v.indicator.code
        if field in codes:
            values.setdefault(v.sheet_id, {})[field] = _label(v)
    rows = [
        {
            "round": s.round_id,
            "association": s.association.number,
            "association_name": s.association.name,
            **values.get(s.pk, {}),
        }
        for s in sheets
    ]
    return iter(rows), len(rows)


class SelfAssessmentImporter(Importer):
    """Rows of self-assessments onto `services.value_fill`, one call per changed indicator.

    Every rule of the page is checked in the check pass, each under its column: the round
    open for self-assessment, the association assessed in it and in the importer's scope,
    the sheet not submitted, each value within its indicator's range, evidence already on the
    sheet where the indicator requires it. A row twice in the file is named.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple, int] = {}

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        actor = ctx.actor
        round_ids = {r.get("round") for r in rows if r.get("round")}
        rounds = {r.pk: r for r in visible(Round, actor).filter(pk__in=round_ids)}
        numbers = {r.get("association") for r in rows if r.get("association")}
        sheets = {
            (s.round_id, s.association.number): s
            for s in visible(Sheet, actor)
            .filter(round_id__in=rounds, association__number__in=numbers)
            .select_related("association", "round", "region")
        }
        values: dict[int, dict[str, Value]] = {}
        for v in Value.objects.filter(sheet__in=list(sheets.values())).select_related("indicator"):
            values.setdefault(v.sheet_id, {})[v.indicator.code] = v
        plans = []
        for row in rows:
            plan = self._plan_row(row, ctx, rounds, sheets, values)
            if plan is not None:
                plans.append(plan)
        return plans

    def _plan_row(self, row: Row, ctx, rounds, sheets, values) -> RowPlan | None:
        n, actor = row.number, ctx.actor
        rnd = rounds.get(row.get("round"))
        if rnd is None:
            if "round" not in row.bad:
                ctx.problem(n, "round", f"编号为 {row.get('round')} 的评估轮次不存在，或不可见。")
            return None
        if rnd.status != RoundStatus.COMPUTED:
            ctx.problem(n, "round", f"“{rnd.name}”不在自评阶段（{rnd.get_status_display()}）。")
            return None
        number = row.get("association")
        if number is None:
            return None
        sheet = sheets.get((rnd.pk, number))
        if sheet is None:
            ctx.problem(
                n,
                "association",
                f"统一编号为 {number} 的协会不在“{rnd.name}”中，或不在您的管辖范围内。",
            )
            return None
        earlier = self.seen.setdefault((rnd.pk, number), n)
        if earlier != n:
            ctx.problem(n, "association", f"与第{earlier}行是同一协会的同一轮评估。")
            return None
        if actor is not None and not user_may(actor, Sheet, "change", sheet.region_path):
            ctx.problem(n, "association", f"您无权填报{sheet.association.name}的评估表。")
            return None
        if sheet.state in (ReviewState.SUBMITTED, ReviewState.VERIFIED):
            ctx.problem(
                n,
                "association",
                f"{sheet.association.name}的评估表已提交，不能再修改；如需更正，请由上级退回。",
            )
            return None
        mine = values.get(sheet.pk, {})
        fills, changes = [], []
        for field_name, cell in row.values.items():
            if not field_name.startswith(PREFIX) or cell is None:
                continue
            code = field_name[len(PREFIX) :]
            value = mine.get(code)
            if value is None:
                ctx.problem(n, field_name, "本轮评估的指标体系中没有该指标，请留空。")
                continue
            fill = self._check(n, field_name, value, cell, ctx)
            if fill is not None:
                fills.append(fill)
                changes.append(f"{value.indicator.name}：{_shown(fill)}")
        if not fills:
            return RowPlan(n, UNCHANGED, sheet.association.name)
        return RowPlan(
            n,
            UPDATE,
            sheet.association.name,
            write=lambda: _write(actor, sheet, fills),
            changes=changes,
        )

    def _check(self, n, field_name, value: Value, cell, ctx) -> dict | None:
        """The fill for one cell, or None when it changes nothing or is refused (named)."""
        ind = value.indicator
        before = len(ctx.problems)
        if ind.rule == ScoringRule.ABC:
            if value.filled and value.grade == cell:
                return None
            fill = {"value": value, "grade": cell, "number": None}
        else:
            high = Decimal(1) if ind.kind == IndicatorKind.GATE else ind.max_value
            if cell < 0 or (high is not None and cell > high):
                bound = f"0 至 {services.num(high)} 之间" if high is not None else "不小于 0"
                ctx.problem(
                    n, field_name, f"“{ind.name}”须在 {bound}（现为 {services.num(cell)}）。"
                )
            if value.filled and value.value is not None and value.value == cell:
                return None
            fill = {"value": value, "grade": "", "number": cell}
        if ind.evidence_required and not value.evidence:
            ctx.problem(
                n,
                field_name,
                f"“{ind.name}”须附佐证材料：请先在评估表页面上传，再导入。",
            )
        return fill if len(ctx.problems) == before else None


def _shown(fill: dict) -> str:
    return fill["grade"] or services.num(fill["number"])


def _write(actor, sheet: Sheet, fills: list[dict]) -> None:
    """One value_fill per changed indicator; a refusal is named under that indicator."""
    for fill in fills:
        value = fill["value"]
        try:
            services.value_fill(
                actor=actor,
                sheet=sheet,
                indicator=value.indicator,
                value=fill["number"],
                grade=fill["grade"],
                note=value.note,
            )
        except QingxieError as exc:
            # The service names value/grade/evidence; in the file they are this column.
            field = PREFIX + value.indicator.code
            errors = {
                (field if key in ("value", "grade", "evidence") else key): msgs
                for key, msgs in exc.errors.items()
            } or {field: [exc.message]}
            raise QingxieError(exc.message, errors=errors) from exc


SELF_ASSESSMENT_KIND = SelfAssessmentKind(
    name="assessment-self",
    title="评估自评",
    columns=BASE_COLUMNS,
    notes=(
        "每行一个参评的县级协会在一轮评估中的自评；除前三列外，每列是本轮须由县级填报的一项指标"
        "（列名为指标名称，随正在自评的评估轮次的指标体系而定，下表为默认指标体系）。",
        "留空的指标不修改；已提交或已审核的评估表不能通过导入修改。",
        "须附佐证材料的指标，请先在评估表页面上传佐证材料再导入。",
        "导出（选择区划）得到该区划正在自评的各协会评估表，已填的数值一并导出，可直接作为模板。",
    ),
    importer=SelfAssessmentImporter,
    exporter=export_self_assessments,
    model=Sheet,
    field_headers={"state": "协会统一编号", "round": "评估轮次编号"},
)
