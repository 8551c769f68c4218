"""Generic test cases written once and reused for every object type (NetBox's pattern).

A concrete test class supplies only data: the URL of an object inside a scope, the role and
region of a user who may see it, and an object outside that scope. Each class registers the
object type it covers so the meta-test can fail when a type exposed in the API has no tests.
"""

from __future__ import annotations

import pytest

COVERED_API_MODELS: set[str] = set()
COVERED_VIEW_MODELS: set[str] = set()


class _Registered:
    model_label: str = ""
    registry: set[str] = set()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model_label:
            cls.registry.add(cls.model_label)


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

    def test_writes_are_refused(self, client_for):
        client = client_for(self.role, self.grant_code)
        response = client.post(self.api_list, {}, content_type="application/json")
        assert response.status_code in (403, 405)
