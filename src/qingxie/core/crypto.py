"""Personal fields encrypted at rest: Fernet tokens in the database, plaintext in Python.

Keys come from `settings.FIELD_KEYS` (QINGXIE_FIELD_KEYS, comma-separated Fernet keys, the
first encrypts, all decrypt; or `<data dir>/field_keys`, made on first run). A database dump or
backup without the key holds no readable personal data; rotating keys is `qingxie keys rotate`.

Because each token carries a random IV, two encryptions of one number differ: the database
cannot compare encrypted values, so filters on these fields (other than empty / not empty)
are refused instead of silently matching nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

from qingxie.core.validators import phone_masked

#: Marks a stored value as a Fernet token of scheme version 1, so a later scheme can coexist.
TOKEN_PREFIX = "f1:"


class FieldKeyError(ImproperlyConfigured):
    """A stored personal value cannot be decrypted with the configured keys."""


def parse_keys(text: str) -> list[str]:
    """Keys from a comma- or newline-separated list, in order (the first is current)."""
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("未配置个人信息加密密钥（QINGXIE_FIELD_KEYS）。")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "QINGXIE_FIELD_KEYS 中有无效的密钥：每个密钥应为 `qingxie keys generate` 生成的"
            "44 位 URL 安全 Base64 字符串。"
        ) from exc


def keyring() -> MultiFernet:
    """The MultiFernet of the configured keys (read from settings at each call: tests swap them)."""
    return _multifernet(tuple(settings.FIELD_KEYS))


def generate_key() -> str:
    """A new random Fernet key (32 bytes, URL-safe base64)."""
    return Fernet.generate_key().decode()


def is_token(value: object) -> bool:
    """Whether a stored value is one of our tokens (not a clear value left by an old schema)."""
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def encrypt(value: str) -> str:
    """A versioned token for `value`; the empty string stays empty (nothing to hide)."""
    if not value:
        return ""
    return TOKEN_PREFIX + keyring().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext of a stored token; a clear error when no configured key opens it."""
    if not token:
        return ""
    if not is_token(token):
        raise FieldKeyError(
            "数据库中有未加密的个人信息字段值：请先运行 `qingxie migrate` 完成加密迁移。"
        )
    try:
        return keyring().decrypt(token[len(TOKEN_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise FieldKeyError(
            "个人信息无法解密：QINGXIE_FIELD_KEYS 中没有加密它的密钥（密钥被替换或丢失？）。"
        ) from exc


def rotate(token: str) -> str:
    """The token re-encrypted under the current (first) key; empty stays empty."""
    if not token:
        return ""
    if not is_token(token):
        return encrypt(token)  # a clear value: encrypt it now
    try:
        return TOKEN_PREFIX + keyring().rotate(token[len(TOKEN_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise FieldKeyError(
            "个人信息无法解密：QINGXIE_FIELD_KEYS 中没有加密它的密钥（密钥被替换或丢失？）。"
        ) from exc


def token_length(max_chars: int) -> int:
    """Column width for a token of up to `max_chars` characters (4 UTF-8 bytes each at worst).

    Fernet: version 1 + timestamp 8 + IV 16 + AES-CBC ciphertext (PKCS7, whole 16-byte blocks)
    + HMAC 32 bytes, then URL-safe base64 with padding; plus our prefix.
    """
    raw = 1 + 8 + 16 + (max_chars * 4 // 16 + 1) * 16 + 32
    return len(TOKEN_PREFIX) + 4 * ((raw + 2) // 3)


def fingerprint(value: str) -> str:
    """A short keyed digest of `value`: tells two values apart in the change log without
    revealing them (an 11-digit number could be found from a plain hash, not from this one)."""
    key = hashlib.sha256(("qingxie-changelog:" + settings.FIELD_KEYS[0]).encode()).digest()
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode().lower()


class _EmptyOnlyExact(Exact):
    """`field=""` still works on tokens (empty is stored empty); `field="138…"` cannot."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise NotImplementedError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} 已加密存储，"
                "数据库不能按其内容查找。"
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A CharField stored as a Fernet token: Python code sees the plaintext.

    `max_length` is the length of the plaintext (what forms and validation check); the column
    is wide enough for its token. The change log records a masked value with a keyed
    fingerprint (see `value_to_string`), never the number itself. `masker` hides a value
    for display (phone numbers by default).
    """

    description = "Encrypted text (Fernet)"

    def __init__(self, *args, masker=phone_masked, **kwargs):
        self.masker = masker
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        # The column type of a plain CharField as wide as the token (backends differ in how
        # they spell it: SQLite's is a callable, PostgreSQL's a template).
        return models.CharField(max_length=token_length(self.max_length)).db_type(connection)

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise NotImplementedError(
            f"{self.model.__name__}.{self.name} 已加密存储，数据库不能按其内容筛选（{lookup_name}）。"
        )

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        if value and not isinstance(value, str):
            value = str(value)
        return encrypt(value)

    def value_to_string(self, obj) -> str:
        """How the change log (and any serialization) records the value: masked + fingerprint."""
        value = self.value_from_object(obj) or ""
        if not value:
            return ""
        return f"{self.masker(value)} #{fingerprint(value)}"

    def changelog_value(self, instance) -> str:
        """The value recorded in the change log for `instance` (the bulk logger's hook)."""
        return self.value_to_string(instance)


def recrypt_columns(
    connection, table: str, columns: list[str], convert, *, batch: int = 2000
) -> int:
    """Rewrite every non-empty value of `columns` in `table` through `convert`, in batches.

    Works on the raw column values (not through the model field), so migrations can encrypt
    clear values or decrypt tokens, and `qingxie keys rotate` can re-encrypt; returns the
    number of values rewritten.
    """
    quote = connection.ops.quote_name
    written = 0
    with connection.cursor() as cursor:
        for column in columns:
            last = None
            while True:
                where = f"{quote(column)} <> ''"
                params: list = []
                if last is not None:
                    where += " AND id > %s"
                    params.append(last)
                cursor.execute(
                    f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {where} "
                    f"ORDER BY id LIMIT {int(batch)}",
                    params,
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = [(convert(value), pk) for pk, value in rows]
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", updates
                )
                written += len(updates)
                last = rows[-1][0]
    return written


def _encrypt_clear(value: str) -> str:
    return value if is_token(value) else encrypt(value)


def _decrypt_token(value: str) -> str:
    return decrypt(value) if is_token(value) else value


def migration_operations(model_fields: dict[str, list[str]]):
    """RunPython forward (encrypt clear values) and reverse (decrypt) for {model: [fields]}."""
    from django.db import migrations

    def run(convert):
        def operation(apps, schema_editor):
            for label, fields in model_fields.items():
                model = apps.get_model(label)
                columns = [model._meta.get_field(f).column for f in fields]
                recrypt_columns(schema_editor.connection, model._meta.db_table, columns, convert)

        return operation

    return migrations.RunPython(run(_encrypt_clear), run(_decrypt_token), elidable=False)


def masked_initial(instance, initial: dict) -> dict:
    """Edit-form initial values with every encrypted field masked: a form never shows a clear
    number (seeing one is a logged reveal); `drop_unchanged_masked` reads it back as "keep"."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedCharField) and field.name in initial:
            initial[field.name] = field.masker(getattr(instance, field.attname) or "")
    return initial


def drop_unchanged_masked(instance, fields: dict) -> dict:
    """`fields` without the encrypted ones submitted exactly as their masked current value
    (an edit form or an exported sheet shows them masked; sent back unchanged means keep)."""
    out = dict(fields)
    for field in instance._meta.concrete_fields:
        if isinstance(field, EncryptedCharField) and field.name in out:
            current = getattr(instance, field.attname) or ""
            if current and out[field.name] == field.masker(current):
                del out[field.name]
    return out
