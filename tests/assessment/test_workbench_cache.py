"""The workbench's assessment panel is kept per region and data version: a change of the
round's tiers shows on the next visit, on the county's workbench and on the city's."""

from __future__ import annotations

import lxml.html
import pytest

from qingxie.assessment import services

pytestmark = pytest.mark.django_db


def _tiers(client) -> dict[str, str]:
    tree = lxml.html.fromstring(client.get("/").content.decode())
    return {
        badge.text.strip(): badge.findtext("strong")
        for badge in tree.xpath("//p[@class='tier-counts']/span")
    }


def test_new_tiers_show_on_the_workbench_at_once(opened, client_for):
    county = client_for("county_admin", "440105")
    city = client_for("city_admin", "440100")
    assert "甲档" not in _tiers(county)
    assert _tiers(city) == _tiers(city)  # the second visit is served from the cache
    services.round_set_tiers(actor=None, round=opened.round, tiers=[["甲档", 0]])
    assert _tiers(county) == {"甲档": "1"}
    assert _tiers(city) == {"甲档": "2"}


def test_a_submitted_sheet_reaches_the_city_s_queue_at_once(opened, client_for):
    from tests.assessment.conftest import fill_all

    city = client_for("city_admin", "440100")
    assert "待审核自评" not in city.get("/").content.decode()
    sheet = opened.sheet(opened.hz)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    assert "待审核自评 1 份" in city.get("/").content.decode()
