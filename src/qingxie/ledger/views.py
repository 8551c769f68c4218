"""Ledger pages: the association list and detail, their forms, the checklist workflow,
the verification queue and the coverage page. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qingxie.accounts.permissions import (
    home_region,
    may_see_personal,
    scope_paths,
    user_grants,
    user_may,
)
from qingxie.core.changelog import changes_for_many
from qingxie.core.crypto import drop_unchanged_masked, masked_initial
from qingxie.core.errors import QingxieError
from qingxie.core.extensions import association_panels, checklist_sources
from qingxie.core.views import (
    FilteredObjectListView,
    ObjectDetailView,
    ObjectFormView,
    PersonalRevealMixin,
    join_rows,
)
from qingxie.core.views import (
    escape_text as escape,
)
from qingxie.ledger import coverage, services
from qingxie.ledger.choices import ChecklistState, GroupMemberStatus
from qingxie.ledger.filtersets import AssociationFilterSet
from qingxie.ledger.forms import (
    AssociationCreateForm,
    AssociationEditForm,
    ChecklistReturnForm,
    ChecklistRevokeForm,
    ChecklistSubmitForm,
    ChecklistVerifyForm,
    GroupMemberForm,
    SeatForm,
    StatusChangeForm,
    WithdrawForm,
)
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem, GroupMember, Seat
from qingxie.ledger.numbering import number_normalize
from qingxie.ledger.selectors import entries_to_verify
from qingxie.regions.models import ROOT_CODE, Region
from qingxie.regions.selectors import region_by_code_or_name
from qingxie.teams.selectors import may_add_team, teams_of_association

ASSOCIATION_NOT_FOUND = gettext_lazy("未找到该协会，或不在您的权限范围内。")


class AssociationNumberMixin:
    """Look an association up by its unified number, typed with or without hyphens."""

    model = Association
    slug_url_kwarg = "number"
    not_found_message = ASSOCIATION_NOT_FOUND

    def get_object(self, queryset=None):
        try:
            number = number_normalize(self.kwargs["number"])
        except QingxieError as exc:
            raise Http404(str(ASSOCIATION_NOT_FOUND)) from exc
        qs = Association.objects.restrict(self.request.user, "view").select_related(
            "region", "merged_into"
        )
        try:
            return qs.get(number=number)
        except Association.DoesNotExist as exc:
            raise Http404(str(ASSOCIATION_NOT_FOUND)) from exc


# ------------------------------------------------------------------------------ the ledger


#: The ledger table's columns, read as plain values (ledger_rows).
LEDGER_ROW_FIELDS = (
    "number",
    "name",
    "is_demo",
    "region__name",
    "region__code",
    "level",
    "form",
    "established_on",
    "registered",
    "standardized_since",
    "status",
)


def ledger_rows(associations) -> list[dict]:
    """The ledger table's cells for one page, formatted once in Python.

    Resolving `{{ a.get_absolute_url }}`, `{{ a.get_status_display }}` and the like through
    the template engine, with a `reverse()` per link, took most of the page's time at 16
    concurrent clients (bench/bench_pages_load.py); plain values render five times faster.
    The page's rows are read as tuples of the shown columns only: fifty associations and
    their regions built as model instances (forty-odd columns a row) cost more than the table.
    """
    prefix, suffix = reverse("ledger:association_detail", args=["~"]).split("~")
    labels = choice_labels()
    demo_badge = _(' <span class="badge demo">演示</span>')
    registered_yes = _("已登记")
    registered_no = _('<span class="muted">未登记</span>')
    rows = []
    for (
        number,
        name,
        is_demo,
        region_name,
        region_code,
        level,
        form,
        established_on,
        registered,
        standardized_since,
        status,
    ) in associations.values_list(*LEDGER_ROW_FIELDS):
        # The row's HTML is built here too, every value escaped (html.escape, as Django's
        # escape): a template loop over nine cells of fifty rows was still the page's largest
        # cost, and format_html's per-argument machinery half of what remained.
        number_e = escape(number)
        url = escape(f"{prefix}{number}{suffix}")
        row_html = (
            f'<tr data-number="{number_e}"><td class="code"><a href="{url}">{number_e}</a></td>'
            f'<td><a href="{url}">{escape(name)}</a>{demo_badge if is_demo else ""}</td>'
            f'<td>{escape(region_name)} <span class="muted code">{escape(region_code)}</span></td>'
            f"<td>{escape(labels['level'].get(level, level))}</td>"
            f"<td>{escape(labels['form'].get(form, form))}</td>"
            f"<td>{established_on.isoformat() if established_on else ''}</td>"
            f"<td>{registered_yes if registered else registered_no}</td>"
            f"<td>{standardized_since.isoformat() if standardized_since else '—'}</td>"
            f'<td><span class="badge status-{escape(status)}">'
            f"{escape(labels['status'].get(status, status))}</span></td></tr>"
        )
        rows.append({"number": number, "name": name, "status": status, "html": mark_safe(row_html)})
    return rows


#: The choice labels of the ledger's columns, by language (built from the model's choices once).
_LABELS: dict[str, dict[str, dict]] = {}


def choice_labels() -> dict[str, dict]:
    """{field: {value: label}} for the level, form and status columns, in the active language."""
    language = get_language()
    labels = _LABELS.get(language)
    if labels is None:
        labels = _LABELS[language] = {
            name: {
                value: str(label) for value, label in Association._meta.get_field(name).flatchoices
            }
            for name in ("level", "form", "status")
        }
    return labels


class AssociationListView(FilteredObjectListView):
    """The ledger (台账): every association the user may see, filtered and sorted."""

    model = Association
    # The rows are associations; the region filter reads the division data.
    count_domains = ("ledger", "regions")
    filterset_class = AssociationFilterSet
    template_name = "ledger/association_list.html"
    columns = [
        (gettext_lazy("统一编号"), "number"),
        (gettext_lazy("名称"), "name"),
        (gettext_lazy("区划"), "region"),
        (gettext_lazy("层级"), "level"),
        (gettext_lazy("组织形式"), "form"),
        (gettext_lazy("成立日期"), "established_on"),
        (gettext_lazy("登记"), "registered"),
        (gettext_lazy("规范化认定日期"), "standardized_since"),
        (gettext_lazy("状态"), "status"),
    ]

    def get_queryset(self):
        # The list shows no phone number: leave the encrypted ones unread (each costs a
        # decryption, a tenth of the page's CPU).
        return (
            super()
            .get_queryset()
            .select_related("region")
            .defer("president_phone", "secretary_phone")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("协会台账")
        ctx["may_add"] = bool(scope_paths(self.request.user, Association, "add") != [])
        # The page's slice of the filtered, sorted queryset: its instances are never built.
        ctx["rows"] = ledger_rows(ctx["object_list"])
        ctx["rows_html"] = join_rows(r["html"] for r in ctx["rows"])
        return ctx


class AssociationDetailView(PersonalRevealMixin, AssociationNumberMixin, ObjectDetailView):
    """One association: facts, status, checklist, seats, group members, teams, history."""

    reveal_rule = staticmethod(may_see_personal)

    template_name = "ledger/association_detail.html"
    context_object_name = "association"

    def personal_objects(self) -> list:
        members = GroupMember.objects.restrict(self.request.user, "view").filter(
            association=self.object
        )
        return [self.object, *members.exclude(contact_phone="")]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a, user = self.object, self.request.user
        path = a.region.path
        # The history tab shows the association and everything recorded on its page.
        ctx["changes"] = changes_for_many(
            (Association, [a.pk]),
            (ChecklistEntry, a.checklist.values_list("pk", flat=True)),
            (Seat, Seat.objects.filter(Q(holder=a) | Q(member=a)).values_list("pk", flat=True)),
            (GroupMember, a.group_members.values_list("pk", flat=True)),
        )[:100]
        ctx["changes_show_object"] = True
        # What the other apps show about this association (its tier, …).
        ctx["association_panels"] = association_panels(user, a)
        can_change = user_may(user, Association, "change", path)
        can_submit = a.is_live and user_may(user, ChecklistEntry, "change", path)
        can_verify = services.may_verify(user, a)
        entries = {
            e.item_id: e
            for e in ChecklistEntry.objects.restrict(user, "view").filter(association=a)
        }
        checklist = []
        today = timezone.localdate()
        for item in ChecklistItem.objects.filter(active=True):
            entry = entries.get(item.pk)
            state = entry.state if entry else ChecklistState.PENDING
            # What another app's records verify today (core.extensions.ChecklistSource).
            sourced = [
                line
                for source in checklist_sources(item.code)
                if source.describe and (line := source.describe(a.pk, today))
            ]
            checklist.append(
                {
                    "item": item,
                    "entry": entry,
                    "state": state,
                    "state_label": ChecklistState(state).label,
                    "sourced": "；".join(sourced),
                    "may_submit": can_submit and state != ChecklistState.VERIFIED,
                    "may_decide": state == ChecklistState.SUBMITTED
                    and (can_verify or services.may_decide_entry(user, entry)),
                    "may_revoke": can_verify and state == ChecklistState.VERIFIED,
                }
            )
        seats = Seat.objects.restrict(user, "view").select_related("member__region")
        ctx.update(
            region=a.region,
            can_change=can_change,
            can_verify=can_verify,
            verifying_region=services.verifying_region(a),
            status_form=StatusChangeForm() if can_change and a.is_live else None,
            checklist=checklist,
            verified_count=sum(
                1 for r in checklist if r["state"] == ChecklistState.VERIFIED or r["sourced"]
            ),
            submit_form=ChecklistSubmitForm(),
            return_form=ChecklistReturnForm(),
            revoke_form=ChecklistRevokeForm(),
            seats=seats.filter(holder=a).order_by("until", "member__region__code"),
            seat_above=Seat.objects.filter(member=a)
            .select_related("holder__region")
            .select_related("holder")
            .order_by("-since"),
            may_change_seats=user_may(user, Seat, "change", path),
            group_members=GroupMember.objects.restrict(user, "view").filter(association=a),
            may_change_members=can_change and user_may(user, GroupMember, "change", path),
            withdraw_form=WithdrawForm(initial={"on": timezone.localdate()}),
            teams=teams_of_association(user, a),
            may_add_team=a.is_live and may_add_team(user, path),
            member_status_active=GroupMemberStatus.ACTIVE,
        )
        return ctx


class AssociationCreateView(ObjectFormView):
    """Enter a new association; its unified number and seats are assigned by the service."""

    form_class = AssociationCreateForm
    template_name = "ledger/association_form.html"
    title = gettext_lazy("新增协会")
    submit_label = gettext_lazy("保存并分配统一编号")

    def dispatch(self, request, *args, **kwargs):
        if scope_paths(request.user, Association, "add") == []:
            raise PermissionDenied(_("您没有新增协会的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"region": self.request.GET.get("region", ""), "form": "youth_volunteer_association"}

    def check(self, form, errors):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.ASSOCIATION_EDITABLE}
        services.association_fields_check(data, errors, actor=self.request.user)

    def perform(self, form):
        association = services.association_create(actor=self.request.user, **form.cleaned_data)
        self.success_message = _("已新增协会“%(name)s”，统一编号 %(number)s。") % {
            "name": association.name,
            "number": association.number,
        }
        return association


class AssociationEditView(AssociationNumberMixin, ObjectFormView):
    """Correct an association's details (its number, region and status are not edited here)."""

    versioned = True

    form_class = AssociationEditForm
    template_name = "ledger/association_form.html"
    title = gettext_lazy("修改协会信息")
    success_message = gettext_lazy("协会信息已保存。")

    def get_initial(self):
        initial = {f: getattr(self.object, f) for f in services.ASSOCIATION_EDITABLE}
        return masked_initial(self.object, initial)

    def check(self, form, errors):
        a = self.object
        data = drop_unchanged_masked(a, form.cleaned_data)
        data = {k: v for k, v in data.items() if k in services.ASSOCIATION_EDITABLE}
        merged = {"registered": a.registered, "uscc": a.uscc} | data
        services.association_fields_check(merged, errors, exclude_pk=a.pk, actor=self.request.user)

    def perform(self, form):
        return services.association_update(
            actor=self.request.user,
            association=self.object,
            expected_version=self.expected_version,
            **form.cleaned_data,
        )


