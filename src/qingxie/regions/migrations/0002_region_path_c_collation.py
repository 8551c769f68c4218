"""Compare region paths byte by byte on PostgreSQL, whatever the database's collation.

The subtree range [path, path + "~") relies on "/" and digits sorting below "~"; ICU and glibc
locales order punctuation differently, so the column (and its indexes) use the "C" collation.
SQLite compares with BINARY already.
"""

from django.db import migrations


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE regions_region ALTER COLUMN path TYPE varchar(80) COLLATE "C"'
    )


def to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE regions_region ALTER COLUMN path TYPE varchar(80) COLLATE "default"'
    )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_region_tree")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
