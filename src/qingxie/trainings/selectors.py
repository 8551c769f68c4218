"""Reads of trainings: lists through the gate, the yearly rule (每年至少培训一次) for any region,
year and date, and what the workbench shows.

`compliance(region, year, as_of=None)` is the plain-data figure other apps (the assessment's
indicator registry, the bulletin) read; it does not check the user: its caller has already
checked that the user may see `region`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from qingxie.accounts.permissions import home_region, user_may
from qingxie.core.cache import cached_figures
from qingxie.core.errors import QingxieError
from qingxie.core.models import subtree_q
from qingxie.ledger.choices import AssociationStatus
from qingxie.ledger.models import Association, AssociationStatusPeriod
from qingxie.regions.models import Region
from qingxie.trainings.choices import LEADER_ROLES, TrainingAudience, TrainingStatus
from qingxie.trainings.models import Attendee, Training

#: The levels whose associations must organise a training each year, and the county level,
#: whose associations' leaders must attend one.
ORGANISER_LEVELS = (Region.Level.PROVINCE, Region.Level.PREFECTURE)
COUNTY = Region.Level.COUNTY
#: Every domain the figures read: a write in any of them recomputes the cached figures.
FIGURE_DOMAINS = ("trainings", "ledger", "regions")
LEADERS_AUDIENCE = f",{TrainingAudience.LEADERS},"


def rate(part: int, whole: int) -> float | None:
    """part/whole as a percentage to one decimal, half up; None when nothing is required."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


# ------------------------------------------------------------------------------ lists


def trainings_visible(user) -> QuerySet[Training]:
    """Trainings `user` may see: organised in their patch, or attended by someone from it."""
    return Training.objects.restrict(user, "view")


def attendees_visible(user, training: Training) -> QuerySet[Attendee]:
    """The training's attendees `user` may see (the organiser's cadres see the whole list; a
    county that only sent people sees its own)."""
    return (
        Attendee.objects.restrict(user, "view")
        .filter(training=training)
        .select_related("association__region")
        .order_by("association__region__code", "id")
    )


def may_change_training(user, training: Training) -> bool:
    """Whether `user` may edit the training, its list and attendance (its organiser's cadres)."""
    return user_may(user, Training, "change", training.region_path)


def organisers_for(user) -> QuerySet[Association]:
    """The live associations `user` may organise a training for (the create form's choices)."""
    from qingxie.ledger.choices import LIVE_STATUSES

    return (
        Association.objects.restrict(user, "change")
        .filter(status__in=LIVE_STATUSES)
        .select_related("region")
        .order_by("level", "region__code")
    )


def trainable_association(training: Training, number: str) -> Association | None:
    """The association with this unified number if the training's organiser may train its
    people (inside the organiser's subtree; anywhere for the nation), else None."""
    qs = Association.objects.filter(number=number).select_related("region")
    if training.organiser.level != 0:
        qs = qs.filter(subtree_q("region_path", training.organiser.region_path))
    return qs.first()


def leaders_offered(training: Training) -> list[dict]:
    """The presidents and secretaries named on the associations in the organiser's scope
    (its own and those one level below), offered as attendees, minus those already listed."""
    organiser = training.organiser
    qs = Association.objects.filter(status=AssociationStatus.ACTIVE).select_related("region")
    if organiser.level == 0:
        qs = qs.filter(level__lte=Region.Level.PROVINCE)
    else:
        qs = qs.filter(subtree_q("region_path", organiser.region_path)).filter(
            level__lte=organiser.level + 1
        )
    listed = set(training.attendees.values_list("association_id", "name"))
    offered = []
    for a in qs.order_by("level", "region__code")[:500]:
        for role, name in (
            ("president", a.president_name),
            ("secretary_general", a.secretary_name),
        ):
            if name and (a.pk, name) not in listed:
                offered.append({"association": a, "role": role, "name": name})
    return offered


# --------------------------------------------------------------------------- the yearly rule


