"""`qingxie demo`: setup, a demo data set clearly marked as such, then serve."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from qingxie.core.context import change_context


class Command(BaseCommand):
    help = "载入演示数据并启动服务（演示账号会打印在控制台）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动服务")

    def handle(self, *args, host, port, no_serve, **options):
        call_command("setup", stdout=self.stdout)
        from qingxie.web.demo import DEMO_PASSWORD, demo_load

        with change_context(channel="cli"):
            users = demo_load()
        self.stdout.write(self.style.WARNING("\n演示数据（仅供演示，非真实数据）。演示账号："))
        for user, role, region in users:
            self.stdout.write(f"  {user:<16} 密码 {DEMO_PASSWORD}   {role} · {region}")
        if not no_serve:
            call_command("serve", host=host, port=port)
