"""`qingxie plans generate|sync|digest|demo`: 一县一策 plans from the command line.

`generate --region <code> --target-date <YYYY-MM-DD> [--goal found|standardize|both]
--user <U> [--dry-run]` makes one plan per lagging county of the region, as user U (whose
scope is checked as on the pages), or prints the preview with --dry-run.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.core.serializers import parse_date


class Command(BaseCommand):
    help = "一县一策：批量生成计划（generate）、按台账关闭任务（sync）、每日提醒（digest）、演示数据（demo）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="为区划内每个落后县生成计划")
        gen.add_argument("--region", required=True, help="省或地市区划代码")
        gen.add_argument("--target-date", help="目标日期 YYYY-MM-DD（默认：下一个覆盖目标）")
        gen.add_argument("--goal", choices=["found", "standardize", "both"])
        gen.add_argument("--user", required=True, help="以该用户身份生成（检查其权限）")
        gen.add_argument("--dry-run", action="store_true", help="只预览，不保存")
        sub.add_parser("sync", help="按台账自动关闭已完成的任务")
        digest = sub.add_parser("digest", help="发送每日提醒")
        digest.add_argument("--as-of", help="日期 YYYY-MM-DD（默认今天）")
        sub.add_parser("demo", help="载入一县一策演示数据")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc

    def _generate(self, *, region, target_date, goal, user, dry_run, **_):
        from qingxie.accounts.models import User
        from qingxie.plans.services import plans_generate
        from qingxie.regions.models import Region

        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在或已停用。")
        area = Region.objects.filter(code=region.strip()).first()
        if area is None:
            raise CommandError(f"行政区划代码“{region}”不存在。")
        target = (
            parse_date(target_date, field="target_date", label="目标日期", allow_future=True)
            if target_date
            else None
        )
        with change_context(channel="cli", user=actor):
            result = plans_generate(
                actor=actor, region=area, goal=goal, target_date=target, dry_run=dry_run
            )
        verb = "将生成" if dry_run else "已生成"
        self.stdout.write(f"{area.name}：{verb} {len(result.drafts)} 个县级单位的计划。")
        for d in result.drafts:
            flag = "（工期不足）" if d.infeasible else ""
            self.stdout.write(
                f"  {d.county.code} {d.county.name} {d.goal_label} 目标 {d.target_date} "
                f"任务 {len(d.tasks)} 项，最早一项须于 {d.first_start} 开始{flag}"
            )
        for county, reason in result.skipped:
            self.stdout.write(f"  跳过 {county.code} {county.name}：{reason}")

    def _sync(self, **_):
        from qingxie.plans.jobs import sync_ledger

        self.stdout.write(f"按台账关闭 {sync_ledger()} 项。")

    def _digest(self, *, as_of=None, **_):
        from qingxie.plans.jobs import daily_digest

        day = parse_date(as_of, field="as_of", label="日期") if as_of else None
        with change_context(channel="cli"):
            self.stdout.write(f"已发送 {daily_digest(day)} 条提醒。")

    def _demo(self, **_):
        from qingxie.plans.demo import demo_plans_load

        with change_context(channel="cli"):
            counts = demo_plans_load()
        self.stdout.write(f"一县一策演示数据：{counts}")
