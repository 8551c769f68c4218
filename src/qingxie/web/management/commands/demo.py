"""`qingxie demo`: setup, a demo data set clearly marked as such, then serve."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from qingxie.core.context import change_context


class Command(BaseCommand):
    help = "载入演示数据并启动服务（演示账号会打印在控制台）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动服务")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务处理进程")

    def handle(self, *args, host, port, no_serve, no_worker=False, **options):
        call_command("setup", stdout=self.stdout)
        from qingxie.ledger.demo import demo_ledger_counts
        from qingxie.web.demo import DEMO_PASSWORD, demo_load

        self.stdout.write("正在生成演示数据：")
        started = time.perf_counter()
        current: list = []  # the step under way and when it started

        def finish() -> None:
            if current:
                self.stdout.write(f" 完成（用时 {time.perf_counter() - current[1]:.1f} 秒）")

        def on_step(label: str) -> None:
            finish()
            current[:] = [label, time.perf_counter()]
            self.stdout.write(f"  {label}……", ending="")
            self.stdout.flush()

        with change_context(channel="cli"):
            users = demo_load(on_step=on_step)
        finish()
        seconds = time.perf_counter() - started
        counts = demo_ledger_counts()
        self.stdout.write(self.style.WARNING("\n演示数据（仅供演示，非真实数据）。演示账号："))
        for user, role, region in users:
            self.stdout.write(f"  {user:<16} 密码 {DEMO_PASSWORD}   {role} · {region}")
        self.stdout.write(
            f"演示台账（用时 {seconds:.1f} 秒）：协会 {counts['associations']:,} 个"
            f"（县级 {counts['county_associations']:,}，在册 {counts['live_associations']:,}，"
            f"已规范化 {counts['standardized']:,}），待核验材料 {counts['awaiting_verification']:,} 项，"
            f"已退回 {counts['returned']:,} 项，团体会员 {counts['group_members']:,} 个，"
            f"基层队伍 {counts['teams']:,} 支。"
        )
        if not no_serve:
            call_command("serve", host=host, port=port, no_worker=no_worker)
