"""Exports that cannot run (issue 18, item 3): text beginning with =, +, -, @, a tab or a
carriage return, entered through the API and an import, comes out of every export kind as
text — a string cell in xlsx, a '-prefixed field in csv — and a re-import of the exported
file gives back the original values."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pytest

from qingxie.core.tabular import run_import
from qingxie.ledger import services as ledger_services
from qingxie.ledger.models import Association, GroupMember
from qingxie.sheets.exports import export_write
from qingxie.sheets.kinds import KINDS, get_kind
from qingxie.teams.models import Team
from tests.ledger.test_api import make_association
from tests.sheets.files import csv_file

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1+2",
    "-2+3",
    "=1+2队",
    "@邮件队",
]


@pytest.fixture
def admin(make_user):
    return make_user("county_admin", "440105")


@pytest.fixture
def formulas(admin, tmp_path):
    """An association, its teams and group members named by every payload: teams through the
    API and an import, group members through the service."""
    from django.test import Client

    from qingxie.teams.sheets import TEAM_KIND

    hz = make_association("440105")
    client = Client()
    client.force_login(admin)
    for n, payload in enumerate(PAYLOADS[:4]):
        response = client.post(
            "/api/teams/",
            {
                "association": hz.number,
                "name": payload,
                "category": "township",
                "township": f"44010500{n + 1}",
                "founded_on": "2021-03-05",
                "leader_name": payload,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    path = csv_file(
        tmp_path / "t.csv",
        ["所属协会统一编号", "队伍名称", "类别", "所在乡镇（街道）代码", "成立日期", "负责人"],
        [
            [hz.number, payload, "乡镇/街道", f"44010500{n + 5}", "2021-03-05", payload]
            for n, payload in enumerate(PAYLOADS[4:])
        ],
    )
    report = run_import(TEAM_KIND, path, filename="t.csv", actor=admin, dry_run=False)
    assert report.ok, [str(p) for p in report.problems]
    for n, payload in enumerate(PAYLOADS):
        ledger_services.group_member_create(
            actor=None,
            association=hz,
            name=f"{payload}{n}",
            kind="school",
            admitted_on=datetime.date(2021, 1, 1),
        )
    Association.objects.filter(pk=hz.pk).update(name="=1+2青年志愿者协会")
    return hz


def _export(kind_name: str, fmt: str, region) -> bytes:
    stream = io.BytesIO()
    export_write(
        actor=None,
        kind=get_kind(kind_name),
        region=region,
        as_of=None,
        fmt=fmt,
        stream=stream,
    )
    return stream.getvalue()


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(
            zf.read(name).decode()
            for name in zf.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


@pytest.mark.parametrize("kind_name", sorted(KINDS))
def test_no_export_kind_writes_a_formula_in_xlsx(formulas, region, kind_name):
    xml = _sheet_xml(_export(kind_name, "xlsx", region("440100")))
    assert "<f>" not in xml and "<f " not in xml
    if kind_name in ("teams", "group-members", "ledger"):
        # The payloads are there, as inline strings (text), not formulas.
        assert "<t>=1+2" in xml


@pytest.mark.parametrize("kind_name", sorted(KINDS))
def test_no_csv_field_starts_a_formula(formulas, region, kind_name):
    text = _export(kind_name, "csv", region("440100")).decode("utf-8-sig")
    fields = [field for row in csv.reader(io.StringIO(text)) for field in row]
    assert fields
    for field in fields:
        assert not re.match(r"^[=+\-@\t\r]", field), field
    if kind_name == "teams":
        for payload in PAYLOADS:
            assert "'" + payload in fields


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_reimported_export_gives_back_the_original_values(formulas, admin, region, tmp_path, fmt):
    """The teams export, imported again as it is: every row unchanged (the ' removed)."""
    from qingxie.teams.sheets import TEAM_KIND

    path = tmp_path / f"teams.{fmt}"
    path.write_bytes(_export("teams", fmt, region("440100")))
    report = run_import(TEAM_KIND, path, filename=path.name, actor=admin, dry_run=True)
    assert report.ok, [str(p) for p in report.problems]
    assert report.counts == {"create": 0, "update": 0, "unchanged": len(PAYLOADS)}
    assert set(Team.objects.values_list("name", flat=True)) == set(PAYLOADS)
    assert GroupMember.objects.count() == len(PAYLOADS)


def test_tab_and_carriage_return_are_guarded_and_unguarded():
    """Leading white space is stripped from names on the way in; should such text reach an
    export anyway, it is guarded like the others."""
    from qingxie.core.tabular.spec import csv_guard, unguard

    for text in ("\tx", "\rx", "=x", "+x", "-x", "@x"):
        assert csv_guard(text) == "'" + text and unguard(csv_guard(text)) == text
    assert csv_guard("正常") == "正常" and csv_guard(-5) == -5
    assert unguard("'正常") == "'正常"  # only a guard the writer would add is removed
