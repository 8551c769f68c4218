"""Project, library, sinking, pilot and competition pages over the services and selectors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region, scope_paths, user_may
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.forms import date_field
from qingxie.core.serializers import parse_date
from qingxie.core.views import (
    FilteredObjectListView,
    ObjectDetailView,
    ObjectFormView,
    add_service_errors,
)
from qingxie.ledger.selectors import association_number_normalize, associations_by_number
from qingxie.projects import competitions as contest
from qingxie.projects import selectors, services
from qingxie.projects.choices import EntryState, ProjectField, SheetState, StageKind, TieRule
from qingxie.projects.filtersets import ProjectFilterSet
from qingxie.projects.forms import (
    ActivityForm,
    EntryWithdrawForm,
    LibraryDecideForm,
    NoteForm,
    ProjectForm,
)
from qingxie.projects.models import Award, Competition, Entry, LibraryEntry, Project
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code_or_name

PROJECT_NOT_FOUND = gettext_lazy("未找到该项目，或不在您的权限范围内。")
COMPETITION_NOT_FOUND = gettext_lazy("未找到该赛事，或不在您的权限范围内。")


class ProjectsFormView(ObjectFormView):
    """core's form view with its default button and message in the reader's language."""

    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("已保存。")


class ProjectListView(FilteredObjectListView):
    """Every project the user may see, filtered and sorted."""

    model = Project
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    columns = [
        (gettext_lazy("项目名称"), "name"),
        (gettext_lazy("实施协会"), None),
        (gettext_lazy("品牌项目"), None),
        (gettext_lazy("服务领域"), None),
        (gettext_lazy("开始日期"), "start_on"),
        (gettext_lazy("状态"), "status"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("association", "programme", "region")


class ProjectDetailView(ObjectDetailView):
    """One project with its activities and its standing in the library."""

    model = Project
    template_name = "projects/project_detail.html"
    context_object_name = "project"
    not_found_message = PROJECT_NOT_FOUND

    def get_queryset(self):
        return super().get_queryset().select_related("association", "programme", "region", "team")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        ctx["activities"] = selectors.activities_of(user, project)
        ctx["can_change"] = user_may(user, Project, "change", project.region_path)
        ctx["library"] = LibraryEntry.objects.filter(project=project).first()
        ctx["note_form"] = NoteForm()
        return ctx


class ProjectCreateView(ProjectsFormView):
    """Start a project under the association named by ?association=<number>."""

    form_class = ProjectForm
    template_name = "projects/project_form.html"
    title = gettext_lazy("新建志愿服务项目")
    success_message = gettext_lazy("项目已建立。")

    def dispatch(self, request, *args, **kwargs):
        self.association = None
        raw = request.GET.get("association", "")
        if raw:
            try:
                number = association_number_normalize(raw)
            except QingxieError as exc:
                raise Http404(_("未找到该协会，或不在您的权限范围内。")) from exc
            self.association = associations_by_number(request.user, [number]).get(number)
            if self.association is None:
                raise Http404(_("未找到该协会，或不在您的权限范围内。"))
            if not user_may(request.user, Project, "add", self.association.region.path):
                raise PermissionDenied(_("您没有为该协会建立项目的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.association is None:
            return self.render_to_response({"title": self.title, "choose": True})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.association is None:
            raise Http404(_("请先选择实施协会。"))
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {
            "start_on": timezone.localdate(),
            "status": "running",
            "region": self.association.region.code,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "association": self.association}

    def perform(self, form):
        return services.project_create(
            actor=self.request.user, association=self.association, **form.cleaned_data
        )


class ProjectEditView(ProjectsFormView):
    """Correct a project's details, status and results."""

    versioned = True
    model = Project
    form_class = ProjectForm
    template_name = "projects/project_form.html"
    title = gettext_lazy("修改志愿服务项目")
    success_message = gettext_lazy("项目信息已保存。")
    not_found_message = PROJECT_NOT_FOUND

    def get_initial(self):
        p = self.object
        initial = {
            f: getattr(p, f) for f in services.PROJECT_EDITABLE if f in ProjectForm.base_fields
        }
        initial["region"] = p.region.code
        initial["programme"] = p.programme.code if p.programme else None
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "association": self.object.association}

    def perform(self, form):
        return services.project_update(
            actor=self.request.user,
            project=self.object,
            expected_version=self.expected_version,
            **form.cleaned_data,
        )


