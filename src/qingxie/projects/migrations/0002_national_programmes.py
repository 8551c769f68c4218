"""The national brand programmes (全团志愿服务品牌项目) the guiding opinion names."""

from django.db import migrations

NATIONAL = [
    ("guanai", "关爱行动", "关爱农民工子女等志愿服务（团中央品牌项目）", 10),
    ("yangguang", "阳光行动", "助残志愿服务", 20),
    ("jinhui", "金晖行动", "助老志愿服务（金晖助老）", 30),
    ("community", "青年志愿者服务社区行动", "共创美好社区", 40),
    ("emergency", "应急志愿服务", "应急救援与防灾减灾志愿服务", 50),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("projects", "Programme")
    for code, name, description, position in NATIONAL:
        Programme.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


def unseed(apps, schema_editor):
    apps.get_model("projects", "Programme").objects.filter(
        code__in=[c for c, *_ in NATIONAL], region__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_projects")]
    operations = [migrations.RunPython(seed, unseed)]
