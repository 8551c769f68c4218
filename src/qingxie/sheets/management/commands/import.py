"""`qingxie import <kind> FILE --user USERNAME [--dry-run] [--json]`: import a spreadsheet.

Acts as the named user (their scope applies, the change log credits them, channel "cli") and
writes all rows or none. Every problem is printed with its row and column, and the command
exits with status 1. Progress goes to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingxie.accounts.models import User
from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.core.tabular import run_import
from qingxie.sheets.kinds import KINDS, get_kind
from qingxie.sheets.progress import StderrProgress


class Command(BaseCommand):
    help = "导入表格（xlsx/csv）：全部校验通过才写入，列出每个错误所在的行和列"

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help="表格种类：" + "、".join(k for k, v in KINDS.items() if v.importer)
        )
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--user", required=True, help="以该用户的身份和权限范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验、预览，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, kind, file, user, dry_run, **options):
        try:
            sheet_kind = get_kind(kind, for_import=True)
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件“{file}”。")
        actor = User.objects.filter(username=user).first()
        if actor is None or not actor.is_active:
            raise CommandError(f"用户“{user}”不存在或已停用。")
        progress = StderrProgress(self.stderr._out)
        with change_context(user=actor, channel="cli"):
            report = run_import(
                sheet_kind,
                path,
                filename=path.name,
                actor=actor,
                dry_run=dry_run,
                progress=progress,
            )
        progress.end()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for problem in report.problems:
                self.stdout.write(str(problem))
            self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"导入失败：{len(report.problems)} 处错误，未写入任何数据。")
