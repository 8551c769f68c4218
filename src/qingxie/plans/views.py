"""Plan pages: the list of a region's plans, a plan with its timeline, bulk generation with a
preview, the responsibility page, the plan-status map, blocker statistics, the 倒排工期表
export, the task list and the user's notifications. Views parse and render; services decide."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from qingxie.accounts.models import RoleGrant, User
from qingxie.accounts.permissions import home_region, user_may
from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import subtree_q
from qingxie.core.notifications import notifications_for, notifications_mark_read
from qingxie.core.review import may_decide, review_history
from qingxie.core.views import ObjectDetailView, add_service_errors
from qingxie.plans import selectors, services
from qingxie.plans.choices import STATUS_COLOURS, PlanState, PlanStatus
from qingxie.plans.forms import BlockerForm, CloseTaskForm, GenerateForm, ReviseForm
from qingxie.plans.models import Blocker, BlockerKind, Patch, Plan, Responsibility, Task
from qingxie.plans.sheets import plan_tasks_docx, plan_tasks_xlsx
from qingxie.regions.models import Region

PLAN_NOT_FOUND = gettext_lazy("未找到该计划，或不在您的权限范围内。")
TASK_NOT_FOUND = gettext_lazy("未找到该任务，或不在您的权限范围内。")


def _as_of(request) -> datetime.date:
    today = timezone.localdate()
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        messages.warning(
            request, _("日期“%(raw)s”格式不对，应为 YYYY-MM-DD；已按今天显示。") % {"raw": raw}
        )
        return today
    return min(day, today)


def _region(request) -> Region:
    """The region of a page (?region=<code>), else the user's home region; 404 outside scope."""
    code = (request.GET.get("region") or request.POST.get("region") or "").strip()
    if not code:
        home = home_region(request.user)
        if home is None:
            if request.user.is_superuser:
                return Region.objects.get(code="000000")
            raise Http404(_("您还没有任何区划授权。"))
        return home
    region = (
        Region.objects.restrict(request.user, "view")
        .filter(code=code, level__lt=Region.Level.TOWNSHIP)
        .select_related("parent")
        .first()
    )
    if region is None:
        raise Http404(_("未找到该行政区划，或不在您的权限范围内。"))
    return region


def _region_links(region: Region) -> dict:
    q = f"?region={region.code}"
    return {
        "list": reverse("plans:plan_list") + q,
        "tasks": reverse("plans:task_list") + q,
        "map": reverse("plans:map") + q,
        "blockers": reverse("plans:blockers") + q,
        "responsibility": reverse("plans:responsibility") + q,
        "generate": reverse("plans:generate") + q,
        "xlsx": reverse("plans:export") + q + "&format=xlsx",
        "docx": reverse("plans:export") + q + "&format=docx",
    }


