"""Coverage statistics (覆盖率) for any region and any date: selectors, read-only.

The bulletin's method: the county-level units of a region on a date are the denominator;
a unit is *established* when an association on it was active that day and *standardized*
when one was standardized that day. Rates are percentages to one decimal, rounded half up
(106/122 → 86.9). Township coverage is the share of townships/streets with an active team.
"""

from __future__ import annotations

import calendar
import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, gettext_lazy

from qingxie.core.models import subtree_q
from qingxie.ledger.choices import AssociationStatus, CoverageMeasure
from qingxie.ledger.models import AssociationStatusPeriod, CoverageTarget, StandardizationPeriod
from qingxie.regions.models import Region
from qingxie.teams.selectors import township_teams_on

COUNTY, TOWNSHIP = Region.Level.COUNTY, Region.Level.TOWNSHIP
#: The domains coverage figures read: cached ones are recomputed after a write in these.
FIGURE_DOMAINS = ("ledger", "teams", "regions")


def rate(part: int, whole: int) -> float | None:
    """part/whole as a percentage to one decimal, half up; None when there is nothing to cover."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


@dataclass
class CoverageNode:
    """The coverage figures of one region on one date, with its children's when asked for."""

    code: str
    name: str
    level: int
    path: str
    counties: int = 0
    established: int = 0
    standardized: int = 0
    townships: int = 0
    townships_with_team: int = 0
    children: list[CoverageNode] = field(default_factory=list)

    @property
    def coverage_rate(self) -> float | None:
        return rate(self.established, self.counties)

    @property
    def standardized_rate(self) -> float | None:
        return rate(self.standardized, self.counties)

    @property
    def township_rate(self) -> float | None:
        return rate(self.townships_with_team, self.townships)

    @property
    def missing(self) -> int:
        """County-level units still without an association."""
        return self.counties - self.established

    def as_dict(self) -> dict:
        """The figures as the API and the command line print them."""
        return {
            "region": self.code,
            "name": self.name,
            "level": self.level,
            "counties": self.counties,
            "established": self.established,
            "standardized": self.standardized,
            "coverage_rate": self.coverage_rate,
            "standardized_rate": self.standardized_rate,
            "townships": self.townships,
            "townships_with_team": self.townships_with_team,
            "township_rate": self.township_rate,
            "children": [c.as_dict() for c in self.children],
        }


def valid_on(as_of: datetime.date, prefix: str = "") -> Q:
    """Regions in force on `as_of` (valid_from NULL means since before records began)."""
    return (
        Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": as_of})
    ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of}))


def _period_on(as_of: datetime.date) -> Q:
    return Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gt=as_of))


def _townships_have_history(region: Region) -> bool:
    """Whether any township under `region` was added or retired by a later division list.

    Until a second division list is loaded every township has been in force since records
    began, and each region's `township_count` counter cache is exact for any date, so no
    township need be counted.
    """
    from qingxie.regions.models import DivisionDataset

    if DivisionDataset.objects.count() <= 1:
        return False
    dated = Region.objects.filter(level=TOWNSHIP).filter(
        Q(valid_to__isnull=False) | Q(valid_from__isnull=False)
    )
    return dated.filter(subtree_q("path", region.path)).exists()


