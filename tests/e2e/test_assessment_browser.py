"""In a real Chromium: 海珠区 fills its last manual indicator (the range named first), submits
its self-assessment; 广州市 returns it with a reason, the county resubmits, the city approves;
the province sees the tier and ranking; pages at 1440 and 390 px for four levels."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


def _sheet_url(page, base) -> str:
    page.goto(f"{base}/assessment/")
    page.click("#rounds a")
    page.wait_for_load_state("networkidle")
    return page.locator("#ranking a").first.get_attribute("href")


def test_county_self_assessment_reviewed_by_its_city(page_as, assessment_demo):
    base = assessment_demo["url"]
    county = page_as("demo-haizhu")
    href = _sheet_url(county, base)
    county.goto(base + href)
    assert "海珠区青年志愿者协会 · 2021年度评估表" in county.locator("h1").inner_text()
    # Computed values show the platform's figures they came from.
    assert "乡镇（街道）已建队" in county.locator("#ind-township-teams").inner_text()
    # Submitting with an indicator still empty: refused, the indicator named.
    county.click("#submit")
    county.wait_for_load_state("networkidle")
    assert "“年度志愿服务活动”未填报" in county.locator(".messages").inner_text()
    # A negative count: refused, the field and range named, nothing saved.
    form = county.locator("#fill-activities")
    form.locator("input[name=value]").fill("-5")
    form.locator("button").click()
    county.wait_for_load_state("networkidle")
    assert (
        "数值：“年度志愿服务活动”须在 0 至 10000 之间。" in county.locator(".messages").inner_text()
    )
    form = county.locator("#fill-activities")
    form.locator("input[name=value]").fill("30")
    form.locator("button").click()
    county.wait_for_load_state("networkidle")
    assert "已保存“年度志愿服务活动”" in county.locator(".messages").inner_text()
    county.fill("#submit-box input[name=note]", "已完成2021年度自评")
    county.click("#submit")
    county.wait_for_load_state("networkidle")
    assert "待市级审核" in county.locator("#state").inner_text()

    city = page_as("demo-gz")
    city.goto(base + href)
    city.fill("#return-reason-input", "活动场次请附活动台账")
    city.click("#return")
    city.wait_for_load_state("networkidle")
    assert "已退回" in city.locator("#state").inner_text()

    county.goto(base + href)
    assert "活动场次请附活动台账" in county.locator("#return-reason").inner_text()
    county.click("#submit")
    county.wait_for_load_state("networkidle")

    city.goto(f"{base}/assessment/")
    assert "海珠区青年志愿者协会" in city.locator("#to-review").inner_text()
    city.goto(base + href)
    city.click("#verify")
    city.wait_for_load_state("networkidle")
    assert "市级已审核" in city.locator("#state").inner_text()
    history = city.locator("#history").inner_text()
    assert history.count("提交") == 2 and "退回" in history and "通过" in history

    province = page_as("demo-gd")
    province.goto(f"{base}/assessment/")
    assert "海珠区青年志愿者协会" in province.locator("#to-confirm").inner_text()
    province.goto(base + href)
    province.click("#confirm")
    province.wait_for_load_state("networkidle")
    assert "省级已确认" in province.locator("#state").inner_text()

    # Another county's sheet is not the county cadre's business: 天河's, found by the city.
    city.goto(f"{base}/assessment/")
    city.click("#rounds a")
    city.goto(city.url.split("?")[0] + "?region=440106")
    other = city.locator("#ranking a").first.get_attribute("href")
    assert other != href
    response = county.goto(base + other)
    assert response.status == 404


def test_pages_at_desktop_and_phone_width(browser, assessment_demo):
    """Screenshots of the main pages for each level at 1440 and 390 px; tables stay readable."""
    base = assessment_demo["url"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for user in ("demo", "demo-gd", "demo-gz", "demo-haizhu"):
        for width in (1440, 390):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", "qingxie-demo")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{base}/assessment/")
            round_href = page.locator("#rounds a").first.get_attribute("href")
            for name, path in (
                ("round", round_href),
                ("demonstration", "/assessment/demonstration/?year=2021"),
                ("library", "/assessment/library/"),
            ):
                response = page.goto(base + path)
                assert response.status == 200, (user, path)
                # Nothing wider than the screen but the tables' own scroll boxes.
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 2, (user, width, path, overflow)
                page.screenshot(
                    path=str(ARTIFACTS / f"assessment-{name}-{user}-{width}.png"), full_page=False
                )
            if user == "demo-gd":
                page.goto(f"{base}/assessment/library/")
                assert "化州市义工联合会" in page.content() and "320,000" in page.content()
            context.close()
