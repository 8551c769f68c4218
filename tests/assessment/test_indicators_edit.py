"""Adding and removing indicators of an unfrozen version (page and service): the weights are
checked against the version's total, a frozen version refuses with a clear message."""

from __future__ import annotations

import pytest

from qingxie.assessment import services
from qingxie.assessment.models import Indicator
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def spare(world):
    return services.version_copy(
        actor=None, source=world.version, code="edit-2022", name="2022年度指标", year=2022
    )


def test_remove_then_add_keeps_the_total(spare, make_user):
    nation = make_user("national_admin", "000000")
    info = spare.indicators.get(code="platform")
    weight = info.weight
    services.indicator_remove(actor=nation, indicator=info)
    assert not spare.indicators.filter(code="platform").exists()
    assert services.version_problems(spare) == [
        f"指标分值合计为 {services.num(spare.total - weight)} 分，应等于总分 100 分。"
    ]
    assert ObjectChange.objects.filter(action="delete", object_id=str(info.pk)).exists()
    dimension = spare.dimensions.get(code="digital")
    ind = services.indicator_add(
        actor=nation,
        version=spare,
        dimension=dimension,
        code="online_platform",
        name="线上平台使用",
        kind="manual",
        rule="abc",
        weight=weight,
        evidence_required=True,
    )
    assert ind.position == max(spare.indicators.values_list("position", flat=True))
    assert services.version_problems(spare) == []


def test_add_refuses_weights_over_the_total_and_bad_fields(world, spare, make_user):
    nation = make_user("national_admin", "000000")
    dimension = spare.dimensions.first()
    with pytest.raises(QingxieError) as caught:
        services.indicator_add(
            actor=nation,
            version=spare,
            dimension=dimension,
            code="registered",
            name="",
            kind="computed",
            source="nowhere.figure",
            rule="abc",
            weight="5",
        )
    assert caught.value.errors == {
        "code": ["代码“registered”在本版本中已被使用。"],
        "name": ["请填写指标名称。"],
        "source": ["数据来源“nowhere.figure”未安装。"],
        "rule": ["平台计算的指标不能使用 A/B/C 等级计分。"],
        "weight": ["分值合计将为 105 分，超过总分 100 分。"],
    }
    with pytest.raises(QingxieError) as caught:
        services.indicator_add(
            actor=nation,
            version=spare,
            code="bad code",
            name="x",
            kind="manual",
            rule="thresholds",
            params={"steps": [[1, 80], [5, 40]]},
            weight="0",
        )
    assert set(caught.value.errors) == {"code", "dimension", "params"}
    assert caught.value.errors["params"] == ["门槛越高，得分比例不能越低。"]
    assert spare.indicators.count() == world.version.indicators.count()


def test_frozen_version_refuses_add_and_remove(opened, make_user):
    nation = make_user("national_admin", "000000")
    frozen = opened.version
    message = (
        "指标体系“" + frozen.name + "”已被评估轮次使用并冻结，不能修改；请复制为新版本后再调整。"
    )
    with pytest.raises(QingxieError, match="已被评估轮次使用并冻结") as caught:
        services.indicator_remove(actor=nation, indicator=frozen.indicators.first())
    assert caught.value.errors == {"indicator_version": [message]}
    with pytest.raises(QingxieError, match="已被评估轮次使用并冻结"):
        services.indicator_add(
            actor=nation,
            version=frozen,
            dimension=frozen.dimensions.first(),
            code="extra",
            name="额外",
            kind="manual",
            rule="abc",
            weight="0",
        )


def test_only_the_nation_edits(spare, make_user):
    with pytest.raises(PermissionDeniedError):
        services.indicator_remove(
            actor=make_user("province_admin", "440000"), indicator=spare.indicators.first()
        )


def test_version_page_adds_and_removes(spare, client_for):
    client = client_for("national_admin", "000000")
    url = f"/assessment/versions/{spare.code}/"
    page = client.get(url).content.decode()
    assert "增加指标" in page and "尚余分值 0 分" in page
    info = spare.indicators.get(code="platform")
    response = client.post(url, {"op": "remove", "indicator": info.pk}, follow=True)
    assert "已删除“注册与服务记录上平台”。" in response.content.decode()
    assert not Indicator.objects.filter(pk=info.pk).exists()
    dimension = spare.dimensions.get(code="digital")
    data = {
        "op": "add",
        "dimension": dimension.pk,
        "code": "online",
        "name": "线上平台使用",
        "kind": "manual",
        "rule": "linear",
        "params": '{"low": 0, "high": 12}',
        "weight": "50",
        "max_value": "12",
    }
    response = client.post(url, data, follow=True)
    shown = response.content.decode()
    assert "分值：分值合计将为" in shown and "超过总分 100 分。" in shown
    assert not spare.indicators.filter(code="online").exists()
    response = client.post(url, {**data, "weight": services.num(info.weight)}, follow=True)
    assert "已增加指标。" in response.content.decode()
    assert spare.indicators.get(code="online").max_value == 12
    assert services.version_problems(spare) == []


def test_frozen_version_page_explains_and_refuses(opened, client_for):
    client = client_for("national_admin", "000000")
    url = f"/assessment/versions/{opened.version.code}/"
    page = client.get(url).content.decode()
    assert "增加指标" not in page
    assert "已被评估轮次使用并冻结，不能增加、删除或修改指标" in page
    ind = opened.version.indicators.first()
    response = client.post(url, {"op": "remove", "indicator": ind.pk}, follow=True)
    assert "已被评估轮次使用并冻结，不能修改" in response.content.decode()
    assert Indicator.objects.filter(pk=ind.pk).exists()