def year_window(
    year: int, as_of: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The span of `year` the rule looks at: 1 January to `as_of` (default: today in the
    current year, 31 December for a past or future year). `as_of` outside the year is refused."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if as_of is None:
        today = timezone.localdate()
        as_of = today if start <= today <= end else end
    if not start <= as_of <= end:
        raise QingxieError(
            gettext("统计日期（%(as_of)s）须在%(year)s年内。") % {"as_of": as_of, "year": year},
            field="as_of",
        )
    return start, as_of


@dataclass
class ComplianceNode:
    """The yearly rule for one region: its province/city associations that organised a
    leaders' training, its county associations whose leaders attended one."""

    code: str
    name: str
    level: int
    path: str
    organisers_required: int = 0
    organisers_held: int = 0
    counties_required: int = 0
    counties_trained: int = 0
    #: The region's own association, when it is one that must organise (a province or city).
    own_required: bool = False
    own_held: bool = False
    children: list[ComplianceNode] = field(default_factory=list)

    @property
    def organiser_rate(self) -> float | None:
        return rate(self.organisers_held, self.organisers_required)

    @property
    def county_rate(self) -> float | None:
        return rate(self.counties_trained, self.counties_required)

    @property
    def lagging(self) -> int:
        return (self.organisers_required - self.organisers_held) + (
            self.counties_required - self.counties_trained
        )

    def as_dict(self, *, children: bool = True) -> dict:
        out = {
            "region": self.code,
            "name": self.name,
            "level": self.level,
            "organisers_required": self.organisers_required,
            "organisers_held": self.organisers_held,
            "organiser_rate": self.organiser_rate,
            "counties_required": self.counties_required,
            "counties_trained": self.counties_trained,
            "county_rate": self.county_rate,
            "own_required": self.own_required,
            "own_held": self.own_held,
        }
        if children:
            out["children"] = [c.as_dict(children=False) for c in self.children]
        return out


@dataclass
class ComplianceFacts:
    """The associations behind the figures: who must, who did (ids → (level, path))."""

    required: dict[int, tuple[int, str]]
    held: set[int]
    trained: set[int]


def compliance_facts(region: Region, start: datetime.date, as_of: datetime.date) -> ComplianceFacts:
    """Associations active on `as_of` under `region` at province, city and county level, the
    organisers among them that held a leaders' training in [start, as_of], and the counties
    among them whose leaders attended a held training in that span."""
    periods = AssociationStatusPeriod.objects.filter(
        Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gt=as_of)),
        status=AssociationStatus.ACTIVE,
        association__level__in=[*ORGANISER_LEVELS, COUNTY],
    )
    if not region.is_root:
        periods = periods.filter(subtree_q("region__path", region.path))
    required = {
        pk: (level, path)
        for pk, level, path in periods.values_list(
            "association_id", "association__level", "region__path"
        )
    }
    window = Q(status=TrainingStatus.HELD, end_date__gte=start, end_date__lte=as_of)
    held = set(
        Training.objects.filter(window, audience__contains=LEADERS_AUDIENCE)
        .filter(organiser_id__in=[k for k, (lv, _) in required.items() if lv in ORGANISER_LEVELS])
        .values_list("organiser_id", flat=True)
    )
    attendees = Attendee.objects.filter(
        attended=True,
        role__in=LEADER_ROLES,
        training__status=TrainingStatus.HELD,
        training__end_date__gte=start,
        training__end_date__lte=as_of,
    )
    if not region.is_root:
        attendees = attendees.filter(subtree_q("association_path", region.path))
    trained = set(attendees.values_list("association_id", flat=True)) & {
        k for k, (lv, _) in required.items() if lv == COUNTY
    }
    return ComplianceFacts(required, held, trained)


def _child_key(root_path: str, path: str) -> str | None:
    rest = path[len(root_path) :]
    if not rest:
        return None
    return root_path + rest.split("/", 1)[0] + "/"


def compliance_tree(
    region: Region, year: int, as_of: datetime.date | None = None
) -> ComplianceNode:
    """The yearly rule for `region` in `year` as of `as_of`, with its children (each child
    region in force then, or holding an association); children plus the region's own
    obligation sum to the region."""
    start, as_of = year_window(year, as_of)
    facts = compliance_facts(region, start, as_of)
    root = ComplianceNode(region.code, region.name, region.level, region.path)
    kids = Region.objects.filter(parent=region, level__lt=Region.Level.TOWNSHIP).filter(
        (Q(valid_from__isnull=True) | Q(valid_from__lte=as_of))
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=as_of))
    )
    keys = {_child_key(region.path, path) for _, path in facts.required.values()} - {None}
    kids = Region.objects.filter(Q(pk__in=kids.values("pk")) | Q(path__in=keys))
    nodes = {
        r.path: ComplianceNode(r.code, r.name, r.level, r.path)
        for r in kids.order_by("code").only("code", "name", "level", "path")
    }
    root.children = list(nodes.values())
    for association_id, (level, path) in facts.required.items():
        node = nodes.get(_child_key(region.path, path) or "")
        for target in (root, node) if node else (root,):
            if level == COUNTY:
                target.counties_required += 1
                target.counties_trained += association_id in facts.trained
            else:
                target.organisers_required += 1
                target.organisers_held += association_id in facts.held
        if node is None and level != COUNTY:
            root.own_required = True
            root.own_held = association_id in facts.held
    return root


def compliance(region: Region, year: int, as_of: datetime.date | None = None) -> dict:
    """The yearly training rule as plain data (what the API, the command and an indicator
    registry read): `region`, `year`, `as_of`, the four counts, the two rates to one decimal,
    the region's own obligation and `children` with the same fields. Cached per region and
    date; any write in trainings, the ledger or the regions recomputes it."""
    _start, as_of = year_window(year, as_of)

    def compute() -> dict:
        tree = compliance_tree(region, year, as_of)
        return {"year": year, "as_of": as_of.isoformat(), **tree.as_dict()}

    return cached_figures(
        f"trainings:compliance:{region.code}:{as_of.isoformat()}",
        compute,
        path=region.path,
        domains=FIGURE_DOMAINS,
    )


