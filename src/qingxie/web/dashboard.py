"""The cadre's workbench (工作台): where a region stands against its targets and what needs doing.

Selectors only. The coverage figures are the ledger's own (`ledger.coverage`), cached per
region and date until a write in its subtree or ancestors (see `figures_cached`), so the page a
cadre opens every morning does not recount the country on each visit. The lists of what needs
attention are read through the permission gate and kept per user and data version (the
verification queue also until its next entry escalates by the clock).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import json_script
from django.utils.translation import gettext_lazy as _

from qingxie.accounts.permissions import user_grants, user_may
from qingxie.core.cache import cached_figures, cached_until, figures_stamp
from qingxie.core.models import subtree_q
from qingxie.core.review import next_escalation
from qingxie.ledger import coverage
from qingxie.ledger.choices import AssociationStatus, ChecklistState, CoverageMeasure
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem
from qingxie.ledger.selectors import entries_to_verify
from qingxie.ledger.services import CHECKLIST_REVIEW, entries_user_decides
from qingxie.regions.models import Region

#: How far back the trend chart starts: the national targets' timeline (2020) or three years.
TREND_FROM = datetime.date(2020, 1, 1)
ATTENTION_LIMIT = 12


def figures_cached(kind: str, region: Region, as_of: datetime.date, compute, stamp=None):
    """`compute()` for (kind, region, as_of), kept until a write reaches its figures."""
    return cached_figures(f"{kind}:{region.code}:{as_of.isoformat()}", compute, stamp=stamp)


@dataclass
class Card:
    """One headline figure against its target."""

    measure: str
    label: str
    actual: float | None
    part: int
    whole: int
    required_now: float | None = None
    next_rate: float | None = None
    next_due: str | None = None
    status: str = "none"  # on_track, behind, none (no target)

    @property
    def gap(self) -> float | None:
        """Percentage points short of the rate required today (None when on track)."""
        if self.actual is None or self.required_now is None or self.actual >= self.required_now:
            return None
        return round(self.required_now - self.actual, 1)

    @property
    def gap_form(self) -> int:
        """The whole number that picks the plural of "points behind" (gettext takes no
        fraction): singular only for exactly one point."""
        return 1 if self.gap == 1 else 2


@dataclass
class ChildRow:
    """A child region's figures, flagged when it lags the rate required today."""

    node: coverage.CoverageNode
    behind: bool | None


@dataclass
class Dashboard:
    """Everything the workbench shows for one region on one date."""

    region: Region
    as_of: datetime.date
    node: coverage.CoverageNode
    cards: list[Card]
    report: list[dict]
    children: list[ChildRow]
    chart: dict
    projection: coverage.Projection
    #: `chart` as the page's JSON script element.
    chart_script: str = ""
    missing_counties: list = field(default_factory=list)
    missing_total: int = 0
    pending: list[ChecklistEntry] = field(default_factory=list)
    pending_total: int = 0
    returned: list[ChecklistEntry] = field(default_factory=list)
    returned_total: int = 0
    own_association: Association | None = None
    own_checklist: dict | None = None
    next_steps: list = field(default_factory=list)


def _figures(region: Region, as_of: datetime.date) -> dict:
    """The user-independent part of the dashboard: coverage, targets, trend and projection."""
    node = coverage.coverage_tree(region, as_of, depth=1)
    report = coverage.target_report(region, node, as_of)
    start = min(TREND_FROM, datetime.date(as_of.year - 3, as_of.month, 1))
    series = coverage.coverage_series(region, start, as_of)
    targets = coverage.targets_for(region)
    established_targets = targets.get(CoverageMeasure.ESTABLISHED, [])
    behind = {
        c.code: coverage.node_on_track(c, established_targets, as_of) is False
        for c in node.children
    }

    chart = coverage.trend_chart(region, series, report)
    return {
        "node": node,
        "report": report,
        "chart": chart,
        # Encoded once with the figures, not on every visit.
        "chart_script": json_script(chart, "coverage-data"),
        "behind": behind,
        "projection": coverage.coverage_projection(region, as_of),
    }


