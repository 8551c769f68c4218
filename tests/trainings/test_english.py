"""The trainings app in English: model, field and choice names, the services' refusals and the
bulletin paragraph read in English when the reader chose English; names stay as recorded."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.trainings import choices, services
from qingxie.trainings.models import Training
from tests.plans.test_english import names_in_english
from tests.trainings.conftest import D, attend, make_training

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def test_model_field_and_choice_names_are_english():
    found = names_in_english("trainings", choices)
    assert len(found) > 30
    chinese = [text for text in found if CJK.search(text)]
    assert not chinese, chinese
    assert str(Training._meta.verbose_name) == "培训"  # Chinese by default
    with translation.override("en"):
        assert str(choices.TrainingStatus.HELD.label) == "Held"


def refused(call, **kwargs) -> QingxieError:
    with translation.override("en"), pytest.raises(QingxieError) as exc:
        call(**kwargs)
    return exc.value


def test_service_refusals_read_in_english_and_name_only_data_in_chinese(gd_world, make_user):
    w = gd_world
    exc = refused(
        services.training_create,
        actor=None,
        organiser=w.gz,
        status="held",
        title="",
        kind="nope",
        audience=[],
        start_date=D(2021, 5, 2),
        end_date=D(2021, 5, 1),
    )
    assert exc.errors["title"] == ["Enter the training's name."]
    assert exc.errors["kind"] == ["The training kind “nope” is not one of the choices."]
    assert exc.errors["audience"] == ["Choose at least one audience for the training."]
    assert exc.errors["end_date"] == [
        "The end date (2021-05-01) cannot be earlier than the start date (2021-05-02)."
    ]
    training = make_training(w.gz)
    attend(training, w.hz, "陈海")
    exc = refused(
        services.attendee_add,
        actor=None,
        training=training,
        association=w.hz,
        name="陈海",
        role="president",
    )
    assert exc.errors["name"] == [
        "This training already has an attendee “陈海” from 海珠区青年志愿者协会; they cannot be "
        "registered twice."
    ]
    exc = refused(
        services.attendee_add,
        actor=None,
        training=training,
        association=w.lh,
        name="周罗",
        role="president",
    )
    assert exc.errors["association"] == [
        "罗湖区青年志愿者协会 is outside the area of the organising association "
        "(广州市青年志愿者协会): a training is for people of associations at its own level and "
        "below."
    ]
    outsider = make_user("county_admin", "440303")
    with translation.override("en"), pytest.raises(PermissionDeniedError) as denied:
        services.training_update(actor=outsider, training=training, title="x")
    assert denied.value.message == (
        "You may not change this training: it is outside the area you manage."
    )
    # The same refusal in Chinese by default.
    with pytest.raises(QingxieError) as exc:
        services.attendee_add(
            actor=None, training=training, association=w.hz, name="陈海", role="president"
        )
    assert "不能重复登记" in exc.value.errors["name"][0]


def test_the_bulletin_paragraph_reads_in_english(gd_world):
    from qingxie.trainings.bulletin import sections

    w = gd_world
    topics = "品牌管理与传播沟通"
    one = make_training(
        w.gd, title="全省志愿服务骨干人才班（第一期）", start=D(2020, 11, 10), topics=topics
    )
    two = make_training(
        w.gd, title="全省志愿服务骨干人才班（第二期）", start=D(2021, 4, 12), topics=topics
    )
    for n in range(12):
        attend(one, w.hz if n % 2 else w.th, f"甲{n}")
        attend(two, w.sz, f"乙{n}")
    attend(two, w.gz, "王市")
    with translation.override("en"):
        (section,) = sections(w.gd.region, D(2021, 5, 6))
    assert section.title == "Core volunteers' training"
    assert section.paragraphs[0] == (
        "广东省青年志愿者协会 held 2 sessions of 全省志愿服务骨干人才班 in November 2020 and "
        "April 2021 for more than 20 leaders of city- and county-level yigong federations, "
        "youth volunteer associations, on topics such as 品牌管理与传播沟通."
    )
    with translation.override("en"):
        (section,) = sections(w.gd.region, D(2020, 12, 6))
    assert section.paragraphs[0].startswith(
        "广东省青年志愿者协会 held one session of 全省志愿服务骨干人才班 in November 2020 "
    )


@pytest.mark.parametrize(
    ("language", "organisers", "counties"),
    [("en", "3/4 (75.0%); ", "5/8 (62.5%)"), ("zh-hans", "3/4</strong>（75.0%）；", "（62.5%）")],
)
def test_the_workbench_figures_take_the_languages_brackets(language, organisers, counties):
    """The workbench's training line puts its rates in the reader's brackets: "3/4 (75.0%); …"
    in English, not Chinese brackets and semicolons around English words."""
    from django.template.loader import render_to_string

    figures = {
        "organisers_required": 4,
        "organisers_held": 3,
        "organiser_rate": "75.0",
        "counties_trained": 5,
        "counties_required": 8,
        "county_rate": "62.5",
    }
    with translation.override(language):
        html = render_to_string(
            "trainings/_workbench.html", {"panel": {"year": 2026, "figures": figures}}
        )
    text = re.sub(r"<[^>]+>", "", html) if language == "en" else html
    assert organisers in text and counties in text
    if language == "en":
        assert not re.search(r"[（）；，]", text), text
