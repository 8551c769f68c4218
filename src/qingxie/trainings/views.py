"""Training pages: list, detail with attendees and materials, create, edit, status, the list
and its attendance, materials, the printable sign-in sheet and the yearly-rule page."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qingxie.accounts.permissions import may_see_personal, user_may
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.views import (
    FilteredObjectListView,
    ObjectDetailView,
    ObjectFormView,
    PersonalRevealMixin,
)
from qingxie.ledger.selectors import association_number_normalize
from qingxie.regions.models import Region
from qingxie.trainings import selectors, services
from qingxie.trainings.choices import TrainingStatus
from qingxie.trainings.filtersets import TrainingFilterSet
from qingxie.trainings.forms import (
    AttendeeForm,
    MaterialForm,
    TrainingCreateForm,
    TrainingForm,
    TrainingStatusForm,
)
from qingxie.trainings.models import Attendee, Training, TrainingMaterial
from qingxie.trainings.printing import sign_in_docx, sign_in_xlsx

TRAINING_NOT_FOUND = gettext_lazy("未找到该培训，或不在您的权限范围内。")


class TrainingListView(FilteredObjectListView):
    """Every training the user may see (organised in their patch or attended from it)."""

    model = Training
    filterset_class = TrainingFilterSet
    template_name = "trainings/training_list.html"
    columns = [
        (gettext_lazy("培训名称"), "title"),
        (gettext_lazy("主办协会"), "organiser"),
        (gettext_lazy("类别"), "kind"),
        (gettext_lazy("日期"), "start_date"),
        (gettext_lazy("参训"), None),
        (gettext_lazy("状态"), "status"),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("organiser__region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("培训")
        ctx["may_create"] = selectors.organisers_for(self.request.user).exists()
        page = list(ctx["object_list"])
        counts = dict(
            Attendee.objects.filter(training__in=page, attended=True)
            .values_list("training")
            .order_by()
            .annotate(n=Count("id"))
        )
        for t in page:
            t.attended_count = counts.get(t.pk, 0)
        ctx["object_list"] = page
        return ctx


class TrainingDetailView(PersonalRevealMixin, ObjectDetailView):
    """One training: its facts, the list with attendance, materials, status and print."""

    model = Training
    template_name = "trainings/training_detail.html"
    context_object_name = "training"
    reveal_rule = staticmethod(may_see_personal)
    not_found_message = TRAINING_NOT_FOUND

    def get_queryset(self):
        return super().get_queryset().select_related("organiser__region")

    def personal_objects(self) -> list:
        return [self.object, *selectors.attendees_visible(self.request.user, self.object)]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        training = self.object
        user = self.request.user
        can_change = selectors.may_change_training(user, training)
        attendees = list(selectors.attendees_visible(user, training))
        ctx.update(
            can_change=can_change,
            attendees=attendees,
            attended_count=sum(1 for a in attendees if a.attended),
            materials=training.materials.all(),
            status_form=TrainingStatusForm(initial={"status": training.status}),
            attendee_form=AttendeeForm() if can_change else None,
            material_form=MaterialForm() if can_change else None,
            offered=selectors.leaders_offered(training) if can_change else [],
            held=training.status == TrainingStatus.HELD,
        )
        return ctx


class TrainingCreateView(ObjectFormView):
    """Record a training for an association the user may act for."""

    form_class = TrainingCreateForm
    template_name = "trainings/training_form.html"
    title = gettext_lazy("新建培训")
    success_message = gettext_lazy("培训已保存。")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisers = list(selectors.organisers_for(request.user)[:500])
            if not self.organisers:
                raise PermissionDenied(_("您没有为任何协会举办培训的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisers": self.organisers}

    def get_initial(self):
        today = timezone.localdate()
        return {
            "start_date": today,
            "end_date": today,
            "kind": "leaders",
            "audience": ["leaders"],
            "status": TrainingStatus.PLANNED,
            "class_hours": Decimal("8"),
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        organiser, status = data.pop("organiser"), data.pop("status")
        return services.training_create(
            actor=self.request.user, organiser=organiser, status=status, **data
        )


class TrainingEditView(ObjectFormView):
    """Correct a training's details."""

    versioned = True
    model = Training
    form_class = TrainingForm
    template_name = "trainings/training_form.html"
    title = gettext_lazy("修改培训")
    success_message = gettext_lazy("培训信息已保存。")
    not_found_message = TRAINING_NOT_FOUND

    def get_initial(self):
        initial = {f: getattr(self.object, f) for f in services.TRAINING_EDITABLE}
        initial["audience"] = self.object.audience_codes
        return initial

    def perform(self, form):
        return services.training_update(
            actor=self.request.user,
            training=self.object,
            expected_version=self.expected_version,
            **form.cleaned_data,
        )


