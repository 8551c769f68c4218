"""Team leaders' phones encrypted at rest (column widened for the token, values encrypted)."""

from django.db import migrations

import qingxie.core.crypto
from qingxie.core.crypto import migration_operations


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_team_township_parent")]

    operations = [
        migrations.AlterField(
            model_name="team",
            name="leader_phone",
            field=qingxie.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="负责人电话"
            ),
        ),
        migration_operations({"teams.Team": ["leader_phone"]}),
    ]
