"""Store each row's region path on the row itself, filled from the joins it was read through.

The permission gate then filters `region_path` as a range on the row's own table, with no join
(and a partitioned table can be pruned by it). PostgreSQL gives the column the "C" collation
(core.models.ScopePathField; see regions/0002 for why).
"""

from django.db import migrations, models

import qingxie.core.models


def fill_paths(apps, schema_editor):
    from django.db.models import OuterRef, Subquery

    parent = apps.get_model("regions", "Region")
    apps.get_model("accounts", "RoleGrant").objects.update(
        region_path=Subquery(parent.objects.filter(pk=OuterRef("region_id")).values("path")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_users_and_role_grants"),
        ("regions", "0003_region_valid_from_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="rolegrant",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddIndex(
            model_name="rolegrant",
            index=models.Index(fields=["region_path", "id"], name="rolegrant_region_path"),
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
    ]
