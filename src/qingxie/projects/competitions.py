"""Writes of project competitions (项目大赛): editions, categories, quotas, stages and their
criteria, entries (no skipping a level, within quotas), judges, score sheets (回避 refused),
advancement, awards and disbursements. Each re-checks the actor's scope and is change-logged."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qingxie.accounts.permissions import require_scope, user_may
from qingxie.accounts.policies import admin_paths
from qingxie.core.changelog import log_change
from qingxie.core.concurrency import check_version
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.projects.choices import EntryState, SheetState, StageKind, TieRule
from qingxie.projects.models import (
    Award,
    Category,
    Competition,
    Criterion,
    Disbursement,
    Entry,
    JudgeAssignment,
    Programme,
    Project,
    Quota,
    ScoreSheet,
    Stage,
)
from qingxie.projects.policies import judge_conflict_paths
from qingxie.regions.models import Region

STAGE_ORDER = {kind: i for i, kind in enumerate(StageKind.values)}


def _organiser_scope(actor, competition: Competition, what: str) -> None:
    require_scope(actor, Competition, "change", competition.region_path, what)


def _created(obj):
    obj.save()
    log_change(obj, ObjectChange.Action.CREATE)
    return obj


@transaction.atomic
def competition_create(
    *,
    actor,
    organiser: Region,
    name: str,
    year: int,
    programme: Programme | None = None,
    upper: Competition | None = None,
    tie_rule: str = TieRule.TOP_CRITERION,
    entries_open: datetime.date | None = None,
    entries_close: datetime.date | None = None,
    notice_starts: datetime.date | None = None,
    notice_ends: datetime.date | None = None,
    description: str = "",
    is_demo: bool = False,
) -> Competition:
    """A level opens an edition of a competition for its subtree."""
    require_scope(actor, Competition, "add", organiser.path, "在该层级举办赛事")
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写赛事名称。"))
    if not year or not (2000 <= int(year) <= 2100):
        errors.add("year", _("请填写正确的年度。"))
    if organiser.level >= Region.Level.COUNTY:
        errors.add("organiser", _("赛事由全国、省级或地市级举办。"))
    if tie_rule not in TieRule.values:
        errors.add("tie_rule", _("同分规则不在可选范围内。"))
    if upper is not None and organiser.parent_id != upper.organiser_id:
        errors.add(
            "upper",
            _("上一级赛事须由%(region)s举办。") % {"region": organiser.parent.name}
            if organiser.parent
            else _("上一级赛事须由上一级举办。"),
        )
    if entries_open and entries_close and entries_close < entries_open:
        errors.add("entries_close", _("申报截止日期不能早于申报开始日期。"))
    if notice_starts and notice_ends and notice_ends < notice_starts:
        errors.add("notice_ends", _("公示结束日期不能早于公示开始日期。"))
    errors.raise_if_any()
    return _created(
        Competition(
            organiser=organiser,
            name=name,
            year=int(year),
            programme=programme,
            upper=upper,
            tie_rule=tie_rule,
            entries_open=entries_open,
            entries_close=entries_close,
            notice_starts=notice_starts,
            notice_ends=notice_ends,
            description=description,
            is_demo=is_demo,
        )
    )


@transaction.atomic
def category_add(*, actor, competition: Competition, name: str, position: int = 0) -> Category:
    """Add a category (组别) to an edition."""
    _organiser_scope(actor, competition, "设置该赛事")
    name = (name or "").strip()
    if not name:
        raise QingxieError(_("请填写组别名称。"), field="name")
    if competition.categories.filter(name=name).exists():
        raise QingxieError(_("组别“%(name)s”已存在。") % {"name": name}, field="name")
    return _created(Category(competition=competition, name=name, position=position))


@transaction.atomic
def quota_set(*, actor, competition: Competition, region: Region, max_entries: int) -> Quota:
    """Set how many entries a child region of the organiser may send."""
    _organiser_scope(actor, competition, "设置该赛事的名额")
    errors = ErrorCollector()
    if region.parent_id != competition.organiser_id:
        errors.add(
            "region",
            _("%(region)s不是%(organiser)s的下一级地区。")
            % {"region": region.name, "organiser": competition.organiser.name},
        )
    try:
        max_entries = int(max_entries)
        if max_entries < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("max_entries", _("名额须为不小于 0 的整数。"))
    errors.raise_if_any()
    quota = Quota.objects.select_for_update().filter(competition=competition, region=region).first()
    if quota is None:
        return _created(Quota(competition=competition, region=region, max_entries=max_entries))
    before = quota.snapshot()
    quota.max_entries = max_entries
    quota.save()
    log_change(quota, ObjectChange.Action.UPDATE, before=before)
    return quota


@transaction.atomic
def stage_add(
    *,
    actor,
    competition: Competition,
    kind: str,
    drop_extremes: bool = False,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Stage:
    """Add a stage (申报, 初审, 复审 or 路演, 终审); stages follow that order."""
    _organiser_scope(actor, competition, "设置该赛事")
    if kind not in StageKind.values:
        raise QingxieError(_("阶段“%(kind)s”不在可选范围内。") % {"kind": kind}, field="kind")
    if competition.stages.filter(kind=kind).exists():
        raise QingxieError(_("该阶段已存在。"), field="kind")
    return _created(
        Stage(
            competition=competition,
            kind=kind,
            position=STAGE_ORDER[kind],
            drop_extremes=drop_extremes,
            starts_on=starts_on,
            ends_on=ends_on,
        )
    )


def _number(value, field: str, label: str, errors: ErrorCollector) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors.add(field, _("%(label)s须为数字。") % {"label": label})
        return None
    return number


#: The largest sum of money the columns hold (max_digits 12, two decimals).
MAX_AMOUNT = Decimal("9999999999.99")


def _decimal_in(
    value, field: str, label: str, errors: ErrorCollector, *, top: Decimal, unit: str = ""
) -> Decimal | None:
    """A number of at most two decimals whose size fits its column (|x| ≤ top): beyond it
    PostgreSQL refuses the row (numeric overflow) and rounding would change the sum."""
    number = _number(value, field, label, errors)
    if number is None:
        return None
    if abs(number) > top:
        errors.add(
            field,
            _("%(label)s不能超过 %(top)s%(unit)s。")
            % {"label": label, "top": f"{top.normalize():f}", "unit": unit},
        )
        return None
    if number != number.quantize(Decimal("0.01")):
        errors.add(field, _("%(label)s最多保留两位小数。") % {"label": label})
        return None
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def criteria_set(*, actor, stage: Stage, criteria: list[dict]) -> list[Criterion]:
    """Replace a stage's criteria: each {name, weight, max_score}; the weights add up to 100.
    Refused once a judge has saved a score at this stage."""
    competition = stage.competition
    _organiser_scope(actor, competition, "设置该赛事的评分标准")
    errors = ErrorCollector()
    if ScoreSheet.objects.filter(assignment__stage=stage).exists():
        raise QingxieError(_("已有评委评分，不能再修改评分标准。"), field="criteria")
    rows, total = [], Decimal(0)
    for i, c in enumerate(criteria, 1):
        name = (c.get("name") or "").strip()
        if not name:
            errors.add("criteria", _("第%(i)s项：请填写评分项名称。") % {"i": i})
        which = {"i": i, "name": name}
        weight = _decimal_in(
            c.get("weight"),
            "criteria",
            _("第%(i)s项“%(name)s”的权重") % which,
            errors,
            top=Decimal(100),
        )
        max_score = _decimal_in(
            c.get("max_score", 100),
            "criteria",
            _("第%(i)s项“%(name)s”的满分") % which,
            errors,
            top=Decimal(1000),
        )
        if weight is not None and weight <= 0:
            errors.add("criteria", _("第%(i)s项“%(name)s”的权重须大于 0。") % which)
        if max_score is not None and max_score <= 0:
            errors.add("criteria", _("第%(i)s项“%(name)s”的满分须大于 0。") % which)
        total += weight or 0
        rows.append((name, weight, max_score))
    if not criteria:
        errors.add("criteria", _("请至少设置一个评分项。"))
    elif not errors and total != 100:
        errors.add(
            "criteria",
            _("各评分项权重之和须为 100，现为 %(total)s。") % {"total": f"{total.normalize():f}"},
        )
    errors.raise_if_any()
    for old in stage.criteria.all():
        log_change(old, ObjectChange.Action.DELETE, before=old.snapshot())
        old.delete()
    return [
        _created(Criterion(stage=stage, name=n, weight=w, max_score=m, position=i))
        for i, (n, w, m) in enumerate(rows)
    ]


@transaction.atomic
def judge_assign(
    *, actor, stage: Stage, category: Category, judge, home_region: Region | None = None
) -> JudgeAssignment:
    """Assign a judge (a user) to a category at a stage; `home_region` is where the judge
    comes from when it is not a region of their grants (they may not score entries there)."""
    _organiser_scope(actor, stage.competition, "为该赛事分配评委")
    if category.competition_id != stage.competition_id:
        raise QingxieError(_("组别不属于该赛事。"), field="category")
    if JudgeAssignment.objects.filter(stage=stage, category=category, judge=judge).exists():
        raise QingxieError(_("该评委已分配到该组别。"), field="judge")
    return _created(
        JudgeAssignment(stage=stage, category=category, judge=judge, home_region=home_region)
    )


# -------------------------------------------------------------------------------- entries


def submitting_region_of(competition: Competition, project: Project) -> Region | None:
    """The child region of the organiser whose list the project enters by (None: outside)."""
    organiser_path = competition.organiser.path
    path = project.association.region.path
    if not path.startswith(organiser_path) or path == organiser_path:
        return None
    child_code = path[len(organiser_path) :].split("/")[0]
    return Region.objects.get(code=child_code)


@transaction.atomic
def entry_submit(
    *,
    actor,
    competition: Competition,
    category: Category,
    project: Project,
    list_position: int = 1,
    is_demo: bool = False,
) -> Entry:
    """The level directly below the organiser sends a project at `list_position` of its
    ranked list. Refused when the project lies outside the organiser's subtree, when it
    comes from anyone but that level (no skipping), when a lower edition exists and the
    project did not advance there, over the region's quota, or a second time."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    project = Project.objects.select_related("association__region").get(pk=project.pk)
    errors = ErrorCollector()
    submitting = submitting_region_of(competition, project)
    if category.competition_id != competition.pk:
        errors.add("category", _("组别不属于该赛事。"))
    if submitting is None:
        raise QingxieError(
            _("项目“%(project)s”不在%(organiser)s的范围内，不能报送本赛事。")
            % {"project": project.name, "organiser": competition.organiser.name},
            field="project",
        )
    if actor is not None:
        paths = admin_paths(actor)
        related = paths is None or any(
            p.startswith(submitting.path) or submitting.path.startswith(p) for p in paths
        )
        if not related:
            require_scope(actor, Entry, "add", submitting.path, f"代{submitting.name}报送项目")
        if paths is not None and submitting.path not in paths:
            # A county sending straight to the province, or the province entering for its
            # cities: each level sends only its own ranked list to the level above.
            raise QingxieError(
                _("不能越级报送：%(organiser)s的赛事只接受下一级（%(region)s）推荐报送的项目。")
                % {"organiser": competition.organiser.name, "region": submitting.name},
                field="project",
            )
        require_scope(actor, Entry, "add", submitting.path, f"代{submitting.name}报送项目")
    today = timezone.localdate()
    # The system (demo, a back-filled record) enters past editions; people meet the deadline.
    if actor is not None and competition.entries_close and today > competition.entries_close:
        errors.add(
            "competition",
            _("本赛事已于 %(date)s 截止申报。") % {"date": f"{competition.entries_close:%Y-%m-%d}"},
        )
    feeders = list(competition.feeders.filter(organiser=submitting))
    if (
        feeders
        and not Entry.objects.filter(
            competition__in=feeders, project=project, state=EntryState.ADVANCED
        ).exists()
        and not Award.objects.filter(
            entry__competition__in=feeders, entry__project=project
        ).exists()
    ):
        errors.add(
            "project",
            _("不能越级报送：项目须先在%(lower)s中获奖或晋级，再由%(region)s推荐。")
            % {"lower": feeders[0].name, "region": submitting.name},
        )
    if Entry.objects.filter(competition=competition, project=project).exists():
        errors.add("project", _("该项目已报送本届赛事，不能重复报送。"))
    quota = Quota.objects.filter(competition=competition, region=submitting).first()
    if quota is not None:
        used = (
            Entry.objects.filter(competition=competition, submitting_region=submitting)
            .exclude(state=EntryState.WITHDRAWN)
            .count()
        )
        if used >= quota.max_entries:
            errors.add(
                "quota",
                _("%(region)s的报送名额为 %(quota)s 个，已报送 %(used)s 个。")
                % {"region": submitting.name, "quota": quota.max_entries, "used": used},
            )
    errors.raise_if_any()
    first = competition.stages.order_by("position").first()
    entry = Entry(
        competition=competition,
        category=category,
        project=project,
        submitting_region=submitting,
        list_position=list_position,
        stage=first,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        is_demo=is_demo,
    )
    return _created(entry)


