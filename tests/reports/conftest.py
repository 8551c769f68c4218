"""Small ledgers built with the services, and the real map files built once for the session."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from qingxie.ledger.services import association_dissolve, association_standardize
from qingxie.regions.models import Region
from tests.ledger.test_api import make_association

AS_OF = datetime.date(2021, 5, 6)
FOUNDED = datetime.date(2020, 1, 1)


def found(code: str, *, on: datetime.date = FOUNDED, standardized_on=None, **fields):
    """An association on `code`, entered by the system; standardized on a date when given."""
    association = make_association(code, on=on, **fields)
    if standardized_on:
        association = association_standardize(
            actor=None, association=association, on=standardized_on
        )
    return association


def county_codes(parent: str, on: datetime.date = AS_OF) -> list[str]:
    """The county-level units directly under `parent` on a date, in code order."""
    from qingxie.ledger.coverage import valid_on

    return list(
        Region.objects.filter(parent__code=parent, level=Region.Level.COUNTY)
        .filter(valid_on(on))
        .order_by("code")
        .values_list("code", flat=True)
    )


@pytest.fixture
def guangzhou(db):
    """广州: the city association and 4 of 11 districts on 2021-05-06 (海珠 standardized);
    白云 was active through 2020 and dissolved on 2021-01-01; 罗湖 and 福田 in 深圳."""
    from qingxie.teams.services import team_create

    hz = found("440105", standardized_on=datetime.date(2021, 3, 1), name="海珠区青年志愿者协会")
    by = found("440111", on=datetime.date(2019, 6, 1))
    association_dissolve(actor=None, association=by, on=datetime.date(2021, 1, 1))
    township = Region.objects.filter(parent__code="440105").order_by("code").first()
    team_create(
        actor=None,
        association=hz,
        name="海珠区第一志愿服务队",
        category="township",
        founded_on=datetime.date(2020, 6, 1),
        township=township,
    )
    return SimpleNamespace(
        gd=found("440000", name="广东省青年志愿者协会"),
        gz=found("440100", name="广州市青年志愿者协会"),
        lw=found("440103"),
        yx=found("440104"),
        hz=hz,
        th=found("440106"),
        by=by,
        lh=found("440303"),
        ft=found("440304", standardized_on=datetime.date(2021, 2, 1)),
        township=township,
    )


@pytest.fixture(scope="session")
def built_maps(tmp_path_factory, django_db_setup, django_db_blocker):
    """The map files `qingxie setup` writes, built once into a temporary directory."""
    from qingxie.regions.maps import maps_build

    out = tmp_path_factory.mktemp("maps")
    with django_db_blocker.unblock():
        maps_build(out)
    return out


@pytest.fixture
def maps(built_maps, settings):
    settings.MAPS_DIR = built_maps
    return built_maps


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path):
    """Bulletin jobs run in the request (the test database is one transaction); kept files go
    to a directory of the test's own."""
    settings.QINGXIE_JOBS_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "storage"
