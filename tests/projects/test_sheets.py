"""Importing and exporting projects: the services' rules name row and column; nothing is
written unless every row is good; the export round-trips."""

from __future__ import annotations

import datetime

import pytest

from qingxie.core.context import change_context
from qingxie.core.tabular import run_import
from qingxie.projects.models import Project
from qingxie.projects.sheets import PROJECT_KIND, export_projects
from qingxie.regions.models import Region
from tests.projects.conftest import project
from tests.sheets.files import csv_file

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in PROJECT_KIND.import_columns]


def row(**values) -> list:
    return [values.get(c.field) for c in PROJECT_KIND.import_columns]


def run(path, actor, *, dry_run=False):
    with change_context(user=actor, channel="cli"):
        return run_import(PROJECT_KIND, path, filename=path.name, actor=actor, dry_run=dry_run)


def test_import_names_bad_rows_and_writes_nothing(gd, make_user, tmp_path, settings):
    settings.QINGXIE_JOBS_SYNC = True
    actor = make_user("county_admin", "440105")
    good = dict(
        association=gd.hz.number,
        name="关爱留守儿童",
        field="关爱儿童",
        region="440105001",
        start_on="2021-03-01",
        status="实施中",
        target_groups="留守儿童、特困群体",
        programme="guanai",
    )
    path = csv_file(
        tmp_path / "项目.csv",
        HEADERS,
        [
            row(**good),
            row(**{**good, "name": "越界项目", "region": "440303"}),
            row(**{**good, "name": "倒排日期", "end_on": "2021-01-01"}),
            row(**{**good, "name": "未知品牌", "programme": "nope"}),
        ],
    )
    report = run(path, actor)
    problems = [str(p) for p in report.problems]
    assert not report.ok
    assert any(
        "第3行" in p and "服务区域代码" in p and "不在海珠区青年志愿者协会的区划范围内" in p
        for p in problems
    ), problems
    assert any(
        "第4行" in p and "结束日期" in p and "结束日期不能早于开始日期" in p for p in problems
    ), problems
    assert any("第5行" in p and "品牌项目代码" in p for p in problems), problems
    assert not Project.objects.exists()
    ok = csv_file(tmp_path / "好.csv", HEADERS, [row(**good)])
    report = run(ok, actor)
    assert report.ok, [str(p) for p in report.problems]
    created = Project.objects.get()
    assert (
        created.target_groups == ["left_behind", "hardship"] and created.programme.code == "guanai"
    )


def test_export_then_reimport_changes_nothing(gd, make_user, tmp_path):
    actor = make_user("county_admin", "440105")
    project(gd.hz, name="海珠项目", target_groups=["left_behind"], programme=gd.guanai)
    project(gd.lh, name="罗湖项目")
    rows, count = export_projects(
        actor, Region.objects.get(code="440000"), datetime.date(2021, 5, 6)
    )
    rows = list(rows)
    assert count == 1 and rows[0]["name"] == "海珠项目" and rows[0]["target_groups"] == "留守儿童"
    labels = {c.field: dict(c.choices) for c in PROJECT_KIND.import_columns if c.choices}
    values = [
        {**r, **{k: labels[k][r[k]] for k in labels}, "start_on": r["start_on"].isoformat()}
        for r in rows
    ]
    path = csv_file(tmp_path / "导出.csv", HEADERS, [row(**v) for v in values])
    report = run(path, actor)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts.get("unchanged") == 1
