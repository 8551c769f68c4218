"""`qingxie createadmin`: a national administrator (superuser with a national grant)."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from qingxie.accounts.roles import Role
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.regions.models import ROOT_CODE, Region


class Command(BaseCommand):
    help = "创建全国管理员账号（密码从终端或标准输入读取）"

    def add_arguments(self, parser):
        parser.add_argument("--username", default=None)
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")

    def handle(self, *args, username, name, password_stdin, **options):
        username = username or input("用户名：").strip()
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码：")
            if getpass.getpass("再次输入密码：") != password:
                raise CommandError("两次输入的密码不一致。")
        root = Region.objects.filter(code=ROOT_CODE).first()
        if root is None:
            raise CommandError("尚未载入行政区划，请先运行 `qingxie setup`。")
        try:
            with change_context(channel="cli"):
                user = user_create(
                    username=username, password=password, display_name=name, is_superuser=True
                )
                role_grant_create(actor=None, user=user, role=Role.NATIONAL_ADMIN, region=root)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建全国管理员 {username}。"))
