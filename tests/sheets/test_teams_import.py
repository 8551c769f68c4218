"""Importing grassroots teams (batch path) and group members: the services' rules on every
row, one change-log entry per new team with the file's SHA-256, re-import changes nothing."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import run_import
from qingxie.ledger import services as ledger_services
from qingxie.ledger.choices import GroupMemberStatus
from qingxie.ledger.models import GroupMember
from qingxie.ledger.sheets import GROUP_MEMBER_KIND
from qingxie.regions.models import Region
from qingxie.teams.choices import TeamStatus
from qingxie.teams.models import Team
from qingxie.teams.sheets import TEAM_KIND
from tests.sheets.files import bad_check_digit, uscc, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
TEAM_HEADERS = [c.header for c in TEAM_KIND.import_columns]
GM_HEADERS = [c.header for c in GROUP_MEMBER_KIND.import_columns]


def team_row(**values) -> list:
    return [values.get(c.field) for c in TEAM_KIND.import_columns]


def gm_row(**values) -> list:
    return [values.get(c.field) for c in GROUP_MEMBER_KIND.import_columns]


def run(kind, path, actor, *, dry_run=False):
    with change_context(user=actor, channel="cli"):
        return run_import(kind, path, filename=path.name, actor=actor, dry_run=dry_run)


def association(code: str, **kwargs):
    region = Region.objects.get(code=code)
    return ledger_services.association_create(
        actor=None,
        region=region,
        name=f"{region.name}青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
        **kwargs,
    )


@pytest.fixture
def haizhu():
    return association("440105")


@pytest.fixture
def county(make_user):
    return make_user("county_admin", "440105")


def test_new_teams_are_created_with_the_services_copied_fields(tmp_path, haizhu, county):
    rows = [
        team_row(
            association=haizhu.number,
            name="赤岗街道青年志愿服务队",
            category="乡镇/街道",
            township="440105001",
            leader_phone="13900139000",
            member_count=25,
            founded_on="2021-03-05",
        ),
        team_row(
            association=haizhu.number,
            name="海珠中学志愿服务队",
            category="学校",
            founded_on=D(2020, 9, 1),
        ),
        team_row(
            association=haizhu.number,
            name="已撤销的队",
            category="其他",
            founded_on="2020-01-01",
            status="已撤销",
            dissolved_on="2021-01-01",
        ),
    ]
    path = xlsx(tmp_path / "队伍.xlsx", TEAM_HEADERS, rows, sheet="基层队伍")
    report = run(TEAM_KIND, path, county)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts["create"] == 3
    street = Team.objects.get(name="赤岗街道青年志愿服务队")
    assert street.region_id == haizhu.region_id and street.township.code == "440105001"
    assert street.township_parent.code == "440105" and street.member_count == 25
    gone = Team.objects.get(name="已撤销的队")
    assert gone.status == TeamStatus.DISSOLVED and gone.dissolved_on == D(2021, 1, 1)


def test_each_new_team_has_its_change_log_entry_like_the_service_writes(tmp_path, haizhu, county):
    rows = [
        team_row(
            association=haizhu.number, name=f"第{i}队", category="学校", founded_on="2021-01-01"
        )
        for i in range(3)
    ]
    path = xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert run(TEAM_KIND, path, county).ok
    for team in Team.objects.filter(name__startswith="第"):
        [entry] = changes_for(team)
        assert entry.action == ObjectChange.Action.CREATE and entry.after == team.snapshot()
        assert entry.scope_path == team.region.path and entry.time is not None
        assert (
            entry.user == county
            and entry.channel == "cli"
            and sha in entry.note
            and "t.xlsx" in entry.note
        )


def test_team_rows_are_checked_by_the_service_rules_all_at_once(tmp_path, haizhu, county):
    tianhe = association("440106")
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    rows = [
        team_row(
            association=haizhu.number,
            name="甲队",
            category="乡镇/街道",
            township="440106001",
            founded_on="2021-01-01",
        ),
        team_row(
            association=haizhu.number, name="乙队", category="乡镇/街道", founded_on="2021-01-01"
        ),
        team_row(
            association=haizhu.number,
            name="丙队",
            category="学校",
            founded_on="2021-05-01",
            status="已撤销",
            dissolved_on="2021-04-30",
        ),
        team_row(
            association=haizhu.number,
            name="丁队",
            category="学校",
            founded_on=future,
            leader_phone="110",
            member_count="很多",
        ),
        team_row(
            association=tianhe.number, name="天河队", category="学校", founded_on="2021-01-01"
        ),
        team_row(
            association=haizhu.number,
            name="戊队",
            category="学校",
            township="440105999",
            founded_on="2021-01-01",
        ),
        team_row(association=haizhu.number, name="甲队", category="学校", founded_on="2021-01-01"),
    ]
    report = run(TEAM_KIND, xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"), county)
    found = [str(p) for p in report.problems]
    expected = [
        "第2行“所在乡镇（街道）代码”：五山街道（440106001）不在海珠区范围内。",
        "第3行“所在乡镇（街道）代码”：乡镇/街道队伍须选择所在乡镇（街道）。",
        "第4行“撤销日期”：撤销日期（2021-04-30）不能早于成立日期（2021-05-01）。",
        "第5行“成立日期”：",
        "第5行“队员人数”：“很多”不是整数。",
        "第5行“负责人电话”：电话号码“110”格式不对",
        f"第6行“所属协会统一编号”：统一编号为 {tianhe.number} 的协会不存在，或不在您的管辖范围内。",
        "第7行“所在乡镇（街道）代码”：乡级区划代码“440105999”不存在。",
        "第8行“队伍名称”：与第2行是同一协会的同名队伍。",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in found), (text, found)
    assert not Team.objects.exists()


def test_reimport_of_an_export_changes_nothing_and_an_edited_one_updates(tmp_path, haizhu, county):
    from qingxie.sheets.exports import export_write

    rows = [
        team_row(
            association=haizhu.number,
            name="海珠中学志愿服务队",
            category="学校",
            founded_on="2020-09-01",
            leader_phone="13900139000",
        )
    ]
    assert run(
        TEAM_KIND, xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"), county
    ).ok
    exported = tmp_path / "export.xlsx"
    with open(exported, "wb") as fh:
        export_write(
            actor=county, kind=TEAM_KIND, region=haizhu.region, as_of=None, fmt="xlsx", stream=fh
        )
    count = ObjectChange.objects.count()
    again = run(TEAM_KIND, exported, county)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 1}
    assert ObjectChange.objects.count() == count  # the masked phone kept the number
    team = Team.objects.get()
    edited = [
        team_row(
            id=team.pk,
            association=haizhu.number,
            name="海珠中学青年志愿服务队",
            category="学校",
            founded_on="2020-09-01",
            leader_phone="139****9000",
            member_count=40,
        )
    ]
    report = run(
        TEAM_KIND, xlsx(tmp_path / "e.xlsx", TEAM_HEADERS, edited, sheet="基层队伍"), county
    )
    assert report.ok and report.plans[0].changes == ["队伍名称", "队员人数"]
    team.refresh_from_db()
    assert (team.name, team.member_count, team.leader_phone) == (
        "海珠中学青年志愿服务队",
        40,
        "13900139000",
    )


def test_team_of_a_dissolved_association_is_refused(tmp_path, haizhu, county):
    ledger_services.association_dissolve(actor=None, association=haizhu, on=D(2022, 1, 1))
    rows = [
        team_row(association=haizhu.number, name="甲队", category="学校", founded_on="2021-01-01")
    ]
    report = run(TEAM_KIND, xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"), county)
    assert [str(p) for p in report.problems] == [
        "第2行“所属协会统一编号”：已注销或合并的协会不能新建队伍。"
    ]


def test_group_members_created_withdrawn_and_checked(tmp_path, haizhu, county):
    good = uscc("52440105MJL000001")
    rows = [
        gm_row(
            association=haizhu.number,
            name="海珠区蓝天救援队",
            kind="志愿服务组织",
            admitted_on="2021-03-01",
            uscc=good,
            contact_phone="13700137000",
        ),
        gm_row(
            association=haizhu.number,
            name="某中学团委",
            kind="学校团组织",
            admitted_on="2020-03-01",
            status="已退出",
            left_on="2022-01-01",
        ),
    ]
    report = run(
        GROUP_MEMBER_KIND, xlsx(tmp_path / "m.xlsx", GM_HEADERS, rows, sheet="团体会员"), county
    )
    assert report.ok, [str(p) for p in report.problems]
    assert GroupMember.objects.get(name="海珠区蓝天救援队").uscc == good
    assert GroupMember.objects.get(name="某中学团委").status == GroupMemberStatus.WITHDRAWN
    again = run(
        GROUP_MEMBER_KIND, xlsx(tmp_path / "m.xlsx", GM_HEADERS, rows, sheet="团体会员"), county
    )
    assert (
        again.counts == {"create": 0, "update": 0, "unchanged": 1} or again.counts["unchanged"] >= 1
    )
    bad = [
        gm_row(
            association=haizhu.number,
            name="丙",
            kind="协会",
            admitted_on="2021-03-01",
            uscc=bad_check_digit(good),
        ),
        gm_row(
            association=haizhu.number,
            name="丁",
            kind="企业",
            admitted_on="2021-03-01",
            status="已退出",
            left_on="2021-01-01",
        ),
        gm_row(
            association="440105-3-01-4",
            name="戊",
            kind="企业",
            admitted_on="2021-03-01",
            contact_phone="abc",
        ),
    ]
    report = run(
        GROUP_MEMBER_KIND, xlsx(tmp_path / "b.xlsx", GM_HEADERS, bad, sheet="团体会员"), county
    )
    found = [str(p) for p in report.problems]
    assert found[0].startswith("第2行“类型”：“协会”不是可选值")
    assert any(m.startswith("第2行“统一社会信用代码”") and "校验位错误" in m for m in found)
    assert "第3行“退出日期”：退出日期（2021-01-01）不能早于入会日期（2021-03-01）。" in found
    assert any(m.startswith("第4行“联系电话”：电话号码“abc”格式不对") for m in found)
    assert GroupMember.objects.count() == 2


def test_the_preview_shows_new_values_and_old_to_new_for_updates(tmp_path, haizhu, county):
    """A cadre confirming an import reads what will be written: the values of a new team,
    and each changed field of an existing one as old → new, the phone masked."""
    rows = [
        team_row(
            association=haizhu.number,
            name="海珠中学志愿服务队",
            category="学校",
            founded_on="2020-09-01",
            leader_phone="13900139000",
        )
    ]
    preview = run(
        TEAM_KIND,
        xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"),
        county,
        dry_run=True,
    )
    created = preview.as_dict()["plans"][0]["values"]
    assert ["队伍名称", "", "海珠中学志愿服务队"] in created
    assert ["类别", "", "学校"] in created
    assert ["负责人电话", "", "139****9000"] in created
    run(TEAM_KIND, xlsx(tmp_path / "t2.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"), county)
    team = Team.objects.get()
    edited = [
        team_row(
            id=team.pk,
            association=haizhu.number,
            name="海珠中学青年志愿服务队",
            category="学校",
            founded_on="2020-09-01",
            leader_phone="13800138000",
            member_count=40,
        )
    ]
    report = run(
        TEAM_KIND,
        xlsx(tmp_path / "e.xlsx", TEAM_HEADERS, edited, sheet="基层队伍"),
        county,
        dry_run=True,
    )
    assert report.as_dict()["plans"][0]["values"] == [
        ["队伍名称", "海珠中学志愿服务队", "海珠中学青年志愿服务队"],
        ["负责人电话", "139****9000", "138****8000"],
        ["队员人数", "0", "40"],
    ]


def test_the_team_template_lists_the_townships_and_a_name_fills_the_code(
    tmp_path, haizhu, county, client
):
    """The county's template carries its townships and codes; a row naming its street
    without the code gets the code on import; a name not in the county is named back."""
    import io

    from openpyxl import load_workbook

    client.force_login(county)
    workbook = load_workbook(io.BytesIO(client.get("/sheets/teams/template/").getvalue()))
    lookup = workbook["乡镇（街道）代码表"]
    listed = [row for row in lookup.iter_rows(min_row=2, values_only=True)]
    townships = Region.objects.filter(parent__code="440105", valid_to__isnull=True)
    assert len(listed) == townships.count() and all(r[1] == "440105" for r in listed)
    street = townships.order_by("code").first()
    rows = [
        team_row(
            association=haizhu.number,
            name="街道志愿服务队",
            category="乡镇/街道",
            township_name=street.name,
            founded_on="2020-09-01",
        ),
        team_row(
            association=haizhu.number,
            name="外区队",
            category="乡镇/街道",
            township_name="不存在街道",
            founded_on="2020-09-01",
        ),
    ]
    report = run(TEAM_KIND, xlsx(tmp_path / "t.xlsx", TEAM_HEADERS, rows, sheet="基层队伍"), county)
    assert [str(p) for p in report.problems] == [
        "第3行“所在乡镇（街道）”：海珠区没有名为“不存在街道”的乡镇（街道），"
        "请对照“乡镇（街道）代码表”填写名称或代码。"
    ]
    report = run(
        TEAM_KIND, xlsx(tmp_path / "t2.xlsx", TEAM_HEADERS, rows[:1], sheet="基层队伍"), county
    )
    assert report.ok
    assert Team.objects.get().township == street
    mismatch = [
        team_row(
            association=haizhu.number,
            name="另一队",
            category="乡镇/街道",
            township=street.code,
            township_name="不存在街道",
            founded_on="2020-09-01",
        )
    ]
    report = run(
        TEAM_KIND, xlsx(tmp_path / "t3.xlsx", TEAM_HEADERS, mismatch, sheet="基层队伍"), county
    )
    assert "不一致" in str(report.problems[0])