def coverage_tree(region: Region, as_of: datetime.date, *, depth: int = 1) -> CoverageNode:
    """Figures for `region` on `as_of` and for its descendants `depth` levels down.

    Depth 1 gives the children (the provinces of the country, the counties of a city);
    depth 2 adds grandchildren. Every count comes from a handful of aggregate queries over
    the whole subtree, rolled up by path, so children always sum to their parent.
    The caller is responsible for having checked that the user may see `region`.
    """
    exact_townships = _townships_have_history(region)
    root = CoverageNode(region.code, region.name, region.level, region.path)
    if not exact_townships:
        root.townships = region.township_count
    nodes = {region.path: root}
    frontier = [root]
    for _ in range(depth):
        if not frontier:
            break
        kids = (
            Region.objects.filter(parent__path__in=[n.path for n in frontier], level__lt=TOWNSHIP)
            .filter(valid_on(as_of))
            .order_by("code")
            .values_list("code", "name", "level", "path", "parent__path", "township_count")
        )
        frontier = []
        for code, name, level, path, parent_path, township_count in kids:
            node = CoverageNode(code, name, level, path)
            if not exact_townships:
                node.townships = township_count
            nodes[parent_path].children.append(node)
            nodes[path] = node
            frontier.append(node)

    reported: dict[str, list[CoverageNode]] = {}

    def reported_at(path: str) -> list[CoverageNode]:
        # The nodes we report on among `path` and its ancestors; memoised, since thousands of
        # counties share a few hundred parents.
        found = reported.get(path)
        if found is None:
            parent = path[: path.rstrip("/").rfind("/") + 1]
            found = ([nodes[path]] if path in nodes else []) + (
                reported_at(parent) if parent else []
            )
            reported[path] = found
        return found

    def add(path: str, attr: str, amount: int = 1) -> None:
        for node in reported_at(path):
            setattr(node, attr, getattr(node, attr) + amount)

    in_subtree = subtree_q("path", region.path)
    counties = dict(
        Region.objects.filter(in_subtree, level=COUNTY)
        .filter(valid_on(as_of))
        .values_list("id", "path")
    )
    for nodes_at, n in _tally(reported_at(path) for path in counties.values()):
        for node in nodes_at:
            node.counties += n
    for model, attr in (
        (AssociationStatusPeriod, "established"),
        (StandardizationPeriod, "standardized"),
    ):
        qs = model.objects.filter(
            _period_on(as_of), region_id__in=_county_ids_subquery(region, as_of)
        )
        if model is AssociationStatusPeriod:
            qs = qs.filter(status=AssociationStatus.ACTIVE)
        found = (reported_at(counties[r]) for r in set(qs.values_list("region_id", flat=True)))
        for nodes_at, n in _tally(found):
            for node in nodes_at:
                setattr(node, attr, getattr(node, attr) + n)

    paths = dict(counties)

    def path_of(region_ids) -> None:
        # Townships mostly hang under counties; the rest (东莞, 中山 …) under prefectures.
        missing = set(region_ids) - paths.keys()
        if missing:
            paths.update(Region.objects.filter(id__in=missing).values_list("id", "path"))

    if exact_townships:
        per_parent = list(
            Region.objects.filter(in_subtree, level=TOWNSHIP)
            .filter(valid_on(as_of))
            .values_list("parent_id")
            .annotate(n=Count("id"))
        )
        path_of(pid for pid, _ in per_parent)
        for parent_id, n in per_parent:
            add(paths[parent_id], "townships", n)
    teams = township_teams_on(as_of)
    if not region.is_root:
        teams = teams.filter(subtree_q("township_parent__path", region.path))
    if exact_townships:
        teams = teams.filter(valid_on(as_of, "township__"))
    covered = list(
        teams.values_list("township_parent_id").annotate(n=Count("township_id", distinct=True))
    )
    path_of(pid for pid, _ in covered)
    for parent_id, n in covered:
        add(paths[parent_id], "townships_with_team", n)
    return root


def _tally(groups) -> list[tuple[list, int]]:
    """How many times each (memoised, so shared) list of nodes occurs: one add per list."""
    counts: dict[int, list] = {}
    for group in groups:
        entry = counts.get(id(group))
        if entry is None:
            counts[id(group)] = [group, 1]
        else:
            entry[1] += 1
    return [(group, n) for group, n in counts.values()]


def _county_ids_subquery(region: Region, as_of: datetime.date):
    return (
        Region.objects.filter(subtree_q("path", region.path), level=COUNTY)
        .filter(valid_on(as_of))
        .values("id")
    )


class CountyStatus:
    """What a county-level unit has on a date, as the coverage map colours it."""

    NONE = "none"
    ESTABLISHED = "established"
    STANDARDIZED = "standardized"
    LABELS = {
        NONE: gettext_lazy("未成立协会"),
        ESTABLISHED: gettext_lazy("已成立"),
        STANDARDIZED: gettext_lazy("已规范化"),
    }


def county_statuses(region: Region, as_of: datetime.date) -> dict[str, str]:
    """County code → CountyStatus for every county-level unit under `region` on `as_of`.

    Counted the way `coverage_tree` counts, so a map coloured from this agrees with the
    figures beside it: established = an active association that day, standardized = a
    standardization period covering that day. The caller checks the user may see `region`.
    """
    counties = dict(
        Region.objects.filter(subtree_q("path", region.path), level=COUNTY)
        .filter(valid_on(as_of))
        .values_list("id", "code")
    )
    out = dict.fromkeys(counties.values(), CountyStatus.NONE)
    ids = _county_ids_subquery(region, as_of)
    active = AssociationStatusPeriod.objects.filter(
        _period_on(as_of), region_id__in=ids, status=AssociationStatus.ACTIVE
    ).values_list("region_id", flat=True)
    for region_id in active:
        out[counties[region_id]] = CountyStatus.ESTABLISHED
    standardized = StandardizationPeriod.objects.filter(
        _period_on(as_of), region_id__in=ids
    ).values_list("region_id", flat=True)
    for region_id in standardized:
        out[counties[region_id]] = CountyStatus.STANDARDIZED
    return out


