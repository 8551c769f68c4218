"""Property-based tests: coverage on any date equals a brute-force model of the history applied.

Hypothesis draws random histories on four counties of 云浮市 (445300): associations created,
suspended, resumed, dissolved, merged into the city association and re-created; checklists
standardized, items revoked and re-verified; all through the ledger services, in date order.
Alongside, a plain-Python model records the same operations (statuses by date, verification
intervals per item) and answers "established / standardized on day D" without looking at the
period tables. `coverage_tree`, `coverage_series` and the map's `county_statuses` must agree with the model on every date
tried (each event date, the day before it, and random dates), standardized must stay within
established, and children must sum to their parent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qingxie.ledger import services
from qingxie.ledger.choices import AssociationForm
from qingxie.ledger.coverage import county_statuses, coverage_series, coverage_tree, month_ends
from qingxie.ledger.models import ChecklistEntry, ChecklistItem
from qingxie.regions.models import Region

CITY = "445300"  # 云浮市: five counties
COUNTIES = ("445302", "445303", "445321", "445322")  # 445381 罗定市 stays without one
START = datetime.date(2015, 1, 1)
LAST = datetime.date(2024, 12, 31)  # services refuse the future; keep well before today
OPS = ("create", "suspend", "resume", "dissolve", "merge", "standardize", "revoke", "reverify")

step = st.tuples(
    st.integers(0, len(COUNTIES) - 1),  # which county
    st.sampled_from(OPS),  # what to try (falls back to what the state allows)
    st.integers(0, 400),  # days after the previous step (0: same day)
    st.integers(0, 9),  # which checklist item, for revoke/reverify
)


# ------------------------------------------------------------------------------ model


@dataclass
class ModelAssociation:
    """What the model knows of one association: dated statuses and verification intervals."""

    county: int
    statuses: list[tuple[datetime.date, str]] = field(default_factory=list)
    # item index -> list of [start, end) intervals during which it was verified (end None: open)
    verified: dict[int, list[list]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.statuses[-1][1]

    @property
    def live(self) -> bool:
        return self.status in ("active", "suspended")

    def item_verified_now(self, item: int) -> bool:
        return any(end is None for _, end in self.verified.get(item, []))

    def active_on(self, day: datetime.date) -> bool:
        """Active on `day`: the last status recorded with a date on or before it is active."""
        current = None
        for on, status in self.statuses:
            if on <= day:
                current = status
        return current == "active"

    def standardized_on(self, day: datetime.date, items: int) -> bool:
        """Active, and every required item inside one of its verification intervals."""
        return self.active_on(day) and all(
            any(s <= day and (e is None or day < e) for s, e in self.verified.get(i, []))
            for i in range(items)
        )


def model_counts(model: list[ModelAssociation], day: datetime.date, items: int):
    """Per county index: (established, standardized) on `day` from the model alone."""
    out = []
    for county in range(len(COUNTIES)):
        mine = [a for a in model if a.county == county]
        out.append(
            (
                any(a.active_on(day) for a in mine),
                any(a.standardized_on(day, items) for a in mine),
            )
        )
    return out


# -------------------------------------------------------------------------- history


def apply_history(steps, city_assoc, counties, items):
    """Apply `steps` through the services in date order; return the model and event dates."""
    model: list[ModelAssociation] = []
    current: dict[int, tuple] = {}  # county index -> (Association, ModelAssociation)
    day = START
    dates = set()
    for county, op, gap, item_index in steps:
        day = min(day + datetime.timedelta(days=gap), LAST)
        pair = current.get(county)
        if pair is None or not pair[1].live:
            op = "create"
        if op == "create":
            if pair is not None and pair[1].live:
                continue
            assoc = services.association_create(
                actor=None,
                region=counties[county],
                name=f"{counties[county].name}青年志愿者协会{len(model)}",
                form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
                established_on=day,
            )
            m = ModelAssociation(county, [(day, "active")])
            model.append(m)
            current[county] = (assoc, m)
        else:
            assoc, m = pair
            item = items[item_index % len(items)]
            if op == "suspend" and m.status == "active":
                assoc = services.association_suspend(actor=None, association=assoc, on=day)
                m.statuses.append((day, "suspended"))
            elif op == "resume" and m.status == "suspended":
                assoc = services.association_resume(actor=None, association=assoc, on=day)
                m.statuses.append((day, "active"))
            elif op == "dissolve":
                assoc = services.association_dissolve(actor=None, association=assoc, on=day)
                m.statuses.append((day, "dissolved"))
            elif op == "merge":
                assoc = services.association_merge(
                    actor=None, association=assoc, into=city_assoc, on=day
                )
                m.statuses.append((day, "merged"))
            elif op == "standardize" and not all(m.item_verified_now(i) for i in range(len(items))):
                assoc = services.association_standardize(actor=None, association=assoc, on=day)
                for i in range(len(items)):
                    if not m.item_verified_now(i):
                        m.verified.setdefault(i, []).append([day, None])
            elif op == "revoke" and m.item_verified_now(item_index % len(items)):
                entry = ChecklistEntry.objects.get(association=assoc, item=item)
                services.checklist_entry_revoke(actor=None, entry=entry, reason="复核", on=day)
                m.verified[item_index % len(items)][-1][1] = day
            elif op == "reverify" and not m.item_verified_now(item_index % len(items)):
                entry = services.checklist_entry_submit(
                    actor=None, association=assoc, item=item, note="补充材料"
                )
                services.checklist_entry_verify(actor=None, entry=entry, on=day)
                m.verified.setdefault(item_index % len(items), []).append([day, None])
            else:
                continue
            current[county] = (assoc, m)
        dates.add(day)
    return model, dates


def check_node_sums(node) -> None:
    """Children sum to their parent, standardized within established, all the way down."""
    assert node.standardized <= node.established <= node.counties
    if node.children:
        for attr in ("counties", "established", "standardized"):
            assert getattr(node, attr) == sum(getattr(c, attr) for c in node.children), attr
        for child in node.children:
            check_node_sums(child)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(step, min_size=1, max_size=25),
    extra_days=st.lists(st.dates(START, LAST), max_size=6),
    series_start=st.dates(START, LAST),
)
def test_coverage_equals_brute_force_model(steps, extra_days, series_start):
    """coverage_tree and coverage_series agree with the model on every date tried."""
    with transaction.atomic():
        city = Region.objects.get(code=CITY)
        counties = [Region.objects.get(code=code) for code in COUNTIES]
        items = list(ChecklistItem.objects.filter(active=True, required=True))
        city_assoc = services.association_create(
            actor=None,
            region=city,
            name="云浮市青年志愿者协会",
            form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
            established_on=datetime.date(2010, 1, 1),
        )
        model, event_dates = apply_history(steps, city_assoc, counties, items)

        days = set(extra_days)
        for d in event_dates:
            days |= {d, d - datetime.timedelta(days=1)}
        for day in sorted(days):
            expected = model_counts(model, day, len(items))
            tree = coverage_tree(city, day, depth=1)
            by_code = {c.code: c for c in tree.children}
            for i, code in enumerate(COUNTIES):
                node = by_code[code]
                assert (node.established, node.standardized) == expected[i], (day, code)
            assert by_code["445381"].established == 0
            # The map's colours come from county_statuses and must say the same.
            statuses = county_statuses(city, day)
            for i, code in enumerate(COUNTIES):
                established, standardized = expected[i]
                want = "standardized" if standardized else "established" if established else "none"
                assert statuses[code] == want, (day, code)
            assert statuses["445381"] == "none"
            assert tree.counties == 5
            assert tree.established == sum(e for e, _ in expected), day
            assert tree.standardized == sum(s for _, s in expected), day
            check_node_sums(tree)

        # The whole province two levels down still sums up on one of those dates.
        if days:
            check_node_sums(coverage_tree(city.parent, max(days), depth=2))

        # Month-end series over a window of up to 18 months equals the tree on each point.
        series_end = min(LAST, series_start + datetime.timedelta(days=540))
        points = coverage_series(city, series_start, series_end)
        assert [p.date for p in points] == month_ends(series_start, series_end)
        for point in points:
            tree = coverage_tree(city, point.date, depth=0)
            expected = model_counts(model, point.date, len(items))
            assert (point.counties, point.established, point.standardized) == (
                tree.counties,
                tree.established,
                tree.standardized,
            ), point.date
            assert point.established == sum(e for e, _ in expected), point.date
            assert point.standardized == sum(s for _, s in expected), point.date
        transaction.set_rollback(True)


# ------------------------------------------------------------- back-dated entries
#
# The services accept dates in the past, so a cadre may record an older fact after a newer
# one. The properties above apply operations in date order; these examples, found while
# writing them, enter one fact out of order. The standardization periods are rebuilt from the
# whole dated history, so coverage still agrees with the model.


def _one_county(day):
    """(established, standardized) of 云浮市 on `day` (one county is used)."""
    node = coverage_tree(Region.objects.get(code=CITY), day, depth=0)
    return node.established, node.standardized


def _association(established_on):
    return services.association_create(
        actor=None,
        region=Region.objects.get(code=COUNTIES[0]),
        name="云城区青年志愿者协会",
        form=AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
        established_on=established_on,
    )


@pytest.mark.django_db
def test_backdated_revoke_after_suspension_withdraws_standardization():
    """Standardized 2019, suspended 2021, then a revocation dated 2020 is entered."""
    a = _association(datetime.date(2018, 1, 1))
    a = services.association_standardize(actor=None, association=a, on=datetime.date(2019, 1, 1))
    a = services.association_suspend(actor=None, association=a, on=datetime.date(2021, 1, 1))
    entry = ChecklistEntry.objects.filter(association=a).first()
    services.checklist_entry_revoke(
        actor=None, entry=entry, reason="复核", on=datetime.date(2020, 1, 1)
    )
    assert _one_county(datetime.date(2020, 6, 30)) == (1, 0)


@pytest.mark.django_db
def test_backdated_standardization_before_a_suspension_counts():
    """Active 2018, suspended 2020-01 to 2020-06, then standardization dated 2019 is entered."""
    a = _association(datetime.date(2018, 1, 1))
    a = services.association_suspend(actor=None, association=a, on=datetime.date(2020, 1, 1))
    a = services.association_resume(actor=None, association=a, on=datetime.date(2020, 6, 1))
    services.association_standardize(actor=None, association=a, on=datetime.date(2019, 1, 1))
    assert _one_county(datetime.date(2019, 6, 30)) == (1, 1)


@pytest.mark.django_db
def test_correcting_established_on_later_keeps_standardized_within_established():
    """Standardized 2019-01-01, then the established date is corrected to 2019-06-01."""
    a = _association(datetime.date(2018, 1, 1))
    a = services.association_standardize(actor=None, association=a, on=datetime.date(2019, 1, 1))
    services.association_update(actor=None, association=a, established_on=datetime.date(2019, 6, 1))
    established, standardized = _one_county(datetime.date(2019, 3, 1))
    assert standardized <= established
