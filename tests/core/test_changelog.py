"""The change log: every write is recorded with who, when, from where, before and after."""

from __future__ import annotations

import re
import uuid

import pytest

from qingxie.accounts.models import RoleGrant
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def test_user_creation_is_logged_without_the_password(make_user):
    actor = make_user("national_admin", "000000")
    rid = uuid.uuid4()
    with change_context(user=actor, request_id=rid, client_ip="10.1.2.3", channel="web"):
        user = user_create(username="zhangsan", password="Qx-strong-pass-2026", display_name="张三")
    change = changes_for(user).get()
    assert change.action == "create"
    assert change.user == actor and change.user_name == actor.username
    assert change.request_id == rid
    assert change.client_ip == "10.1.2.3"
    assert change.channel == "web"
    assert change.after["display_name"] == "张三"
    assert "password" not in change.after


def test_grant_is_logged_with_its_region(make_user, region):
    target = make_user()
    with change_context(channel="cli"):
        grant = role_grant_create(actor=None, user=target, role="viewer", region=region("440300"))
    change = changes_for(grant).get()
    assert change.after["role"] == "viewer"
    assert change.after["region"] == region("440300").pk
    assert change.channel == "cli"
    assert str(grant) == change.object_repr


def test_granting_twice_writes_once(make_user, region):
    target = make_user()
    for _ in range(2):
        role_grant_create(actor=None, user=target, role="viewer", region=region("440300"))
    assert RoleGrant.objects.filter(user=target).count() == 1
    grant = RoleGrant.objects.get(user=target)
    assert changes_for(grant).count() == 1


def test_weak_password_is_refused_and_nothing_is_written():
    from qingxie.core.errors import QingxieError

    before = ObjectChange.objects.count()
    with pytest.raises(QingxieError) as err:
        user_create(username="lisi", password="123")
    assert err.value.field == "password"
    assert ObjectChange.objects.count() == before


def test_changed_fields_are_derived_from_before_and_after():
    change = ObjectChange(
        before={"name": "天河区", "kind": "市辖区"}, after={"name": "天河新区", "kind": "市辖区"}
    )
    assert change.changed_fields == ["name"]


def test_client_address_behind_a_trusted_proxy(rf, settings):
    from qingxie.core.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.8.7, 172.16.0.2", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "127.0.0.1"  # no proxy trusted: the header is ignored
    settings.QINGXIE_TRUSTED_PROXIES = 1
    assert client_ip(request) == "172.16.0.2"
    settings.QINGXIE_TRUSTED_PROXIES = 2
    assert client_ip(request) == "10.9.8.7"


def test_history_names_changed_fields_as_cadres_know_them(client_for, region):
    import datetime as dt

    from qingxie.ledger.services import association_create, association_update

    a = association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=dt.date(2019, 1, 1),
    )
    association_update(
        actor=None, association=a, address="广州市海珠区", supervisor="共青团海珠区委"
    )
    page = client_for("county_admin", "440105").get(a.get_absolute_url()).content.decode()
    # Each changed field by the name cadres know, with its old and new value.
    diffs = re.findall(r'<span class="muted">([^<]+)</span>：([^<]*) → ([^<]*)</li>', page)
    assert {(label, new) for label, _old, new in diffs} >= {
        ("地址", "广州市海珠区"),
        ("主管团委", "共青团海珠区委"),
    }
    assert "supervisor" not in page


@pytest.mark.django_db
def test_bulk_created_rows_with_a_file_record_its_stored_name(region):
    """Rows with a file, created in bulk (an import), log the file's stored name exactly as
    log_change's snapshot does; the bulk path once failed to encode the file at all."""
    import datetime

    from qingxie.core.changelog import log_created_bulk
    from qingxie.ledger import services
    from qingxie.ledger.models import ChecklistEntry, ChecklistItem

    association = services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=datetime.date(2019, 1, 1),
    )
    entry = ChecklistEntry(association=association, item=ChecklistItem.objects.get(code="charter"))
    entry.evidence.name = "review/章程.pdf"
    entry.save()
    assert log_created_bulk([entry]) == 1
    logged = ObjectChange.objects.filter(object_id=str(entry.pk)).latest("id")
    assert logged.after["evidence"] == "review/章程.pdf" == entry.snapshot()["evidence"]
