"""`qingxie users`: add a user with a role on a region, print an API token, list users.

    qingxie users add <username> --role county_admin --region 440105 [--name 姓名]
        (password read from standard input: one line; asked twice on a terminal)
    qingxie users token <username> [--rotate]
    qingxie users list [--region 440000]

Run by the operator on the server, so it acts as the system: every write is change-logged
with channel "cli".
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qingxie.accounts.models import RoleGrant, User
from qingxie.accounts.roles import Role
from qingxie.accounts.services import api_token_issue, role_grant_create, user_create
from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.core.models import subtree_q
from qingxie.regions.models import Region


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != password:
        raise CommandError("两次输入的密码不一致。")
    return password


class Command(BaseCommand):
    help = "用户管理：添加用户并授予角色、签发接口令牌、列出用户"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="添加用户并在一个行政区划上授予角色（密码从标准输入读取）")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values, help="角色")
        add.add_argument("--region", required=True, help="行政区划代码，如 440105")
        add.add_argument("--name", default="", help="姓名")
        token = sub.add_parser("token", help="打印用户的接口令牌（没有则签发）")
        token.add_argument("username")
        token.add_argument("--rotate", action="store_true", help="作废旧令牌，签发新令牌")
        listing = sub.add_parser("list", help="列出用户及其角色")
        listing.add_argument("--region", default=None, help="只列出在该区划及其下级上有角色的用户")

    def handle(self, *args, action, **options):
        try:
            with change_context(channel="cli"):
                getattr(self, f"_{action}")(**options)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc

    def _region(self, code: str) -> Region:
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise CommandError(f"未找到行政区划代码 {code}。")
        return region

    def _add(self, *, username, role, region, name, **_):
        place = self._region(region)
        password = _read_password()
        if not password:
            raise CommandError("密码不能为空（从标准输入读取一行）。")
        with transaction.atomic():
            user = user_create(username=username, password=password, display_name=name)
            role_grant_create(actor=None, user=user, role=role, region=place)
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建用户 {username}：{Role(role).label} · {place.name}（{place.code}）"
            )
        )

    def _token(self, *, username, rotate, **_):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"未找到用户 {username}。")
        self.stdout.write(api_token_issue(actor=None, user=user, rotate=rotate))

    def _list(self, *, region, **_):
        grants = RoleGrant.objects.select_related("user", "region").order_by(
            "region__code", "user__username"
        )
        if region:
            grants = grants.filter(subtree_q("region__path", self._region(region).path))
        for g in grants:
            state = "" if g.user.is_active else "（已停用）"
            self.stdout.write(
                f"{g.user.username}\t{g.user.display_name}\t{g.get_role_display()}\t"
                f"{g.region.code} {g.region.name}{state}"
            )
