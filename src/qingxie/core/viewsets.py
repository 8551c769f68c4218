"""The service-backed API viewset every object type subclasses, with keyset pagination and
the object type's page FilterSet driving its API list.

One shape for every object type (NetBox's NetBoxModelViewSet, HackSoft's thin APIs): the
queryset through `Model.objects.restrict(user, "view")` (outside scope: 404), the page's
FilterSet for `?filters`, `get_object` and the response written once, every write parsed
here and done by one service, the version from the body or `If-Match`, errors in the one
shape of `core.api.exception_handler`.
"""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from qingxie.core.api import error_documenting_schema
from qingxie.core.concurrency import request_version
from qingxie.core.serializers import parse_input, refuse_fields


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pages for lists that grow large: no COUNT(*), stable under inserts.

    The body is {"next", "previous", "results"}; a client follows `next` (an opaque `cursor`
    parameter) until it is null. The order is the viewset's `cursor_ordering`, which must be
    unique (end it with the primary key), so no row is skipped or shown twice.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = ("-id",)

    def get_ordering(self, request, queryset, view):
        return tuple(getattr(view, "cursor_ordering", None) or self.ordering)


@cache
def _without_ordering(filterset_class):
    """The page's FilterSet without its column sort: API lists keep the keyset order."""
    api_class = type(filterset_class.__name__, (filterset_class,), {})
    # Set after the class exists: FilterSet's metaclass rebuilds base_filters from declarations.
    api_class.base_filters = {
        k: v for k, v in filterset_class.base_filters.items() if k != "ordering"
    }
    return api_class


class FilterSetBackend(DjangoFilterBackend):
    """The object type's page FilterSet drives its API list too: one set of filter rules.

    An invalid value (an unknown choice) is a 400 in the one error shape; a filter naming a
    region or number the caller cannot see narrows the list to nothing, as on the page.
    """

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None or "ordering" not in filterset_class.base_filters:
            return filterset_class
        return _without_ordering(filterset_class)


class AttributedViewSetMixin:
    """Make the API user (session or bearer token) the author of every change the view records."""

    schema = error_documenting_schema()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request._request._qingxie_api_user = request.user


def fetch_or_404(queryset, message: str, **lookup):
    """The one object of `queryset` matching `lookup`, or a 404 with `message` (never a trace)."""
    try:
        found = queryset.filter(**lookup).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise exceptions.NotFound(message)
    return found


class ServiceViewSet(
    AttributedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List and detail of one object type through the gate; writes go to its services.

    A subclass names `model`, `serializer_class`, `filterset_class` (the page's FilterSet),
    `select_related`, and `lookup_field` / `lookup_value_regex` when the key is not the id;
    it writes `create`, `partial_update` and actions as: `self.parse(...)`, one service call
    (with `expected_version=self.expected_version()` for edits), `return self.respond(obj)`.
    """

    model = None
    select_related: tuple[str, ...] = ()
    filter_backends = [FilterSetBackend]
    filterset_class = None
    pagination_class = KeysetPagination
    #: Unique keyset order of the list (see KeysetPagination).
    cursor_ordering: tuple[str, ...] = ("-id",)
    lookup_value_regex = r"[0-9]+"
    not_found_message = gettext_lazy("未找到该对象，或不在您的权限范围内。")
    #: Why a write may not carry a key ({"status": "撤销请通过 dissolve 操作记录。"}).
    refused_hints: dict[str, str] = {}

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs

    def lookup_value(self, raw: str):
        """The URL's key as stored (a unified number typed without hyphens, normalized); a
        QingxieError here is a 400 naming the format."""
        return raw

    def get_object(self):
        raw = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        lookup = {self.lookup_field: self.lookup_value(raw)}
        obj = fetch_or_404(self.get_queryset(), self.not_found_message, **lookup)
        self.check_object_permissions(self.request, obj)
        return obj

    def respond(self, obj, code: int = status.HTTP_200_OK) -> Response:
        """The object as saved, re-read through the gate, in the list's shape."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def parse(self, serializer_class, *, allowed=None, partial: bool = False) -> dict:
        """The body's values; keys outside `allowed` (default: the serializer's) are refused."""
        data = self.request.data
        accepted = serializer_class().fields if allowed is None else allowed
        refuse_fields(data, accepted, self.model, self.refused_hints)
        return parse_input(serializer_class, data, partial=partial, model=self.model)

    def expected_version(self) -> int | None:
        """The version the client edits (`version` in the body or If-Match), for the service."""
        return request_version(self.request)
