"""Accounts managed by each level from the web: invitations, resets, deactivation, own password."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingxie.accounts import selectors, services
from qingxie.accounts.models import Invitation, RoleGrant, User
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange

pytestmark = pytest.mark.django_db

STRONG = "Qingxie-2026-strong"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _invite(client, **data):
    response = client.post("/users/new/", data)
    return response


def _link_token(response) -> str:
    match = re.search(r"/users/invite/([\w-]+)/", response.content.decode())
    assert match, "the page shows the one-time link"
    return match.group(1)


def test_city_admin_invites_a_county_admin_who_sets_a_password(make_user):
    city = make_user("city_admin", "440100")
    response = _invite(
        _client(city),
        username="hz-admin",
        display_name="张海",
        role="county_admin",
        region="440105",
    )
    assert response.status_code == 200
    token = _link_token(response)
    user = User.objects.get(username="hz-admin")
    assert not user.has_usable_password()
    assert RoleGrant.objects.filter(user=user, role="county_admin", region__code="440105").exists()
    # Only the hash of the link is kept.
    assert not Invitation.objects.filter(token_hash=token).exists()

    anonymous = Client()
    page = anonymous.get(f"/users/invite/{token}/")
    assert page.status_code == 200 and "hz-admin" in page.content.decode()
    response = anonymous.post(
        f"/users/invite/{token}/", {"password": STRONG, "password_again": STRONG}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    notes = set(ObjectChange.objects.filter(object_id=str(user.pk)).values_list("note", flat=True))
    assert {"邀请新用户", "通过邀请链接设置密码"} <= notes

    # The link works once.
    again = anonymous.post(
        f"/users/invite/{token}/", {"password": STRONG, "password_again": STRONG}
    )
    assert again.status_code == 410
    assert "已经使用过" in again.content.decode()


def test_expired_and_unknown_links_are_refused(make_user):
    city = make_user("city_admin", "440100")
    user, token = services.user_invite(
        actor=city, username="late", display_name="", role="viewer", region=city.grants.get().region
    )
    Invitation.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(1))
    response = Client().get(f"/users/invite/{token}/")
    assert response.status_code == 410 and "已过期" in response.content.decode()
    response = Client().post(
        f"/users/invite/{token}/", {"password": STRONG, "password_again": STRONG}
    )
    assert response.status_code == 410
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert Client().get("/users/invite/nonsense/").status_code == 404


def test_invitee_weak_password_is_named_and_link_stays_usable(make_user):
    city = make_user("city_admin", "440100")
    _, token = services.user_invite(
        actor=city, username="weak", display_name="", role="viewer", region=city.grants.get().region
    )
    response = Client().post(
        f"/users/invite/{token}/", {"password": "12345678", "password_again": "12345678"}
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert Invitation.objects.get(user__username="weak").used_at is None


def test_county_admin_cannot_grant_a_province_role_nor_elsewhere(make_user, region):
    county = make_user("county_admin", "440105")
    client = _client(county)
    # Not even offered, and refused when posted.
    page = client.get("/users/new/").content.decode()
    assert 'value="province_admin"' not in page
    response = _invite(client, username="p", role="province_admin", region="440000")
    assert response.status_code == 200  # the role is not among the choices: a form error
    assert not User.objects.filter(username="p").exists()
    with pytest.raises(PermissionDeniedError):
        services.user_invite(
            actor=county,
            username="p",
            display_name="",
            role="province_admin",
            region=region("440000"),
        )
    # Another county of the same city: refused, nothing written.
    response = _invite(client, username="th", role="viewer", region="440106")
    assert response.status_code == 403
    assert not User.objects.filter(username="th").exists()


def test_county_admin_gets_404_for_another_countys_user(make_user):
    haizhu = make_user("county_admin", "440105")
    staff = make_user("association_staff", "440106")  # 天河区
    client = _client(haizhu)
    assert client.get(f"/users/{staff.pk}/").status_code == 404
    for suffix, data in [
        ("password/", {"password": STRONG}),
        ("authenticator/", {}),
        ("active/", {"active": "0"}),
        ("grants/", {"role": "viewer", "region": "440105"}),
    ]:
        assert client.post(f"/users/{staff.pk}/{suffix}", data).status_code == 404
    staff.refresh_from_db()
    assert staff.is_active and not staff.must_change_password
    assert staff.username not in client.get("/users/").content.decode()


def test_equal_rank_is_seen_but_not_managed(make_user):
    one = make_user("county_admin", "440105")
    other = make_user("county_admin", "440105")
    client = _client(one)
    page = client.get(f"/users/{other.pk}/")
    assert page.status_code == 200 and "只能查看" in page.content.decode()
    assert client.post(f"/users/{other.pk}/active/", {"active": "0"}).status_code == 403
    # A city administrator above them manages both.
    city = make_user("city_admin", "440100")
    assert set(selectors.managed_users(city).values_list("pk", flat=True)) >= {one.pk, other.pk}


def test_reset_password_forces_a_change_at_next_sign_in(make_user):
    county = make_user("county_admin", "440105")
    staff = make_user("association_staff", "440105")
    response = _client(county).post(f"/users/{staff.pk}/password/", {"password": STRONG})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.must_change_password and staff.check_password(STRONG)
    entry = ObjectChange.objects.filter(object_id=str(staff.pk)).latest("id")
    assert entry.note.startswith("管理员重置密码") and STRONG not in str(entry.after)

    client = Client()
    assert client.login(username=staff.username, password=STRONG)
    response = client.get("/associations/")
    assert response.status_code == 302 and response["Location"] == "/users/me/password/"
    assert client.get("/api/associations/").status_code == 403
    new = "Another-strong-2026"
    response = client.post(
        "/users/me/password/",
        {"old_password": STRONG, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.must_change_password and staff.check_password(new)
    assert client.get("/associations/").status_code == 200


def test_own_password_errors_name_the_field(make_user):
    user = make_user("viewer", "440105")
    response = _client(user).post(
        "/users/me/password/",
        {"old_password": "wrong", "new_password": "short", "new_password_again": "different"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "当前密码不正确" in body and "两次输入的新密码不一致" in body


def test_reset_authenticator_and_deactivate(make_user):
    city = make_user("city_admin", "440100")
    county = make_user("county_admin", "440105")
    TOTPDevice.objects.create(user=county, name="old", confirmed=True)
    client = _client(city)
    assert client.post(f"/users/{county.pk}/authenticator/").status_code == 302
    assert not TOTPDevice.objects.filter(user=county).exists()
    assert client.post(f"/users/{county.pk}/active/", {"active": "0"}).status_code == 302
    county.refresh_from_db()
    assert not county.is_active
    assert client.post(f"/users/{county.pk}/active/", {"active": "1"}).status_code == 302
    county.refresh_from_db()
    assert county.is_active
    notes = list(
        ObjectChange.objects.filter(object_id=str(county.pk), content_type__model="user")
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes[-3:] == ["管理员重置验证器", "停用账号", "启用账号"]


def test_grant_add_and_revoke_keep_the_last_role(make_user, region):
    county = make_user("county_admin", "440105")
    staff = make_user("association_staff", "440105")
    client = _client(county)
    assert (
        client.post(
            f"/users/{staff.pk}/grants/", {"role": "viewer", "region": "440105"}
        ).status_code
        == 302
    )
    grants = list(staff.grants.order_by("id"))
    assert [g.role for g in grants] == ["association_staff", "viewer"]
    assert client.post(f"/users/{staff.pk}/grants/{grants[1].pk}/revoke/").status_code == 302
    with pytest.raises(QingxieError, match="最后一个角色"):
        services.role_grant_revoke(actor=county, grant=grants[0])
    # A county admin role elsewhere: refused.
    response = client.post(
        f"/users/{staff.pk}/grants/", {"role": "county_admin", "region": "440106"}
    )
    assert response.status_code == 403
    assert staff.grants.count() == 1


def test_user_list_shows_roles_and_last_sign_in(make_user):
    county = make_user("county_admin", "440105")
    staff = make_user("association_staff", "440105")
    User.objects.filter(pk=staff.pk).update(last_login=timezone.now())
    make_user("viewer", "440105")  # never signed in
    page = _client(county).get("/users/").content.decode()
    assert staff.username in page and "协会工作人员（海珠区）" in page
    assert "从未登录" in page  # the county admin itself has never signed in
    assert _client(make_user("viewer", "440105")).get("/users/").status_code == 403


def test_nav_shows_user_management_to_administrators_only(make_user):
    admin_page = _client(make_user("county_admin", "440105")).get("/users/me/password/")
    viewer_page = _client(make_user("viewer", "440105")).get("/users/me/password/")
    assert 'id="nav-accounts"' in admin_page.content.decode()
    assert 'id="nav-accounts"' not in viewer_page.content.decode()
    assert 'id="nav-own_password"' in viewer_page.content.decode()


def test_reenrol_authenticator_replaces_the_old_one(make_user):
    admin = make_user("county_admin", "440105")
    old = TOTPDevice.objects.create(user=admin, name="old", confirmed=True)
    client = _client(admin)
    assert client.get("/users/me/authenticator/").status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    bad = client.post("/users/me/authenticator/", {"code": "000000"})
    assert "验证码不正确" in bad.content.decode()
    # The wrong code started django-otp's back-off; a person waits a second, the test resets it.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    assert client.post("/users/me/authenticator/", {"code": code}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=admin).values_list("pk", "confirmed")) == [
        (device.pk, True)
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
