"""On PostgreSQL, refuse UPDATE and DELETE on the change log from any client.

The trigger raises for every row-level UPDATE or DELETE, whoever issues it (the application,
psql, a compromised account without superuser rights to drop the trigger). TRUNCATE, which
test-database flushes use, is a statement-level operation left to the database owner.
SQLite has no such mechanism worth relying on; there the application's own refusal holds.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION qingxie_objectchange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_objectchange is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS objectchange_append_only ON core_objectchange;
CREATE TRIGGER objectchange_append_only
    BEFORE UPDATE OR DELETE ON core_objectchange
    FOR EACH ROW EXECUTE FUNCTION qingxie_objectchange_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS objectchange_append_only ON core_objectchange;
DROP FUNCTION IF EXISTS qingxie_objectchange_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_object_change")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