def _cards(node: coverage.CoverageNode, report: list[dict], as_of: datetime.date) -> list[Card]:
    by_measure = {r["measure"]: r for r in report}
    cards = [
        Card(
            CoverageMeasure.ESTABLISHED,
            _("县级协会覆盖率"),
            node.coverage_rate,
            node.established,
            node.counties,
        ),
        Card(
            CoverageMeasure.STANDARDIZED,
            _("规范化建设覆盖率"),
            node.standardized_rate,
            node.standardized,
            node.counties,
        ),
        Card(
            CoverageMeasure.TOWNSHIP_TEAMS,
            _("乡镇（街道）建队覆盖率"),
            node.township_rate,
            node.townships_with_team,
            node.townships,
        ),
    ]
    for card in cards:
        r = by_measure.get(card.measure)
        if r is None:
            continue
        card.required_now = r["required_now"]
        card.status = r["status"]
        upcoming = [t for t in r["targets"] if t["met"] is None]
        last = upcoming[0] if upcoming else (r["targets"][-1] if r["targets"] else None)
        if last:
            card.next_rate, card.next_due = last["rate"], last["due_on"]
    return cards


def dashboard_for(
    user, region: Region, as_of: datetime.date, *, stamp: str | None = None
) -> Dashboard:
    """The workbench of `region` on `as_of` for `user`, who must be allowed to view `region`."""
    stamp = stamp or figures_stamp(region.path, coverage.FIGURE_DOMAINS)
    figures = figures_cached("dashboard", region, as_of, lambda: _figures(region, as_of), stamp)
    node = figures["node"]
    children = sorted(
        node.children,
        key=lambda c: (
            c.coverage_rate is None,
            c.coverage_rate or 0,
            c.standardized_rate or 0,
            c.code,
        ),
    )
    board = Dashboard(
        region=region,
        as_of=as_of,
        node=node,
        cards=_cards(node, figures["report"], as_of),
        report=figures["report"],
        children=[ChildRow(c, figures["behind"].get(c.code)) for c in children],
        chart=figures["chart"],
        projection=figures["projection"],
        chart_script=figures["chart_script"],
    )
    _attention(user, board, stamp)
    return board


@dataclass
class MissingCounty:
    """A county-level unit without an active association (its association may be suspended)."""

    code: str
    name: str
    parent_name: str
    suspended: bool


def _missing_counties(region: Region, as_of: datetime.date) -> tuple[int, list[MissingCounty]]:
    """How many county-level units under `region` lack an active association, and the first
    few by code (user-independent, so cached with the figures)."""
    statuses = coverage.county_statuses(region, as_of)
    missing = sorted(
        code for code, status in statuses.items() if status == coverage.CountyStatus.NONE
    )
    shown = Region.objects.filter(code__in=missing[:ATTENTION_LIMIT]).select_related("parent")
    suspended = set(
        Association.objects.filter(
            region__code__in=missing[:ATTENTION_LIMIT], status=AssociationStatus.SUSPENDED
        ).values_list("region__code", flat=True)
    )
    rows = [
        MissingCounty(r.code, r.name, r.parent.name if r.parent else "", r.code in suspended)
        for r in sorted(shown, key=lambda r: r.code)
    ]
    return len(missing), rows


