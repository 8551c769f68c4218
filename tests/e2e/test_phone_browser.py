"""In a real Chromium at 390 px (a phone), every main page as each of the four demo users:
no page scrolls sideways and no table cell is squeezed narrower than two characters.

The rule under test is the one in app.css ("THE TABLE RULE", docs/adding-an-object-type.md §8):
a table scrolls inside its own box with the name column pinned, so a page never does.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

USERS = {"demo": "000000", "demo-gd": "440000", "demo-gz": "440100", "demo-haizhu": "440105"}


def main_pages(code: str) -> dict[str, str]:
    return {
        "workbench": "/",
        "map": "/map/",
        "region": "/regions/" if code == "000000" else f"/regions/{code}/",
        "ledger": "/associations/",
        "coverage": f"/coverage/{code}/",
        "verification": "/verification/",
        "teams": "/teams/",
        "sheets": "/sheets/",
        "bulletin": f"/reports/bulletin/{code}/",
        "search": "/search/?q=广州",
        "audit": "/audit/",
    }


#: Cells whose text has two characters or more but whose content box is narrower than two
#: of its own characters (one character a line), and how far the page scrolls sideways.
LAYOUT_JS = """() => {
  const root = document.documentElement;
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.trim();
    if ([...text].length < 2) continue;
    const st = getComputedStyle(cell);
    const box = cell.getBoundingClientRect();
    if (!box.width || st.visibility === 'hidden') continue;
    const inner = box.width - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    if (inner < 2 * parseFloat(st.fontSize) - 0.5) narrow.push(text.slice(0, 16) + ' (' + Math.round(inner) + 'px)');
  }
  return {sideways: root.scrollWidth - root.clientWidth, narrow: narrow.slice(0, 8)};
}"""


def phone(browser, server, username: str):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(server["url"] + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("username", list(USERS))
def test_every_main_page_fits_a_phone(browser, server, username):
    page = phone(browser, server, username)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, path in main_pages(USERS[username]).items():
        response = page.goto(server["url"] + path)
        if response.status == 403:  # 审计日志 is for auditors and administrators only
            continue
        assert response.ok, f"{path}: {response.status}"
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"phone-{username}-{name}.png"), full_page=True)
        found = page.evaluate(LAYOUT_JS)
        if found["sideways"] > 0:
            problems.append(f"{path}: the page scrolls {found['sideways']} px sideways")
        if found["narrow"]:
            problems.append(f"{path}: cells narrower than two characters: {found['narrow']}")
    page.context.close()
    assert not problems, "\n".join(problems)


def test_the_rule_catches_a_squeezed_table(browser, server):
    """The check is honest: a table without the rule (class removed) fails it on a phone."""
    page = phone(browser, server, "demo-gz")
    page.goto(server["url"] + "/associations/")
    assert page.evaluate(LAYOUT_JS)["narrow"] == []
    page.evaluate("() => document.querySelectorAll('table.table').forEach(t => t.className = '')")
    found = page.evaluate(LAYOUT_JS)
    assert found["narrow"] or found["sideways"] > 0, "the unstyled ledger table should not fit"
    page.context.close()


def test_a_county_cadre_sees_what_to_do_first_on_a_phone(browser, server):
    """需要处理 — the next steps and the streets without a team — comes before the figures."""
    page = phone(browser, server, "demo-haizhu")
    attention = page.locator("#attention").bounding_box()
    cards = page.locator("#cards").bounding_box()
    trend = page.locator("#trend").bounding_box()
    assert attention["y"] < cards["y"] < trend["y"]
    # The navigation and the search take one compact band above the content.
    title = page.locator("#dashboard-title").bounding_box()
    assert page.locator(".topbar").bounding_box()["height"] <= 110
    assert title["y"] < 260
    assert page.locator("#townships-missing li").count() > 0
    assert page.locator("#nav-api").count() == 0  # 接口文档 is for administrators
    page.context.close()
