"""Pages for the ledger's own data: coverage targets and the standardization checklist."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region, user_grants, user_may
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import NATION_PATH
from qingxie.core.views import ObjectFormView
from qingxie.ledger import services
from qingxie.ledger.choices import CoverageMeasure
from qingxie.ledger.coverage import targets_for
from qingxie.ledger.forms import date_field
from qingxie.ledger.models import ChecklistItem, CoverageTarget
from qingxie.regions.models import ROOT_CODE, Region


def _target_region(request) -> Region:
    """The nation or a province the user may see: ?region=, else the user's own province."""
    code = request.GET.get("region") or request.POST.get("region")
    if not code:
        home = home_region(request.user)
        if home is None:
            raise Http404(gettext("您还没有任何区划的权限。"))
        code = ROOT_CODE if home.level == 0 else home.path.split("/")[1]
    region = Region.objects.filter(code=code, level__lte=Region.Level.PROVINCE).first()
    # Targets set above a cadre's patch apply to it, so a city sees its province's and the
    # nation's; a province it has no grant inside stays hidden.
    visible = region is not None and any(
        g.region.path.startswith(region.path) or region.path.startswith(g.region.path)
        for g in user_grants(request.user)
    )
    if request.user.is_superuser and region is not None:
        visible = True
    if not visible:
        raise Http404(gettext("未找到该区划，或不在您的权限范围内；目标只能由全国或省级设定。"))
    return region


def _visible_province_codes(user) -> list[str]:
    if user.is_superuser or any(g.region.level == 0 for g in user_grants(user)):
        return list(
            Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True)
        )
    return [g.region.path.split("/")[1] for g in user_grants(user) if g.region.level > 0]


class TargetForm(forms.Form):
    """One target: a measure, a due date and a rate."""

    measure = forms.ChoiceField(label=_("指标"), choices=CoverageMeasure.choices)
    due_on = date_field(_("截止日期"), required=True)
    rate = forms.DecimalField(label=_("目标（%）"), min_value=0, max_value=100, decimal_places=1)


class TargetListView(TemplateView):
    """The targets in force for the nation or a province, and the form to set its own."""

    template_name = "ledger/targets.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = _target_region(self.request)
        in_force = targets_for(region)
        own = CoverageTarget.objects.filter(region=region).order_by("measure", "due_on")
        ctx.update(
            region=region,
            in_force=[(CoverageMeasure(m).label, ts) for m, ts in in_force.items()],
            own=own,
            may_change=user_may(self.request.user, CoverageTarget, "change", region.path),
            form=kwargs.get("form") or TargetForm(),
            provinces=Region.objects.filter(
                level=Region.Level.PROVINCE, valid_to__isnull=True
            ).filter(code__in=_visible_province_codes(self.request.user)),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        region = _target_region(request)
        form = TargetForm(request.POST)
        if form.is_valid():
            try:
                services.coverage_target_set(actor=request.user, region=region, **form.cleaned_data)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except QingxieError as exc:
                for field, msgs in exc.errors.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
            else:
                messages.success(request, _("目标已保存。"))
                return redirect(f"{reverse('ledger:targets')}?region={region.code}")
        return self.render_to_response(self.get_context_data(form=form))


class TargetDeleteView(View):
    """Remove one of a region's own targets (it then follows the level above again)."""

    def post(self, request, pk):
        target = CoverageTarget.objects.restrict(request.user).filter(pk=pk).first()
        if target is None:
            raise Http404(gettext("未找到该目标，或不在您的权限范围内。"))
        code = target.region.code
        try:
            services.coverage_target_delete(actor=request.user, target=target)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("目标已删除。"))
        return redirect(f"{reverse('ledger:targets')}?region={code}")


class ChecklistItemForm(forms.Form):
    """A checklist item as the national level edits it."""

    code = forms.SlugField(label=_("代码"), max_length=40, help_text=_("英文字母、数字、下划线"))
    title = forms.CharField(label=_("事项"), max_length=100)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)
    required = forms.BooleanField(label=_("必备事项（规范化认定须核验通过）"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False)
    position = forms.IntegerField(label=_("顺序"), min_value=0, max_value=32767)


class ChecklistItemListView(TemplateView):
    """The standardization checklist every association works through."""

    template_name = "ledger/checklist_items.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = ChecklistItem.objects.restrict(self.request.user)
        ctx["may_change"] = user_may(self.request.user, ChecklistItem, "change", NATION_PATH)
        return ctx


class ChecklistItemEditView(ObjectFormView):
    """Add or edit a checklist item (national admins); standardization is recomputed."""

    model = ChecklistItem
    form_class = ChecklistItemForm
    slug_field = slug_url_kwarg = "code"
    title = _("规范化建设事项")
    success_message = _("事项已保存，各协会的规范化状态已按新清单重新计算。")

    def dispatch(self, request, *args, **kwargs):
        if not user_may(request.user, ChecklistItem, "change", NATION_PATH):
            raise PermissionDenied(gettext("只有全国管理员可以修改规范化建设清单。"))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.object is None:
            return {"required": True, "active": True, "position": 100}
        return {f: getattr(self.object, f) for f in ChecklistItemForm.base_fields}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object is not None:
            form.fields["code"].disabled = True
        return form

    def perform(self, form):
        data = dict(form.cleaned_data)
        if self.object is not None:
            data.pop("code")
        elif ChecklistItem.objects.filter(code=data["code"]).exists():
            raise QingxieError(_("该代码已被使用。"), field="code")
        services.checklist_item_save(actor=self.request.user, item=self.object, **data)
        return None

    def get_success_url(self, result=None):
        return reverse("ledger:checklist_items")
