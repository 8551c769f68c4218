"""Fixtures of the assessment tests: a small ledger in Guangdong and Guangxi, the default
indicator system and a national 2021 round whose windows are open today."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from qingxie.assessment import services
from qingxie.ledger import services as ledger
from qingxie.regions.models import Region

D = datetime.date
FOUNDED = D(2019, 1, 1)
CUT_OFF = D(2021, 12, 31)


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    settings.QINGXIE_JOBS_SYNC = True


@pytest.fixture(autouse=True)
def _chinese():
    """Each test starts in Chinese: a test client's English request leaves English active in
    the thread, and the services' messages (asserted in Chinese here) are translated."""
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


def make_association(code: str, name: str, **fields):
    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form=fields.pop("form", "youth_volunteer_association"),
        established_on=fields.pop("established_on", FOUNDED),
        **fields,
    )


def evidence(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", "application/pdf")


class World:
    """The associations, the default version and (after `open_round`) a computed round."""

    def __init__(self):
        self.gd = make_association("440000", "广东省青年志愿者协会")
        self.gz = make_association("440100", "广州市青年志愿者协会")
        self.hz = make_association(
            "440105",
            "海珠区青年志愿者协会",
            registered=True,
            uscc="91440105MA59A1B2C0",
            registered_on=D(2020, 1, 1),
        )
        self.th = make_association("440106", "天河区青年志愿者协会")
        self.gx = make_association("450000", "广西壮族自治区青年志愿者协会")
        self.nn = make_association("450102", "兴宁区青年志愿者协会")
        self.version = services.version_create_default(actor=None)

    def open_round(self, **kw):
        today = timezone.localdate()
        self.round = services.round_open(
            actor=None,
            region=Region.objects.get(code="000000"),
            year=2021,
            indicator_version=self.version,
            cut_off=kw.pop("cut_off", CUT_OFF),
            self_until=kw.pop("self_until", today + datetime.timedelta(days=1)),
            review_until=kw.pop("review_until", today + datetime.timedelta(days=1)),
            appeal_until=kw.pop("appeal_until", today + datetime.timedelta(days=90)),
        )
        services.round_compute(round_id=self.round.pk)
        self.round.refresh_from_db()
        return self.round

    def sheet(self, association):
        return self.round.sheets.get(association=association)


def fill_all(sheet, grade: str = "A", value: int = 30) -> None:
    """The county fills every manual indicator (with evidence where required)."""
    for v in sheet.values.select_related("indicator").filter(indicator__kind="manual"):
        ind = v.indicator
        services.value_fill(
            actor=None,
            sheet=sheet,
            indicator=ind,
            grade=grade if ind.rule == "abc" else "",
            value=None if ind.rule == "abc" else value,
            evidence=evidence() if ind.evidence_required else None,
        )


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def opened(world):
    world.open_round()
    return world
