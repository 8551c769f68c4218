"""`qingxie trainings compliance --region <code> --year <YYYY> [--as-of D] [--json]`: the
yearly training rule (每年至少培训一次) of a region, the same JSON as
`GET /api/trainings/compliance`. The operator's command line sees the whole country."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from qingxie.core.errors import QingxieError
from qingxie.regions.models import ROOT_CODE
from qingxie.trainings.selectors import compliance_query


def _rate(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def compliance_lines(data: dict) -> list[str]:
    """The payload as readable Chinese lines: the region, then its children worst first."""
    lines = [
        f"{data['name']}（{data['region']}）{data['year']}年培训情况（截至 {data['as_of']}）",
        f"省、市协会 {data['organisers_required']} 个，举办负责人培训 {data['organisers_held']} 个"
        f"（{_rate(data['organiser_rate'])}）；县级协会 {data['counties_required']} 个，"
        f"负责人参训 {data['counties_trained']} 个（{_rate(data['county_rate'])}）。",
    ]
    if data["own_required"]:
        lines.append(
            "本级协会" + ("已举办负责人培训。" if data["own_held"] else "尚未举办负责人培训。")
        )
    children = sorted(
        data["children"],
        key=lambda c: (c["county_rate"] if c["county_rate"] is not None else 101, c["region"]),
    )
    if children:
        lines.append("")
        lines.append("代码      名称                  举办/应办   参训/县级协会   参训率")
        for c in children:
            lines.append(
                f"{c['region']:<8}  {c['name']:<14}  {c['organisers_held']:>4}/{c['organisers_required']:<4}"
                f"  {c['counties_trained']:>6}/{c['counties_required']:<6}  {_rate(c['county_rate']):>7}"
            )
    return lines


class Command(BaseCommand):
    help = "培训：年度培训情况（与 /api/trainings/compliance 相同）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        comp = sub.add_parser("compliance", help="某区划某年度的培训情况")
        comp.add_argument("--region", default=ROOT_CODE, help="区划代码，默认全国 000000")
        comp.add_argument("--year", help="年度，默认今年")
        comp.add_argument("--as-of", dest="as_of", help="统计日期 YYYY-MM-DD（须在该年度内）")
        comp.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, action, **options):
        try:
            data = compliance_query(None, options["region"], options["year"], options["as_of"])
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
        else:
            for line in compliance_lines(data):
                self.stdout.write(line)
