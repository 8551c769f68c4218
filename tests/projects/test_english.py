"""The projects app in English: model, field and choice names, and the services' messages
(the conflict of interest among them) read in English when the reader chose English, while
what is stored and the spreadsheets stay Chinese."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import ChangeLoggedModel
from qingxie.core.review import ReviewedModel
from qingxie.projects import choices, services
from qingxie.projects import competitions as c
from qingxie.projects.models import Project
from qingxie.regions.models import Region
from tests.projects.conftest import project
from tests.projects.test_competitions import _entries, contest  # noqa: F401 - a fixture

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

#: Fields the projects models inherit from core (core's own names, not this app's).
CORE_FIELDS = {
    f.name for base in (ReviewedModel, ChangeLoggedModel) for f in base._meta.get_fields()
} | {"region_path"}


def _projects_models():
    return list(apps.get_app_config("projects").get_models())


def test_model_field_and_choice_names_are_english():
    assert len(_projects_models()) >= 15
    found = []
    with translation.override("en"):
        found.append(str(apps.get_app_config("projects").verbose_name))
        for model in _projects_models():
            found += [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            for field in model._meta.get_fields():
                if not isinstance(field, models.Field) or field.auto_created:
                    continue
                if field.name not in CORE_FIELDS:
                    found.append(f"{model.__name__}.{field.name}: {field.verbose_name}")
                found += [str(label) for _value, label in field.choices or ()]
        for name in dir(choices):
            kind = getattr(choices, name)
            if isinstance(kind, type) and issubclass(kind, models.Choices):
                found += [str(label) for label in kind.labels]
    chinese = [text for text in found if CJK.search(text)]
    assert not chinese, chinese
    # The same names are Chinese by default.
    assert str(Project._meta.verbose_name) == "志愿服务项目"
    assert str(choices.ProjectStatus.RUNNING.label) == "实施中"


def test_the_conflict_of_interest_reads_in_the_readers_language(contest):  # noqa: F811
    hz, _th, _lh = _entries(contest)
    gz_judge = contest.city
    c.judge_assign(
        actor=contest.province, stage=contest.stage, category=contest.cat, judge=gz_judge
    )
    a, b = contest.crit
    with translation.override("en"), pytest.raises(PermissionDeniedError) as exc:
        c.sheet_save(actor=gz_judge, entry=hz, scores={str(a.pk): 80, str(b.pk): 10})
    assert exc.value.message == (
        "Conflict of interest: the judge's grants cover 广州市, so they may not score entries "
        "sent from 广州市."
    )
    assert exc.value.code == "conflict_of_interest"
    with pytest.raises(PermissionDeniedError, match="须回避：评委的权限区划为广州市"):
        c.sheet_save(actor=gz_judge, entry=hz, scores={str(a.pk): 80, str(b.pk): 10})


def test_service_errors_read_in_english_and_name_only_data_in_chinese(contest):  # noqa: F811
    p1, p2, p3 = (project(contest.hz, name=f"项目{i}") for i in range(3))
    for p in (p1, p2):
        c.entry_submit(
            actor=contest.city, competition=contest.comp, category=contest.cat, project=p
        )
    with translation.override("en"):
        with pytest.raises(QingxieError) as exc:
            c.entry_submit(
                actor=contest.city, competition=contest.comp, category=contest.cat, project=p3
            )
        assert exc.value.errors["quota"] == ["广州市 may send 2 entries and has sent 2."]
        with pytest.raises(QingxieError) as exc:
            c.criteria_set(
                actor=contest.province,
                stage=contest.stage,
                criteria=[{"name": "创意", "weight": 50}, {"name": "覆盖", "weight": 30}],
            )
        assert exc.value.errors["criteria"] == [
            "The criteria's weights must add up to 100; they add up to 80."
        ]
        errors = ErrorCollector()
        services.project_check(
            {"name": "", "region": Region.objects.get(code="440303"), "budget": "x"},
            contest.hz,
            errors,
        )
    messages = [m for ms in errors.errors.values() for m in ms]
    assert messages == [
        "Enter the project's name.",
        "罗湖区 (440303) lies outside the region of 海珠区青年志愿者协会.",
        "Budget must be a number.",
    ]


def test_a_spreadsheets_chinese_labels_are_read_in_an_english_request(gd):
    """Target groups typed as the file's Chinese labels are understood whatever the language;
    the English labels of the page are too."""
    with translation.override("en"):
        errors = ErrorCollector()
        out = services.project_check({"target_groups": "留守儿童,Young people"}, gd.hz, errors)
    assert not errors and out["target_groups"] == ["left_behind", "youth"]


def test_the_api_says_the_conflict_in_english_when_english_was_chosen(contest):  # noqa: F811
    from django.test import Client

    hz, _th, _lh = _entries(contest)
    c.judge_assign(
        actor=contest.province, stage=contest.stage, category=contest.cat, judge=contest.city
    )
    client = Client()
    client.force_login(contest.city)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    a, _b = contest.crit
    refused = client.post(
        f"/api/competition-entries/{hz.pk}/scores/",
        {"scores": {str(a.pk): 80}},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("Conflict of interest: ")
    # The judge's task list says it too.
    tasks = client.get(f"/api/competitions/{contest.comp.pk}/judging/").json()["results"]
    assert tasks[0]["conflict"].startswith("Conflict of interest: ")
