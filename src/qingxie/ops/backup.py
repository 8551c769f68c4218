"""`qingxie backup` / `qingxie restore`: the database, the stored files and a manifest, in one tar.

The archive holds `manifest.json`, the database (`database.sqlite3`, an online consistent copy
through SQLite's backup API; or `database.pgdump`, `pg_dump` custom format) and `storage/…`
(uploads, evidence, generated files). The manifest records the schema version (the last
applied migration of each app), the SHA-256 and size of every member, and the ids of the
personal-data keys the encrypted fields need — never the keys. It is sealed with an HMAC
under a key derived from the first of those keys, so an altered manifest (or member) is
refused as surely as a truncated file; restoring needs the keys anyway.

Restore checks everything before writing anything: format, seal, every checksum, schema not
newer than this code, keys present. Into a database that holds anything a person entered it
restores only with `force`, and then first backs up what is there.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from qingxie.core.crypto import TOKEN_PREFIX, EncryptedCharField
from qingxie.core.errors import QingxieError

FORMAT = "qingxie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SEAL = "manifest.hmac"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
STORAGE_PREFIX = "storage/"
CHUNK = 1024 * 1024


class BackupError(QingxieError):
    """A backup or restore refused, with a message the operator can act on."""


def key_id(key: str) -> str:
    """A public id of a personal-data key: names it in a manifest without revealing it."""
    return hashlib.sha256(f"qingxie-field-key:{key.strip()}".encode()).hexdigest()[:16]


def _seal_key(key: str) -> bytes:
    return hashlib.sha256(f"qingxie-backup-seal:{key.strip()}".encode()).digest()


def _engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"不支持备份该数据库：{engine}")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def schema_version() -> dict[str, str]:
    """The last applied migration of each app (what a restore compares with this code)."""
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def code_schema_version() -> dict[str, str]:
    """The last migration of each app this code knows."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app, name in loader.disk_migrations:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every encrypted personal field of every installed model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                found.append((model._meta.db_table, field.column))
    return sorted(set(found))


def keys_in_use(conn=None) -> list[str]:
    """Ids of the configured keys that open at least one stored personal value (first key
    always listed: it seals the manifest). A value no configured key opens is an error."""
    conn = conn or connection
    keys = list(settings.FIELD_KEYS)
    fernets = [(k, Fernet(k.encode())) for k in keys]
    used = {keys[0]}
    quote = conn.ops.quote_name
    with conn.cursor() as cursor:
        for table, column in encrypted_columns():
            cursor.execute(
                f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
            )
            for (value,) in cursor.fetchall():
                if not isinstance(value, str) or not value.startswith(TOKEN_PREFIX):
                    continue
                token = value[len(TOKEN_PREFIX) :].encode()
                for key, fernet in fernets:
                    try:
                        fernet.decrypt(token)
                    except InvalidToken:
                        continue
                    used.add(key)
                    break
                else:
                    raise BackupError(
                        f"{table}.{column} 中有无法用已配置密钥解密的个人信息，请先检查 QINGXIE_FIELD_KEYS。"
                    )
    return [key_id(k) for k in keys if k in used]


def _storage_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _sqlite_copy(target: Path) -> None:
    """An online, consistent copy of the live SQLite database (writers may go on)."""
    name = Path(settings.DATABASES["default"]["NAME"])
    if not name.exists():
        raise BackupError(f"数据库文件 {name} 不存在：请先运行 qingxie setup。")
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy, pages=4096)
    finally:
        copy.close()
        source.close()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(
            f"找不到 {cmd[0]}：请安装与服务器版本相同的 PostgreSQL 客户端（postgresql-client）。"
        )
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{result.stderr.strip()[:500]}")