def compliance_region(user, code: str | None) -> Region | None:
    """The region a compliance query is about (`code`, or the user's home region) if the user
    may see it; None otherwise. A township is refused with a message."""
    if not code:
        return home_region(user) if user.is_authenticated else None
    region = Region.objects.restrict(user, "view").filter(code=str(code).strip()).first()
    if region is not None and region.level >= Region.Level.TOWNSHIP:
        raise QingxieError(
            gettext("培训情况按县级及以上区划统计，请选择县级及以上区划。"), field="region"
        )
    return region


def compliance_query(user, code: str | None, year_raw, as_of_raw) -> dict | None:
    """Parse a compliance query (region code, year, as_of as typed) and answer it; None when
    the region is outside `user`'s scope (`user` None: the operator's command line, anywhere).
    Bad input is a QingxieError naming the parameter."""
    from qingxie.core.serializers import parse_date
    from qingxie.regions.selectors import region_by_code

    if user is None:
        region = region_by_code(code or "000000", field="region")
        if region.level >= Region.Level.TOWNSHIP:
            raise QingxieError(
                gettext("培训情况按县级及以上区划统计，请选择县级及以上区划。"), field="region"
            )
    else:
        region = compliance_region(user, code)
    if region is None:
        return None
    today = timezone.localdate()
    try:
        year = int(year_raw) if year_raw not in (None, "") else today.year
        if not 1990 <= year <= today.year + 1:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise QingxieError(
            gettext("年度“%(year)s”应为 1990 年至 %(last)s 年之间的四位数字。")
            % {"year": year_raw, "last": today.year + 1},
            field="year",
        ) from exc
    as_of = None
    if as_of_raw:
        as_of = parse_date(
            as_of_raw, field="as_of", label=pgettext("field", "统计日期"), allow_future=True
        )
    return compliance(region, year, as_of)


def laggards(region: Region, year: int, as_of: datetime.date | None = None, *, limit: int = 50):
    """(organisers that held no leaders' training, counties whose leaders attended none),
    each a list of associations under `region` (a city's own association included), by code."""
    start, as_of = year_window(year, as_of)
    facts = compliance_facts(region, start, as_of)
    late_orgs = [k for k, (lv, _) in facts.required.items() if lv != COUNTY and k not in facts.held]
    late_counties = [
        k for k, (lv, _) in facts.required.items() if lv == COUNTY and k not in facts.trained
    ]

    def fetch(ids):
        return list(
            Association.objects.filter(pk__in=ids)
            .select_related("region")
            .order_by("region__code")[:limit]
        )

    return fetch(late_orgs), fetch(late_counties), len(late_orgs), len(late_counties)


def workbench_context(user, region: Region, as_of: datetime.date) -> dict | None:
    """The workbench card for the yearly rule: the region's own obligation and its
    children's figures this year, and, in 需要处理, who has not trained."""
    if region.level >= Region.Level.TOWNSHIP:
        return None
    # The gate's rule for the region, asked of the user's grants (no query).
    if not user_may(user, Region, "view", region.path):
        return None
    figures = compliance(region, as_of.year, as_of)

    def compute():
        late = laggards(region, as_of.year, as_of, limit=8)
        own = Association.objects.filter(region=region, status=AssociationStatus.ACTIVE).first()
        return (*late, own)

    # The same for everyone who may view the region (checked above): read once per version
    # of the data it depends on, not on every workbench visit (30-60 ms at national level).
    late_orgs, late_counties, n_orgs, n_counties, own = cached_figures(
        f"trainings:workbench:{region.code}:{as_of.isoformat()}",
        compute,
        path=region.path,
        domains=FIGURE_DOMAINS,
    )
    own_trained = None
    if own is not None and own.level == COUNTY:
        own_trained = figures["counties_trained"] > 0
    return {
        # Everything below is the same for whoever may view the region: the shell keeps the
        # rendered panel (WorkbenchPanel.fragment_domains).
        "fragment": "",
        "figures": figures,
        "region": region,
        "year": as_of.year,
        "as_of": as_of,
        "own": own,
        "own_trained": own_trained,
        "late_organisers": late_orgs,
        "late_counties": late_counties,
        "late_organisers_count": n_orgs,
        "late_counties_count": n_counties,
    }


def trainings_in(region: Region, start: datetime.date, end: datetime.date) -> QuerySet[Training]:
    """Held trainings organised under `region` ending in [start, end] (for the bulletin;
    unrestricted: the caller has checked the region)."""
    qs = Training.objects.filter(status=TrainingStatus.HELD, end_date__gte=start, end_date__lte=end)
    if not region.is_root:
        qs = qs.filter(subtree_q("region_path", region.path))
    return qs
