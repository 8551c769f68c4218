"""Generic test cases written once and reused for every object type (NetBox's pattern).

A concrete test class supplies only data: the URL of an object inside a scope, the role and
region of a user who may see it, and an object outside that scope. Each class registers the
object type it covers so the meta-test can fail when a type exposed in the API has no read
tests, or a writable one has no write tests.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from qingxie.core.models import ObjectChange

COVERED_API_MODELS: set[str] = set()
COVERED_API_WRITE_MODELS: set[str] = set()
COVERED_VIEW_MODELS: set[str] = set()

WRITE_METHODS = {"post", "put", "patch", "delete"}

#: The API's error code for each refusal status (qingxie.core.api's exception handler).
ERROR_CODES = {
    400: "invalid",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
}


class _Registered:
    model_label: str = ""
    registry: set[str] = set()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model_label:
            # A class may combine several bases (read and write): register with each.
            for base in cls.__mro__:
                if "registry" in vars(base) and base is not _Registered:
                    vars(base)["registry"].add(cls.model_label)


def api_viewsets() -> dict[str, type]:
    """The API router's viewsets by the label of the model they expose."""
    from qingxie.urls import router

    return {vs.serializer_class.Meta.model._meta.label: vs for _, vs, _ in router.registry}


def viewset_is_writable(viewset) -> bool:
    """Whether a viewset offers any write: create, update, delete, or a POST/PATCH action."""
    if any(hasattr(viewset, name) for name in ("create", "update", "partial_update", "destroy")):
        return True
    return any(set(a.mapping) & WRITE_METHODS for a in viewset.get_extra_actions())


def _login(make_user, role: str | None, code: str | None):
    user = make_user(role, code)
    client = Client()
    client.force_login(user)
    return client, user


def _counts(model) -> tuple[int, int]:
    """Rows of `model` and of the change log: a refused write changes neither."""
    return model.objects.count(), ObjectChange.objects.count()


@pytest.mark.django_db
class ScopedDetailViewTests(_Registered):
    """Page of one object: anonymous → login, in scope → 200, outside scope → 404."""

    registry = COVERED_VIEW_MODELS
    url_in_scope: str
    url_out_of_scope: str
    role: str
    grant_code: str
    expected_text: str

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(self.url_in_scope)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_in_scope_user_sees_the_page(self, client_for):
        response = client_for(self.role, self.grant_code).get(self.url_in_scope)
        assert response.status_code == 200
        assert self.expected_text in response.content.decode()

    def test_out_of_scope_user_gets_404(self, client_for):
        response = client_for(self.role, self.grant_code).get(self.url_out_of_scope)
        assert response.status_code == 404

    def test_user_without_grants_gets_404(self, client_for):
        response = client_for().get(self.url_in_scope)
        assert response.status_code == 404


@pytest.mark.django_db
class ScopedAPIReadTests(_Registered):
    """API read of one object and of the list: 401, 200, 404 outside scope, list filtered."""

    registry = COVERED_API_MODELS
    api_in_scope: str
    api_out_of_scope: str
    api_list: str
    role: str
    grant_code: str
    lookup_key: str
    in_scope_key: str
    out_of_scope_key: str

    def test_anonymous_gets_401(self, client):
        response = client.get(self.api_in_scope)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_in_scope_read(self, client_for):
        response = client_for(self.role, self.grant_code).get(self.api_in_scope)
        assert response.status_code == 200
        assert response.json()[self.lookup_key] == self.in_scope_key

    def test_out_of_scope_read_is_404(self, client_for):
        response = client_for(self.role, self.grant_code).get(self.api_out_of_scope)
        assert response.status_code == 404
        assert "message" in response.json()["error"]

    def test_list_holds_only_in_scope_objects(self, client_for):
        client = client_for(self.role, self.grant_code)
        keys, url = [], self.api_list
        while url:
            body = client.get(url).json()
            keys += [row[self.lookup_key] for row in body["results"]]
            url = body["next"]
        assert self.in_scope_key in keys
        assert self.out_of_scope_key not in keys

    #: The status of an empty POST to `api_list` by the reader above; None: 405 when the
    #: router's viewset creates nothing (read-only, or edits only), else 400 (the empty body
    #: is refused field by field). A reader who may not create this type at all sets 403.
    empty_post_status: int | None = None

    def test_writes_are_refused(self, client_for):
        """A type without a create answers an empty POST 405; one with a create refuses the
        empty body (400), or the reader (403) when they may not create this type.

        Either way nothing is written (the write tests proper are ScopedAPIWriteTests).
        """
        expected = self.empty_post_status
        if expected is None:
            expected = 400 if hasattr(api_viewsets()[self.model_label], "create") else 405
        model = apps.get_model(self.model_label)
        client = client_for(self.role, self.grant_code)
        before = _counts(model)
        response = client.post(self.api_list, {}, content_type="application/json")
        assert response.status_code == expected, response.content.decode()
        error = response.json()["error"]
        assert error["code"] == ERROR_CODES[expected]
        if expected == 400:
            assert error["fields"]
        assert _counts(model) == before


