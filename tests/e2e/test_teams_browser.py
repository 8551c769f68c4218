"""In a real Chromium: a county cadre builds a township team under its association, is told
which field is missing first, and finds the team in its list; another county's team is 404."""

from __future__ import annotations

import datetime

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

HAIZHU = "440105-3-01-4"  # the demo's 海珠区青年志愿者协会 (fixed seed)


def test_county_builds_a_township_team(page_as, server):
    base = server["url"]
    page = page_as("demo-haizhu")
    page.goto(f"{base}/teams/new/?association={HAIZHU}")
    page.fill("#id_name", "测试街道青年志愿服务队")
    page.select_option("#id_category", "township")
    page.fill("#id_founded_on", datetime.date.today().isoformat())
    page.click("#team-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    # A township team without its township: the message sits on that field, nothing saved.
    assert "乡镇" in page.locator("#field-township .field-error").inner_text()

    options = page.locator("#id_township option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent]).filter(([v]) => v)"
    )
    assert options and all(value.startswith("440105") for value, _ in options)
    page.select_option("#id_township", options[0][0])
    page.fill("#id_member_count", "25")
    page.click("#team-form button[type=submit]")
    page.wait_for_url("**/teams/*/")
    assert "测试街道青年志愿服务队" in page.locator("h1").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "teams-detail.png"), full_page=True)

    page.goto(f"{base}/teams/?region=440105")
    assert "测试街道青年志愿服务队" in page.content()

    # A team of the neighbouring county is not this cadre's business.
    other = page_as("demo-gz")
    other.goto(f"{base}/teams/?region=440106")
    href = other.locator("#teams a[href^='/teams/']").first.get_attribute("href")
    response = page.goto(f"{base}{href}")
    assert response.status == 404
