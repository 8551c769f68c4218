"""The streaming import runner: bounded lists with exact counts, duplicates found across
batches, the sheet-kind registry, and the team bulk service under team_create's rules."""

from __future__ import annotations

import csv
import datetime

import pytest

from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.errors import QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import run_import, sheet_kinds
from qingxie.core.tabular.spool import SpooledList
from qingxie.ledger import services as ledger_services
from qingxie.regions.models import Region
from qingxie.teams import services as team_services
from qingxie.teams.models import Team
from qingxie.teams.sheets import TEAM_KIND, TeamImporter

D = datetime.date
FIELDS = [c.field for c in TEAM_KIND.import_columns]


def write_csv(path, rows: list[dict]):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in TEAM_KIND.import_columns])
        for row in rows:
            writer.writerow([row.get(f, "") for f in FIELDS])
    return path


def run(path, actor, **kwargs):
    with change_context(user=actor, channel="cli"):
        return run_import(TEAM_KIND, path, filename=path.name, actor=actor, **kwargs)


def association(code: str):
    region = Region.objects.get(code=code)
    return ledger_services.association_create(
        actor=None,
        region=region,
        name=f"{region.name}青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )


def test_a_spooled_list_keeps_its_head_in_memory_and_reads_the_rest_back_in_order():
    items = SpooledList(keep=3)
    for n in range(10):
        items.append(("problem", n))
    assert len(items) == 10 and len(items.head) == 3
    assert [n for _, n in items] == list(range(10))
    assert items[:2] == [("problem", 0), ("problem", 1)] and items[7] == ("problem", 7)
    items.append(("problem", 10))  # appending after reading goes on at the end
    assert [n for _, n in items][-2:] == [9, 10]


def test_sheet_kinds_come_from_the_registry_in_the_page_order():
    # The platform's own kinds come first, in their order; later apps add theirs after (50+).
    names = [k.name for k in sheet_kinds()]
    assert names[:4] == ["ledger", "teams", "group-members", "coverage"]


@pytest.mark.django_db
def test_every_problem_of_a_long_file_is_counted_and_readable_in_row_order(
    tmp_path, make_user, monkeypatch
):
    haizhu = association("440105")
    county = make_user("county_admin", "440105")
    monkeypatch.setattr(TeamImporter, "batch_size", 100)  # many batches in a short file
    rows = [
        {
            "association": haizhu.number,
            "name": f"队{n}",
            "category": "没有这类",
            "founded_on": "2020-01-01",
        }
        for n in range(1200)
    ]
    report = run(write_csv(tmp_path / "bad.csv", rows), county, dry_run=True)
    assert len(report.problems) == 1200  # exact, though only the first 1,000 are in memory
    assert len(report.problems.head) == 1000
    assert [p.row for p in report.problems] == list(range(2, 1202))
    assert report.summary().startswith("“bad.csv”有 1200 处错误（涉及 1200 行）")
    data = report.as_dict(problem_limit=10)
    assert len(data["problems"]) == 10 and data["problem_count"] == 1200


@pytest.mark.django_db
def test_a_duplicate_in_a_later_batch_is_found_and_nothing_is_written(
    tmp_path, make_user, monkeypatch
):
    haizhu = association("440105")
    county = make_user("county_admin", "440105")
    monkeypatch.setattr(TeamImporter, "batch_size", 2)
    rows = [
        {
            "association": haizhu.number,
            "name": f"队{n}",
            "category": "学校",
            "founded_on": "2020-01-01",
        }
        for n in range(5)
    ] + [
        {
            "association": haizhu.number,
            "name": "队0",
            "category": "学校",
            "founded_on": "2020-01-01",
        }
    ]
    report = run(write_csv(tmp_path / "dup.csv", rows), county)
    assert [str(p) for p in report.problems] == ["第7行“队伍名称”：与第2行是同一协会的同名队伍。"]
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_a_good_file_over_many_batches_is_written_in_one_go(tmp_path, make_user, monkeypatch):
    haizhu = association("440105")
    county = make_user("county_admin", "440105")
    monkeypatch.setattr(TeamImporter, "batch_size", 3)
    rows = [
        {
            "association": haizhu.number,
            "name": f"队{n}",
            "category": "学校",
            "founded_on": "2020-01-01",
        }
        for n in range(10)
    ]
    path = write_csv(tmp_path / "good.csv", rows)
    preview = run(path, county, dry_run=True)
    assert preview.ok and preview.counts["create"] == 10 and not Team.objects.exists()
    report = run(path, county)
    assert report.ok and Team.objects.count() == 10
    assert (
        ObjectChange.objects.filter(
            action=ObjectChange.Action.CREATE, content_type__model="team"
        ).count()
        == 10
    )
    again = run(path, county)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 10}


