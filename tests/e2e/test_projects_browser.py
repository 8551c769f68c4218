"""In a real Chromium: two judges score three entries of the open 益苗计划 edition criterion
by criterion (a score out of range is named on its field), the ranking appears for the
province; the sinking page and the library catalogue render. Screenshots at 1440 and 390 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, _qingxie

pytestmark = pytest.mark.e2e

OPEN_EDITION = "2022年广东省“益苗计划”（演示评审）"


@pytest.fixture(scope="module")
def projects_demo(server):
    done = _qingxie(server["env"], "projects", "demo")
    assert "演示项目" in done.stdout, done.stdout + done.stderr
    return server


def _score_all(page, base, values):
    page.goto(f"{base}/competitions/")
    page.click(f"#my-judging a:has-text('{OPEN_EDITION}')")
    page.wait_for_load_state("networkidle")
    links = page.locator("#judge-entries a").evaluate_all("as => as.map(a => a.href)")
    assert len(links) == 3
    for n, href in enumerate(links):
        page.goto(href)
        inputs = page.locator("#score-form input[name^='criterion_']")
        assert inputs.count() == 3
        if n == 0:
            # Out of range: the message names the criterion, nothing is saved.
            inputs.nth(0).fill("101")
            inputs.nth(1).fill("80")
            inputs.nth(2).fill("80")
            page.click("#score-form button[name=submit]")
            page.wait_for_load_state("networkidle")
            assert "“项目创意”的得分须在 0 到 100 之间。" in page.content()
            inputs = page.locator("#score-form input[name^='criterion_']")
        for i in range(3):
            inputs.nth(i).fill(str(values[n]))
        page.click("#score-form button[name=submit]")
        page.wait_for_url("**/judge/")
    assert page.locator("#judge-entries").inner_text().count("已提交") == 3


def test_two_judges_score_three_entries_and_the_ranking_appears(page_as, projects_demo):
    base = projects_demo["url"]
    _score_all(page_as("demo-judge1"), base, [70, 90, 80])
    _score_all(page_as("demo-judge2"), base, [72, 88, 80])
    province = page_as("demo-gd")
    province.goto(f"{base}/competitions/")
    province.click(f"#competitions a:has-text('{OPEN_EDITION}')")
    province.click("#ranking-link")
    province.wait_for_load_state("networkidle")
    rows = province.locator("table.ranking tbody tr").evaluate_all(
        "rs => rs.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("1", "89.00", "2"),
        ("2", "80.00", "2"),
        ("3", "71.00", "2"),
    ]
    assert "同分规则" in province.locator("#tie-rule").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        province.set_viewport_size({"width": width, "height": 900})
        province.screenshot(path=str(ARTIFACTS / f"projects-ranking-{width}.png"), full_page=True)


@pytest.mark.parametrize("username", ["demo", "demo-gd", "demo-gz", "demo-haizhu"])
def test_pages_at_each_level(page_as, projects_demo, username):
    base = projects_demo["url"]
    page = page_as(username)
    for name, path in (
        ("sinking", "/projects/sinking/"),
        ("projects", "/projects/"),
        ("catalogue", "/projects/catalogue/"),
        ("competition", "/competitions/"),
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        for width in (1440, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(
                path=str(ARTIFACTS / f"projects-{name}-{username}-{width}.png"), full_page=True
            )
    page.goto(f"{base}/projects/sinking/")
    assert "关爱行动" in page.content()
    if username in ("demo-gd", "demo-gz"):
        # The county map coloured by the chosen programme draws (two categories).
        page.wait_for_selector("#region-map[data-ready='true']", timeout=20000)
        assert int(page.locator("#region-map").get_attribute("data-drawn-features")) > 0
    page.goto(f"{base}/projects/catalogue/")
    assert page.locator("#catalogue tbody tr").count() >= 1
