"""`qingxie backup -o FILE`: database, stored files and a sealed manifest in one archive."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingxie.ops.backup import BackupError, backup_create

SUFFIX = ".qingxie-backup"


class Command(BaseCommand):
    help = "备份数据库与存储文件（含清单与校验和，不含密钥）"

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("-o", "--output", help="备份文件路径")
        where.add_argument(
            "--dir", help="备份目录：写入 qingxie-YYYYmmdd-HHMMSS.qingxie-backup（定时备份用）"
        )
        parser.add_argument(
            "--keep", type=int, default=0, help="与 --dir 合用：只保留最近的 N 个备份，删除更早的"
        )

    def handle(self, *args, **options):
        if options["dir"]:
            directory = Path(options["dir"])
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            output = directory / f"qingxie-{stamp}{SUFFIX}"
        else:
            output = Path(options["output"])
        try:
            result = backup_create(output=output, progress=self.stderr.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        if options["dir"] and options["keep"] > 0:
            # Only after the new one is complete; only files this command named.
            old = sorted(directory.glob(f"qingxie-*{SUFFIX}"))[: -options["keep"]]
            for path in old:
                path.unlink()
                self.stderr.write(f"已删除过期备份 {path.name}")
        m = result.manifest
        self.stdout.write(
            f"已备份到 {result.path}（{result.path.stat().st_size:,} 字节，{m['engine']}，"
            f"{len(m['files']) - 1} 个存储文件）。恢复时需要的个人信息密钥编号："
            + "、".join(m["key_ids"])
        )