def may_withdraw(user, entry: Entry) -> bool:
    """Whether `user` may withdraw `entry`: an administrator of the level that sent it (its
    submitting region) or of the organiser."""
    if user is None:
        return True
    competition = entry.competition
    if Competition.objects.restrict(user, "change").filter(pk=competition.pk).exists():
        return True
    paths = admin_paths(user)
    submitting = entry.submitting_region
    return (paths is None or submitting.path in paths) and user_may(
        user, Entry, "change", submitting.path
    )


@transaction.atomic
def entry_withdraw(
    *, actor, entry: Entry, reason: str, expected_version: int | None = None
) -> Entry:
    """Withdraw an entry (撤回) with a reason: by the level that sent it or the organiser.
    The entry stays on record (its date and reason), leaves judging and the ranking, and
    frees a place of its region's quota. An entry with an award cannot be withdrawn."""
    entry = (
        Entry.objects.select_for_update()
        .select_related("competition__organiser", "submitting_region")
        .get(pk=entry.pk)
    )
    if not may_withdraw(actor, entry):
        raise PermissionDeniedError(
            _("只有报送地区（%(region)s）或主办层级（%(organiser)s）的管理员可以撤回该参赛项目。")
            % {
                "region": entry.submitting_region.name,
                "organiser": entry.competition.organiser.name,
            }
        )
    check_version(entry, expected_version, "参赛项目")
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("请填写撤回原因。"))
    if entry.state == EntryState.WITHDRAWN:
        errors.add("entry", _("该参赛项目已撤回。"))
    elif Award.objects.filter(entry=entry).exists():
        errors.add("entry", _("该参赛项目已获奖，不能撤回。"))
    errors.raise_if_any()
    before = entry.snapshot()
    entry.state = EntryState.WITHDRAWN
    entry.withdrawn_on = timezone.localdate()
    entry.withdraw_reason = reason
    entry.version += 1
    entry.save()
    log_change(entry, ObjectChange.Action.UPDATE, before=before)
    return entry


