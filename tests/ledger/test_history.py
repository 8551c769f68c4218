"""The association's history tab shows what was recorded on its page, not only the association."""

from __future__ import annotations

import datetime

import pytest

from qingxie.ledger import services
from qingxie.ledger.choices import AssociationForm
from qingxie.ledger.models import ChecklistItem

pytestmark = pytest.mark.django_db


def test_history_lists_checklist_submissions_and_members_with_their_object(region, client_for):
    association = services.association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
        established_on=datetime.date(2020, 1, 1),
    )
    item = ChecklistItem.objects.filter(active=True).order_by("position", "code").first()
    services.checklist_entry_submit(
        actor=None, association=association, item=item, note="章程已通过"
    )
    page = client_for("county_admin", "440105").get(f"/associations/{association.number}/")
    history = page.content.decode().split('id="history"')[1]
    assert "规范化建设材料" in history  # the checklist entry, named by its type
    assert "协会：海珠区青年志愿者协会" in history
    assert history.count("<tr>") >= 3  # header, association created, entry submitted
