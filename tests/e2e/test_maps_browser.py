"""In a real Chromium: maps that read. The legend lies outside every drawn shape, 南海诸岛 is an
inset, a province map outlines its prefectures, the county table sorts and filters by 所属地市,
and the chosen date stays in the address (a reload or a shared link shows the same day).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

MAP_READY = "#coverage-map[data-ready=true]"

#: Rectangles (page pixels) of the legend and of every shape the SVG map draws.
BOXES_JS = """() => {
  const r = el => { const b = el.getBoundingClientRect();
                    return {x: b.left, y: b.top, w: b.width, h: b.height}; };
  const legend = document.getElementById('map-legend');
  const shapes = [...document.querySelectorAll('#coverage-map svg path')]
    .map(r).filter(b => b.w > 0 && b.h > 0);
  return {legend: r(legend), items: [...legend.querySelectorAll('li')].map(li => li.innerText),
          shapes: shapes};
}"""

#: The drawn series' line features (prefecture outlines, boundary lines, the inset frame).
LINES_JS = """() => echarts.getInstanceByDom(document.getElementById('coverage-map'))
  .getOption().series[0].data.map(d => String(d.name))
  .filter(n => n.startsWith('outline-') || n.startsWith('boundary-'))"""


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"maps-{name}.png"), full_page=True)


def _rows(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-county-table] tr')].map(tr => ({
             code: tr.dataset.code, status: tr.dataset.status,
             place: tr.querySelector('td.place').innerText}))"""
    )


@pytest.mark.parametrize("width", [1440, 390])
def test_national_legend_lies_outside_the_shapes_and_names_the_uncounted(page_as, server, width):
    page = page_as("demo")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(server["url"] + "/regions/000000/map/")
    page.wait_for_selector(MAP_READY, timeout=30000)
    boxes = page.evaluate(BOXES_JS)
    assert len(boxes["shapes"]) >= 34
    hits = [s for s in boxes["shapes"] if _overlaps(boxes["legend"], s)]
    assert hits == [], f"legend {boxes['legend']} covers {hits[:3]}"
    # Six bands and the grey of 台湾, 香港, 澳门, each named.
    assert len(boxes["items"]) == 6
    assert any("台湾" in t and "香港" in t and "澳门" in t for t in boxes["items"])
    _shot(page, f"national-{width}")


def test_south_china_sea_islands_are_an_inset(page_as, server):
    page = page_as("demo")
    page.goto(server["url"] + "/regions/000000/map/")
    page.wait_for_selector(MAP_READY, timeout=30000)
    assert page.get_attribute("#coverage-map", "data-inset") == "true"
    assert "boundary-inset" in page.evaluate(LINES_JS)
    assert page.locator("#coverage-map svg text", has_text="南海诸岛").count() == 1
    # The inset's frame is drawn at the lower right of the mainland, not under it at full scale:
    # the map is wider than tall, as China without the full-scale 南海 is.
    extent = page.evaluate(
        """() => { const b = [...document.querySelectorAll('#coverage-map svg path')]
             .map(p => p.getBoundingClientRect()).filter(r => r.width > 0);
           const x0 = Math.min(...b.map(r => r.left)), x1 = Math.max(...b.map(r => r.right));
           const y0 = Math.min(...b.map(r => r.top)), y1 = Math.max(...b.map(r => r.bottom));
           return {w: x1 - x0, h: y1 - y0}; }"""
    )
    assert extent["w"] > extent["h"]


def test_guangdong_map_outlines_its_prefectures_and_labels_read(page_as, server):
    page = page_as("demo-gd")
    page.goto(server["url"] + "/regions/440000/map/")
    page.wait_for_selector(MAP_READY, timeout=30000)
    outlines = [n for n in page.evaluate(LINES_JS) if n.startswith("outline-")]
    assert len(outlines) == 21 and "outline-440100" in outlines
    boxes = page.evaluate(BOXES_JS)
    assert not [s for s in boxes["shapes"] if _overlaps(boxes["legend"], s)]
    # Labels, where shown, are dark on the light fills.
    label = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('coverage-map'))"
        ".getOption().series[0].label.color"
    )
    assert label == "#1f2933"
    _shot(page, "guangdong")


def test_county_table_filters_by_prefecture_and_sorts(page_as, server):
    page = page_as("demo-gd")
    page.goto(server["url"] + "/regions/440000/map/")
    page.wait_for_selector(MAP_READY, timeout=30000)
    rows = _rows(page)
    assert len(rows) == 122
    assert {r["place"] for r in rows} >= {"广州市", "深圳市", "湛江市"}
    # Filter: 广州市's 11 districts only.
    page.select_option("[data-county-filter]", label="广州市")
    rows = _rows(page)
    assert len(rows) == 11 and {r["place"] for r in rows} == {"广州市"}
    assert "11" in page.inner_text("[data-county-shown]")
    # Sort by code, then the other way round.
    page.click("[data-sort=code]")
    codes = [r["code"] for r in _rows(page)]
    assert codes == sorted(codes)
    assert page.get_attribute("th:has([data-sort=code])", "aria-sort") == "ascending"
    page.click("[data-sort=code]")
    assert [r["code"] for r in _rows(page)] == sorted(codes, reverse=True)
    # Status filter and name search combine with the prefecture.
    page.select_option("[data-county-filter]", value="")
    page.fill("[data-county-search]", "海珠")
    assert [r["code"] for r in _rows(page)] == ["440105"]


def test_chosen_date_stays_in_the_address_and_the_replay_starts_at_the_first_association(
    page_as, server
):
    page = page_as("demo-gd")
    page.goto(server["url"] + "/regions/440000/map/")
    page.wait_for_selector(MAP_READY, timeout=30000)
    page.fill("[data-map-date]", "2021-05-06")
    page.dispatch_event("[data-map-date]", "change")
    assert "as_of=2021-05-06" in page.url
    page.reload()
    page.wait_for_selector(MAP_READY, timeout=30000)
    assert page.get_attribute("#coverage-map", "data-as-of") == "2021-05-06"
    assert page.input_value("[data-map-date]") == "2021-05-06"
    # The replay's first month is the one of the earliest association in the province.
    origin = "/".join(page.url.split("/")[:3])
    data = page.request.get(origin + "/api/coverage/map", params={"region": "440000"}).json()
    first = min(s[0] for c in data["counties"] for s in c["established"])
    start = page.get_attribute("#coverage-map", "data-replay-start")
    assert start[:7] == first[:7]
    # Dragging the slider to its start shows that month and keeps it in the address.
    page.eval_on_selector(
        "[data-map-slider]",
        "s => { s.value = '0'; s.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    assert page.get_attribute("#coverage-map", "data-as-of") == start
    assert f"as_of={start}" in page.url
