"""Writes on grassroots teams; each re-checks the actor's scope and is change-logged."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from qingxie.accounts.permissions import require_scope
from qingxie.core.changelog import log_change, log_created_bulk
from qingxie.core.concurrency import check_version
from qingxie.core.crypto import drop_unchanged_masked
from qingxie.core.errors import ErrorCollector, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.validators import date_problem, phone_problem
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.models import Team

TEAM_EDITABLE = (
    "name",
    "category",
    "township",
    "leader_name",
    "leader_phone",
    "member_count",
    "founded_on",
)


def team_check(data: dict, association: Association, errors: ErrorCollector) -> dict:
    """Check and normalise a team's fields in `data` against `association`, collecting every
    problem in `errors`; the one place these rules live (pages, API, import and bulk)."""
    out = dict(data)
    today = timezone.localdate()
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            errors.add("name", gettext("请填写队伍名称。"))
    if "category" in out and out["category"] not in TeamCategory.values:
        errors.add(
            "category",
            gettext("队伍类别“%(category)s”不在可选范围内。") % {"category": out["category"]},
        )
    township = out.get("township")
    if township is not None:
        if township.level != Region.Level.TOWNSHIP:
            errors.add(
                "township",
                gettext("%(name)s（%(code)s）不是乡镇（街道）。")
                % {"name": township.name, "code": township.code},
            )
        elif not township.path.startswith(association.region.path):
            errors.add(
                "township",
                gettext("%(name)s（%(code)s）不在%(name2)s范围内。")
                % {"name": township.name, "code": township.code, "name2": association.region.name},
            )
        elif township.valid_to is not None:
            errors.add(
                "township",
                gettext("%(name)s（%(code)s）已撤销。")
                % {"name": township.name, "code": township.code},
            )
    if out.get("category") == TeamCategory.TOWNSHIP and "township" in out and township is None:
        errors.add("township", gettext("乡镇/街道队伍须选择所在乡镇（街道）。"))
    if "member_count" in out:
        try:
            out["member_count"] = int(out["member_count"] or 0)
            if out["member_count"] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("member_count", gettext("队员人数须为不小于 0 的整数。"))
    if "founded_on" in out:
        if out["founded_on"] is None:
            errors.add("founded_on", gettext("请填写成立日期。"))
        elif problem := date_problem(out["founded_on"], gettext("成立日期"), today=today):
            errors.add("founded_on", problem)
    if out.get("leader_phone"):
        out["leader_phone"] = out["leader_phone"].strip()
        if problem := phone_problem(out["leader_phone"]):
            errors.add("leader_phone", problem)
    return out


def team_association_check(association: Association, errors: ErrorCollector) -> None:
    """A new team needs a live association (active or suspended)."""
    if association.status not in LIVE_STATUSES:
        errors.add("association", gettext("已注销或合并的协会不能新建队伍。"))


def _new_team_fields(fields: dict) -> dict:
    if set(fields) - set(TEAM_EDITABLE):
        raise QingxieError(gettext("含有不能填写的字段。"))
    out = dict(fields)
    for key in ("name", "category", "founded_on", "township"):
        out.setdefault(key, None if key in ("founded_on", "township") else "")
    return out


def _team_row(association: Association, data: dict, **extra) -> Team:
    return Team(
        association=association,
        region_id=association.region_id,
        township_parent_id=data["township"].parent_id if data.get("township") else None,
        **extra,
        **data,
    )


@transaction.atomic
def team_create(*, actor, association: Association, is_demo: bool = False, **fields) -> Team:
    """Build a grassroots team under `association` (a township team inside its region)."""
    require_scope(actor, Team, "add", association.region.path, gettext("为该协会建立队伍"))
    fields = _new_team_fields(fields)
    errors = ErrorCollector()
    data = team_check(fields, association, errors)
    team_association_check(association, errors)
    errors.raise_if_any()
    team = _team_row(association, data, is_demo=is_demo)
    team.save()
    log_change(team, ObjectChange.Action.CREATE)
    return team


@dataclass
class TeamDraft:
    """One team for `team_create_bulk`: its association, fields as `team_create` takes
    them, and the dissolution date of a team entered as already dissolved."""

    association: Association
    fields: dict
    dissolved_on: datetime.date | None = None


class TeamsRefused(QingxieError):
    """`team_create_bulk` refused some drafts: `refused` maps each draft's index to its
    errors ({field: [messages]}); nothing was written."""

    def __init__(self, refused: dict[int, dict[str, list[str]]]):
        messages = [m for errors in refused.values() for ms in errors.values() for m in ms]
        super().__init__("；".join(messages[:20]), code="invalid")
        self.refused = refused


@transaction.atomic
def team_create_bulk(*, actor, drafts: Sequence[TeamDraft], batch_size: int = 2000) -> list[Team]:
    """Create many teams at once under `team_create`'s rules, for imports.

    Every draft is checked with the same functions as `team_create` (`team_check`,
    `team_association_check` on the association locked for the write) and the actor's scope
    with `require_scope` once per region; if any draft fails, TeamsRefused names each
    failing draft and nothing is written. Otherwise the teams are inserted with
    `bulk_create` and each gets its own CREATE entry in the change log (`log_created_bulk`),
    as `team_create` would write it.
    """
    denied: dict[str, QingxieError | None] = {}
    for path in {d.association.region.path for d in drafts}:
        try:
            require_scope(actor, Team, "add", path, gettext("为该协会建立队伍"))
            denied[path] = None
        except QingxieError as exc:
            denied[path] = exc
    locked = {
        a.pk: a
        for a in Association.objects.select_for_update().filter(
            pk__in={d.association.pk for d in drafts}
        )
    }
    refused: dict[int, dict[str, list[str]]] = {}
    teams: list[Team] = []
    for index, draft in enumerate(drafts):
        association = draft.association
        errors = ErrorCollector()
        if (exc := denied[association.region.path]) is not None:
            for field_name, messages in exc.errors.items():
                for message in messages:
                    errors.add(field_name, message)
        data = team_check(_new_team_fields(draft.fields), association, errors)
        team_association_check(locked.get(association.pk, association), errors)
        on = draft.dissolved_on
        if on is not None and data.get("founded_on") and on < data["founded_on"]:
            errors.add(
                "on",
                gettext("撤销日期不能早于成立日期（%(founded_on)s）。")
                % {"founded_on": data["founded_on"]},
            )
        if errors:
            refused[index] = errors.errors
            continue
        status = TeamStatus.DISSOLVED if on else TeamStatus.ACTIVE
        teams.append(_team_row(association, data, status=status, dissolved_on=on))
    if refused:
        raise TeamsRefused(refused)
    for start in range(0, len(teams), batch_size):
        chunk = teams[start : start + batch_size]
        Team.objects.bulk_create(chunk)
        log_created_bulk(chunk)
    return teams


@transaction.atomic
def team_update(*, actor, team: Team, expected_version: int | None = None, **fields) -> Team:
    """Correct a team's details (its association and status change through other services).

    `expected_version`: the version the editor opened; a later save by someone else is a
    ConflictError and nothing is written (optimistic locking).
    """
    team = Team.objects.select_for_update().get(pk=team.pk)
    require_scope(actor, Team, "change", team.region.path, gettext("修改该队伍"))
    check_version(team, expected_version, pgettext("object", "队伍"))
    if set(fields) - set(TEAM_EDITABLE):
        raise QingxieError(gettext("含有不能修改的字段。"))
    fields = drop_unchanged_masked(team, fields)
    errors = ErrorCollector()
    merged = {"category": team.category, "township": team.township} | fields
    data = {k: v for k, v in team_check(merged, team.association, errors).items() if k in fields}
    if team.dissolved_on and data.get("founded_on") and data["founded_on"] > team.dissolved_on:
        errors.add("founded_on", gettext("成立日期不能晚于撤销日期。"))
    errors.raise_if_any()
    before = team.snapshot()
    for key, value in data.items():
        setattr(team, key, value)
    team.township_parent_id = team.township.parent_id if team.township else None
    team.version += 1
    team.save()
    log_change(team, ObjectChange.Action.UPDATE, before=before)
    return team


@transaction.atomic
def team_dissolve(*, actor, team: Team, on: datetime.date) -> Team:
    """Record that a team was dissolved on `on`; it stops counting for township coverage."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    require_scope(actor, Team, "change", team.region.path, gettext("撤销该队伍"))
    if team.status != TeamStatus.ACTIVE:
        raise QingxieError(gettext("该队伍已撤销。"), field="status")
    if on is None:
        raise QingxieError(gettext("请填写撤销日期。"), field="on")
    if problem := date_problem(on, gettext("撤销日期"), today=timezone.localdate()):
        raise QingxieError(problem, field="on")
    if on < team.founded_on:
        raise QingxieError(
            gettext("撤销日期不能早于成立日期（%(founded_on)s）。")
            % {"founded_on": team.founded_on},
            field="on",
        )
    before = team.snapshot()
    team.status, team.dissolved_on = TeamStatus.DISSOLVED, on
    team.save()
    log_change(team, ObjectChange.Action.UPDATE, before=before)
    return team


def teams_follow_association(*, association: Association, old_region, new_region) -> None:
    """Move `association`'s teams onto `new_region` when the association follows a retired
    region's successor (called by the ledger's move, inside its transaction), each move
    change-logged with its before and after like every other write."""
    for team in Team.objects.select_for_update().filter(association=association):
        before = team.snapshot()
        team.region = new_region
        team.save(update_fields=["region", "last_updated"])
        log_change(
            team,
            ObjectChange.Action.UPDATE,
            before=before,
            note=f"行政区划 {old_region.code} 已撤销，队伍随协会变更至 {new_region.code}",
        )
