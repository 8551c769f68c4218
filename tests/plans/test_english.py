"""The plans app in English: model, field and choice names, the services' refusals and the
bulletin paragraph read in English when the reader chose English; names stay as recorded."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ChangeLoggedModel
from qingxie.core.review import ReviewedModel
from qingxie.plans import choices, services
from qingxie.plans.models import BlockerKind, Plan, Task
from tests.plans.conftest import TARGET
from tests.plans.test_services import TODAY, _generate

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Fields the plans models inherit from core (core's own names, not this app's).
CORE_FIELDS = {
    f.name for base in (ReviewedModel, ChangeLoggedModel) for f in base._meta.get_fields()
} | {"region_path"}


def names_in_english(app_label: str, choices_module) -> list[str]:
    """Every model, field and choice name of the app as read under English."""
    found = []
    with translation.override("en"):
        found.append(str(apps.get_app_config(app_label).verbose_name))
        for model in apps.get_app_config(app_label).get_models():
            found += [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            for field in model._meta.get_fields():
                if not isinstance(field, models.Field) or field.auto_created:
                    continue
                if field.name not in CORE_FIELDS:
                    found.append(f"{model.__name__}.{field.name}: {field.verbose_name}")
                found += [str(label) for _value, label in field.choices or ()]
        for name in dir(choices_module):
            kind = getattr(choices_module, name)
            if isinstance(kind, type) and issubclass(kind, models.Choices):
                found += [str(label) for label in kind.labels]
    return found


def test_model_field_and_choice_names_are_english():
    found = names_in_english("plans", choices)
    assert len(found) > 40
    chinese = [text for text in found if CJK.search(text)]
    assert not chinese, chinese
    assert str(Plan._meta.verbose_name) == "一县一策计划"  # Chinese by default


def refused(call, **kwargs) -> QingxieError:
    with translation.override("en"), pytest.raises(QingxieError) as exc:
        call(**kwargs)
    return exc.value


def test_service_refusals_read_in_english_and_name_only_data_in_chinese(haizhu, gz, make_user):
    exc = refused(services.plan_draft, county=haizhu.region, goal="found", target_date=TARGET)
    assert exc.errors["goal"] == [
        "海珠区 has already set up an association: the goal is reached and no plan is needed."
    ]
    _generate(gz)
    task = Task.objects.get(plan__county__code="440106", code="congress")
    exc = refused(services.task_close, actor=None, task=task, note="已开会")
    assert exc.errors["status"][0].startswith(
        "The ledger has no registered association in 天河区 yet, so “"
    )
    task = Task.objects.get(plan__county__code="440106", code="prep")
    assert refused(services.task_close, actor=None, task=task, note=" ").errors["note"] == [
        "Enter a note on how it was done."
    ]
    stranger = make_user("county_admin", "440303")
    with translation.override("en"), pytest.raises(PermissionDeniedError) as denied:
        services.task_close(actor=stranger, task=task, note="完成")
    assert (
        denied.value.message
        == "You may not close tasks of 天河区: it is outside the area you manage."
    )
    plan = Plan.objects.get(county__code="440106")
    exc = refused(
        services.plan_revise,
        actor=None,
        plan=plan,
        reason="调整",
        depends_on={"prep": ["register"]},
    )
    assert exc.errors["depends_on"][0].startswith("The tasks' prerequisites form a loop: ")
    # The same refusal in Chinese by default.
    with pytest.raises(QingxieError) as exc:
        services.task_close(actor=None, task=task, note=" ")
    assert exc.value.errors["note"] == ["请填写完成说明。"]


def test_the_bulletin_paragraph_reads_in_english(haizhu, gz):
    from qingxie.core.extensions import bulletin_sections

    _generate(gz)
    task = Task.objects.filter(plan__county__code="440106").first()
    services.blocker_raise(
        actor=None,
        task=task,
        kind=BlockerKind.objects.get(code="no_office"),
        note="无场地",
        coordinate_with="other",
    )
    with translation.override("en"):
        section = next(s for s in bulletin_sections(gz, TODAY) if "one plan" in s.title)
    count = Plan.objects.count()
    assert section.paragraphs[0].startswith(
        f"广州市 has made “one county, one plan” plans for {count} county-level units, with "
    )
    # The kinds of obstacle are rows of the database (seeded, editable): data, as recorded.
    assert section.paragraphs[1] == "1 obstacle is still unresolved (无办公场地: 1)."


def test_the_workbench_counts_its_unassigned_county_units_in_english():
    """ "1 county unit without a person responsible", "3 county units …" as the panel renders."""
    from pathlib import Path

    from django.template import Context, Template

    import qingxie.plans

    source = Path(qingxie.plans.__file__).parent / "templates/plans/_workbench_counties.html"
    found = re.search(
        r"\{% blocktranslate count unassigned_total=panel\.unassigned_total %\}.*?"
        r"\{% endblocktranslate %\}",
        source.read_text(),
    )
    assert found, "the panel counts with {% blocktranslate count %}"
    template = Template("{% load i18n %}" + found.group(0))
    with translation.override("en"):
        one = template.render(Context({"panel": {"unassigned_total": 1}}))
        three = template.render(Context({"panel": {"unassigned_total": 3}}))
    assert one == "1 county unit without a person responsible"
    assert three == "3 county units without a person responsible"


def test_the_schedule_kind_notes_read_in_english():
    """The 倒排工期表 kind's note (kept Chinese in the file) reads English on an English page."""
    from qingxie.plans.sheets import PLAN_TASK_KIND
    from qingxie.sheets.templatetags.sheets_i18n import sheet_text

    with translation.override("en"):
        shown = [sheet_text(note) for note in PLAN_TASK_KIND.notes]
    assert shown and not [text for text in shown if CJK.search(text)], shown
    assert PLAN_TASK_KIND.notes[0].startswith("每行一项计划任务")  # the file's note stays Chinese