class ActivityCreateView(ProjectsFormView):
    """Add an activity (time, place, posts) to a project."""

    model = Project
    action = "add"
    form_class = ActivityForm
    title = gettext_lazy("安排项目活动")
    success_message = gettext_lazy("活动已添加。")
    not_found_message = PROJECT_NOT_FOUND

    def perform(self, form):
        services.activity_create(actor=self.request.user, project=self.object, **form.cleaned_data)
        return self.object


class LibrarySubmitView(ProjectsFormView):
    """Submit a project for the project library."""

    model = Project
    form_class = NoteForm
    title = gettext_lazy("申报入库")
    submit_label = gettext_lazy("提交申报")
    success_message = gettext_lazy("已提交上一级审核。")
    not_found_message = PROJECT_NOT_FOUND

    def perform(self, form):
        services.library_submit(
            actor=self.request.user, project=self.object, note=form.cleaned_data["note"]
        )
        return self.object


class LibraryQueueView(TemplateView):
    """What waits for this level's decision, and the listed projects it manages."""

    template_name = "projects/library_queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        region = home_region(user)
        return {
            **super().get_context_data(**kwargs),
            "queue": selectors.library_queue(user),
            "managed": selectors.library_managed(user)[:200],
            "form": LibraryDecideForm(),
            "counts": selectors.library_counts(region) if region else [],
            "region": region,
        }


STEPS = {
    "approve": gettext_lazy("批准入库"),
    "return": gettext_lazy("退回"),
    "recommend": gettext_lazy("推荐上线"),
    "publish": gettext_lazy("上线推介"),
    "withdraw": gettext_lazy("退库"),
}


class LibraryDecideView(ProjectsFormView):
    """One library decision by the level above (approve, return, recommend, publish, withdraw)."""

    model = LibraryEntry
    action = "verify"
    form_class = LibraryDecideForm
    not_found_message = gettext_lazy("未找到该入库申请，或不在您的权限范围内。")

    def dispatch(self, request, *args, **kwargs):
        if kwargs["step"] not in STEPS:
            raise Http404(_("未知的操作。"))
        self.title = self.submit_label = STEPS[kwargs["step"]]
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self, result=None):
        return "/projects/library/"

    def perform(self, form):
        step, user, entry = self.kwargs["step"], self.request.user, self.object
        data = form.cleaned_data
        if step == "approve":
            return services.library_approve(actor=user, entry=entry, number=data["number"])
        if step == "return":
            return services.library_return(actor=user, entry=entry, reason=data["reason"])
        return services.library_listing_change(
            actor=user, entry=entry, step=step, reason=data["reason"]
        )


class CatalogueView(TemplateView):
    """The published library (上线推介): every signed-in cadre browses and filters it."""

    template_name = "projects/catalogue.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        region = region_by_code_or_name(params.get("region", ""))
        year = params.get("year", "").strip()
        entries = selectors.catalogue(
            self.request.user,
            programme=params.get("programme", "").strip(),
            field=params.get("field", "").strip(),
            region=region,
            year=int(year) if year.isdigit() else None,
        )
        return {
            **super().get_context_data(**kwargs),
            "entries": entries[:500],
            "programmes": selectors.programmes_visible(self.request.user),
            "fields": ProjectField.choices,
            "params": params,
        }


class SinkingView(TemplateView):
    """Which counties run each brand programme (逐级下沉), per child region, on a date."""

    template_name = "projects/sinking.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        code = self.request.GET.get("region", "").strip()
        # A name ("广州") or a code, as in every region box; then the gate.
        named = region_by_code_or_name(code) if code else home_region(user)
        region = (
            Region.objects.restrict(user, "view").filter(pk=named.pk).first() if named else None
        )
        if region is None or region.level >= Region.Level.TOWNSHIP:
            raise Http404(_("未找到该区划，或不在您的权限范围内。"))
        raw = self.request.GET.get("as_of", "").strip()
        try:
            as_of = (
                parse_date(raw, field="as_of", label=_("统计日期")) if raw else timezone.localdate()
            )
        except QingxieError:
            as_of = timezone.localdate()
        figures = selectors.sinking(region, as_of)
        programmes = figures["programmes"]
        # One row per child region, one column per programme (counted of its counties).
        rows = [
            {"child": child, "cells": [p["children"][i] for p in programmes]}
            for i, child in enumerate(programmes[0]["children"] if programmes else [])
        ]
        chosen = next(
            (p for p in programmes if p["programme"] == self.request.GET.get("programme")),
            programmes[0] if programmes else None,
        )
        return {
            **super().get_context_data(**kwargs),
            "region": region,
            "as_of": as_of,
            "figures": figures,
            "rows": rows,
            "chosen": chosen,
            **sinking_map(region, as_of, chosen),
        }


