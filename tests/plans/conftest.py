"""Shared data of the plans tests: Guangzhou with one association not yet standardized
(海珠区) and counties without any (天河区 …)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from qingxie.ledger import services as ledger
from qingxie.regions.models import Region

FOUNDED = datetime.date(2021, 3, 1)
TARGET = datetime.date(2027, 6, 30)


@pytest.fixture
def plans_seed(db):
    """The seed the plans migration writes (a transactional test's flush removes it)."""
    importlib.import_module("qingxie.plans.migrations.0002_default_templates_and_blockers").seed(
        apps, None
    )


@pytest.fixture
def haizhu(db, plans_seed):
    """海珠区's association, founded, registered, not standardized."""
    return ledger.association_create(
        actor=None,
        region=Region.objects.get(code="440105"),
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=FOUNDED,
    )


@pytest.fixture
def gz(db):
    return Region.objects.get(code="440100")