class AssociationStatusView(AssociationNumberMixin, ObjectFormView):
    """Suspend, resume, dissolve or merge an association from a date."""

    form_class = StatusChangeForm
    title = gettext_lazy("变更协会状态")
    submit_label = gettext_lazy("确认变更")

    def check(self, form, errors):
        data = form.cleaned_data
        if data.get("change") == "merge" and not (data.get("into") or "").strip():
            errors.add("into", _("合并时请填写合并入的协会的统一编号。"))

    def perform(self, form):
        data, user, a = form.cleaned_data, self.request.user, self.object
        change = data["change"]
        common = {"actor": user, "association": a, "on": data["on"], "note": data["note"]}
        if change == "merge":
            into = _association_by_number(user, data["into"])
            result = services.association_merge(into=into, **common)
        else:
            action = {
                "suspend": services.association_suspend,
                "resume": services.association_resume,
                "dissolve": services.association_dissolve,
            }[change]
            result = action(**common)
        self.success_message = _("协会状态已变更为“%(status)s”。") % {
            "status": result.get_status_display()
        }
        return result


def _association_by_number(user, raw: str) -> Association:
    if not (raw or "").strip():
        raise QingxieError(_("合并时请填写合并入的协会的统一编号。"), field="into")
    try:
        number = number_normalize(raw)
    except QingxieError as exc:
        raise QingxieError(exc.message, field="into") from exc
    into = Association.objects.restrict(user, "view").filter(number=number).first()
    if into is None:
        raise QingxieError(
            _("未找到统一编号为 %(number)s 的协会，或不在您的权限范围内。") % {"number": number},
            field="into",
        )
    return into


