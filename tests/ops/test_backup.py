"""Backups that restore: a demo database and its stored files, backed up, restored into an
empty data directory on the same engine (SQLite, or PostgreSQL when QINGXIE_DATABASE_URL
names one) and compared table by table (decrypted personal fields included) and file by
file; a truncated or altered file, a missing key and a non-empty target are refused with
nothing written."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.demo_install import pg_base

FILES = {
    "evidence/2021/登记证书.pdf": b"%PDF-1.4 demo evidence\n" * 50,
    "imports/台账.csv": "区划代码,名称\n440105,海珠区青年志愿者协会\n".encode("utf-8-sig"),
    "bulletins/440000.docx": os.urandom(4096),
}
#: Read back through the ORM (decrypting) in each installation: every personal field.
PERSONAL = """
import json
from django.apps import apps
from qingxie.core.crypto import EncryptedCharField
out = {}
for model in apps.get_models():
    fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    if fields:
        rows = model._base_manager.order_by("pk").values_list("pk", *fields)
        out[model._meta.label] = [[str(v) for v in row] for row in rows]
print(json.dumps(out, ensure_ascii=False))
"""


def _env(data_dir: Path, suffix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["QINGXIE_DATA_DIR"] = str(data_dir)
    pg = pg_base()
    if pg:
        base, name = pg
        db = f"{name}_bk_{suffix}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        env["QINGXIE_DATABASE_URL"] = f"{base}/{db}"
    return env


def qingxie(env, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "qingxie", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"qingxie {' '.join(args)}: {result.stdout}\n{result.stderr}")
    return result


def tables(env) -> dict[str, list]:
    """Every row of every table, in a stable order."""
    url = env.get("QINGXIE_DATABASE_URL")
    if url:
        with psycopg.connect(url) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            return {
                n: [tuple(map(str, r)) for r in conn.execute(f'SELECT * FROM "{n}" ORDER BY 1')]
                for n in names
            }
    conn = sqlite3.connect(Path(env["QINGXIE_DATA_DIR"]) / "qingxie.sqlite3")
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        conn.close()


def files(data_dir: Path) -> dict[str, str]:
    root = data_dir / "storage"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory, demo_installation):
    """A demo installation (a copy of the session's) with stored files, and its backup."""
    data = tmp_path_factory.mktemp("source")
    env = demo_installation.copy(data, "bk_a")
    for name, content in FILES.items():
        path = data / "storage" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    archive = data.parent / "nightly.qingxie-backup"
    out = qingxie(env, "backup", "-o", str(archive))
    assert "恢复时需要的个人信息密钥编号" in out.stdout
    return {"env": env, "dir": data, "archive": archive}


def _personal(env) -> dict:
    out = qingxie(env, "shell", "-c", PERSONAL).stdout
    return json.loads(out.strip().splitlines()[-1])


def _empty_target(tmp_path, source, suffix="b") -> tuple[Path, dict]:
    target = tmp_path / "target"
    target.mkdir()
    # The keys travel separately from the backup (the operator's secret store).
    (target / "field_keys").write_text((source["dir"] / "field_keys").read_text())
    return target, _env(target, suffix)


def test_round_trip_restores_every_table_and_file(source, tmp_path):
    target, env = _empty_target(tmp_path, source)
    out = qingxie(env, "restore", str(source["archive"]))
    assert "已恢复" in out.stdout
    before, after = tables(source["env"]), tables(env)
    assert set(before) == set(after)
    for name in before:
        assert before[name] == after[name], f"table {name} differs after restore"
    assert sum(len(rows) for rows in after.values()) > 100_000  # the demo ledger is in it
    # Every stored file comes back byte for byte: the test's own and the demo's (evidence).
    restored = files(target)
    assert restored == files(source["dir"])
    assert set(FILES) <= set(restored) and len(restored) > len(FILES)
    personal_before = _personal(source["env"])
    personal_after = _personal(env)
    assert personal_before == personal_after
    # Decrypted values (a stored token starts with "f1:"), not empty.
    values = [v for rows in personal_after.values() for r in rows for v in r[1:] if v]
    assert len(values) > 1000 and not any(v.startswith("f1:") for v in values)

    # Restoring again over it: refused without --force, nothing changed …
    refused = qingxie(env, "restore", str(source["archive"]), check=False)
    assert refused.returncode == 1 and "已有数据" in refused.stderr
    # … and with --force it first backs up what is there.
    forced = qingxie(env, "restore", "--force", str(source["archive"]))
    assert "原有数据已先备份到" in forced.stdout
    safety = list((target / "backups").glob("before-restore-*.qingxie-backup"))
    assert len(safety) == 1 and safety[0].stat().st_size > 1_000_000


@pytest.mark.parametrize("damage", ["truncated", "altered"])
def test_damaged_backup_is_refused_and_nothing_written(source, tmp_path, damage):
    target, env = _empty_target(tmp_path, source)
    blob = source["archive"].read_bytes()
    bad = tmp_path / "bad.qingxie-backup"
    if damage == "truncated":
        bad.write_bytes(blob[: len(blob) * 2 // 3])
    else:
        # Flip one byte in the middle of the database member (the tar stays well-formed).
        middle = len(blob) // 2
        bad.write_bytes(blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :])
    result = qingxie(env, "restore", str(bad), check=False)
    assert result.returncode == 1
    assert "备份文件已损坏或被改动" in result.stderr and "未做任何恢复" in result.stderr
    assert not (target / "qingxie.sqlite3").exists() or not tables(env).get("accounts_user")
    assert files(target) == {}


def test_restore_without_the_keys_says_which_are_needed(source, tmp_path):
    target = tmp_path / "nokeys"
    target.mkdir()
    env = _env(target, "c")  # a fresh key is generated here: not the one the data needs
    manifest_ids = qingxie(source["env"], "backup", "-o", str(tmp_path / "x")).stdout
    needed = manifest_ids.rsplit("：", 1)[1].strip()
    result = qingxie(env, "restore", str(source["archive"]), check=False)
    assert result.returncode == 1
    assert "恢复需要个人信息加密密钥" in result.stderr and needed in result.stderr
    assert files(target) == {}


def test_scheduled_backups_keep_the_newest(source, tmp_path):
    directory = tmp_path / "nightly"
    directory.mkdir()
    for day in ("20260101-020000", "20260102-020000", "20260103-020000"):
        (directory / f"qingxie-{day}.qingxie-backup").write_bytes(b"old")
    (directory / "notes.txt").write_text("not ours")
    qingxie(source["env"], "backup", "--dir", str(directory), "--keep", "2")
    kept = sorted(p.name for p in directory.iterdir())
    assert kept[0] == "notes.txt" and kept[1] == "qingxie-20260103-020000.qingxie-backup"
    assert len(kept) == 3 and kept[2].startswith("qingxie-2026") and kept[2] != kept[1]
