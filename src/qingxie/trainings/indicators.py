"""The trainings' figure offered to the assessment indicators (core.indicators): the yearly
training rule met by an association, as the compliance page counts it."""

from __future__ import annotations

import datetime

from qingxie.core.indicators import IndicatorSource, register_indicator_source
from qingxie.regions.models import Region
from qingxie.trainings.choices import LEADER_ROLES, TrainingStatus
from qingxie.trainings.models import Attendee, Training
from qingxie.trainings.selectors import LEADERS_AUDIENCE

COUNTY = Region.Level.COUNTY


def _window(as_of: datetime.date) -> dict:
    return {"end_date__gte": datetime.date(as_of.year, 1, 1), "end_date__lte": as_of}


def _facts(associations, as_of: datetime.date) -> tuple[set[int], set[int]]:
    """(organisers that held a leaders' training, associations a leader of which attended
    a held training) in the year of `as_of`, up to that date."""
    ids = [a.pk for a in associations]
    held = set(
        Training.objects.filter(
            organiser_id__in=ids,
            status=TrainingStatus.HELD,
            audience__contains=LEADERS_AUDIENCE,
            **_window(as_of),
        ).values_list("organiser_id", flat=True)
    )
    trained = set(
        Attendee.objects.filter(
            association_id__in=ids,
            attended=True,
            role__in=LEADER_ROLES,
            training__status=TrainingStatus.HELD,
            **{f"training__{k}": v for k, v in _window(as_of).items()},
        ).values_list("association_id", flat=True)
    )
    return held, trained


def _value(association, held: set[int], trained: set[int], year: int) -> tuple[int, str]:
    if association.level == COUNTY:
        met = association.pk in trained
        return int(met), (f"{year}年负责人已参加培训" if met else f"{year}年负责人尚未参加培训")
    met = association.pk in held
    return int(met), (f"{year}年已举办负责人培训" if met else f"{year}年尚未举办负责人培训")


def yearly_rule(association, as_of: datetime.date) -> tuple[int, str]:
    """1 when the association met the yearly training rule in the year of `as_of` (a province
    or city held a training for association leaders; a county's leader attended one), else 0."""
    held, trained = _facts([association], as_of)
    return _value(association, held, trained, as_of.year)


def yearly_rule_batch(associations, as_of: datetime.date) -> dict:
    """`yearly_rule` for many associations in two queries."""
    held, trained = _facts(associations, as_of)
    return {a.pk: _value(a, held, trained, as_of.year) for a in associations}


def register() -> None:
    """Offer the trainings' figure to the assessment indicators."""
    register_indicator_source(
        IndicatorSource(
            "trainings.yearly_rule",
            "本年度培训（省市级举办负责人培训，县级负责人参训）",
            yearly_rule,
            app="trainings",
            unit="是/否",
            batch=yearly_rule_batch,
        )
    )
