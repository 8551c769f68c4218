"""Shared fixtures: the real division list is loaded once per test database."""

from __future__ import annotations

import pytest
from django.test import Client

from qingxie.accounts.models import User
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.regions.models import Region


def pytest_configure(config):
    """Unit tests render pages without running collectstatic; the e2e suite uses the real setup."""
    from django.conf import settings

    # Test users need no slow password hashing; the e2e server runs with the real hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    """Browser tests last: unit failures show first, and Playwright's loop never precedes them."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(scope="session")
def division_source():
    from qingxie.regions.sources import mca_divisions

    return mca_divisions()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, division_source):
    """Every test sees all of China's divisions, loaded once by the real loader."""
    from qingxie.regions.services import divisions_load

    with django_db_blocker.unblock():
        divisions_load(source=division_source)
    _loaded["source"] = division_source


#: The division list django_db_setup loaded (to load again after a transactional test).
_loaded: dict = {}


def _is_transactional(item) -> bool:
    """Whether pytest-django flushes the database when `item` ends (a transactional test)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction", False):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


#: Data migrations whose rows every installation has (seed(apps, schema_editor), idempotent).
SEED_MIGRATIONS = (
    "qingxie.projects.migrations.0002_national_programmes",
    "qingxie.plans.migrations.0002_default_templates_and_blockers",
    "qingxie.assessment.migrations.0002_default_indicators",
)


def _restore_flushed_data(source) -> None:
    """What the migrations seed (the checklist and the national targets, the programmes, plan
    templates and default indicators) and the division list: the shared data a transactional
    test's flush removes."""
    import importlib

    from django.apps import apps

    from qingxie.regions.services import divisions_load

    importlib.import_module("qingxie.ledger.migrations.0002_default_checklist_and_targets").seed(
        apps, None
    )
    divisions_load(source=source)
    # The apps' own seed data (idempotent; the plans' templates hang on the root region).
    for migration in SEED_MIGRATIONS:
        importlib.import_module(migration).seed(apps, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put the shared data back, so that no test depends on
    running before one (pytest-django runs them after the other database tests, and tests
    that need no database after those)."""
    yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        source = _loaded.get("source")
        if source is None:  # no test database was set up
            return
        with item.config.stash[blocking_manager_key].unblock():
            _restore_flushed_data(source)


@pytest.fixture(autouse=True)
def _fresh_figures_cache():
    """Cached figures are keyed by the latest change-log id, which a rolled-back test can hand
    to the next one on SQLite; every test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in English leaves English active in the test's thread (the locale
    middleware activates and never deactivates); every test starts in the default language, so
    no test passes or fails by the order it runs in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def demo_installation(tmp_path_factory):
    """A real installation with the national demo, made once per run (tests/demo_install.py);
    a test takes its own copy with `demo_installation.copy(dir, suffix)`."""
    from tests.demo_install import DemoInstallation

    return DemoInstallation.make(tmp_path_factory.mktemp("qingxie-demo"))


@pytest.fixture
def region():
    """Look up a region by code."""
    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def make_user(db):
    """make_user(role, code) → a user holding `role` on region `code`."""
    counter = iter(range(10_000))

    def make(role: str | None = None, code: str | None = None, **kwargs) -> User:
        user = user_create(
            username=kwargs.pop("username", f"u{next(counter)}-{role or 'none'}-{code or ''}"),
            password="x",
            validate=False,
            **kwargs,
        )
        if role:
            role_grant_create(
                actor=None, user=user, role=role, region=Region.objects.get(code=code)
            )
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def client_for(make_user):
    """client_for(role, code) → a logged-in Django test client."""

    def make(role: str | None = None, code: str | None = None) -> Client:
        client = Client()
        client.force_login(make_user(role, code))
        return client

    return make
