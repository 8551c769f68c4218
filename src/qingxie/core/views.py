"""Generic views every object type reuses: the queryset always comes through `restrict()`."""

from __future__ import annotations

import hashlib
import html

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from qingxie.core.changelog import changes_for, log_access
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.forms import name_required_messages
from qingxie.core.models import ObjectChange


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
    not_found_message = gettext_lazy("未找到该对象，或不在您的权限范围内。")

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404 as exc:
            raise Http404(str(self.not_found_message)) from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["changes"] = changes_for(self.object)[:50]
        return ctx


class PersonalRevealMixin:
    """ "显示完整号码" on a detail page: a POST re-renders it with the personal data in clear.

    `reveal_rule(user, obj) -> bool` says who may (403 otherwise); the app names it, e.g.
    `reveal_rule = staticmethod(accounts.permissions.may_see_personal)`, because core knows
    no roles. Every object shown in clear is recorded as a REVEAL in the change log before
    the page is rendered.
    """

    reveal_rule = None

    def may_reveal(self, obj) -> bool:
        return self.reveal_rule is not None and bool(self.reveal_rule(self.request.user, obj))

    def personal_objects(self) -> list:
        return [self.object]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_reveal"] = self.may_reveal(self.object)
        ctx.setdefault("revealed", False)
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.may_reveal(self.object):
            raise PermissionDenied(gettext("您的角色只能查看打码后的号码。"))
        for obj in self.personal_objects():
            log_access(obj, ObjectChange.Action.REVEAL, what=f"查看完整号码：{obj}"[:200])
        return self.render_to_response(self.get_context_data(object=self.object, revealed=True))


def add_service_errors(form, exc: QingxieError) -> None:
    """Put each message of a service error on its form field (unknown fields: non-field)."""
    for field, messages_ in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def escape_text(value) -> str:
    """Django's `escape` (html.escape of the text) without its SafeString wrapper: for table
    rows built as one string in a view, where format_html's per-argument work was the cost."""
    return html.escape(str(value))


def join_rows(rows) -> str:
    """A table body's rows (safe HTML strings) as one, laid out as a template loop printing
    `\\n    {{ row }}\\n  ` would: fifty loop iterations cost more than the join."""
    return mark_safe("".join(f"\n    {row}\n  " for row in rows))


class FilteredObjectListView(ObjectListView):
    """A list narrowed by a django-filter FilterSet, with sortable columns and pagination.

    `columns` lists (label, ordering key or None); the template builds the sort links.
    """

    filterset_class = None
    columns: list[tuple[str, str | None]] = []
    #: The figure domains (core.cache) the list's rows and filters read. When set, the total
    #: under the table is counted once per data version, scope and filter instead of on every
    #: page (the nation's 40,000 teams were counted on each of them); any recorded write in
    #: these domains in the user's scope counts afresh.
    count_domains: tuple[str, ...] = ()

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = super().get_paginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )
        if self.count_domains:
            # Paginator.count is a cached property: the instance's value takes its place.
            paginator.count = self.cached_count(queryset)
        return paginator

    def cached_count(self, queryset) -> int:
        """`queryset.count()`, kept until a recorded write in `count_domains` reaches the
        user's scope. The key holds everything else the filtered rows depend on: the model,
        the scope's paths, the filters (not the page or the order) and the day (a region
        named in the filter may expire)."""
        from django.utils import timezone

        from qingxie.core.cache import cached_figures
        from qingxie.core.models import NATION_PATH
        from qingxie.core.policies import policy_for

        paths = policy_for(self.model).scope_paths(self.request.user, self.action)
        if paths == []:
            return 0
        filters = sorted(
            (k, tuple(v)) for k, v in self.request.GET.lists() if k not in ("page", "ordering")
        )
        # Hashed: the filters are whatever the user typed (spaces, any length).
        digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
        key = (
            f"count:{self.model._meta.label}:{self.action}:{timezone.localdate().isoformat()}:"
            f"{'*' if paths is None else ','.join(paths)}:{digest}"
        )
        path = paths[0] if paths is not None and len(paths) == 1 else NATION_PATH
        return cached_figures(key, queryset.count, stamp=self.data_stamp(path, self.count_domains))

    def data_stamp(self, path: str, domains) -> str:
        """`data_stamp(path, domains)`, read once for this request however often asked."""
        key = (path, tuple(sorted(set(domains))))
        stamps = self.__dict__.setdefault("_stamps", {})
        if key not in stamps:
            from qingxie.core.cache import data_stamp

            stamps[key] = data_stamp(path, key[1])
        return stamps[key]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        current = self.request.GET.get("ordering", "")
        ctx["filter"] = self.filterset
        ctx["columns"] = [
            {
                "label": label,
                "key": key,
                "next": (f"-{key}" if current == key else key) if key else None,
                "href": self.querystring(ordering=(f"-{key}" if current == key else key))
                if key
                else None,
                "sorted": "asc" if current == key else "desc" if current == f"-{key}" else "",
            }
            for label, key in self.columns
        ]
        return ctx

    def querystring(self, **changes) -> str:
        """What `{% querystring ordering=… page=None %}` makes of the request's query string:
        the sort links, built here once rather than by a template tag per column."""
        params = self.request.GET.copy()
        params.pop("page", None)
        for name, value in changes.items():
            params[name] = value
        return f"?{params.urlencode()}"