def county_timelines(region: Region) -> list[dict]:
    """Every county-level unit that has lain under `region`, with the dated spans the map
    replays: when the unit was in force, when it had an active association and when one was
    standardized ([start, end) as ISO dates, end None while open).

    A status on any date follows from these spans exactly as `county_statuses` computes it,
    so the page can replay coverage month by month without asking the server again.
    """
    counties = Region.objects.filter(subtree_q("path", region.path), level=COUNTY)
    rows = counties.order_by("code").values_list(
        "id", "code", "name", "path", "valid_from", "valid_to"
    )
    units: dict[int, dict] = {}
    for pk, code, name, path, valid_from, valid_to in rows:
        parts = path.strip("/").split("/")
        units[pk] = {
            "code": code,
            "name": name,
            # The province and prefecture it belongs to (for the national and provincial maps).
            "province": parts[1] if len(parts) > 1 else code,
            "prefecture": parts[2] if len(parts) > 2 else code,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_to": valid_to.isoformat() if valid_to else None,
            "established": [],
            "standardized": [],
        }

    def iso(day):
        return day.isoformat() if day else None

    active = AssociationStatusPeriod.objects.filter(
        region_id__in=counties.values("id"), status=AssociationStatus.ACTIVE
    ).order_by("start")
    for region_id, start, end in active.values_list("region_id", "start", "end"):
        units[region_id]["established"].append([iso(start), iso(end)])
    spans = StandardizationPeriod.objects.filter(region_id__in=counties.values("id"))
    spans = spans.order_by("start")
    for region_id, start, end in spans.values_list("region_id", "start", "end"):
        units[region_id]["standardized"].append([iso(start), iso(end)])
    return list(units.values())


# ------------------------------------------------------------------------ time series


def month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The last day of each month from `start`'s month to `end`'s, with `end` itself last."""
    out, year, month = [], start.year, start.month
    while (year, month) < (end.year, end.month):
        out.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    out.append(end)
    return out


@dataclass
class SeriesPoint:
    """Coverage of a region at one month end."""

    date: datetime.date
    counties: int
    established: int
    standardized: int

    @property
    def coverage_rate(self) -> float | None:
        return rate(self.established, self.counties)

    @property
    def standardized_rate(self) -> float | None:
        return rate(self.standardized, self.counties)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "counties": self.counties,
            "established": self.established,
            "standardized": self.standardized,
            "coverage_rate": self.coverage_rate,
            "standardized_rate": self.standardized_rate,
        }


def coverage_series(region: Region, start: datetime.date, end: datetime.date) -> list[SeriesPoint]:
    """Month-end coverage of `region` from `start` to `end` (the last point is `end` itself).

    Three queries fetch every county's validity and every period in the subtree once; the
    points are then evaluated in memory, each exactly as `coverage_tree` would on that day.
    """
    in_subtree = subtree_q("path", region.path)
    counties = list(
        Region.objects.filter(in_subtree, level=COUNTY).values_list("id", "valid_from", "valid_to")
    )
    periods = {}
    for model, key in ((AssociationStatusPeriod, "established"), (StandardizationPeriod, "std")):
        qs = model.objects.filter(subtree_q("region__path", region.path), region__level=COUNTY)
        qs = qs.filter(Q(end__isnull=True) | Q(end__gt=start), start__lte=end)
        if model is AssociationStatusPeriod:
            qs = qs.filter(status=AssociationStatus.ACTIVE)
        periods[key] = list(qs.values_list("region_id", "start", "end"))

    def valid(vf, vt, day):
        return (vf is None or vf <= day) and (vt is None or vt > day)

    points = []
    for day in month_ends(start, end):
        live = {cid for cid, vf, vt in counties if valid(vf, vt, day)}
        counts = {}
        for key, rows in periods.items():
            counts[key] = len(
                {rid for rid, s, e in rows if rid in live and s <= day and (e is None or e > day)}
            )
        points.append(SeriesPoint(day, len(live), counts["established"], counts["std"]))
    return points


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Projection:
    """When full coverage comes at the pace of the last twelve months."""

    pace_per_month: float
    remaining: int
    date: datetime.date | None
    message: str


def coverage_projection(region: Region, as_of: datetime.date) -> Projection:
    """Project the full-coverage date from the establishments of the twelve months to `as_of`."""
    year_ago = _add_months(as_of, -12)
    now = coverage_tree(region, as_of, depth=0)
    then = coverage_tree(region, year_ago, depth=0)
    remaining = now.counties - now.established
    pace = (now.established - then.established) / 12
    if now.counties == 0:
        return Projection(pace, 0, None, gettext("该区划下没有县级行政单位，不计县级覆盖率。"))
    if remaining <= 0:
        return Projection(pace, 0, None, gettext("已实现县级全覆盖。"))
    if pace <= 0:
        return Projection(
            pace, remaining, None, gettext("近12个月没有新建协会，按当前进度无法实现全覆盖。")
        )
    months = math.ceil(remaining / pace)
    when = _add_months(as_of, months)
    return Projection(
        pace,
        remaining,
        when,
        gettext(
            "按近12个月每月新建 %(pace).1f 个的进度，尚缺 %(remaining)s 个，预计 %(when)s 实现全覆盖。"
        )
        % {"pace": pace, "remaining": remaining, "when": date_format(when, gettext("Y年n月"))},
    )


# ------------------------------------------------------------------------------ targets


def targets_for(region: Region) -> dict[str, list[CoverageTarget]]:
    """Targets in force for `region`, per measure: its own, else its nearest ancestor's."""
    codes = [*region.ancestor_codes, region.code]
    found: dict[str, dict[str, list[CoverageTarget]]] = {}
    for target in CoverageTarget.objects.filter(region__code__in=codes).select_related("region"):
        found.setdefault(target.measure, {}).setdefault(target.region.code, []).append(target)
    out = {}
    for measure, by_code in found.items():
        nearest = max(by_code, key=codes.index)
        out[measure] = sorted(by_code[nearest], key=lambda t: t.due_on)
    return out