# -------------------------------------------------------------------------------- scoring


def conflict_reason(judge, entry: Entry, assignment: JudgeAssignment | None) -> str | None:
    """Why `judge` may not score `entry` (回避), or None: the entry comes from a region of
    the judge's own grants below the organiser, or from the judge's home region."""
    organiser_path = entry.competition.organiser.path
    local = judge_conflict_paths(judge, organiser_path)
    if assignment is not None and assignment.home_region is not None:
        local.append((assignment.home_region.path, assignment.home_region.name))
    for path, name in local:
        if entry.region_path.startswith(path):
            # Said on the judge's page and in the API's 403: in the reader's language.
            return _("须回避：评委的权限区划为%(region)s，不能为%(region)s报送的参赛项目评分。") % {
                "region": name
            }
    return None


def assignment_for(judge, entry: Entry) -> JudgeAssignment | None:
    """The judge's assignment covering the entry's category at the entry's current stage."""
    if entry.stage_id is None:
        return None
    return (
        JudgeAssignment.objects.select_related("home_region", "stage")
        .filter(judge=judge, stage_id=entry.stage_id, category_id=entry.category_id)
        .first()
    )


@transaction.atomic
def sheet_save(*, actor, entry: Entry, scores: dict, submit: bool = False) -> ScoreSheet:
    """A judge saves (draft) or submits their scores for an entry, criterion by criterion.
    Refused outside the judge's assignment, on a conflict of interest, with a score outside
    a criterion's range, or once submitted."""
    entry = Entry.objects.select_related("competition__organiser", "stage").get(pk=entry.pk)
    if entry.state == EntryState.WITHDRAWN:
        raise QingxieError(_("该参赛项目已撤回，不能评分。"), field="entry")
    assignment = assignment_for(actor, entry)
    if assignment is None:
        raise PermissionDeniedError(_("您未被分配评审该参赛项目所在的组别和阶段。"), field="entry")
    if reason := conflict_reason(actor, entry, assignment):
        raise PermissionDeniedError(reason, field="entry", code="conflict_of_interest")
    sheet = (
        ScoreSheet.objects.select_for_update().filter(assignment=assignment, entry=entry).first()
    )
    if sheet is not None and sheet.state == SheetState.SUBMITTED:
        raise QingxieError(_("评分已提交，不能再修改。"), field="entry")
    criteria = list(assignment.stage.criteria.all())
    known = {str(c.pk): c for c in criteria}
    errors = ErrorCollector()
    cleaned: dict[str, str] = {}
    for key in scores:
        if str(key) not in known:
            errors.add("scores", _("评分项 %(key)s 不属于该阶段。") % {"key": key})
    for c in criteria:
        raw = scores.get(str(c.pk), scores.get(c.pk))
        field = f"criterion_{c.pk}"
        if raw in (None, ""):
            if submit:
                errors.add(field, _("请为“%(name)s”评分。") % {"name": c.name})
            continue
        value = _number(raw, field, _("“%(name)s”的得分") % {"name": c.name}, errors)
        if value is None:
            continue
        if value < 0 or value > c.max_score:
            errors.add(
                field,
                _("“%(name)s”的得分须在 0 到 %(max)s 之间。")
                % {"name": c.name, "max": f"{c.max_score.normalize():f}"},
            )
            continue
        cleaned[str(c.pk)] = f"{value.normalize():f}"
    errors.raise_if_any()
    if sheet is None:
        sheet = ScoreSheet(assignment=assignment, entry=entry)
        before = None
    else:
        before = sheet.snapshot()
    sheet.scores = cleaned
    if submit:
        sheet.state = SheetState.SUBMITTED
        sheet.submitted_at = timezone.now()
    if before is None:
        return _created(sheet)
    sheet.version += 1
    sheet.save()
    log_change(sheet, ObjectChange.Action.UPDATE, before=before)
    return sheet


