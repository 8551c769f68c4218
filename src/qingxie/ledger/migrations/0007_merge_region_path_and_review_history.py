# Joins the two 0006 branches: the region path on the rows and the checklist review history.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_checklist_review_history"),
        ("ledger", "0006_region_path_on_rows"),
    ]

    operations = []
