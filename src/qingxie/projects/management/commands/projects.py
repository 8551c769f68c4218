"""`qingxie projects demo` (the projects demo data) and `qingxie projects sinking`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError


class Command(BaseCommand):
    help = "志愿服务项目：载入演示数据（demo），品牌项目下沉情况（sinking）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("demo", help="载入项目、项目库、益苗计划与试点社区的演示数据")
        sinking = sub.add_parser("sinking", help="品牌项目下沉县级的情况")
        sinking.add_argument("--region", required=True)
        sinking.add_argument("--as-of", dest="as_of")
        sinking.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        if action == "demo":
            from qingxie.projects.demo import demo_projects_load

            with change_context(channel="cli"):
                counts = demo_projects_load()
            self.stdout.write(
                f"演示项目 {counts['projects']:,} 个，入库 {counts['library_listed']:,} 个，"
                f"赛事 {counts['competitions']} 届，参赛项目 {counts['entries']} 个。"
            )
            return
        from django.utils import timezone

        from qingxie.core.serializers import parse_date
        from qingxie.projects.selectors import sinking
        from qingxie.regions.models import Region

        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"未找到行政区划代码 {options['region']}。")
        try:
            raw = options.get("as_of")
            as_of = (
                parse_date(raw, field="as_of", label="统计日期") if raw else timezone.localdate()
            )
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        figures = sinking(region, as_of)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{figures['name']} {figures['as_of']}：县级单位 {figures['counties']} 个"
        )
        for p in figures["programmes"]:
            self.stdout.write(f"  {p['name']}：{p['counties_counted']} 个县（{p['rate']}%）")
