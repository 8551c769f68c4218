"""A small Guangdong: the province, 广州 and two of its districts, 深圳 and 罗湖, each with an
association (presidents named), and helpers to make trainings and attendees."""

from __future__ import annotations

import datetime as dt

import pytest

from qingxie.ledger import services as ledger
from qingxie.trainings import services

D = dt.date
FOUNDED = D(2019, 1, 1)


def make_association(code, name, *, president="", secretary="", on=FOUNDED, form=None):
    from qingxie.regions.models import Region

    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form=form or "youth_volunteer_association",
        established_on=on,
        president_name=president,
        secretary_name=secretary,
    )


@pytest.fixture
def gd_world(db):
    class W:
        pass

    w = W()
    w.gd = make_association("440000", "广东省青年志愿者协会", president="李省")
    w.gz = make_association("440100", "广州市青年志愿者协会", president="王市")
    w.hz = make_association("440105", "海珠区青年志愿者协会", president="陈海", secretary="林秘")
    w.th = make_association("440106", "天河区青年志愿者协会", president="赵天")
    w.sz = make_association("440300", "深圳市义工联合会", form="yigong_federation")
    w.lh = make_association("440303", "罗湖区青年志愿者协会", president="周罗")
    return w


DEFAULT_START = D(2021, 4, 20)


def make_training(organiser, *, actor=None, start=DEFAULT_START, end=None, status="held", **kw):
    fields = {
        "title": kw.pop("title", f"{organiser.name}负责人培训班"),
        "kind": kw.pop("kind", "leaders"),
        "audience": kw.pop("audience", ["leaders"]),
        "start_date": start,
        "end_date": end or start,
        "class_hours": kw.pop("class_hours", 8),
        **kw,
    }
    return services.training_create(actor=actor, organiser=organiser, status=status, **fields)


def attend(training, association, name, role="president", *, attended=True, hours=None, actor=None):
    return services.attendee_add(
        actor=actor,
        training=training,
        association=association,
        name=name,
        role=role,
        attended=attended,
        hours=hours,
    )