# ------------------------------------------------------------------------ the checklist


class ChecklistSubmitView(AssociationNumberMixin, ObjectFormView):
    """The association submits one checklist item with a note and an evidence file."""

    form_class = ChecklistSubmitForm
    success_message = gettext_lazy("材料已提交，等待上一级核验。")
    submit_label = gettext_lazy("提交核验")

    def dispatch(self, request, *args, **kwargs):
        self.item = get_object_or_404(ChecklistItem, code=kwargs["item"], active=True)
        self.title = _("提交规范化材料：%(title)s") % {"title": self.item.title}
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        services.checklist_entry_submit(
            actor=self.request.user,
            association=self.object,
            item=self.item,
            note=form.cleaned_data["note"],
            evidence=form.cleaned_data["evidence"],
        )
        return self.object


class _EntryDecisionView(ObjectFormView):
    """A decision of the level above on one entry; `next` may send the user back to the queue."""

    model = ChecklistEntry
    action = "view"  # the service decides who may verify (the level above only)
    not_found_message = gettext_lazy("未找到该材料，或不在您的权限范围内。")

    def get_object(self):
        obj = super().get_object()
        return ChecklistEntry.objects.select_related("association__region", "item").get(pk=obj.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object.association
        return ctx

    def get_success_url(self, result=None):
        nxt = self.request.POST.get("next", "")
        if nxt and url_has_allowed_host_and_scheme(nxt, {self.request.get_host()}):
            return nxt
        return self.object.association.get_absolute_url() + "#checklist"


class ChecklistVerifyView(_EntryDecisionView):
    """Verify a submitted item; the last required one makes the association standardized."""

    form_class = ChecklistVerifyForm
    title = gettext_lazy("核验通过")
    submit_label = gettext_lazy("核验通过")

    def perform(self, form):
        entry = services.checklist_entry_verify(
            actor=self.request.user, entry=self.object, on=form.cleaned_data["on"]
        )
        a = entry.association
        a.refresh_from_db()
        self.success_message = (_("已核验“%(title)s”。") % {"title": entry.item.title}) + (
            (
                _("%(name)s自 %(standardized_since)s 起认定为规范化建设。")
                % {"name": a.name, "standardized_since": a.standardized_since}
            )
            if a.standardized_since
            else ""
        )


class ChecklistReturnView(_EntryDecisionView):
    """Send a submitted item back with the reason it must be corrected."""

    form_class = ChecklistReturnForm
    title = gettext_lazy("退回材料")
    submit_label = gettext_lazy("退回")
    success_message = gettext_lazy("材料已退回。")

    def perform(self, form):
        services.checklist_entry_return(
            actor=self.request.user, entry=self.object, reason=form.cleaned_data["reason"]
        )


class ChecklistRevokeView(_EntryDecisionView):
    """Withdraw a verification; the association loses standardization from that date."""

    form_class = ChecklistRevokeForm
    title = gettext_lazy("撤销核验")
    submit_label = gettext_lazy("撤销核验")
    success_message = gettext_lazy("已撤销核验。")

    def perform(self, form):
        services.checklist_entry_revoke(
            actor=self.request.user,
            entry=self.object,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )


#: Evidence the browser may show in place (?inline=1): PDFs and photos.
INLINE_EVIDENCE = (".pdf", ".png", ".jpg", ".jpeg")


class EvidenceDownloadView(View):
    """An evidence file, only through the permission gate; a download unless ?inline=1 and
    the file is a PDF or a photo."""

    def get(self, request, pk: int):
        entry = (
            ChecklistEntry.objects.restrict(request.user, "view")
            .filter(pk=pk)
            .select_related("association")
            .first()
        )
        if entry is None or not entry.evidence:
            raise Http404(_("未找到该佐证材料，或不在您的权限范围内。"))
        try:
            handle = entry.evidence.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("佐证材料文件已不存在，请联系管理员。")) from exc
        name = PurePosixPath(entry.evidence.name).name
        # ?inline=1 lets the verifier look before deciding: only PDFs and photos open in the
        # browser (nosniff below); anything else still downloads.
        inline = request.GET.get("inline") == "1" and name.lower().endswith(INLINE_EVIDENCE)
        response = FileResponse(handle, as_attachment=not inline, filename=name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class VerificationQueueView(TemplateView):
    """Items waiting for this user's verification, and items returned to this user's associations."""

    template_name = "ledger/verification_queue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tab = "returned" if self.request.GET.get("tab") == "returned" else "pending"
        pending = [e for e in entries_to_verify(user)[:500] if services.may_decide_entry(user, e)]
        own_regions = [g.region_id for g in user_grants(user)]
        returned = (
            ChecklistEntry.objects.restrict(user, "view")
            .filter(state=ChecklistState.RETURNED, association__region_id__in=own_regions)
            .select_related("association__region", "item", "decided_by")
            .order_by("-decided_at")
        )
        if self.request.GET.get("tab") == "decided":
            tab = "decided"
        # What this level decided in the last 30 days (the user, and colleagues holding a grant
        # on the same region, deciding for the level below); a verification of today can be
        # undone by whoever may decide it (the service checks, and logs the undo).
        since = timezone.now() - datetime.timedelta(days=30)
        decided = list(
            ChecklistEntry.objects.restrict(user, "view")
            .filter(
                Q(decided_by=user) | Q(association__region__parent_id__in=own_regions),
                decided_at__gte=since,
                state__in=(ChecklistState.VERIFIED, ChecklistState.RETURNED),
            )
            .select_related("association__region", "item", "decided_by")
            .order_by("-decided_at")[:200]
        )
        today = timezone.localdate()
        for entry in decided:
            entry.undoable = (
                entry.state == ChecklistState.VERIFIED
                and timezone.localdate(entry.decided_at) == today
                and (entry.decided_by_id == user.pk or services.may_decide_entry(user, entry))
            )
        ctx.update(
            tab=tab,
            pending=pending,
            returned=returned,
            decided=decided,
            today=timezone.localdate(),
            return_form=ChecklistReturnForm(),
            title=_("待核验"),
        )
        return ctx


class VerificationBatchView(View):
    """批量核验通过: every ticked entry verified today, each through the one service (each
    permission-checked and change-logged on its own); what could not be verified is named."""

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("entry") if i.isdigit()]
        if not ids:
            messages.warning(request, _("请先勾选要核验的材料。"))
            return redirect("ledger:verification_queue")
        entries = (
            ChecklistEntry.objects.restrict(request.user, "view")
            .filter(pk__in=ids)
            .select_related("association__region", "item")
        )
        done, failed = 0, []
        for entry in entries:
            try:
                services.checklist_entry_verify(actor=request.user, entry=entry)
                done += 1
            except QingxieError as exc:
                failed.append(f"{entry.association.name}·{entry.item.title}：{exc}")
        if done:
            messages.success(
                request,
                ngettext("已核验 %(done)s 项材料。", "已核验 %(done)s 项材料。", done)
                % {"done": done},
            )
        for problem in failed:
            messages.error(request, problem)
        return redirect("ledger:verification_queue")


