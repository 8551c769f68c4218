"""The bulletin's projects paragraphs come out of the data: funding, pilots, sinking."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from qingxie.core.extensions import bulletin_sections
from qingxie.projects import competitions as c
from qingxie.projects import services
from qingxie.regions.models import Region
from tests.projects.conftest import association, project

pytestmark = pytest.mark.django_db


def test_funding_pilot_and_sinking_paragraphs(gd):
    province = Region.objects.get(code="440000")
    yantian = association("440308", "盐田区青年志愿者协会")
    fengkai = association("441225", "封开县青年志愿者协会")
    comp = c.competition_create(actor=None, organiser=province, name="益苗计划", year=2020)
    cat = c.category_add(actor=None, competition=comp, name="综合")
    for a, amount in ((yantian, 50000), (fengkai, 30000), (gd.hz, 20000)):
        entry = c.entry_submit(
            actor=None, competition=comp, category=cat, project=project(a, programme=gd.guanai)
        )
        c.award_grant(
            actor=None, entry=entry, tier="示范项目", amount=amount, on=datetime.date(2020, 12, 20)
        )
    # A city association's award is not a county one: left out of the sentence.
    city_entry = c.entry_submit(
        actor=None, competition=comp, category=cat, project=project(gd.gz, name="市级项目")
    )
    c.award_grant(
        actor=None, entry=city_entry, tier="示范项目", amount=90000, on=datetime.date(2020, 12, 20)
    )
    pilot = services.pilot_create(
        actor=None,
        organiser=Region.objects.get(code="000000"),
        name="共创美好社区",
        starts_on=datetime.date(2020, 9, 1),
    )
    for code in ("440105001", "440105002", "440303001"):
        town = Region.objects.get(code=code)
        services.pilot_community_add(
            actor=None, pilot=pilot, township=town, name=f"{town.name}社区"
        )
    services.pilot_unit_add(
        actor=None, pilot=pilot, association=gd.th, joined_on=datetime.date(2020, 9, 1)
    )
    services.pilot_unit_add(
        actor=None, pilot=pilot, association=gd.hz, joined_on=datetime.date(2020, 9, 2)
    )
    sections = bulletin_sections(province, datetime.date(2021, 5, 6))
    text = "\n".join(p for s in sections if s.title == "志愿服务项目" for p in s.paragraphs)
    assert (
        "依托“益苗计划”，整合10万元支持深圳盐田区、肇庆封开县、广州海珠区等3个县级团属志愿服务组织打造县域示范性品牌项目。"
        in text
    )
    assert (
        "依托团中央“共创美好社区”，动员3个试点社区所在县（区）团属志愿服务组织深度参与试点工作，"
        "支持天河区青年志愿者协会等2个县团属志愿服务组织作为试点单位。"
    ) in text
    assert "“关爱行动”覆盖3个县（市、区）（2.5%）" in text
    # A year later the awards are out of the window; before the pilot started it is not there.
    later = bulletin_sections(province, datetime.date(2022, 5, 6))
    assert "整合" not in "".join(p for s in later for p in s.paragraphs)
    earlier = bulletin_sections(province, datetime.date(2020, 6, 1))
    assert "试点" not in "".join(p for s in earlier for p in s.paragraphs)

    # In an English bulletin the sentences are English; names (data) stay as recorded.
    with translation.override("en"):
        sections = bulletin_sections(province, datetime.date(2021, 5, 6))
    titles = [s.title for s in sections]
    assert "Volunteer service projects" in titles and "志愿服务项目" not in titles
    text = "\n".join(
        p for s in sections if s.title == "Volunteer service projects" for p in s.paragraphs
    )
    assert (
        "Through “益苗计划”, 10 × 10,000 yuan of funding helped 3 county-level League volunteer "
        "organisations, including 深圳盐田区, 肇庆封开县, 广州海珠区, build model brand projects"
    ) in text
    assert "2 county League volunteer organisations, 天河区青年志愿者协会 among them" in text
    assert "the League's Central Committee" in text
    assert "“关爱行动” reaches 3 counties (2.5%)" in text
    for word in ("依托", "整合", "试点", "覆盖", "个县", "团中央"):
        assert word not in text
