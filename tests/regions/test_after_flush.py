"""Transactional tests flush every table when they end; the next test still finds the shared data.

pytest-django runs these after the other database tests and before the tests that need no
database (tests/regions/test_maps.py builds its maps from the divisions outside any test
transaction). tests/conftest.py loads the division list and the migrations' seed data again
after each transactional test, so none of them depends on where it runs.
"""

from __future__ import annotations

import pytest

from qingxie.ledger.models import ChecklistItem, CoverageTarget
from qingxie.regions.models import Region


def _shared_data() -> dict:
    return {
        "haizhu": Region.objects.filter(code="440105", name="海珠区").exists(),
        "provinces": Region.objects.filter(level=1, valid_to=None).count(),
        "charter": ChecklistItem.objects.filter(code="charter").exists(),
        "national_targets": CoverageTarget.objects.filter(region__code="000000").exists(),
    }


EXPECTED = {"haizhu": True, "provinces": 34, "charter": True, "national_targets": True}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_a_transactional_test_finds_the_shared_data(run):
    """The second run follows the first one's flush."""
    assert _shared_data() == EXPECTED
    Region.objects.filter(code="440105").update(name="改名")  # committed: the flush undoes it


@pytest.mark.django_db
def test_a_database_test_finds_the_shared_data():
    assert _shared_data() == EXPECTED
