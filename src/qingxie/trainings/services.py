"""Writes on trainings, their attendees and materials; each re-checks the actor's scope inside
its transaction, collects every bad field before writing, and is change-logged."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from qingxie.accounts.permissions import require_scope, user_may
from qingxie.core.changelog import log_change, log_created_bulk
from qingxie.core.concurrency import check_version
from qingxie.core.crypto import drop_unchanged_masked
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.validators import phone_problem
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.trainings.choices import (
    LEADER_ROLES,
    AttendeeRole,
    TrainingAudience,
    TrainingKind,
    TrainingMode,
    TrainingStatus,
)
from qingxie.trainings.models import Attendee, Training, TrainingMaterial

TRAINING_EDITABLE = (
    "title",
    "kind",
    "audience",
    "mode",
    "start_date",
    "end_date",
    "place",
    "class_hours",
    "topics",
    "capacity",
    "note",
)
ATTENDEE_EDITABLE = (
    "name",
    "role",
    "phone",
    "attended",
    "hours",
    "completion_number",
    "volunteer_number",
)
#: Material files cadres may upload, and the largest accepted.
MATERIAL_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd",
}  # fmt: skip
MATERIAL_MAX_BYTES = 50 * 1024 * 1024


def _today() -> datetime.date:
    return timezone.localdate()


def _decimal(value, errors: ErrorCollector, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors.add(field, (gettext("%(label)s须为数字。") % {"label": label}))
        return None
    if number < 0 or number > 999:
        errors.add(field, (gettext("%(label)s须在 0 到 999 之间。") % {"label": label}))
        return None
    return number


def audience_normalize(value) -> str:
    """The audience as stored: the codes joined and wrapped in commas (",leaders,backbone,")."""
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",")]
    codes = [str(v).strip() for v in value or () if str(v).strip()]
    order = list(TrainingAudience.values)
    codes = sorted(set(codes), key=lambda c: order.index(c) if c in order else len(order))
    return f",{','.join(codes)}," if codes else ""


def training_check(data: dict, errors: ErrorCollector) -> dict:
    """Check and normalise a training's fields in `data`, collecting every problem; the one
    place these rules live (pages, API and the demo)."""
    out = dict(data)
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            errors.add("title", gettext("请填写培训名称。"))
    if "kind" in out and out["kind"] not in TrainingKind.values:
        errors.add(
            "kind", (gettext("培训类别“%(kind)s”不在可选范围内。") % {"kind": out["kind"] or ""})
        )
    if "mode" in out and out["mode"] not in TrainingMode.values:
        errors.add(
            "mode", (gettext("培训方式“%(mode)s”不在可选范围内。") % {"mode": out["mode"] or ""})
        )
    if "audience" in out:
        out["audience"] = audience_normalize(out["audience"])
        codes = [c for c in out["audience"].split(",") if c]
        if not codes:
            errors.add("audience", gettext("请至少选择一类培训对象。"))
        for code in codes:
            if code not in TrainingAudience.values:
                errors.add(
                    "audience", (gettext("培训对象“%(code)s”不在可选范围内。") % {"code": code})
                )
    for key, label in (
        ("start_date", pgettext("field", "开始日期")),
        ("end_date", pgettext("field", "结束日期")),
    ):
        if key in out and out[key] is None:
            errors.add(key, (gettext("请填写%(label)s。") % {"label": label}))
    start, end = out.get("start_date"), out.get("end_date")
    if start and start.year < 1990:
        errors.add("start_date", gettext("开始日期不能早于1990年。"))
    if start and end and end < start:
        errors.add(
            "end_date",
            (
                gettext("结束日期（%(end)s）不能早于开始日期（%(start)s）。")
                % {"end": end, "start": start}
            ),
        )
    if "class_hours" in out:
        hours = _decimal(out["class_hours"], errors, "class_hours", pgettext("field", "课时"))
        out["class_hours"] = hours if hours is not None else Decimal("0")
    if "capacity" in out and out["capacity"] not in (None, ""):
        try:
            out["capacity"] = int(out["capacity"])
            if out["capacity"] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("capacity", gettext("计划人数须为不小于 0 的整数。"))
    elif "capacity" in out:
        out["capacity"] = None
    for key in ("place", "topics", "note"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def _held_dates_check(status: str, end: datetime.date | None, errors: ErrorCollector) -> None:
    if status == TrainingStatus.HELD and end and end > _today():
        errors.add(
            "end_date",
            (
                gettext("结束日期（%(end)s）晚于今天，培训尚未结束，不能登记为“已举办”。")
                % {"end": end}
            ),
        )


def _organiser_check(actor, organiser: Association, errors: ErrorCollector) -> None:
    if organiser.status not in LIVE_STATUSES:
        errors.add(
            "organiser",
            (gettext("%(organiser)s已注销或合并，不能主办培训。") % {"organiser": organiser.name}),
        )
    if actor is not None and not user_may(actor, Training, "add", organiser.region_path):
        raise PermissionDeniedError(
            (
                gettext("您没有以%(organiser)s名义举办培训的权限：不在您的管辖范围内。")
                % {"organiser": organiser.name}
            ),
            field="organiser",
        )


def _new_training_fields(fields: dict) -> dict:
    if set(fields) - set(TRAINING_EDITABLE):
        raise QingxieError(gettext("含有不能填写的字段。"))
    out = dict(fields)
    for key in ("title", "kind", "audience", "start_date", "end_date"):
        out.setdefault(key, None)
    out.setdefault("mode", TrainingMode.OFFLINE)
    return out


@transaction.atomic
def training_create(
    *,
    actor,
    organiser: Association,
    status: str = TrainingStatus.PLANNED,
    is_demo: bool = False,
    **fields,
) -> Training:
    """Record a training organised by `organiser`, planned or (for one already over) held.

    The organiser's region is the training's scope: a county cadre cannot create a province
    training (PermissionDeniedError naming the organiser).
    """
    _organiser_check(actor, organiser, ErrorCollector())
    require_scope(
        actor,
        Training,
        "add",
        organiser.region_path,
        pgettext("permission", "以该协会名义举办培训"),
    )
    errors = ErrorCollector()
    _organiser_check(None, organiser, errors)
    data = training_check(_new_training_fields(fields), errors)
    if status not in (TrainingStatus.PLANNED, TrainingStatus.HELD):
        errors.add("status", gettext("新建的培训只能是“计划中”或“已举办”。"))
    _held_dates_check(status, data.get("end_date"), errors)
    errors.raise_if_any()
    training = Training(organiser=organiser, status=status, is_demo=is_demo, **data)
    training.save()
    log_change(training, ObjectChange.Action.CREATE)
    return training


def _lock(training: Training) -> Training:
    return Training.objects.select_for_update().select_related("organiser").get(pk=training.pk)


@transaction.atomic
def training_update(
    *, actor, training: Training, expected_version: int | None = None, **fields
) -> Training:
    """Correct a training's details (its organiser never changes; status has its own service).

    `expected_version`: the version the editor opened; a later save by someone else is a
    ConflictError and nothing is written.
    """
    training = _lock(training)
    require_scope(
        actor, Training, "change", training.region_path, pgettext("permission", "修改该培训")
    )
    check_version(training, expected_version, pgettext("object", "培训"))
    if set(fields) - set(TRAINING_EDITABLE):
        raise QingxieError(gettext("含有不能修改的字段。"))
    errors = ErrorCollector()
    merged = {"start_date": training.start_date, "end_date": training.end_date} | fields
    data = {k: v for k, v in training_check(merged, errors).items() if k in fields}
    _held_dates_check(training.status, merged.get("end_date"), errors)
    if "class_hours" in data:
        over = training.attendees.filter(hours__gt=data["class_hours"]).first()
        if over is not None:
            errors.add(
                "class_hours",
                (
                    gettext(
                        "课时（%(class_hours)s）不能少于已登记的参训学时（%(over)s：%(hours)s）。"
                    )
                    % {"class_hours": data["class_hours"], "over": over.name, "hours": over.hours}
                ),
            )
    errors.raise_if_any()
    before = training.snapshot()
    for key, value in data.items():
        setattr(training, key, value)
    training.version += 1
    training.save()
    log_change(training, ObjectChange.Action.UPDATE, before=before)
    _checklist_follow(training)
    return training


@transaction.atomic
def training_set_status(
    *, actor, training: Training, status: str, expected_version: int | None = None
) -> Training:
    """Mark a training held, cancelled or planned again.

    Held needs the end date reached; a training with attendance recorded cannot leave
    "held" (its attendance would then stand on a training that did not happen).
    """
    training = _lock(training)
    require_scope(
        actor, Training, "change", training.region_path, pgettext("permission", "修改该培训的状态")
    )
    check_version(training, expected_version, pgettext("object", "培训"))
    errors = ErrorCollector()
    if status not in TrainingStatus.values:
        errors.add("status", (gettext("状态“%(status)s”不在可选范围内。") % {"status": status}))
    elif status == training.status:
        errors.add(
            "status", (gettext("该培训已是“%(label)s”。") % {"label": TrainingStatus(status).label})
        )
    _held_dates_check(status, training.end_date, errors)
    if (
        training.status == TrainingStatus.HELD
        and status != TrainingStatus.HELD
        and training.attendees.filter(attended=True).exists()
    ):
        errors.add("status", gettext("该培训已登记出勤，请先取消出勤登记再更改状态。"))
    errors.raise_if_any()
    before = training.snapshot()
    training.status = status
    training.version += 1
    training.save()
    log_change(training, ObjectChange.Action.UPDATE, before=before)
    _checklist_follow(training)
    return training


# ------------------------------------------------------------------------------ attendees


def attendee_check(data: dict, training: Training, errors: ErrorCollector) -> dict:
    """Check and normalise an attendee's fields against its training, collecting every
    problem (pages, API, the bulk tick and the 签到表 import share it)."""
    out = dict(data)
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            errors.add("name", gettext("请填写姓名。"))
    if "role" in out and out["role"] not in AttendeeRole.values:
        errors.add(
            "role", (gettext("职务“%(role)s”不在可选范围内。") % {"role": out["role"] or ""})
        )
    association = out.get("association")
    if "association" in out:
        organiser = training.organiser
        if association is None:
            errors.add("association", gettext("请选择参训人员所在的协会。"))
        elif organiser.level != 0 and not association.region_path.startswith(organiser.region_path):
            errors.add(
                "association",
                (
                    gettext(
                        "%(association)s不在主办协会（%(organiser)s）的范围内：只能培训本级及下级协会的人员。"
                    )
                    % {"association": association.name, "organiser": organiser.name}
                ),
            )
    if "phone" in out:
        out["phone"] = (out["phone"] or "").strip()
    if out.get("phone") and (problem := phone_problem(out["phone"])):
        errors.add("phone", problem)
    if "hours" in out:
        out["hours"] = _decimal(out["hours"], errors, "hours", pgettext("field", "参训学时"))
        if out["hours"] is not None and out["hours"] > training.class_hours:
            errors.add(
                "hours",
                (
                    gettext("参训学时（%(hours)s）不能超过培训课时（%(class_hours)s）。")
                    % {"hours": out["hours"], "class_hours": training.class_hours}
                ),
            )
    if "attended" in out:
        out["attended"] = bool(out["attended"])
    attending = out.get("attended") or out.get("hours") or out.get("completion_number")
    if attending and training.status != TrainingStatus.HELD:
        if training.status == TrainingStatus.CANCELLED:
            why = gettext("该培训已取消，不能登记出勤、学时或结业证书。")
        else:
            why = gettext("该培训尚未举办，不能登记出勤、学时或结业证书。")
        errors.add("attended", why)
    for key in ("completion_number", "volunteer_number"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def _duplicate_check(
    training: Training, association, name: str, errors: ErrorCollector, exclude=None
) -> None:
    if association is None or not name:
        return
    qs = Attendee.objects.filter(training=training, association=association, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.exists():
        errors.add(
            "name",
            (
                gettext("该培训已有%(association)s的参训人员“%(name)s”，不能重复登记。")
                % {"association": association.name, "name": name}
            ),
        )


def _attendee_row(training: Training, data: dict, **extra) -> Attendee:
    association = data["association"]
    return Attendee(
        training=training,
        region_path=training.region_path,
        association_path=association.region_path,
        **extra,
        **data,
    )


def _new_attendee_fields(fields: dict) -> dict:
    if set(fields) - {*ATTENDEE_EDITABLE, "association"}:
        raise QingxieError(gettext("含有不能填写的字段。"))
    out = dict(fields)
    out.setdefault("name", "")
    out.setdefault("role", None)
    out.setdefault("association", None)
    return out


@transaction.atomic
def attendee_add(*, actor, training: Training, is_demo: bool = False, **fields) -> Attendee:
    """Put a person on a training's list (a registration; attendance may be ticked with it
    when the training is held)."""
    training = _lock(training)
    require_scope(
        actor,
        Training,
        "change",
        training.region_path,
        pgettext("permission", "登记该培训的参训人员"),
    )
    errors = ErrorCollector()
    data = attendee_check(_new_attendee_fields(fields), training, errors)
    _duplicate_check(training, data.get("association"), data.get("name"), errors)
    errors.raise_if_any()
    attendee = _attendee_row(training, data, is_demo=is_demo)
    attendee.save()
    log_change(attendee, ObjectChange.Action.CREATE)
    _checklist_follow(training, [attendee])
    return attendee


@dataclass
class AttendeeDraft:
    """One attendee for `attendee_create_bulk` (the 签到表 import, the demo)."""

    fields: dict


class AttendeesRefused(QingxieError):
    """`attendee_create_bulk` refused some drafts: `refused` maps each draft's index to its
    errors ({field: [messages]}); nothing was written."""

    def __init__(self, refused: dict[int, dict[str, list[str]]]):
        messages = [m for errors in refused.values() for ms in errors.values() for m in ms]
        super().__init__("；".join(messages[:20]), code="invalid")
        self.refused = refused


@transaction.atomic
def attendee_create_bulk(
    *, actor, training: Training, drafts: Sequence[AttendeeDraft], is_demo: bool = False
) -> list[Attendee]:
    """Add many attendees to one training under `attendee_add`'s rules: every draft checked,
    duplicates inside the batch too; any refusal names each failing draft and writes nothing."""
    training = _lock(training)
    require_scope(
        actor,
        Training,
        "change",
        training.region_path,
        pgettext("permission", "登记该培训的参训人员"),
    )
    existing = set(Attendee.objects.filter(training=training).values_list("association", "name"))
    refused: dict[int, dict[str, list[str]]] = {}
    rows: list[Attendee] = []
    for index, draft in enumerate(drafts):
        errors = ErrorCollector()
        data = attendee_check(_new_attendee_fields(draft.fields), training, errors)
        association = data.get("association")
        key = (association.pk if association else None, data.get("name"))
        if association is not None and data.get("name") and key in existing:
            errors.add(
                "name",
                (
                    gettext("该培训已有%(association)s的参训人员“%(name)s”，不能重复登记。")
                    % {"association": association.name, "name": data["name"]}
                ),
            )
        if errors:
            refused[index] = errors.errors
            continue
        existing.add(key)
        rows.append(_attendee_row(training, data, is_demo=is_demo))
    if refused:
        raise AttendeesRefused(refused)
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        Attendee.objects.bulk_create(chunk)
        log_created_bulk(chunk)
    _checklist_follow(training, rows)
    return rows


@transaction.atomic
def attendee_update(
    *, actor, attendee: Attendee, expected_version: int | None = None, **fields
) -> Attendee:
    """Correct an attendee or record their attendance (attended, hours, completion number)."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    training = _lock(attendee.training)
    require_scope(
        actor,
        Training,
        "change",
        training.region_path,
        pgettext("permission", "修改该培训的参训人员"),
    )
    check_version(attendee, expected_version, pgettext("object", "参训人员"))
    if set(fields) - set(ATTENDEE_EDITABLE):
        raise QingxieError(gettext("含有不能修改的字段（所在协会不能修改，请删除后重新登记）。"))
    fields = drop_unchanged_masked(attendee, fields)
    errors = ErrorCollector()
    data = attendee_check(fields, training, errors)
    if "name" in data:
        _duplicate_check(training, attendee.association, data["name"], errors, exclude=attendee)
    errors.raise_if_any()
    before = attendee.snapshot()
    for key, value in data.items():
        setattr(attendee, key, value)
    if not attendee.attended:
        attendee.completion_number = ""
    if attendee.snapshot() == before:
        return attendee
    attendee.version += 1
    attendee.save()
    log_change(attendee, ObjectChange.Action.UPDATE, before=before)
    _checklist_follow(training, [attendee])
    return attendee


