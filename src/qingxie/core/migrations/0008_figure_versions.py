"""Cached figures keyed by versions per (domain, region path) instead of one global row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_review_decision"),
    ]

    operations = [
        migrations.CreateModel(
            name="FigureVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("domain", models.CharField(max_length=50, verbose_name="数据域")),
                ("path", models.CharField(max_length=80, verbose_name="区划路径")),
                ("counter", models.BigIntegerField(default=0, verbose_name="版本")),
            ],
            options={
                "verbose_name": "统计数据版本",
                "verbose_name_plural": "统计数据版本",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("domain", "path"), name="figureversion_domain_path"
                    )
                ],
            },
        ),
        migrations.DeleteModel(name="DataVersion"),
    ]
