"""Property-based tests of the yearly rule and of the checklist item that follows attendance.

Hypothesis draws random trainings (organiser, dates, status, audience) and attendances
(association, role, attended) in a small Guangdong — the province, 广州 with three districts,
深圳 with two — all through the services. Then, on random dates:

* `compliance` equals a brute-force count over the drawn history, for the province and the
  two cities, and the children plus the region's own obligation sum to the region;
* a county association whose other checklist items were verified in 2019 is standardized on
  day D exactly when one of its leaders attended a held training that ended on or before D
  in D's year (the item is verified from the training and lapses at the year's end).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qingxie.core.errors import QingxieError
from qingxie.ledger import services as ledger
from qingxie.ledger.models import ChecklistItem, StandardizationPeriod
from qingxie.trainings import services
from qingxie.trainings.selectors import compliance

from .conftest import make_association

D = datetime.date
ORGANISERS = ("440000", "440100", "440300", "440105")
COUNTIES = ("440105", "440106", "440111", "440303", "440304")
CITIES = ("440100", "440300")
EVERYONE = ("440000", *CITIES, *COUNTIES)
ROLES = ("president", "vice_president", "secretary_general", "secretariat_staff", "backbone")
FIRST, LAST = D(2020, 1, 1), D(2022, 12, 31)

training = st.fixed_dictionaries(
    {
        "organiser": st.sampled_from(ORGANISERS),
        "start": st.dates(FIRST, LAST),
        "days": st.integers(0, 3),
        "status": st.sampled_from(["held", "held", "planned", "cancelled"]),
        "leaders": st.booleans(),
        "people": st.lists(
            st.tuples(st.sampled_from(EVERYONE), st.sampled_from(ROLES), st.booleans()),
            max_size=6,
        ),
    }
)


def _inside(organiser: str, code: str) -> bool:
    return organiser == "440000" or (
        code.startswith(organiser.rstrip("0")[:4]) and (organiser != "440105" or code == "440105")
    )


def _build(draws):
    """Apply the drawn trainings through the services; return the brute-force facts:
    [(organiser code, end date, held, for leaders)] and [(code, role, attended, end, held)]."""
    assoc = {code: make_association(code, f"{code}协会", on=D(2019, 1, 1)) for code in EVERYONE}
    items = ChecklistItem.objects.filter(active=True, required=True).exclude(code="training")
    for code in COUNTIES:
        for item in items:
            entry = ledger.checklist_entry_submit(
                actor=None, association=assoc[code], item=item, note="演示"
            )
            ledger.checklist_entry_verify(actor=None, entry=entry, on=D(2019, 6, 1))
    trainings, people = [], []
    for n, draw in enumerate(draws):
        end = draw["start"] + datetime.timedelta(days=draw["days"])
        t = services.training_create(
            actor=None,
            organiser=assoc[draw["organiser"]],
            status="planned" if draw["status"] == "cancelled" else draw["status"],
            title=f"培训{n}",
            kind="leaders",
            audience=["leaders"] if draw["leaders"] else ["backbone"],
            start_date=draw["start"],
            end_date=end,
            class_hours=8,
        )
        if draw["status"] == "cancelled":
            services.training_set_status(actor=None, training=t, status="cancelled")
        held = draw["status"] == "held"
        trainings.append((draw["organiser"], end, held, draw["leaders"]))
        seen = set()
        for code, role, attended in draw["people"]:
            if (code, role) in seen:
                continue
            seen.add((code, role))
            try:
                services.attendee_add(
                    actor=None,
                    training=t,
                    association=assoc[code],
                    name=f"{code}-{role}",
                    role=role,
                    attended=attended,
                )
            except QingxieError:
                # Outside the organiser's scope, or attendance on a training not held:
                # the service refuses, and nothing is recorded.
                assert not _inside(draw["organiser"], code) or (attended and not held)
                continue
            assert _inside(draw["organiser"], code) and (held or not attended)
            people.append((code, role, attended, end, held))
    return assoc, trainings, people


def _brute(region: str, year: int, day: datetime.date, trainings, people) -> dict:
    start = D(year, 1, 1)
    under = [c for c in EVERYONE if region == "440000" or c.startswith(region[:4])]
    organisers = [c for c in under if c in ("440000", *CITIES)]
    counties = [c for c in under if c in COUNTIES]
    held = {o for o, end, h, leaders in trainings if h and leaders and start <= end <= day} & set(
        organisers
    )
    trained = {
        c
        for c, role, attended, end, h in people
        if attended and h and role in ROLES[:3] and start <= end <= day
    } & set(counties)
    return {
        "organisers_required": len(organisers),
        "organisers_held": len(held),
        "counties_required": len(counties),
        "counties_trained": len(trained),
    }


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    draws=st.lists(training, max_size=8),
    days=st.lists(st.dates(FIRST, LAST), min_size=3, max_size=6),
)
def test_the_rule_equals_a_brute_force_count_and_the_checklist_follows(draws, days):
    with transaction.atomic():
        cache.clear()
        assoc, trainings, people = _build(draws)
        ends = [end for _, end, _, _ in trainings]
        days = sorted(
            set(days)
            | set(ends)
            | {e - datetime.timedelta(days=1) for e in ends}
            | {D(e.year, 12, 31) for e in ends}
            | {D(e.year + 1, 1, 1) for e in ends}
        )
        days = [d for d in days if FIRST <= d <= LAST]
        for day in days:
            for region in ("440000", *CITIES):
                got = compliance(assoc[region].region, day.year, day)
                want = _brute(region, day.year, day, trainings, people)
                assert {k: got[k] for k in want} == want, (region, day)
                kids = got["children"]
                assert got["organisers_required"] == int(got["own_required"]) + sum(
                    c["organisers_required"] for c in kids
                )
                assert got["organisers_held"] == int(got["own_held"]) + sum(
                    c["organisers_held"] for c in kids
                )
                assert got["counties_trained"] == sum(c["counties_trained"] for c in kids)
                assert got["counties_required"] == sum(c["counties_required"] for c in kids)
            for code in COUNTIES:
                standardized = (
                    StandardizationPeriod.objects.filter(association=assoc[code], start__lte=day)
                    .exclude(end__lte=day)
                    .exists()
                )
                trained = any(
                    c == code
                    and attended
                    and h
                    and role in ROLES[:3]
                    and end <= day
                    and end.year == day.year
                    for c, role, attended, end, h in people
                )
                assert standardized == trained, (code, day)
        transaction.set_rollback(True)
