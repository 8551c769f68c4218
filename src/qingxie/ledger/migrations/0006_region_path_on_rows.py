"""Store each row's region path on the row itself, filled from the joins it was read through.

The permission gate then filters `region_path` as a range on the row's own table, with no join
(and a partitioned table can be pruned by it). PostgreSQL gives the column the "C" collation
(core.models.ScopePathField; see regions/0002 for why).
"""

from django.conf import settings
from django.db import migrations, models

import qingxie.core.models


def fill_paths(apps, schema_editor):
    from django.db.models import OuterRef, Subquery

    parent = apps.get_model("regions", "Region")
    apps.get_model("ledger", "Association").objects.update(
        region_path=Subquery(parent.objects.filter(pk=OuterRef("region_id")).values("path")[:1])
    )
    parent = apps.get_model("ledger", "Association")
    apps.get_model("ledger", "ChecklistEntry").objects.update(
        region_path=Subquery(
            parent.objects.filter(pk=OuterRef("association_id")).values("region_path")[:1]
        )
    )
    parent = apps.get_model("ledger", "Association")
    apps.get_model("ledger", "GroupMember").objects.update(
        region_path=Subquery(
            parent.objects.filter(pk=OuterRef("association_id")).values("region_path")[:1]
        )
    )
    parent = apps.get_model("ledger", "Association")
    apps.get_model("ledger", "Seat").objects.update(
        region_path=Subquery(
            parent.objects.filter(pk=OuterRef("holder_id")).values("region_path")[:1]
        )
    )
    parent = apps.get_model("regions", "Region")
    apps.get_model("ledger", "CoverageTarget").objects.update(
        region_path=Subquery(parent.objects.filter(pk=OuterRef("region_id")).values("path")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_version_for_optimistic_locking"),
        ("regions", "0003_region_valid_from_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="association",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddField(
            model_name="checklistentry",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddField(
            model_name="coveragetarget",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddField(
            model_name="groupmember",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddField(
            model_name="seat",
            name="region_path",
            field=qingxie.core.models.ScopePathField(
                default="", editable=False, max_length=80, verbose_name="区划路径"
            ),
        ),
        migrations.AddIndex(
            model_name="association",
            index=models.Index(fields=["region_path", "id"], name="association_region_path"),
        ),
        migrations.AddIndex(
            model_name="checklistentry",
            index=models.Index(fields=["region_path", "id"], name="checklist_entry_region_path"),
        ),
        migrations.AddIndex(
            model_name="coveragetarget",
            index=models.Index(fields=["region_path", "id"], name="coveragetarget_region_path"),
        ),
        migrations.AddIndex(
            model_name="groupmember",
            index=models.Index(fields=["region_path", "id"], name="groupmember_region_path"),
        ),
        migrations.AddIndex(
            model_name="seat",
            index=models.Index(fields=["region_path", "id"], name="seat_region_path"),
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
    ]
