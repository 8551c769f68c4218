"""Self-assessments in bulk (评估自评): the template carries the round's county-filled
indicators as columns; every bad row and cell is named, nothing is saved; a good file fills
the sheets through the same service as the page, change-logged with the file."""

from __future__ import annotations

import pytest

from qingxie.assessment.sheets import SELF_ASSESSMENT_KIND
from qingxie.core.context import change_context
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import run_import
from tests.sheets.files import xlsx

from .conftest import evidence

pytestmark = pytest.mark.django_db


def headers() -> list[str]:
    return [c.header for c in SELF_ASSESSMENT_KIND.import_columns]


def row(**values) -> list:
    return [values.get(c.field) for c in SELF_ASSESSMENT_KIND.import_columns]


def run(path, actor, dry_run=False):
    with change_context(user=actor, channel="cli"):
        return run_import(
            SELF_ASSESSMENT_KIND, path, filename=path.name, actor=actor, dry_run=dry_run
        )


def test_template_columns_are_the_rounds_manual_indicators(opened):
    names = set(opened.version.indicators.filter(kind="manual").values_list("name", flat=True))
    assert names <= set(headers())
    assert "依法登记注册" not in headers()  # computed: not the county's to fill
    assert headers()[:2] == ["评估轮次编号", "协会统一编号"]


def test_every_bad_row_and_field_is_named_and_nothing_is_saved(opened, make_user, tmp_path):
    city = make_user("city_admin", "440100")
    rnd = opened.round
    path = xlsx(
        tmp_path / "自评.xlsx",
        headers(),
        [
            row(
                **{
                    "round": rnd.pk,
                    "association": opened.hz.number,
                    "ind:activities": "12",
                    "ind:charter": "A",
                }
            ),
            row(**{"round": rnd.pk, "association": opened.th.number, "ind:activities": "-3"}),
            row(**{"round": rnd.pk, "association": opened.th.number, "ind:projects": "Z"}),
            row(**{"round": 999, "association": opened.hz.number}),
            row(**{"round": rnd.pk, "association": opened.nn.number, "ind:activities": "3"}),
            row(**{"round": rnd.pk, "association": opened.hz.number, "ind:activities": "abc"}),
        ],
        sheet="评估自评",
    )
    report = run(path, city)
    assert not report.ok
    found = {(p.row, p.column): p.message for p in report.problems}
    assert found[(3, "年度志愿服务活动")] == "“年度志愿服务活动”须在 0 至 10000 之间（现为 -3）。"
    assert found[(4, "品牌项目落地")].startswith("“Z”不是可选值")
    assert found[(5, "评估轮次编号")] == "编号为 999 的评估轮次不存在，或不可见。"
    assert "不在您的管辖范围内" in found[(6, "协会统一编号")]
    assert found[(7, "年度志愿服务活动")] == "“abc”不是数字。"
    assert (
        found[(2, "章程与按期换届")]
        == "“章程与按期换届”须附佐证材料：请先在评估表页面上传，再导入。"
    )
    # 天河 twice in the file: named.
    assert found[(4, "协会统一编号")] == "与第3行是同一协会的同一轮评估。"
    assert not opened.sheet(opened.hz).values.filter(filled=True, indicator__kind="manual").exists()
    assert not ObjectChange.objects.filter(note__contains="自评.xlsx").exists()


def test_a_good_file_fills_the_sheets_and_a_submitted_sheet_is_refused(opened, make_user, tmp_path):
    from qingxie.assessment import services

    city = make_user("city_admin", "440100")
    rnd = opened.round
    hz = opened.sheet(opened.hz)
    services.value_fill(
        actor=None,
        sheet=hz,
        indicator=rnd.indicator_version.indicators.get(code="charter"),
        grade="B",
        evidence=evidence(),
    )
    good = xlsx(
        tmp_path / "自评.xlsx",
        headers(),
        [
            row(
                **{
                    "round": rnd.pk,
                    "association": opened.hz.number,
                    "ind:activities": 24,
                    "ind:charter": "A",
                    "ind:no-violation": 1,
                }
            )
        ],
        sheet="评估自评",
    )
    preview = run(good, city, dry_run=True)
    assert preview.ok and preview.count("update") == 1
    assert not hz.values.get(indicator__code="activities").filled
    report = run(good, city)
    assert report.ok, [p.message for p in report.problems]
    hz.refresh_from_db()
    assert hz.values.get(indicator__code="activities").value == 24
    assert hz.values.get(indicator__code="charter").grade == "A"
    assert ObjectChange.objects.filter(note__contains="自评.xlsx").exists()
    # The same file again changes nothing.
    again = run(good, city)
    assert again.ok and again.count("unchanged") == 1
    # Once submitted, the sheet is not the import's to change.
    th = opened.sheet(opened.th)
    from .conftest import fill_all

    fill_all(th)
    services.sheet_submit(actor=None, sheet=th)
    path = xlsx(
        tmp_path / "再次.xlsx",
        headers(),
        [row(**{"round": rnd.pk, "association": opened.th.number, "ind:activities": 5})],
        sheet="评估自评",
    )
    report = run(path, city)
    [problem] = report.problems
    assert problem.column == "协会统一编号" and "已提交，不能再修改" in problem.message


def test_export_prefills_the_values(opened):
    from qingxie.assessment import services
    from qingxie.regions.models import Region

    hz = opened.sheet(opened.hz)
    services.value_fill(
        actor=None,
        sheet=hz,
        indicator=opened.version.indicators.get(code="activities"),
        value=7,
    )
    rows, count = SELF_ASSESSMENT_KIND.exporter(None, Region.objects.get(code="440100"), None)
    rows = list(rows)
    assert count == 2
    [mine] = [r for r in rows if r["association"] == opened.hz.number]
    assert mine["ind:activities"] == "7" and mine["round"] == opened.round.pk
