"""`qingxie keys generate` prints a new field key; `qingxie keys rotate` re-encrypts every
personal value under the current (first) key of QINGXIE_FIELD_KEYS.

Rotation: prepend the new key (`QINGXIE_FIELD_KEYS=NEW,OLD`), run `qingxie keys rotate`, then
drop OLD once it reports success. One summary entry goes to the change log (no values).
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from qingxie.core import crypto
from qingxie.core.changelog import log_access
from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange


def encrypted_columns() -> list[tuple[str, list[str]]]:
    """(table, [columns]) of every model with encrypted fields."""
    out = []
    for model in apps.get_models():
        columns = [
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, crypto.EncryptedCharField)
        ]
        if columns:
            out.append((model._meta.db_table, columns))
    return out


class Command(BaseCommand):
    help = (
        "个人信息加密密钥：generate 生成新密钥；rotate 用当前（第一个）密钥重新加密全部个人信息。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate"])
        parser.add_argument("--batch", type=int, default=2000, help="每批重新加密的行数")

    def handle(self, *args, action: str, batch: int, **options):
        if action == "generate":
            self.stdout.write(crypto.generate_key())
            return
        try:
            crypto.keyring()
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        total = 0
        try:
            with change_context(user=None, channel="system"), transaction.atomic():
                for table, columns in encrypted_columns():
                    n = crypto.recrypt_columns(
                        connection, table, columns, crypto.rotate, batch=batch
                    )
                    self.stdout.write(f"{table}：{n} 个值已用当前密钥重新加密")
                    total += n
                log_access(
                    None,
                    ObjectChange.Action.UPDATE,
                    what=f"个人信息密钥轮换：{total} 个值已用当前密钥重新加密",
                )
        except crypto.FieldKeyError as exc:
            raise CommandError(f"{exc} 未做任何修改。") from exc
        self.stdout.write(
            self.style.SUCCESS(f"完成：共 {total} 个值。现在可以从密钥列表中删除旧密钥。")
        )
