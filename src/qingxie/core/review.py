"""One review workflow: submitted by one level, decided (verified, returned, revoked) above it.

A use declares one `Review` spec (the model, where the object's region is, who decides, the
words cadres see, hooks run on a decision) and gets the generic services `review_submit`,
`review_verify`, `review_return`, `review_revoke` and `review_record`, the one rule of who may
decide (`may_decide`, `may_record`), the queue (`review_queue`) and a dated, append-only
history of every decision (`ReviewDecision`).

The deciding region is the region directly above the object's region (the national root
decides for itself). In DIRECT_ABOVE mode only an administrator granted on that region
decides. In ANY_ABOVE mode the object still goes to that level first; an administrator whose
scope covers it (the province or the nation above a city) may act once it has waited
`escalate_after` undecided, may revoke a decision they took themselves, and may *record* a
decision taken elsewhere (a date from a paper ledger) at any time.

Core knows no roles: each spec names `decider_paths(user)`, the region paths on which the
user holds a deciding (administrator) grant, supplied by the accounts layer.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import AppendOnlyError, AppendOnlyQuerySet, subtree_q
from qingxie.core.validators import date_problem


class ReviewState(models.TextChoices):
    """Where a reviewed object stands; a use may relabel them in its own field's choices."""

    PENDING = "pending", gettext_lazy("未提交")
    SUBMITTED = "submitted", gettext_lazy("待核验")
    VERIFIED = "verified", gettext_lazy("已核验")
    RETURNED = "returned", gettext_lazy("已退回")


class Mode(enum.Enum):
    """Which levels above an object decide it."""

    DIRECT_ABOVE = "direct_above"
    ANY_ABOVE = "any_above"


DIRECT_ABOVE, ANY_ABOVE = Mode.DIRECT_ABOVE, Mode.ANY_ABOVE