class _RegionPage(TemplateView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        self.region = _region(self.request)
        self.as_of = _as_of(self.request)
        ctx.update(region=self.region, as_of=self.as_of, links=_region_links(self.region))
        ctx["children"] = (
            Region.objects.restrict(self.request.user, "view")
            .filter(parent=self.region, valid_to__isnull=True, level__lte=Region.Level.COUNTY)
            .order_by("code")
        )
        return ctx


class PlanListView(_RegionPage):
    """A region's plans with their standing on a date, and the figures."""

    template_name = "plans/plan_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        with change_context(channel="system"):
            services.plans_sync_ledger(region=ctx["region"])
        rows = selectors.plan_rows(self.request.user, self.region, self.as_of)
        status = self.request.GET.get("status", "")
        counts = {s: 0 for s in PlanStatus.values}
        for r in rows:
            counts[r.status] += 1
        if status in PlanStatus.values:
            rows = [r for r in rows if r.status == status]
        ctx.update(
            rows=sorted(rows, key=lambda r: r.plan.county.code),
            status=status,
            statuses=[
                {
                    "value": s.value,
                    "label": s.label,
                    "count": counts[s.value],
                    "colour": STATUS_COLOURS[s],
                }
                for s in PlanStatus
                if s not in (PlanStatus.NOT_NEEDED, PlanStatus.MISSING)
            ],
            figures=selectors.plan_figures(self.region, self.as_of),
            may_generate=user_may(self.request.user, Plan, "add", self.region.path),
            pending_signoff=selectors.pending_signoff(self.request.user)[:20],
        )
        return ctx


class PlanDetailView(ObjectDetailView):
    """One plan: its tasks on a timeline, dependencies, owners, blockers, sign-off, revisions."""

    model = Plan
    template_name = "plans/plan_detail.html"
    context_object_name = "plan"
    not_found_message = PLAN_NOT_FOUND

    def get_object(self, queryset=None):
        plan = super().get_object(queryset)
        with change_context(channel="system"):
            services.plans_sync_ledger(plans=[plan])
        return Plan.objects.select_related("county__parent").get(pk=plan.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, plan = self.request.user, self.object
        today = timezone.localdate()
        tasks = selectors.plan_tasks(plan)
        blocked = any(b.resolved_on is None for t in tasks for b in t.blockers.all())
        for t in tasks:
            t.may_close = t.done_on is None and services.may_close(user, t)
            t.overdue = t.done_on is None and t.due < today
        may_change = user_may(user, Plan, "change", plan.region_path)
        ctx.update(
            tasks=tasks,
            status=PlanStatus(selectors.plan_status_on(plan, tasks, today, blocked=blocked)),
            infeasible=plan.completed_on is None
            and selectors.plan_infeasible(tasks, plan.target_date, today),
            chart=selectors.timeline_chart(plan, tasks, today),
            may_change=may_change,
            may_assign=user_may(user, Task, "change", plan.region_path),
            may_submit=may_change and plan.state in (PlanState.PENDING, PlanState.RETURNED),
            may_decide=plan.state == PlanState.SUBMITTED and may_decide(user, plan),
            close_form=CloseTaskForm(initial={"on": today}),
            blocker_form=BlockerForm(),
            revise_form=ReviseForm(initial={"target_date": plan.target_date}),
            candidates=_candidates(user, plan.county),
            revisions=plan.revisions.select_related("created_by"),
            decisions=review_history(plan),
            status_colour=STATUS_COLOURS[
                selectors.plan_status_on(plan, tasks, today, blocked=blocked)
            ],
            changes=changes_for(plan)[:30],
        )
        return ctx


def _candidates(user, county: Region) -> list[User]:
    """Users with a grant covering `county`, inside what `user` may see: possible owners."""
    paths = [county.path[: i + 1] for i, ch in enumerate(county.path) if ch == "/"]
    grants = (
        RoleGrant.objects.restrict(user, "view")
        if not user.is_superuser
        else RoleGrant.objects.all()
    )
    ids = grants.filter(region__path__in=paths, user__is_active=True).values_list(
        "user_id", flat=True
    )
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def _fail(request, exc: QingxieError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message) from exc
    for field, msgs in exc.errors.items():
        for m in msgs:
            label = str(_FIELD_LABELS.get(field) or "")
            if label and not m.startswith(label):
                m = _("%(label)s：%(message)s") % {"label": label, "message": m}
            messages.error(request, m)


_FIELD_LABELS = {
    "note": gettext_lazy("说明"),
    "on": gettext_lazy("日期"),
    "kind": gettext_lazy("堵点类型"),
    "coordinate_with": gettext_lazy("协调部门"),
    "target_date": gettext_lazy("目标日期"),
    "reason": gettext_lazy("修订原因"),
    "owner": gettext_lazy("责任人"),
    "cadre": gettext_lazy("责任人"),
    "goal": gettext_lazy("目标"),
    "status": gettext_lazy("状态"),
}


class PlanActionView(View):
    """POST: submit the plan for sign-off, sign it off, return it, or revise it."""

    def post(self, request, pk):
        plan = Plan.objects.restrict(request.user, "view").filter(pk=pk).first()
        if plan is None:
            raise Http404(str(PLAN_NOT_FOUND))
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                services.plan_submit(
                    actor=request.user, plan=plan, note=request.POST.get("note", "")
                )
                messages.success(request, _("计划已报上级审核。"))
            elif action == "verify":
                services.plan_verify(actor=request.user, plan=plan)
                messages.success(request, _("计划已审核通过。"))
            elif action == "return":
                services.plan_return(
                    actor=request.user, plan=plan, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("计划已退回。"))
            elif action == "revise":
                form = ReviseForm(request.POST)
                if not form.is_valid():
                    raise QingxieError(
                        _("目标日期格式不对，应为 YYYY-MM-DD。"), field="target_date"
                    )
                services.plan_revise(
                    actor=request.user,
                    plan=plan,
                    target_date=form.cleaned_data["target_date"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("计划已修订，任务已按新的目标日期倒排。"))
            else:
                raise Http404(_("未知的操作。"))
        except QingxieError as exc:
            _fail(request, exc)
        return redirect(plan.get_absolute_url())


class TaskActionView(View):
    """POST: close a task, record a blocker, resolve one, or name the owner."""

    def post(self, request, pk):
        task = (
            Task.objects.restrict(request.user, "view").filter(pk=pk).select_related("plan").first()
        )
        if task is None:
            raise Http404(str(TASK_NOT_FOUND))
        action = request.POST.get("action", "")
        try:
            if action == "close":
                form = CloseTaskForm(request.POST)
                form.is_valid()
                on = form.cleaned_data.get("on") if "on" not in form.errors else None
                if "on" in form.errors:
                    raise QingxieError(_("完成日期格式不对，应为 YYYY-MM-DD。"), field="on")
                services.task_close(
                    actor=request.user, task=task, note=form.cleaned_data.get("note", ""), on=on
                )
                messages.success(request, _("任务“%(title)s”已关闭。") % {"title": task.title})
            elif action == "blocker":
                form = BlockerForm(request.POST)
                form.is_valid()
                services.blocker_raise(
                    actor=request.user,
                    task=task,
                    kind=form.cleaned_data.get("kind"),
                    note=form.cleaned_data.get("note", ""),
                    coordinate_with=form.cleaned_data.get("coordinate_with", ""),
                )
                messages.success(request, _("堵点已登记。"))
            elif action == "resolve":
                blocker = (
                    Blocker.objects.restrict(request.user, "view")
                    .filter(pk=request.POST.get("blocker") or 0, task=task)
                    .first()
                )
                if blocker is None:
                    raise Http404(_("未找到该堵点。"))
                services.blocker_resolve(actor=request.user, blocker=blocker)
                messages.success(request, _("堵点已标记为解决。"))
            elif action == "assign":
                raw = request.POST.get("owner", "")
                owner = User.objects.filter(pk=raw).first() if raw.isdigit() else None
                if owner is None:
                    raise QingxieError(_("请选择责任人。"), field="owner")
                services.task_assign(actor=request.user, task=task, owner=owner)
                messages.success(
                    request,
                    _("已指定%(owner)s为“%(title)s”的责任人。")
                    % {"owner": owner, "title": task.title},
                )
            else:
                raise Http404(_("未知的操作。"))
        except QingxieError as exc:
            _fail(request, exc)
        return redirect(task.plan.get_absolute_url() + f"#task-{task.pk}")


class GenerateView(_RegionPage):
    """Bulk generation for every lagging county of a province or city: preview, then save."""

    template_name = "plans/generate.html"

    def _check(self, request):
        self.region = _region(request)
        if not user_may(request.user, Plan, "add", self.region.path):
            raise PermissionDenied(_("您没有为该地区制定计划的权限。"))

    def get(self, request, *args, **kwargs):
        self._check(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", GenerateForm())
        return ctx

    def post(self, request, *args, **kwargs):
        self._check(request)
        form = GenerateForm(request.POST)
        ctx = self.get_context_data(form=form)
        if not form.is_valid():
            return self.render_to_response(ctx)
        confirm = request.POST.get("confirm") == "1"
        try:
            result = services.plans_generate(
                actor=request.user,
                region=self.region,
                goal=form.cleaned_data["goal"] or None,
                target_date=form.cleaned_data["target_date"],
                dry_run=not confirm,
            )
        except QingxieError as exc:
            if isinstance(exc, PermissionDeniedError):
                raise PermissionDenied(exc.message) from exc
            add_service_errors(form, exc)
            return self.render_to_response(ctx)
        if confirm:
            messages.success(
                request,
                _("已为%(len)s个县级单位生成计划，待上级审核。") % {"len": len(result.plans)},
            )
            return redirect(reverse("plans:plan_list") + f"?region={self.region.code}")
        ctx.update(result=result, preview=True)
        return self.render_to_response(ctx)


class TaskListView(_RegionPage):
    """Tasks of a region: overdue on a date (?overdue_on=), due soon, or the user's own (?mine=1)."""

    template_name = "plans/task_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        raw = self.request.GET.get("overdue_on", "").strip()
        try:
            overdue_on = datetime.date.fromisoformat(raw) if raw else self.as_of
        except ValueError:
            messages.warning(
                self.request,
                _("逾期日期“%(raw)s”格式不对，应为 YYYY-MM-DD；已按今天显示。") % {"raw": raw},
            )
            overdue_on = self.as_of
        overdue = selectors.overdue_tasks(user, self.region, overdue_on)
        soon = selectors.due_soon_tasks(user, self.region, overdue_on)
        mine = self.request.GET.get("mine") == "1"
        if mine:
            chased = Responsibility.objects.filter(cadre=user, until__isnull=True).values(
                "county_id"
            )
            from django.db.models import Q

            own = Q(owner=user) | Q(plan__county_id__in=chased)
            overdue, soon = overdue.filter(own), soon.filter(own)
        ctx.update(overdue=overdue[:500], soon=soon[:500], overdue_on=overdue_on, mine=mine)
        return ctx


class ResponsibilityView(_RegionPage):
    """Who chases each county (盯县), patches (划片), and the counties with no one responsible."""

    template_name = "plans/responsibility.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, region = self.request.user, self.region
        rows = selectors.responsibility_rows(user, region)
        may_assign = (
            user_may(user, Responsibility, "change", region.path)
            and region.level < Region.Level.COUNTY
        )
        ctx.update(
            rows=rows,
            unassigned=[r["county"] for r in rows if r["responsibility"] is None],
            may_assign=may_assign,
            patches=Patch.objects.restrict(user, "view")
            .filter(subtree_q("region_path", region.path))
            .select_related("lead", "region"),
            candidates=_candidates(user, region) if may_assign else [],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        region = _region(request)
        try:
            if request.POST.get("action") == "patch":
                lead = User.objects.filter(pk=request.POST.get("lead") or 0).first()
                services.patch_create(
                    actor=request.user, region=region, name=request.POST.get("name", ""), lead=lead
                )
                messages.success(request, _("片区已建立。"))
            else:
                codes = request.POST.getlist("county")
                cadre = User.objects.filter(pk=request.POST.get("cadre") or 0).first()
                patch = None
                if request.POST.get("patch"):
                    patch = (
                        Patch.objects.restrict(request.user, "view")
                        .filter(pk=request.POST["patch"])
                        .first()
                    )
                counties = list(
                    Region.objects.restrict(request.user, "view").filter(
                        code__in=codes, level=Region.Level.COUNTY
                    )
                )
                if not counties:
                    raise QingxieError(_("请选择至少一个县级单位。"), field="county")
                for county in counties:
                    services.responsibility_assign(
                        actor=request.user, county=county, cadre=cadre, patch=patch
                    )
                messages.success(
                    request, _("已为%(len)s个县级单位指定责任人。") % {"len": len(counties)}
                )
        except QingxieError as exc:
            _fail(request, exc)
        return redirect(reverse("plans:responsibility") + f"?region={region.code}")


class PlanMapView(_RegionPage):
    """The plan-status map (挂图作战): each county coloured by its plan's standing."""

    template_name = "plans/plan_map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payload"] = selectors.map_payload(self.request.user, self.region, self.as_of)
        ctx["detail_base"] = reverse("plans:plan_list")
        return ctx


class BlockerStatsView(_RegionPage):
    """Blockers by kind for a region and its children (what the province takes to 文明办, 民政)."""

    template_name = "plans/blockers.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["stats"] = selectors.blocker_stats(self.request.user, self.region, self.as_of)
        ctx["recent"] = (
            Blocker.objects.restrict(self.request.user, "view")
            .filter(subtree_q("region_path", self.region.path), resolved_on__isnull=True)
            .select_related("kind", "task__plan__county")[:50]
        )
        ctx["kinds"] = BlockerKind.objects.filter(active=True)
        return ctx


class ExportView(View):
    """The region's 倒排工期表 as xlsx or docx."""

    def get(self, request):
        region = _region(request)
        as_of = _as_of(request)
        fmt = request.GET.get("format", "xlsx")
        name = f"倒排工期表-{region.code}-{as_of:%Y%m%d}"
        if fmt == "docx":
            body = plan_tasks_docx(request.user, region, as_of)
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        elif fmt == "xlsx":
            body = plan_tasks_xlsx(request.user, region, as_of)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise Http404(_("导出格式只能是 xlsx 或 docx。"))
        from urllib.parse import quote

        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
        return response


class NotificationListView(TemplateView):
    """The user's own notifications (the daily digest); opening the page marks them read."""

    template_name = "plans/notifications.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["notes"] = list(notifications_for(self.request.user)[:100])
        return ctx

    def post(self, request):
        notifications_mark_read(user=request.user)
        return redirect(reverse("plans:notifications"))