@transaction.atomic
def stage_advance(*, actor, stage: Stage, entries: list[Entry]) -> list[Entry]:
    """Move the chosen entries of a stage on to the next stage (晋级); the others stop."""
    _organiser_scope(actor, stage.competition, "决定晋级")
    following = (
        Stage.objects.filter(competition=stage.competition, position__gt=stage.position)
        .order_by("position")
        .first()
    )
    if following is None:
        raise QingxieError(_("已是最后一个阶段，请直接评定奖项。"), field="stage")
    chosen = {e.pk for e in entries}
    moved = []
    for entry in (
        Entry.objects.select_for_update().filter(stage=stage).exclude(state=EntryState.WITHDRAWN)
    ):
        before = entry.snapshot()
        if entry.pk in chosen:
            entry.stage, entry.state = following, EntryState.ADVANCED
            moved.append(entry)
        else:
            entry.state = EntryState.STOPPED
        entry.version += 1
        entry.save()
        log_change(entry, ObjectChange.Action.UPDATE, before=before)
    missing = chosen - {e.pk for e in moved}
    if missing:
        raise QingxieError(_("所选项目不在该阶段。"), field="entries")
    return moved


# ------------------------------------------------------------------------ awards, funding


@transaction.atomic
def award_grant(
    *,
    actor,
    entry: Entry,
    tier: str,
    amount=0,
    on: datetime.date | None = None,
    is_demo: bool = False,
) -> Award:
    """Give an entry an award (金奖/银奖/铜奖 or a funding tier) with the funding it carries."""
    _organiser_scope(actor, entry.competition, "评定奖项")
    errors = ErrorCollector()
    tier = (tier or "").strip()
    if not tier:
        errors.add("tier", _("请填写奖项。"))
    value = _decimal_in(
        amount if amount not in (None, "") else 0,
        "amount",
        _("资助金额"),
        errors,
        top=MAX_AMOUNT,
        unit=_(" 元"),
    )
    if value is not None and value < 0:
        errors.add("amount", _("资助金额不能为负数。"))
    if Award.objects.filter(entry=entry).exists():
        errors.add("entry", _("该参赛项目已评定奖项。"))
    if entry.state in (EntryState.WITHDRAWN, EntryState.STOPPED):
        errors.add("entry", _("未晋级或已撤回的项目不能获奖。"))
    errors.raise_if_any()
    return _created(
        Award(
            entry=entry,
            tier=tier,
            amount=value.quantize(Decimal("0.01")),
            awarded_on=on or timezone.localdate(),
            is_demo=is_demo,
        )
    )