def required_rate(targets: list[CoverageTarget], as_of: datetime.date) -> float:
    """The rate `as_of` should have reached to be on track.

    The highest target already due, or, between two due dates, the straight line from the
    last target met to the next one (the pace the targets imply). Before the first due date
    the line starts from zero a year before it.
    """
    if not targets:
        return 0.0
    passed = [t for t in targets if t.due_on <= as_of]
    upcoming = [t for t in targets if t.due_on > as_of]
    floor = float(max((t.rate for t in passed), default=0))
    if not upcoming:
        return floor
    nxt = upcoming[0]
    prev_day = passed[-1].due_on if passed else _add_months(nxt.due_on, -12)
    if as_of <= prev_day:
        return floor
    share = (as_of - prev_day).days / (nxt.due_on - prev_day).days
    return round(max(floor, floor + (float(nxt.rate) - floor) * share), 1)


def target_report(region: Region, node: CoverageNode, as_of: datetime.date) -> list[dict]:
    """Each measure's targets for `region`, whether each due one was met, and on-track status."""
    actual = {
        CoverageMeasure.ESTABLISHED: lambda n: n.coverage_rate,
        CoverageMeasure.STANDARDIZED: lambda n: n.standardized_rate,
        CoverageMeasure.TOWNSHIP_TEAMS: lambda n: n.township_rate,
    }
    out = []
    for measure, targets in targets_for(region).items():
        now = actual[measure](node)
        rows = []
        for t in targets:
            if t.due_on <= as_of:
                value = actual[measure](coverage_tree(region, t.due_on, depth=0))
                met = value is not None and value >= float(t.rate)
            else:
                value, met = None, None
            rows.append(
                {
                    "due_on": t.due_on.isoformat(),
                    "rate": float(t.rate),
                    "actual": value,
                    "met": met,
                    "set_by": t.region.code,
                }
            )
        need = required_rate(targets, as_of)
        out.append(
            {
                "measure": measure,
                "label": CoverageMeasure(measure).label,
                "actual": now,
                "required_now": need,
                "status": "on_track" if now is None or now >= need else "behind",
                "targets": rows,
            }
        )
    return out


def trend_chart(region: Region, series: list[SeriesPoint], report: list[dict]) -> dict:
    """The trend chart's data: monthly rates, the rate the targets require each month (a line
    per measure, None where no target applies) and each due target (`target_report`)."""
    targets = targets_for(region)

    def required(measure):
        found = targets.get(measure)
        return [required_rate(found, p.date) if found else None for p in series]

    return {
        # The chart's words, in the request's language (the script has none of its own).
        "strings": {
            "coverage": gettext("县级协会覆盖率"),
            "standardized": gettext("规范化建设覆盖率"),
            "required_coverage": gettext("覆盖率应达"),
            "required_standardized": gettext("规范化率应达"),
            "targets": gettext("覆盖目标"),
            "no_echarts": gettext("图表组件未能载入。"),
        },
        "dates": [p.date.isoformat() for p in series],
        "coverage": [p.coverage_rate for p in series],
        "standardized": [p.standardized_rate for p in series],
        "required_coverage": required(CoverageMeasure.ESTABLISHED),
        "required_standardized": required(CoverageMeasure.STANDARDIZED),
        "targets": [
            {"date": t["due_on"], "rate": t["rate"], "label": r["label"], "measure": r["measure"]}
            for r in report
            if r["measure"] != CoverageMeasure.TOWNSHIP_TEAMS
            for t in r["targets"]
        ],
    }


def node_on_track(
    node: CoverageNode, targets: list[CoverageTarget], as_of: datetime.date
) -> bool | None:
    """Whether a node's coverage meets the rate required on `as_of` (None: nothing to cover)."""
    if node.coverage_rate is None:
        return None
    return node.coverage_rate >= required_rate(targets, as_of)