@pytest.mark.django_db
def test_team_create_bulk_logs_each_team_and_refuses_with_team_creates_messages():
    haizhu = association("440105")
    outside = Region.objects.get(code="440106001")
    good = team_services.TeamDraft(
        haizhu,
        {
            "name": "赤岗街道青年志愿服务队",
            "category": "township",
            "township": Region.objects.get(code="440105001"),
            "founded_on": D(2021, 3, 5),
        },
    )
    teams = team_services.team_create_bulk(actor=None, drafts=[good])
    assert [t.name for t in teams] == ["赤岗街道青年志愿服务队"]
    team = Team.objects.get()
    assert team.region_id == haizhu.region_id and team.township_parent_id == haizhu.region_id
    assert [c.action for c in changes_for(team)] == [ObjectChange.Action.CREATE]

    bad = {
        "name": "越界队",
        "category": "township",
        "township": outside,
        "founded_on": D(2021, 3, 5),
    }
    with pytest.raises(QingxieError) as single:
        team_services.team_create(actor=None, association=haizhu, **bad)
    with pytest.raises(team_services.TeamsRefused) as bulk:
        team_services.team_create_bulk(
            actor=None, drafts=[good, team_services.TeamDraft(haizhu, bad)]
        )
    assert bulk.value.refused == {1: single.value.errors}
    assert Team.objects.count() == 1  # nothing of the refused batch was written


@pytest.mark.django_db
def test_the_importer_and_the_service_give_the_same_message_for_the_same_bad_value(
    tmp_path, make_user
):
    haizhu = association("440105")
    county = make_user("county_admin", "440105")
    with pytest.raises(QingxieError) as service:
        team_services.team_create(
            actor=county,
            association=haizhu,
            name="越界队",
            category="township",
            township=Region.objects.get(code="440106001"),
            founded_on=D(2021, 3, 5),
        )
    row = {
        "association": haizhu.number,
        "name": "越界队",
        "category": "乡镇/街道",
        "township": "440106001",
        "founded_on": "2021-03-05",
    }
    report = run(write_csv(tmp_path / "t.csv", [row]), county)
    assert [p.message for p in report.problems] == [service.value.message]
    assert [p.column for p in report.problems] == ["所在乡镇（街道）代码"]


@pytest.mark.django_db
def test_a_bad_credit_code_gets_the_services_message_on_import(tmp_path, make_user):
    city = make_user("city_admin", "440100")
    from qingxie.ledger.sheets import LEDGER_KIND
    from tests.sheets.files import bad_check_digit, uscc

    code = bad_check_digit(uscc("51440105MJL123456"))
    with pytest.raises(QingxieError) as service:
        ledger_services.association_create(
            actor=None,
            region=Region.objects.get(code="440105"),
            name="海珠区青年志愿者协会",
            form="youth_volunteer_association",
            established_on=D(2019, 1, 1),
            registered=True,
            uscc=code,
        )
    values = {
        "region": "440105",
        "name": "海珠区青年志愿者协会",
        "form": "青年志愿者协会",
        "established_on": "2019-01-01",
        "registered": "已登记",
        "uscc": code,
    }
    path = tmp_path / "台账.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in LEDGER_KIND.import_columns])
        writer.writerow([values.get(c.field, "") for c in LEDGER_KIND.import_columns])
    with change_context(channel="cli"):
        report = run_import(LEDGER_KIND, path, filename=path.name, actor=city)
    assert [(p.column, p.message) for p in report.problems] == [
        ("统一社会信用代码", service.value.errors["uscc"][0])
    ]