# --------------------------------------------------------------------- seats and members


class SeatUpdateView(ObjectFormView):
    """Name the representative who sits in a seat."""

    versioned = True

    model = Seat
    form_class = SeatForm
    title = gettext_lazy("修改席位代表")
    success_message = gettext_lazy("席位代表已保存。")
    not_found_message = gettext_lazy("未找到该席位，或不在您的权限范围内。")

    def get_initial(self):
        return {"representative": self.object.representative}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object.holder
        return ctx

    def perform(self, form):
        seat = services.seat_update(
            actor=self.request.user,
            seat=self.object,
            representative=form.cleaned_data["representative"],
            expected_version=self.expected_version,
        )
        return seat.holder


class GroupMemberCreateView(AssociationNumberMixin, ObjectFormView):
    """Admit an organisation as a group member of the association."""

    form_class = GroupMemberForm
    title = gettext_lazy("新增团体会员")
    success_message = gettext_lazy("团体会员已添加。")

    def get_initial(self):
        return {"admitted_on": timezone.localdate()}

    def check(self, form, errors):
        services.group_member_fields_check(dict(form.cleaned_data), errors)

    def perform(self, form):
        services.group_member_create(
            actor=self.request.user, association=self.object, **form.cleaned_data
        )
        return self.object

    def get_success_url(self, result=None):
        return self.object.get_absolute_url() + "#members"


