"""`qingxie plans generate|sync|digest`: the preview prints and saves nothing, the real run
saves as the user's scope, a bad date or an out-of-scope user is a Chinese error."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from qingxie.plans.models import Plan

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("plans", *args, stdout=out)
    return out.getvalue()


def test_generate_dry_run_then_for_real(haizhu, make_user):
    make_user("city_admin", "440100", username="gz")
    text = run(
        "generate", "--region", "440100", "--target-date", "2027-06-30", "--user", "gz", "--dry-run"
    )
    assert "广州市：将生成" in text and "440106 天河区 成立并规范化 目标 2027-06-30" in text
    assert Plan.objects.count() == 0
    text = run(
        "generate",
        "--region",
        "440100",
        "--target-date",
        "2027-06-30",
        "--user",
        "gz",
        "--goal",
        "both",
    )
    assert "已生成" in text and "跳过 440105 海珠区" in text
    assert Plan.objects.filter(county__code="440106", goal="both").exists()
    assert "按台账关闭 0 项" in run("sync")
    assert "已发送" in run("digest")


def test_generate_refusals(plans_seed, make_user):
    make_user("county_admin", "440105", username="hz")
    make_user("city_admin", "440100", username="gz")
    with pytest.raises(CommandError, match="须晚于今天"):
        run("generate", "--region", "440100", "--target-date", "2020-01-01", "--user", "gz")
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        run("generate", "--region", "440100", "--user", "hz")
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        run("generate", "--region", "440100", "--user", "nobody")
    assert Plan.objects.count() == 0