class TrainingStatusView(ObjectFormView):
    """Mark a training held, cancelled or planned again."""

    versioned = True
    model = Training
    form_class = TrainingStatusForm
    title = gettext_lazy("更改培训状态")
    success_message = gettext_lazy("培训状态已更改。")
    not_found_message = TRAINING_NOT_FOUND

    def get_initial(self):
        return {"status": self.object.status}

    def perform(self, form):
        return services.training_set_status(
            actor=self.request.user,
            training=self.object,
            status=form.cleaned_data["status"],
            expected_version=self.expected_version,
        )


class _TrainingActionView(View):
    """A POST on one training by its organiser's cadres (outside view scope 404, else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.training = get_object_or_404(
            selectors.trainings_visible(request.user).select_related("organiser"),
            pk=kwargs["pk"],
        )
        if not selectors.may_change_training(request.user, self.training):
            raise PermissionDenied(_("您没有修改该培训的权限：不在您的管辖范围内。"))
        return super().dispatch(request, *args, **kwargs)

    def done(self, message: str, anchor: str = ""):
        messages.success(self.request, message)
        return redirect(self.training.get_absolute_url() + anchor)

    def refused(self, exc: QingxieError, anchor: str = ""):
        if isinstance(exc, PermissionDeniedError):
            raise PermissionDenied(exc.message) from exc
        messages.error(self.request, exc.message)
        return redirect(self.training.get_absolute_url() + anchor)


class AttendeeAddView(_TrainingActionView):
    """Add one person to the list (typed in, or one of the leaders offered)."""

    def post(self, request, pk):
        form = AttendeeForm(request.POST)
        if not form.is_valid():
            errors = "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items())
            messages.error(request, errors)
            return redirect(self.training.get_absolute_url() + "#attendees")
        data = dict(form.cleaned_data)
        raw = data.pop("association")
        try:
            number = association_number_normalize(raw)
            association = selectors.trainable_association(self.training, number)
            if association is None:
                raise QingxieError(
                    _("未找到统一编号为 %(number)s 的协会，或不在主办协会的范围内。")
                    % {"number": number},
                    field="association",
                )
            services.attendee_add(
                actor=request.user, training=self.training, association=association, **data
            )
        except QingxieError as exc:
            return self.refused(exc, "#attendees")
        return self.done(
            _("已将%(data__name)s加入名单。") % {"data__name": data["name"]}, "#attendees"
        )


class AttendanceView(_TrainingActionView):
    """Record attendance for the whole list at once (the ticks and hours)."""

    def post(self, request, pk):
        ids = [int(i) for i in request.POST.getlist("attendee") if i.isdigit()]
        ticked = {int(i) for i in request.POST.getlist("attended") if i.isdigit()}
        marks = {}
        for attendee_id in ids:
            raw = request.POST.get(f"hours-{attendee_id}", "").strip()
            try:
                hours = Decimal(raw) if raw else None
            except InvalidOperation:
                hours = raw
            marks[attendee_id] = {"attended": attendee_id in ticked, "hours": hours}
        try:
            changed = services.attendance_record(
                actor=request.user, training=self.training, marks=marks
            )
        except QingxieError as exc:
            return self.refused(exc, "#attendees")
        return self.done(
            _("出勤已保存（%(len)s 人有变化）。") % {"len": len(changed)}, "#attendees"
        )


class AttendeeRemoveView(_TrainingActionView):
    """Take a person off the list."""

    def post(self, request, pk, attendee_id):
        attendee = get_object_or_404(Attendee, pk=attendee_id, training=self.training)
        try:
            services.attendee_remove(actor=request.user, attendee=attendee)
        except QingxieError as exc:
            return self.refused(exc, "#attendees")
        return self.done(_("已将%(name)s移出名单。") % {"name": attendee.name}, "#attendees")


class MaterialAddView(_TrainingActionView):
    """Upload a material (stored through the storage API)."""

    def post(self, request, pk):
        form = MaterialForm(request.POST, request.FILES)
        file = request.FILES.get("file")
        try:
            services.material_add(
                actor=request.user,
                training=self.training,
                title=form.data.get("title", ""),
                file=file,
            )
        except QingxieError as exc:
            return self.refused(exc, "#materials")
        return self.done(_("材料已上传。"), "#materials")


class MaterialRemoveView(_TrainingActionView):
    """Remove a material."""

    def post(self, request, pk, material_id):
        material = get_object_or_404(TrainingMaterial, pk=material_id, training=self.training)
        try:
            services.material_remove(actor=request.user, material=material)
        except QingxieError as exc:
            return self.refused(exc, "#materials")
        return self.done(_("材料已删除。"), "#materials")


class MaterialDownloadView(View):
    """A material's file, for those who may see its training (outside: 404)."""

    def get(self, request, material_id):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        material = get_object_or_404(
            TrainingMaterial.objects.filter(training__in=selectors.trainings_visible(request.user)),
            pk=material_id,
        )
        name = material.file.name.rsplit("/", 1)[-1]
        return FileResponse(material.file.open("rb"), as_attachment=True, filename=name)