@transaction.atomic
def attendee_remove(*, actor, attendee: Attendee) -> None:
    """Take a person off a training's list (a registration entered by mistake)."""
    attendee = Attendee.objects.select_for_update().get(pk=attendee.pk)
    training = _lock(attendee.training)
    require_scope(
        actor,
        Training,
        "change",
        training.region_path,
        pgettext("permission", "修改该培训的参训人员"),
    )
    log_change(attendee, ObjectChange.Action.DELETE)
    attendee.delete()
    _checklist_follow(training, [attendee])


@transaction.atomic
def attendance_record(
    *, actor, training: Training, marks: Mapping[int, Mapping], expected_version=None
) -> list[Attendee]:
    """Record attendance for many attendees at once (the page's tick list): `marks` maps an
    attendee id to {"attended": bool, "hours": …}. All or nothing; each refusal names the
    person."""
    training = _lock(training)
    require_scope(
        actor, Training, "change", training.region_path, pgettext("permission", "登记该培训的出勤")
    )
    check_version(training, expected_version, pgettext("object", "培训"))
    attendees = {a.pk: a for a in training.attendees.select_for_update().filter(pk__in=marks)}
    errors = ErrorCollector()
    if set(marks) - set(attendees):
        errors.add("attendees", gettext("所选人员不在该培训的名单上。"))
    planned: list[tuple[Attendee, dict]] = []
    for pk, mark in marks.items():
        attendee = attendees.get(pk)
        if attendee is None:
            continue
        own = ErrorCollector()
        data = attendee_check(
            {"attended": mark.get("attended", False), "hours": mark.get("hours")}, training, own
        )
        for field_name, messages in own.errors.items():
            for message in messages:
                errors.add(field_name, f"{attendee.name}：{message}")
        planned.append((attendee, data))
    errors.raise_if_any()
    changed = []
    for attendee, data in planned:
        before = attendee.snapshot()
        attendee.attended = data["attended"]
        attendee.hours = data["hours"] if data["attended"] else None
        if not attendee.attended:
            attendee.completion_number = ""
        if attendee.snapshot() == before:
            continue
        attendee.version += 1
        attendee.save()
        log_change(attendee, ObjectChange.Action.UPDATE, before=before)
        changed.append(attendee)
    _checklist_follow(training, changed)
    return changed


