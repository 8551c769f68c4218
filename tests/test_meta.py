"""Meta-tests: every object type the API exposes has generic permission tests."""

from __future__ import annotations

import importlib
import pkgutil

import tests
from qingxie.urls import router
from tests.generic import COVERED_API_MODELS


def _import_all_tests():
    for mod in pkgutil.walk_packages(tests.__path__, "tests."):
        if not mod.name.startswith("tests.e2e"):
            importlib.import_module(mod.name)


def test_every_api_model_has_generic_tests():
    _import_all_tests()
    exposed = {vs.serializer_class.Meta.model._meta.label for _, vs, _ in router.registry}
    missing = exposed - COVERED_API_MODELS
    assert not missing, f"API object types without generic permission tests: {missing}"
