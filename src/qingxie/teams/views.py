"""Grassroots team pages: list, detail, create, edit and dissolve, over the team services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingxie.accounts.permissions import may_see_personal, scope_paths, user_may
from qingxie.core.crypto import drop_unchanged_masked, masked_initial
from qingxie.core.errors import QingxieError
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
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.teams import services
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.filtersets import TeamFilterSet
from qingxie.teams.forms import TeamDissolveForm, TeamForm
from qingxie.teams.models import Team

TEAM_NOT_FOUND = gettext_lazy("未找到该队伍，或不在您的权限范围内。")


#: The team table's columns, read as plain values (team_rows).
TEAM_ROW_FIELDS = (
    "pk",
    "name",
    "is_demo",
    "association__number",
    "association__name",
    "category",
    "township_id",
    "township__name",
    "member_count",
    "founded_on",
    "status",
    "dissolved_on",
)


def team_rows(teams) -> list:
    """The team table's rows for one page, built and escaped once in Python.

    As on the ledger (`ledger.views.ledger_rows`): seven cells of fifty rows resolved through
    the template engine, with two `reverse()` per row, were most of the page's CPU; and the
    rows are read as tuples of the shown columns, not built as teams, associations and
    townships.
    """
    team_prefix, team_suffix = reverse("teams:team_detail", args=[987654321]).split("987654321")
    assoc_prefix, assoc_suffix = reverse("ledger:association_detail", args=["~"]).split("~")
    categories = {value: str(label) for value, label in TeamCategory.choices}
    statuses = {value: str(label) for value, label in TeamStatus.choices}
    demo = f' <span class="badge demo">{escape(_("演示"))}</span>'
    rows = []
    for (
        pk,
        name,
        is_demo,
        number,
        association_name,
        category,
        township_id,
        township_name,
        member_count,
        founded_on,
        status,
        dissolved_on,
    ) in teams.values_list(*TEAM_ROW_FIELDS):
        # Every value escaped as format_html would (html.escape), without its per-argument cost.
        rows.append(
            mark_safe(
                f'<tr><td><a href="{escape(f"{team_prefix}{pk}{team_suffix}")}">{escape(name)}</a>'
                f"{demo if is_demo else ''}</td>"
                f'<td><a href="{escape(f"{assoc_prefix}{number}{assoc_suffix}")}">'
                f"{escape(association_name)}</a></td>"
                f"<td>{escape(categories.get(category, category))}</td>"
                f"<td>{escape(township_name) if township_id else '—'}</td>\n"
                f'      <td class="num">{escape(member_count)}</td>'
                f"<td>{founded_on.isoformat() if founded_on else ''}</td>\n"
                f"      <td>{escape(statuses.get(status, status))}"
                f"{escape(f'（{dissolved_on.isoformat()}）') if dissolved_on else ''}</td></tr>"
            )
        )
    return rows


class TeamListView(FilteredObjectListView):
    """Every grassroots team the user may see, filtered and sorted."""

    model = Team
    # The rows are teams, shown and filterable by their association and region.
    count_domains = ("teams", "ledger", "regions")
    filterset_class = TeamFilterSet
    template_name = "teams/team_list.html"
    columns = [
        (gettext_lazy("队伍名称"), "name"),
        (gettext_lazy("所属协会"), "association"),
        (gettext_lazy("类别"), "category"),
        (gettext_lazy("所在乡镇（街道）"), "township"),
        (gettext_lazy("队员人数"), "member_count"),
        (gettext_lazy("成立日期"), "founded_on"),
        (gettext_lazy("状态"), "status"),
    ]

    def get_queryset(self):
        # The list shows no phone number: leave the encrypted ones unread (each costs a decryption).
        teams = (
            super()
            .get_queryset()
            .select_related("association", "township")
            # Only the columns team_rows shows: fifty teams, their associations and townships
            # built whole (forty-odd columns a row) took about a third of the view's time.
            .only(
                "name",
                "is_demo",
                "category",
                "township",
                "member_count",
                "founded_on",
                "status",
                "dissolved_on",
                "association__number",
                "association__name",
                "township__name",
            )
        )
        if not self.request.GET.get("ordering"):
            # By region, then association: the team table's own (region_path, id) index yields
            # the first page at once, where the model's order (association number, across a
            # join) sorted every team in scope first — 185 ms for the nation's 40,000.
            teams = teams.order_by("region_path", "association_id", "name", "id")
        return teams

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("基层队伍")
        # 新建队伍 here too: straight to the form when the user has one association to build
        # under, else to the choice of association.
        first_two = self.first_live_associations()
        ctx["may_add_team"] = any(
            user_may(self.request.user, Team, "add", path) for _number, path in first_two
        )
        ctx["only_association"] = {"number": first_two[0][0]} if len(first_two) == 1 else None
        # The page's slice of the filtered, sorted queryset: its instances are never built.
        ctx["rows"] = team_rows(ctx["object_list"])
        ctx["rows_html"] = join_rows(ctx["rows"])
        return ctx

    def first_live_associations(self) -> list[tuple[str, str]]:
        """(number, region path) of the first two live associations, by number, the user may
        change: what 新建队伍 needs. Sorting every live association in scope took a fifth of
        the page, so the answer is kept per scope until a recorded ledger write reaches it."""
        from qingxie.core.cache import cached_figures
        from qingxie.core.models import NATION_PATH

        user = self.request.user
        paths = scope_paths(user, Association, "change")
        if paths == []:
            return []

        def compute():
            live = (
                Association.objects.restrict(user, "change")
                .filter(status__in=LIVE_STATUSES)
                .order_by(*Association._meta.ordering)
                .values_list("number", "region__path")
            )
            return [tuple(row) for row in live[:2]]

        path = paths[0] if paths is not None and len(paths) == 1 else NATION_PATH
        return cached_figures(
            f"teams:first-live:{'*' if paths is None else ','.join(paths)}",
            compute,
            # The list's own domains (teams too): one read of the counters serves the total.
            stamp=self.data_stamp(path, self.count_domains),
        )


class TeamDetailView(PersonalRevealMixin, ObjectDetailView):
    """One team, with its dissolve form and change history."""

    model = Team
    template_name = "teams/team_detail.html"
    context_object_name = "team"
    reveal_rule = staticmethod(may_see_personal)
    not_found_message = TEAM_NOT_FOUND

    def get_queryset(self):
        return super().get_queryset().select_related("association", "township", "region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        team = self.object
        can_change = user_may(self.request.user, Team, "change", team.region.path)
        ctx["can_change"] = can_change
        if can_change and team.status == TeamStatus.ACTIVE:
            ctx["dissolve_form"] = TeamDissolveForm(initial={"on": timezone.localdate()})
        return ctx


class TeamCreateView(ObjectFormView):
    """Build a team under the association named by ?association=<number>."""

    form_class = TeamForm
    template_name = "teams/team_form.html"
    title = gettext_lazy("新建基层队伍")
    success_message = gettext_lazy("队伍已建立。")

    def dispatch(self, request, *args, **kwargs):
        raw = request.GET.get("association", "")
        self.association = None
        if raw:
            try:
                number = number_normalize(raw)
            except QingxieError as exc:
                raise Http404(_("未找到该协会，或不在您的权限范围内。")) from exc
            self.association = (
                Association.objects.restrict(request.user, "view")
                .filter(number=number)
                .select_related("region")
                .first()
            )
            if self.association is None:
                raise Http404(_("未找到该协会，或不在您的权限范围内。"))
            if not user_may(request.user, Team, "add", self.association.region.path):
                raise PermissionDenied(_("您没有为该协会建立队伍的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.association is None:
            choices = (
                Association.objects.restrict(request.user, "change")
                .filter(status__in=LIVE_STATUSES)
                .select_related("region")
                .order_by("region__code")[:200]
            )
            return self.render_to_response({"title": self.title, "choose_from": choices})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.association is None:
            raise Http404(_("请先选择所属协会。"))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "association": self.association}

    def get_initial(self):
        initial = {"founded_on": timezone.localdate(), "member_count": 0}
        # 为该街道建队 on the county workbench names the township: the form starts on it.
        township = self.request.GET.get("township", "").strip()
        if township:
            initial.update(township=township, category=TeamCategory.TOWNSHIP)
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["association"] = self.association
        return ctx

    def check(self, form, errors):
        services.team_check(dict(form.cleaned_data), self.association, errors)
        services.team_association_check(self.association, errors)

    def perform(self, form):
        return services.team_create(
            actor=self.request.user, association=self.association, **form.cleaned_data
        )


class TeamEditView(ObjectFormView):
    """Correct a team's details."""

    versioned = True

    model = Team
    form_class = TeamForm
    template_name = "teams/team_form.html"
    title = gettext_lazy("修改基层队伍")
    success_message = gettext_lazy("队伍信息已保存。")
    not_found_message = TEAM_NOT_FOUND

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "association": self.object.association}

    def get_initial(self):
        initial = {f: getattr(self.object, f) for f in services.TEAM_EDITABLE}
        initial["township"] = self.object.township.code if self.object.township else ""
        return masked_initial(self.object, initial)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["association"] = self.object.association
        return ctx

    def check(self, form, errors):
        data = drop_unchanged_masked(self.object, form.cleaned_data)
        data.pop("version", None)
        merged = {"category": self.object.category, "township": self.object.township} | data
        services.team_check(merged, self.object.association, errors)

    def perform(self, form):
        return services.team_update(
            actor=self.request.user,
            team=self.object,
            expected_version=self.expected_version,
            **form.cleaned_data,
        )


class TeamDissolveView(ObjectFormView):
    """Record that a team was dissolved on a date."""

    model = Team
    form_class = TeamDissolveForm
    title = gettext_lazy("撤销基层队伍")
    submit_label = gettext_lazy("确认撤销")
    success_message = gettext_lazy("队伍已撤销。")
    not_found_message = TEAM_NOT_FOUND

    def get_initial(self):
        return {"on": timezone.localdate()}

    def perform(self, form):
        return services.team_dissolve(
            actor=self.request.user, team=self.object, on=form.cleaned_data["on"]
        )
