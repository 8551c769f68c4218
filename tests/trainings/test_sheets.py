"""The 签到表 import: every bad row and column named, nothing written; a good file adds the
people and records their attendance (which verifies the checklist item); re-import changes
nothing. The trainings export."""

from __future__ import annotations

import pytest
from django.utils import translation

from qingxie.core.context import change_context
from qingxie.core.stored import stored_text
from qingxie.core.tabular import run_import
from qingxie.ledger.models import StandardizationPeriod
from qingxie.trainings.models import Attendee
from qingxie.trainings.sheets import ATTENDEE_KIND, export_trainings
from tests.sheets.files import xlsx

from .conftest import D, attend, make_training

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in ATTENDEE_KIND.import_columns]


def row(**values) -> list:
    return [values.get(c.field) for c in ATTENDEE_KIND.import_columns]


def run(path, actor):
    with change_context(user=actor, channel="cli"):
        return run_import(ATTENDEE_KIND, path, filename=path.name, actor=actor)


def test_every_bad_row_is_named_and_nothing_is_written(gd_world, make_user, tmp_path):
    w = gd_world
    training = make_training(w.gz, class_hours=8)
    planned = make_training(w.gz, status="planned", title="计划中的培训")
    city = make_user("city_admin", "440100")
    path = xlsx(
        tmp_path / "签到表.xlsx",
        HEADERS,
        [
            row(
                training=training.pk,
                association=w.hz.number,
                name="陈海",
                role="会长",
                attended="是",
                hours=8,
            ),
            row(training=training.pk, association=w.lh.number, name="周罗", role="会长"),
            row(
                training=training.pk,
                association=w.th.number,
                name="赵天",
                role="会长",
                attended="是",
                hours=9,
            ),
            row(
                training=planned.pk,
                association=w.th.number,
                name="赵天",
                role="会长",
                attended="是",
            ),
            row(training=training.pk, association=w.hz.number, name="陈海", role="会长"),
            row(training=training.pk, association=w.th.number, name="钱二", role="校长"),
        ],
        sheet="培训签到表",
    )
    report = run(path, city)
    problems = {(p.row, p.column): p.message for p in report.iter_problems()}
    assert "不在主办协会" in problems[(3, "所在协会统一编号")]
    assert "不能超过培训课时" in problems[(4, "参训学时")]
    assert "尚未举办" in problems[(5, "是否参加")]
    assert "与第2行" in problems[(6, "姓名")]
    assert (7, "职务") in problems
    assert not Attendee.objects.exists()


def test_a_good_file_records_attendance_and_the_checklist_follows(gd_world, make_user, tmp_path):
    w = gd_world
    training = make_training(w.gz, start=D(2021, 3, 5), class_hours=8)
    city = make_user("city_admin", "440100")
    rows = [
        row(
            training=training.pk,
            association=w.hz.number,
            name="陈海",
            role="会长",
            attended="是",
            hours=8,
            completion_number="GZ2021-001",
        ),
        row(
            training=training.pk,
            association=w.th.number,
            name="赵天",
            role="骨干志愿者",
            attended="否",
        ),
    ]
    report = run(xlsx(tmp_path / "a.xlsx", HEADERS, rows, sheet="培训签到表"), city)
    assert report.ok, list(report.iter_problems())
    assert Attendee.objects.filter(attended=True).get().completion_number == "GZ2021-001"
    periods = list(
        StandardizationPeriod.objects.filter(association=w.hz).values_list("start", "end")
    )
    assert periods == []  # the other checklist items are not verified: not standardized
    again = run(xlsx(tmp_path / "b.xlsx", HEADERS, rows, sheet="培训签到表"), city)
    assert again.ok and again.counts["unchanged"] == 2
    rows[1] = row(
        training=training.pk,
        association=w.th.number,
        name="赵天",
        role="骨干志愿者",
        attended="是",
        hours=4,
    )
    third = run(xlsx(tmp_path / "c.xlsx", HEADERS, rows, sheet="培训签到表"), city)
    assert third.ok and third.counts["update"] == 1
    assert Attendee.objects.filter(attended=True).count() == 2


def test_another_city_cannot_import_into_this_training(gd_world, make_user, tmp_path):
    w = gd_world
    training = make_training(w.gz)
    path = xlsx(
        tmp_path / "x.xlsx",
        HEADERS,
        [row(training=training.pk, association=w.hz.number, name="陈海", role="会长")],
        sheet="培训签到表",
    )
    report = run(path, make_user("city_admin", "440300"))
    problem = next(iter(report.iter_problems()))
    assert "不存在，或不在您的权限范围内" in problem.message
    assert not Attendee.objects.exists()
    # Stored in Chinese (the import job runs in Chinese), read in English by an English reader.
    stored = str(problem)
    with translation.override("en"):
        assert stored_text(stored).endswith(
            f"Training {training.pk} does not exist, or is outside your permissions."
        )


def test_trainings_export_by_region_and_year(gd_world, make_user):
    w = gd_world
    t = make_training(w.gz, start=D(2021, 3, 5), title="广州2021")
    attend(t, w.hz, "陈海")
    make_training(w.gz, start=D(2020, 3, 5), title="广州2020")
    make_training(w.sz, start=D(2021, 3, 5), title="深圳2021")
    rows, count = export_trainings(make_user("city_admin", "440100"), w.gz.region, D(2021, 6, 1))
    rows = list(rows)
    assert count == 1 and [r["title"] for r in rows] == ["广州2021"]
    assert rows[0]["listed"] == 1 and rows[0]["attended"] == 1
