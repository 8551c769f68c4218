"""The workbench at `/`: figures against the targets, children worst first, what needs doing."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingxie.ledger import coverage, services
from qingxie.regions.models import Region
from qingxie.teams.services import team_create
from tests.generic import ScopedDetailViewTests
from tests.web.helpers import (
    GUANGZHOU_COUNTIES,
    D,
    by_id,
    card,
    child_rows,
    codes,
    doc,
    make_association,
    messages,
    percent,
    required_items,
    shows_date,
    submit,
    text,
)

pytestmark = pytest.mark.django_db

#: The national target's second milestone: 70 % due that day, so 70 % is required exactly.
YEAR_END_2021 = D(2021, 12, 31)


@pytest.fixture
def guangdong(db):
    """A small Guangdong ledger whose figures on 2021-12-31 are known by hand.

    广州: nine districts founded 2020-06-01, 天河 (440106) suspended 2021-06-01, so 8 of 11
    (72.7 %), 越秀 and 海珠 standardized 2021-03-01. 深圳: 罗湖 only (1 of 9). 珠海: 3 of 3,
    none standardized. 佛山: 5 of 5, 禅城 standardized. The province and Guangzhou city
    associations above them. Province: 17 of 122 established, 3 standardized.
    """
    made = {}
    for code in GUANGZHOU_COUNTIES[:9]:
        made[code] = make_association(code)
    for code in ("440303", "440402", "440403", "440404"):
        made[code] = make_association(code)
    for code in ("440604", "440605", "440606", "440607", "440608"):
        made[code] = make_association(code)
    services.association_suspend(actor=None, association=made["440106"], on=D(2021, 6, 1))
    for code in ("440104", "440105", "440604"):
        services.association_standardize(actor=None, association=made[code], on=D(2021, 3, 1))
    province = make_association("440000", name="广东省青年志愿者协会", on=D(2000, 1, 1))
    city = make_association("440100", name="广州市青年志愿者协会", on=D(2005, 1, 1))
    # One street of 海珠 has a team: township coverage moves off zero.
    street = Region.objects.filter(parent__code="440105").order_by("code").first()
    team_create(
        actor=None,
        association=made["440105"],
        name=f"{street.name}青年志愿服务队",
        category="township",
        township=street,
        founded_on=D(2021, 1, 1),
    )
    return SimpleNamespace(counties=made, province=province, city=city, street=street)


def dashboard(client, **params):
    return client.get("/", params)


# ------------------------------------------------------------------------------ scope


class TestDashboardOfAnotherRegion(ScopedDetailViewTests):
    """?region= opens another region's workbench only inside the user's scope."""

    role = "county_admin"
    grant_code = "440105"
    url_in_scope = "/?region=440105"
    url_out_of_scope = "/?region=440106"
    expected_text = 'id="dashboard-title">海珠区'  # the heading names the region first


@pytest.mark.parametrize(
    ("role", "code", "outside"),
    [
        ("county_admin", "440105", ["440106", "440100", "440000", "000000"]),
        ("city_admin", "440100", ["440300", "440000", "441826"]),
        ("province_admin", "440000", ["450000", "450102", "000000"]),
    ],
)
def test_a_region_outside_the_scope_is_404(client_for, role, code, outside):
    client = client_for(role, code)
    for other in [*outside, "999999"]:
        response = dashboard(client, region=other)
        assert response.status_code == 404, other
        assert "不在您的权限范围内" in response.content.decode()


def test_a_township_has_no_workbench(client_for):
    # Coverage is counted over county-level units; a township code is not a workbench.
    response = dashboard(client_for("province_admin", "440000"), region="440105001")
    assert response.status_code == 404


def test_a_user_without_grants_is_told_to_ask_for_them(client_for):
    tree = doc(dashboard(client_for()))
    assert "尚未被授予任何行政区划的角色" in text(tree.xpath("//p[@class='notice']")[0])
    assert not tree.xpath("//*[@id='cards']")


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_breadcrumbs_lead_back_up_only_as_far_as_the_scope(client_for):
    tree = doc(dashboard(client_for("province_admin", "440000"), region="440105"))
    crumbs = by_id(tree, "dashboard-title").getparent().getprevious()
    assert text(crumbs) == "广东省 › 广州市 › 海珠区"
    assert [a.get("href").split("&")[0] for a in crumbs.xpath("./a")] == [
        "/?region=440000",
        "/?region=440100",
    ]
    county = doc(dashboard(client_for("county_admin", "440105")))
    assert text(county.xpath("//nav[@class='breadcrumbs']")[0]) == "海珠区"


# ------------------------------------------------------------------------------ dates


def test_a_bad_date_is_named_and_today_is_shown(client_for, guangdong):
    client = client_for("city_admin", "440100")
    today = timezone.localdate()
    for raw, said in (("2021-02-30", "格式不对"), ("2021/05/06", "格式不对")):
        response = dashboard(client, as_of=raw)
        tree = doc(response)
        assert any(f"日期“{raw}”{said}" in m and "已按今天显示" in m for m in messages(tree))
        assert response.context["as_of"] == today
        assert tree.xpath("//input[@name='as_of']/@value") == [today.isoformat()]
    future = today + datetime.timedelta(days=1)
    tree = doc(dashboard(client, as_of=future.isoformat()))
    assert any("不能晚于今天" in m for m in messages(tree))
    assert "（历史）" not in text(by_id(tree, "dashboard-title"))
    past = doc(dashboard(client, as_of="2021-05-06"))
    assert messages(past) == []
    title = text(by_id(past, "dashboard-title"))
    assert title.startswith("广州市") and "工作台" in title
    assert shows_date(title, D(2021, 5, 6)) and title.endswith("（历史）")


# ---------------------------------------------------------------------------- figures


#: (role, region, figures by hand on 2021-12-31: counties, established, standardized).
USERS = [
    ("national_admin", "000000", None),
    ("province_admin", "440000", (122, 17, 3)),
    ("city_admin", "440100", (11, 8, 2)),
    ("county_admin", "440105", (1, 1, 1)),
]


@pytest.mark.parametrize(("role", "code", "by_hand"), USERS)
def test_figures_equal_the_coverage_tree_on_every_date(client_for, guangdong, role, code, by_hand):
    """The cards, the summary sentence and the children table show exactly `coverage_tree`."""
    client = client_for(role, code)
    region = Region.objects.get(code=code)
    for day in (YEAR_END_2021, D(2020, 5, 31), D(2021, 6, 1), timezone.localdate()):
        tree = doc(dashboard(client, as_of=day.isoformat()))
        node = coverage.coverage_tree(region, day, depth=1)
        teams = card(tree, "township_teams")
        assert teams["rate"] == percent(node.township_rate)
        assert teams["count"] == f"{node.townships_with_team} / {node.townships}"
        summary = text(by_id(tree, "summary"))
        if region.level == Region.Level.COUNTY:
            # A county is one unit: no "1 / 1" coverage cards, a sentence about itself.
            assert not tree.xpath(
                "//*[@data-measure='established' or @data-measure='standardized']"
            )
            said = (
                "已规范化建设"
                if node.standardized
                else "已成立"
                if node.established
                else "尚未成立"
            )
            assert said in summary
            assert (
                f"{node.townships}个乡镇（街道）中{node.townships_with_team}个已建立基层队伍"
                in summary
            )
            assert not tree.xpath("//table[@id='children']")
            continue
        established = card(tree, "established")
        assert established["rate"] == percent(node.coverage_rate)
        assert established["count"] == f"{node.established} / {node.counties}"
        standardized = card(tree, "standardized")
        assert standardized["rate"] == percent(node.standardized_rate)
        assert standardized["count"] == f"{node.standardized} / {node.counties}"
        assert (
            f"{region.name}{node.counties}个县级单位中共有{node.established}个成立团属志愿服务组织，"
            f"覆盖率为{percent(node.coverage_rate)}；{node.standardized}个规范建设" in summary
        )
        rows = child_rows(tree)
        assert sorted(r["code"] for r in rows) == sorted(c.code for c in node.children)
        by_code = {c.code: c for c in node.children}
        for row in rows:
            child = by_code[row["code"]]
            assert row["cells"][0] == child.name
            if region.level == Region.Level.PREFECTURE:
                # 我的县（市、区）: each county's association and its township teams.
                status = (
                    "已规范化"
                    if child.standardized
                    else "已成立"
                    if child.established
                    else "未成立"
                )
                assert row["cells"][1:3] == [
                    status,
                    f"{child.townships_with_team}/{child.townships}" if child.townships else "—",
                ]
                continue
            assert row["cells"][1:4] == [
                percent(child.coverage_rate),
                percent(child.standardized_rate),
                str(child.missing),
            ]
        if day == YEAR_END_2021 and by_hand:
            assert (node.counties, node.established, node.standardized) == by_hand
        if day == D(2020, 5, 31) and code != "000000":
            assert established["count"] == f"0 / {node.counties}"


def test_township_teams_card_counts_the_street_with_a_team(client_for, guangdong):
    tree = doc(dashboard(client_for("county_admin", "440105"), as_of="2021-12-31"))
    streets = Region.objects.get(code="440105").township_count
    assert streets == 18
    assert card(tree, "township_teams") == {
        "rate": percent(round(100 / 18, 1)),
        "count": "1 / 18",
        "state": "none",
        "target": "尚未设定目标",
    }
    before = doc(dashboard(client_for("county_admin", "440105"), as_of="2020-12-31"))
    assert card(before, "township_teams")["count"] == "0 / 18"


# ---------------------------------------------------------------------------- targets


def test_cards_show_whether_the_region_is_on_track(client_for, guangdong):
    province = client_for("province_admin", "440000")

    # 广州 72.7 % on 2021-12-31, when 70 % is due: on track.
    city = card(doc(dashboard(province, region="440100", as_of="2021-12-31")), "established")
    assert city["state"] == "on_track"
    assert "按目标此时应达 70.0%" in city["target"] and "进度正常" in city["target"]
    # 深圳 11.1 %: behind by 58.9 points.
    shenzhen = card(doc(dashboard(province, region="440300", as_of="2021-12-31")), "established")
    assert shenzhen["rate"] == "11.1%" and shenzhen["state"] == "behind"
    assert "落后 58.9 个百分点" in shenzhen["target"]
    # Half-way between the two milestones the required rate lies on the straight line.
    mid = D(2021, 6, 30)
    required = round(50 + 20 * (mid - D(2020, 12, 31)).days / 365, 1)
    tree = doc(dashboard(province, region="440100", as_of=mid.isoformat()))
    assert f"按目标此时应达 {required:.1f}%" in card(tree, "established")["target"]
    assert "下一目标：2021-12-31 前达到 70.0%" in text(
        tree.xpath("//*[@class='card-next muted']")[0]
    )
    # Past the last milestone (2023-12-31) the final target stands: 100 %.
    today = card(doc(dashboard(province, region="440100")), "established")
    assert "按目标此时应达 100.0%" in today["target"] and today["state"] == "behind"


def test_a_province_target_set_now_shows_on_the_cards_at_once(client_for, guangdong):
    """No standardization target nationally; Guangdong sets 20 % by 2021-12-31 for its cities."""
    province = client_for("province_admin", "440000")
    before = card(doc(dashboard(province, region="440100", as_of="2021-12-31")), "standardized")
    assert before["state"] == "none" and before["target"] == "尚未设定目标"

    services.coverage_target_set(
        actor=None,
        region=Region.objects.get(code="440000"),
        measure="standardized",
        due_on=YEAR_END_2021,
        rate=20,
    )
    guangzhou = card(doc(dashboard(province, region="440100", as_of="2021-12-31")), "standardized")
    assert guangzhou["rate"] == "18.2%" and guangzhou["state"] == "behind"
    assert "落后 1.8 个百分点" in guangzhou["target"]
    foshan = card(doc(dashboard(province, region="440600", as_of="2021-12-31")), "standardized")
    assert foshan["rate"] == "20.0%" and foshan["state"] == "on_track"  # exactly at the target


# ------------------------------------------------------------------- cache invalidation


def test_a_new_association_shows_on_the_dashboard_immediately(client_for, guangdong):
    client = client_for("city_admin", "440100")
    tree = doc(dashboard(client))
    assert card(tree, "established")["count"] == "8 / 11"
    assert "440117" in codes(tree, "//ul[@id='missing-counties']/li")
    again = doc(dashboard(client))  # served from the cache: the same figures
    assert card(again, "established")["count"] == "8 / 11"

    make_association("440117", on=D(2022, 3, 1))
    tree = doc(dashboard(client))
    assert card(tree, "established")["count"] == "9 / 11"
    assert card(tree, "established")["rate"] == "81.8%"
    assert "440117" not in codes(tree, "//ul[@id='missing-counties']/li")
    assert text(by_id(tree, "missing-heading")).endswith("2")
    # The province above sees the same move.
    province = doc(dashboard(client_for("province_admin", "440000")))
    assert card(province, "established")["count"] == "18 / 122"


# ----------------------------------------------------------------------------- ranking


def test_children_are_ranked_worst_first_and_laggards_flagged(client_for, guangdong):
    tree = doc(dashboard(client_for("province_admin", "440000"), as_of="2021-12-31"))
    rows = child_rows(tree)
    prefectures = (
        Region.objects.filter(parent__code="440000", level=Region.Level.PREFECTURE)
        .order_by("code")
        .values_list("code", "county_count")
    )
    covered = ["440300", "440100", "440400", "440600"]  # 11.1 %, 72.7 %, 100 %, 100 % (std 20 %)
    uncounted = ["441900", "442000"]  # 东莞, 中山: no county-level units
    zero = [code for code, n in prefectures if n and code not in covered]
    assert len(zero) == 15
    assert [r["code"] for r in rows] == zero + covered + uncounted
    flagged = {r["code"] for r in rows if r["behind"]}
    assert flagged == {*zero, "440300"}  # below the 70 % due that day
    for row in rows:
        assert ("落后" in row["cells"][-1]) == row["behind"]
    assert [r["cells"][1] for r in rows if r["code"] in uncounted] == ["—", "—"]


def test_children_link_to_their_own_workbench_on_the_same_date(client_for, guangdong):
    client = client_for("city_admin", "440100")
    tree = doc(dashboard(client, as_of="2021-12-31"))
    (link,) = tree.xpath("//table[@id='children']//tr[@data-code='440117']//a")
    assert link.get("href") == "/?region=440117&as_of=2021-12-31"
    assert child_rows(tree)[0]["code"] in {"440106", "440117", "440118"}
    assert child_rows(tree)[-1]["code"] in {"440104", "440105"}  # covered and standardized
    county = doc(client.get(link.get("href")))
    title = text(by_id(county, "dashboard-title"))
    assert title.startswith("从化区") and shows_date(title, YEAR_END_2021)
    assert not county.xpath("//table[@id='children']")  # townships are not ranked


# ---------------------------------------------------------------------------- attention


def test_missing_counties_are_listed_with_the_suspended_one_marked(client_for, guangdong):
    city = doc(dashboard(client_for("city_admin", "440100"), as_of="2021-12-31"))
    assert codes(city, "//ul[@id='missing-counties']/li") == ["440106", "440117", "440118"]
    assert text(by_id(city, "missing-heading")).endswith("3")
    (tianhe,) = city.xpath("//ul[@id='missing-counties']/li[@data-code='440106']")
    assert "天河区" in text(tianhe) and "协会暂停" in text(tianhe)
    assert "协会暂停" not in text(city.xpath("//li[@data-code='440117']")[0])

    # Before the suspension 天河 counted as established.
    earlier = doc(dashboard(client_for("city_admin", "440100"), as_of="2021-05-31"))
    assert codes(earlier, "//ul[@id='missing-counties']/li") == ["440117", "440118"]

    # The province lists the first twelve of its 105 and says where the rest are.
    province = doc(dashboard(client_for("province_admin", "440000"), as_of="2021-12-31"))
    statuses = coverage.county_statuses(Region.objects.get(code="440000"), YEAR_END_2021)
    missing = sorted(c for c, s in statuses.items() if s == "none")
    assert len(missing) == 105
    assert codes(province, "//ul[@id='missing-counties']/li") == missing[:12]
    assert text(by_id(province, "missing-heading")).endswith("105")
    assert "只列出前 12 个" in text(by_id(province, "attention"))


def test_a_county_workbench_lists_its_townships_without_a_team(client_for, guangdong):
    """海珠: 18 streets, one with a team; the other 17 each offer 为该街道建队 with the county's
    association and the street filled in; the county-coverage list (always 0 or 1) is gone."""
    tree = doc(dashboard(client_for("county_admin", "440105")))
    assert not tree.xpath("//*[@id='missing-counties']")
    streets = list(
        Region.objects.filter(parent__code="440105", valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    listed = codes(tree, "//ul[@id='townships-missing']/li")
    assert listed == [c for c in streets if c != guangdong.street.code]
    assert text(by_id(tree, "townships-missing-count")) == str(len(streets) - 1)
    number = guangdong.counties["440105"].number
    for li in tree.xpath("//ul[@id='townships-missing']/li"):
        (button,) = li.xpath(".//a[@data-build-team]")
        assert text(button) == "为该街道建队"
        assert button.get("href") == (
            f"/teams/new/?association={number}&township={li.get('data-code')}"
        )
    # The link opens the team form on that street.
    client = client_for("county_admin", "440105")
    href = tree.xpath("//ul[@id='townships-missing']/li[1]//a/@href")[0]
    form = doc(client.get(href))
    (selected,) = form.xpath("//select[@name='township']/option[@selected]")
    assert selected.get("value") == listed[0]
    # The county's own teams, most recently updated first, with 新建队伍.
    assert codes(tree, "//table[@id='county-teams']/tbody/tr") == [None]
    assert by_id(tree, "county-new-team").get("href") == f"/teams/new/?association={number}"


def test_a_county_sees_its_next_checklist_steps(client_for, guangdong):
    client = client_for("county_admin", "440103")  # 荔湾: established, nothing submitted
    items = required_items()
    steps = [text(li) for li in doc(dashboard(client)).xpath("//ol[@id='next-steps']/li")]
    assert steps == [f"提交“{i.title}”的佐证材料" for i in items[:3]]
    submit(guangdong.counties["440103"], items[0])
    steps = [text(li) for li in doc(dashboard(client)).xpath("//ol[@id='next-steps']/li")]
    assert steps == [f"提交“{i.title}”的佐证材料" for i in items[1:4]]


def test_an_uncovered_county_is_told_to_enter_its_association(client_for, guangdong):
    uncovered = doc(dashboard(client_for("county_admin", "440117")))
    notice = text(by_id(uncovered, "own-association"))
    assert "从化区本级尚无在册协会" in notice
    (link,) = by_id(uncovered, "own-association").xpath(".//a")
    assert link.get("href") == "/regions/440117/"
    # No association, no team to build yet: the townships are listed without the button.
    assert uncovered.xpath("//ul[@id='townships-missing']/li")
    assert not uncovered.xpath("//a[@data-build-team]")
    assert "本级协会成立后才能建队" in text(by_id(uncovered, "attention"))


def test_a_city_sees_its_counties_first(client_for, guangdong):
    tree = doc(dashboard(client_for("city_admin", "440100"), as_of="2021-12-31"))
    (panel,) = tree.xpath("//section[@id='my-counties']")
    assert text(panel).startswith("我的县（市、区）")
    rows = child_rows(tree)
    assert {r["code"] for r in rows} == set(GUANGZHOU_COUNTIES)
    by_code = {r["code"]: r["cells"] for r in rows}
    assert by_code["440105"][1:3] == ["已规范化", "1/18"]
    assert by_code["440103"][1] == "已成立" and by_code["440117"][1] == "未成立"
    # Before the map and the trend in the page.
    html = tree.xpath("//main")[0]
    order = [
        el.get("id") for el in html.iter() if el.get("id") in ("my-counties", "coverage-map-panel")
    ]
    assert order == ["my-counties", "coverage-map-panel"]


def test_pending_items_are_those_this_user_verifies(client_for, make_user, guangdong):
    """A county's items wait for its city, a city's for its province; nobody verifies its own."""
    items = required_items()
    liwan = guangdong.counties["440103"]
    for item in items[:2]:
        submit(liwan, item)
    submit(guangdong.city, items[0])
    submit(guangdong.counties["440303"], items[0])

    def pending(role, code, **params):
        tree = doc(dashboard(client_for(role, code), **params))
        shown = tree.xpath("//ul[@id='pending-list']/li")
        return int(text(by_id(tree, "pending-count"))), [text(li) for li in shown]

    count, shown = pending("city_admin", "440100")
    assert count == 2 and len(shown) == 2
    assert all("荔湾区青年志愿者协会" in s for s in shown)
    assert {items[0].title, items[1].title} == {s.split("：")[1].split(" ")[0] for s in shown}
    assert not any("广州市青年志愿者协会" in s for s in shown)  # its own: for the province
    count, shown = pending("province_admin", "440000")
    assert count == 1 and "广州市青年志愿者协会" in shown[0]
    assert pending("county_admin", "440103")[0] == 0
    assert pending("city_admin", "440300")[0] == 1  # 罗湖's, in 深圳
    # Looking at another district narrows the queue to it.
    assert pending("city_admin", "440100", region="440106")[0] == 0
    # A viewer on the city sees nothing to verify: it may not verify.
    viewer = make_user("viewer", "440100")
    client = client_for()
    client.force_login(viewer)
    assert int(text(by_id(doc(dashboard(client)), "pending-count"))) == 0


def test_returned_items_go_to_the_association_s_own_cadre(client_for, make_user, guangdong):
    items = required_items()
    liwan = guangdong.counties["440103"]
    entry = submit(liwan, items[0])
    city_admin = make_user("city_admin", "440100")
    services.checklist_entry_return(actor=city_admin, entry=entry, reason="章程未盖章")

    county = doc(dashboard(client_for("county_admin", "440103")))
    assert text(by_id(county, "returned-count")) == "1"
    (li,) = by_id(county, "returned-list").xpath("./li")
    assert "荔湾区青年志愿者协会" in text(li) and items[0].title in text(li)
    assert "章程未盖章" in text(li)
    assert li.xpath(".//a/@href") == [f"/associations/{liwan.number}/#checklist"]
    # The city returned it; it is not the city's to correct.
    city = doc(dashboard(client_for("city_admin", "440100")))
    assert text(by_id(city, "returned-count")) == "0"
    assert not city.xpath("//ul[@id='returned-list']")


def test_a_county_sees_its_association_and_checklist_progress(client_for, make_user, guangdong):
    items = required_items()
    assert len(items) >= 3
    conghua = make_association("440117", name="从化区青年志愿者协会")
    city_admin = make_user("city_admin", "440100")
    services.checklist_entry_verify(actor=city_admin, entry=submit(conghua, items[0]))
    submit(conghua, items[1])
    services.checklist_entry_return(
        actor=city_admin, entry=submit(conghua, items[2]), reason="缺少签到表"
    )
    tree = doc(dashboard(client_for("county_admin", "440117")))
    own = by_id(tree, "own-association")
    assert "本级协会：从化区青年志愿者协会" in text(own)
    assert own.xpath(".//a/@href")[0] == conghua.get_absolute_url()
    assert f"规范化建设事项：已核验 1/{len(items)}，待上级核验 1，被退回 1" in text(own)

    # 海珠 was standardized: every required item verified.
    haizhu = by_id(doc(dashboard(client_for("county_admin", "440105"))), "own-association")
    assert f"已核验 {len(items)}/{len(items)}" in text(haizhu)
    # The province's own association, on the province's workbench.
    province = by_id(doc(dashboard(client_for("province_admin", "440000"))), "own-association")
    assert "广东省青年志愿者协会" in text(province)


# ------------------------------------------------- bugs found by these tests, fixed


def test_a_date_in_the_first_years_ad_is_named_not_a_crash(client_for):
    client = client_for("city_admin", "440100")
    tree = doc(dashboard(client, as_of="0001-01-01"))
    assert messages(tree)
    assert tree.xpath("//input[@name='as_of']/@value") == [timezone.localdate().isoformat()]


def test_the_pending_count_is_the_whole_queue(client_for):
    """The national level verifies the provinces' items: 21 provinces × every required item."""
    items = required_items()
    provinces = Region.objects.filter(level=Region.Level.PROVINCE, county_count__gt=0)
    for province in provinces.order_by("code")[:21]:
        association = make_association(province.code, name=f"{province.name}青年志愿者协会")
        for item in items:
            submit(association, item)
    waiting = 21 * len(items)
    assert waiting > 200
    tree = doc(dashboard(client_for("national_admin", "000000")))
    assert int(text(by_id(tree, "pending-count"))) == waiting
