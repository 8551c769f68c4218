"""In a real Chromium: sign in, walk the country down to a township, see the maps drawn."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_setup_is_idempotent_and_says_where_data_lives(server):
    first, second = server["setup_outputs"]
    assert "首次载入区划数据 2025-12-31：共 41935 条" in first
    assert "已是最新" in second and "地图文件已是最新" in second
    assert str(server["dir"]) in second


def test_login_page_refuses_a_wrong_password(browser, server):
    page = browser.new_page()
    page.goto(server["url"] + "/regions/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "demo")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".form-error").is_visible()
    page.close()


def test_guangdong_shows_21_prefectures_and_its_county_map(page_as, server):
    page = page_as("demo-gd")
    # A province cadre starts at home: the workbench links to the province's region page.
    assert page.url == server["url"] + "/"
    page.click("#as-of-form >> text=区划页")
    page.wait_for_url("**/regions/440000/")
    assert page.locator("h1").inner_text().startswith("广东省")
    assert page.locator("#children tbody tr").count() == 21
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=20000)
    assert page.locator("#coverage-map").get_attribute("data-drawn-features") == "124"
    # The SVG renderer draws one path per shape; 124 units (122 counties, 东莞, 中山).
    assert page.locator("#coverage-map svg path").count() >= 124
    assert page.locator("#map-missing").count() == 0


def test_drill_down_from_the_country_to_a_township(page_as, server):
    page = page_as("demo")
    page.goto(server["url"] + "/regions/")
    page.click("#children >> text=广东省")
    page.wait_for_url("**/regions/440000/")
    page.click("#children >> text=广州市")
    page.wait_for_url("**/regions/440100/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=20000)
    assert page.locator("#coverage-map").get_attribute("data-drawn-features") == "11"
    page.click("#children >> text=海珠区")
    page.wait_for_url("**/regions/440105/")
    first_township = page.locator("#children tbody tr a").first
    name = first_township.inner_text()
    first_township.click()
    page.wait_for_url("**/regions/440105*/")
    assert page.locator("h1").inner_text().startswith(name)
    crumbs = page.locator(".breadcrumbs").inner_text()
    assert "全国" in crumbs and "广东省" in crumbs and "广州市" in crumbs and "海珠区" in crumbs


def test_national_map_draws_every_province_and_the_boundary_lines(page_as, server):
    page = page_as("demo")
    page.goto(server["url"] + "/regions/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=30000)
    assert page.locator("#coverage-map").get_attribute("data-drawn-features") == "34"


def test_clicking_a_county_on_the_map_opens_it(page_as, server):
    page = page_as("demo-gz")
    page.goto(server["url"] + "/regions/440100/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=20000)
    box = page.locator("#coverage-map").bounding_box()
    # Click around the middle of the map until a county opens (shapes differ in size).
    for dx, dy in [(0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.5, 0.6), (0.4, 0.4)]:
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        page.wait_for_timeout(500)
        if "/regions/4401" in page.url and not page.url.endswith("/440100/"):
            break
    assert page.url.rstrip("/").split("/")[-1].startswith("4401")
    assert not page.url.endswith("/440100/")


def test_units_without_shapes_are_listed_beside_the_map(page_as, server):
    page = page_as("demo")
    page.goto(server["url"] + "/regions/650000/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=20000)
    missing = page.locator("#map-missing").inner_text()
    assert "和康县" in missing and "和安县" in missing


def test_a_county_user_cannot_open_another_county(page_as, server):
    page = page_as("demo-haizhu")
    page.goto(server["url"] + "/regions/440105/")
    assert page.locator("h1").inner_text().startswith("海珠区")
    response = page.goto(server["url"] + "/regions/440106/")
    assert response.status == 404
    assert "不在您的权限范围内" in page.locator("#error-message").inner_text()


def test_search_box_finds_a_county(page_as):
    page = page_as("demo")
    page.fill("input[name=q]", "仙桃")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    page.click("#result-regions >> text=仙桃市")
    page.wait_for_url("**/regions/429004/")


def test_api_answers_with_a_token_free_401_and_serves_its_schema(server):
    try:
        urllib.request.urlopen(server["url"] + "/api/regions/440000")
        raise AssertionError("anonymous API call succeeded")
    except urllib.error.HTTPError as err:
        assert err.code == 401
        assert json.loads(err.read())["error"]["code"] == "not_authenticated"
    with urllib.request.urlopen(server["url"] + "/api/schema?format=json") as resp:
        assert "/api/regions/" in json.loads(resp.read())["paths"]


def test_static_assets_come_from_the_app_itself(page_as, server):
    page = page_as("demo")
    external = []
    page.on("request", lambda r: external.append(r.url) if "127.0.0.1" not in r.url else None)
    page.goto(server["url"] + "/regions/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=30000)
    # The workbench too: its coverage map, chart and scripts.
    page.goto(server["url"] + "/")
    page.wait_for_selector("#coverage-map[data-ready=true]", timeout=30000)
    assert external == []
