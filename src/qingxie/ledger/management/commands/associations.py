"""`qingxie associations show <number> [--json]`: one association from the ledger."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingxie.core.errors import QingxieError
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize


class Command(BaseCommand):
    help = "协会台账：按统一编号查看一个协会（show）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="按统一编号查看协会（可不带连字符）")
        show.add_argument("number", help="统一编号，如 440105-3-01-4")
        show.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, action, number, **options):
        from qingxie.ledger.serializers import AssociationSerializer

        try:
            canonical = number_normalize(number)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        found = (
            Association.objects.select_related("region", "merged_into")
            .filter(number=canonical)
            .first()
        )
        if found is None:
            raise CommandError(f"没有统一编号为 {canonical} 的协会。")
        data = AssociationSerializer(found, context={"request": None}).data
        data.pop("url", None)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        seats = found.seats.filter(until__isnull=True).count()
        lines = [
            f"{found.name}（{found.number}）",
            f"区划：{found.region.name}（{found.region.code}），{found.get_level_display()}",
            f"组织形式：{found.get_form_display()}",
            f"成立日期：{found.established_on}",
            f"状态：{found.get_status_display()}（自 {found.status_since}）",
            f"民政登记：{'已登记 ' + found.uscc if found.registered else '未登记'}",
            f"规范化建设：{'自 ' + str(found.standardized_since) if found.standardized_since else '未认定'}",
            f"会长：{found.president_name or '—'}  秘书长：{found.secretary_name or '—'}",
            f"持有席位：{seats} 个",
        ]
        for line in lines:
            self.stdout.write(line)
