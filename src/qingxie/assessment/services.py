"""Writes of the assessment: indicator versions, rounds, sheets and their review, the 示范
selection and the library. Keyword-only, atomic, permission-checked and change-logged."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal, InvalidOperation

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingxie.accounts.permissions import require_scope
from qingxie.accounts.policies import admin_paths
from qingxie.assessment import scoring
from qingxie.assessment.choices import (
    AppealState,
    CandidateState,
    Grade,
    IndicatorKind,
    LibraryKind,
    LibraryStatus,
    RoundStatus,
    ScoringRule,
    SupportKind,
)
from qingxie.assessment.defaults import DEFAULT_CODE, DEFAULT_DIMENSIONS, DEFAULT_GATES
from qingxie.assessment.models import (
    Candidate,
    DemoQuota,
    Dimension,
    Indicator,
    IndicatorVersion,
    LibraryEntry,
    Round,
    Sheet,
    Support,
    Value,
)
from qingxie.core.changelog import log_change
from qingxie.core.concurrency import check_version
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.indicators import indicator_source
from qingxie.core.models import NATION_PATH, ObjectChange
from qingxie.core.review import (
    DIRECT_ABOVE,
    Review,
    ReviewState,
    register_review,
    review_return,
    review_revoke,
    review_submit,
    review_verify,
)
from qingxie.core.validators import date_problem
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.regions.models import Region

CREATE, UPDATE = ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE
#: How long an organisation stays in the 示范 library before it is reviewed.
LIBRARY_VALID_YEARS = 3
COUNTY = Region.Level.COUNTY


def _today() -> datetime.date:
    return timezone.localdate()


def num(value) -> str:
    """A number as cadres write it: 100, 98.5 (no trailing zeros)."""
    return format(Decimal(str(value)).normalize(), "f")


SHEET_REVIEW = register_review(
    Review(
        key="assessment.sheet",
        model=Sheet,
        region_field="region",
        decider_paths=admin_paths,
        mode=DIRECT_ABOVE,
        verb="审核",
        noun="自评",
        thing="评估表",
        owner_name=lambda sheet: sheet.association.name,
        select_related=("association", "region", "round"),
    )
)


# --------------------------------------------------------------------- indicator versions


def _require_national(actor, model, what: str) -> None:
    require_scope(actor, model, "change", NATION_PATH, what)


def _require_editable(version: IndicatorVersion) -> None:
    if version.frozen:
        raise QingxieError(
            _("指标体系“%(name)s”已被评估轮次使用并冻结，不能修改；请复制为新版本后再调整。")
            % {"name": version.name},
            field="indicator_version",
        )


def weight_sum(version: IndicatorVersion) -> Decimal:
    """The sum of the weights of the version's point-bearing indicators (gates carry none)."""
    total = version.indicators.exclude(kind=IndicatorKind.GATE).aggregate(s=Sum("weight"))["s"] or 0
    return Decimal(total)


def version_problems(version: IndicatorVersion) -> list[str]:
    """Why a round may not use this version (empty when it may)."""
    problems = []
    total = weight_sum(version)
    if total != version.total:
        problems.append(
            _("指标分值合计为 %(sum)s 分，应等于总分 %(total)s 分。")
            % {"sum": num(total), "total": num(version.total)}
        )
    for ind in version.indicators.all():
        if ind.kind != IndicatorKind.MANUAL and ind.source and indicator_source(ind.source) is None:
            problems.append(
                _("指标“%(name)s”的数据来源“%(source)s”未安装。")
                % {"name": ind.name, "source": ind.source}
            )
    return problems


@transaction.atomic
def version_create_default(*, actor=None) -> IndicatorVersion:
    """Create the default 2021 indicator system (assessment.defaults) once; return it."""
    existing = IndicatorVersion.objects.filter(code=DEFAULT_CODE).first()
    if existing is not None:
        return existing
    _require_national(actor, IndicatorVersion, "设定指标体系")
    version = IndicatorVersion.objects.create(
        code=DEFAULT_CODE,
        name="县级青年志愿者协会建设评估指标（2021年默认版）",
        year=2021,
        total=Decimal(100),
        note="参照社会组织评估（基础条件、内部治理、工作绩效、社会评价）与全国志愿服务工作测评体系"
        "（A=100%、B=66%、C=33%）拟定，各项均可调整。",
    )
    log_change(version, CREATE)
    _add_indicators(version, DEFAULT_DIMENSIONS, DEFAULT_GATES)
    return version


def _add_indicators(version, dimensions, gates) -> None:
    position = 0
    for d_pos, (code, name, indicators) in enumerate(dimensions):
        dimension = Dimension.objects.create(
            indicator_version=version, code=code, name=name, position=d_pos
        )
        log_change(dimension, CREATE)
        for fields in indicators:
            position += 1
            ind = Indicator.objects.create(
                indicator_version=version, dimension=dimension, position=position, **fields
            )
            log_change(ind, CREATE)
    for fields in gates:
        position += 1
        ind = Indicator.objects.create(indicator_version=version, position=position, **fields)
        log_change(ind, CREATE)


@transaction.atomic
def version_copy(
    *, actor, source: IndicatorVersion, code: str, name: str, year: int
) -> IndicatorVersion:
    """Copy a version (frozen or not) as a new, editable one for another year or adjustment."""
    _require_national(actor, IndicatorVersion, "设定指标体系")
    errors = ErrorCollector()
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        errors.add("code", _("请填写新版本的代码。"))
    elif IndicatorVersion.objects.filter(code=code).exists():
        errors.add("code", _("代码“%(code)s”已被使用。") % {"code": code})
    if not name:
        errors.add("name", _("请填写新版本的名称。"))
    if not year or not 2000 <= int(year) <= 2100:
        errors.add("year", _("年度须在 2000 至 2100 之间。"))
    errors.raise_if_any()
    version = IndicatorVersion.objects.create(
        code=code, name=name, year=int(year), total=source.total, note=source.note
    )
    log_change(version, CREATE)
    dims = {}
    for d in source.dimensions.all():
        dims[d.pk] = Dimension.objects.create(
            indicator_version=version, code=d.code, name=d.name, position=d.position
        )
        log_change(dims[d.pk], CREATE)
    for i in source.indicators.all():
        ind = Indicator.objects.create(
            indicator_version=version,
            dimension=dims.get(i.dimension_id),
            **{
                f: getattr(i, f)
                for f in (
                    "code",
                    "name",
                    "description",
                    "kind",
                    "source",
                    "rule",
                    "params",
                    "weight",
                    "max_value",
                    "evidence_required",
                    "position",
                )
            },
        )
        log_change(ind, CREATE)
    return version