class GroupMemberEditView(ObjectFormView):
    """Correct a group member's details."""

    versioned = True

    model = GroupMember
    form_class = GroupMemberForm
    title = gettext_lazy("修改团体会员")
    success_message = gettext_lazy("团体会员信息已保存。")
    not_found_message = gettext_lazy("未找到该团体会员，或不在您的权限范围内。")

    def get_initial(self):
        initial = {f: getattr(self.object, f) for f in services.GROUP_MEMBER_EDITABLE}
        return masked_initial(self.object, initial)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object.association
        return ctx

    def check(self, form, errors):
        data = drop_unchanged_masked(self.object, form.cleaned_data)
        data.pop("version", None)
        services.group_member_fields_check(data, errors)

    def perform(self, form):
        member = services.group_member_update(
            actor=self.request.user,
            member=self.object,
            expected_version=self.expected_version,
            **form.cleaned_data,
        )
        return member.association

    def get_success_url(self, result=None):
        return self.object.association.get_absolute_url() + "#members"


class GroupMemberWithdrawView(GroupMemberEditView):
    """Record that a group member left on a date."""

    versioned = False
    form_class = WithdrawForm
    title = gettext_lazy("团体会员退出")
    submit_label = gettext_lazy("确认退出")
    success_message = gettext_lazy("已记录团体会员退出。")

    def get_initial(self):
        return {"on": timezone.localdate()}

    def perform(self, form):
        services.group_member_withdraw(
            actor=self.request.user, member=self.object, on=form.cleaned_data["on"]
        )


