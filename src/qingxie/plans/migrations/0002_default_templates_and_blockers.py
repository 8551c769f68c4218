"""Seed the national founding tasks, the blocker kinds and the national deadline rule."""

from django.db import migrations

#: (code, title, days, depends on, owner level, ledger check) — the founding steps of a
#: county association (关于加强县级青年志愿者协会建设的指导意见, 2020; 广东 一县一策).
FOUNDING = [
    ("prep", "成立筹备组", 15, [], 3, ""),
    ("charter", "起草章程", 30, ["prep"], 3, ""),
    ("supervisor", "确定业务主管单位", 30, ["prep"], 3, ""),
    ("guide", "市级团委审核章程与筹备方案", 10, ["charter", "supervisor"], 2, ""),
    ("congress", "召开成立大会", 15, ["guide"], 3, "founded"),
    ("elect", "选举会长和秘书长", 7, ["congress"], 3, "founded"),
    ("register", "民政登记", 60, ["elect"], 3, "registered"),
    ("checklist-item", "规范化建设事项（每项）", 60, [], 3, "item"),
]

BLOCKERS = [
    ("registration_blocked", "民政登记受阻"),
    ("no_supervisor", "无业务主管单位"),
    ("no_office", "无办公场地"),
    ("no_funds", "经费不足"),
    ("no_staff", "人员不足"),
    ("other", "其他"),
]

#: A plan may end up to five years after the final national target (full coverage by
#: 2023-12-31): late counties still need a plan; a province may set a shorter rule.
NATIONAL_GRACE_DAYS = 1826


def seed(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    TaskTemplate = apps.get_model("plans", "TaskTemplate")
    BlockerKind = apps.get_model("plans", "BlockerKind")
    PlanRule = apps.get_model("plans", "PlanRule")
    root, _ = Region.objects.get_or_create(
        code="000000", defaults={"name": "全国", "level": 0, "kind": "国家", "path": "000000/"}
    )
    for position, (code, title, days, deps, level, check) in enumerate(FOUNDING, start=1):
        TaskTemplate.objects.get_or_create(
            region=root,
            code=code,
            defaults={
                "region_path": root.path,
                "title": title,
                "duration_days": days,
                "depends_on": deps,
                "owner_level": level,
                "ledger_check": check,
                "position": position * 10,
            },
        )
    for position, (code, label) in enumerate(BLOCKERS, start=1):
        BlockerKind.objects.get_or_create(
            code=code, defaults={"label": label, "position": position * 10}
        )
    PlanRule.objects.get_or_create(
        region=root, defaults={"region_path": root.path, "grace_days": NATIONAL_GRACE_DAYS}
    )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_plans"), ("regions", "0002_region_path_c_collation")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
