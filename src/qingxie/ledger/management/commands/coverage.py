"""`qingxie coverage --region <code> --as-of <date> [--depth N] [--json]`: coverage on a date.

Prints the same figures as `GET /api/coverage` (JSON with --json, otherwise a Chinese table).
The operator's command line sees the whole country, like the system actor of the services.
"""

from __future__ import annotations

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from qingxie.core.errors import QingxieError
from qingxie.core.serializers import parse_date
from qingxie.ledger.serializers import coverage_payload
from qingxie.regions.models import ROOT_CODE, Region


def _rate(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text, width: int, *, left: bool = False) -> str:
    text = str(text)
    pad = " " * max(0, width - _width(text))
    return text + pad if left else pad + text


#: Table columns: heading, width, and how to read the value from a node.
COLUMNS = [
    ("代码", 8, lambda n: n["region"]),
    ("县级单位", 9, lambda n: n["counties"]),
    ("已成立", 7, lambda n: n["established"]),
    ("覆盖率", 8, lambda n: _rate(n["coverage_rate"])),
    ("规范化", 7, lambda n: n["standardized"]),
    ("规范化率", 9, lambda n: _rate(n["standardized_rate"])),
    ("乡镇街道", 9, lambda n: n["townships"]),
    ("有队伍", 7, lambda n: n["townships_with_team"]),
    ("建队覆盖率", 11, lambda n: _rate(n["township_rate"])),
]


def coverage_table(data: dict) -> list[str]:
    """The coverage payload as readable Chinese lines: the region, then one row per child."""
    header = _cell("区划", 20, left=True) + "".join(_cell(h, w) for h, w, _ in COLUMNS)

    def row(node: dict, indent: str = "") -> str:
        return _cell(indent + node["name"], 20, left=True) + "".join(
            _cell(get(node), w) for _, w, get in COLUMNS
        )

    def rows(node: dict, indent: str) -> list[str]:
        out = []
        for child in node["children"]:
            out.append(row(child, indent))
            out += rows(child, indent + "  ")
        return out

    lines = [
        f"{data['name']}（{data['region']}）截至 {data['as_of']} 的县级协会覆盖情况",
        f"县级单位 {data['counties']} 个，已成立 {data['established']} 个，"
        f"覆盖率 {_rate(data['coverage_rate'])}；规范化建设 {data['standardized']} 个，"
        f"覆盖率 {_rate(data['standardized_rate'])}；乡镇（街道）建队覆盖率 "
        f"{_rate(data['township_rate'])}。",
        data["projection"]["message"],
    ]
    for target in data["targets"]:
        state = "进度正常" if target["status"] == "on_track" else "落后于目标"
        lines.append(
            f"{target['label']}：现为 {_rate(target['actual'])}，"
            f"应达 {_rate(target['required_now'])}，{state}。"
        )
    if data["children"]:
        lines += ["", header, row(data), *rows(data, "  ")]
    return lines


class Command(BaseCommand):
    help = "县级协会覆盖率：某区划某日的覆盖率、规范化率及下级明细（与 /api/coverage 相同）"

    def add_arguments(self, parser):
        parser.add_argument("--region", default=ROOT_CODE, help="区划代码，默认全国 000000")
        parser.add_argument("--as-of", dest="as_of", help="统计日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--depth", type=int, default=1, help="下级层数 0–3，默认 1")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, region, as_of, depth, **options):
        try:
            day = (
                parse_date(as_of, field="as_of", label="统计日期")
                if as_of
                else timezone.localdate()
            )
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        if not 0 <= depth <= 3:
            raise CommandError("层数 --depth 应为 0 到 3 之间的整数。")
        code = (region or "").strip()
        place = Region.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"行政区划代码“{code}”不存在。")
        if place.level >= Region.Level.TOWNSHIP:
            raise CommandError("覆盖率按县级单位统计，请选择县级及以上区划。")
        data = coverage_payload(place, day, depth=depth)
        if options["json"]:
            # Labels may be lazy translations; DjangoJSONEncoder writes them as text.
            self.stdout.write(json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder))
        else:
            for line in coverage_table(data):
                self.stdout.write(line)