@transaction.atomic
def disbursement_record(
    *,
    actor,
    award: Award,
    amount,
    paid_on: datetime.date,
    note: str = "",
    is_demo: bool = False,
) -> Disbursement:
    """Record a payment of an award's funding; the payments never exceed the award."""
    award = Award.objects.select_for_update().select_related("entry__competition").get(pk=award.pk)
    _organiser_scope(actor, award.entry.competition, "拨付资金")
    errors = ErrorCollector()
    value = _decimal_in(amount, "amount", _("拨付金额"), errors, top=MAX_AMOUNT, unit=_(" 元"))
    if value is not None:
        paid = Decimal(award.disbursements.aggregate(s=Sum("amount"))["s"] or 0).quantize(
            Decimal("0.01")
        )
        if value == 0:
            errors.add("amount", _("拨付金额不能为 0。"))
        elif paid + value > award.amount:
            errors.add(
                "amount",
                _("拨付合计 %(total)s 元将超过奖项金额 %(award)s 元（已拨付 %(paid)s 元）。")
                % {"total": paid + value, "award": award.amount, "paid": paid},
            )
        elif paid + value < 0:
            errors.add("amount", _("冲减金额不能超过已拨付金额。"))
    if paid_on is None:
        errors.add("paid_on", _("请填写拨付日期。"))
    elif paid_on > timezone.localdate():
        errors.add("paid_on", _("拨付日期不能晚于今天。"))
    errors.raise_if_any()
    return _created(
        Disbursement(award=award, amount=value, paid_on=paid_on, note=note, is_demo=is_demo)
    )