INDICATOR_EDITABLE = (
    "name",
    "description",
    "rule",
    "params",
    "weight",
    "max_value",
    "evidence_required",
)


@transaction.atomic
def indicator_update(
    *, actor, indicator: Indicator, expected_version: int | None = None, **fields
) -> Indicator:
    """Change an indicator of an unfrozen version: its weight, rule and description.

    The weights of the version may not add up to more than its total (a round refuses a
    version whose weights do not add up exactly).
    """
    _require_national(actor, Indicator, "修改评估指标")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _require_editable(indicator.indicator_version)
    check_version(indicator, expected_version, "指标")
    if set(fields) - set(INDICATOR_EDITABLE):
        raise QingxieError(_("含有不能修改的字段。"))
    errors = ErrorCollector()
    data = dict(fields)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors.add("name", _("请填写指标名称。"))
    rule = data.get("rule", indicator.rule)
    if rule not in ScoringRule.values:
        errors.add("rule", _("请选择计分方式。"))
    elif indicator.kind == IndicatorKind.COMPUTED and rule == ScoringRule.ABC:
        errors.add("rule", _("平台计算的指标不能使用 A/B/C 等级计分。"))
    params = data.get("params", indicator.params)
    if not isinstance(params, dict):
        errors.add("params", _("计分参数格式不正确。"))
    else:
        for problem in scoring.rule_problems(rule, params):
            errors.add("params", problem)
    if "weight" in data:
        try:
            weight = Decimal(str(data["weight"]))
        except (InvalidOperation, ValueError):
            weight = None
        if weight is None or weight < 0:
            errors.add("weight", _("分值须为不小于 0 的数。"))
        elif indicator.kind == IndicatorKind.GATE and weight:
            errors.add("weight", _("资格条件不计分，分值须为 0。"))
        else:
            version = indicator.indicator_version
            others = weight_sum(version) - (
                indicator.weight if indicator.kind != IndicatorKind.GATE else 0
            )
            if others + weight > version.total:
                errors.add(
                    "weight",
                    _("分值合计将为 %(sum)s 分，超过总分 %(total)s 分。")
                    % {"sum": num(others + weight), "total": num(version.total)},
                )
            data["weight"] = weight
    errors.raise_if_any()
    before = indicator.snapshot()
    for key, value in data.items():
        setattr(indicator, key, value)
    indicator.version += 1
    indicator.save()
    log_change(indicator, UPDATE, before=before)
    return indicator


