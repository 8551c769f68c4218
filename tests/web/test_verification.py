"""The verification queue: batch verify, the verifier's own decisions with same-day undo,
evidence a click away."""

from __future__ import annotations

import pytest

from qingxie.core.models import ObjectChange
from qingxie.ledger.choices import ChecklistState
from qingxie.ledger.models import ChecklistEntry
from tests.web.helpers import doc, make_association, required_items, submit, text

pytestmark = pytest.mark.django_db


def test_the_city_verifies_a_batch_and_can_undo_one_the_same_day(client_for):
    make_association("440100", name="广州市青年志愿者协会")
    liwan = make_association("440103")
    items = required_items()
    entries = [submit(liwan, item) for item in items[:3]]
    client = client_for("city_admin", "440100")
    queue = doc(client.get("/verification/"))
    boxes = queue.xpath("//input[@name='entry'][@form='batch-form']/@value")
    assert sorted(boxes) == sorted(str(e.pk) for e in entries)

    response = client.post(
        "/verification/batch/", {"entry": [entries[0].pk, entries[1].pk]}, follow=True
    )
    page = doc(response)
    assert any("已核验 2 项材料" in text(li) for li in page.xpath("//ul[@class='messages']/li"))
    states = dict(
        ChecklistEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list("pk", "state")
    )
    assert states == {
        entries[0].pk: ChecklistState.VERIFIED,
        entries[1].pk: ChecklistState.VERIFIED,
        entries[2].pk: ChecklistState.SUBMITTED,
    }
    logged = ObjectChange.objects.filter(object_id__in=[str(entries[0].pk), str(entries[1].pk)])
    assert logged.filter(action="update").count() >= 2

    decided = doc(client.get("/verification/?tab=decided"))
    rows = decided.xpath("//section[@id='decided']//tr[@data-entry]")
    assert sorted(r.get("data-entry") for r in rows) == sorted(
        [str(entries[0].pk), str(entries[1].pk)]
    )
    (undo,) = decided.xpath(
        f"//tr[@data-entry='{entries[0].pk}']//form[@class='inline-form undo-form']"
    )
    fields = {i.get("name"): i.get("value") for i in undo.xpath(".//input")}
    client.post(undo.get("action"), fields)
    entries[0].refresh_from_db()
    assert entries[0].state != ChecklistState.VERIFIED


def test_a_county_cannot_batch_verify_its_own_items(client_for):
    make_association("440100", name="广州市青年志愿者协会")
    liwan = make_association("440103")
    entry = submit(liwan, required_items()[0])
    client = client_for("county_admin", "440103")
    page = doc(client.post("/verification/batch/", {"entry": [entry.pk]}, follow=True))
    entry.refresh_from_db()
    assert entry.state == ChecklistState.SUBMITTED
    assert page.xpath("//ul[@class='messages']/li[contains(@class, 'error')]")


def test_nothing_ticked_is_said(client_for):
    page = doc(client_for("city_admin", "440100").post("/verification/batch/", {}, follow=True))
    assert "请先勾选要核验的材料" in text(page.xpath("//ul[@class='messages']")[0])