class SignInSheetView(View):
    """The printable sign-in sheet (签到表) of a training, as xlsx or docx: the list with a
    blank signature column. Phones are left out: a sheet passed round a room is not the
    place for them."""

    def get(self, request, pk, fmt):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        training = get_object_or_404(
            selectors.trainings_visible(request.user).select_related("organiser"), pk=pk
        )
        attendees = list(selectors.attendees_visible(request.user, training))
        if fmt == "xlsx":
            content = sign_in_xlsx(training, attendees)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif fmt == "docx":
            content = sign_in_docx(training, attendees)
            mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            raise Http404(_("没有这种格式。"))
        response = HttpResponse(content, content_type=mime)
        filename = f"签到表-{training.start_date:%Y%m%d}-{training.pk}.{fmt}"
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


class ComplianceView(TemplateView):
    """The yearly rule for a region and year (as of a date): the region's own obligation,
    its figures, and its children worst first, with who has not trained."""

    template_name = "trainings/compliance.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        today = timezone.localdate()
        error = ""
        try:
            region = selectors.compliance_region(self.request.user, params.get("region"))
        except QingxieError as exc:
            region, error = None, exc.message
        if region is None and not error:
            raise Http404(_("未找到该区划，或不在您的权限范围内。"))
        try:
            year = int(params.get("year") or today.year)
            if not 1990 <= year <= today.year + 1:
                raise ValueError
        except ValueError:
            year, error = today.year, _("年度须为 1990 年至明年之间的四位数字。")
        as_of = None
        if params.get("as_of"):
            try:
                as_of = datetime.date.fromisoformat(params["as_of"])
            except ValueError:
                error = _("统计日期格式应为 YYYY-MM-DD。")
        if region is None:
            region = Region.objects.get(code="000000") if self.request.user.is_superuser else None
            if region is None:
                raise Http404(error)
        try:
            figures = selectors.compliance(region, year, as_of)
        except QingxieError as exc:
            error = exc.message
            as_of = None
            figures = selectors.compliance(region, year)
        late_orgs, late_counties, n_orgs, n_counties = selectors.laggards(
            region, year, datetime.date.fromisoformat(figures["as_of"]), limit=200
        )
        children = sorted(
            figures["children"],
            key=lambda c: (
                min(
                    c["organiser_rate"] if c["organiser_rate"] is not None else 101,
                    c["county_rate"] if c["county_rate"] is not None else 101,
                ),
                c["region"],
            ),
        )
        ctx.update(
            title=_("年度培训情况"),
            region=region,
            year=year,
            figures=figures,
            children=children,
            late_organisers=late_orgs,
            late_counties=late_counties,
            late_organisers_count=n_orgs,
            late_counties_count=n_counties,
            error=error,
            years=list(range(today.year, 2017, -1)),
            may_create=user_may(self.request.user, Training, "add", region.path),
        )
        return ctx