class ObjectFormView(FormView):
    """A form whose valid data goes to one service call; service errors land on their fields.

    Subclasses set `model` and `action` when the form acts on an existing object (looked up
    through `restrict(user, "view")`: outside the scope → 404; in view scope but without
    `action` → 403) and implement `perform(form)`, which calls the service and returns the
    object to redirect to. A PermissionDeniedError from the service is a 403 and writes nothing.
    """

    template_name = "core/object_form.html"
    model = None
    action = "change"
    slug_field = "pk"
    slug_url_kwarg = "pk"
    not_found_message = gettext_lazy("未找到该对象，或不在您的权限范围内。")
    title = ""
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("已保存。")
    object = None
    #: Edit forms of versioned objects carry the version they were opened at; `perform` then
    #: passes `self.expected_version` to the service (optimistic locking).
    versioned = False
    expected_version = None

    def dispatch(self, request, *args, **kwargs):
        if self.model is not None and self.slug_url_kwarg in kwargs:
            self.object = self.get_object()
            allowed = self.model.objects.restrict(request.user, self.action)
            if not allowed.filter(pk=self.object.pk).exists():
                raise PermissionDenied(gettext("您没有执行此操作的权限：不在您的管辖范围内。"))
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        value = self.kwargs[self.slug_url_kwarg]
        qs = self.model.objects.restrict(self.request.user, "view")
        try:
            return qs.get(**{self.slug_field: value})
        except (self.model.DoesNotExist, ValueError) as exc:
            raise Http404(str(self.not_found_message)) from exc

    def perform(self, form):
        raise NotImplementedError

    def check(self, form, errors: ErrorCollector) -> None:
        """The service's own checks (no write) on what the form could parse, for a form that
        has errors of its own: a subclass calls the service's check function (e.g.
        `teams.services.team_check`) so that the cadre sees every mistake in one pass, not
        the form's first and the service's after they are fixed. By default nothing."""

    def form_invalid(self, form):
        if not getattr(form, "_service_checked", False):
            form._service_checked = True
            errors = ErrorCollector()
            try:
                self.check(form, errors)
            except QingxieError as exc:  # a check may raise instead of collecting
                for field, messages_ in exc.errors.items():
                    for message in messages_:
                        errors.add(field, message)
            for field, messages_ in errors.errors.items():
                target = field if field in form.fields else None
                # A field the form already refused keeps its one message (the service saw
                # no value for it and would only repeat or contradict it).
                if target is not None and target in form.errors:
                    continue
                for message in messages_:
                    form.add_error(target, message)
        return super().form_invalid(form)

    def get_success_url(self, result=None):
        target = result if result is not None else self.object
        return target.get_absolute_url()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        name_required_messages(form)
        if self.versioned and self.object is not None:
            form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            form.initial.setdefault("version", self.object.version)
        return form

    def form_valid(self, form):
        if self.versioned:
            self.expected_version = form.cleaned_data.pop("version", None)
        try:
            result = self.perform(form)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except QingxieError as exc:
            add_service_errors(form, exc)
            form._service_checked = True  # the service has just said everything it refuses
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url(result))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=self.title, object=self.object, submit_label=self.submit_label)
        return ctx


def bad_request(request, exception=None):
    """Django's 400 for pages (urls.handler400), saying why when qingxie knows it.

    A file past its upload limit (`core.uploads.UploadTooLarge`, raised while the body
    streams, before any view runs) is a 413 naming the file and the limit; anything else is
    the plain 400 Django would give, in Chinese.
    """
    from django.http import HttpResponse

    from qingxie.core.uploads import UploadTooLarge

    if isinstance(exception, UploadTooLarge):
        text = gettext("%(message)s请返回上一页，选择较小的文件后重新提交。") % {
            "message": exception.message
        }
        status = 413
    else:
        text = gettext("请求有误（400），请返回上一页重试。")
        status = 400
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    """Django's 404 for pages (urls.handler404): the view's own message ("未找到该协会，…")
    when it gave one, else the template's general sentence. Django's default would show
    the resolver's class name ("Resolver404") for an address that matches no page."""
    from django.shortcuts import render
    from django.urls import Resolver404

    message = ""
    if exception is not None and not isinstance(exception, Resolver404):
        first = exception.args[0] if exception.args else ""
        message = first if isinstance(first, str) else ""
    return render(request, "404.html", {"exception": message}, status=404)
