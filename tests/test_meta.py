"""Meta-tests: every object type the API exposes has generic read tests, and every type it
lets users write has generic write tests."""

from __future__ import annotations

import importlib
import pkgutil

import tests
from tests.generic import (
    COVERED_API_MODELS,
    COVERED_API_WRITE_MODELS,
    api_viewsets,
    viewset_is_writable,
)


def _import_all_tests():
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if not mod.name.startswith("tests.e2e"):
            importlib.import_module(mod.name)


def test_every_api_model_has_generic_read_tests():
    _import_all_tests()
    missing = set(api_viewsets()) - COVERED_API_MODELS
    assert not missing, f"API object types without generic read tests: {missing}"


def test_every_writable_api_model_has_generic_write_tests():
    _import_all_tests()
    writable = {label for label, vs in api_viewsets().items() if viewset_is_writable(vs)}
    missing = writable - COVERED_API_WRITE_MODELS
    assert not missing, f"Writable API object types without generic write tests: {missing}"


def test_read_only_types_are_not_writable():
    """The region API stays read-only (official division data)."""
    assert not viewset_is_writable(api_viewsets()["regions.Region"])


def test_every_object_with_its_own_page_has_generic_page_tests():
    """A model with a detail page (get_absolute_url) needs ScopedDetailViewTests."""
    from django.apps import apps

    from tests.generic import COVERED_VIEW_MODELS

    _import_all_tests()
    with_pages = {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("qingxie.") and hasattr(m, "get_absolute_url")
    }
    missing = with_pages - COVERED_VIEW_MODELS
    assert not missing, f"Object types with pages but without generic page tests: {missing}"


def test_index_and_constraint_names_are_unique_across_apps():
    """PostgreSQL and SQLite keep index names in one namespace per schema: two apps naming an
    index alike (two `LibraryEntry` models once did) fail at migrate time on a fresh database."""
    from collections import Counter

    from django.apps import apps

    names = Counter(
        item.name
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "auth", "sessions"}
        for item in [*model._meta.indexes, *model._meta.constraints]
        if item.name
    )
    assert [name for name, n in names.items() if n > 1] == []
