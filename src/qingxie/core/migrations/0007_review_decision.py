"""The review workflow's dated history (core.review.ReviewDecision), append-only.

On PostgreSQL a trigger refuses UPDATE and DELETE on it from any client, as for the change log
(core/0002).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION qingxie_reviewdecision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_reviewdecision is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reviewdecision_append_only ON core_reviewdecision;
CREATE TRIGGER reviewdecision_append_only
    BEFORE UPDATE OR DELETE ON core_reviewdecision
    FOR EACH ROW EXECUTE FUNCTION qingxie_reviewdecision_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS reviewdecision_append_only ON core_reviewdecision;
DROP FUNCTION IF EXISTS qingxie_reviewdecision_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "time",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="时间"
                    ),
                ),
                ("review", models.CharField(max_length=40, verbose_name="流程")),
                ("object_id", models.CharField(max_length=64, verbose_name="对象编号")),
                ("object_repr", models.CharField(max_length=200, verbose_name="对象")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("submit", "提交"),
                            ("verify", "通过"),
                            ("return", "退回"),
                            ("revoke", "撤销"),
                            ("record", "录入认定"),
                        ],
                        max_length=8,
                        verbose_name="操作",
                    ),
                ),
                (
                    "state_before",
                    models.CharField(blank=True, max_length=16, verbose_name="原状态"),
                ),
                ("state_after", models.CharField(max_length=16, verbose_name="新状态")),
                (
                    "user_name",
                    models.CharField(blank=True, max_length=150, verbose_name="操作人姓名"),
                ),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="说明")),
                ("reason", models.CharField(blank=True, max_length=500, verbose_name="原因")),
                ("on", models.DateField(blank=True, null=True, verbose_name="生效日期")),
                ("evidence", models.CharField(blank=True, max_length=300, verbose_name="佐证材料")),
                (
                    "scope_path",
                    models.CharField(db_index=True, max_length=80, verbose_name="区划路径"),
                ),
                (
                    "deciding_path",
                    models.CharField(db_index=True, max_length=80, verbose_name="决定区划路径"),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_decisions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
            ],
            options={
                "verbose_name": "审核记录",
                "verbose_name_plural": "审核记录",
                "ordering": ["-time", "-id"],
                "indexes": [
                    models.Index(fields=["content_type", "object_id"], name="reviewdecision_object")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
