"""Personal data at rest and on screen: no clear phone number in a database dump, masked pages,
API and exports for roles that may not see them, a logged reveal for the admins who may."""

from __future__ import annotations

import datetime

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

from qingxie.core import crypto
from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.ledger.models import Association, GroupMember
from qingxie.regions.models import Region
from qingxie.teams.models import Team
from qingxie.teams.services import team_create

PHONES = {
    "president": "13812345678",
    "secretary": "020-87654321",
    "contact": "13698765432",
    "leader": "15011112222",
}
MASKED = {
    "president": "138****5678",
    "secretary": "020****4321",
    "contact": "136****5432",
    "leader": "150****2222",
}


@pytest.fixture
def haizhu(db):
    """海珠区 association with both officers' phones, a group member and a township team."""
    region = Region.objects.get(code="440105")
    association = services.association_create(
        actor=None,
        region=region,
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=datetime.date(2021, 3, 1),
        president_name="陈海",
        president_phone=PHONES["president"],
        secretary_name="李珠",
        secretary_phone=PHONES["secretary"],
    )
    member = services.group_member_create(
        actor=None,
        association=association,
        name="海珠区某志愿服务中心",
        kind="social_organisation",
        admitted_on=datetime.date(2022, 1, 1),
        contact_name="王联",
        contact_phone=PHONES["contact"],
    )
    township = Region.objects.filter(parent=region).order_by("code").first()
    team = team_create(
        actor=None,
        association=association,
        name=f"{township.name}青年志愿服务队",
        category="township",
        township=township,
        founded_on=datetime.date(2022, 6, 1),
        leader_name="赵队",
        leader_phone=PHONES["leader"],
    )
    return association, member, team


