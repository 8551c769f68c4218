"""The assessment speaks English when asked: model names, field names and choice labels."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils import translation

from qingxie.assessment import choices
from qingxie.core.models import ScopePathField

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _choice_classes():
    return [
        value
        for value in vars(choices).values()
        if isinstance(value, type)
        and hasattr(value, "choices")
        and value.__module__ == choices.__name__
    ]


def _inherited(model) -> set[str]:
    """Fields the model takes from core's abstract bases (core keeps its own names)."""
    return {
        f.name
        for base in model.__mro__[1:]
        if getattr(getattr(base, "_meta", None), "abstract", False)
        and not base.__module__.startswith("qingxie.assessment")
        for f in base._meta.fields
    }


def test_model_and_choice_names_are_english():
    left = []
    with translation.override("en"):
        config = apps.get_app_config("assessment")
        left += [f"app {config.verbose_name}"] if CJK.search(str(config.verbose_name)) else []
        for model in config.get_models():
            meta = model._meta
            for text in (meta.verbose_name, meta.verbose_name_plural):
                if CJK.search(str(text)):
                    left.append(f"{model.__name__}: {text}")
            for field in meta.get_fields():
                # core's fields keep core's names (the scope path is never shown).
                if field.name in _inherited(model) or isinstance(field, ScopePathField):
                    continue
                name = getattr(field, "verbose_name", None)
                if name is not None and CJK.search(str(name)):
                    left.append(f"{model.__name__}.{field.name}: {name}")
                for _value, label in getattr(field, "choices", None) or ():
                    if CJK.search(str(label)):
                        left.append(f"{model.__name__}.{field.name} choice: {label}")
        for cls in _choice_classes():
            for _value, label in cls.choices:
                if CJK.search(str(label)):
                    left.append(f"{cls.__name__}: {label}")
    assert _choice_classes(), "no choices found"
    assert not left, "\n".join(left)


def test_chinese_stays_the_default():
    from qingxie.assessment.models import Round

    with translation.override("zh-hans"):
        assert str(Round._meta.verbose_name) == "评估轮次"
        assert choices.RoundStatus.CLOSED.label == "已结束"


def _words(html: str) -> list[str]:
    """The table headings and term names of a page, as a reader sees them."""
    return [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)
    ] + [m.strip() for m in re.findall(r"<dt>(.*?)</dt>", html)]


def test_the_pages_use_the_assessment_sense_of_shared_words(opened, client_for, settings):
    """The project catalogue wins over the app's for the same msgid (指标 "Measure" there, 协会
    "Associations"): the assessment's pages say "Indicator" and "Association", and a dimension
    is "Training" (not the trainings list)."""
    city = client_for("city_admin", "440100")
    city.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sheet = opened.sheet(opened.hz)
    round_page = city.get(f"/assessment/rounds/{opened.round.pk}/").content.decode()
    sheet_page = city.get(f"/assessment/sheets/{sheet.pk}/").content.decode()
    version_page = city.get(f"/assessment/versions/{opened.version.code}/").content.decode()
    for page in (round_page, sheet_page, version_page):
        assert "Indicator" in _words(page)
        assert "Measure" not in _words(page)
    assert "Association" in _words(round_page)  # the ranking (the tiers count "Associations")
    assert "Association" in _words(sheet_page)
    assert "Description" in _words(version_page)
    assert "Training" in _words(version_page) and "Trainings" not in _words(version_page)
    with translation.override("en"):
        from qingxie.assessment.models import Value

        assert str(Value._meta.get_field("indicator").verbose_name) == "Indicator"