class ReviewedModel(models.Model):
    """The fields every reviewed object carries (a use may redeclare one to relabel it)."""

    state = models.CharField(
        gettext_lazy("状态"),
        max_length=16,
        choices=ReviewState.choices,
        default=ReviewState.PENDING,
    )
    note = models.TextField(gettext_lazy("情况说明"), blank=True, max_length=2000)
    evidence = models.FileField(
        gettext_lazy("佐证材料"), upload_to="review/", blank=True, max_length=300
    )
    submitted_at = models.DateTimeField(gettext_lazy("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(gettext_lazy("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("决定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(gettext_lazy("通过日期"), null=True, blank=True)
    return_reason = models.CharField(gettext_lazy("退回原因"), max_length=500, blank=True)

    class Meta:
        abstract = True


def _noop(objs, on) -> None:
    return None


@dataclass(frozen=True)
class Review:
    """One use of the workflow. `region_field` is the lookup from the object to its region
    (e.g. "association__region"); regions have `parent`, `path` and `name`."""

    key: str
    model: type[models.Model]
    region_field: str
    decider_paths: Callable[[object], list[str] | None]
    mode: Mode = DIRECT_ABOVE
    #: ANY_ABOVE: how long the direct level above has the object to itself.
    escalate_after: datetime.timedelta | None = None
    #: Words cadres see: the decision (核验/审核), the thing submitted (材料), one of them (事项).
    verb: str = pgettext_lazy("review", "核验")
    noun: str = pgettext_lazy("review", "材料")
    thing: str = pgettext_lazy("review", "事项")
    #: Who owns the object, as named in messages (e.g. the association's name).
    owner_name: Callable[[models.Model], str] = str
    #: Hooks, each given the objects decided and the effective date, inside the transaction.
    on_verify: Callable[[list, datetime.date], None] = _noop
    on_revoke: Callable[[list, datetime.date], None] = _noop
    select_related: tuple[str, ...] = field(default=())
    #: Optional: a column of the object's own table holding its region's materialized path
    #: (e.g. "region_path"). The queue then filters on it, without joining region rows.
    path_field: str | None = None

    # -- where an object sits

    def region(self, obj):
        value = obj
        for part in self.region_field.split("__"):
            value = getattr(value, part)
        return value

    def deciding_region(self, obj):
        """The region directly above the object's (the root decides for itself)."""
        region = self.region(obj)
        return region.parent or region

    def deciding_path(self, obj) -> str:
        """The path of `deciding_region(obj)`, read from the object's region path alone (the
        parent's path is that path less its last code), so a list needs no parent rows."""
        path = self.region(obj).path
        codes = path.rstrip("/").split("/")
        return "/".join(codes[:-1]) + "/" if len(codes) > 1 else path

    def state_label(self, value: str) -> str:
        choices = dict(self.model._meta.get_field("state").choices)
        return str(choices.get(value, value))


_REGISTRY: dict[type[models.Model], Review] = {}


def register_review(spec: Review) -> Review:
    """Declare a use of the workflow (one per model); returns the spec for the module to keep."""
    _REGISTRY[spec.model] = spec
    return spec


def review_for(model_or_obj) -> Review:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _REGISTRY[model]


# --------------------------------------------------------------------------- who decides


def _standing(user, obj, spec: Review) -> str | None:
    """ "direct" for an admin of the deciding region, "above" for one whose scope covers it."""
    if user is None:
        return "direct"  # the system itself (operator's command line, demo loader)
    paths = spec.decider_paths(user)
    if paths is None:
        return "direct"
    deciding = spec.deciding_region(obj).path
    if deciding in paths:
        return "direct"
    if any(deciding.startswith(p) for p in paths):
        return "above"
    return None


def _escalated(obj, spec: Review, now: datetime.datetime) -> bool:
    wait = spec.escalate_after
    return (
        obj.state == ReviewState.SUBMITTED
        and obj.submitted_at is not None
        and (wait is None or obj.submitted_at <= now - wait)
    )


def may_decide(user, obj, spec: Review | None = None) -> bool:
    """The one rule of who may verify, return or revoke `obj` (the policy's `verify`)."""
    spec = spec or review_for(obj)
    standing = _standing(user, obj, spec)
    if standing == "direct":
        return True
    if standing != "above" or spec.mode is not ANY_ABOVE:
        return False
    if obj.state == ReviewState.VERIFIED:
        return obj.decided_by_id is not None and obj.decided_by_id == user.pk
    return _escalated(obj, spec, timezone.now())


def decidable(user, objs, spec: Review) -> list:
    """The objects of `objs` that `user` may decide now: `may_decide` for a whole list, with
    the decider's paths read once and each deciding region taken from the object's path."""
    if user is None:
        return list(objs)
    paths = spec.decider_paths(user)
    if paths is None:
        return list(objs)
    now = timezone.now()
    shown = []
    for obj in objs:
        deciding = spec.deciding_path(obj)
        if deciding in paths:
            shown.append(obj)
        elif spec.mode is ANY_ABOVE and any(deciding.startswith(p) for p in paths):
            if obj.state == ReviewState.VERIFIED:
                if obj.decided_by_id is not None and obj.decided_by_id == user.pk:
                    shown.append(obj)
            elif _escalated(obj, spec, now):
                shown.append(obj)
    return shown


def may_record(user, obj, spec: Review | None = None) -> bool:
    """Whether `user` may record a decision taken elsewhere (e.g. a 规范化认定日期 on import):
    in ANY_ABOVE mode anyone whose scope covers the deciding region; else its own admins."""
    spec = spec or review_for(obj)
    standing = _standing(user, obj, spec)
    return standing == "direct" or (standing == "above" and spec.mode is ANY_ABOVE)


def decider_q(user, spec: Review) -> Q:
    """Objects in any state whose decision is `user`'s now: the query form of `may_decide`
    for submitted objects (direct level; in ANY_ABOVE, covered ones once escalated)."""
    paths = spec.decider_paths(user)
    if paths is None:
        return Q()
    if spec.path_field:
        return _decider_path_q(spec, paths)
    region = spec.region_field
    direct = Q(**{f"{region}__parent__path__in": paths}) | Q(
        **{f"{region}__parent__isnull": True, f"{region}__path__in": paths}
    )
    if spec.mode is not ANY_ABOVE or not paths:
        return direct
    covered = Q(pk__in=[])
    for path in paths:
        covered |= subtree_q(f"{region}__parent__path", path)
    waited = Q(submitted_at__isnull=False)
    if spec.escalate_after is not None:
        waited &= Q(submitted_at__lte=timezone.now() - spec.escalate_after)
    return direct | (covered & waited)


def _decider_path_q(spec: Review, paths: list[str]) -> Q:
    """`decider_q` on the object's own path column: its region is a direct child of a
    decider's region (a root region decides for itself); in ANY_ABOVE, anywhere strictly
    below one once escalated. Paths are "code/code/…/", so a direct child is one more code."""
    column = spec.path_field
    direct = Q(**{f"{column}__in": [p for p in paths if p.count("/") == 1]})
    for path in paths:
        direct |= subtree_q(column, path) & Q(**{f"{column}__regex": rf"^{re.escape(path)}[^/]+/$"})
    if spec.mode is not ANY_ABOVE or not paths:
        return direct
    covered = Q(pk__in=[])
    for path in paths:
        covered |= subtree_q(column, path) & ~Q(**{column: path})
    waited = Q(submitted_at__isnull=False)
    if spec.escalate_after is not None:
        waited &= Q(submitted_at__lte=timezone.now() - spec.escalate_after)
    return direct | (covered & waited)


def next_escalation(
    user, spec: Review, objs: models.QuerySet, now: datetime.datetime
) -> datetime.datetime | None:
    """The first moment after `now` at which a submitted object of `objs` may enter `user`'s
    queue by the clock alone (its `escalate_after` running out), or None if none can: how
    long a queue read at `now` stays exact while nothing is written.

    Take `now` before reading the queue: an object escalating in between then makes the
    answer `now` or earlier, never later. Objects already in the queue by the direct level
    count too (the moment is then earlier than needed, never later).
    """
    wait = spec.escalate_after
    if spec.mode is not ANY_ABOVE or wait is None:
        return None
    paths = spec.decider_paths(user)
    if not paths:  # None: a superuser, who decides everything at once; []: nothing
        return None
    if spec.path_field:
        covered = Q(pk__in=[])
        for path in paths:
            covered |= subtree_q(spec.path_field, path) & ~Q(**{spec.path_field: path})
    else:
        covered = Q(pk__in=[])
        for path in paths:
            covered |= subtree_q(f"{spec.region_field}__parent__path", path)
    first = (
        objs.filter(covered, state=ReviewState.SUBMITTED, submitted_at__gt=now - wait)
        .order_by()
        .aggregate(first=models.Min("submitted_at"))["first"]
    )
    return first + wait if first is not None else None


def review_queue(user, spec: Review) -> models.QuerySet:
    """What waits for `user`: submitted objects they may see and decide, oldest first."""
    return (
        spec.model.objects.restrict(user, "view")
        .filter(decider_q(user, spec), state=ReviewState.SUBMITTED)
        .select_related(*spec.select_related)
        .order_by("submitted_at", "id")
    )


def _not_the_decider(obj, spec: Review) -> PermissionDeniedError:
    """The refusal naming the level above that decides `obj`."""
    region = spec.deciding_region(obj)
    return PermissionDeniedError(
        gettext("只有上一级（%(name)s）的管理员可以%(verb)s%(owner_name)s的%(noun)s。")
        % {
            "name": region.name,
            "verb": spec.verb,
            "owner_name": spec.owner_name(obj),
            "noun": spec.noun,
        }
    )


def _require_decider(actor, obj, spec: Review) -> None:
    if not may_decide(actor, obj, spec):
        raise _not_the_decider(obj, spec)


# ------------------------------------------------------------------------------ history


class ReviewDecision(models.Model):
    """One dated step of a review: who, when, what, with the note or reason given.

    Append-only like ObjectChange. `scope_path` (the object's region) and `deciding_path`
    (the deciding region) are stored on the row so a level's history is filtered without a
    join.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", gettext_lazy("提交")
        VERIFY = "verify", gettext_lazy("通过")
        RETURN = "return", gettext_lazy("退回")
        REVOKE = "revoke", gettext_lazy("撤销")
        RECORD = "record", gettext_lazy("录入认定")

    time = models.DateTimeField(gettext_lazy("时间"), default=timezone.now, db_index=True)
    review = models.CharField(gettext_lazy("流程"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(gettext_lazy("对象编号"), max_length=64)
    object_repr = models.CharField(gettext_lazy("对象"), max_length=200)
    action = models.CharField(gettext_lazy("操作"), max_length=8, choices=Action.choices)
    state_before = models.CharField(gettext_lazy("原状态"), max_length=16, blank=True)
    state_after = models.CharField(gettext_lazy("新状态"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_decisions",
    )
    user_name = models.CharField(gettext_lazy("操作人姓名"), max_length=150, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=500, blank=True)
    reason = models.CharField(gettext_lazy("原因"), max_length=500, blank=True)
    on = models.DateField(gettext_lazy("生效日期"), null=True, blank=True)
    evidence = models.CharField(gettext_lazy("佐证材料"), max_length=300, blank=True)
    scope_path = models.CharField(gettext_lazy("区划路径"), max_length=80, db_index=True)
    deciding_path = models.CharField(gettext_lazy("决定区划路径"), max_length=80, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("审核记录")
        verbose_name_plural = gettext_lazy("审核记录")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="reviewdecision_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(gettext("审核记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(gettext("审核记录只能追加，不能删除。"))


def review_history(obj) -> models.QuerySet[ReviewDecision]:
    """Every decision on `obj`, oldest first."""
    return ReviewDecision.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).order_by("time", "id")


def _record(spec: Review, obj, action: str, before: str, actor, **fields) -> ReviewDecision:
    from qingxie.core.context import current_context

    if actor is None:
        ctx = current_context()
        actor = ctx.user.resolve() if hasattr(ctx.user, "resolve") else ctx.user
    who = actor if getattr(actor, "pk", None) else None
    return ReviewDecision.objects.create(
        review=spec.key,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        state_before=before or "",
        state_after=obj.state,
        user=who,
        user_name=getattr(who, "username", "") or current_context().channel,
        scope_path=spec.region(obj).path,
        deciding_path=spec.deciding_region(obj).path,
        **fields,
    )


# ----------------------------------------------------------------------------- services


def _today() -> datetime.date:
    return timezone.localdate()


def _who(actor):
    return actor if getattr(actor, "pk", None) else None


def _lock(spec: Review, obj):
    # Only the non-null path to the region is joined: PostgreSQL refuses FOR UPDATE on the
    # nullable side of an outer join.
    return spec.model.objects.select_for_update().select_related(spec.region_field).get(pk=obj.pk)


def _log(obj, before: dict | None, note: str = "") -> None:
    from qingxie.core.changelog import log_change
    from qingxie.core.models import ObjectChange

    action = ObjectChange.Action.UPDATE if before is not None else ObjectChange.Action.CREATE
    log_change(obj, action, before=before, note=note)


@transaction.atomic
def review_submit(*, spec: Review, actor, obj, note: str = "", evidence=None):
    """Submit `obj` (new or returned) with a note and evidence for the level above.

    The caller has checked that `actor` may submit for the object's region (its gate) and
    holds the row locked when it exists.
    """
    if obj.state == ReviewState.VERIFIED:
        raise QingxieError(
            gettext("该%(thing)s已%(verb)s通过，如需更正请由上一级先撤销%(verb)s。")
            % {"thing": spec.thing, "verb": spec.verb},
            field="state",
        )
    note = (note or "").strip()
    if not note and not evidence and not obj.evidence:
        raise QingxieError(gettext("请填写情况说明或上传佐证材料。"), field="note")
    state_before = obj.state if obj.pk else ""
    before = obj.snapshot() if obj.pk else None
    obj.note = note
    if evidence:
        obj.evidence = evidence
    obj.state = ReviewState.SUBMITTED
    obj.submitted_at = timezone.now()
    obj.submitted_by = _who(actor)
    obj.return_reason = ""
    obj.save()
    _log(obj, before)
    _record(
        spec,
        obj,
        ReviewDecision.Action.SUBMIT,
        state_before,
        actor,
        note=note[:500],
        evidence=obj.evidence.name if obj.evidence else "",
    )
    return obj


@transaction.atomic
def review_verify(*, spec: Review, actor, obj, on: datetime.date | None = None):
    """The deciding level verifies a submitted object from `on` (today by default)."""
    obj = _lock(spec, obj)
    _require_decider(actor, obj, spec)
    if obj.state != ReviewState.SUBMITTED:
        raise QingxieError(
            gettext(
                "只能%(verb)s“%(state_label)s”的%(noun)s，该%(thing)s现为“%(get_state_display)s”。"
            )
            % {
                "verb": spec.verb,
                "state_label": spec.state_label(ReviewState.SUBMITTED),
                "noun": spec.noun,
                "thing": spec.thing,
                "get_state_display": obj.get_state_display(),
            },
            field="state",
        )
    on = on or _today()
    if problem := date_problem(on, gettext("%(verb)s日期") % {"verb": spec.verb}, today=_today()):
        raise QingxieError(problem, field="on")
    before, state_before = obj.snapshot(), obj.state
    obj.state = ReviewState.VERIFIED
    obj.verified_on = on
    obj.decided_at = timezone.now()
    obj.decided_by = _who(actor)
    obj.save()
    _log(obj, before)
    _record(spec, obj, ReviewDecision.Action.VERIFY, state_before, actor, on=on)
    spec.on_verify([obj], on)
    return obj


@transaction.atomic
def review_return(*, spec: Review, actor, obj, reason: str):
    """The deciding level sends a submitted object back with the reason to correct it."""
    obj = _lock(spec, obj)
    _require_decider(actor, obj, spec)
    if obj.state != ReviewState.SUBMITTED:
        raise QingxieError(
            gettext("只能退回“%(state_label)s”的%(noun)s。")
            % {"state_label": spec.state_label(ReviewState.SUBMITTED), "noun": spec.noun},
            field="state",
        )
    reason = (reason or "").strip()
    if not reason:
        raise QingxieError(gettext("请填写退回原因。"), field="reason")
    before, state_before = obj.snapshot(), obj.state
    obj.state = ReviewState.RETURNED
    obj.return_reason = reason[:500]
    obj.decided_at = timezone.now()
    obj.decided_by = _who(actor)
    obj.save()
    _log(obj, before)
    _record(spec, obj, ReviewDecision.Action.RETURN, state_before, actor, reason=reason[:500])
    return obj


@transaction.atomic
def review_revoke(*, spec: Review, actor, obj, reason: str, on: datetime.date | None = None):
    """Withdraw a verification from `on`; the object goes back to its submitter as returned."""
    obj = _lock(spec, obj)
    _require_decider(actor, obj, spec)
    if obj.state != ReviewState.VERIFIED:
        raise QingxieError(
            gettext("只能撤销%(state_label)s的%(thing)s。")
            % {"state_label": spec.state_label(ReviewState.VERIFIED), "thing": spec.thing},
            field="state",
        )
    reason = (reason or "").strip()
    if not reason:
        raise QingxieError(
            gettext("请填写撤销%(verb)s的原因。") % {"verb": spec.verb}, field="reason"
        )
    on = on or _today()
    errors = ErrorCollector()
    if problem := date_problem(on, pgettext("review", "撤销日期"), today=_today()):
        errors.add("on", problem)
    elif obj.verified_on and on < obj.verified_on:
        errors.add(
            "on",
            gettext("撤销日期不能早于%(verb)s日期（%(verified_on)s）。")
            % {"verb": spec.verb, "verified_on": obj.verified_on},
        )
    errors.raise_if_any()
    before, state_before = obj.snapshot(), obj.state
    obj.state = ReviewState.RETURNED
    obj.verified_on = None
    obj.return_reason = reason[:500]
    obj.decided_at = timezone.now()
    obj.decided_by = _who(actor)
    obj.save()
    # The note is stored: written in Chinese whatever the request's language.
    with translation.override(settings.LANGUAGE_CODE):
        note = f"撤销{spec.verb}"
    _log(obj, before, note=note)
    _record(
        spec, obj, ReviewDecision.Action.REVOKE, state_before, actor, reason=reason[:500], on=on
    )
    spec.on_revoke([obj], on)
    return obj


@transaction.atomic
def review_record(
    *, spec: Review, actor, objs: Iterable, on: datetime.date, note: str = ""
) -> list:
    """Record objects verified on `on` by a decision taken elsewhere (an import's date).

    `objs` are locked (or new) objects of one owner; those already verified are left as they
    are. Allowed to whoever `may_record`; attributed to `actor` in the log and the history.
    """
    objs = list(objs)
    for obj in objs:
        if not may_record(actor, obj, spec):
            raise _not_the_decider(obj, spec)
    now, done = timezone.now(), []
    for obj in objs:
        if obj.state == ReviewState.VERIFIED:
            continue
        state_before = obj.state if obj.pk else ""
        before = obj.snapshot() if obj.pk else None
        obj.state = ReviewState.VERIFIED
        obj.note = obj.note or note
        obj.submitted_at = obj.submitted_at or now
        obj.verified_on = on
        obj.decided_at, obj.decided_by = now, _who(actor)
        obj.save()
        _log(obj, before)
        _record(spec, obj, ReviewDecision.Action.RECORD, state_before, actor, on=on, note=note)
        done.append(obj)
    if done:
        spec.on_verify(done, on)
    return done