@pytest.mark.django_db
class ScopedAPIWriteTests(_Registered):
    """API writes of one object type, checked the same way for every type.

    Create inside the scope → 201, attributed in the change log; outside it → 403/404 and
    nothing written; a viewer → 403; anonymous → 401; an edit → logged with before and after;
    a read-only or system field in a PATCH → 400 naming it, nothing changed.

    A concrete class supplies the role and region of a writer, `api_list` (where POST creates),
    `api_in_scope` (an existing object to edit), and the data below, usually from an autouse
    fixture that builds its objects and sets these attributes on `self`.
    """

    registry = COVERED_API_WRITE_MODELS
    role: str
    grant_code: str
    api_list: str
    api_in_scope: str
    #: "json" or "multipart" (file uploads).
    create_format: str = "json"
    #: A valid change of the object at `api_in_scope`; None when the type offers no PATCH.
    editable_patch: dict | None = None
    #: A PATCH of fields users may not set (number, status, region…); None: no PATCH.
    read_only_patch: dict | None = None
    #: Who tries to create outside the scope (defaults to the writer above).
    out_of_scope_role: str | None = None
    out_of_scope_code: str | None = None
    #: How a create outside the scope is refused: 403 when the region named is outside it,
    #: 404 when the object it belongs to (an association) is not found within it.
    out_of_scope_status: int = 403

    def create_data(self) -> dict | None:
        """A valid body for a new object inside the scope; None: the type offers no create."""
        return None

    def create_data_out_of_scope(self) -> dict | None:
        """A body for a new object outside the writer's scope (default: `create_data`)."""
        return self.create_data()

    # ------------------------------------------------------------------ helpers

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def _post(self, client, data):
        if self.create_format == "multipart":
            return client.post(self.api_list, data)
        return client.post(self.api_list, data, content_type="application/json")

    def _patch(self, client, data):
        return client.patch(self.api_in_scope, data, content_type="application/json")

    # -------------------------------------------------------------------- tests

    def test_create_in_scope_is_201_and_logged(self, make_user):
        client, user = _login(make_user, self.role, self.grant_code)
        data = self.create_data()
        if data is None:
            before = _counts(self.model)
            response = client.post(self.api_list, {}, content_type="application/json")
            assert response.status_code == 405
            assert _counts(self.model) == before
            return
        existing = set(self.model.objects.values_list("pk", flat=True))
        response = self._post(client, data)
        assert response.status_code == 201, response.content.decode()
        created = self.model.objects.exclude(pk__in=existing)
        assert created.count() == 1
        change = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(created.get().pk),
            action=ObjectChange.Action.CREATE,
        ).get()
        # `before` is None for a plain create (a lazily created row may log its blank state).
        assert change.after and change.before != change.after
        assert change.user_id == user.pk
        assert change.channel == "api"

    def test_create_out_of_scope_writes_nothing(self, make_user):
        client, _ = _login(
            make_user,
            self.out_of_scope_role or self.role,
            self.out_of_scope_code or self.grant_code,
        )
        data = self.create_data_out_of_scope()
        before = _counts(self.model)
        if data is None:
            response = client.post(self.api_list, {}, content_type="application/json")
            assert response.status_code == 405
        else:
            response = self._post(client, data)
            assert response.status_code == self.out_of_scope_status, response.content.decode()
            error = response.json()["error"]
            assert error["code"] == ERROR_CODES[self.out_of_scope_status]
            assert error["message"]
        assert _counts(self.model) == before

    def test_viewer_gets_403_and_nothing_is_written(self, make_user):
        client, _ = _login(make_user, "viewer", self.grant_code)
        before = _counts(self.model)
        data = self.create_data()
        if data is not None:
            response = self._post(client, data)
            assert response.status_code == 403, response.content.decode()
        if self.editable_patch is not None:
            response = self._patch(client, self.editable_patch)
            assert response.status_code == 403, response.content.decode()
        assert _counts(self.model) == before

    def test_anonymous_gets_401(self, client):
        before = _counts(self.model)
        data = self.create_data()
        if data is not None:
            assert self._post(client, data).status_code == 401
        if self.editable_patch is not None:
            assert self._patch(client, self.editable_patch).status_code == 401
        assert _counts(self.model) == before

    def test_edit_in_scope_is_logged_with_before_and_after(self, make_user):
        client, user = _login(make_user, self.role, self.grant_code)
        if self.editable_patch is None:
            assert self._patch(client, {}).status_code == 405
            return
        last = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = self._patch(client, self.editable_patch)
        assert response.status_code == 200, response.content.decode()
        body = response.json()
        for key, value in self.editable_patch.items():
            assert body[key] == value, key
        change = ObjectChange.objects.filter(
            id__gt=last,
            content_type=ContentType.objects.get_for_model(self.model),
            action=ObjectChange.Action.UPDATE,
        ).get()
        assert change.before and change.after and change.before != change.after
        assert change.user_id == user.pk

    def test_read_only_field_in_patch_is_400_and_changes_nothing(self, make_user):
        client, _ = _login(make_user, self.role, self.grant_code)
        if self.read_only_patch is None:
            assert self._patch(client, {}).status_code == 405
            return
        shown = client.get(self.api_in_scope).json()
        before = _counts(self.model)
        response = self._patch(client, self.read_only_patch)
        assert response.status_code == 400, response.content.decode()
        fields = response.json()["error"]["fields"]
        for key in self.read_only_patch:
            assert key in fields
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in fields[key])
        assert client.get(self.api_in_scope).json() == shown
        assert _counts(self.model) == before
