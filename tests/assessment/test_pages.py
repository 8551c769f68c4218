"""Assessment pages: the gate on every page, the sheet's workflow from the pages, the ranking,
the 示范 and library pages, the report files."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from qingxie.assessment import services
from qingxie.assessment.models import Indicator, LibraryEntry, Round
from qingxie.regions.models import Region
from tests.generic import ScopedDetailViewTests

from .conftest import D, World, evidence, fill_all

pytestmark = pytest.mark.django_db


class TestSheetPage(ScopedDetailViewTests):
    model_label = "assessment.Sheet"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "海珠区青年志愿者协会 · 2021年度评估表"

    @pytest.fixture(autouse=True)
    def _data(self, db):
        w = World()
        w.open_round()
        self.url_in_scope = w.sheet(w.hz).get_absolute_url()
        self.url_out_of_scope = w.sheet(w.th).get_absolute_url()


class TestRoundPage(ScopedDetailViewTests):
    model_label = "assessment.Round"
    role = "county_admin"
    grant_code = "440105"
    expected_text = "2021年度评估"

    @pytest.fixture(autouse=True)
    def _data(self, db):
        w = World()
        w.open_round()
        today = w.round.self_until
        gx = services.round_open(
            actor=None,
            region=Region.objects.get(code="450000"),
            year=2022,
            indicator_version=w.version,
            cut_off=today,
            self_until=today,
            review_until=today,
            appeal_until=today,
        )
        # A county reads the national round; another province's own round is not its own.
        self.url_in_scope = w.round.get_absolute_url()
        self.url_out_of_scope = gx.get_absolute_url()


def test_county_fills_and_submits_from_the_page_and_the_city_returns(opened, client_for):
    county = client_for("county_admin", "440105")
    sheet = opened.sheet(opened.hz)
    url = sheet.get_absolute_url()
    page = county.get(url).content.decode()
    assert "提交上一级审核" in page and "平台数据" in page and "已登记" in page
    charter = Indicator.objects.get(indicator_version=opened.version, code="charter")
    # Missing evidence: named, nothing saved.
    response = county.post(url, {"op": "fill", "indicator": charter.pk, "grade": "A"}, follow=True)
    assert "佐证材料：“章程与按期换届”须上传佐证材料。" in response.content.decode()
    assert not sheet.values.get(indicator=charter).filled
    response = county.post(
        url,
        {"op": "fill", "indicator": charter.pk, "grade": "A", "evidence": evidence()},
        follow=True,
    )
    assert "已保存“章程与按期换届”" in response.content.decode()
    response = county.post(url, {"op": "submit"}, follow=True)
    assert "评估表：尚不能提交" in response.content.decode()
    fill_all(sheet)
    county.post(url, {"op": "submit", "note": "完成"})
    sheet.refresh_from_db()
    assert sheet.state == "submitted"
    # Another city may not decide; its POST is refused without a change.
    assert client_for("city_admin", "440300").post(url, {"op": "verify"}).status_code == 404
    city = client_for("city_admin", "440100")
    assert "市级审核" in city.get(url).content.decode()
    response = city.post(url, {"op": "return", "reason": ""}, follow=True)
    assert "原因：请填写退回原因。" in response.content.decode()
    city.post(url, {"op": "return", "reason": "请补充活动台账"})
    sheet.refresh_from_db()
    assert sheet.state == "returned"
    assert "退回原因：请补充活动台账" in county.get(url).content.decode()


def test_a_viewer_cannot_fill(opened, client_for):
    sheet = opened.sheet(opened.hz)
    charter = Indicator.objects.get(indicator_version=opened.version, code="charter")
    viewer = client_for("viewer", "440105")
    response = viewer.post(
        sheet.get_absolute_url(), {"op": "fill", "indicator": charter.pk, "grade": "A"}
    )
    assert response.status_code == 403
    assert not sheet.values.get(indicator=charter).filled


def test_round_page_shows_tiers_ranking_and_dimension_averages(opened, client_for):
    province = client_for("province_admin", "440000")
    page = province.get(opened.round.get_absolute_url()).content.decode()
    assert "广东省 · 2021年度评估" in page
    assert "海珠区青年志愿者协会" in page and "兴宁区青年志愿者协会" not in page
    for tier in ("示范", "规范", "基础", "薄弱"):
        assert tier in page
    assert "上级地区" in page and "最薄弱的指标" in page
    # The tier map's data: each county coloured by its tier's place (1 = 示范 … 4 = 薄弱).
    config = province.get(opened.round.get_absolute_url()).context["map_config"]
    hz = opened.sheet(opened.hz)
    [row] = [d for d in config["data"] if d["code"] == "440105"]
    assert row["value"] == ["示范", "规范", "基础", "薄弱"].index(hz.tier) + 1
    assert row["url"] == hz.get_absolute_url()
    # The province sets its own tiers from the page.
    response = province.post(
        opened.round.get_absolute_url() + "?region=440000",
        {"op": "tiers", "province": "440000", "tiers": "示范=95，合格=0"},
        follow=True,
    )
    assert "档次已调整" in response.content.decode()
    assert opened.sheet(opened.hz).tier == "合格"


def test_the_nation_opens_a_round_from_the_page_and_bad_dates_are_named(world, client_for):
    national = client_for("national_admin", "000000")
    assert national.get("/assessment/rounds/new/").status_code == 200
    data = {
        "year": "2021",
        "indicator_version": world.version.code,
        "cut_off": "2021-12-31",
        "self_until": "2021-06-01",
        "review_until": "2022-03-31",
        "appeal_until": "2022-04-30",
    }
    response = national.post("/assessment/rounds/new/", data)
    assert "自评截止日期：自评截止日期不能早于数据截止日期。" in response.content.decode()
    assert not Round.objects.exists()
    response = national.post("/assessment/rounds/new/", {**data, "self_until": "2022-02-28"})
    assert response.status_code == 302
    assert Round.objects.get().indicator_version.frozen
    assert client_for("city_admin", "440100").get("/assessment/rounds/new/").status_code == 403


def test_compute_from_the_page_runs_the_job(world, client_for):
    national = client_for("national_admin", "000000")
    today = D(2022, 1, 1)
    rnd = services.round_open(
        actor=None,
        region=Region.objects.get(code="000000"),
        year=2021,
        indicator_version=world.version,
        cut_off=D(2021, 12, 31),
        self_until=today,
        review_until=today,
        appeal_until=today,
    )
    response = national.post(rnd.get_absolute_url(), {"op": "compute"}, follow=True)
    assert "已提交计算任务" in response.content.decode()
    assert rnd.sheets.count() == 3
    assert (
        client_for("province_admin", "440000")
        .post(rnd.get_absolute_url(), {"op": "compute"})
        .status_code
        == 403
    )


def test_version_page_lists_the_indicators_and_the_nation_edits(world, client_for):
    national = client_for("national_admin", "000000")
    url = f"/assessment/versions/{world.version.code}/"
    page = national.get(url).content.decode()
    assert "分值合计 <strong>100</strong>" in page and "ledger.checklist_rate" in page
    ind = world.version.indicators.get(code="charter")
    response = national.post(url, {"indicator": ind.pk, "weight": "9", "rule": "abc"}, follow=True)
    assert "分值：分值合计将为 103 分，超过总分 100 分。" in response.content.decode()
    response = client_for("province_admin", "440000").post(
        url, {"indicator": ind.pk, "weight": "5"}
    )
    assert response.status_code == 403


def test_demonstration_and_library_pages(opened, client_for):
    services.quota_set(actor=None, region=Region.objects.get(code="440000"), year=2021, quota=1)
    sheet = opened.sheet(opened.hz)
    fill_all(sheet)
    services.sheet_submit(actor=None, sheet=sheet)
    services.sheet_verify(actor=None, sheet=sheet)
    services.sheet_confirm(actor=None, sheet=sheet)
    province = client_for("province_admin", "440000")
    page = province.get("/assessment/demonstration/?year=2021").content.decode()
    assert "推荐候选（广东省，剩余名额 1 个）" in page and "海珠区青年志愿者协会" in page
    province.post(
        "/assessment/demonstration/?year=2021",
        {"op": "recommend", "association": opened.hz.number},
    )
    response = province.post(
        "/assessment/demonstration/?year=2021",
        {"op": "recommend", "association": opened.th.number},
        follow=True,
    )
    assert "已全部使用" in response.content.decode()
    assert "本年度推荐名额已用完" in response.content.decode()
    national = client_for("national_admin", "000000")
    from qingxie.assessment.models import Candidate

    candidate = Candidate.objects.get()
    national.post(
        "/assessment/demonstration/?year=2021", {"op": "select", "candidate": candidate.pk}
    )
    entry = LibraryEntry.objects.get()
    page = province.get("/assessment/library/").content.decode()
    assert "海珠区青年志愿者协会" in page
    province.post(
        "/assessment/library/",
        {
            "op": "support",
            "entry": entry.pk,
            "kind": "venture",
            "amount": "50000",
            "given_on": "2022-05-01",
        },
    )
    page = province.get("/assessment/library/").content.decode()
    assert "50,000" in page
    # Guangxi's county sees nothing of Guangdong's library.
    assert (
        "海珠区青年志愿者协会"
        not in client_for("county_admin", "450102").get("/assessment/library/").content.decode()
    )


def test_report_files(opened, client_for):
    from docx import Document

    city = client_for("city_admin", "440100")
    response = city.get(f"/assessment/rounds/{opened.round.pk}/report.docx?region=440100")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "广州市2021年度县级青年志愿者协会建设评估报告" in text
    assert "广州市共有2个县级青年志愿者协会参评" in text
    response = city.get(f"/assessment/rounds/{opened.round.pk}/report.pdf?region=440100")
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.content.startswith(b"%PDF")


def test_workbench_panel(opened, client_for):
    page = client_for("county_admin", "440105").get("/").content.decode()
    assert "2021年度评估 · 分类指导" in page and "本协会" in page


def test_anonymous_is_sent_to_login():
    response = Client().get("/assessment/")
    assert response.status_code == 302


def test_association_page_shows_its_tier_and_weakest_dimensions(opened, client_for):
    """The county's own association page carries its latest score and tier and the three
    weakest dimensions with a next step; 天河's page shows 天河's own sheet, not 海珠's."""
    w = opened
    sheet = w.sheet(w.hz)
    url = f"/associations/{w.hz.number}/"
    page = client_for("county_admin", "440105").get(url).content.decode()
    assert 'id="panel-assessment"' in page and "建议下一步" in page
    assert f"{sheet.total} 分" in page and sheet.get_absolute_url() in page
    assert page.count('<td class="wrap">') >= 1
    th_page = client_for("county_admin", "440106").get(f"/associations/{w.th.number}/")
    th_page = th_page.content.decode()
    assert w.sheet(w.th).get_absolute_url() in th_page
    assert sheet.get_absolute_url() not in th_page


def test_tier_map_draws_counties_without_a_sheet_grey(opened, client_for):
    """越秀区 has no association, so no sheet: it is on the map with no value (grey), not
    coloured as the lowest tier; the page says what grey means."""
    province = client_for("province_admin", "440000")
    response = province.get(opened.round.get_absolute_url() + "?region=440100")
    config = response.context["map_config"]
    rows = {d["code"]: d for d in config["data"]}
    assert rows["440104"]["value"] is None and rows["440104"]["url"] == ""
    assert rows["440104"]["name"] == "越秀区·本轮无评估表"
    assert rows["440105"]["value"] in (1, 2, 3, 4)
    assert "440104" in config["codes"]
    assert config["nullText"] == "本轮无评估表"
    assert response.context["map_assessed"] == 2


def test_workbench_panel_in_english(opened, client_for):
    """The panel's strings and the default tier names come from the app's own catalogue."""
    client = client_for("city_admin", "440100")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "2021 assessment · classified guidance" in page
    assert "See rankings and tiers" in page
    assert any(name in page for name in ("Exemplary", "Standard", "Basic", "Weak"))
    assert "查看排名与档次" not in page
