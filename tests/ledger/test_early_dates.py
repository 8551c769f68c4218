"""Dates before 1949-10-01 are typing mistakes: named, never a crash (API, command line)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/coverage?region=440000&as_of=0001-01-01",
        "/api/coverage/series?region=440000&start=0001-01-01&end=2021-05-06",
        "/api/coverage/series?region=440000&start=2020-01-01&end=1900-01-01",
    ],
)
def test_the_api_names_an_impossible_date(client_for, url):
    response = client_for("province_admin", "440000").get(url)
    assert response.status_code == 400
    assert "1949年10月1日" in str(response.json()["error"]["fields"])


def test_the_command_line_names_it_too():
    with pytest.raises(CommandError, match="1949年10月1日"):
        call_command("coverage", "--region", "440000", "--as-of", "0001-01-01")
