"""In a real Chromium: a province cadre records a training held today, is told when the end
date is before the start, puts a county president who has not been trained this year on the
list, ticks the attendance, and sees the yearly rule's figure move. Screenshots of the
training pages at 1440 and 390 px for each demo level."""

from __future__ import annotations

import datetime

import pytest

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def _trained(page) -> int:
    return int(page.locator("#counties-trained").inner_text())


def test_province_cadre_records_a_training_and_the_figure_moves(page_as, server):
    base = server["url"]
    today = datetime.date.today()
    page = page_as("demo-gd")
    page.goto(f"{base}/trainings/compliance/?region=440000&year={today.year}")
    before = _trained(page)
    late = page.locator("#late-counties a").first
    county_name = late.text_content()
    number = late.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]

    page.goto(f"{base}/trainings/new/")
    page.select_option(
        "#id_organiser",
        label=page.locator("#id_organiser option").filter(has_text="广东省").first.inner_text(),
    )
    page.select_option("#id_status", "held")
    page.fill("#id_title", "全省县级协会负责人培训班（浏览器测试）")
    page.check("input[name=audience][value=leaders]")
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", (today - datetime.timedelta(days=1)).isoformat())
    page.fill("#id_class_hours", "8")
    page.fill("#id_topics", "协会规范化建设、志愿服务项目设计")
    page.click("#training-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "不能早于开始日期" in page.locator("#field-end_date .field-error").inner_text()
    page.fill("#id_end_date", today.isoformat())
    page.click("#training-form button[type=submit]")
    page.wait_for_url("**/trainings/*/")
    assert "浏览器测试" in page.locator("h1").inner_text()

    page.fill("#add-attendee input[name=association]", number)
    page.fill("#add-attendee input[name=name]", "测试会长")
    page.select_option("#add-attendee select[name=role]", "president")
    page.click("#add-attendee button[type=submit]")
    page.wait_for_load_state("networkidle")
    row = page.locator("#attendee-table tbody tr").filter(has_text="测试会长")
    assert county_name in row.inner_text()
    row.locator("input[type=checkbox]").check()
    row.locator("input.hours").fill("8")
    page.click("#save-attendance")
    page.wait_for_load_state("networkidle")
    assert page.locator("#attended-count").inner_text() == "1"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trainings-detail.png"), full_page=True)

    page.goto(f"{base}/trainings/compliance/?region=440000&year={today.year}")
    assert _trained(page) == before + 1


USERS = ("demo", "demo-gd", "demo-gz", "demo-haizhu")


@pytest.mark.parametrize("width", [1440, 390])
def test_screenshots_at_each_level(browser, server, width):
    base = server["url"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for user in USERS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("#panel-trainings").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"trainings-wb-{user}-{width}.png"), full_page=True)
        page.goto(f"{base}/trainings/")
        page.screenshot(path=str(ARTIFACTS / f"trainings-list-{user}-{width}.png"), full_page=True)
        first = page.locator("#trainings tbody a").first
        if first.count():
            first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(
                path=str(ARTIFACTS / f"trainings-detail-{user}-{width}.png"), full_page=True
            )
        page.goto(f"{base}/trainings/compliance/?year=2021")
        assert page.locator("#card-counties").count() == 1
        page.screenshot(
            path=str(ARTIFACTS / f"trainings-compliance-{user}-{width}.png"), full_page=True
        )
        context.close()
