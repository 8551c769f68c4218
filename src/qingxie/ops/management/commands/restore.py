"""`qingxie restore FILE [--force]`: check everything, then restore database and files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingxie.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库与存储文件（先完整校验；目标已有数据时须 --force，并先备份现有数据）"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument(
            "--force", action="store_true", help="覆盖已有数据（先自动备份到数据目录的 backups/）"
        )

    def handle(self, *args, **options):
        try:
            result = backup_restore(
                path=Path(options["file"]), force=options["force"], progress=self.stderr.write
            )
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        m = result.manifest
        if result.safety_backup:
            self.stdout.write(f"原有数据已先备份到 {result.safety_backup}。")
        self.stdout.write(
            f"已恢复 {m['created_at']} 的备份（{m['engine']}，{len(m['files']) - 1} 个存储文件）。"
        )