def _pg_dump(target: Path) -> None:
    args, env = _pg_env()
    name = settings.DATABASES["default"]["NAME"]
    _run(["pg_dump", *args, "-Fc", "--no-owner", "--no-privileges", "-f", str(target), name], env)


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup_create(*, output: Path, progress=None) -> BackupResult:
    """Write a backup archive of the database and the stored files to `output`.

    Written to a temporary file beside `output` and renamed at the end, so a failed or
    interrupted backup never leaves a file that looks whole.
    """
    say = progress or (lambda message: None)
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    storage = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".qingxie-backup-") as tmp:
        tmp = Path(tmp)
        member = SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER
        say("正在复制数据库……")
        if engine == "sqlite":
            _sqlite_copy(tmp / member)
        else:
            _pg_dump(tmp / member)
        say("正在核对个人信息加密密钥……")
        key_ids = keys_in_use()
        files = {
            member: {"sha256": _sha256_file(tmp / member), "size": (tmp / member).stat().st_size}
        }
        stored = _storage_files(storage)
        say(f"正在登记 {len(stored)} 个存储文件……")
        for path in stored:
            name = STORAGE_PREFIX + path.relative_to(storage).as_posix()
            files[name] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
        from qingxie import __version__

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "qingxie_version": __version__,
            "engine": engine,
            "database": member,
            "schema": schema_version(),
            "key_ids": key_ids,
            "files": files,
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        seal = hmac.new(_seal_key(settings.FIELD_KEYS[0]), body, hashlib.sha256).hexdigest()
        partial = tmp / "archive.tar"
        say("正在写入备份文件……")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, body)
            _add_bytes(tar, SEAL, seal.encode())
            tar.add(tmp / member, arcname=member)
            for path in stored:
                tar.add(path, arcname=STORAGE_PREFIX + path.relative_to(storage).as_posix())
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    return BackupResult(output, manifest)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


# --------------------------------------------------------------------------------- restore


def _damaged(detail: str) -> BackupError:
    return BackupError(f"备份文件已损坏或被改动（{detail}），未做任何恢复。", code="damaged")


