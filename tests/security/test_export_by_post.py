"""Exports by POST (issue 18, item 9): a cross-site GET of an export URL — a link, an image,
a top-level navigation — only shows the form: no file, no export entry in the cadre's name;
a POST without the page's CSRF token is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from qingxie.core.models import ObjectChange
from tests.ledger.test_api import make_association

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    make_association("440105")
    return make_user("county_admin", "440105")


def exports() -> int:
    return ObjectChange.objects.filter(action=ObjectChange.Action.EXPORT).count()


@pytest.mark.parametrize("kind", ["group-members", "ledger", "teams", "coverage"])
def test_a_cross_site_get_of_an_export_downloads_nothing(admin, kind):
    client = Client()
    client.force_login(admin)
    response = client.get(
        f"/sheets/{kind}/export/?region=440105&format=csv",
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_REFERER="http://evil.example/",
    )
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert 'value="440105"' in page  # the link still pre-fills the form
    assert exports() == 0


def test_a_post_without_the_csrf_token_is_refused(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(
        "/sheets/group-members/export/", {"region": "440105", "format": "csv", "as_of": ""}
    )
    assert response.status_code == 403
    assert exports() == 0


def test_the_form_posted_from_the_page_exports_and_is_recorded(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    client.get("/sheets/group-members/export/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/sheets/group-members/export/",
        {"region": "440105", "format": "csv", "as_of": "", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert exports() == 1
