"""Writes on the ledger: associations and their status history, checklist workflow, seats,
group members and coverage targets. Each is atomic, re-checks the actor's scope and is
change-logged. `actor` None is the system itself (operator's command line, demo loader)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy

from qingxie.accounts.permissions import require_scope
from qingxie.accounts.policies import admin_paths
from qingxie.core.changelog import log_change
from qingxie.core.concurrency import check_version
from qingxie.core.crypto import drop_unchanged_masked
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.extensions import association_moved, checklist_sources
from qingxie.core.models import ObjectChange, scope_paths_follow
from qingxie.core.review import (
    ANY_ABOVE,
    Review,
    decidable,
    may_decide,
    may_record,
    register_review,
    review_record,
    review_return,
    review_revoke,
    review_submit,
    review_verify,
)
from qingxie.core.validators import date_problem, phone_problem, uscc_compact, uscc_problem
from qingxie.ledger.choices import (
    LIVE_STATUSES,
    AssociationForm,
    AssociationStatus,
    ChecklistState,
    CoverageMeasure,
    GroupMemberKind,
    GroupMemberStatus,
)
from qingxie.ledger.models import (
    Association,
    AssociationStatusPeriod,
    ChecklistEntry,
    ChecklistItem,
    ChecklistVerification,
    CoverageTarget,
    GroupMember,
    Seat,
    StandardizationPeriod,
)
from qingxie.ledger.numbering import number_format, number_prefix
from qingxie.regions.models import ROOT_CODE, Region

UPDATE, CREATE = ObjectChange.Action.UPDATE, ObjectChange.Action.CREATE

#: Fields a cadre may edit after creation; number, region, level and status are the system's.
ASSOCIATION_EDITABLE = (
    "name",
    "form",
    "supervisor",
    "established_on",
    "registered",
    "uscc",
    "registered_on",
    "address",
    "president_name",
    "president_phone",
    "secretary_name",
    "secretary_phone",
    "note",
)


def _today() -> datetime.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- associations


def uscc_owner_named(actor, owner: Association) -> str:
    """Who holds a unified social credit code, as told to `actor`: named (to find the clash)
    only when `actor` may see that association; otherwise the message must not reveal it."""
    if actor is None or Association.objects.restrict(actor, "view").filter(pk=owner.pk).exists():
        return gettext("统一社会信用代码已被“%(name)s”（%(number)s）使用。") % {
            "name": owner.name,
            "number": owner.number,
        }
    return gettext("统一社会信用代码已被您管辖范围以外的另一协会使用，请核对。")


def association_fields_check(
    data: dict,
    errors: ErrorCollector,
    *,
    exclude_pk=None,
    actor=None,
    uscc_holder=None,
    phone_labels: bool = True,
) -> dict:
    """Validate and normalise the editable fields in `data`, collecting every problem.

    Public so that every writer of associations (pages, API, import) checks the same rules.
    `uscc_holder(uscc)`: the association already holding a code (an import passes a lookup
    prepared for the whole batch; by default one query). `phone_labels` False leaves the
    field's name out of a phone's message, for a spreadsheet whose column already names it.
    """
    today = _today()
    out = dict(data)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            errors.add("name", gettext("请填写协会名称。"))
        elif len(out["name"]) > 100:
            errors.add("name", gettext("协会名称不能超过100个字。"))
    if "form" in out and out["form"] not in AssociationForm.values:
        errors.add("form", gettext("组织形式“%(form)s”不在可选范围内。") % {"form": out["form"]})
    if "established_on" in out:
        if out["established_on"] is None:
            errors.add("established_on", gettext("请填写成立日期。"))
        elif problem := date_problem(out["established_on"], gettext("成立日期"), today=today):
            errors.add("established_on", problem)
    if "registered_on" in out and (
        problem := date_problem(out["registered_on"], gettext("登记日期"), today=today)
    ):
        errors.add("registered_on", problem)
    if "uscc" in out:
        out["uscc"] = uscc_compact(out["uscc"] or "")
        if out["uscc"]:
            if problem := uscc_problem(out["uscc"]):
                errors.add("uscc", problem)
            else:
                if uscc_holder is None:
                    clash = (
                        Association.objects.filter(uscc=out["uscc"]).exclude(pk=exclude_pk).first()
                    )
                else:
                    clash = uscc_holder(out["uscc"])
                    clash = None if clash is None or clash.pk == exclude_pk else clash
                if clash:
                    errors.add("uscc", uscc_owner_named(actor, clash))
    if out.get("registered") and "uscc" in out and not out["uscc"]:
        errors.add("uscc", gettext("已在民政部门登记的协会须填写统一社会信用代码。"))
    for field, label in (
        ("president_phone", gettext("会长电话")),
        ("secretary_phone", gettext("秘书长电话")),
    ):
        if field in out:
            out[field] = (out[field] or "").strip()
            if out[field] and (problem := phone_problem(out[field])):
                errors.add(field, f"{label}：{problem}" if phone_labels else problem)
    return out


def _overlapping_period(region: Region, start: datetime.date, *, exclude_association=None):
    """A live period of another association on `region` that covers any day from `start` on."""
    qs = AssociationStatusPeriod.objects.filter(region=region, status__in=LIVE_STATUSES).filter(
        Q(end__isnull=True) | Q(end__gt=start)
    )
    if exclude_association is not None:
        qs = qs.exclude(association=exclude_association)
    return qs.select_related("association").order_by("start").first()


def _next_number(region: Region, level: int) -> str:
    prefix = number_prefix(region.code, level)
    taken = Association.objects.filter(number__startswith=prefix).count()
    return number_format(region.code, level, taken + 1)


@transaction.atomic
def association_create(
    *,
    actor,
    region: Region,
    name: str,
    form: str,
    established_on: datetime.date,
    level: int | None = None,
    supervisor: str = "",
    registered: bool = False,
    uscc: str = "",
    registered_on: datetime.date | None = None,
    address: str = "",
    president_name: str = "",
    president_phone: str = "",
    secretary_name: str = "",
    secretary_phone: str = "",
    note: str = "",
    is_demo: bool = False,
) -> Association:
    """Enter an association on `region`, assign its unified number and give it its seats.

    `level`, when given, must match the region's level (an association's level follows its
    region). A region holds at most one live (active or suspended) association at a time,
    and the new one's history may not overlap an earlier one's.
    """
    require_scope(actor, Association, "add", region.path, gettext("在该区划设立协会"))
    errors = ErrorCollector()
    if region.valid_to is not None:
        errors.add(
            "region",
            gettext("行政区划 %(name)s（%(code)s）已于 %(valid_to)s 撤销。")
            % {"name": region.name, "code": region.code, "valid_to": region.valid_to},
        )
    if region.level == Region.Level.TOWNSHIP:
        errors.add(
            "region",
            gettext("%(name)s（%(code)s）是乡级区划，协会只设在县级及以上。")
            % {"name": region.name, "code": region.code},
        )
    elif level is not None and level != region.level:
        errors.add(
            "region",
            gettext("%(name)s（%(code)s）是%(get_level_display)s区划，不是%(label)s。")
            % {
                "name": region.name,
                "code": region.code,
                "get_level_display": region.get_level_display(),
                "label": Region.Level(level).label,
            },
        )
    data = association_fields_check(
        {
            "name": name,
            "form": form,
            "established_on": established_on,
            "registered": registered,
            "uscc": uscc,
            "registered_on": registered_on,
            "president_phone": president_phone,
            "secretary_phone": secretary_phone,
        },
        errors,
        actor=actor,
    )
    live = Association.objects.filter(region=region, status__in=LIVE_STATUSES).first()
    if live:
        errors.add(
            "region",
            gettext(
                "%(name)s已有协会“%(name2)s”（%(number)s），同一区划同一时间只能有一个正常活动的协会。"
            )
            % {"name": region.name, "name2": live.name, "number": live.number},
        )
    elif established_on and (clash := _overlapping_period(region, established_on)):
        errors.add(
            "established_on",
            gettext("成立日期与该区划原有协会“%(name)s”的存续期重叠（其存续至 %(end)s）。")
            % {"name": clash.association.name, "end": clash.end},
        )
    errors.raise_if_any()

    association = Association(
        number=_next_number(region, region.level),
        region=region,
        level=region.level,
        supervisor=supervisor.strip(),
        address=address.strip(),
        president_name=president_name.strip(),
        secretary_name=secretary_name.strip(),
        note=note,
        status=AssociationStatus.ACTIVE,
        status_since=established_on,
        is_demo=is_demo,
        **data,
    )
    try:
        with transaction.atomic():
            association.save()
    except IntegrityError as exc:
        raise QingxieError(
            gettext("保存时与另一条记录冲突（可能有人同时录入了同一区划的协会），请刷新后重试。"),
            code="conflict",
        ) from exc
    AssociationStatusPeriod.objects.create(
        association=association,
        region=region,
        status=AssociationStatus.ACTIVE,
        start=established_on,
    )
    log_change(association, CREATE)
    _seats_sync(association, established_on)
    return association


@transaction.atomic
def association_update(
    *, actor, association: Association, expected_version: int | None = None, **fields
) -> Association:
    """Correct the editable fields of an association; unknown or system fields are refused.

    `expected_version` is the version the editor opened (optimistic locking): if someone saved
    since, a ConflictError is raised and nothing is written.
    """
    unknown = set(fields) - set(ASSOCIATION_EDITABLE)
    if unknown:
        raise QingxieError(
            gettext("以下字段不能修改：%(join)s。") % {"join": gettext("、").join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    association = Association.objects.select_for_update().get(pk=association.pk)
    require_scope(actor, Association, "change", association.region.path, gettext("修改该协会"))
    check_version(association, expected_version, pgettext("object", "协会"))
    fields = drop_unchanged_masked(association, fields)
    before = association.snapshot()
    errors = ErrorCollector()
    merged = {f: getattr(association, f) for f in ("registered", "uscc")} | fields
    data = association_fields_check(merged, errors, exclude_pk=association.pk, actor=actor)
    data = {k: v for k, v in data.items() if k in fields}
    new_start = data.get("established_on")
    if new_start and new_start != association.established_on:
        first = association.status_periods.order_by("start", "id").first()
        if first.end is not None and new_start > first.end:
            errors.add(
                "established_on",
                gettext("成立日期不能晚于其后的状态变更日期（%(end)s）。") % {"end": first.end},
            )
        elif (
            clash := _overlapping_period(
                association.region, new_start, exclude_association=association
            )
        ) and clash.start < (first.end or datetime.date.max):
            errors.add(
                "established_on",
                gettext("成立日期与该区划原有协会“%(name)s”的存续期重叠。")
                % {"name": clash.association.name},
            )
    errors.raise_if_any()
    for key, value in data.items():
        setattr(association, key, value if not isinstance(value, str) else value.strip())
    if new_start and new_start != before["established_on"]:
        first = association.status_periods.order_by("start", "id").first()
        first.start = new_start
        first.save(update_fields=["start"])
        if association.status_since == datetime.date.fromisoformat(before["established_on"]):
            association.status_since = new_start
        _standardization_rebuild(association)
    after = association.snapshot()
    if after != before:
        association.version += 1
        association.save()
        log_change(association, UPDATE, before=before, after=after)
    return association


def _check_status_date(association: Association, on: datetime.date, label: str) -> None:
    errors = ErrorCollector()
    if on is None:
        errors.add("on", gettext("请填写%(label)s。") % {"label": label})
    elif problem := date_problem(on, label, today=_today()):
        errors.add("on", problem)
    elif on < association.established_on:
        errors.add(
            "on",
            gettext("%(label)s（%(on)s）不能早于成立日期（%(established_on)s）。")
            % {"label": label, "on": on, "established_on": association.established_on},
        )
    elif on < association.status_since:
        errors.add(
            "on",
            gettext("%(label)s（%(on)s）不能早于当前状态的起始日期（%(status_since)s）。")
            % {"label": label, "on": on, "status_since": association.status_since},
        )
    errors.raise_if_any()


def _change_status(
    association: Association,
    *,
    status: str,
    on: datetime.date,
    note: str,
    merged_into: Association | None = None,
) -> Association:
    before = association.snapshot()
    open_period = association.status_periods.filter(end__isnull=True).first()
    if open_period is not None:
        open_period.end = on
        open_period.save(update_fields=["end"])
    AssociationStatusPeriod.objects.create(
        association=association, region=association.region, status=status, start=on
    )
    association.status = status
    association.status_since = on
    association.merged_into = merged_into
    _standardization_rebuild(association)
    association.save()
    log_change(association, UPDATE, before=before, after=association.snapshot(), note=note)
    _seats_sync(association, on)
    return association


def _lock_for_status(actor, association: Association, what: str) -> Association:
    association = Association.objects.select_for_update().get(pk=association.pk)
    require_scope(actor, Association, "change", association.region.path, what)
    return association


@transaction.atomic
def association_suspend(
    *, actor, association: Association, on: datetime.date, note: str = ""
) -> Association:
    """Mark an active association as suspended (暂停活动) from `on`; it stops counting."""
    association = _lock_for_status(actor, association, gettext("变更该协会状态"))
    if association.status != AssociationStatus.ACTIVE:
        raise QingxieError(
            gettext("只有状态为“正常”的协会可以暂停，该协会现为“%(get_status_display)s”。")
            % {"get_status_display": association.get_status_display()},
            field="status",
        )
    _check_status_date(association, on, gettext("暂停日期"))
    return _change_status(association, status=AssociationStatus.SUSPENDED, on=on, note=note)


@transaction.atomic
def association_resume(
    *, actor, association: Association, on: datetime.date, note: str = ""
) -> Association:
    """Return a suspended association to active from `on`."""
    association = _lock_for_status(actor, association, gettext("变更该协会状态"))
    if association.status != AssociationStatus.SUSPENDED:
        raise QingxieError(gettext("只有暂停活动的协会可以恢复。"), field="status")
    _check_status_date(association, on, gettext("恢复日期"))
    return _change_status(association, status=AssociationStatus.ACTIVE, on=on, note=note)


@transaction.atomic
def association_dissolve(
    *, actor, association: Association, on: datetime.date, note: str = ""
) -> Association:
    """Record that an association was dissolved (注销) on `on`; its seats close that day."""
    association = _lock_for_status(actor, association, gettext("注销该协会"))
    if not association.is_live:
        raise QingxieError(
            gettext("该协会已是“%(get_status_display)s”状态。")
            % {"get_status_display": association.get_status_display()},
            field="status",
        )
    _check_status_date(association, on, gettext("注销日期"))
    return _change_status(association, status=AssociationStatus.DISSOLVED, on=on, note=note)


@transaction.atomic
def association_merge(
    *, actor, association: Association, into: Association, on: datetime.date, note: str = ""
) -> Association:
    """Record that `association` merged into `into` on `on` (both must be in the actor's scope)."""
    association = _lock_for_status(actor, association, gettext("合并该协会"))
    require_scope(actor, Association, "change", into.region.path, gettext("合并入该协会"))
    errors = ErrorCollector()
    if not association.is_live:
        errors.add(
            "status",
            gettext("该协会已是“%(get_status_display)s”状态。")
            % {"get_status_display": association.get_status_display()},
        )
    if into.pk == association.pk:
        errors.add("into", gettext("协会不能合并入自身。"))
    elif not into.is_live:
        errors.add(
            "into",
            gettext("“%(name)s”不是正常活动的协会，不能作为合并对象。") % {"name": into.name},
        )
    errors.raise_if_any()
    _check_status_date(association, on, gettext("合并日期"))
    return _change_status(
        association, status=AssociationStatus.MERGED, on=on, note=note, merged_into=into
    )


# --------------------------------------------------------------------------------- seats


def _seat_holder_for(member: Association) -> Association | None:
    """The live association on the region directly above the member's, if there is one."""
    parent_id = member.region.parent_id
    if parent_id is None or not member.is_live:
        return None
    return Association.objects.filter(region_id=parent_id, status__in=LIVE_STATUSES).first()


def _seats_sync(association: Association, on: datetime.date) -> None:
    """Open and close seats so they match who is live now, as member and as holder."""
    holder = _seat_holder_for(association)
    for seat in Seat.objects.filter(member=association, until__isnull=True):
        if holder is None or seat.holder_id != holder.pk:
            _seat_close(seat, on)
    if holder is not None:
        _seat_open(holder, association)
    if association.is_live:
        members = Association.objects.filter(
            region__parent_id=association.region_id, status__in=LIVE_STATUSES
        )
        for member in members:
            _seat_open(association, member)
    else:
        for seat in Seat.objects.filter(holder=association, until__isnull=True):
            _seat_close(seat, on)


def _seat_open(holder: Association, member: Association) -> None:
    if Seat.objects.filter(holder=holder, member=member, until__isnull=True).exists():
        return
    seat = Seat.objects.create(
        holder=holder,
        member=member,
        representative=member.president_name,
        since=max(holder.status_since, member.status_since),
    )
    log_change(seat, CREATE)


def _seat_close(seat: Seat, on: datetime.date) -> None:
    before = seat.snapshot()
    seat.until = max(on, seat.since)
    seat.save(update_fields=["until", "last_updated"])
    log_change(seat, UPDATE, before=before)


@transaction.atomic
def seat_update(
    *, actor, seat: Seat, representative: str, expected_version: int | None = None
) -> Seat:
    """Name the representative (席位代表) who sits in a seat."""
    seat = Seat.objects.select_for_update().select_related("holder__region").get(pk=seat.pk)
    require_scope(actor, Seat, "change", seat.holder.region.path, gettext("修改该席位"))
    check_version(seat, expected_version, pgettext("object", "席位"))
    representative = (representative or "").strip()
    if len(representative) > 50:
        raise QingxieError(gettext("席位代表姓名不能超过50个字。"), field="representative")
    before = seat.snapshot()
    seat.representative = representative
    seat.version += 1
    seat.save(update_fields=["representative", "version", "last_updated"])
    log_change(seat, UPDATE, before=before)
    return seat


# ---------------------------------------------------------------------- standardization


def required_items() -> list[ChecklistItem]:
    """The checklist items every association must have verified to count as standardized."""
    return list(ChecklistItem.objects.filter(active=True, required=True))


def verifying_region(association: Association) -> Region:
    """The region whose admins verify this association's checklist: the level directly above.

    A county's items are verified by its prefecture (or by its province where the county sits
    directly under it, as in the municipalities); the national association verifies itself.
    """
    return association.region.parent or association.region


def _checklist_verified(entries: list[ChecklistEntry], on: datetime.date) -> None:
    for entry in entries:
        _verification_open(entry, on)
    rules = _standardization_rules()
    for association_id in sorted({e.association_id for e in entries}):
        _standardization_refresh(Association(pk=association_id), rules)


def _checklist_revoked(entries: list[ChecklistEntry], on: datetime.date) -> None:
    for entry in entries:
        entry.verifications.filter(end__isnull=True).update(end=on)
    rules = _standardization_rules()
    for association_id in sorted({e.association_id for e in entries}):
        _standardization_refresh(Association(pk=association_id), rules)


#: The standardization checklist on the one review workflow: submitted by the association,
#: decided by the level directly above; a level above that may act once an item has waited
#: CHECKLIST_ESCALATE_AFTER undecided, and may record a 规范化认定日期 at any time (issue 11,
#: item 10).
CHECKLIST_ESCALATE_AFTER = datetime.timedelta(days=30)
CHECKLIST_REVIEW = register_review(
    Review(
        key="ledger.checklist",
        model=ChecklistEntry,
        region_field="association__region",
        decider_paths=admin_paths,
        mode=ANY_ABOVE,
        escalate_after=CHECKLIST_ESCALATE_AFTER,
        verb=pgettext_lazy("review", "核验"),
        noun=pgettext_lazy("review", "材料"),
        thing=pgettext_lazy("review", "事项"),
        owner_name=lambda entry: entry.association.name,
        on_verify=_checklist_verified,
        on_revoke=_checklist_revoked,
        select_related=("association__region", "item", "submitted_by"),
    )
)


def may_verify(user, association: Association) -> bool:
    """Whether `user` verifies this association's checklist as its first decider: an admin
    holding a grant on the verifying region itself (see `may_decide_entry` for one entry)."""
    # A probe never submitted has not waited, so only the first decider passes.
    probe = ChecklistEntry(association=association, state=ChecklistState.SUBMITTED)
    return may_decide(user, probe, CHECKLIST_REVIEW)


def may_decide_entry(user, entry: ChecklistEntry) -> bool:
    """Whether `user` may verify, return or revoke this entry now (core.review.may_decide)."""
    return may_decide(user, entry, CHECKLIST_REVIEW)


def entries_user_decides(user, entries: list[ChecklistEntry]) -> list[ChecklistEntry]:
    """The entries of `entries` that `user` may decide now (`may_decide_entry` for a list,
    without reading each entry's parent region)."""
    return decidable(user, entries, CHECKLIST_REVIEW)


def may_record_standardization(user, association: Association) -> bool:
    """Whether `user` may record a 规范化认定日期 for `association`: an administrator whose
    scope covers the level above (the city, the province or the nation)."""
    return may_record(user, ChecklistEntry(association=association), CHECKLIST_REVIEW)


@dataclass(frozen=True)
class StandardizationRules:
    """What every association's standardization is judged against, read once for a batch:
    each item's span of being required, and which items another app's records verify (a
    refresh of two thousand associations read them two thousand times)."""

    items: dict[int, tuple]
    sourced: dict[int, str]


def _standardization_rules() -> StandardizationRules:
    items = {
        i.pk: (i.required_from, None if (i.required and i.active) else i.required_until)
        for i in ChecklistItem.objects.filter(
            Q(required=True, active=True) | Q(required_until__isnull=False)
        )
    }
    codes = {source.item_code for source in checklist_sources()}
    sourced = dict(
        ChecklistItem.objects.filter(pk__in=items, code__in=codes).values_list("pk", "code")
    )
    return StandardizationRules(items, sourced)


def _standardization_rebuild(
    association: Association, rules: StandardizationRules | None = None
) -> None:
    """Recompute every StandardizationPeriod of `association` from its whole dated history.

    Standardized on day D means: an active status period covers D, at least one checklist item
    was required on D, and every item required on D had a verification covering D. The truth
    value only changes at the start or end of one of those spans, so it is evaluated at each
    such date. Rebuilding everything (rather than opening or closing the latest period) keeps
    the history exact when facts are entered out of order. Each period carries the region of
    the status period it lies in, so a move onto a successor region splits it.
    """
    rules = rules or _standardization_rules()
    items = rules.items
    verified: dict[int, list[tuple]] = {}
    for item_id, start, end in ChecklistVerification.objects.filter(
        entry__association=association
    ).values_list("entry__item_id", "start", "end"):
        verified.setdefault(item_id, []).append((start, end))
    # Items another app's records verify by themselves (core.extensions.ChecklistSource, e.g.
    # a leader's attendance at a held training): their dated spans count like a verification.
    for item_id, code in rules.sourced.items():
        for source in checklist_sources(code):
            verified.setdefault(item_id, []).extend(source.spans(association.pk))
    active = list(
        association.status_periods.filter(status=AssociationStatus.ACTIVE).values_list(
            "region_id", "start", "end"
        )
    )

    def covers(start, end, day) -> bool:
        return (start is None or start <= day) and (end is None or day < end)

    def region_on(day):
        required = [i for i, (f, u) in items.items() if covers(f, u, day)]
        if not required:
            return None
        if not all(any(covers(s, e, day) for s, e in verified.get(i, ())) for i in required):
            return None
        return next((r for r, s, e in active if covers(s, e, day)), None)

    spans = [(s, e) for _, s, e in active]
    spans += [v for vs in verified.values() for v in vs] + list(items.values())
    points = sorted({d for span in spans for d in span if d is not None})
    periods: list[list] = []  # [region_id, start, end]
    for day, following in zip(points, [*points[1:], None], strict=True):
        region_id = region_on(day)
        if region_id is None:
            continue
        if periods and periods[-1][2] == day and periods[-1][0] == region_id:
            periods[-1][2] = following
        else:
            periods.append([region_id, day, following])
    current = list(association.standardization_periods.values_list("region_id", "start", "end"))
    if current != [tuple(p) for p in periods]:
        association.standardization_periods.all().delete()
        StandardizationPeriod.objects.bulk_create(
            StandardizationPeriod(association=association, region_id=r, start=s, end=e)
            for r, s, e in periods
        )
    # The period covering today: one verified by a source may end on a known future date
    # (a training's span lapses on 1 January), and is still the current one until then.
    today = _today()
    association.standardized_since = next(
        (s for _, s, e in periods if s <= today and (e is None or today < e)), None
    )


def _entry_for(association: Association, item: ChecklistItem) -> ChecklistEntry:
    """The association's entry for `item`, locked; a new one is not saved until it changes."""
    entry = (
        ChecklistEntry.objects.select_for_update()
        .filter(association=association, item=item)
        .first()
    )
    return entry or ChecklistEntry(association=association, item=item)


#: Evidence files cadres may upload, and the largest accepted.
EVIDENCE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _check_evidence(evidence) -> None:
    if evidence is None:
        return
    name = getattr(evidence, "name", "") or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in EVIDENCE_EXTENSIONS:
        raise QingxieError(
            gettext("佐证材料只接受 PDF、图片（JPG/PNG）、Word、Excel 或 OFD 文件。"),
            field="evidence",
        )
    if getattr(evidence, "size", 0) > EVIDENCE_MAX_BYTES:
        raise QingxieError(gettext("佐证材料不能超过 20 MB。"), field="evidence")


@transaction.atomic
def checklist_entry_submit(
    *, actor, association: Association, item: ChecklistItem, note: str = "", evidence=None
) -> ChecklistEntry:
    """The association submits one item with its evidence for the level above to verify."""
    require_scope(
        actor, ChecklistEntry, "change", association.region.path, gettext("提交该协会的材料")
    )
    if not association.is_live:
        raise QingxieError(gettext("已注销或合并的协会不能提交规范化材料。"), field="association")
    if not item.active:
        raise QingxieError(gettext("事项“%(title)s”已停用。") % {"title": item.title}, field="item")
    _check_evidence(evidence)
    entry = _entry_for(association, item)
    if entry.state == ChecklistState.VERIFIED:
        raise QingxieError(
            gettext("“%(title)s”已核验通过，如需更正请由上一级先撤销核验。")
            % {"title": item.title},
            field="item",
        )
    return review_submit(
        spec=CHECKLIST_REVIEW, actor=actor, obj=entry, note=note, evidence=evidence
    )


def _verification_open(entry: ChecklistEntry, on: datetime.date) -> None:
    """Start the span during which `entry` stands verified; a later revocation ends it.

    A re-verification dated inside an earlier span (entered out of order) never overlaps it.
    """
    last = entry.verifications.order_by("-start").first()
    start = on if last is None or last.end is None or on >= last.end else last.end
    ChecklistVerification.objects.create(entry=entry, start=start)


def checklist_entry_verify(
    *, actor, entry: ChecklistEntry, on: datetime.date | None = None
) -> ChecklistEntry:
    """The level above verifies a submitted item; the last required one makes it standardized."""
    return review_verify(spec=CHECKLIST_REVIEW, actor=actor, obj=entry, on=on)


def checklist_entry_return(*, actor, entry: ChecklistEntry, reason: str) -> ChecklistEntry:
    """The level above sends a submitted item back with the reason it must be corrected."""
    return review_return(spec=CHECKLIST_REVIEW, actor=actor, obj=entry, reason=reason)


def checklist_entry_revoke(
    *, actor, entry: ChecklistEntry, reason: str, on: datetime.date | None = None
) -> ChecklistEntry:
    """Withdraw a verification; a standardized association loses that status from `on`."""
    return review_revoke(spec=CHECKLIST_REVIEW, actor=actor, obj=entry, reason=reason, on=on)


@transaction.atomic
def standardization_refresh(*, association_ids: Iterable[int]) -> None:
    """Re-judge the standardization of these associations from their whole dated history.

    For an app whose records verify a checklist item (core.extensions.ChecklistSource): it
    calls this after a write that changes the spans, and daily so that a span ending today
    (a training's on 1 January) clears `standardized_since`. Change-logged as the ledger's
    own refresh.
    """
    rules = _standardization_rules()
    for association_id in sorted(set(association_ids)):
        _standardization_refresh(Association(pk=association_id), rules)


def _standardization_refresh(
    association: Association, rules: StandardizationRules | None = None
) -> None:
    association = Association.objects.select_for_update().get(pk=association.pk)
    before = association.snapshot()
    _standardization_rebuild(association, rules)
    if association.snapshot() != before:
        association.save(update_fields=["standardized_since", "last_updated"])
        log_change(association, UPDATE, before=before)


@transaction.atomic
def association_standardize(
    *, actor, association: Association, on: datetime.date, note: str = "按认定日期录入"
) -> Association:
    """Record every required item verified on `on` (a 规范化认定日期 from an import or the demo).

    Allowed to an administrator whose scope covers the level above (the city, the province
    or the nation) and to the system; attributed to the actor in the log and the history.
    """
    if not may_record_standardization(actor, association):
        above = verifying_region(association)
        raise PermissionDeniedError(
            gettext(
                "规范化建设只能由上一级（%(name)s）认定，您不能为%(name2)s的协会填写规范化认定日期。"
            )
            % {"name": above.name, "name2": association.region.name}
        )
    if problem := date_problem(on, gettext("规范化认定日期"), today=_today()):
        raise QingxieError(problem, field="standardized_on")
    if on < association.established_on:
        raise QingxieError(gettext("规范化认定日期不能早于成立日期。"), field="standardized_on")
    entries = [_entry_for(association, item) for item in required_items()]
    if not review_record(spec=CHECKLIST_REVIEW, actor=actor, objs=entries, on=on, note=note):
        _standardization_refresh(association)  # nothing new verified: still re-judge the dates
    association.refresh_from_db()
    return association


@transaction.atomic
def checklist_item_save(*, actor, item: ChecklistItem | None = None, **fields) -> ChecklistItem:
    """Add or edit a checklist item (national level only); standardization is recomputed today."""
    require_scope(actor, ChecklistItem, "change", "000000/", gettext("修改规范化建设事项"))
    allowed = {"code", "title", "description", "basis", "required", "active", "position"}
    if set(fields) - allowed:
        raise QingxieError(gettext("含有不能修改的字段。"))
    errors = ErrorCollector()
    if "title" in fields and not (fields["title"] or "").strip():
        errors.add("title", gettext("请填写事项名称。"))
    if item is None and not fields.get("code"):
        errors.add("code", gettext("请填写事项代码。"))
    elif item is None and ChecklistItem.objects.filter(code=fields["code"]).exists():
        errors.add("code", gettext("事项代码“%(code)s”已被使用。") % {"code": fields["code"]})
    elif item is not None and "code" in fields and fields["code"] != item.code:
        errors.add("code", gettext("事项代码不能修改。"))
    errors.raise_if_any()
    before = item.snapshot() if item else None
    was_in_force = item is not None and item.required and item.active
    item = item or ChecklistItem()
    for key, value in fields.items():
        setattr(item, key, value)
    in_force = item.required and item.active
    today = _today()
    if in_force and not was_in_force:
        item.required_from, item.required_until = today, None
    elif was_in_force and not in_force:
        item.required_until = today
    item.save()
    log_change(item, UPDATE if before else CREATE, before=before)
    rules = _standardization_rules()
    for association in Association.objects.filter(status=AssociationStatus.ACTIVE):
        _standardization_refresh(association, rules)
    return item


# ------------------------------------------------------------------------ group members


def group_member_fields_check(data: dict, errors: ErrorCollector) -> dict:
    """Validate and normalise a group member's fields in `data`, collecting every problem;
    public so the pages report these with the form's own errors in one pass."""
    out = dict(data)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            errors.add("name", gettext("请填写团体会员名称。"))
    if "kind" in out and out["kind"] not in GroupMemberKind.values:
        errors.add("kind", gettext("会员类型“%(kind)s”不在可选范围内。") % {"kind": out["kind"]})
    if "admitted_on" in out:
        if out["admitted_on"] is None:
            errors.add("admitted_on", gettext("请填写入会日期。"))
        elif problem := date_problem(out["admitted_on"], gettext("入会日期"), today=_today()):
            errors.add("admitted_on", problem)
    if "uscc" in out:
        out["uscc"] = uscc_compact(out["uscc"] or "")
        if out["uscc"] and (problem := uscc_problem(out["uscc"])):
            errors.add("uscc", problem)
    if out.get("contact_phone"):
        out["contact_phone"] = out["contact_phone"].strip()
        if problem := phone_problem(out["contact_phone"]):
            errors.add("contact_phone", problem)
    return out


GROUP_MEMBER_EDITABLE = ("name", "kind", "admitted_on", "uscc", "contact_name", "contact_phone")


@transaction.atomic
def group_member_create(
    *, actor, association: Association, is_demo: bool = False, **fields
) -> GroupMember:
    """Admit an organisation as a group member of `association`."""
    require_scope(
        actor, GroupMember, "add", association.region.path, gettext("为该协会接收团体会员")
    )
    if set(fields) - set(GROUP_MEMBER_EDITABLE):
        raise QingxieError(gettext("含有不能填写的字段。"))
    errors = ErrorCollector()
    fields.setdefault("admitted_on", None)
    fields.setdefault("name", "")
    fields.setdefault("kind", "")
    data = group_member_fields_check(fields, errors)
    if not association.is_live:
        errors.add("association", gettext("已注销或合并的协会不能接收团体会员。"))
    if (
        data.get("name")
        and GroupMember.objects.filter(
            association=association, name=data["name"], status=GroupMemberStatus.ACTIVE
        ).exists()
    ):
        errors.add("name", gettext("“%(name)s”已是该协会的在册团体会员。") % {"name": data["name"]})
    errors.raise_if_any()
    member = GroupMember.objects.create(association=association, is_demo=is_demo, **data)
    log_change(member, CREATE)
    return member


@transaction.atomic
def group_member_update(
    *, actor, member: GroupMember, expected_version: int | None = None, **fields
) -> GroupMember:
    """Correct a group member's details."""
    member = (
        GroupMember.objects.select_for_update()
        .select_related("association__region")
        .get(pk=member.pk)
    )
    require_scope(
        actor, GroupMember, "change", member.association.region.path, gettext("修改该团体会员")
    )
    check_version(member, expected_version, pgettext("object", "团体会员"))
    if set(fields) - set(GROUP_MEMBER_EDITABLE):
        raise QingxieError(gettext("含有不能修改的字段。"))
    fields = drop_unchanged_masked(member, fields)
    errors = ErrorCollector()
    data = group_member_fields_check(fields, errors)
    if (
        data.get("name")
        and member.status == GroupMemberStatus.ACTIVE
        and GroupMember.objects.filter(
            association=member.association, name=data["name"], status=GroupMemberStatus.ACTIVE
        )
        .exclude(pk=member.pk)
        .exists()
    ):
        errors.add("name", gettext("“%(name)s”已是该协会的在册团体会员。") % {"name": data["name"]})
    errors.raise_if_any()
    before = member.snapshot()
    for key, value in data.items():
        setattr(member, key, value)
    member.version += 1
    member.save()
    log_change(member, UPDATE, before=before)
    return member


@transaction.atomic
def group_member_withdraw(*, actor, member: GroupMember, on: datetime.date) -> GroupMember:
    """Record that a group member left the association on `on`."""
    require_scope(
        actor, GroupMember, "change", member.association.region.path, gettext("修改该团体会员")
    )
    if member.status != GroupMemberStatus.ACTIVE:
        raise QingxieError(gettext("该团体会员已退出。"), field="status")
    if problem := date_problem(on, gettext("退出日期"), today=_today()):
        raise QingxieError(problem, field="on")
    if on < member.admitted_on:
        raise QingxieError(gettext("退出日期不能早于入会日期。"), field="on")
    before = member.snapshot()
    member.status, member.left_on = GroupMemberStatus.WITHDRAWN, on
    member.save()
    log_change(member, UPDATE, before=before)
    return member


# ------------------------------------------------------------------------------ targets


@transaction.atomic
def coverage_target_set(
    *, actor, region: Region, measure: str, due_on: datetime.date, rate
) -> CoverageTarget:
    """Set (or change) a target rate by a due date, nationally or for one province."""
    require_scope(actor, CoverageTarget, "change", region.path, gettext("为该区划设定目标"))
    errors = ErrorCollector()
    if region.level > Region.Level.PROVINCE:
        errors.add("region", gettext("覆盖目标只能由全国或省级设定。"))
    if measure not in CoverageMeasure.values:
        errors.add("measure", gettext("指标“%(measure)s”不在可选范围内。") % {"measure": measure})
    if due_on is None:
        errors.add("due_on", gettext("请填写截止日期。"))
    try:
        from decimal import Decimal

        rate = Decimal(str(rate)).quantize(Decimal("0.1"))
        if not 0 <= rate <= 100:
            errors.add("rate", gettext("目标须在 0 到 100 之间。"))
    except ArithmeticError:
        errors.add("rate", gettext("目标“%(rate)s”不是数字。") % {"rate": rate})
    errors.raise_if_any()
    target = CoverageTarget.objects.filter(region=region, measure=measure, due_on=due_on).first()
    before = target.snapshot() if target else None
    target = target or CoverageTarget(region=region, measure=measure, due_on=due_on)
    target.rate = rate
    target.save()
    log_change(target, UPDATE if before else CREATE, before=before)
    return target


@transaction.atomic
def coverage_target_delete(*, actor, target: CoverageTarget) -> None:
    """Remove a target (the region then follows its ancestor's targets again)."""
    require_scope(actor, CoverageTarget, "delete", target.region.path, gettext("删除该目标"))
    before = target.snapshot()
    log_change(target, ObjectChange.Action.DELETE, before=before)
    target.delete()


def national_root() -> Region:
    """The nation root region."""
    return Region.objects.get(code=ROOT_CODE)


def associations_live_on(regions: Iterable[Region]) -> dict[int, Association]:
    """The live association of each region, keyed by region id."""
    return {
        a.region_id: a
        for a in Association.objects.filter(region__in=list(regions), status__in=LIVE_STATUSES)
    }


@transaction.atomic
def associations_follow_successors() -> list[tuple[Association, Region, Region]]:
    """Move live associations off retired regions onto their successors, keeping their numbers.

    Run by the system after a new division list is loaded. The history stays exact: the
    association's periods up to the retirement date remain on the old region (valid then) and
    continue on the successor from that date. An association whose successor region already
    has a live association stays where it is and is reported (a cadre must merge one of them).
    Returns (association, old region, new region) for each move.
    """
    moved = []
    stuck = Association.objects.filter(
        status__in=LIVE_STATUSES, region__valid_to__isnull=False, region__successor__isnull=False
    ).select_related("region__successor")
    for association in stuck:
        old, new, day = (
            association.region,
            association.region.successor,
            association.region.valid_to,
        )
        while new.valid_to is not None and new.successor_id:
            new = new.successor
        if Association.objects.filter(region=new, status__in=LIVE_STATUSES).exists():
            continue
        before = association.snapshot()
        for model in (AssociationStatusPeriod, StandardizationPeriod):
            current = model.objects.filter(association=association, end__isnull=True).first()
            if current is None:
                continue
            if current.start >= day:
                current.region = new
                current.save(update_fields=["region"])
            else:
                current.end = day
                current.save(update_fields=["end"])
                fields = {"status": current.status} if model is AssociationStatusPeriod else {}
                model.objects.create(association=association, region=new, start=day, **fields)
        association.region = new
        association.save(update_fields=["region", "last_updated"])
        # Rows of other apps that copy the association's region (teams, …) follow it, each
        # move change-logged by the app that owns them.
        association_moved(association=association, old_region=old, new_region=new)
        scope_paths_follow(Association, [association.pk])  # its entries, seats, members, teams
        log_change(
            association,
            UPDATE,
            before=before,
            note=f"行政区划 {old.code} 已撤销，协会随区划变更至 {new.code}，统一编号不变",
        )
        _seats_sync(association, day)
        moved.append((association, old, new))
    return moved
