"""Importing the association ledger: every bad row and field named, all or nothing,
re-import changes nothing, updates by 统一编号, standardization, scope, change log."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import run_import
from qingxie.ledger import services
from qingxie.ledger.choices import AssociationStatus, ChecklistState
from qingxie.ledger.models import Association, ChecklistEntry
from qingxie.ledger.sheets import LEDGER_KIND
from qingxie.regions.models import Region
from tests.sheets.files import LEDGER_HEADERS, bad_check_digit, csv_file, ledger_row, uscc, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
GOOD_USCC = uscc("51440105MJL123456")


def run(path, actor, *, dry_run=False):
    with change_context(user=actor, channel="cli"):
        return run_import(LEDGER_KIND, path, filename=path.name, actor=actor, dry_run=dry_run)


def messages(report) -> list[str]:
    return [str(p) for p in report.problems]


def good_rows():
    return [
        ledger_row(
            region="440105",
            name="海珠区青年志愿者协会",
            form="青年志愿者协会",
            established_on=D(2019, 3, 5),
            registered="已登记",
            uscc=GOOD_USCC,
            registered_on=D(2019, 6, 1),
            president_name="张三",
            president_phone="13800138000",
        ),
        ledger_row(
            region="440106",
            name="天河区志愿者联合会",
            form="志愿者联合会",
            established_on="2020/1/2",
            status="正常",
            secretary_phone="020-83201234",
        ),
    ]


@pytest.fixture
def gz(make_user):
    return make_user("city_admin", "440100")


def test_a_clean_file_creates_every_association_through_the_services(tmp_path, gz):
    path = xlsx(tmp_path / "台账.xlsx", LEDGER_HEADERS, good_rows())
    report = run(path, gz)
    assert report.ok, messages(report)
    assert report.counts == {"create": 2, "update": 0, "unchanged": 0}
    haizhu = Association.objects.get(region__code="440105")
    assert haizhu.number == "440105-3-01-4" and haizhu.registered and haizhu.uscc == GOOD_USCC
    assert haizhu.president_phone == "13800138000" and haizhu.status == AssociationStatus.ACTIVE
    tianhe = Association.objects.get(region__code="440106")
    assert tianhe.established_on == D(2020, 1, 2) and not tianhe.registered
    # The city association above gets its seats through the same services, and so on.
    assert haizhu.status_periods.count() == 1


def test_change_log_entries_carry_the_file_name_its_sha256_and_the_user(tmp_path, gz):
    path = xlsx(tmp_path / "海珠台账.xlsx", LEDGER_HEADERS, good_rows()[:1])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    before = ObjectChange.objects.count()
    assert run(path, gz).ok
    entries = ObjectChange.objects.order_by("id")[before:]
    assert entries, "an import is change-logged"
    for entry in entries:
        assert "海珠台账.xlsx" in entry.note and sha in entry.note
        assert entry.user == gz and entry.channel == "cli"


def test_reimporting_the_same_file_changes_nothing_and_logs_nothing(tmp_path, gz):
    path = xlsx(tmp_path / "台账.xlsx", LEDGER_HEADERS, good_rows())
    assert run(path, gz).ok
    count = ObjectChange.objects.count()
    snapshot = [a.snapshot() for a in Association.objects.order_by("pk")]
    again = run(path, gz)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 2}
    assert ObjectChange.objects.count() == count
    assert [a.snapshot() for a in Association.objects.order_by("pk")] == snapshot


def test_a_row_with_a_unified_number_updates_that_association(tmp_path, gz):
    run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, good_rows()[:1]), gz)
    haizhu = Association.objects.get(region__code="440105")
    row = ledger_row(
        number=haizhu.number.replace("-", ""),
        region="440105",
        name="广州市海珠区青年志愿者协会",
        form="青年志愿者协会",
        established_on=D(2019, 3, 5),
        registered="已登记",
        uscc=GOOD_USCC,
        registered_on=D(2019, 6, 1),
        president_name="张三",
        president_phone="138****8000",  # as exported: masked means "keep"
        status="暂停活动",
        status_since=D(2023, 1, 1),
    )
    report = run(xlsx(tmp_path / "b.xlsx", LEDGER_HEADERS, [row]), gz)
    assert report.ok, messages(report)
    assert report.counts["update"] == 1 and report.plans[0].changes == ["名称", "状态"]
    haizhu.refresh_from_db()
    assert haizhu.name == "广州市海珠区青年志愿者协会"
    assert haizhu.president_phone == "13800138000"
    assert haizhu.status == AssociationStatus.SUSPENDED and haizhu.status_since == D(2023, 1, 1)


def test_standardization_date_is_recorded_as_the_verification_date(tmp_path, gz):
    row = good_rows()[0]
    row[LEDGER_HEADERS.index("规范化认定日期")] = "2021-04-20"
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, [row]), gz)
    assert report.ok, messages(report)
    haizhu = Association.objects.get(region__code="440105")
    assert haizhu.standardized_since == D(2021, 4, 20)
    entries = ChecklistEntry.objects.filter(association=haizhu)
    required = len(services.required_items())
    assert (
        entries.filter(state=ChecklistState.VERIFIED, verified_on=D(2021, 4, 20)).count()
        == required
    )
    assert run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, [row]), gz).counts["unchanged"] == 1


def test_only_the_level_above_may_enter_a_standardization_date(tmp_path, make_user):
    # The county's own admin: its scope does not cover 广州市 (a province admin's does).
    county = make_user("county_admin", "440105")
    row = good_rows()[0]
    row[LEDGER_HEADERS.index("规范化认定日期")] = "2021-04-20"
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, [row]), county)
    assert messages(report) == [
        "第2行“规范化认定日期”：规范化建设只能由上一级（广州市）认定，您不能为海珠区的协会填写规范化认定日期。"
    ]
    assert not Association.objects.exists()


def test_every_bad_row_and_field_is_named_and_nothing_is_written(tmp_path, gz):
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    rows = [
        good_rows()[0],  # a good row: not written either
        ledger_row(region="440199", name="乙", form="青年志愿者协会", established_on="2020-01-01"),
        ledger_row(
            region="440106001", name="丙", form="青年志愿者协会", established_on="2020-01-01"
        ),
        ledger_row(
            region="440103",
            name="丁",
            form="青年志愿者联盟",
            established_on="2020-13-01",
            registered="已登记",
            uscc=bad_check_digit(uscc("51440103MJL543210")),
            registered_on=future,
            status="已解散",
            president_phone="12345",
        ),
        ledger_row(
            region="440104",
            name="戊",
            form="义工联合会",
            established_on="2020-05-01",
            status="已注销",
            status_since="2019-12-31",
        ),
    ]
    report = run(xlsx(tmp_path / "错误.xlsx", LEDGER_HEADERS, rows), gz)
    found = messages(report)
    expected = [
        "第3行“行政区划代码”：行政区划代码“440199”不存在，请按 GB/T 2260 核对。",
        "第4行“行政区划代码”：“440106001”是乡级区划（五山街道），本列须填写县级及以上区划的6位代码。",
        "第5行“组织形式”：“青年志愿者联盟”不是可选值",
        "第5行“成立日期”：“2020-13-01”不是有效日期。",
        f"第5行“登记日期”：{future} 晚于今天",
        "第5行“状态”：“已解散”不是可选值",
        "第5行“统一社会信用代码”：统一社会信用代码",
        "第5行“会长电话”：电话号码“12345”格式不对",
        "第6行“状态日期”：状态日期（2019-12-31）不能早于成立日期（2020-05-01）。",
    ]
    for text in expected:
        assert any(m.startswith(text) for m in found), (text, found)
    assert any("校验位错误" in m for m in found)
    assert not any(m.startswith("第2行") for m in found)
    assert not Association.objects.exists()
    assert report.summary().endswith("未写入任何数据。")


def test_two_active_associations_for_one_county_in_the_file_are_refused(tmp_path, gz):
    rows = good_rows()
    rows.append(
        ledger_row(
            region="440105",
            name="海珠区志愿者联合会",
            form="志愿者联合会",
            established_on="2020-01-01",
        )
    )
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, rows), gz)
    assert messages(report) == [
        "第4行“行政区划代码”：与第2行是同一行政区划（海珠区），同一区划同一时间只能有一个正常活动的协会。"
    ]
    assert not Association.objects.exists()


def test_a_second_active_association_against_the_database_is_refused(tmp_path, gz):
    existing = services.association_create(
        actor=None,
        region=Region.objects.get(code="440105"),
        name="海珠区义工联合会",
        form="yigong_federation",
        established_on=D(2018, 1, 1),
    )
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, good_rows()), gz)
    assert messages(report) == [
        f"第2行“行政区划代码”：海珠区已有正常活动的协会“海珠区义工联合会”（{existing.number}），"
        f"同一区划同一时间只能有一个；如要修改该协会，请在“统一编号”列填写 {existing.number}。"
    ]
    assert Association.objects.count() == 1


def test_a_retired_region_is_refused_naming_its_successor(tmp_path, gz):
    Region.objects.filter(code="440103").update(
        valid_to=D(2020, 1, 1), successor=Region.objects.get(code="440104")
    )
    row = ledger_row(
        region="440103", name="荔湾区青协", form="青年志愿者协会", established_on="2019-01-01"
    )
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, [row]), gz)
    assert messages(report) == [
        "第2行“行政区划代码”：行政区划“荔湾区”（440103）已于 2020-01-01 撤销，现为越秀区（440104）。"
    ]


def test_a_city_user_can_import_only_rows_inside_its_city(tmp_path, gz):
    rows = [
        *good_rows(),
        ledger_row(
            region="440305", name="南山区青协", form="青年志愿者协会", established_on="2020-01-01"
        ),
    ]
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, rows), gz)
    assert messages(report) == [
        "第4行“行政区划代码”：南山区（440305）不在您的管辖范围内，不能导入。"
    ]
    assert not Association.objects.exists()


def test_a_viewer_cannot_import(tmp_path, make_user):
    viewer = make_user("viewer", "440100")
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, good_rows()), viewer)
    assert len(report.problems) == 2 and all("不在您的管辖范围内" in m for m in messages(report))


def test_unknown_number_and_number_of_another_region(tmp_path, gz):
    tianhe = services.association_create(
        actor=None,
        region=Region.objects.get(code="440106"),
        name="天河青协",
        form="other",
        established_on=D(2018, 1, 1),
    )
    rows = [
        ledger_row(
            number="440105-3-01-4",
            region="440105",
            name="甲",
            form="其他团属志愿服务组织",
            established_on="2019-01-01",
        ),
        ledger_row(
            number=tianhe.number,
            region="440105",
            name="乙",
            form="其他团属志愿服务组织",
            established_on="2019-01-01",
        ),
        ledger_row(
            number="440105-3-01-5",
            region="440105",
            name="丙",
            form="其他团属志愿服务组织",
            established_on="2019-01-01",
        ),
    ]
    found = messages(run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, rows), gz))
    assert (
        found[0] == "第2行“统一编号”：统一编号为 440105-3-01-4 的协会不存在，或不在您的管辖范围内。"
    )
    assert (
        found[1].startswith("第3行“行政区划代码”：统一编号 440106-3-01-")
        and "区划不能通过导入修改" in found[1]
    )
    assert found[2] == "第4行“统一编号”：统一编号“440105-3-01-5”的校验位不对，请核对。"


def test_gb18030_csv_from_a_chinese_excel(tmp_path, gz):
    path = csv_file(tmp_path / "台账.csv", LEDGER_HEADERS, good_rows(), encoding="gb18030")
    report = run(path, gz)
    assert report.ok, messages(report)
    assert Association.objects.filter(name="海珠区青年志愿者协会").exists()


def test_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path, gz):
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, good_rows()), gz, dry_run=True)
    assert report.ok and report.counts["create"] == 2 and "预检" in report.summary()
    assert (
        not Association.objects.exists()
        and not ObjectChange.objects.filter(note__contains="a.xlsx").exists()
    )


def test_a_service_refusal_at_write_time_rolls_everything_back(tmp_path, gz, monkeypatch):
    from qingxie.core.errors import QingxieError

    real = services.association_create

    def refuse_tianhe(**kwargs):
        if kwargs["region"].code == "440106":
            raise QingxieError("保存时与另一条记录冲突。", code="conflict")
        return real(**kwargs)

    monkeypatch.setattr(services, "association_create", refuse_tianhe)
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, good_rows()), gz)
    assert messages(report) == ["第3行：保存时与另一条记录冲突。"]
    assert (
        not Association.objects.exists()
        and not ObjectChange.objects.filter(note__contains="a.xlsx").exists()
    )


def test_header_only_file_is_refused(tmp_path, gz):
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, []), gz)
    assert messages(report) == ["文件“a.xlsx”只有列名，没有数据行。"]


def test_cell_errors_and_write_time_refusals_come_in_one_report(tmp_path, gz):
    """A bad date in one row and a clash only the service finds on writing (the earlier,
    dissolved association's years on the same county) in another are both reported by the
    first check, so the cadre corrects the file once."""
    old = services.association_create(
        actor=None,
        region=Region.objects.get(code="440106"),
        name="原天河区青协",
        form="youth_volunteer_association",
        established_on=D(2015, 1, 1),
    )
    services.association_dissolve(actor=None, association=old, on=D(2022, 1, 1))
    rows = good_rows()
    rows[0][LEDGER_HEADERS.index("成立日期")] = "2019-13-45"
    rows[1][LEDGER_HEADERS.index("成立日期")] = "2020-01-02"
    before = ObjectChange.objects.count()
    report = run(xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, rows), gz, dry_run=True)
    text = messages(report)
    assert any(m.startswith("第2行“成立日期”") for m in text), text
    assert any(m.startswith("第3行") and "存续期重叠" in m for m in text), text
    assert Association.objects.count() == 1 and ObjectChange.objects.count() == before
