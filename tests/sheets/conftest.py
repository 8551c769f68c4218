"""Fixtures of the import/export tests: background jobs run inline unless a test asks otherwise."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _imports_inline(settings, tmp_path):
    """Jobs run in the request (the test database is one transaction); uploads in a tmp dir."""
    settings.QINGXIE_IMPORT_BACKGROUND = False
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
