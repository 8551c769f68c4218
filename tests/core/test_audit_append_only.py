"""The change log is append-only: the application refuses to alter it, PostgreSQL refuses too."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models.deletion import ProtectedError
from django.db.utils import DatabaseError

from qingxie.accounts.services import user_create
from qingxie.core.models import AppendOnlyError, ObjectChange


@pytest.fixture
def change(db):
    user_create(username="audited", password="x", validate=False)
    return ObjectChange.objects.latest("id")


def test_the_application_cannot_edit_or_remove_a_recorded_change(change):
    change.note = "篡改"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        ObjectChange.objects.filter(pk=change.pk).update(note="篡改")
    with pytest.raises(AppendOnlyError):
        ObjectChange.objects.filter(pk=change.pk).delete()
    change.refresh_from_db()
    assert change.note != "篡改"


def test_a_user_with_recorded_changes_cannot_be_deleted(change):
    from qingxie.accounts.models import User

    actor = User.objects.get(username="audited")
    ObjectChange.objects.create(
        user=actor,
        user_name="audited",
        request_id=change.request_id,
        channel="web",
        action="update",
        content_type=change.content_type,
        object_id=change.object_id,
        object_repr=change.object_repr,
    )
    with pytest.raises(ProtectedError):
        actor.delete()


def test_raw_sql_against_the_log_is_refused_on_postgresql(change):
    """On PostgreSQL a trigger refuses UPDATE and DELETE from any client; on SQLite (the
    embedded single-user default) only the application's refusal stands, which the test
    above checks."""
    table = ObjectChange._meta.db_table
    statements = [
        f"UPDATE {table} SET note = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ]
    for sql in statements:
        if connection.vendor == "postgresql":
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [change.pk])
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                assert cursor.fetchall() == []
    assert ObjectChange.objects.filter(pk=change.pk).exists()
