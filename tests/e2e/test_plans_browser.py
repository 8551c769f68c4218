"""In a real Chromium: the Guangzhou cadre previews and generates plans for its lagging
counties (从化区), puts the county in a patch and names a task's owner; the 从化 cadre closes
that task with a note and is refused one the ledger contradicts; the map and the timeline draw."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, _qingxie

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def plans_demo(server):
    """The plans demo (cadres per city, patches, demo-conghua); idempotent."""
    _qingxie(server["env"], "plans", "demo")
    return server


def test_city_generates_assigns_and_county_closes(page_as, plans_demo):
    base = plans_demo["url"]
    city = page_as("demo-gz")
    city.goto(f"{base}/plans/generate/?region=440100")
    city.click("#preview-btn")
    city.wait_for_load_state("networkidle")
    preview = city.locator("#preview-table")
    assert "从化区" in preview.inner_text()
    city.click("#confirm-btn")
    city.wait_for_url("**/plans/?region=440100")
    row = city.locator("#plans tr[data-county='440117']")
    assert "规范化建设" in row.inner_text()

    # 划片: a new patch, 从化 moved into it (its old assignment kept as history).
    city.goto(f"{base}/plans/responsibility/?region=440100")
    city.fill("#patch-form input[name=name]", "北片")
    city.click("#patch-form button[type=submit]")
    city.wait_for_load_state("networkidle")
    city.select_option("#assign-form select[name=county]", ["440117"])
    city.select_option("#assign-form select[name=patch]", label="北片")
    city.click("#assign-form button[type=submit]")
    city.wait_for_load_state("networkidle")
    assert "北片" in city.locator("#responsibilities tr[data-county='440117']").inner_text()

    # Name the county cadre as owner of the training task (its material is waiting above).
    city.goto(f"{base}/plans/?region=440117")
    city.click("#plans tr[data-county='440117'] a")
    city.wait_for_load_state("networkidle")
    plan_url = city.url
    training = city.locator("tr[data-task='item-training']")
    training.locator("summary", has_text="指定责任人").click()
    training.locator("select[name=owner]").select_option(label="演示·从化区管理员")
    training.locator("form button", has_text="指定").click()
    city.wait_for_load_state("networkidle")
    assert "演示·从化区管理员" in city.locator("tr[data-task='item-training']").inner_text()
    city.wait_for_selector("#plan-timeline canvas")

    county = page_as("demo-conghua")
    county.goto(plan_url)
    # An item whose material was never submitted: the ledger contradicts closing it.
    charter = county.locator("tr[data-task='item-charter']")
    if charter.count() and charter.locator("summary", has_text="关闭任务").count():
        charter.locator("summary", has_text="关闭任务").click()
        charter.locator("input[name=note]").fill("已完成")
        charter.locator("form button", has_text="关闭").click()
        county.wait_for_load_state("networkidle")
        assert "尚未在台账中提交核验" in county.locator(".messages").inner_text()
    training = county.locator("tr[data-task='item-training']")
    training.locator("summary", has_text="关闭任务").click()
    training.locator("input[name=note]").fill("负责人培训结业证明已报市青协核验")
    training.locator("form button", has_text="关闭").click()
    county.wait_for_load_state("networkidle")
    assert "已完成" in county.locator("tr[data-task='item-training']").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    county.screenshot(path=str(ARTIFACTS / "plans-detail.png"), full_page=True)

    # The province's map draws the counties by plan status, with the same legend.
    province = page_as("demo-gd")
    province.goto(f"{base}/plans/map/?region=440000")
    province.wait_for_selector("#plan-map canvas")
    assert "已逾期" in province.locator("#plan-legend").inner_text()
    assert province.locator("#map-units tr[data-status]").count() > 100
