"""`qingxie report bulletin --region <code> --as-of <date> -o FILE.docx|FILE.pdf [--issue N]`,
`qingxie report prepare [--as-of <date>] [--region <code> ...] [--format pdf|docx]`.

`bulletin` writes the 工作信息 bulletin of a region from the ledger, as the region page's
download does. `prepare` writes ahead of time the files the download then serves at once (the
nation's and every province's PDF of today by default; reports.jobs), as the periodic job does.
The operator's command line sees the whole country, like the system actor of the services.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

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
        prepare = sub.add_parser(
            "prepare", help="预先生成全国和各省的工作信息文件，下载时立即可得（数据未变则跳过）"
        )
        prepare.add_argument("--as-of", dest="as_of", help="统计日期 YYYY-MM-DD，默认今天")
        prepare.add_argument(
            "--region", action="append", dest="regions", help="只生成这些区划（可重复）"
        )
        prepare.add_argument("--format", dest="fmt", default="pdf", help="pdf（默认）或 docx")

    def handle(self, *args, kind, as_of, **options):
        # The operator's command line writes Chinese, whatever language is active.
        with translation.override(settings.LANGUAGE_CODE):
            return self._handle(kind=kind, as_of=as_of, **options)

    def _handle(self, *, kind, as_of, **options):
        if kind == "prepare":
            return self._prepare(as_of, options["regions"], options["fmt"])
        return self._bulletin(as_of=as_of, **options)

    def _prepare(self, as_of, regions, fmt):
        from qingxie.reports.files import check_format
        from qingxie.reports.jobs import prepare

        try:
            day = parse_date(as_of, field="as_of", label="统计日期") if as_of else None
            fmt = check_format(fmt)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        codes = [c.strip() for c in regions or []]
        unknown = sorted(
            set(codes) - set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        )
        if unknown:
            raise CommandError(f"行政区划代码“{'、'.join(unknown)}”不存在。")

        def say(code, what, seconds):
            word = "已生成" if what == "written" else "已是最新"
            self.stdout.write(f"{code} {word}（{seconds:.1f} 秒）")

        try:
            done = prepare(as_of=day, codes=codes or None, fmt=fmt, out=say)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        written = sum(1 for _, what, _ in done if what == "written")
        self.stdout.write(
            f"共 {len(done)} 份：新生成 {written} 份，{len(done) - written} 份已是最新。"
        )

    def _bulletin(self, *, region, as_of, issue, output, **options):
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
