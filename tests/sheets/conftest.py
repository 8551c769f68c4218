"""Fixtures of the import/export tests: jobs run inline through the queue's own sync path."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _imports_inline(settings, tmp_path):
    """Jobs run in the request (the test database is one transaction); storage in a tmp dir."""
    settings.QINGXIE_JOBS_SYNC = True
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MEDIA_ROOT = tmp_path / "storage"
