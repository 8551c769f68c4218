"""The `qingxie` command's subcommands that run inside the test database."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from qingxie.accounts.models import User

pytestmark = pytest.mark.django_db


def test_regions_stats_json():
    out = io.StringIO()
    call_command("regions", "stats", "--json", stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["data_as_of"] == "2025-12-31"
    assert {k: stats[k] for k in ("province", "prefecture", "county", "township")} == {
        "province": 34,
        "prefecture": 333,
        "county": 2845,
        "township": 38723,
    }


def test_createadmin_reads_the_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Qx-admin-pass-2026\n"))
    call_command("createadmin", "--username", "root2", "--password-stdin", stdout=io.StringIO())
    user = User.objects.get(username="root2")
    assert user.is_superuser and user.check_password("Qx-admin-pass-2026")
    assert user.grants.get().region.code == "000000"


def test_demo_accounts_cover_each_level():
    from qingxie.web.demo import demo_load

    # The ledger half of the demo has its own tests (tests/ledger/test_demo.py).
    rows = demo_load(ledger=False)
    assert [r[2] for r in rows] == ["全国", "广东省", "广州市", "海珠区"]
    assert demo_load(ledger=False) == rows  # idempotent
    assert User.objects.filter(is_demo=True).count() == 4


def test_serve_refuses_debug_mode(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("serve", "--port", "0")


def test_demo_says_what_it_loads_while_it_loads(demo_installation):
    """The demo takes minutes: each part is named as it starts and timed as it ends, so a
    newcomer sees it is working (and on what) rather than one line for two minutes."""
    out = demo_installation.demo_output
    parts = [
        "演示账号",
        "全国演示台账",
        "培训演示数据",
        "项目与大赛演示数据",
        "一县一策演示数据",
        "年度评估演示数据",
    ]
    lines = [line.strip() for line in out.splitlines()]
    for part in parts:
        line = next((x for x in lines if x.startswith(part)), None)
        assert line is not None, f"{part} not announced:\n{out}"
        assert re.search(r"……\s*完成（用时 \d+\.\d 秒）$", line), line
    # In the order they run: accounts, then the ledger, then each app's data on top of it.
    order = [next(i for i, x in enumerate(lines) if x.startswith(p)) for p in parts]
    assert order == sorted(order)