# ------------------------------------------------------------------------------ materials


@transaction.atomic
def material_add(*, actor, training: Training, title: str, file) -> TrainingMaterial:
    """Attach a file to a training (stored through the storage API, never a local path)."""
    training = _lock(training)
    require_scope(
        actor, Training, "change", training.region_path, pgettext("permission", "上传该培训的材料")
    )
    errors = ErrorCollector()
    title = (title or "").strip() or (getattr(file, "name", "") or "")
    if file is None:
        errors.add("file", gettext("请选择要上传的文件。"))
    else:
        name = getattr(file, "name", "") or ""
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if ext not in MATERIAL_EXTENSIONS:
            errors.add(
                "file",
                gettext("培训材料只接受 PDF、Word、PPT、Excel、图片（JPG/PNG）或 OFD 文件。"),
            )
        if getattr(file, "size", 0) > MATERIAL_MAX_BYTES:
            errors.add("file", gettext("培训材料不能超过 50 MB。"))
    errors.raise_if_any()
    material = TrainingMaterial(training=training, title=title[:200], file=file)
    material.save()
    log_change(material, ObjectChange.Action.CREATE)
    return material


@transaction.atomic
def material_remove(*, actor, material: TrainingMaterial) -> None:
    """Remove a material; the file leaves the storage once the removal is committed."""
    material = TrainingMaterial.objects.select_for_update().get(pk=material.pk)
    require_scope(
        actor, Training, "change", material.region_path, pgettext("permission", "删除该培训的材料")
    )
    log_change(material, ObjectChange.Action.DELETE)
    name, storage = material.file.name, material.file.storage
    material.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# ------------------------------------------------------------------- the checklist follows


