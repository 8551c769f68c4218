"""Sign-in with a hostile `next` (issue 18, item 6): after the password, and for an
administrator after the TOTP code, any `next` that is not a page of qingxie leads to the
workbench — never a 500 with the code spent and nobody signed in, never another site."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.test_login import PASSWORD, _code, _signed_in, account  # noqa: F401

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = [
    "foo",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "/no/such/page/",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_after_the_code_a_hostile_next_leads_to_the_workbench(account, target):  # noqa: F811
    admin = account("city_admin", "440100")
    device = TOTPDevice.objects.create(user=admin, name="青协", confirmed=True)
    client = Client()
    step = client.post(
        f"/accounts/login/?next={target}",
        {"username": admin.username, "password": PASSWORD, "next": target},
    )
    assert step.status_code == 302 and step["Location"] == "/accounts/login/code/"
    done = client.post("/accounts/login/code/", {"code": _code(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert _signed_in(client)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_after_the_password_a_hostile_next_leads_to_the_workbench(account, target):  # noqa: F811
    cadre = account("viewer", "440100")
    client = Client()
    response = client.post(
        f"/accounts/login/?next={target}",
        {"username": cadre.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)


def test_a_page_of_qingxie_is_still_followed(account):  # noqa: F811
    cadre = account("viewer", "440100")
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": cadre.username, "password": PASSWORD, "next": "/regions/440100/?tab=1"},
    )
    assert response["Location"] == "/regions/440100/?tab=1"
