"""`qingxie setup`: database, migrations, divisions, static files and maps; safe to run again."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from qingxie.core.context import change_context


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

    def handle(self, *args, **options):
        created = ensure_database()
        if created:
            self.stdout.write(f"已创建数据库 {created}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库结构已是最新。")

        from qingxie.regions.services import divisions_load
        from qingxie.regions.sources import mca_divisions

        with change_context(channel="cli"):
            result = divisions_load(source=mca_divisions())
        self.stdout.write(result.summary())

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"静态文件：{settings.STATIC_ROOT}")

        if not options["skip_maps"]:
            manifest = settings.MAPS_DIR / "manifest.json"
            version = str(result.dataset.data_as_of)
            current = (
                json.loads(manifest.read_text("utf-8")).get("data_as_of")
                if manifest.exists()
                else None
            )
            if current != version or not result.unchanged:
                from qingxie.regions.maps import maps_build

                built = maps_build(settings.MAPS_DIR)
                data = json.loads(manifest.read_text("utf-8"))
                data["data_as_of"] = version
                manifest.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
                self.stdout.write(f"已生成 {len(built.files)} 个地图文件。")
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