def _indicator_problems(
    errors: ErrorCollector, version: IndicatorVersion, *, kind, rule, params, source, weight
) -> Decimal | None:
    """Check a new indicator's kind, source, rule, parameters and weight (against the
    version's total); the weight as a number when it is one."""
    if kind not in IndicatorKind.values:
        errors.add("kind", _("请选择指标类型。"))
    if kind == IndicatorKind.COMPUTED:
        if not source:
            errors.add("source", _("平台计算的指标须选择数据来源。"))
        elif indicator_source(source) is None:
            errors.add("source", _("数据来源“%(source)s”未安装。") % {"source": source})
    elif kind == IndicatorKind.MANUAL and source:
        errors.add("source", _("自评填报的指标没有数据来源。"))
    elif kind == IndicatorKind.GATE and source and indicator_source(source) is None:
        errors.add("source", _("数据来源“%(source)s”未安装。") % {"source": source})
    if rule not in ScoringRule.values:
        errors.add("rule", _("请选择计分方式。"))
    elif kind == IndicatorKind.COMPUTED and rule == ScoringRule.ABC:
        errors.add("rule", _("平台计算的指标不能使用 A/B/C 等级计分。"))
    elif not isinstance(params, dict):
        errors.add("params", _("计分参数格式不正确。"))
    else:
        for problem in scoring.rule_problems(rule, params):
            errors.add("params", problem)
    try:
        number = Decimal(str(weight).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number > 10000:
        errors.add("weight", _("分值须为 0 至 10000 之间的数。"))
        return None
    if kind == IndicatorKind.GATE and number:
        errors.add("weight", _("资格条件不计分，分值须为 0。"))
    elif weight_sum(version) + number > version.total:
        errors.add(
            "weight",
            _("分值合计将为 %(sum)s 分，超过总分 %(total)s 分。")
            % {"sum": num(weight_sum(version) + number), "total": num(version.total)},
        )
    return number


@transaction.atomic
def indicator_add(
    *,
    actor,
    version: IndicatorVersion,
    code: str,
    name: str,
    kind: str,
    rule: str,
    weight,
    dimension: Dimension | None = None,
    params: dict | None = None,
    source: str = "",
    description: str = "",
    max_value=None,
    evidence_required: bool = False,
) -> Indicator:
    """Add an indicator to an unfrozen version: in a dimension (a gate has none), with its
    rule and weight; the version's weights may not then exceed its total."""
    _require_national(actor, Indicator, "增加评估指标")
    version = IndicatorVersion.objects.select_for_update().get(pk=version.pk)
    _require_editable(version)
    errors = ErrorCollector()
    code, name = (code or "").strip(), (name or "").strip()
    source = (source or "").strip()
    params = {} if params is None else params
    if not code or not slug_re.fullmatch(code) or len(code) > 40:
        errors.add("code", _("代码须为 1 至 40 个英文字母、数字、连字符或下划线。"))
    elif version.indicators.filter(code=code).exists():
        errors.add("code", _("代码“%(code)s”在本版本中已被使用。") % {"code": code})
    if not name:
        errors.add("name", _("请填写指标名称。"))
    elif len(name) > 100:
        errors.add("name", _("指标名称不能超过 100 个字。"))
    if kind == IndicatorKind.GATE:
        dimension = None
    elif dimension is None or dimension.indicator_version_id != version.pk:
        errors.add("dimension", _("请选择本版本的维度。"))
    number = _indicator_problems(
        errors, version, kind=kind, rule=rule, params=params, source=source, weight=weight
    )
    limit = None
    if max_value not in (None, ""):
        try:
            limit = Decimal(str(max_value).strip())
        except (InvalidOperation, ValueError):
            limit = None
        if limit is None or not limit.is_finite() or not 0 < limit < Decimal("1e10"):
            errors.add("max_value", _("填报上限须为大于 0 的数。"))
    errors.raise_if_any()
    last = version.indicators.order_by("-position").values_list("position", flat=True).first()
    ind = Indicator.objects.create(
        indicator_version=version,
        dimension=dimension,
        code=code,
        name=name,
        description=(description or "").strip()[:2000],
        kind=kind,
        source=source,
        rule=rule,
        params=params,
        weight=number,
        max_value=limit,
        evidence_required=bool(evidence_required),
        position=(last or 0) + 1,
    )
    log_change(ind, CREATE)
    return ind


@transaction.atomic
def indicator_remove(*, actor, indicator: Indicator) -> None:
    """Remove an indicator from an unfrozen version (no round uses it, so no sheet holds a
    value of it); its points are then free for another indicator."""
    _require_national(actor, Indicator, "删除评估指标")
    indicator = (
        Indicator.objects.select_for_update()
        .select_related("indicator_version")
        .get(pk=indicator.pk)
    )
    _require_editable(indicator.indicator_version)
    before = indicator.snapshot()
    log_change(indicator, ObjectChange.Action.DELETE, before=before)
    indicator.delete()


# ---------------------------------------------------------------------------- rounds


@transaction.atomic
def round_open(
    *,
    actor,
    region: Region,
    year: int,
    indicator_version: IndicatorVersion,
    cut_off: datetime.date,
    self_until: datetime.date,
    review_until: datetime.date,
    appeal_until: datetime.date,
    name: str = "",
    tiers: list | None = None,
) -> Round:
    """Open a yearly round for the nation (or a province's own counties) on a version.

    The version's weights must add up to its total; it is frozen from now on.
    """
    require_scope(actor, Round, "add", region.path, "组织该区划的评估")
    errors = ErrorCollector()
    if region.level > Region.Level.PROVINCE:
        errors.add("region", _("年度评估由全国或省级组织。"))
    if not year or not 2000 <= int(year) <= 2100:
        errors.add("year", _("年度须在 2000 至 2100 之间。"))
    elif Round.objects.filter(region=region, year=year).exists():
        errors.add(
            "year", _("%(name)s%(year)s年度的评估已经开启。") % {"name": region.name, "year": year}
        )
    for problem in version_problems(indicator_version):
        errors.add("indicator_version", problem)
    _check_round_dates(
        errors,
        cut_off=cut_off,
        self_until=self_until,
        review_until=review_until,
        appeal_until=appeal_until,
    )
    if tiers:
        for problem in _tiers_problems(tiers):
            errors.add("tiers", problem)
    tiers = tiers or Round._meta.get_field("tiers").default()
    errors.raise_if_any()
    rnd = Round.objects.create(
        region=region,
        year=int(year),
        name=(name or "").strip() or f"{region.name}{year}年度县级青年志愿者协会建设评估",
        indicator_version=indicator_version,
        cut_off=cut_off,
        self_until=self_until,
        review_until=review_until,
        appeal_until=appeal_until,
        tiers=tiers,
    )
    log_change(rnd, CREATE)
    if not indicator_version.frozen:
        before = indicator_version.snapshot()
        indicator_version.frozen = True
        indicator_version.save()
        log_change(indicator_version, UPDATE, before=before, note=f"被“{rnd.name}”使用，冻结")
    return rnd


ROUND_DATES = (
    ("cut_off", gettext_lazy("数据截止日期")),
    ("self_until", gettext_lazy("自评截止日期")),
    ("review_until", gettext_lazy("审核截止日期")),
    ("appeal_until", gettext_lazy("申诉截止日期")),
)
#: What `round_update` changes: the name and the timetable (the version and region are fixed).
ROUND_EDITABLE = ("name", *(field for field, _ in ROUND_DATES))


def _check_round_dates(errors: ErrorCollector, **days) -> None:
    """Each of the round's four dates given, and in the timetable's order."""
    dates = [(field, label, days[field]) for field, label in ROUND_DATES]
    missing = False
    for field, label, day in dates:
        if not isinstance(day, datetime.date):
            errors.add(field, _("请填写%(label)s。") % {"label": label})
            missing = True
    if not missing:
        for (_field, a_label, a), (field, label, b) in itertools.pairwise(dates):
            if b < a:
                errors.add(
                    field,
                    _("%(label)s不能早于%(a_label)s。") % {"label": label, "a_label": a_label},
                )


@transaction.atomic
def round_update(*, actor, round: Round, expected_version: int | None = None, **fields) -> Round:
    """Change a round's name or timetable (e.g. extend the self-assessment window).

    The cut-off date is fixed once the platform's figures have been computed as of it (the
    computed values would no longer match it); a closed round is final.
    """
    rnd = Round.objects.select_for_update().select_related("region").get(pk=round.pk)
    require_scope(actor, Round, "change", rnd.region.path, "修改该轮评估")
    check_version(rnd, expected_version, "评估轮次")
    if unknown := set(fields) - set(ROUND_EDITABLE):
        raise QingxieError(
            _("含有不能修改的字段：%(unknown)s。") % {"unknown": "、".join(sorted(unknown))}
        )
    errors = ErrorCollector()
    if rnd.status == RoundStatus.CLOSED:
        errors.add("status", _("本轮评估已结束，不能再修改。"))
    if "cut_off" in fields and rnd.status != RoundStatus.OPEN and fields["cut_off"] != rnd.cut_off:
        errors.add("cut_off", _("平台数据已按数据截止日期计算，不能再修改数据截止日期。"))
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors.add("name", _("请填写评估轮次名称。"))
        elif len(fields["name"]) > 100:
            errors.add("name", _("名称不能超过 100 个字。"))
    days = {field: fields.get(field, getattr(rnd, field)) for field, _ in ROUND_DATES}
    _check_round_dates(errors, **days)
    errors.raise_if_any()
    before = rnd.snapshot()
    for key, value in fields.items():
        setattr(rnd, key, value)
    rnd.version += 1
    rnd.save()
    log_change(rnd, UPDATE, before=before)
    return rnd


def _tiers_problems(tiers) -> list[str]:
    if not isinstance(tiers, list) or not tiers:
        return [_("请至少设定一个档次。")]
    try:
        names = [str(n).strip() for n, _ in tiers]
        cut = [Decimal(str(c)) for _name, c in tiers]
    except (TypeError, ValueError, InvalidOperation):
        return [_("档次格式不正确：每档为“名称=最低分”。")]
    if any(not n for n in names) or len(set(names)) != len(names):
        return [_("档次名称不能为空或重复。")]
    if cut != sorted(cut, reverse=True):
        return [_("档次须按最低分从高到低排列。")]
    return []


@transaction.atomic
def round_set_tiers(*, actor, round: Round, tiers: list, province: Region | None = None) -> Round:
    """Set the round's tier cut-offs, or (with `province`) that province's own cut-offs;
    every sheet concerned is re-tiered at once."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if province is None:
        require_scope(actor, Round, "change", rnd.region.path, "调整该轮评估的档次")
    else:
        require_scope(actor, Round, "change", province.path, "调整本省的档次")
        if province.level != Region.Level.PROVINCE or not province.path.startswith(rnd.region.path):
            raise QingxieError(_("只能为本轮评估范围内的省份调整档次。"), field="province")
    if problems := _tiers_problems(tiers):
        raise QingxieError(problems[0], field="tiers")
    before = rnd.snapshot()
    if province is None:
        rnd.tiers = tiers
    else:
        rnd.tier_overrides = {**(rnd.tier_overrides or {}), province.code: tiers}
    rnd.version += 1
    rnd.save()
    log_change(rnd, UPDATE, before=before)
    sheets = rnd.sheets.all()
    if province is not None:
        sheets = sheets.filter(region_path__startswith=province.path)
    for sheet in sheets.select_related("round", "region"):
        _rescore(sheet, log=True)
    return rnd


def round_associations(rnd: Round):
    """The county-level associations a round assesses: live on the cut-off date in its region."""
    return (
        Association.objects.filter(
            region_path__startswith=rnd.region.path,
            level=COUNTY,
            established_on__lte=rnd.cut_off,
            status__in=LIVE_STATUSES,
        )
        .select_related("region")
        .order_by("region_path", "id")
    )


def _province_code(path: str) -> str | None:
    parts = path.rstrip("/").split("/")
    return parts[1] if len(parts) > 1 else None


def _score(sheet: Sheet, values: list[Value]) -> None:
    """Set a sheet's total, dimension scores, gates and tier from its values (in memory)."""
    dims: dict[str, Decimal] = {}
    total = Decimal(0)
    failed = []
    for v in values:
        ind = v.indicator
        if ind.kind == IndicatorKind.GATE:
            if not scoring.passes_gate(ind.params, v.value):
                failed.append(ind.name)
            continue
        total += v.points
        if ind.dimension is not None:
            dims[ind.dimension.name] = dims.get(ind.dimension.name, Decimal(0)) + v.points
    sheet.total = total
    sheet.dimension_scores = {k: str(scoring.quantize(v)) for k, v in dims.items()}
    sheet.eligible = not failed
    sheet.gate_notes = ("未满足：" + "、".join(failed)) if failed else ""
    tiers = sheet.round.tiers_for(_province_code(sheet.region_path))
    tier = scoring.tier_for(total, tiers)
    if failed and tier == tiers[0][0] and len(tiers) > 1:
        # A failed gate bars the best tier (and the 示范 recommendation), not the points.
        tier = tiers[1][0]
    sheet.tier = tier


SCORE_FIELDS = ["total", "dimension_scores", "eligible", "gate_notes", "tier"]


def save_scores(sheets: list[Sheet], extra: tuple[str, ...] = ()) -> None:
    """Write the scored fields of many sheets (one UPDATE each: Django's bulk_update builds a
    CASE per field and row, slower than the statements it saves at a few thousand rows)."""
    for sheet in sheets:
        Sheet.objects.filter(pk=sheet.pk).update(
            **{f: getattr(sheet, f) for f in (*SCORE_FIELDS, *extra)}
        )


def _rescore(sheet: Sheet, *, log: bool = False) -> Sheet:
    """Recompute a sheet's total, dimension scores, gates and tier from its values, and save."""
    before = sheet.snapshot() if log else None
    _score(sheet, list(sheet.values.select_related("indicator__dimension")))
    sheet.save()
    if log:
        log_change(sheet, UPDATE, before=before, note="重新计分")
    return sheet


def _computed_points(ind: Indicator, number) -> Decimal:
    if ind.kind == IndicatorKind.GATE:
        return Decimal(0)
    return scoring.points(ind.rule, ind.params, ind.weight, number)


@transaction.atomic
def round_compute(*, round_id: int, progress=None) -> dict:
    """Fill every computed indicator of the round from the data as of its cut-off date.

    Creates the sheets of associations that have none (their manual values empty, a manual
    gate passed until the county says otherwise), recomputes the computed values of every
    sheet and rescores them. Each source reads all associations in a few aggregate queries
    (core.indicators.indicator_values). One transaction: a crash leaves nothing half-done,
    and running it again gives the same result.
    """
    from qingxie.core.changelog import log_created_bulk
    from qingxie.core.indicators import indicator_values

    rnd = Round.objects.select_for_update().select_related("region").get(pk=round_id)
    indicators = list(rnd.indicator_version.indicators.select_related("dimension"))
    computed = [i for i in indicators if i.kind != IndicatorKind.MANUAL and i.source]
    associations = list(round_associations(rnd))
    figures: dict[int, dict] = {}
    for n, ind in enumerate(computed, 1):
        try:
            figures[ind.pk] = indicator_values(ind.source, associations, rnd.cut_off)
        except KeyError:
            figures[ind.pk] = {}
        if progress:
            progress("读取平台数据", n, len(computed))

    def fill(value: Value, association_id: int) -> None:
        number, text = figures[value.indicator_id].get(
            association_id, (None, f"数据来源“{value.indicator.source}”未安装")
        )
        value.value, value.source_text = number, text[:200]
        value.filled = number is not None
        value.points = _computed_points(value.indicator, number)

    existing = set(rnd.sheets.values_list("association_id", flat=True))
    new = [
        Sheet(round=rnd, association=a, region=a.region)
        for a in associations
        if a.pk not in existing
    ]
    for start in range(0, len(new), 1000):
        chunk = new[start : start + 1000]
        Sheet.objects.bulk_create(chunk)
        log_created_bulk(chunk)
        rows = []
        for sheet in chunk:
            for ind in indicators:
                value = Value(sheet=sheet, indicator=ind, region_path=sheet.region_path)
                if ind.kind == IndicatorKind.GATE and not ind.source:
                    value.value = Decimal(1)
                if ind in computed:
                    fill(value, sheet.association_id)
                rows.append(value)
        # Part of each sheet's creation (logged above with the sheet).
        Value.objects.bulk_create(rows, batch_size=2000)
    # Existing sheets: refresh their computed values, logging those that changed.
    ids = {a.pk for a in associations}
    new_ids = {s.pk for s in new}
    changed = 0
    stale = Value.objects.filter(sheet__round=rnd, indicator__in=computed).select_related(
        "indicator", "sheet"
    )
    for value in stale:
        if value.sheet_id in new_ids or value.sheet.association_id not in ids:
            continue
        before = value.snapshot()
        was = (value.value, value.points, value.source_text)
        fill(value, value.sheet.association_id)
        if (value.value, value.points, value.source_text) != was:
            value.save()
            log_change(value, UPDATE, before=before, note="截止日期数据重新计算")
            changed += 1
    # Rescore every sheet from its values in one pass.
    by_sheet: dict[int, list[Value]] = {}
    for value in Value.objects.filter(sheet__round=rnd).select_related("indicator__dimension"):
        by_sheet.setdefault(value.sheet_id, []).append(value)
    sheets = list(rnd.sheets.all())
    for sheet in sheets:
        sheet.round = rnd
        _score(sheet, by_sheet.get(sheet.pk, []))
    save_scores(sheets)
    before = rnd.snapshot()
    if rnd.status == RoundStatus.OPEN:
        rnd.status = RoundStatus.COMPUTED
    rnd.computed_at = timezone.now()
    rnd.save()
    log_change(rnd, UPDATE, before=before, note=f"截止日期数据计算：{len(associations)} 个协会")
    return {"round": rnd.pk, "sheets": len(associations), "created": len(new), "changed": changed}


def round_compute_start(*, actor, round: Round):
    """Queue the computation of a round's indicators (the page polls the returned job)."""
    from qingxie.core.jobs import job_enqueue

    require_scope(actor, Round, "change", round.region.path, "计算该轮评估")
    return job_enqueue(
        kind="assessment.compute",
        owner=actor if getattr(actor, "pk", None) else None,
        payload={"round_id": round.pk},
        subject=f"assessment-round:{round.pk}",
    )


def rounds_compute_due() -> int:
    """Periodic: queue the computation of every open round whose cut-off date has passed."""
    due = Round.objects.filter(status=RoundStatus.OPEN, cut_off__lt=_today())
    count = 0
    for rnd in due:
        round_compute_start(actor=None, round=rnd)
        count += 1
    return count


@transaction.atomic
def round_close(*, actor, round: Round) -> Round:
    """Close a round: its scores and tiers are final (appeals already decided)."""
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_scope(actor, Round, "change", rnd.region.path, "结束该轮评估")
    if rnd.status != RoundStatus.COMPUTED:
        raise QingxieError(_("只能结束已计算的评估轮次。"), field="status")
    if rnd.sheets.filter(appeal_state=AppealState.SUBMITTED).exists():
        raise QingxieError(_("仍有申诉未处理，不能结束本轮评估。"), field="status")
    before = rnd.snapshot()
    rnd.status = RoundStatus.CLOSED
    rnd.version += 1
    rnd.save()
    log_change(rnd, UPDATE, before=before)
    return rnd


# ---------------------------------------------------------------------------- sheets


def _lock_sheet(sheet: Sheet) -> Sheet:
    return (
        Sheet.objects.select_for_update()
        .select_related("round", "region", "association")
        .get(pk=sheet.pk)
    )


def _require_open_for_county(sheet: Sheet) -> None:
    if sheet.round.status != RoundStatus.COMPUTED:
        raise QingxieError(_("本轮评估尚未完成截止日期数据计算，或已结束。"), field="round")
    if sheet.state in (ReviewState.SUBMITTED, ReviewState.VERIFIED):
        raise QingxieError(_("评估表已提交，不能再修改；如需更正，请由上级退回。"), field="state")


@transaction.atomic
def value_fill(
    *,
    actor,
    sheet: Sheet,
    indicator: Indicator,
    value=None,
    grade: str = "",
    note: str = "",
    evidence=None,
) -> Value:
    """The county fills one manual indicator (a number or a grade, a note, evidence)."""
    sheet = _lock_sheet(sheet)
    require_scope(actor, Sheet, "change", sheet.region_path, "填报该协会的评估表")
    _require_open_for_county(sheet)
    row = (
        Value.objects.select_for_update()
        .select_related("indicator")
        .get(sheet=sheet, indicator=indicator)
    )
    ind = row.indicator
    if ind.kind == IndicatorKind.COMPUTED or (ind.kind == IndicatorKind.GATE and ind.source):
        raise QingxieError(
            _("“%(name)s”由平台数据计算，不能手工填报。") % {"name": ind.name}, field="indicator"
        )
    errors = ErrorCollector()
    number = None
    grade = (grade or "").strip().upper()
    if ind.rule == ScoringRule.ABC:
        if grade not in Grade.values:
            errors.add("grade", _("请为“%(name)s”选择等级 A、B、C 或 D。") % {"name": ind.name})
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            errors.add("value", _("“%(name)s”须填写数字。") % {"name": ind.name})
        else:
            low = Decimal(0)
            high = ind.max_value
            if ind.kind == IndicatorKind.GATE:
                high = Decimal(1)
            if number < low or (high is not None and number > high):
                errors.add(
                    "value",
                    _("“%(name)s”须在 %(low)s 至 %(high)s 之间。")
                    % {"name": ind.name, "low": num(low), "high": num(high)}
                    if high is not None
                    else _("“%(name)s”不能为负数。") % {"name": ind.name},
                )
    if evidence:
        _check_evidence(evidence, errors)
    if ind.evidence_required and not evidence and not row.evidence:
        errors.add("evidence", _("“%(name)s”须上传佐证材料。") % {"name": ind.name})
    errors.raise_if_any()
    before = row.snapshot()
    row.value = number
    row.grade = grade if ind.rule == ScoringRule.ABC else ""
    row.note = (note or "").strip()[:500]
    if evidence:
        row.evidence = evidence
    row.filled = True
    row.points = (
        Decimal(0)
        if ind.kind == IndicatorKind.GATE
        else scoring.points(ind.rule, ind.params, ind.weight, number, row.grade)
    )
    row.save()
    log_change(row, UPDATE, before=before)
    sheet_before = sheet.snapshot()
    _rescore(sheet)
    sheet.version += 1
    sheet.save()
    log_change(sheet, UPDATE, before=sheet_before, note=f"填报“{ind.name}”")
    return row


EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _check_evidence(evidence, errors: ErrorCollector) -> None:
    name = getattr(evidence, "name", "") or ""
    if not name.lower().endswith(EVIDENCE_TYPES):
        errors.add("evidence", _("佐证材料须为 PDF、图片、Word、Excel 或 ZIP 文件。"))
    elif getattr(evidence, "size", 0) > EVIDENCE_MAX_BYTES:
        errors.add("evidence", _("佐证材料不能超过 20 MB。"))


def sheet_missing(sheet: Sheet) -> list[str]:
    """The manual indicators still to fill (and evidence still missing) before submitting."""
    missing = []
    for v in sheet.values.select_related("indicator").filter(indicator__kind=IndicatorKind.MANUAL):
        if not v.filled:
            missing.append(_("“%(name)s”未填报") % {"name": v.indicator.name})
        elif v.indicator.evidence_required and not v.evidence:
            missing.append(_("“%(name)s”缺少佐证材料") % {"name": v.indicator.name})
    return missing


@transaction.atomic
def sheet_submit(*, actor, sheet: Sheet, note: str = "") -> Sheet:
    """The county submits its self-assessment for the city's review (by the self-assessment
    deadline; every manual indicator filled, with evidence where required)."""
    sheet = _lock_sheet(sheet)
    require_scope(actor, Sheet, "change", sheet.region_path, "提交该协会的自评")
    _require_open_for_county(sheet)
    if _today() > sheet.round.self_until:
        raise QingxieError(
            _("自评已于 %(date)s 截止，不能再提交。")
            % {"date": format(sheet.round.self_until, "%Y-%m-%d")},
            field="state",
        )
    missing = sheet_missing(sheet)
    if missing:
        raise QingxieError(_("尚不能提交：") + "；".join(missing) + "。", field="values")
    note = (note or "").strip() or "已完成自评。"
    return review_submit(spec=SHEET_REVIEW, actor=actor, obj=sheet, note=note)


def sheet_verify(*, actor, sheet: Sheet) -> Sheet:
    """The city (the level directly above) accepts the county's self-assessment."""
    return review_verify(spec=SHEET_REVIEW, actor=actor, obj=sheet)


def sheet_return(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """The city returns the self-assessment with the reason to correct it."""
    return review_return(spec=SHEET_REVIEW, actor=actor, obj=sheet, reason=reason)


@transaction.atomic
def sheet_revoke(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """The city (the level directly above) withdraws its verification before the province
    confirms the result; the sheet goes back to the county as returned, with the reason."""
    locked = _lock_sheet(sheet)
    if locked.confirmed_on:
        raise QingxieError(_("评估结果已经省级确认，不能撤销审核。"), field="state")
    return review_revoke(spec=SHEET_REVIEW, actor=actor, obj=locked, reason=reason)


def may_confirm(user, sheet: Sheet) -> bool:
    """The province (or the nation) confirms a sheet its city has reviewed: an administrator
    whose grant covers the sheet's province, above the reviewing city."""
    paths = admin_paths(user) if user is not None else None
    if paths is None:
        return True
    province = "/".join(sheet.region_path.split("/")[:2]) + "/"
    return any(province.startswith(p) for p in paths)


def _require_confirmer(actor, sheet: Sheet) -> None:
    if not may_confirm(actor, sheet):
        raise PermissionDeniedError(
            _("只有省级（或全国）管理员可以确认%(name)s的评估结果。")
            % {"name": sheet.association.name}
        )


@transaction.atomic
def sheet_confirm(*, actor, sheet: Sheet, on: datetime.date | None = None) -> Sheet:
    """The province confirms a sheet its city reviewed: the score counts for ranks and tiers."""
    sheet = _lock_sheet(sheet)
    _require_confirmer(actor, sheet)
    if sheet.state != ReviewState.VERIFIED:
        raise QingxieError(_("只能确认市级已审核的评估表。"), field="state")
    if sheet.confirmed_on:
        raise QingxieError(_("该评估表已确认。"), field="state")
    on = on or _today()
    if problem := date_problem(on, "确认日期", today=_today()):
        raise QingxieError(problem, field="on")
    before = sheet.snapshot()
    sheet.confirmed_on = on
    sheet.confirmed_by = actor if getattr(actor, "pk", None) else None
    sheet.version += 1
    sheet.save()
    log_change(sheet, UPDATE, before=before, note="省级确认")
    return sheet


@transaction.atomic
def sheet_send_back(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """The province sends a reviewed sheet back to the county with a reason (the city's review
    is withdrawn; the county corrects and submits again)."""
    sheet = _lock_sheet(sheet)
    _require_confirmer(actor, sheet)
    if sheet.state != ReviewState.VERIFIED or sheet.confirmed_on:
        raise QingxieError(_("只能退回市级已审核、尚未确认的评估表。"), field="state")
    if not (reason or "").strip():
        raise QingxieError(_("请填写退回原因。"), field="reason")
    # The province stands above the reviewing city: it withdraws the city's decision as the
    # system, after its own check above; the history records it under the province's user.
    return review_revoke(
        spec=SHEET_REVIEW, actor=None, obj=sheet, reason=f"省级退回：{reason.strip()}"
    )


@transaction.atomic
def sheet_appeal(*, actor, sheet: Sheet, reason: str) -> Sheet:
    """The county appeals (申诉) its confirmed result within the round's appeal window."""
    sheet = _lock_sheet(sheet)
    require_scope(actor, Sheet, "change", sheet.region_path, "为该协会申诉")
    if not sheet.confirmed_on:
        raise QingxieError(_("评估结果经省级确认后才能申诉。"), field="reason")
    if _today() > sheet.round.appeal_until:
        raise QingxieError(
            _("申诉已于 %(date)s 截止。") % {"date": format(sheet.round.appeal_until, "%Y-%m-%d")},
            field="reason",
        )
    if sheet.appeal_state:
        raise QingxieError(_("每轮评估只能申诉一次。"), field="reason")
    reason = (reason or "").strip()
    if not reason:
        raise QingxieError(_("请填写申诉理由。"), field="reason")
    before = sheet.snapshot()
    sheet.appeal_state = AppealState.SUBMITTED
    sheet.appeal_reason = reason[:500]
    sheet.version += 1
    sheet.save()
    log_change(sheet, UPDATE, before=before, note="申诉")
    return sheet


@transaction.atomic
def sheet_appeal_decide(
    *,
    actor,
    sheet: Sheet,
    upheld: bool,
    outcome: str,
    indicator: Indicator | None = None,
    grade: str = "",
    value=None,
) -> Sheet:
    """The province decides an appeal; an upheld one may correct one manual indicator."""
    sheet = _lock_sheet(sheet)
    _require_confirmer(actor, sheet)
    if sheet.appeal_state != AppealState.SUBMITTED:
        raise QingxieError(_("该评估表没有待处理的申诉。"), field="outcome")
    outcome = (outcome or "").strip()
    if not outcome:
        raise QingxieError(_("请填写申诉处理结果。"), field="outcome")
    if upheld and indicator is not None:
        row = Value.objects.select_for_update().get(sheet=sheet, indicator=indicator)
        before_v = row.snapshot()
        if indicator.rule == ScoringRule.ABC:
            if grade not in Grade.values:
                raise QingxieError(_("请选择更正后的等级。"), field="grade")
            row.grade = grade
        else:
            try:
                row.value = Decimal(str(value))
            except (InvalidOperation, ValueError):
                raise QingxieError(_("请填写更正后的数值。"), field="value") from None
        row.points = scoring.points(
            indicator.rule, indicator.params, indicator.weight, row.value, row.grade
        )
        row.save()
        log_change(row, UPDATE, before=before_v, note="申诉成立，更正")
    before = sheet.snapshot()
    sheet.appeal_state = AppealState.UPHELD if upheld else AppealState.REJECTED
    sheet.appeal_outcome = outcome[:500]
    _rescore(sheet)
    sheet.version += 1
    sheet.save()
    log_change(sheet, UPDATE, before=before, note="申诉处理")
    return sheet


# ------------------------------------------------------------------- 示范 selection


@transaction.atomic
def quota_set(*, actor, region: Region, year: int, quota: int) -> DemoQuota:
    """The nation sets how many 示范 candidates a province may recommend in a year."""
    require_scope(actor, DemoQuota, "change", NATION_PATH, "设定示范推荐名额")
    errors = ErrorCollector()
    if region.level != Region.Level.PROVINCE:
        errors.add("region", _("推荐名额按省份设定。"))
    if quota is None or int(quota) < 0 or int(quota) > 100:
        errors.add("quota", _("推荐名额须为 0 至 100 的整数。"))
    errors.raise_if_any()
    row = DemoQuota.objects.select_for_update().filter(region=region, year=year).first()
    recommended = Candidate.objects.filter(region_path__startswith=region.path, year=year).count()
    if int(quota) < recommended:
        raise QingxieError(
            _("%(name)s已推荐 %(recommended)s 个，名额不能少于已推荐数。")
            % {"name": region.name, "recommended": recommended},
            field="quota",
        )
    if row is None:
        row = DemoQuota.objects.create(region=region, year=year, quota=int(quota))
        log_change(row, CREATE)
    else:
        before = row.snapshot()
        row.quota = int(quota)
        row.save()
        log_change(row, UPDATE, before=before)
    return row


def province_of(association: Association) -> Region:
    region = association.region
    while region.level > Region.Level.PROVINCE and region.parent_id:
        region = region.parent
    return region


def _sheet_of_year(association: Association, year: int) -> Sheet | None:
    return (
        Sheet.objects.filter(association=association, round__year=year)
        .select_related("round")
        .order_by("round__region__level")
        .last()
    )


@transaction.atomic
def candidate_recommend(*, actor, association: Association, year: int, note: str = "") -> Candidate:
    """The province recommends a county association for the year's 示范 selection, within its
    quota; the association must pass the gates of its assessment that year."""
    province = province_of(association)
    require_scope(actor, Candidate, "add", province.path, "推荐本省的示范候选")
    quota = DemoQuota.objects.select_for_update().filter(region=province, year=year).first()
    errors = ErrorCollector()
    if association.level != COUNTY:
        errors.add("association", _("示范选树面向县级青年志愿者协会。"))
    if quota is None:
        errors.add(
            "association",
            _("全国尚未为%(name)s设定%(year)s年度的推荐名额。")
            % {"name": province.name, "year": year},
        )
    else:
        used = Candidate.objects.filter(region_path__startswith=province.path, year=year).count()
        if used >= quota.quota:
            errors.add(
                "association",
                _("%(name)s%(year)s年度推荐名额为 %(quota)s 个，已全部使用。")
                % {"name": province.name, "year": year, "quota": quota.quota},
            )
    if Candidate.objects.filter(association=association, year=year).exists():
        errors.add("association", _("%(name)s已被推荐。") % {"name": association.name})
    sheet = _sheet_of_year(association, year)
    if sheet is None:
        errors.add(
            "association",
            _("%(name)s没有%(year)s年度的评估结果。") % {"name": association.name, "year": year},
        )
    elif not sheet.eligible:
        errors.add(
            "association",
            _("%(name)s不符合资格条件（%(gate_notes)s）。")
            % {"name": association.name, "gate_notes": sheet.gate_notes},
        )
    elif not sheet.confirmed_on:
        errors.add(
            "association", _("%(name)s的评估结果尚未经省级确认。") % {"name": association.name}
        )
    errors.raise_if_any()
    row = Candidate.objects.create(
        association=association, year=year, sheet=sheet, note=(note or "").strip()[:500]
    )
    log_change(row, CREATE)
    return row


@transaction.atomic
def candidate_decide(
    *, actor, candidate: Candidate, selected: bool, on: datetime.date | None = None
) -> Candidate:
    """The nation selects (or not) a recommended candidate; a selected one enters the library."""
    require_scope(actor, Candidate, "change", NATION_PATH, "遴选示范协会")
    candidate = (
        Candidate.objects.select_for_update().select_related("association").get(pk=candidate.pk)
    )
    if candidate.state != CandidateState.RECOMMENDED:
        raise QingxieError(_("该候选已遴选。"), field="state")
    on = on or _today()
    if problem := date_problem(on, "遴选日期", today=_today()):
        raise QingxieError(problem, field="on")
    before = candidate.snapshot()
    candidate.state = CandidateState.SELECTED if selected else CandidateState.NOT_SELECTED
    candidate.decided_on = on
    candidate.save()
    log_change(candidate, UPDATE, before=before)
    if selected:
        library_add(
            actor=actor,
            association=candidate.association,
            year=candidate.year,
            entered_on=on,
        )
    return candidate


# ---------------------------------------------------------------------- the library


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def library_add(
    *,
    actor,
    association: Association,
    year: int,
    entered_on: datetime.date,
    kind: str = LibraryKind.ASSOCIATION,
    name: str = "",
    valid_years: int = LIBRARY_VALID_YEARS,
    is_demo: bool = False,
) -> LibraryEntry:
    """Enter an organisation in the 示范性志愿服务组织库 (by its province or the nation)."""
    province = province_of(association)
    require_scope(actor, LibraryEntry, "add", province.path, "将组织纳入示范库")
    errors = ErrorCollector()
    if kind not in LibraryKind.values:
        errors.add("kind", _("请选择入库组织的类型。"))
    name = (name or "").strip() or (association.name if kind == LibraryKind.ASSOCIATION else "")
    if not name:
        errors.add("name", _("请填写入库组织（团体会员或队伍）的名称。"))
    if problem := date_problem(entered_on, "入库日期", today=_today()):
        errors.add("entered_on", problem)
    if not 1 <= int(valid_years) <= 10:
        errors.add("valid_years", _("有效期须为 1 至 10 年。"))
    if LibraryEntry.objects.filter(
        association=association, name=name, status=LibraryStatus.ACTIVE
    ).exists():
        errors.add("name", _("“%(name)s”已在示范库中。") % {"name": name})
    errors.raise_if_any()
    entry = LibraryEntry.objects.create(
        association=association,
        kind=kind,
        name=name,
        year=year,
        entered_on=entered_on,
        valid_until=_add_years(entered_on, int(valid_years)),
        is_demo=is_demo,
    )
    log_change(entry, CREATE)
    return entry


def _lock_entry(actor, entry: LibraryEntry, what: str) -> LibraryEntry:
    entry = (
        LibraryEntry.objects.select_for_update()
        .select_related("association__region")
        .get(pk=entry.pk)
    )
    province = province_of(entry.association)
    require_scope(actor, LibraryEntry, "change", province.path, what)
    return entry


@transaction.atomic
def library_renew(
    *, actor, entry: LibraryEntry, on: datetime.date, valid_years: int = LIBRARY_VALID_YEARS
) -> LibraryEntry:
    """Review an entry at expiry and keep it for another term from `on`."""
    entry = _lock_entry(actor, entry, "复核示范库组织")
    if entry.status != LibraryStatus.ACTIVE:
        raise QingxieError(_("已移出的组织不能续期。"), field="status")
    if problem := date_problem(on, "复核日期", today=_today()):
        raise QingxieError(problem, field="on")
    before = entry.snapshot()
    entry.reviewed_on = on
    entry.valid_until = _add_years(max(on, entry.valid_until), int(valid_years))
    entry.version += 1
    entry.save()
    log_change(entry, UPDATE, before=before, note="到期复核，续期")
    return entry


@transaction.atomic
def library_remove(*, actor, entry: LibraryEntry, on: datetime.date, reason: str) -> LibraryEntry:
    """Remove an organisation from the library with a reason."""
    entry = _lock_entry(actor, entry, "将组织移出示范库")
    errors = ErrorCollector()
    if entry.status != LibraryStatus.ACTIVE:
        errors.add("status", _("该组织已移出示范库。"))
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("请填写移出原因。"))
    if problem := date_problem(on, "移出日期", today=_today()):
        errors.add("on", problem)
    elif on < entry.entered_on:
        errors.add("on", _("移出日期不能早于入库日期。"))
    errors.raise_if_any()
    before = entry.snapshot()
    entry.status = LibraryStatus.REMOVED
    entry.removed_on = on
    entry.removed_reason = reason[:300]
    entry.version += 1
    entry.save()
    log_change(entry, UPDATE, before=before)
    return entry


@transaction.atomic
def support_add(
    *,
    actor,
    entry: LibraryEntry,
    kind: str,
    amount,
    given_on: datetime.date,
    note: str = "",
) -> Support:
    """Record support given to a library organisation (e.g. 公益创投 funding)."""
    require_scope(actor, Support, "add", entry.region_path, "登记对该组织的扶持")
    errors = ErrorCollector()
    if kind not in SupportKind.values:
        errors.add("kind", _("请选择支持方式。"))
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or amount < 0 or amount > Decimal("9999999999"):
        errors.add("amount", _("金额须为不小于 0 的数（元）。"))
    if problem := date_problem(given_on, "日期", today=_today()):
        errors.add("given_on", problem)
    errors.raise_if_any()
    row = Support.objects.create(
        entry=entry,
        year=given_on.year,
        kind=kind,
        amount=amount,
        given_on=given_on,
        note=(note or "").strip()[:300],
    )
    log_change(row, CREATE)
    return row


def library_active_q(on: datetime.date) -> Q:
    """Entries in the library on `on`: entered, not removed, not expired."""
    return Q(entered_on__lte=on, valid_until__gte=on) & (
        Q(removed_on__isnull=True) | Q(removed_on__gt=on)
    )
