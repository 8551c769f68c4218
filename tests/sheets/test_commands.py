"""`qingxie import` and `qingxie export`: act as a user, exit non-zero with every problem,
progress on stderr, templates, exports by region and date."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from tests.sheets.files import LEDGER_HEADERS, csv_file, ledger_row, xlsx

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def gz(make_user):
    return make_user("city_admin", "440100", username="gz-cadre")


ROWS = [
    ledger_row(
        region="440105",
        name="海珠区青年志愿者协会",
        form="青年志愿者协会",
        established_on="2019-03-05",
    ),
    ledger_row(
        region="440106",
        name="天河区青年志愿者协会",
        form="青年志愿者协会",
        established_on="2019-04-05",
        president_phone="13800138000",
    ),
]


def test_import_as_a_user_with_progress_on_stderr(tmp_path, gz):
    path = xlsx(tmp_path / "台账.xlsx", LEDGER_HEADERS, ROWS)
    out, err = call("import", "ledger", str(path), "--user", "gz-cadre")
    assert "共 2 行：已新增 2 条" in out
    assert "读取" in err and "写入" in err
    change = ObjectChange.objects.filter(note__contains="台账.xlsx").first()
    assert change.user == gz and change.channel == "cli"


def test_dry_run_writes_nothing(tmp_path, gz):
    path = xlsx(tmp_path / "台账.xlsx", LEDGER_HEADERS, ROWS)
    out, _ = call("import", "ledger", str(path), "--user", "gz-cadre", "--dry-run")
    assert "将新增 2 条" in out and "预检" in out
    assert not Association.objects.exists()


def test_bad_file_exits_non_zero_listing_every_problem(tmp_path, gz):
    rows = [*ROWS, ledger_row(region="440305", name="南山", form="青协", established_on="明年")]
    path = csv_file(tmp_path / "台账.csv", LEDGER_HEADERS, rows, encoding="gb18030")
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import", "ledger", str(path), "--user", "gz-cadre", stdout=out, stderr=io.StringIO()
        )
    lines = out.getvalue().splitlines()
    assert "第4行“组织形式”：“青协”不是可选值" in lines[0]
    assert lines[1] == "第4行“成立日期”：“明年”不是日期，请写成 2021-05-06 的格式。"
    assert lines[2] == "第4行“行政区划代码”：南山区（440305）不在您的管辖范围内，不能导入。"
    assert "3 处错误" in str(excinfo.value) and excinfo.value.returncode == 1
    assert not Association.objects.exists()


def test_import_needs_a_known_user_and_kind(tmp_path, gz):
    path = xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, ROWS)
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call("import", "ledger", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="只能导出，不能导入"):
        call("import", "coverage", str(path), "--user", "gz-cadre")
    with pytest.raises(CommandError, match="没有“volunteers”这种表格"):
        call("import", "volunteers", str(path), "--user", "gz-cadre")
    with pytest.raises(CommandError):  # --user is required
        call("import", "ledger", str(path))


def test_a_200_mb_file_is_refused_by_the_command(tmp_path, gz):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "teams", str(path), "--user", "gz-cadre", stdout=out, stderr=io.StringIO()
        )
    assert "超过了 30 MB 的上限" in out.getvalue()


def test_export_template(tmp_path):
    target = tmp_path / "模板.xlsx"
    out, _ = call("export", "template", "ledger", "-o", str(target))
    assert "导入模板" in out
    workbook = load_workbook(target)
    assert [c.value for c in workbook["协会台账"][1]] == LEDGER_HEADERS
    assert "填写说明" in workbook.sheetnames


def _found(code, name, established, **kwargs):
    return services.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form="other",
        established_on=established,
        **kwargs,
    )


def test_export_a_region_as_of_a_date_in_csv_with_masked_phones(tmp_path):
    haizhu = _found("440105", "海珠青协", datetime.date(2019, 1, 1), president_phone="13800138000")
    _found("440106", "天河青协", datetime.date(2022, 1, 1))
    _found("440305", "南山青协", datetime.date(2019, 1, 1))
    services.association_dissolve(actor=None, association=haizhu, on=datetime.date(2023, 1, 1))
    target = tmp_path / "广州.csv"
    out, _ = call(
        "export", "ledger", "--region", "440100", "--as-of", "2021-06-30", "-o", str(target)
    )
    assert "1 行" in out
    text = target.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["统一编号", "行政区划代码", "行政区划名称"]
    assert len(lines) == 2 and "海珠青协" in lines[1] and "138****8000" in lines[1]
    assert "13800138000" not in lines[1] and ",正常," in lines[1]  # status as of that day
    logged = ObjectChange.objects.filter(action=ObjectChange.Action.EXPORT).get()
    assert "协会台账导出 广州市（440100）1 条" in logged.object_repr and logged.channel == "cli"
    assert logged.scope_path == Region.objects.get(code="440100").path


def test_export_as_a_user_is_limited_to_their_scope(tmp_path, make_user):
    make_user("county_admin", "440105", username="hz")
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        call(
            "export", "teams", "--region", "440100", "--user", "hz", "-o", str(tmp_path / "t.xlsx")
        )
    with pytest.raises(CommandError, match="不能晚于今天"):
        call(
            "export",
            "teams",
            "--region",
            "440105",
            "--user",
            "hz",
            "--as-of",
            "2999-01-01",
            "-o",
            str(tmp_path / "t.xlsx"),
        )


def test_coverage_export_matches_coverage_tree(tmp_path):
    from qingxie.ledger.coverage import coverage_tree

    _found("440105", "海珠青协", datetime.date(2019, 1, 1))
    _found("440106", "天河青协", datetime.date(2019, 1, 1))
    target = tmp_path / "覆盖率.xlsx"
    call("export", "coverage", "--region", "440000", "--as-of", "2021-05-06", "-o", str(target))
    rows = list(load_workbook(target)["覆盖率统计表"].iter_rows(values_only=True))
    node = coverage_tree(Region.objects.get(code="440000"), datetime.date(2021, 5, 6), depth=1)
    assert rows[1][:6] == ("440000", "广东省", "省级", node.counties, 2, node.coverage_rate)
    guangzhou = next(r for r in rows if r[0] == "440100")
    assert guangzhou[4] == 2 and len(rows) == 2 + len(node.children)
