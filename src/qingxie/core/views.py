"""Generic views every object type reuses: the queryset always comes through `restrict()`."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import DetailView, ListView

from qingxie.core.changelog import changes_for


class RestrictedViewMixin:
    """Fetch objects only through the permission gate; anything outside the scope is a 404."""

    model = None
    action = "view"

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)


class ObjectListView(RestrictedViewMixin, ListView):
    """A paginated list of the objects the user may see."""

    paginate_by = 50
    template_name = "core/object_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.model._meta.verbose_name_plural
        return ctx


class ObjectDetailView(RestrictedViewMixin, DetailView):
    """One object, with its change history, or 404 when it is outside the user's scope."""

    template_name = "core/object_detail.html"
    not_found_message = "未找到该对象，或不在您的权限范围内。"

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404 as exc:
            raise Http404(self.not_found_message) from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["changes"] = changes_for(self.object)[:50]
        return ctx
