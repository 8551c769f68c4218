"""Default standardization checklist (from the guiding opinion) and the national targets."""

import datetime
from decimal import Decimal

from django.db import migrations

#: (code, title, description, basis) — 关于加强县级青年志愿者协会建设的指导意见（2020）.
CHECKLIST = [
    (
        "registration",
        "依法登记注册",
        "在民政部门依法登记，取得统一社会信用代码。",
        "三、1 依法依规完善内部治理",
    ),
    (
        "charter",
        "制定协会章程",
        "章程经会员代表大会通过并报备。",
        "三、1 依据章程建立健全内部治理结构",
    ),
    (
        "governance",
        "健全治理结构和议事规则",
        "建立决策、执行、监督制度和内部议事规则，理事会、监事会等机构健全。",
        "三、1 完善组织决策、执行、监督制度和内部议事规则",
    ),
    (
        "party_league",
        "成立党团组织",
        "按照“应建必建”原则成立党团组织，开展党团活动。",
        "三、1 按照“应建必建”的原则成立党团组织",
    ),
    (
        "management_rules",
        "人财物管理制度",
        "建立健全人员、财务、资产管理制度。",
        "三、1 建立健全人、财、物管理制度",
    ),
    (
        "disclosure",
        "信息披露制度",
        "建立内部信息披露制度并按期公开。",
        "三、1 建立健全内部信息披露制度",
    ),
    (
        "training",
        "负责人年度培训",
        "协会负责人本年度参加上级协会组织的培训。",
        "四、1 原则上每年至少培训一次",
    ),
    (
        "project",
        "常态化志愿服务项目",
        "至少常态化开展一个有地方特色的青年志愿服务项目。",
        "二、4 组织实施青年志愿服务项目",
    ),
    (
        "teams",
        "基层建队",
        "在乡镇（街道）、学校、行业、企业等建立青年志愿者队伍。",
        "二、2 县有协会，基层建队",
    ),
    (
        "group_members",
        "吸纳团体会员",
        "将符合条件的青年志愿者组织吸纳为团体会员。",
        "二、3 发挥枢纽作用，吸纳团体会员",
    ),
]

#: 50% by the end of 2020, 70% by the end of 2021, full coverage by the end of 2023.
TARGETS = [
    (datetime.date(2020, 12, 31), Decimal("50.0")),
    (datetime.date(2021, 12, 31), Decimal("70.0")),
    (datetime.date(2023, 12, 31), Decimal("100.0")),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("ledger", "ChecklistItem")
    CoverageTarget = apps.get_model("ledger", "CoverageTarget")
    Region = apps.get_model("regions", "Region")
    for position, (code, title, description, basis) in enumerate(CHECKLIST, start=1):
        ChecklistItem.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "description": description,
                "basis": basis,
                "position": position * 10,
            },
        )
    # The same root the division loader creates (it finds this row and keeps it).
    root, _ = Region.objects.get_or_create(
        code="000000",
        defaults={"name": "全国", "level": 0, "kind": "国家", "path": "000000/"},
    )
    for due_on, rate in TARGETS:
        CoverageTarget.objects.get_or_create(
            region=root, measure="established", due_on=due_on, defaults={"rate": rate}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_associations"),
        ("regions", "0002_region_path_c_collation"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
