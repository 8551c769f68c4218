"""The demo data set: accounts at each level and the demo national ledger. Marked as demo."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from qingxie.accounts.models import User
from qingxie.accounts.roles import Role
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.regions.models import ROOT_CODE, Region

DEMO_PASSWORD = "qingxie-demo"

DEMO_USERS = [
    ("demo", "演示·全国管理员", Role.NATIONAL_ADMIN, ROOT_CODE),
    ("demo-gd", "演示·广东省管理员", Role.PROVINCE_ADMIN, "440000"),
    ("demo-gz", "演示·广州市管理员", Role.CITY_ADMIN, "440100"),
    ("demo-haizhu", "演示·海珠区管理员", Role.COUNTY_ADMIN, "440105"),
]


@transaction.atomic
def demo_load(
    *, ledger: bool = True, on_step: Callable[[str], None] | None = None
) -> list[tuple[str, str, str]]:
    """Create (or keep) the demo accounts and, unless `ledger` is False, the demo ledger.

    Returns (username, role label, region name) per account. The ledger is loaded once
    (`qingxie.ledger.demo.demo_ledger_load` skips it when present); its counts come from
    `demo_ledger_counts()`. `on_step(label)` is called as each part starts, so a command can
    say what it is doing during the minutes the whole takes.
    """
    step = on_step or (lambda label: None)
    step("演示账号")
    out = []
    for username, display, role, code in DEMO_USERS:
        region = Region.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                display_name=display,
                is_demo=True,
                validate=False,
            )
        role_grant_create(actor=None, user=user, role=role, region=region)
        out.append((username, Role(role).label, region.name))
    if ledger:
        from qingxie.ledger.demo import demo_ledger_load

        step("全国演示台账（约 3,000 个协会、40,000 支队伍）")
        demo_ledger_load()
        # Apps add their demo data on top of the ledger (core.extensions.register_demo_step).
        from qingxie.core.extensions import demo_steps

        for demo_step in demo_steps():
            step(demo_step.label or demo_step.key)
            demo_step.load()
    return out
