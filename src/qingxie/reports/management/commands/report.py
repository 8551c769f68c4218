"""`qingxie report bulletin --region <code> --as-of <date> -o FILE.docx|FILE.pdf [--issue N]`.

Writes the 工作信息 bulletin of a region from the ledger, as the region page's download does.
The operator's command line sees the whole country, like the system actor of the services.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qingxie.core.errors import QingxieError
from qingxie.core.serializers import parse_date
from qingxie.regions.models import Region
from qingxie.reports.files import bulletin_file


class Command(BaseCommand):
    help = "工作信息：由台账数据生成某区划某日的工作信息（bulletin），输出 Word 或 PDF"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        bulletin = sub.add_parser("bulletin", help="工作信息（覆盖率、分地区表、地图、趋势、目标）")
        bulletin.add_argument("--region", required=True, help="区划代码，如 440000；全国为 000000")
        bulletin.add_argument("--as-of", dest="as_of", help="统计日期 YYYY-MM-DD，默认今天")
        bulletin.add_argument("--issue", type=int, help="期号，如 5 印作“2021年第5期”；不填则不印")
        bulletin.add_argument(
            "-o", "--output", required=True, help="输出文件，以 .docx（Word）或 .pdf 结尾"
        )

    def handle(self, *args, kind, region, as_of, issue, output, **options):
        try:
            day = (
                parse_date(as_of, field="as_of", label="统计日期")
                if as_of
                else timezone.localdate()
            )
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        target = Path(output)
        if target.suffix.lower() not in (".docx", ".pdf"):
            raise CommandError(f"输出文件“{output}”应以 .docx（Word）或 .pdf 结尾。")
        if not target.parent.is_dir():
            raise CommandError(f"输出目录“{target.parent}”不存在。")
        code = (region or "").strip()
        place = Region.objects.filter(code=code).first()
        if place is None:
            raise CommandError(f"行政区划代码“{code}”不存在。")
        try:
            written = bulletin_file(region=place, as_of=day, fmt=target.suffix, issue=issue)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        target.write_bytes(written.content)
        self.stdout.write(f"已生成 {target}（{written.bulletin.headline}，截至 {day:%Y-%m-%d}）")
        self.stdout.write(written.bulletin.sections[0].blocks[0])