# ----------------------------------------------------------------------------- coverage


class CoverageIndexView(View):
    """Send the user to the coverage page of the region they are responsible for."""

    def get(self, request):
        # The region picker on the coverage page sends ?region=<name or code>: go there (the
        # page itself checks the scope); a township goes to its county.
        raw = request.GET.get("region", "").strip()[:50]
        if raw:
            found = region_by_code_or_name(raw)
            if found is not None:
                found = Region.objects.get(pk=found.pk)
                if found.level == Region.Level.TOWNSHIP:
                    found = found.parent
                as_of = request.GET.get("as_of", "")[:10]
                url = reverse("ledger:coverage", args=[found.code])
                return redirect(f"{url}?as_of={as_of}" if as_of else url)
            messages.warning(
                request,
                _("没有名称或代码为“%(raw)s”的行政区划，请从下拉列表中选择。") % {"raw": raw},
            )
        home = home_region(request.user)
        if home is None and request.user.is_superuser:
            return redirect("ledger:coverage", code=ROOT_CODE)
        if home is None:
            raise Http404(_("您的账号尚未被授予任何行政区划的角色。"))
        return redirect("ledger:coverage", code=home.code)


def _parse_as_of(raw: str | None) -> tuple[datetime.date, str]:
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return today, _("日期“%(raw)s”格式不对，应为 YYYY-MM-DD；已按今天显示。") % {"raw": raw}
    if day > today:
        return today, _("统计日期（%(day)s）不能晚于今天；已按今天显示。") % {"day": day}
    if day < datetime.date(1949, 10, 1):
        return today, _("统计日期（%(day)s）早于1949年10月1日；已按今天显示。") % {"day": day}
    return day, ""