def sinking_map(region: Region, as_of, programme: dict | None) -> dict:
    """The county map of a province or city coloured by whether each county runs an active
    project under `programme` on `as_of` (the shared region-map component, two categories)."""
    from django.conf import settings

    from qingxie.regions.maps import map_file_for
    from qingxie.regions.selectors import map_units_for, map_url

    if programme is None or region.level not in (Region.Level.PROVINCE, Region.Level.PREFECTURE):
        return {}
    sunk = set(programme["counties"])
    name, _kind = map_file_for(region)
    data = [
        {
            "code": unit.code,
            "name": unit.name,
            "value": 1 if unit.code in sunk else 0,
            "value_text": _("已下沉") if unit.code in sunk else _("未下沉"),
            "url": f"/projects/?region={unit.code}&programme={programme['programme']}",
        }
        for unit in map_units_for(region).filter(level=Region.Level.COUNTY).order_by("code")
    ]
    return {
        "map_config": {
            "key": f"{name}:{region.code}:sinking",
            "url": map_url(name),
            "codes": [d["code"] for d in data],
            "measure": programme["name"],
            "data": data,
            "national": False,
            "strings": {"loading": _("地图加载中…")},
            "pieces": [
                {"value": 1, "label": _("已下沉（有实施中的项目）"), "color": "#2c7fb8"},
                {"value": 0, "label": _("未下沉"), "color": "#e5e8eb"},
            ],
        },
        "maps_built": (settings.MAPS_DIR / "manifest.json").exists(),
    }


class PilotListView(TemplateView):
    """Pilot programmes with their communities, units and projects within the user's view."""

    template_name = "projects/pilot_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        region = home_region(user)
        pilots = []
        for pilot in selectors.pilots_visible(user):
            within = region if region and region.path.startswith(pilot.region_path) else None
            pilots.append({"pilot": pilot, "figures": selectors.pilot_figures(pilot, within)})
        return {**super().get_context_data(**kwargs), "pilots": pilots, "region": region}


# ---------------------------------------------------------------------------- competitions


class CompetitionListView(TemplateView):
    """Editions the user may see and the ones they judge."""

    template_name = "projects/competition_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        judged = {a.stage.competition for a in selectors.judge_assignments(user)}
        return {
            **super().get_context_data(**kwargs),
            "competitions": selectors.competitions_visible(user),
            "judged": sorted(judged, key=lambda c: -c.year),
        }


class CompetitionDetailView(ObjectDetailView):
    """An edition: categories, stages and criteria, quotas, entries, awards and funding."""

    model = Competition
    template_name = "projects/competition_detail.html"
    context_object_name = "competition"
    not_found_message = COMPETITION_NOT_FOUND

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c, user = self.object, self.request.user
        ctx["stages"] = c.stages.prefetch_related("criteria")
        ctx["quotas"] = c.quotas.select_related("region")
        ctx["entries"] = (
            Entry.objects.restrict(user, "view")
            .filter(competition=c)
            .select_related("project__association", "submitting_region", "category", "stage")
        )
        # Who may withdraw which entry: the level that sent it, or the organiser.
        ctx["can_manage"] = Competition.objects.restrict(user, "change").filter(pk=c.pk).exists()
        ctx["withdrawable"] = {
            e.pk
            for e in ctx["entries"]
            if e.state != EntryState.WITHDRAWN
            and (ctx["can_manage"] or contest.may_withdraw(user, e))
        }
        ctx["funding"] = selectors.funding_totals(c)
        ctx["today"] = timezone.localdate()
        ctx["can_enter"] = bool(entering_regions(user, c))
        return ctx


def _competition_for(user, pk) -> Competition:
    c = Competition.objects.filter(pk=pk).select_related("organiser").first()
    if c is None:
        raise Http404(str(COMPETITION_NOT_FOUND))
    visible = Competition.objects.restrict(user, "view").filter(pk=pk).exists()
    if not visible and not selectors.judge_assignments(user).filter(stage__competition=c).exists():
        raise Http404(str(COMPETITION_NOT_FOUND))
    return c


