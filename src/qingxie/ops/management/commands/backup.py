"""`qingxie backup -o FILE`: database, stored files and a sealed manifest in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingxie.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库与存储文件（含清单与校验和，不含密钥）"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="备份文件路径")

    def handle(self, *args, **options):
        try:
            result = backup_create(output=Path(options["output"]), progress=self.stderr.write)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        m = result.manifest
        self.stdout.write(
            f"已备份到 {result.path}（{result.path.stat().st_size:,} 字节，{m['engine']}，"
            f"{len(m['files']) - 1} 个存储文件）。恢复时需要的个人信息密钥编号："
            + "、".join(m["key_ids"])
        )
