"""`qingxie export template <kind> -o FILE` and
`qingxie export <kind> --region <code> [--as-of <date>] [--format xlsx|csv] [--user U] -o FILE`.

Without --user the operator's command line sees the whole country (like `qingxie coverage`);
with it, the user's scope applies. Phone numbers are masked unless --user names an admin of
the exported region or above (accounts.permissions.may_see_personal_at), and an export of
personal data is recorded in the change log (channel "cli").
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingxie.accounts.models import User
from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.core.serializers import parse_date
from qingxie.sheets.exports import export_region, export_write, template_write
from qingxie.sheets.kinds import KINDS, get_kind
from qingxie.sheets.progress import StderrProgress


class Command(BaseCommand):
    help = "导出表格或下载导入模板：export template <种类>，或 export <种类> --region 代码"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="template，或表格种类：" + "、".join(KINDS))
        parser.add_argument("template_kind", nargs="?", help="export template 后跟表格种类")
        parser.add_argument("-o", "--output", required=True, help="输出文件")
        parser.add_argument("--region", default=None, help="行政区划代码，默认全国 000000")
        parser.add_argument(
            "--as-of", dest="as_of", default=None, help="统计日期 YYYY-MM-DD，默认今天"
        )
        parser.add_argument(
            "--format", choices=("xlsx", "csv"), default=None, help="默认按文件扩展名"
        )
        parser.add_argument("--depth", type=int, default=1, help="覆盖率统计表的下级层数，默认 1")
        parser.add_argument("--user", default=None, help="以该用户的权限范围导出")

    def handle(self, *args, kind, template_kind, output, **options):
        out = Path(output)
        try:
            if kind == "template":
                if not template_kind:
                    raise CommandError(
                        "请指明模板种类，如：qingxie export template ledger -o 模板.xlsx"
                    )
                sheet_kind = get_kind(template_kind, for_import=True)
                with open(out, "wb") as fh:
                    template_write(sheet_kind, fh)
                self.stdout.write(f"已写出“{sheet_kind.title}”导入模板：{out}")
                return
            if template_kind:
                raise CommandError(f"多余的参数“{template_kind}”。")
            sheet_kind = get_kind(kind)
            actor = None
            if options["user"]:
                actor = User.objects.filter(username=options["user"], is_active=True).first()
                if actor is None:
                    raise CommandError(f"用户“{options['user']}”不存在或已停用。")
            region = export_region(actor, options["region"])
            as_of = (
                parse_date(options["as_of"], field="as_of", label="统计日期")
                if options["as_of"]
                else None
            )
            fmt = options["format"] or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
            if not 0 <= options["depth"] <= 3:
                raise CommandError("层数 --depth 应为 0 到 3 之间的整数。")
            progress = StderrProgress(self.stderr._out)
            with open(out, "wb") as fh, change_context(user=actor, channel="cli"):
                count = export_write(
                    actor=actor,
                    kind=sheet_kind,
                    region=region,
                    as_of=as_of,
                    fmt=fmt,
                    stream=fh,
                    progress=progress,
                    depth=options["depth"],
                )
            progress.end()
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导出“{sheet_kind.title}”{count} 行（{region.name}）：{out}")
