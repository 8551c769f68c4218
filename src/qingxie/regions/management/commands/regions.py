"""`qingxie regions stats|load|build-maps`: inspect and (re)load the division data."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError


class Command(BaseCommand):
    help = "行政区划数据：统计（stats）、载入（load）、生成地图（build-maps）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        stats = sub.add_parser("stats", help="按层级统计现行区划数量")
        stats.add_argument("--json", action="store_true", help="输出 JSON")
        sub.add_parser("load", help="从民政部数据包载入或更新区划（幂等）")
        sub.add_parser("build-maps", help="生成地图文件")

    def handle(self, *args, action, **options):
        if action == "stats":
            from qingxie.regions.selectors import division_stats

            stats = division_stats()
            if options["json"]:
                self.stdout.write(json.dumps(stats, ensure_ascii=False))
            else:
                for key, value in stats.items():
                    self.stdout.write(f"{key}: {value}")
        elif action == "load":
            from qingxie.regions.services import divisions_load
            from qingxie.regions.sources import mca_divisions

            try:
                with change_context(channel="cli"):
                    result = divisions_load(source=mca_divisions())
            except QingxieError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(result.summary())
            if result.retired:
                from qingxie.ledger.services import associations_follow_successors

                with change_context(channel="cli"):
                    for association, old, new in associations_follow_successors():
                        self.stdout.write(
                            f"协会 {association.number} 随区划变更：{old.name}（{old.code}）→ "
                            f"{new.name}（{new.code}），统一编号不变。"
                        )
        elif action == "build-maps":
            from qingxie.regions.maps import maps_build

            result = maps_build(settings.MAPS_DIR)
            self.stdout.write(f"已生成 {len(result.files)} 个地图文件：{settings.MAPS_DIR}")
            missing = sum(len(v) for v in result.missing.values())
            self.stdout.write(f"无边界数据的县级单位：{missing} 个（在各省页面列出）")