def database_dump() -> str:
    """Every stored byte as text: pg_dump on PostgreSQL, iterdump on SQLite."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    # pg_dump runs as another client, which cannot see rows this test's transaction has not
    # committed (and committing would wipe the shared division data at flush): read every
    # text-like column of every table through this connection instead, as pg_dump prints them.
    lines = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('character varying', 'text', 'jsonb', 'json', 'character')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL')
            lines.extend(value for (value,) in cursor.fetchall())
    return "\n".join(lines)


def test_a_database_dump_holds_no_clear_phone_number(haizhu):
    association, _member, _team = haizhu
    # Updates too leave only tokens and masked change-log entries behind.
    services.association_update(actor=None, association=association, president_phone="13911112222")
    dump = database_dump()
    assert "海珠区青年志愿者协会" in dump  # the dump does hold the rows
    for phone in (*PHONES.values(), "13911112222"):
        assert phone not in dump
        assert phone.replace("-", "") not in dump
    # Every stored phone is one of our tokens, which the configured key opens.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT president_phone FROM {Association._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert stored.startswith(crypto.TOKEN_PREFIX) and crypto.decrypt(stored) == "13911112222"
    # … and Python code sees the plaintext.
    assert Association.objects.get().president_phone == "13911112222"
    assert GroupMember.objects.get().contact_phone == PHONES["contact"]
    assert Team.objects.values_list("leader_phone", flat=True).get() == PHONES["leader"]


def test_the_change_log_records_masked_values_that_still_tell_changes_apart(haizhu):
    association, _, _ = haizhu
    services.association_update(actor=None, association=association, president_phone="13812340000")
    entry = ObjectChange.objects.filter(action="update").first()
    before, after = entry.before["president_phone"], entry.after["president_phone"]
    # Same masked form (138****…) differs in the middle digits: the fingerprint shows a change.
    assert before.startswith("138****5678 #") and after.startswith("138****0000 #")
    assert "president_phone" in entry.changed_fields


def test_filters_on_an_encrypted_field_are_refused_not_silently_empty(haizhu):
    assert Association.objects.filter(secretary_phone="").count() == 0
    assert Association.objects.exclude(president_phone="").count() == 1
    with pytest.raises(NotImplementedError, match="已加密存储"):
        list(Association.objects.filter(president_phone=PHONES["president"]))
    with pytest.raises(NotImplementedError, match="已加密存储"):
        list(Association.objects.filter(president_phone__startswith="138"))


def test_a_wrong_key_is_a_clear_error(haizhu, settings):
    settings.FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.FieldKeyError, match="无法解密"):
        Association.objects.get()


@pytest.mark.parametrize("role", ["viewer", "auditor", "association_staff", "county_admin"])
def test_pages_and_api_show_phones_masked(haizhu, client_for, role):
    association, _member, team = haizhu
    client = client_for(role, "440105")
    page = client.get(association.get_absolute_url()).content.decode()
    team_page = client.get(team.get_absolute_url()).content.decode()
    api = client.get(f"/api/associations/{association.number}").json()
    team_api = client.get(f"/api/teams/{team.pk}").json()
    for phone in PHONES.values():
        assert phone not in page and phone not in team_page
    assert MASKED["president"] in page and MASKED["contact"] in page
    assert MASKED["leader"] in team_page
    assert api["president_phone"] == MASKED["president"]
    assert api["secretary_phone"] == MASKED["secretary"]
    assert team_api["leader_phone"] == MASKED["leader"]


@pytest.mark.parametrize("role", ["viewer", "auditor", "association_staff"])
def test_roles_below_admin_cannot_reveal(haizhu, client_for, role):
    association, _, team = haizhu
    client = client_for(role, "440105")
    assert "显示完整号码" not in client.get(association.get_absolute_url()).content.decode()
    assert client.post(association.get_absolute_url()).status_code == 403
    assert client.post(team.get_absolute_url()).status_code == 403
    assert not ObjectChange.objects.filter(action=ObjectChange.Action.REVEAL).exists()


def test_an_admin_of_another_county_cannot_reveal(haizhu, client_for):
    association, _, _ = haizhu
    # 天河区's admin cannot even see 海珠区's association.
    assert (
        client_for("county_admin", "440106").post(association.get_absolute_url()).status_code == 404
    )


@pytest.mark.parametrize(
    ("role", "code"), [("county_admin", "440105"), ("province_admin", "440000")]
)
def test_an_admin_reveals_and_the_reveal_is_logged(haizhu, client_for, role, code):
    association, member, team = haizhu
    client = client_for(role, code)
    page = client.get(association.get_absolute_url()).content.decode()
    assert "显示完整号码" in page and PHONES["president"] not in page
    revealed = client.post(association.get_absolute_url()).content.decode()
    assert PHONES["president"] in revealed and PHONES["secretary"] in revealed
    assert PHONES["contact"] in revealed and "已记入审计日志" in revealed
    reveals = ObjectChange.objects.filter(action=ObjectChange.Action.REVEAL)
    assert {(r.content_type.model, r.object_id) for r in reveals} == {
        ("association", str(association.pk)),
        ("groupmember", str(member.pk)),
    }
    assert all(r.scope_path == association.region.path and r.user for r in reveals)
    team_page = client.post(team.get_absolute_url()).content.decode()
    assert PHONES["leader"] in team_page
    assert reveals.filter(object_id=str(team.pk), content_type__model="team").exists()
    # The reveal is for that one response: the page shows masked numbers again afterwards.
    assert PHONES["president"] not in client.get(association.get_absolute_url()).content.decode()


def test_edit_form_shows_masked_and_keeps_the_number_when_sent_back_unchanged(haizhu, client_for):
    association, _, _ = haizhu
    client = client_for("association_staff", "440105")
    url = reverse("ledger:association_edit", args=[association.number])
    form = client.get(url).content.decode()
    assert MASKED["president"] in form and PHONES["president"] not in form
    data = {
        "name": association.name,
        "form": association.form,
        "established_on": "2021-03-01",
        "president_name": "陈海",
        "president_phone": MASKED["president"],
        "secretary_name": "李珠",
        "secretary_phone": "13700001111",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    association.refresh_from_db()
    assert association.president_phone == PHONES["president"]
    assert association.secretary_phone == "13700001111"


def test_exports_are_clear_for_the_admins_masked_for_others_and_logged(haizhu, make_user):
    from qingxie.core.context import change_context
    from qingxie.ledger.sheets import export_associations

    region = Region.objects.get(code="440100")
    on = datetime.date(2024, 1, 1)
    for user, shown in (
        (make_user("city_admin", "440100"), PHONES["president"]),
        (make_user("viewer", "440100"), MASKED["president"]),
        # A county admin exporting the whole city: masked (the rule is taken at the export's region).
        (make_user("county_admin", "440105"), MASKED["president"]),
    ):
        with change_context(user=user, channel="web"):
            rows, _count = export_associations(user, region, on)
            (row,) = list(rows)
        assert row["president_phone"] == shown


def test_keys_rotate_reencrypts_everything_under_the_new_key(haizhu, settings):
    from io import StringIO

    from django.core.management import call_command

    old = settings.FIELD_KEYS[0]
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    new = out.getvalue().strip()
    Fernet(new.encode())  # a valid key
    settings.FIELD_KEYS = [new, old]
    out = StringIO()
    call_command("keys", "rotate", "--batch", "1", stdout=out)
    assert "共 4 个值" in out.getvalue()
    settings.FIELD_KEYS = [new]  # the old key dropped: everything still opens
    assert Association.objects.get().president_phone == PHONES["president"]
    assert GroupMember.objects.get().contact_phone == PHONES["contact"]
    assert Team.objects.get().leader_phone == PHONES["leader"]
    entry = ObjectChange.objects.filter(object_repr__contains="密钥轮换").get()
    assert "密钥轮换" in entry.object_repr and entry.after is None
    settings.FIELD_KEYS = [old]  # the old key alone no longer opens them
    with pytest.raises(crypto.FieldKeyError):
        Association.objects.get()
