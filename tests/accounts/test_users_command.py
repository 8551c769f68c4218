"""`qingxie users add/token/list`: an operator creates a cadre and hands them an API token."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from qingxie.accounts.models import User
from qingxie.core.models import ObjectChange


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("users", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


@pytest.mark.django_db
def test_add_creates_a_user_with_a_scoped_role_and_the_password_from_stdin():
    out = run(
        "add",
        "zhang",
        "--role",
        "county_admin",
        "--region",
        "440105",
        "--name",
        "张三",
        stdin="Haizhu-2026-secret\n",
    )
    assert "已创建用户 zhang" in out and "海珠区" in out
    user = User.objects.get(username="zhang")
    assert user.check_password("Haizhu-2026-secret")
    assert [(g.role, g.region.code) for g in user.grants.all()] == [("county_admin", "440105")]
    logged = ObjectChange.objects.filter(channel="cli")
    assert logged.filter(object_id=str(user.pk), action="create").exists()
    assert logged.filter(object_repr__contains="海珠区", action="create").exists()  # the grant
    client = Client()
    assert client.login(username="zhang", password="Haizhu-2026-secret")
    assert client.get("/regions/440105/").status_code == 200
    assert client.get("/regions/440106/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "a1", "--role", "county_admin", "--region", "440100"), "Str0ng-pass-1\n", "县级"),
        (("add", "a2", "--role", "viewer", "--region", "999999"), "Str0ng-pass-1\n", "999999"),
        (("add", "a3", "--role", "viewer", "--region", "440000"), "123\n", "密码"),
        (("add", "a4", "--role", "viewer", "--region", "440000"), "\n", "密码不能为空"),
        (("token", "nobody"), "", "未找到用户"),
    ],
)
def test_bad_input_is_named_and_nothing_is_created(args, stdin, message):
    with pytest.raises(CommandError, match=message):
        run(*args, stdin=stdin)
    assert not User.objects.filter(username=args[1]).exists()


@pytest.mark.django_db
def test_token_authenticates_the_api_within_scope_and_rotation_revokes_the_old_one():
    run("add", "li", "--role", "city_admin", "--region", "440100", stdin="Guangzhou-2026-secret\n")
    token = run("token", "li").strip()
    assert len(token) == 40
    assert run("token", "li").strip() == token  # asking again prints the same token
    api = Client()
    ok = api.get("/api/regions/440105", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    assert api.get("/api/regions/440300", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404

    new = run("token", "li", "--rotate").strip()
    assert new != token
    assert api.get("/api/regions/440105", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert api.get("/api/regions/440105", HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200
    notes = list(ObjectChange.objects.filter(note__contains="令牌").values_list("note", "after"))
    assert [n for n, _ in notes].count("签发接口令牌") == 1
    assert any(n == "更换接口令牌" for n, _ in notes)
    assert all(token not in str(after) and new not in str(after) for _, after in notes)


@pytest.mark.django_db
def test_list_shows_users_under_a_region():
    run("add", "wang", "--role", "viewer", "--region", "440105", stdin="Viewer-2026-secret\n")
    run("add", "zhao", "--role", "viewer", "--region", "110101", stdin="Viewer-2026-secret\n")
    out = run("list", "--region", "440000")
    assert "wang" in out and "海珠区" in out and "zhao" not in out