class CoverageView(TemplateView):
    """Coverage of one region on a date: figures, targets, projection, children and trend."""

    template_name = "ledger/coverage.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region = (
            Region.objects.restrict(self.request.user, "view")
            .filter(code=kwargs["code"], level__lt=Region.Level.TOWNSHIP)
            .first()
        )
        if region is None:
            raise Http404(_("未找到该行政区划，或不在您的权限范围内。"))
        as_of, problem = _parse_as_of(self.request.GET.get("as_of"))
        if problem:
            messages.warning(self.request, problem)
        node = coverage.coverage_tree(region, as_of, depth=1)
        children = sorted(
            node.children,
            key=lambda c: (c.coverage_rate is None, c.coverage_rate or 0, c.standardized_rate or 0),
        )
        # From 2020 (the national targets' timeline) or three years back, whichever is earlier.
        start = min(datetime.date(2020, 1, 1), datetime.date(as_of.year - 3, as_of.month, 1))
        series = coverage.coverage_series(region, start, as_of)
        report = coverage.target_report(region, node, as_of)
        chart = coverage.trend_chart(region, series, report)
        ctx.update(
            region=region,
            as_of=as_of,
            node=node,
            children=children,
            report=report,
            projection=coverage.coverage_projection(region, as_of),
            chart=chart,
            breadcrumbs=list(
                Region.objects.restrict(self.request.user, "view")
                .filter(code__in=region.ancestor_codes)
                .order_by("level")
            ),
        )
        return ctx
