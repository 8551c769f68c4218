"""Writes on programmes, projects, activities, the project library and pilots; each re-checks
the actor's scope inside its transaction, names every bad field, and is change-logged."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qingxie.accounts.permissions import require_scope
from qingxie.accounts.policies import admin_paths
from qingxie.core.changelog import log_change
from qingxie.core.concurrency import check_version
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange, path_in_scope
from qingxie.core.policies import policy_for
from qingxie.core.review import (
    DIRECT_ABOVE,
    Review,
    register_review,
    review_return,
    review_submit,
    review_verify,
)
from qingxie.core.tabular.spec import choice_pairs
from qingxie.core.validators import date_problem
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.projects.choices import (
    LibraryState,
    Listing,
    ProjectField,
    ProjectStatus,
    TargetGroup,
)
from qingxie.projects.models import (
    Activity,
    LibraryEntry,
    PilotCommunity,
    PilotProgramme,
    PilotUnit,
    Programme,
    Project,
)
from qingxie.regions.models import Region

COUNTY, TOWNSHIP = Region.Level.COUNTY, Region.Level.TOWNSHIP

PROJECT_EDITABLE = (
    "name",
    "programme",
    "field",
    "region",
    "team",
    "group_member",
    "target_groups",
    "start_on",
    "end_on",
    "status",
    "goals",
    "results",
    "budget",
    "funding_sources",
    "partners",
    "pilot_community",
)
ACTIVITY_EDITABLE = ("title", "starts_at", "ends_at", "place", "township", "posts")


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------- programmes


@transaction.atomic
def programme_create(
    *,
    actor,
    code: str,
    name: str,
    region: Region | None = None,
    parent: Programme | None = None,
    description: str = "",
    position: int = 100,
) -> Programme:
    """A level adds a brand programme for its own subtree (region None: the nation's)."""
    path = region.path if region is not None else "000000/"
    if actor is not None and not path_in_scope(admin_paths(actor), path):
        raise PermissionDeniedError(_("只有该层级的管理员可以设立品牌项目。"))
    errors = ErrorCollector()
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        errors.add("code", _("请填写品牌项目代码。"))
    elif Programme.objects.filter(code=code).exists():
        errors.add("code", _("品牌项目代码“%(code)s”已被使用。") % {"code": code})
    if not name:
        errors.add("name", _("请填写品牌项目名称。"))
    if parent is not None and parent.parent_id is not None:
        errors.add("parent", _("品牌项目的变体不能再有变体。"))
    errors.raise_if_any()
    programme = Programme.objects.create(
        code=code,
        name=name,
        region=region,
        parent=parent,
        description=description,
        position=position,
    )
    log_change(programme, ObjectChange.Action.CREATE)
    return programme


def programme_applies(programme: Programme, path: str) -> bool:
    """Whether a programme set at its level may be run at region `path` (inside its subtree)."""
    return programme.region is None or path.startswith(programme.region.path)


# ------------------------------------------------------------------------------ projects


def county_of(region: Region) -> Region | None:
    """The county-level unit a served region lies in (None above the county level)."""
    if region.level == COUNTY:
        return region
    if region.level == TOWNSHIP and region.parent is not None and region.parent.level == COUNTY:
        return region.parent
    return None


def _decimal(value, field: str, label: str, errors: ErrorCollector) -> Decimal | None:
    try:
        number = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        errors.add(field, _("%(label)s须为数字。") % {"label": label})
        return None
    if number < 0 or not number.is_finite():
        errors.add(field, _("%(label)s不能为负数。") % {"label": label})
        return None
    return number.quantize(Decimal("0.01"))


def project_check(data: dict, association: Association, errors: ErrorCollector) -> dict:
    """Check and normalise a project's fields against its association, collecting every
    problem in `errors`; the one place these rules live (pages, API, import)."""
    out = dict(data)
    today = _today()
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            errors.add("name", _("请填写项目名称。"))
    if "field" in out and out["field"] not in ProjectField.values:
        errors.add(
            "field", _("服务领域“%(value)s”不在可选范围内。") % {"value": out["field"] or ""}
        )
    if "status" in out and out["status"] not in ProjectStatus.values:
        errors.add(
            "status", _("项目状态“%(value)s”不在可选范围内。") % {"value": out["status"] or ""}
        )
    if "target_groups" in out:
        groups = out["target_groups"] or []
        if isinstance(groups, str):
            groups = [g for g in groups.replace("，", ",").split(",") if g.strip()]
        # The Chinese labels (a spreadsheet's words, whatever the language) and the page's own.
        labels = {label: value for value, label in choice_pairs(TargetGroup.choices)}
        labels |= {str(label): value for value, label in TargetGroup.choices}
        cleaned = []
        for group in groups:
            group = labels.get(group.strip(), group.strip())
            if group not in TargetGroup.values:
                errors.add(
                    "target_groups", _("服务对象“%(value)s”不在可选范围内。") % {"value": group}
                )
            elif group not in cleaned:
                cleaned.append(group)
        out["target_groups"] = cleaned
    region = out.get("region")
    if "region" in out:
        if region is None:
            errors.add("region", _("请选择服务区域。"))
        elif not region.path.startswith(association.region.path):
            errors.add(
                "region",
                _("%(region)s（%(code)s）不在%(association)s的区划范围内。")
                % {"region": region.name, "code": region.code, "association": association.name},
            )
        elif region.valid_to is not None:
            errors.add(
                "region",
                _("%(region)s（%(code)s）已撤销。") % {"region": region.name, "code": region.code},
            )
    programme = out.get("programme")
    if programme is not None:
        if not programme.active:
            errors.add("programme", _("品牌项目“%(name)s”已停用。") % {"name": programme.name})
        elif not programme_applies(programme, association.region.path):
            errors.add(
                "programme",
                _("品牌项目“%(name)s”不适用于%(region)s。")
                % {"name": programme.name, "region": association.region.name},
            )
    team = out.get("team")
    if team is not None and team.association_id != association.pk:
        errors.add(
            "team",
            _("队伍“%(team)s”不属于%(association)s。")
            % {"team": team.name, "association": association.name},
        )
    member = out.get("group_member")
    if member is not None and member.association_id != association.pk:
        errors.add(
            "group_member",
            _("团体会员“%(member)s”不属于%(association)s。")
            % {"member": member.name, "association": association.name},
        )
    community = out.get("pilot_community")
    if community is not None and not community.region_path.startswith(association.region.path):
        errors.add(
            "pilot_community",
            _("试点社区“%(community)s”不在%(association)s的区划范围内。")
            % {"community": community.name, "association": association.name},
        )
    if "start_on" in out:
        if out["start_on"] is None:
            errors.add("start_on", _("请填写开始日期。"))
        elif problem := date_problem(out["start_on"], "开始日期", today=today):
            errors.add("start_on", problem)
    start, end = out.get("start_on"), out.get("end_on")
    if start and end and end < start:
        errors.add("end_on", _("结束日期不能早于开始日期。"))
    if "budget" in out:
        out["budget"] = _decimal(out["budget"], "budget", _("预算"), errors)
    for key in ("goals", "results", "funding_sources", "partners"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def _project_defaults(fields: dict) -> dict:
    if set(fields) - set(PROJECT_EDITABLE):
        raise QingxieError(_("含有不能填写的字段。"))
    out = dict(fields)
    out.setdefault("name", "")
    out.setdefault("field", "")
    out.setdefault("region", None)
    out.setdefault("start_on", None)
    out.setdefault("status", ProjectStatus.DRAFT)
    return out


@transaction.atomic
def project_create(*, actor, association: Association, is_demo: bool = False, **fields) -> Project:
    """An association (or one of its teams or group members) starts a project."""
    require_scope(actor, Project, "add", association.region.path, "为该协会建立项目")
    fields = _project_defaults(fields)
    errors = ErrorCollector()
    data = project_check(fields, association, errors)
    if association.status not in LIVE_STATUSES:
        errors.add("association", _("已注销或合并的协会不能新建项目。"))
    errors.raise_if_any()
    project = Project(association=association, is_demo=is_demo, **data)
    project.county = county_of(project.region)
    project.save()
    log_change(project, ObjectChange.Action.CREATE)
    return project


@transaction.atomic
def project_update(
    *, actor, project: Project, expected_version: int | None = None, **fields
) -> Project:
    """Correct a project's details, status or results (optimistic locking by `version`)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require_scope(actor, Project, "change", project.region_path, "修改该项目")
    check_version(project, expected_version, "项目")
    if set(fields) - set(PROJECT_EDITABLE):
        raise QingxieError(_("含有不能修改的字段。"))
    errors = ErrorCollector()
    merged = {"start_on": project.start_on, "end_on": project.end_on} | fields
    checked = project_check(merged, project.association, errors)
    errors.raise_if_any()
    before = project.snapshot()
    for key in fields:
        setattr(project, key, checked[key])
    project.county = county_of(project.region)
    project.version += 1
    project.save()
    log_change(project, ObjectChange.Action.UPDATE, before=before)
    return project


# ---------------------------------------------------------------------------- activities


def activity_check(data: dict, project: Project, errors: ErrorCollector) -> dict:
    """Check an activity's time, place and posts against its project."""
    out = dict(data)
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            errors.add("title", _("请填写活动名称。"))
    if "place" in out:
        out["place"] = (out["place"] or "").strip()
        if not out["place"]:
            errors.add("place", _("请填写活动地点。"))
    starts, ends = out.get("starts_at"), out.get("ends_at")
    if "starts_at" in out and starts is None:
        errors.add("starts_at", _("请填写开始时间。"))
    if "ends_at" in out and ends is None:
        errors.add("ends_at", _("请填写结束时间。"))
    if starts and ends and ends <= starts:
        errors.add("ends_at", _("结束时间须晚于开始时间。"))
    if "posts" in out:
        try:
            out["posts"] = int(out["posts"])
            if out["posts"] < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("posts", _("招募人数须为不小于 1 的整数。"))
    township = out.get("township")
    if township is not None:
        if township.level != TOWNSHIP:
            errors.add(
                "township",
                _("%(region)s（%(code)s）不是乡镇（街道）。")
                % {"region": township.name, "code": township.code},
            )
        elif not township.path.startswith(project.association.region.path):
            errors.add(
                "township",
                _("%(region)s（%(code)s）不在项目的区划范围内。")
                % {"region": township.name, "code": township.code},
            )
    return out


@transaction.atomic
def activity_create(*, actor, project: Project, is_demo: bool = False, **fields) -> Activity:
    """Add an activity (time, place, posts) to a project."""
    require_scope(actor, Activity, "add", project.region_path, "为该项目安排活动")
    if set(fields) - set(ACTIVITY_EDITABLE):
        raise QingxieError(_("含有不能填写的字段。"))
    fields = {"title": "", "place": "", "starts_at": None, "ends_at": None, "posts": None} | fields
    errors = ErrorCollector()
    data = activity_check(fields, project, errors)
    errors.raise_if_any()
    activity = Activity(project=project, is_demo=is_demo, **data)
    activity.save()
    log_change(activity, ObjectChange.Action.CREATE)
    return activity


@transaction.atomic
def activity_update(
    *, actor, activity: Activity, expected_version: int | None = None, **fields
) -> Activity:
    """Correct an activity's time, place or posts."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_scope(actor, Activity, "change", activity.region_path, "修改该活动")
    check_version(activity, expected_version, "活动")
    if set(fields) - set(ACTIVITY_EDITABLE):
        raise QingxieError(_("含有不能修改的字段。"))
    errors = ErrorCollector()
    merged = {"starts_at": activity.starts_at, "ends_at": activity.ends_at} | fields
    checked = activity_check(merged, activity.project, errors)
    errors.raise_if_any()
    before = activity.snapshot()
    for key in fields:
        setattr(activity, key, checked[key])
    activity.version += 1
    activity.save()
    log_change(activity, ObjectChange.Action.UPDATE, before=before)
    return activity


# ------------------------------------------------------------------------------- library


def _entry_owner(entry: LibraryEntry) -> str:
    return entry.project.association.name


LIBRARY_REVIEW = register_review(
    Review(
        key="projects.library",
        model=LibraryEntry,
        region_field="project__association__region",
        decider_paths=admin_paths,
        mode=DIRECT_ABOVE,
        verb="审核",
        noun="入库申请",
        thing="项目",
        owner_name=_entry_owner,
        select_related=("project__association__region", "submitted_by"),
        # The entry's own region_path (the association's): the queue joins no region rows.
        path_field="region_path",
    )
)


def _require_library_decider(actor, entry: LibraryEntry) -> None:
    # The deciding rule is the review workflow's (the policy's `verify`), not a subtree rule.
    if actor is not None and not policy_for(LibraryEntry).user_may(actor, "verify", obj=entry):
        region = LIBRARY_REVIEW.deciding_region(entry)
        raise PermissionDeniedError(
            _("只有上一级（%(region)s）的管理员可以管理该项目的入库。") % {"region": region.name}
        )


@transaction.atomic
def library_submit(*, actor, project: Project, note: str = "") -> LibraryEntry:
    """The association submits a project to the level above for the project library."""
    project = (
        Project.objects.select_for_update().select_related("association__region").get(pk=project.pk)
    )
    require_scope(actor, LibraryEntry, "change", project.region_path, "申报该项目入库")
    if project.status == ProjectStatus.DRAFT:
        raise QingxieError(_("草稿状态的项目不能申报入库，请先将项目设为实施中。"), field="project")
    entry = LibraryEntry.objects.select_for_update().filter(project=project).first()
    if entry is None:
        entry = LibraryEntry(project=project)
    elif entry.listing == Listing.WITHDRAWN:
        entry.listing = Listing.NONE
        entry.state = LibraryState.RETURNED
    elif entry.state == LibraryState.SUBMITTED:
        raise QingxieError(_("该项目的入库申请正在审核中。"), field="project")
    return review_submit(spec=LIBRARY_REVIEW, actor=actor, obj=entry, note=note)


def _next_number(region: Region, year: int) -> str:
    prefix = f"XMK-{region.code}-{year}-"
    taken = LibraryEntry.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    serial = max(
        (int(n.rsplit("-", 1)[1]) for n in taken if n.rsplit("-", 1)[1].isdigit()), default=0
    )
    return f"{prefix}{serial + 1:04d}"


@transaction.atomic
def library_approve(
    *,
    actor,
    entry: LibraryEntry,
    number: str | None = None,
    year: int | None = None,
    on: datetime.date | None = None,
) -> LibraryEntry:
    """The level above approves a submitted project into the library (入库), with a library
    number (given, or the next of the deciding region's year: XMK-<code>-<year>-0001)."""
    entry = LibraryEntry.objects.select_for_update().get(pk=entry.pk)
    on = on or _today()
    year = year or on.year
    number = (number or "").strip()
    if number and LibraryEntry.objects.filter(number=number).exclude(pk=entry.pk).exists():
        raise QingxieError(_("入库编号“%(number)s”已被使用。") % {"number": number}, field="number")
    entry = review_verify(spec=LIBRARY_REVIEW, actor=actor, obj=entry, on=on)
    before = entry.snapshot()
    entry.number = number or _next_number(LIBRARY_REVIEW.deciding_region(entry), year)
    entry.year = year
    entry.listing = Listing.LISTED
    entry.withdrawn_on = None
    entry.withdraw_reason = ""
    entry.version += 1
    entry.save()
    log_change(entry, ObjectChange.Action.UPDATE, before=before, note="入库")
    return entry


def library_return(*, actor, entry: LibraryEntry, reason: str) -> LibraryEntry:
    """The level above sends a submission back with the reasons to correct."""
    return review_return(spec=LIBRARY_REVIEW, actor=actor, obj=entry, reason=reason)


#: Why a step is refused for the entry's listing (translated when raised; %(listing)s is it).
LISTING_REFUSED = {
    "recommend": gettext_noop("“%(listing)s”的项目不能推荐上线。"),
    "publish": gettext_noop("“%(listing)s”的项目不能上线推介。"),
    "withdraw": gettext_noop("“%(listing)s”的项目不能退库。"),
}

# The verb is the change log's note (stored, so Chinese) and names the date refused.
_LISTING_STEPS = {
    "recommend": ((Listing.LISTED,), Listing.RECOMMENDED, "推荐上线"),
    "publish": ((Listing.LISTED, Listing.RECOMMENDED), Listing.PUBLISHED, "上线推介"),
    "withdraw": (
        (Listing.LISTED, Listing.RECOMMENDED, Listing.PUBLISHED),
        Listing.WITHDRAWN,
        "退库",
    ),
}


@transaction.atomic
def library_listing_change(
    *,
    actor,
    entry: LibraryEntry,
    step: str,
    reason: str = "",
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> LibraryEntry:
    """Move a listed project in the library: `recommend` (推荐上线), `publish` (上线推介,
    shown in the catalogue) or `withdraw` (退库, with a reason); by the deciding level."""
    if step not in _LISTING_STEPS:
        raise QingxieError(_("未知的操作“%(step)s”。") % {"step": step}, field="step")
    entry = (
        LibraryEntry.objects.select_for_update()
        .select_related("project__association__region")
        .get(pk=entry.pk)
    )
    _require_library_decider(actor, entry)
    check_version(entry, expected_version, "项目库条目")
    allowed, target, verb = _LISTING_STEPS[step]
    if entry.listing not in allowed:
        raise QingxieError(
            _(LISTING_REFUSED[step]) % {"listing": entry.get_listing_display()}, field="listing"
        )
    on = on or _today()
    if problem := date_problem(on, f"{verb}日期", today=_today()):
        raise QingxieError(problem, field="on")
    reason = (reason or "").strip()
    if step == "withdraw" and not reason:
        raise QingxieError(_("请填写退库原因。"), field="reason")
    before = entry.snapshot()
    entry.listing = target
    if step == "publish":
        entry.published_on = on
    if step == "withdraw":
        entry.withdrawn_on = on
        entry.withdraw_reason = reason[:500]
    entry.version += 1
    entry.save()
    log_change(entry, ObjectChange.Action.UPDATE, before=before, note=verb)
    return entry


# -------------------------------------------------------------------------------- pilots


@transaction.atomic
def pilot_create(
    *,
    actor,
    organiser: Region,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    programme: Programme | None = None,
    is_demo: bool = False,
) -> PilotProgramme:
    """A national or provincial level starts a pilot programme (e.g. 共创美好社区)."""
    require_scope(actor, PilotProgramme, "add", organiser.path, "设立该试点工作")
    errors = ErrorCollector()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("请填写试点名称。"))
    if organiser.level > Region.Level.PROVINCE:
        errors.add("organiser", _("试点工作由全国或省级设立。"))
    if starts_on is None:
        errors.add("starts_on", _("请填写开始日期。"))
    elif ends_on is not None and ends_on < starts_on:
        errors.add("ends_on", _("结束日期不能早于开始日期。"))
    errors.raise_if_any()
    pilot = PilotProgramme(
        organiser=organiser,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        programme=programme,
        is_demo=is_demo,
    )
    pilot.save()
    log_change(pilot, ObjectChange.Action.CREATE)
    return pilot


@transaction.atomic
def pilot_community_add(
    *, actor, pilot: PilotProgramme, township: Region, name: str, is_demo: bool = False
) -> PilotCommunity:
    """Name a pilot community in a township/street inside the pilot's region."""
    require_scope(actor, PilotCommunity, "add", pilot.region_path, "为该试点增加试点社区")
    errors = ErrorCollector()
    name = (name or "").strip() or township.name
    if township.level != TOWNSHIP:
        errors.add(
            "township",
            _("%(region)s（%(code)s）不是乡镇（街道）。")
            % {"region": township.name, "code": township.code},
        )
    elif not township.path.startswith(pilot.region_path):
        errors.add(
            "township",
            _("%(region)s（%(code)s）不在该试点的范围内。")
            % {"region": township.name, "code": township.code},
        )
    if PilotCommunity.objects.filter(pilot=pilot, township=township, name=name).exists():
        errors.add("name", _("试点社区“%(name)s”已在该试点中。") % {"name": name})
    errors.raise_if_any()
    community = PilotCommunity(pilot=pilot, township=township, name=name, is_demo=is_demo)
    community.save()
    log_change(community, ObjectChange.Action.CREATE)
    return community


@transaction.atomic
def pilot_unit_add(
    *,
    actor,
    pilot: PilotProgramme,
    association: Association,
    joined_on: datetime.date,
    is_demo: bool = False,
) -> PilotUnit:
    """Admit an association (usually a county one) as a pilot unit (试点单位)."""
    require_scope(actor, PilotUnit, "add", pilot.region_path, "为该试点增加试点单位")
    errors = ErrorCollector()
    if not association.region.path.startswith(pilot.region_path):
        errors.add(
            "association",
            _("%(association)s不在该试点的范围内。") % {"association": association.name},
        )
    if PilotUnit.objects.filter(pilot=pilot, association=association).exists():
        errors.add(
            "association",
            _("%(association)s已是该试点的试点单位。") % {"association": association.name},
        )
    if joined_on is None:
        errors.add("joined_on", _("请填写加入日期。"))
    errors.raise_if_any()
    unit = PilotUnit(pilot=pilot, association=association, joined_on=joined_on, is_demo=is_demo)
    unit.save()
    log_change(unit, ObjectChange.Action.CREATE)
    return unit
