"""Association president/secretary and group-member contact phones encrypted at rest.

The columns widen to hold Fernet tokens, then every clear value is encrypted in batches;
the reverse decrypts first, then narrows the columns.
"""

from django.db import migrations

import qingxie.core.crypto
from qingxie.core.crypto import migration_operations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_checklist_verification_history")]

    operations = [
        migrations.AlterField(
            model_name="association",
            name="president_phone",
            field=qingxie.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="会长电话"
            ),
        ),
        migrations.AlterField(
            model_name="association",
            name="secretary_phone",
            field=qingxie.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="秘书长电话"
            ),
        ),
        migrations.AlterField(
            model_name="groupmember",
            name="contact_phone",
            field=qingxie.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        migration_operations(
            {
                "ledger.Association": ["president_phone", "secretary_phone"],
                "ledger.GroupMember": ["contact_phone"],
            }
        ),
    ]
