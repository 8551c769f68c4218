"""The default 2021 indicator system (assessment.defaults), so every installation has one."""

from django.db import migrations


def seed(apps, schema_editor):
    from qingxie.assessment.defaults import DEFAULT_CODE, DEFAULT_DIMENSIONS, DEFAULT_GATES

    Version = apps.get_model("assessment", "IndicatorVersion")
    Dimension = apps.get_model("assessment", "Dimension")
    Indicator = apps.get_model("assessment", "Indicator")
    if Version.objects.filter(code=DEFAULT_CODE).exists():
        return
    version = Version.objects.create(
        code=DEFAULT_CODE,
        name="县级青年志愿者协会建设评估指标（2021年默认版）",
        year=2021,
        total=100,
        note="参照社会组织评估（基础条件、内部治理、工作绩效、社会评价）与全国志愿服务工作测评体系"
        "（A=100%、B=66%、C=33%）拟定，各项均可调整。",
    )
    position = 0
    for d_pos, (code, name, indicators) in enumerate(DEFAULT_DIMENSIONS):
        dimension = Dimension.objects.create(
            indicator_version=version, code=code, name=name, position=d_pos
        )
        for fields in indicators:
            position += 1
            Indicator.objects.create(
                indicator_version=version, dimension=dimension, position=position, **fields
            )
    for fields in DEFAULT_GATES:
        position += 1
        Indicator.objects.create(indicator_version=version, position=position, **fields)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_assessment")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
