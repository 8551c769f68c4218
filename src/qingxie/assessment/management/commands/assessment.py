"""`qingxie assessment …`: scores of a round, computing a round, the default indicators, the demo.

    qingxie assessment score --round <id> --region <code> [--json]
    qingxie assessment compute --round <id>        (inline, as the job at the cut-off does)
    qingxie assessment default-version             (create the default 2021 indicator system)
    qingxie assessment demo                        (the 2021 demo round and the 示范 library)

The operator's command line sees the whole country, like the system actor of the services.
"""

from __future__ import annotations

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from qingxie.core.errors import QingxieError


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text, width: int, *, left: bool = False) -> str:
    text = str(text)
    pad = " " * max(0, width - _width(text))
    return text + pad if left else pad + text


class Command(BaseCommand):
    help = "年度评估：得分与排名、计算截止日期数据、默认指标体系、演示数据。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="一轮评估在某区划的得分、排名与档次")
        score.add_argument("--round", type=int, required=True, dest="round_id")
        score.add_argument("--region", default="")
        score.add_argument("--json", action="store_true")
        compute = sub.add_parser("compute", help="按数据截止日期计算平台数据指标")
        compute.add_argument("--round", type=int, required=True, dest="round_id")
        sub.add_parser("default-version", help="创建默认指标体系（2021）")
        sub.add_parser("demo", help="载入 2021 年度演示评估与示范库")

    def handle(self, *args, action: str, **opts):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**opts)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc

    def _round(self, round_id):
        from qingxie.assessment.models import Round

        rnd = (
            Round.objects.select_related("region", "indicator_version").filter(pk=round_id).first()
        )
        if rnd is None:
            raise CommandError(f"没有编号为 {round_id} 的评估轮次。")
        return rnd

    def _score(self, *, round_id, region, json: bool = False, **_):
        from qingxie.assessment.selectors import scores_payload
        from qingxie.regions.selectors import region_by_code

        rnd = self._round(round_id)
        where = region_by_code(region) if region else None
        rows = scores_payload(None, rnd, where)
        if json:
            self.stdout.write(_json(rows))
            return
        self.stdout.write(f"{rnd.name}（{(where or rnd.region).name}，{len(rows)} 个协会）")
        self.stdout.write(
            _cell("名次", 5) + "  " + _cell("协会", 28, left=True) + _cell("总分", 8) + "  档次"
        )
        for r in rows:
            self.stdout.write(
                _cell(r["rank"], 5)
                + "  "
                + _cell(r["name"], 28, left=True)
                + _cell(f"{r['total']:.2f}", 8)
                + "  "
                + r["tier"]
            )

    def _compute(self, *, round_id, **_):
        from qingxie.assessment.services import round_compute

        result = round_compute(round_id=self._round(round_id).pk)
        self.stdout.write(
            f"已计算 {result['sheets']} 个协会（新建评估表 {result['created']} 张）。"
        )

    def _default_version(self, **_):
        from qingxie.assessment.services import version_create_default

        version = version_create_default(actor=None)
        self.stdout.write(f"{version.name}（{version.code}）")

    def _demo(self, **_):
        from qingxie.assessment.demo import demo_assessment_load

        self.stdout.write(demo_assessment_load())


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
