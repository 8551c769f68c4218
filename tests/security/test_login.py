"""Sign-in protection: lockout after repeated failures (django-axes), TOTP second step for
administrators (django-otp), idle sign-out, password validators, API rate and page limits."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingxie.accounts.models import User
from qingxie.core.models import ObjectChange

PASSWORD = "Haizhu-2026-secret"


@pytest.fixture
def account(make_user):
    """account(role, code) → a user with a real password, PASSWORD."""

    def make(role, code, **kwargs):
        user = make_user(role, code, **kwargs)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- lockout ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_name_at_that_address(account):
    user = account("viewer", "440000")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        response = _login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert (
            "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()
        )
    locked = _login(client, user.username, "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已暂时锁定" in page and "连续 5 次登录失败" in page and "30 分钟" in page
    assert "Content-Security-Policy" in locked.headers
    # Even the right password is refused while locked, and nothing is signed in.
    again = _login(client, user.username)
    assert again.status_code == 429 and not _signed_in(client)
    # The same name from another address, and another name from this one, still sign in.
    other_ip = Client(REMOTE_ADDR="203.0.113.8")
    assert _login(other_ip, user.username).status_code == 302 and _signed_in(other_ip)
    colleague = account("viewer", "440100")
    same_ip = Client(REMOTE_ADDR="203.0.113.7")
    assert _login(same_ip, colleague.username).status_code == 302


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(account):
    user = account("viewer", "440000")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username).status_code == 429
    # 31 minutes later (the attempts' time moved back instead of sleeping).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = _login(client, user.username)
    assert response.status_code == 302 and _signed_in(client)


@pytest.mark.django_db
def test_a_success_resets_the_count(account):
    user = account("viewer", "440000")
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(4):
        _login(client, user.username, "wrong-password")
    assert _login(client, user.username).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _login(client, user.username, "wrong-password").status_code == 200
    assert _login(client, user.username).status_code == 302


@pytest.mark.django_db
def test_forwarded_for_is_not_believed_without_a_trusted_proxy(account):
    """A client cannot dodge the lockout by writing a new X-Forwarded-For on every attempt."""
    user = account("viewer", "440000")
    client = Client(REMOTE_ADDR="203.0.113.11")
    for n in range(5):
        _login(client, user.username, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert _login(client, user.username, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


# --- two-factor for administrators ------------------------------------------------------------


def _enrol_device(client) -> TOTPDevice:
    page = client.get("/accounts/login/enrol/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "启用二次验证" in html and "<svg" in html and 'id="otp-secret"' in html
    return TOTPDevice.objects.get(confirmed=False)


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _assert_nothing_reachable(client):
    assert not _signed_in(client)
    for path in ["/", "/regions/440000/", "/coverage/440000/", "/teams/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    api = client.get("/api/regions/")
    assert api.status_code == 401


@pytest.mark.django_db
def test_admin_without_a_device_enrols_before_any_page(account):
    admin = account("province_admin", "440000")
    client = Client()
    response = _login(client, admin.username)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/enrol/"
    _assert_nothing_reachable(client)
    device = _enrol_device(client)
    # The secret shown as text is the device's key.
    from base64 import b32encode

    html = client.get("/accounts/login/enrol/").content.decode()
    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    # A wrong code is refused and signs nobody in.
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    refused = client.post("/accounts/login/enrol/", {"code": wrong})
    assert refused.status_code == 200 and "验证码不正确" in refused.content.decode()
    _assert_nothing_reachable(client)
    device.refresh_from_db()
    assert not device.confirmed
    # The right one confirms the device and signs in.
    device.throttling_failure_count = 0  # the one wrong code above delays the next try by 1 s
    device.save()
    done = client.post("/accounts/login/enrol/", {"code": _code(device)})
    assert done.status_code == 302 and done["Location"] == "/"
    assert _signed_in(client)
    assert client.get("/regions/440000/").status_code == 200
    assert client.get("/api/regions/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert ObjectChange.objects.filter(
        object_id=str(admin.pk), note__contains="启用二次验证"
    ).exists()


@pytest.mark.django_db
def test_admin_with_a_device_gives_the_current_code(account):
    admin = account("county_admin", "440105")
    device = TOTPDevice.objects.create(user=admin, name="青协", confirmed=True)
    client = Client()
    response = _login(client, admin.username, HTTP_HOST="testserver")
    assert response["Location"] == "/accounts/login/code/"
    _assert_nothing_reachable(client)
    assert "二次验证" in client.get("/accounts/login/code/").content.decode()
    wrong = f"{(int(_code(device)) + 7) % 1_000_000:06d}"
    refused = client.post("/accounts/login/code/", {"code": wrong})
    assert "验证码不正确" in refused.content.decode()
    _assert_nothing_reachable(client)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    assert client.post("/accounts/login/code/", {"code": _code(device)}).status_code == 302
    assert _signed_in(client)
    assert client.get("/regions/440105/").status_code == 200
    # A code is good once: a replay on a new login is refused.
    replay = Client()
    _login(replay, admin.username)
    assert (
        "验证码不正确"
        in replay.post("/accounts/login/code/", {"code": _code(device)}).content.decode()
    )
    assert not _signed_in(replay)


@pytest.mark.django_db
def test_the_code_step_keeps_the_next_page(account):
    admin = account("city_admin", "440100")
    device = TOTPDevice.objects.create(user=admin, name="青协", confirmed=True)
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": admin.username, "password": PASSWORD, "next": "/regions/440100/"},
    )
    done = client.post("/accounts/login/code/", {"code": _code(device)})
    assert done["Location"] == "/regions/440100/"


@pytest.mark.django_db
def test_the_code_step_expires(account):
    admin = account("city_admin", "440100")
    TOTPDevice.objects.create(user=admin, name="青协", confirmed=True)
    client = Client()
    _login(client, admin.username)
    session = client.session
    session["qingxie_otp_pending"]["since"] = int(time.time()) - 6 * 60
    session.save()
    response = client.get("/accounts/login/code/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(account):
    admin = account("province_admin", "440000")
    device = TOTPDevice.objects.create(user=admin, name="青协", confirmed=True)
    client = Client(REMOTE_ADDR="203.0.113.20")
    wrong = f"{(int(_code(device)) + 3) % 1_000_000:06d}"
    responses = []
    for _ in range(5):
        if "qingxie_otp_pending" not in client.session:
            _login(client, admin.username)
        device.throttling_failure_count = 0  # past django-otp's own growing delay
        device.save()
        responses.append(client.post("/accounts/login/code/", {"code": wrong}))
    response = responses[-1]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "登录已暂时锁定" in response.content.decode()
    # Now even the right password and code get nowhere from this address.
    assert _login(client, admin.username).status_code == 429
    assert not _signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "association_staff", "auditor"])
def test_other_roles_are_not_asked_for_a_code(account, role):
    user = account(role, "440000")
    client = Client()
    response = _login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_superuser_is_asked(account):
    user = account(None, None, is_superuser=True)
    response = _login(Client(), user.username)
    assert response["Location"] == "/accounts/login/enrol/"


@pytest.mark.django_db
def test_demo_admins_are_exempt_and_told_so(account):
    demo = account("province_admin", "440000", is_demo=True)
    client = Client()
    assert _login(client, demo.username)["Location"] == "/"
    page = client.get("/regions/440000/").content.decode()
    assert "演示账号未启用二次验证" in page
    real = account("viewer", "440000")
    other = Client()
    _login(other, real.username)
    assert "演示账号未启用二次验证" not in other.get("/regions/440000/").content.decode()


@pytest.mark.django_db
def test_admin_otp_can_be_turned_off(account, settings):
    settings.QINGXIE_ADMIN_OTP = False
    admin = account("national_admin", "000000")
    client = Client()
    assert _login(client, admin.username)["Location"] == "/"
    assert _signed_in(client)


# --- idle sign-out, passwords ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(account, settings):
    user = account("viewer", "440000")
    client = Client()
    _login(client, user.username)
    assert client.get("/regions/440000/").status_code == 200
    session = client.session
    session["qingxie_seen"] = int(time.time()) - settings.QINGXIE_IDLE_SECONDS - 5
    session.save()
    response = client.get("/regions/440000/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not _signed_in(client)
    assert "长时间未操作" in client.get(response["Location"]).content.decode()
    assert client.get("/api/regions/").status_code == 401


@pytest.mark.django_db
def test_an_active_session_stays(account, settings):
    user = account("viewer", "440000")
    client = Client()
    _login(client, user.username)
    session = client.session
    session["qingxie_seen"] = int(time.time()) - settings.QINGXIE_IDLE_SECONDS + 60
    session.save()
    assert client.get("/regions/440000/").status_code == 200
    assert client.session["qingxie_seen"] >= int(time.time()) - 5  # refreshed


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("12345678\n"))
    with pytest.raises(CommandError, match="密码"):
        call_command("createadmin", "--username", "root2", "--password-stdin", stdout=StringIO())
    assert not User.objects.filter(username="root2").exists()


# --- API limits ------------------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    """rates(anon, user): throttle rates for this test (DRF reads them once, at import)."""
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    def set_rates(anon: str, user: str):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
        }
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    yield set_rates
    del settings.REST_FRAMEWORK
    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.mark.django_db
def test_anonymous_api_calls_are_rate_limited_per_address(rates):
    """The schema is the one endpoint open to anonymous callers; every other one answers 401
    before any work (and sign-in attempts are counted by the lockout)."""
    rates("3/min", "1200/min")
    client = Client(REMOTE_ADDR="198.51.100.1")
    assert [client.get("/api/schema").status_code for _ in range(3)] == [200] * 3
    limited = client.get("/api/schema")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # Another address is not affected.
    assert Client(REMOTE_ADDR="198.51.100.2").get("/api/schema").status_code == 200


@pytest.mark.django_db
def test_signed_in_api_calls_are_rate_limited_per_user(client_for, rates):
    rates("30/min", "5/min")
    client = client_for("viewer", "440000")
    assert [client.get("/api/regions/440000/").status_code for _ in range(5)] == [200] * 5
    limited = client.get("/api/regions/440000/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    body = json.loads(limited.content)["error"]
    assert body["code"] == "throttled" and "限" in body["message"]
    # Another user (same address) is not affected.
    assert client_for("viewer", "440000").get("/api/regions/440000/").status_code == 200


def test_the_default_rates():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_THROTTLE_RATES == {"anon": "30/min", "user": "1200/min"}


@pytest.mark.django_db
def test_page_size_is_capped_at_500(client_for):
    client = client_for("national_admin", "000000")
    body = client.get("/api/regions/", {"page_size": 100_000}).json()
    assert len(body["results"]) == 500
    assert body["count"] > 500
    assert len(client.get("/api/regions/", {"page_size": 20}).json()["results"]) == 20
    assert len(client.get("/api/regions/").json()["results"]) == 50