def _attention(user, board: Dashboard, stamp: str) -> None:
    """What needs this user now: counties without an association, items to verify, returns."""
    region, as_of = board.region, board.as_of
    board.missing_total, board.missing_counties = figures_cached(
        "missing", region, as_of, lambda: _missing_counties(region, as_of), stamp
    )

    in_region = subtree_q("association__region__path", region.path)
    # The lists show no phone number: leave the association's encrypted ones undecrypted.
    unread = ("association__president_phone", "association__secretary_phone")
    grants = user_grants(user)

    def read_queue():
        # The clock first: an entry escalating while the queue is read ends its validity at
        # once (core.review.next_escalation).
        now = timezone.now()
        until = next_escalation(
            user,
            CHECKLIST_REVIEW,
            ChecklistEntry.objects.restrict(user, "view").filter(in_region),
            now,
        )
        # The queue's query already holds only entries this user verifies (verifiable_q);
        # entries_user_decides re-checks the few shown, as may_decide_entry would.
        queue = entries_to_verify(user).filter(in_region).defer(*unread)
        first = list(queue[: ATTENTION_LIMIT * 2])
        # A short queue is counted from the rows already read; only a long one is counted again.
        total = len(first) if len(first) < ATTENTION_LIMIT * 2 else queue.count()
        return (entries_user_decides(user, first)[:ATTENTION_LIMIT], total), until

    # The queue changes with the ledger in this subtree and with the user's grants (whose
    # paths decide and restrict it), and with the clock when an entry below the level that
    # decides it first escalates to this user: kept under the page's stamp, per user and
    # grants, until that moment.
    who = ",".join(sorted(f"{g.role}@{g.region.path}" for g in grants))
    board.pending, board.pending_total = cached_until(
        f"queue:{user.pk}:{region.code}:{user.is_superuser:d}:{user.is_active:d}:{who}",
        read_queue,
        stamp=stamp,
    )

    own_regions = [g.region_id for g in grants]

    def read_returned():
        returned = (
            ChecklistEntry.objects.restrict(user, "view")
            .filter(in_region, state=ChecklistState.RETURNED)
            .select_related("association__region", "item")
            .defer(*unread)
            .order_by("-decided_at")
        )
        if not user.is_superuser:
            returned = returned.filter(association__region_id__in=own_regions)
        first = list(returned[: ATTENTION_LIMIT + 1])
        total = len(first) if len(first) <= ATTENTION_LIMIT else returned.count()
        return first[:ATTENTION_LIMIT], total

    # Returned items change with the ledger in this subtree alone (no clock, unlike the
    # queue above): kept under the page's stamp, per user and their grants (the queries are
    # composed only when read).
    board.returned, board.returned_total = cached_figures(
        f"returned:{user.pk}:{region.code}:{sorted(own_regions)}:{who}:{user.is_superuser:d}",
        read_returned,
        stamp=stamp,
    )

    if region.level >= Region.Level.PROVINCE:
        if user_may(user, Association, "view", region.path):
            # The region's own association and its checklist are the same for everyone who
            # sees the region: read once per data version.
            own, entries = figures_cached(
                "own-association", region, as_of, lambda: _own_association(region), stamp
            )
        else:
            own, entries = None, {}
        board.own_association = own
        if own is not None:
            # The required items are the same for everyone: read once per data version.
            items = cached_figures(
                "checklist-items",
                lambda: list(
                    ChecklistItem.objects.filter(active=True, required=True)
                    .order_by("position", "code")
                    .values_list("pk", "title")
                ),
                stamp=stamp,
            )
            states = [e.state for e in entries.values()]
            board.own_checklist = {
                "total": len(items),
                "verified": states.count(ChecklistState.VERIFIED),
                "submitted": states.count(ChecklistState.SUBMITTED),
                "returned": states.count(ChecklistState.RETURNED),
            }
            board.next_steps = _next_steps(items, entries)


def _own_association(region: Region) -> tuple[Association | None, dict]:
    """The region's own live association and its required checklist entries by item."""
    own = (
        Association.objects.filter(
            region=region, status__in=[AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED]
        )
        .defer("president_phone", "secretary_phone")
        .first()
    )
    if own is None:
        return None, {}
    entries = {e.item_id: e for e in own.checklist.filter(item__active=True, item__required=True)}
    return own, entries


@dataclass
class NextStep:
    """One thing the region's own association should do next on its standardization checklist."""

    title: str
    state: str
    reason: str = ""


def _next_steps(items: list[tuple[int, str]], entries: dict, limit: int = 3) -> list[NextStep]:
    """Returned items first (the level above said what to fix), then items never submitted,
    in the checklist's own order; items awaiting the level above are not the cadre's to do.
    `items` are the required items' (pk, title) in order, `entries` the association's by item."""
    returned, never = [], []
    for pk, title in items:
        entry = entries.get(pk)
        state = entry.state if entry else ChecklistState.PENDING
        if state == ChecklistState.RETURNED:
            returned.append(NextStep(title, state, getattr(entry, "return_reason", "") or ""))
        elif state == ChecklistState.PENDING:
            never.append(NextStep(title, state))
    return (returned + never)[:limit]
