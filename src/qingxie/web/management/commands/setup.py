"""`qingxie setup`: database, migrations, divisions, static files and maps; safe to run again."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError


def ensure_database() -> str | None:
    """Create the PostgreSQL database named in the URL if it does not exist yet."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    import psycopg
    from psycopg import sql

    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return db["NAME"]
    return None


class Command(BaseCommand):
    help = "初始化或更新：建库、迁移、载入行政区划、收集静态文件、生成地图（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--skip-maps", action="store_true", help="不生成地图文件")

    def step(self, label: str) -> None:
        """Say what is starting, at once (a long step must not look like a hang)."""
        self._step_started = time.perf_counter()
        self.stdout.write(f"{label}……", ending="")
        self.stdout.flush()

    def done(self, message: str = "完成") -> None:
        seconds = time.perf_counter() - self._step_started
        self.stdout.write(f" {message}（用时 {seconds:.1f} 秒）")
        self.stdout.flush()

    def handle(self, *args, **options):
        created = ensure_database()
        if created:
            self.stdout.write(f"已创建数据库 {created}")
        self.step("正在更新数据库结构")
        call_command("migrate", interactive=False, verbosity=0)
        self.done("数据库结构已是最新")

        from qingxie.regions.services import divisions_load
        from qingxie.regions.sources import mca_divisions

        self.step("正在载入行政区划")
        try:
            with change_context(channel="cli"):
                result = divisions_load(source=mca_divisions())
        except QingxieError as exc:
            raise CommandError(exc.message) from exc
        self.done()
        self.stdout.write(result.summary())
        if result.retired:
            from qingxie.ledger.services import associations_follow_successors

            with change_context(channel="cli"):
                for association, old, new in associations_follow_successors():
                    self.stdout.write(
                        f"协会 {association.number} 随区划变更：{old.name}（{old.code}）→ "
                        f"{new.name}（{new.code}），统一编号不变。"
                    )

        self.step("正在收集静态文件")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.done(f"静态文件：{settings.STATIC_ROOT}")

        if not options["skip_maps"]:
            from qingxie.regions.maps import maps_build, maps_current

            if not result.unchanged or not maps_current(settings.MAPS_DIR):
                self.step("正在生成地图文件")
                built = maps_build(settings.MAPS_DIR)
                # Only a server already running serves the old shapes until restarted.
                self.done(f"已生成 {len(built.files)} 个地图文件（如服务已在运行，请重启后生效）")
            else:
                self.stdout.write("地图文件已是最新。")

        db = settings.DATABASES["default"]
        where = db["NAME"] if connection.vendor == "sqlite" else f"{db['NAME']} @ {db.get('HOST')}"
        self.stdout.write(
            self.style.SUCCESS(
                "\n".join(
                    [
                        "青协已就绪。",
                        f"  数据目录：{settings.DATA_DIR}",
                        f"  数据库：{connection.vendor} {where}",
                        f"  日志：{settings.LOG_DIR}",
                        f"  地图：{settings.MAPS_DIR}",
                    ]
                )
            )
        )
