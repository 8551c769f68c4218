"""Fixtures of the projects tests: associations in Guangdong built through the services."""

from __future__ import annotations

import datetime

import pytest

from qingxie.ledger import services as ledger
from qingxie.projects import services
from qingxie.projects.models import Programme
from qingxie.regions.models import Region

FOUNDED = datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def default_language(settings):
    """Each test starts in Chinese: a page requested in English leaves its language active in
    the test thread (the middleware activates, nothing resets it), and the services' messages
    follow the active language."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def association(code: str, name: str):
    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form="youth_volunteer_association",
        established_on=FOUNDED,
    )


@pytest.fixture
def gd(db):
    """Guangdong with its province, Guangzhou, Haizhu, Tianhe, Shenzhen, Luohu associations."""

    class World:
        pass

    w = World()
    w.gd = association("440000", "广东省青年志愿者协会")
    w.gz = association("440100", "广州市青年志愿者协会")
    w.hz = association("440105", "海珠区青年志愿者协会")
    w.th = association("440106", "天河区青年志愿者协会")
    w.sz = association("440300", "深圳市青年志愿者协会")
    w.lh = association("440303", "罗湖区青年志愿者协会")
    w.guanai = Programme.objects.get(code="guanai")
    w.yangguang = Programme.objects.get(code="yangguang")
    return w


def project(association, name="关爱留守儿童", programme=None, region=None, **fields):
    return services.project_create(
        actor=None,
        association=association,
        name=name,
        programme=programme,
        field=fields.pop("field", "children"),
        region=region or association.region,
        start_on=fields.pop("start_on", datetime.date(2021, 1, 1)),
        status=fields.pop("status", "running"),
        **fields,
    )
