"""Project and competition pages: generic page tests and the main flows from the browser's side."""

from __future__ import annotations

import pytest

from qingxie.projects import competitions as c
from qingxie.projects.models import Activity, LibraryEntry, Project, ScoreSheet
from qingxie.regions.models import Region
from tests.generic import ScopedDetailViewTests
from tests.projects.conftest import project

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(gd):
    gd.hz_project = project(gd.hz, name="海珠关爱留守儿童", programme=gd.guanai)
    gd.th_project = project(gd.th, name="天河助残", programme=gd.yangguang)
    gd.gd_comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="440000"), name="广东益苗计划", year=2021
    )
    gd.gx_comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="450000"), name="广西项目大赛", year=2021
    )
    return gd


class TestProjectPage(ScopedDetailViewTests):
    model_label = "projects.Project"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "海珠关爱留守儿童"

    @pytest.fixture(autouse=True)
    def _objects(self, pages):
        self.url_in_scope = f"/projects/{pages.hz_project.pk}/"
        self.url_out_of_scope = f"/projects/{pages.th_project.pk}/"


class TestCompetitionPage(ScopedDetailViewTests):
    model_label = "projects.Competition"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "广东益苗计划"

    @pytest.fixture(autouse=True)
    def _objects(self, pages):
        self.url_in_scope = f"/competitions/{pages.gd_comp.pk}/"
        self.url_out_of_scope = f"/competitions/{pages.gx_comp.pk}/"


