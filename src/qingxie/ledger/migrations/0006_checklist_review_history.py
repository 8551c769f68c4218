"""Fill the review workflow's history (core.ReviewDecision) from the checklist as it stands.

Before the one review workflow, a checklist entry kept only its latest submission and
decision, and ChecklistVerification its verified spans. Each becomes a dated history row: the
submission, each verification (from its start) and revocation (on its end), and a return
still standing. Steps whose moment was not kept are dated at the start of their day and
attributed to the user recorded on the entry when that is the latest step, else to nobody
("迁移"). Entries that already have history are left alone, so the step can run again.
"""

import datetime

from django.db import migrations
from django.utils import timezone

MIGRATED = "迁移"


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChecklistEntry = apps.get_model("ledger", "ChecklistEntry")
    ChecklistVerification = apps.get_model("ledger", "ChecklistVerification")
    ReviewDecision = apps.get_model("core", "ReviewDecision")
    content_type, _ = ContentType.objects.get_or_create(app_label="ledger", model="checklistentry")
    done = set(
        ReviewDecision.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    )
    spans: dict[int, list] = {}
    for entry_id, start, end in ChecklistVerification.objects.order_by(
        "entry_id", "start", "id"
    ).values_list("entry_id", "start", "end"):
        spans.setdefault(entry_id, []).append((start, end))
    rows = []
    entries = ChecklistEntry.objects.select_related(
        "association__region__parent", "item", "submitted_by", "decided_by"
    ).order_by("pk")
    for entry in entries.iterator(chunk_size=2000):
        if str(entry.pk) in done:
            continue
        region = entry.association.region
        shared = {
            "review": "ledger.checklist",
            "content_type_id": content_type.pk,
            "object_id": str(entry.pk),
            "object_repr": f"{entry.association.name}·{entry.item.title}"[:200],
            "scope_path": region.path,
            "deciding_path": (region.parent or region).path,
        }

        steps = []

        def row(action, before, after, time, user=None, *, steps=steps, **fields):
            steps.append((action, before, after, time, user, fields))

        if entry.submitted_at:
            row(
                "submit",
                "",
                "submitted",
                entry.submitted_at,
                entry.submitted_by,
                note=entry.note[:500],
                evidence=entry.evidence.name if entry.evidence else "",
            )
        own = spans.get(entry.pk, [])
        for index, (start, end) in enumerate(own):
            latest = index == len(own) - 1
            if end is None and latest and entry.state == "verified":
                row(
                    "verify",
                    "submitted",
                    "verified",
                    entry.decided_at or _at(start),
                    entry.decided_by,
                    on=start,
                )
            else:
                row("verify", "submitted", "verified", _at(start), on=start)
            if end is not None:
                revoked_last = latest and entry.state == "returned"
                row(
                    "revoke",
                    "verified",
                    "returned",
                    (entry.decided_at if revoked_last else None) or _at(end),
                    entry.decided_by if revoked_last else None,
                    on=end,
                    reason=entry.return_reason if revoked_last else "",
                )
        if entry.state == "returned" and not (own and own[-1][1] is not None):
            row(
                "return",
                "submitted",
                "returned",
                entry.decided_at or entry.submitted_at or timezone.now(),
                entry.decided_by,
                reason=entry.return_reason,
            )
        for action, before, after, time, user, fields in steps:
            rows.append(
                ReviewDecision(
                    **shared,
                    action=action,
                    state_before=before,
                    state_after=after,
                    time=time,
                    user=user,
                    user_name=user.username if user else MIGRATED,
                    **fields,
                )
            )
        if len(rows) >= 2000:
            ReviewDecision.objects.bulk_create(rows)
            rows = []
    ReviewDecision.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0007_review_decision"),
        ("ledger", "0005_version_for_optimistic_locking"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
