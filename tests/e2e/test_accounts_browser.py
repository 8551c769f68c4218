"""In a real Chromium: a city administrator (广州市) invites a county administrator (天河区) by
a one-time link; the new administrator sets a password, signs in, binds an authenticator and
builds a team; the link does not open twice; the city administrator sees the sign-in."""

from __future__ import annotations

import datetime
from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PASSWORD = "Tianhe-2026-volunteer"


def _code(secret_text: str) -> str:
    key = b32decode(secret_text.replace(" ", ""))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def test_city_invites_a_county_admin_who_signs_in_enrols_and_builds_a_team(
    browser, page_as, server
):
    base = server["url"]
    city = page_as("demo-gz")
    city.click("#nav-accounts")
    city.wait_for_url("**/users/")
    city.click("#invite-user")
    city.fill("#id_username", "tianhe-admin")
    city.fill("#id_display_name", "王天河")
    city.select_option("#id_role", "county_admin")
    city.fill("#id_region", "440106")
    city.click("#invite-form button[type=submit]")
    link = city.locator("#invite-link").input_value()
    assert "/users/invite/" in link
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    city.screenshot(path=str(ARTIFACTS / "accounts-invite-link.png"), full_page=True)

    # The new administrator, in a browser of their own.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(link)
    assert page.locator("#invited-username").inner_text() == "tianhe-admin"
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.click("#invite-accept button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "tianhe-admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/enrol/")
    page.screenshot(path=str(ARTIFACTS / "accounts-enrol-390.png"), full_page=True)
    secret = page.locator("#otp-secret").inner_text()
    page.fill("#id_code", _code(secret))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "天河区" in page.locator("h1").inner_text()

    # Builds a team under the district's association.
    page.goto(f"{base}/teams/new/")
    page.locator("#choose-association a").first.click()
    page.fill("#id_name", "天河邀请测试志愿服务队")
    page.select_option("#id_category", "township")
    township = page.locator("#id_township option").nth(1).get_attribute("value")
    assert township.startswith("440106")
    page.select_option("#id_township", township)
    page.fill("#id_founded_on", datetime.date.today().isoformat())
    page.fill("#id_member_count", "12")
    page.click("#team-form button[type=submit]")
    page.wait_for_url("**/teams/*/")
    assert "天河邀请测试志愿服务队" in page.locator("h1").inner_text()

    # The link was spent.
    again = context.new_page()
    response = again.goto(link)
    assert response.status == 410
    assert "已经使用过" in again.locator("#invite-refused").inner_text()
    context.close()

    # The city administrator sees the new administrator's role and sign-in.
    city.goto(f"{base}/users/?q=tianhe-admin")
    row = city.locator("#users tbody tr").first.inner_text()
    assert "县级管理员（天河区）" in row and "从未登录" not in row
    city.set_viewport_size({"width": 390, "height": 844})
    city.screenshot(path=str(ARTIFACTS / "accounts-user-list-390.png"), full_page=True)
    # A county administrator of 海珠区 gets 404 for the 天河区 administrator.
    href = city.locator("#users tbody tr a").first.get_attribute("href")
    haizhu = page_as("demo-haizhu")
    assert haizhu.goto(f"{base}{href}").status == 404


@pytest.mark.parametrize("username", ["demo", "demo-gd", "demo-gz", "demo-haizhu"])
def test_user_list_reads_at_each_level_on_desktop_and_phone(page_as, server, username):
    page = page_as(username)
    page.goto(f"{server['url']}/users/")
    rows = page.locator("#users tbody tr")
    assert rows.count() >= 1
    # Each administrator sees their own account; the nation sees every demo account.
    assert username in page.locator("#users").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(
            path=str(ARTIFACTS / f"accounts-users-{username}-{width}.png"), full_page=True
        )
        # Nothing wider than the screen but the table, which scrolls inside itself.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{username} at {width}px: page wider than the screen by {overflow}px"
