"""Training services: each bad input gets a Chinese message on its field and nothing is saved;
the change log records every write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qingxie.core.errors import ConflictError, PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.trainings import services
from qingxie.trainings.models import Attendee, Training

from .conftest import D, attend, make_training

pytestmark = pytest.mark.django_db


def test_end_before_start_is_refused_on_end_date(gd_world):
    with pytest.raises(QingxieError) as excinfo:
        make_training(gd_world.gz, start=D(2021, 4, 20), end=D(2021, 4, 19))
    assert "结束日期（2021-04-19）不能早于开始日期" in excinfo.value.errors["end_date"][0]
    assert not Training.objects.exists()


def test_held_training_in_the_future_is_refused(gd_world):
    later = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(QingxieError) as excinfo:
        make_training(gd_world.gz, start=later, status="held")
    assert "不能登记为“已举办”" in excinfo.value.errors["end_date"][0]
    planned = make_training(gd_world.gz, start=later, status="planned")
    with pytest.raises(QingxieError) as excinfo:
        services.training_set_status(actor=None, training=planned, status="held")
    assert "end_date" in excinfo.value.errors
    assert Training.objects.get().status == "planned"


def test_several_bad_fields_are_named_together(gd_world):
    with pytest.raises(QingxieError) as excinfo:
        services.training_create(
            actor=None,
            organiser=gd_world.gz,
            title=" ",
            kind="nonsense",
            audience=[],
            start_date=D(2021, 1, 2),
            end_date=D(2021, 1, 1),
            class_hours="abc",
        )
    assert set(excinfo.value.errors) >= {"title", "kind", "audience", "end_date", "class_hours"}
    assert not Training.objects.exists()


def test_a_county_user_cannot_create_a_province_training(gd_world, make_user):
    county = make_user("county_admin", "440105")
    with pytest.raises(PermissionDeniedError) as excinfo:
        make_training(gd_world.gd, actor=county)
    assert "organiser" in excinfo.value.errors
    assert "广东省青年志愿者协会" in excinfo.value.message
    assert not Training.objects.exists()
    own = make_training(gd_world.hz, actor=county)
    change = ObjectChange.objects.get(
        content_type__model="training", object_id=str(own.pk), action="create"
    )
    assert change.after["title"] == own.title


def test_attendance_on_a_planned_or_cancelled_training_is_refused(gd_world):
    planned = make_training(gd_world.gz, status="planned")
    with pytest.raises(QingxieError) as excinfo:
        attend(planned, gd_world.hz, "陈海")
    assert "尚未举办" in excinfo.value.errors["attended"][0]
    registered = attend(planned, gd_world.hz, "陈海", attended=False)
    services.training_set_status(actor=None, training=planned, status="cancelled")
    with pytest.raises(QingxieError) as excinfo:
        services.attendee_update(actor=None, attendee=registered, attended=True)
    assert "已取消" in excinfo.value.errors["attended"][0]
    assert not Attendee.objects.get().attended


def test_attendee_outside_the_organisers_scope_is_refused(gd_world):
    training = make_training(gd_world.gz)
    with pytest.raises(QingxieError) as excinfo:
        attend(training, gd_world.lh, "周罗")
    assert (
        "罗湖区青年志愿者协会不在主办协会（广州市青年志愿者协会）的范围内"
        in (excinfo.value.errors["association"][0])
    )
    assert not Attendee.objects.exists()


def test_the_nation_trains_anyone(db):
    from .conftest import make_association

    nation = make_association("000000", "中国青年志愿者协会")
    lh = make_association("440303", "罗湖区青年志愿者协会")
    training = make_training(nation, kind="demonstration")
    assert attend(training, lh, "周罗").attended


def test_hours_above_class_hours_are_refused(gd_world):
    training = make_training(gd_world.gz, class_hours=8)
    with pytest.raises(QingxieError) as excinfo:
        attend(training, gd_world.hz, "陈海", hours=Decimal("8.5"))
    assert "参训学时（8.5）不能超过培训课时（8.0）" in excinfo.value.errors["hours"][0]
    attend(training, gd_world.hz, "陈海", hours=8)
    with pytest.raises(QingxieError) as excinfo:
        services.training_update(actor=None, training=training, class_hours=4)
    assert "陈海" in excinfo.value.errors["class_hours"][0]


def test_a_duplicate_attendee_is_refused(gd_world):
    training = make_training(gd_world.gz)
    attend(training, gd_world.hz, "陈海")
    with pytest.raises(QingxieError) as excinfo:
        attend(training, gd_world.hz, "陈海", role="secretary_general")
    assert "不能重复登记" in excinfo.value.errors["name"][0]
    drafts = [
        services.AttendeeDraft({"association": gd_world.th, "name": "赵天", "role": "president"}),
        services.AttendeeDraft({"association": gd_world.th, "name": "赵天", "role": "president"}),
    ]
    with pytest.raises(services.AttendeesRefused) as refused:
        services.attendee_create_bulk(actor=None, training=training, drafts=drafts)
    assert list(refused.value.refused) == [1]
    assert Attendee.objects.count() == 1


def test_attendance_in_bulk_names_the_person_and_writes_nothing_on_refusal(gd_world):
    training = make_training(gd_world.gz, class_hours=6)
    a = attend(training, gd_world.hz, "陈海", attended=False)
    b = attend(training, gd_world.th, "赵天", attended=False)
    with pytest.raises(QingxieError) as excinfo:
        services.attendance_record(
            actor=None,
            training=training,
            marks={a.pk: {"attended": True, "hours": 6}, b.pk: {"attended": True, "hours": 9}},
        )
    assert "赵天：参训学时（9.0）不能超过培训课时（6.0）" in excinfo.value.errors["hours"][0]
    assert not Attendee.objects.filter(attended=True).exists()
    changed = services.attendance_record(
        actor=None, training=training, marks={a.pk: {"attended": True, "hours": 6}}
    )
    assert [x.pk for x in changed] == [a.pk]
    log = ObjectChange.objects.filter(
        content_type__model="attendee", object_id=str(a.pk), action="update"
    ).latest("id")
    assert log.before["attended"] is False and log.after["attended"] is True


def test_a_stale_edit_is_a_conflict(gd_world):
    training = make_training(gd_world.gz)
    services.training_update(actor=None, training=training, expected_version=1, place="广州")
    with pytest.raises(ConflictError):
        services.training_update(actor=None, training=training, expected_version=1, place="深圳")
    assert Training.objects.get().place == "广州"


def test_leaving_held_with_attendance_is_refused(gd_world):
    training = make_training(gd_world.gz)
    attend(training, gd_world.hz, "陈海")
    with pytest.raises(QingxieError) as excinfo:
        services.training_set_status(actor=None, training=training, status="cancelled")
    assert "已登记出勤" in excinfo.value.errors["status"][0]


def test_phone_is_encrypted_and_checked(gd_world):
    training = make_training(gd_world.gz)
    with pytest.raises(QingxieError) as excinfo:
        services.attendee_add(
            actor=None,
            training=training,
            association=gd_world.hz,
            name="陈海",
            role="president",
            phone="123",
        )
    assert "phone" in excinfo.value.errors
    services.attendee_add(
        actor=None,
        training=training,
        association=gd_world.hz,
        name="陈海",
        role="president",
        phone="13900139000",
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM trainings_attendee")
        stored = cursor.fetchone()[0]
    assert "13900139000" not in stored
    assert Attendee.objects.get().phone == "13900139000"