class JudgeListView(TemplateView):
    """The judge's own entries: only those assigned to them, with their sheets' state."""

    template_name = "projects/judge_list.html"

    def get_context_data(self, **kwargs):
        competition = _competition_for(self.request.user, kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "competition": competition,
            "rows": selectors.judge_entries(self.request.user, competition),
        }


class JudgeScoreView(TemplateView):
    """Score one assigned entry criterion by criterion: save a draft or submit."""

    template_name = "projects/judge_score.html"

    def setup_entry(self):
        user = self.request.user
        self.competition = _competition_for(user, self.kwargs["pk"])
        rows = [
            r
            for r in selectors.judge_entries(user, self.competition)
            if r["entry"].pk == self.kwargs["entry"]
        ]
        if not rows:
            raise Http404(_("该参赛项目不在您的评审任务中。"))
        self.row = rows[0]
        self.criteria = list(self.row["assignment"].stage.criteria.all())

    def build_form(self, data=None):
        form = forms.Form(data)
        sheet = self.row["sheet"]
        for c in self.criteria:
            form.fields[f"criterion_{c.pk}"] = forms.DecimalField(
                label=_("%(name)s（权重 %(weight)s%%，满分 %(max)s）")
                % {
                    "name": c.name,
                    "weight": f"{c.weight.normalize():f}",
                    "max": f"{c.max_score.normalize():f}",
                },
                required=False,
                initial=(sheet.scores.get(str(c.pk)) if sheet else None),
            )
        return form

    def get(self, request, *args, **kwargs):
        self.setup_entry()
        return self.render_to_response(self.context(self.build_form()))

    def context(self, form):
        return {
            "competition": self.competition,
            "row": self.row,
            "form": form,
            "submitted": self.row["sheet"] is not None
            and self.row["sheet"].state == SheetState.SUBMITTED,
        }

    def post(self, request, *args, **kwargs):
        self.setup_entry()
        form = self.build_form(request.POST)
        if form.is_valid():
            scores = {
                str(c.pk): form.cleaned_data[f"criterion_{c.pk}"]
                for c in self.criteria
                if form.cleaned_data.get(f"criterion_{c.pk}") is not None
            }
            submit = "submit" in request.POST
            try:
                contest.sheet_save(
                    actor=request.user, entry=self.row["entry"], scores=scores, submit=submit
                )
            except PermissionDeniedError as exc:
                form.add_error(None, exc.message)
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("评分已提交。") if submit else _("评分草稿已保存。"))
                return redirect("competitions:judge_list", pk=self.competition.pk)
        return self.render_to_response(self.context(form))


class RankingView(TemplateView):
    """The ranking of a stage per category, with the stated tie rule and awards."""

    template_name = "projects/ranking.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        competition = Competition.objects.restrict(user, "view").filter(pk=kwargs["pk"]).first()
        if competition is None:
            raise Http404(str(COMPETITION_NOT_FOUND))
        stage = None
        if kind := self.request.GET.get("stage"):
            stage = competition.stages.filter(kind=kind).first()
        result = selectors.competition_ranking(competition, stage=stage)
        return {
            **super().get_context_data(**kwargs),
            "competition": competition,
            "result": result,
            "stages": competition.stages.all(),
        }


# ------------------------------------------------------------------- competition set-up


class CompetitionForm(forms.Form):
    """A new edition: organised by a region the user administers."""

    organiser = forms.CharField(
        label=gettext_lazy("主办层级（区划代码）"),
        max_length=6,
        error_messages={"required": gettext_lazy("请填写主办层级的区划代码。")},
    )
    name = forms.CharField(label=gettext_lazy("赛事名称"), max_length=100, required=False)
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False)
    tie_rule = forms.ChoiceField(
        label=gettext_lazy("同分规则"),
        choices=TieRule.choices,
        error_messages={"required": gettext_lazy("请选择同分规则。")},
    )
    entries_open = date_field(gettext_lazy("申报开始"))
    entries_close = date_field(gettext_lazy("申报截止"))
    notice_starts = date_field(gettext_lazy("公示开始"))
    notice_ends = date_field(gettext_lazy("公示结束"))

    def clean_organiser(self):
        code = self.cleaned_data["organiser"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("未找到行政区划代码 %(code)s。") % {"code": code})
        return region


