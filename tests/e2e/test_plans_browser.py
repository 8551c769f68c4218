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
        charter.locator("[data-close-form] input[name=note]").fill("已完成")
        charter.locator("[data-close-form] button").click()
        county.wait_for_load_state("networkidle")
        assert "尚未在台账中提交核验" in county.locator(".messages").inner_text()
    training = county.locator("tr[data-task='item-training']")
    training.locator("summary", has_text="关闭任务").click()
    training.locator("[data-close-form] input[name=note]").fill("负责人培训结业证明已报市青协核验")
    training.locator("[data-close-form] button").click()
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


PAGES = [
    ("demo", "/plans/map/?region=000000"),
    ("demo", "/plans/?region=000000"),
    ("demo-gd", "/plans/map/?region=440000"),
    ("demo-gd", "/plans/blockers/?region=440000"),
    ("demo-gd", "/plans/?region=440000"),
    ("demo-gz", "/"),
    ("demo-gz", "/plans/responsibility/?region=440100"),
    ("demo-gz", "/plans/tasks/?region=440100&overdue_on=2024-03-31"),
    ("demo-gz", "/plans/map/?region=440100"),
    ("demo-haizhu", "/plans/"),
    ("demo-conghua", "/"),
]


@pytest.fixture(scope="module")
def signed_in(browser, plans_demo):
    """signed_in(user) → the browser state of that demo user signed in once for this module
    (the pages below only read, so one session per user serves every width)."""
    states = {}

    def state(user: str):
        if user not in states:
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            page.goto(plans_demo["url"] + "/accounts/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", "qingxie-demo")
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            states[user] = context.storage_state()
            context.close()
        return states[user]

    return state


@pytest.mark.parametrize("width", [1440, 390])
def test_pages_render_for_each_level(browser, plans_demo, signed_in, width):
    """Each level's plan pages answer and draw, at desk and phone width (screenshots kept)."""
    base = plans_demo["url"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    contexts = {}
    for n, (user, path) in enumerate(PAGES):
        if user not in contexts:
            contexts[user] = browser.new_context(
                viewport={"width": width, "height": 900},
                locale="zh-CN",
                storage_state=signed_in(user),
            )
        page = contexts[user].new_page()
        response = page.goto(base + path)
        assert response.status == 200, (user, path)
        assert "/accounts/login/" not in page.url, (user, path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"plans-{width}-{n:02d}-{user}.png"), full_page=True)
        page.close()
    for context in contexts.values():
        context.close()
    # A plan's page with its timeline.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", storage_state=signed_in("demo-gd")
    )
    page = context.new_page()
    page.goto(base + "/plans/?region=440000&status=overdue")
    page.locator("#plans tbody a").first.click()
    page.wait_for_selector("#plan-timeline canvas")
    page.screenshot(path=str(ARTIFACTS / f"plans-{width}-plan-detail.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(("language", "colon"), [("en", ": "), ("zh-hans", "：")])
def test_plan_cards_on_a_phone_label_each_value_in_the_readers_language(
    browser, plans_demo, language, colon
):
    """At 390 px each plan is a card: every value follows its label with the language's own
    colon ("Target: …", "目标：…"), figures included (not pushed to the card's right edge)."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(plans_demo["url"] + "/accounts/login/")
    if language == "en":  # Chinese is the default: its page offers only "English"
        page.click("footer button[name=language][value=en]")
        page.wait_for_load_state("networkidle")
    page.fill("#id_username", "demo-gd")
    page.fill("#id_password", "qingxie-demo")
    page.click("button[type=submit]")
    page.goto(plans_demo["url"] + "/plans/?region=440000")
    cells = page.evaluate(
        """() => [...document.querySelectorAll('#plans tbody tr:first-child td[data-label]')]
        .map(td => [getComputedStyle(td, '::before').content, getComputedStyle(td).textAlign])"""
    )
    assert len(cells) >= 5
    for before, align in cells:
        assert before.endswith(colon + '"'), before
        assert align in ("left", "start"), (before, align)
    context.close()