def _checklist_follow(training: Training, attendees: Iterable[Attendee] | None = None) -> None:
    """Re-judge the standardization of the associations whose leaders are concerned: the
    checklist item 负责人年度培训 follows their attendance (see `checklist.py`)."""
    from qingxie.ledger.services import standardization_refresh

    if attendees is None:
        ids = set(
            Attendee.objects.filter(training=training, role__in=LEADER_ROLES).values_list(
                "association_id", flat=True
            )
        )
    else:
        ids = {a.association_id for a in attendees if a.role in LEADER_ROLES}
    if ids:
        standardization_refresh(association_ids=ids)


def trainings_follow_association(*, association: Association, old_region, new_region) -> None:
    """When an association moves onto a successor region, its trainings' `region_path`
    follows by itself (scope_from); the attendees representing it copy its path in
    `association_path`, refreshed here inside the ledger's transaction, each change-logged."""
    for attendee in Attendee.objects.select_for_update().filter(association=association):
        before = attendee.snapshot()
        attendee.association_path = association.region_path
        attendee.save(update_fields=["association_path", "last_updated"])
        log_change(
            attendee,
            ObjectChange.Action.UPDATE,
            before=before,
            note=f"行政区划 {old_region.code} 已撤销，参训人员所在协会随之变更至 {new_region.code}",
        )