class CompetitionCreateView(ProjectsFormView):
    """Open an edition (益苗计划, 项目大赛) at a level the user administers."""

    form_class = CompetitionForm
    title = gettext_lazy("举办项目大赛")
    success_message = gettext_lazy("赛事已建立，请设置组别、阶段、评分标准与评委。")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_paths(request.user, Competition, "add") == []:
            raise PermissionDenied(_("您没有举办赛事的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        region = home_region(self.request.user)
        return {"organiser": region.code if region else "", "year": timezone.localdate().year}

    def perform(self, form):
        return contest.competition_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self, result=None):
        return f"/competitions/{result.pk}/manage/"


OPS = ("category", "quota", "stage", "criteria", "judge", "advance", "award", "disburse")


class CompetitionManageView(ObjectDetailView):
    """The organiser sets an edition up and decides it: categories, quotas, stages and their
    criteria (one per line: 名称 权重 满分), judges, advancement, awards, disbursements."""

    model = Competition
    template_name = "projects/competition_manage.html"
    context_object_name = "competition"
    not_found_message = COMPETITION_NOT_FOUND

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not Competition.objects.restrict(self.request.user, "change").filter(pk=obj.pk).exists():
            raise PermissionDenied(_("只有主办层级的管理员可以设置该赛事。"))
        return obj

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = self.object
        ctx.update(
            categories=c.categories.all(),
            stages=c.stages.prefetch_related("criteria"),
            children=Region.objects.filter(parent=c.organiser, valid_to__isnull=True).order_by(
                "code"
            ),
            entries=c.entries.select_related("project", "category", "stage", "submitting_region"),
            awards=c.entries.filter(award__isnull=False).select_related("award", "project"),
            stage_kinds=StageKind.choices,
            error=kwargs.get("error"),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        op = request.POST.get("op", "")
        if op not in OPS:
            raise Http404(_("未知的操作。"))
        try:
            self.perform(op, request.POST)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except QingxieError as exc:
            message = _("；").join(m for ms in exc.errors.values() for m in ms)
            return self.render_to_response(self.get_context_data(error=message))
        messages.success(request, _("已保存。"))
        return redirect(f"/competitions/{self.object.pk}/manage/")

    def perform(self, op: str, data) -> None:
        c, user = self.object, self.request.user

        def stage():
            found = c.stages.filter(kind=data.get("stage", "")).first()
            if found is None:
                raise QingxieError(_("请选择阶段。"), field="stage")
            return found

        def one(qs, key, label):
            value = data.get(key, "")
            found = qs.filter(pk=value).first() if str(value).isdigit() else None
            if found is None:
                raise QingxieError(str(label), field=key)
            return found

        if op == "category":
            contest.category_add(actor=user, competition=c, name=data.get("name", ""))
        elif op == "quota":
            region = one(Region.objects.filter(parent=c.organiser), "region", _("请选择报送地区。"))
            contest.quota_set(
                actor=user, competition=c, region=region, max_entries=data.get("max_entries")
            )
        elif op == "stage":
            contest.stage_add(
                actor=user,
                competition=c,
                kind=data.get("kind", ""),
                drop_extremes=bool(data.get("drop_extremes")),
            )
        elif op == "criteria":
            rows = []
            for line in data.get("criteria", "").splitlines():
                parts = line.replace("，", " ").replace(",", " ").split()
                if parts:
                    rows.append(
                        {
                            "name": parts[0],
                            "weight": parts[1] if len(parts) > 1 else "",
                            "max_score": parts[2] if len(parts) > 2 else 100,
                        }
                    )
            contest.criteria_set(actor=user, stage=stage(), criteria=rows)
        elif op == "judge":
            from qingxie.accounts.models import User

            judge = User.objects.filter(
                username=data.get("username", "").strip(), is_active=True
            ).first()
            if judge is None:
                raise QingxieError(_("未找到该用户名的评委。"), field="username")
            category = one(c.categories.all(), "category", _("请选择组别。"))
            contest.judge_assign(actor=user, stage=stage(), category=category, judge=judge)
        elif op == "advance":
            chosen = list(
                c.entries.filter(pk__in=[v for v in data.getlist("entries") if v.isdigit()])
            )
            contest.stage_advance(actor=user, stage=stage(), entries=chosen)
        elif op == "award":
            entry = one(c.entries.all(), "entry", _("请选择参赛项目。"))
            contest.award_grant(
                actor=user, entry=entry, tier=data.get("tier", ""), amount=data.get("amount") or 0
            )
        elif op == "disburse":
            award = one(Award.objects.filter(entry__competition=c), "award", _("请选择奖项。"))
            try:
                paid_on = parse_date(data.get("paid_on", ""), field="paid_on", label=_("拨付日期"))
            except QingxieError:
                raise QingxieError(
                    _("请填写正确的拨付日期（YYYY-MM-DD）。"), field="paid_on"
                ) from None
            contest.disbursement_record(
                actor=user,
                award=award,
                amount=data.get("amount", ""),
                paid_on=paid_on,
                note=data.get("note", ""),
            )


def entering_regions(user, competition: Competition) -> list[Region]:
    """The organiser's child regions whose administrator `user` is: where they may send
    entries from (no skipping a level: neither a county nor the organiser itself)."""
    from qingxie.accounts.policies import admin_paths

    paths = admin_paths(user)
    children = Region.objects.filter(parent=competition.organiser, valid_to__isnull=True)
    return [
        r
        for r in children.order_by("code")
        if (paths is None or r.path in paths) and user_may(user, Entry, "add", r.path)
    ]


class EntryForm(forms.Form):
    """A project sent by the level below, at a place of its ranked list."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("组别"),
        queryset=None,
        empty_label=gettext_lazy("请选择"),
        error_messages={"required": gettext_lazy("请选择组别。")},
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("项目"),
        queryset=None,
        empty_label=gettext_lazy("请选择"),
        error_messages={"required": gettext_lazy("请选择项目。")},
    )
    list_position = forms.IntegerField(
        label=gettext_lazy("本地区推荐排序"),
        min_value=1,
        initial=1,
        error_messages={"required": gettext_lazy("请填写本地区推荐排序。")},
    )

    def __init__(self, *args, competition=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = competition.categories.all()
        self.fields["project"].queryset = projects


class EntrySubmitView(ProjectsFormView):
    """The level directly below the organiser sends a project (its ranked list, one by one)."""

    form_class = EntryForm
    title = gettext_lazy("推荐报送参赛项目")
    success_message = gettext_lazy("项目已报送。")

    def dispatch(self, request, *args, **kwargs):
        self.competition = (
            Competition.objects.restrict(request.user, "view").filter(pk=kwargs["pk"]).first()
            if request.user.is_authenticated
            else None
        )
        if request.user.is_authenticated:
            if self.competition is None:
                raise Http404(str(COMPETITION_NOT_FOUND))
            self.children = entering_regions(request.user, self.competition)
            if not self.children:
                raise PermissionDenied(
                    _("只有%(organiser)s下一级的管理员可以推荐报送项目。")
                    % {"organiser": self.competition.organiser.name}
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        from django.db.models import Q

        from qingxie.core.models import subtree_q

        within = Q(pk__in=[])
        for region in self.children:
            within |= subtree_q("region_path", region.path)
        projects = (
            Project.objects.restrict(self.request.user, "view")
            .filter(within)
            .exclude(status="draft")
            .order_by("region_path", "name")
        )
        return {**super().get_form_kwargs(), "competition": self.competition, "projects": projects}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.competition}

    def perform(self, form):
        contest.entry_submit(
            actor=self.request.user, competition=self.competition, **form.cleaned_data
        )
        return self.competition


class EntryWithdrawView(ProjectsFormView):
    """Withdraw an entry (撤回) with a reason: the level that sent it, or the organiser."""

    model = Entry
    slug_url_kwarg = "entry"
    form_class = EntryWithdrawForm
    title = gettext_lazy("撤回参赛项目")
    submit_label = gettext_lazy("撤回")
    success_message = gettext_lazy("参赛项目已撤回。")
    versioned = True
    not_found_message = gettext_lazy("未找到该参赛项目，或不在您的权限范围内。")

    def get_object(self):
        entry = super().get_object()
        if entry.competition_id != self.kwargs["pk"]:
            raise Http404(str(self.not_found_message))
        return entry

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("撤回参赛项目：%(project)s") % {"project": self.object.project.name}
        return ctx

    def perform(self, form):
        contest.entry_withdraw(
            actor=self.request.user,
            entry=self.object,
            reason=form.cleaned_data["reason"],
            expected_version=self.expected_version,
        )
        return self.object.competition