def test_county_runs_a_project_from_the_pages(pages, client_for):
    client = client_for("county_admin", "440105")
    url = f"/projects/new/?association={pages.hz.number}"
    assert "实施协会" in client.get(url).content.decode()
    bad = client.post(
        url,
        {
            "name": "",
            "field": "children",
            "region": "440303",
            "status": "running",
            "start_on": "2021-03-01",
        },
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "请填写项目名称。" in text and "不在海珠区青年志愿者协会的区划范围内" in text
    good = client.post(
        url,
        {
            "name": "金晖助老",
            "programme": "jinhui",
            "field": "elderly_disabled",
            "region": "440105001",
            "status": "running",
            "start_on": "2021-03-01",
            "target_groups": ["empty_nest"],
            "budget": "5000",
        },
    )
    assert good.status_code == 302
    created = Project.objects.get(name="金晖助老")
    assert created.target_groups == ["empty_nest"] and created.county.code == "440105"
    response = client.post(
        f"/projects/{created.pk}/activities/new/",
        {
            "title": "重阳探访",
            "starts_at": "2021-10-14T09:00",
            "ends_at": "2021-10-14T08:00",
            "place": "赤岗",
            "posts": "8",
        },
    )
    assert "结束时间须晚于开始时间。" in response.content.decode()
    assert not Activity.objects.exists()
    client.post(
        f"/projects/{created.pk}/activities/new/",
        {
            "title": "重阳探访",
            "starts_at": "2021-10-14T09:00",
            "ends_at": "2021-10-14T12:00",
            "place": "赤岗",
            "posts": "8",
        },
    )
    assert "重阳探访" in client.get(f"/projects/{created.pk}/").content.decode()
    client.post(f"/projects/{created.pk}/library/", {"note": "申报入库"})
    assert LibraryEntry.objects.get(project=created).state == "submitted"
    assert "金晖助老" in client.get("/projects/?programme=jinhui").content.decode()
    # The sinking page counts Haizhu under 金晖行动.
    page = client.get("/projects/sinking/?region=440105&as_of=2021-05-06").content.decode()
    assert "金晖行动" in page and "1 / 1 个县" in page


def test_city_decides_the_library_from_the_queue(pages, client_for, make_user):
    from qingxie.projects import services

    services.library_submit(actor=None, project=pages.hz_project, note="申报")
    entry = LibraryEntry.objects.get()
    city = client_for("city_admin", "440100")
    queue = city.get("/projects/library/").content.decode()
    assert "海珠关爱留守儿童" in queue
    # The county cannot decide its own submission.
    county = client_for("county_admin", "440105")
    assert county.post(f"/projects/library/{entry.pk}/approve/", {}).status_code == 403
    assert city.post(f"/projects/library/{entry.pk}/approve/", {"number": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.listing == "listed" and entry.number.startswith("XMK-440100-")
    city.post(f"/projects/library/{entry.pk}/publish/", {})
    # Published: any signed-in cadre, even in another province, finds it in the catalogue.
    other = client_for("county_admin", "450102")
    assert "海珠关爱留守儿童" in other.get("/projects/catalogue/?programme=guanai").content.decode()
    assert (
        "海珠关爱留守儿童"
        not in other.get("/projects/catalogue/?programme=yangguang").content.decode()
    )
    response = city.post(f"/projects/library/{entry.pk}/withdraw/", {"reason": ""})
    assert "请填写退库原因。" in response.content.decode()


def test_judge_scores_from_the_screen(pages, make_user, client_for):
    from django.test import Client

    province = make_user("province_admin", "440000")
    comp = pages.gd_comp
    cat = c.category_add(actor=province, competition=comp, name="关爱少年儿童")
    stage = c.stage_add(actor=province, competition=comp, kind="preliminary")
    c.criteria_set(
        actor=province,
        stage=stage,
        criteria=[{"name": "项目创意", "weight": 60}, {"name": "受益覆盖", "weight": 40}],
    )
    city = make_user("city_admin", "440100")
    entry = c.entry_submit(actor=city, competition=comp, category=cat, project=pages.hz_project)
    judge = make_user("viewer", "450000")
    c.judge_assign(actor=province, stage=stage, category=cat, judge=judge)
    client = Client()
    client.force_login(judge)
    # The judge (a Guangxi viewer) reaches the judging screen through the assignment.
    listing = client.get(f"/competitions/{comp.pk}/judge/").content.decode()
    assert "海珠关爱留守儿童" in listing
    a, b = stage.criteria.all()
    url = f"/competitions/{comp.pk}/judge/{entry.pk}/"
    bad = client.post(url, {f"criterion_{a.pk}": "120", f"criterion_{b.pk}": "80", "submit": "1"})
    assert "“项目创意”的得分须在 0 到 100 之间。" in bad.content.decode()
    client.post(url, {f"criterion_{a.pk}": "90", "draft": "1"})
    assert ScoreSheet.objects.get().state == "draft"
    client.post(url, {f"criterion_{a.pk}": "90", f"criterion_{b.pk}": "80", "submit": "1"})
    assert ScoreSheet.objects.get().state == "submitted"
    ranking = (
        client_for("province_admin", "440000")
        .get(f"/competitions/{comp.pk}/ranking/")
        .content.decode()
    )
    assert "86.00" in ranking and "同分规则" in ranking
    # An unassigned user gets a 404 on the screen; the city judge of the entry's region is refused.
    assert client_for("viewer", "450100").get(url).status_code == 404
    c.judge_assign(actor=province, stage=stage, category=cat, judge=city)
    gz = Client()
    gz.force_login(city)
    page = gz.get(url).content.decode()
    assert "须回避" in page
    refused = gz.post(url, {f"criterion_{a.pk}": "90", f"criterion_{b.pk}": "80", "submit": "1"})
    assert "须回避：评委的权限区划为广州市" in refused.content.decode()
    assert ScoreSheet.objects.count() == 1


def test_workbench_panel(pages, client_for, make_user):
    from qingxie.projects import services

    services.library_submit(actor=None, project=pages.hz_project, note="申报")
    page = client_for("city_admin", "440100").get("/?as_of=2021-05-06").content.decode()
    assert 'id="panel-projects"' in page and "项目库待本级审核" in page
    assert "关爱行动" in page  # Haizhu's project has sunk 关爱行动 into the city
    # A county in another province with nothing to do sees no panel.
    other = client_for("county_admin", "450102").get("/?as_of=2021-05-06").content.decode()
    assert 'id="panel-projects"' not in other


def test_province_runs_an_edition_from_the_pages(pages, client_for, make_user):
    from qingxie.projects.models import Award, Competition, Disbursement, Entry

    province = client_for("province_admin", "440000")
    assert client_for("viewer", "440000").get("/competitions/new/").status_code == 403
    response = province.post(
        "/competitions/new/",
        {
            "organiser": "440000",
            "name": "益苗计划2023",
            "year": "2023",
            "tie_rule": "top_criterion",
        },
    )
    assert response.status_code == 302
    comp = Competition.objects.get(name="益苗计划2023")
    manage = f"/competitions/{comp.pk}/manage/"
    assert client_for("city_admin", "440100").get(manage).status_code == 403
    province.post(manage, {"op": "category", "name": "关爱少年儿童"})
    province.post(manage, {"op": "stage", "kind": "final"})
    bad = province.post(
        manage, {"op": "criteria", "stage": "final", "criteria": "路演 60\n现场表现 30"}
    )
    assert "各评分项权重之和须为 100，现为 90。" in bad.content.decode()
    province.post(manage, {"op": "criteria", "stage": "final", "criteria": "路演 70\n现场表现 30"})
    assert comp.stages.get().criteria.count() == 2
    guangzhou = Region.objects.get(code="440100")
    province.post(manage, {"op": "quota", "region": guangzhou.pk, "max_entries": "1"})
    # Entries come from the city, not the county, nor the province itself.
    enter = f"/competitions/{comp.pk}/enter/"
    assert client_for("county_admin", "440105").get(enter).status_code == 403
    assert province.get(enter).status_code == 403
    city = client_for("city_admin", "440100")
    category = comp.categories.get()
    assert (
        city.post(
            enter, {"category": category.pk, "project": pages.hz_project.pk, "list_position": 1}
        ).status_code
        == 302
    )
    over = city.post(
        enter, {"category": category.pk, "project": pages.th_project.pk, "list_position": 2}
    )
    assert "广州市的报送名额为 1 个，已报送 1 个。" in over.content.decode()
    entry = Entry.objects.get(competition=comp)
    province.post(manage, {"op": "award", "entry": entry.pk, "tier": "金奖", "amount": "30000"})
    award = Award.objects.get(entry=entry)
    too_much = province.post(
        manage, {"op": "disburse", "award": award.pk, "amount": "30000.01", "paid_on": "2023-06-01"}
    )
    assert "将超过奖项金额" in too_much.content.decode()
    province.post(
        manage, {"op": "disburse", "award": award.pk, "amount": "18000", "paid_on": "2023-06-01"}
    )
    assert Disbursement.objects.get().amount == 18000
    detail = province.get(f"/competitions/{comp.pk}/").content.decode()
    assert "资助 <strong>30000.00</strong> 元，已拨付 18000.00 元" in detail


def test_the_sinking_map_colours_counties_per_programme(gd, client_for):
    from tests.projects.conftest import project

    project(gd.hz, name="海珠关爱", programme=gd.guanai)
    client = client_for("city_admin", "440100")
    response = client.get("/projects/sinking/?region=440100&as_of=2021-05-06&programme=guanai")
    config = response.context["map_config"]
    by_code = {d["code"]: (d["value"], d["value_text"]) for d in config["data"]}
    assert by_code["440105"] == (1, "已下沉") and by_code["440106"] == (0, "未下沉")
    assert sum(v for v, _ in by_code.values()) == 1 and config["measure"] == "关爱行动"
    assert [p["value"] for p in config["pieces"]] == [1, 0]
    other = client.get("/projects/sinking/?region=440100&as_of=2021-05-06&programme=yangguang")
    assert all(d["value"] == 0 for d in other.context["map_config"]["data"])
    assert 'id="programme-choice"' in other.content.decode()
    # A county's page has no county map to colour.
    assert "map_config" not in client.get("/projects/sinking/?region=440105").context
    # The region box takes a name as every region box does; the gate still applies.
    named = client.get("/projects/sinking/?region=海珠区&as_of=2021-05-06")
    assert named.status_code == 200 and named.context["region"].code == "440105"
    assert "data-region-picker" in named.content.decode()
    assert client.get("/projects/sinking/?region=深圳市").status_code == 404


def test_the_projects_pages_in_english(gd, client_for):
    from django.conf import settings

    from tests.projects.conftest import project

    project(gd.hz, name="海珠关爱", programme=gd.guanai)
    client = client_for("city_admin", "440100")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/projects/sinking/?region=440100&as_of=2021-05-06").content.decode()
    assert "Brand programmes at county level" in page and "品牌项目下沉县级" not in page
    assert "Library catalogue" in client.get("/projects/").content.decode()


def test_workbench_queue_count_follows_a_submission_at_once(pages, client_for):
    """The city's library queue count is kept per user and data version: a submission shows
    on the next visit."""
    from qingxie.projects import services

    city = client_for("city_admin", "440100")
    assert "项目库待本级审核" not in city.get("/?as_of=2021-05-06").content.decode()
    services.library_submit(actor=None, project=pages.hz_project, note="申报")
    assert "项目库待本级审核" in city.get("/?as_of=2021-05-06").content.decode()
