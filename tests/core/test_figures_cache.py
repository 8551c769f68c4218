"""Cached figures are recomputed after any committed write, including a late-committing one."""

from __future__ import annotations

import datetime

import pytest

from qingxie.core.cache import cached_figures, change_stamp
from qingxie.core.models import DataVersion
from qingxie.ledger import services
from qingxie.ledger.choices import AssociationForm

pytestmark = pytest.mark.django_db


def test_a_commit_bumps_the_version_once_per_transaction(
    region, django_capture_on_commit_callbacks
):
    before = change_stamp()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        association = services.association_create(
            actor=None,
            region=region("440105"),
            name="海珠区青年志愿者协会",
            form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
            established_on=datetime.date(2020, 1, 1),
        )
    assert len(callbacks) == 1  # many change-log entries, one bump
    assert association.pk
    assert DataVersion.objects.get(pk=1).counter >= 1
    assert change_stamp() != before


def test_a_late_commit_with_a_lower_id_still_invalidates(region):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_figures("t", compute) == 1
    assert cached_figures("t", compute) == 1  # warm: not recomputed
    # A transaction that took its change-log id earlier commits now: the maximum id is
    # unchanged, only the version bumped after its commit tells.
    from django.db.models import F

    DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1)
    assert cached_figures("t", compute) == 2