def backup_verify(path: Path, *, workdir: Path) -> dict:
    """Check an archive and unpack it into `workdir`; the manifest, or BackupError.

    Nothing outside `workdir` is written. Checks, in order: a readable tar, the manifest and
    its seal (with a configured key of the listed ids), every member's size and SHA-256, no
    member missing or extra, the keys, the schema.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。", code="not_found")
    try:
        with tarfile.open(path, "r:") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names or SEAL not in names:
                raise _damaged("缺少清单")
            body = tar.extractfile(MANIFEST).read()
            seal = tar.extractfile(SEAL).read().decode().strip()
            manifest = json.loads(body)
            if manifest.get("format") != FORMAT:
                raise BackupError("这不是青协的备份文件。", code="not_a_backup")
            if manifest.get("format_version", 0) > FORMAT_VERSION:
                raise BackupError(
                    "该备份文件来自更新版本的青协，请先升级本机的青协。", code="newer"
                )
            _check_keys(manifest, body, seal)
            expected = manifest["files"]
            present = {m.name for m in members if m.isfile()} - {MANIFEST, SEAL}
            if present != set(expected):
                missing = sorted(set(expected) - present)
                raise _damaged(f"缺少 {missing[0]}" if missing else "多出未登记的文件")
            for member in members:
                if member.name in (MANIFEST, SEAL) or not member.isfile():
                    continue
                if member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise _damaged(f"不安全的路径 {member.name}")
                target = workdir / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                want = expected[member.name]
                if size != want["size"] or digest.hexdigest() != want["sha256"]:
                    raise _damaged(f"{member.name} 的校验和不符")
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError) as exc:
        raise _damaged(f"无法完整读取：{exc.__class__.__name__}") from exc
    _check_schema(manifest)
    return manifest


def _check_keys(manifest: dict, body: bytes, seal: str) -> None:
    configured = {key_id(k): k for k in settings.FIELD_KEYS}
    needed = list(manifest.get("key_ids") or [])
    missing = [k for k in needed if k not in configured]
    if missing:
        raise BackupError(
            "恢复需要个人信息加密密钥 "
            + "、".join(missing)
            + "，本机的 QINGXIE_FIELD_KEYS（或数据目录中的 field_keys）里没有。"
            "请把原机器的密钥配置到本机后再恢复（备份文件从不包含密钥）。",
            code="keys_missing",
        )
    if not needed:
        raise _damaged("清单没有密钥编号")
    sealing = configured[needed[0]]
    want = hmac.new(_seal_key(sealing), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, seal):
        raise _damaged("清单的签名不符")


def _check_schema(manifest: dict) -> None:
    known = code_schema_version()
    for app, name in manifest.get("schema", {}).items():
        if app in known and name > known[app]:
            raise BackupError(
                f"备份的数据库结构（{app} {name}）比本机的青协更新，请先升级本机的青协再恢复。",
                code="newer",
            )


def database_holds_data() -> bool:
    """Whether the target database holds anything a person entered: any user or any change-log
    entry (`qingxie setup` alone loads only the division list, which a restore replaces)."""
    from django.contrib.auth import get_user_model

    from qingxie.core.models import ObjectChange

    tables = set(connection.introspection.table_names())
    user_table = get_user_model()._meta.db_table
    if user_table in tables and get_user_model().objects.exists():
        return True
    return ObjectChange._meta.db_table in tables and ObjectChange.objects.exists()


def storage_holds_files() -> bool:
    return bool(_storage_files(Path(settings.MEDIA_ROOT)))


@dataclass
class RestoreResult:
    manifest: dict
    safety_backup: Path | None


def backup_restore(*, path: Path, force: bool = False, progress=None) -> RestoreResult:
    """Restore an archive into this installation's database and storage directory.

    Everything is checked first (backup_verify); a database or storage that holds data is
    refused unless `force`, and then backed up first to `<data dir>/backups/`.
    """
    say = progress or (lambda message: None)
    engine = _engine()
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".qingxie-restore-") as tmp:
        tmp = Path(tmp)
        say("正在校验备份文件……")
        manifest = backup_verify(Path(path), workdir=tmp)
        if manifest["engine"] != engine:
            raise BackupError(
                f"该备份来自 {manifest['engine']} 数据库，本机使用 {engine}，不能直接恢复。",
                code="engine",
            )
        safety = None
        if _target_has_data():
            if not force:
                raise BackupError(
                    "目标数据库或存储目录中已有数据，未做任何恢复。确认要覆盖时加 --force"
                    "（会先把现有数据备份到数据目录的 backups/ 中）。",
                    code="not_empty",
                )
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            safety = data_dir / "backups" / f"before-restore-{stamp}.qingxie-backup"
            say(f"正在先备份现有数据到 {safety}……")
            backup_create(output=safety)
        say("正在恢复数据库……")
        if engine == "sqlite":
            _restore_sqlite(tmp / SQLITE_MEMBER)
        else:
            _restore_pg(tmp / PG_MEMBER)
        say("正在恢复存储文件……")
        _restore_storage(tmp / "storage")
    say("正在检查数据库结构……")
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return RestoreResult(manifest, safety)


def _target_has_data() -> bool:
    try:
        return database_holds_data() or storage_holds_files()
    except Exception:
        connections.close_all()
        return storage_holds_files()


def _restore_sqlite(source: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Through the backup API into the live file: other processes holding it open see the
    # restored pages, and the WAL is folded in by SQLite itself.
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_pg(source: Path) -> None:
    from qingxie.web.management.commands.setup import ensure_database

    connections.close_all()
    ensure_database()  # a new machine: the database may not exist yet
    args, env = _pg_env()
    name = settings.DATABASES["default"]["NAME"]
    # An empty schema first: pg_restore --clean cannot drop what the dump does not know.
    _psql(args, env, name, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-d",
            name,
            str(source),
        ],
        env,
    )


def _psql(args, env, name, sql: str) -> None:
    _run(["psql", *args, "-v", "ON_ERROR_STOP=1", "-q", "-d", name, "-c", sql], env)


def _restore_storage(source: Path) -> None:
    storage = Path(settings.MEDIA_ROOT)
    storage.mkdir(parents=True, exist_ok=True)
    for old in list(storage.iterdir()):
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()
    if source.exists():
        for item in source.iterdir():
            shutil.move(str(item), storage / item.name)
