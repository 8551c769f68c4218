"""Reads of projects, the library and competitions that pages, the API, the bulletin and other
apps share: sinking figures, the catalogue, queues, the judge's list, rankings and funding."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from qingxie.core.models import subtree_q
from qingxie.core.review import review_queue
from qingxie.projects import ranking as rk
from qingxie.projects.choices import EntryState, Listing, ProjectStatus, SheetState
from qingxie.projects.models import (
    Award,
    Competition,
    Disbursement,
    Entry,
    JudgeAssignment,
    LibraryEntry,
    PilotCommunity,
    PilotProgramme,
    PilotUnit,
    Programme,
    Project,
    ScoreSheet,
    Stage,
)
from qingxie.projects.services import LIBRARY_REVIEW
from qingxie.regions.models import Region

COUNTY, TOWNSHIP = Region.Level.COUNTY, Region.Level.TOWNSHIP


def rate(part: int, whole: int) -> float | None:
    """part/whole as a percentage to one decimal, half up (as coverage computes it)."""
    from decimal import ROUND_HALF_UP

    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _in_force(as_of: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=as_of)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gt=as_of)
    )


def run_on(as_of: datetime.date) -> Q:
    """Projects run on `as_of`: not a draft, started, not yet ended."""
    return (
        ~Q(status=ProjectStatus.DRAFT)
        & Q(start_on__lte=as_of)
        & (Q(end_on__isnull=True) | Q(end_on__gte=as_of))
    )


def programmes_for(region: Region) -> list[Programme]:
    """The active programmes that apply at `region`: the nation's, those set above it or in it."""
    programmes = Programme.objects.filter(active=True).select_related("region", "parent")
    return [
        p
        for p in programmes
        if p.region is None
        or region.path.startswith(p.region.path)
        or p.region.path.startswith(region.path)
    ]


def programmes_visible(user) -> QuerySet[Programme]:
    """Every programme the user may read (reference data: any grant reads all)."""
    return Programme.objects.restrict(user, "view").select_related("region", "parent")


def sinking(region: Region, as_of: datetime.date) -> dict:
    """Which county-level units of `region` run at least one project under each programme on
    `as_of` (逐级下沉), with the counts and rates per child region. A project under a variant
    (朝阳行动) counts for its parent (关爱行动) too. The caller has checked `region` is visible."""
    counties = dict(
        Region.objects.filter(subtree_q("path", region.path), level=COUNTY)
        .filter(_in_force(as_of))
        .values_list("id", "path")
    )
    codes = (
        dict(Region.objects.filter(id__in=list(counties)).values_list("id", "code"))
        if len(counties) <= 5000
        else {}
    )
    children = list(
        Region.objects.filter(parent=region, level__lt=TOWNSHIP)
        .filter(_in_force(as_of))
        .order_by("code")
        .values_list("code", "name", "path")
    )
    programmes = programmes_for(region)
    counted: dict[int, set[int]] = {p.pk: set() for p in programmes}
    run = (
        Project.objects.filter(run_on(as_of), programme__isnull=False, county_id__in=list(counties))
        .values_list("programme_id", "programme__parent_id", "county_id")
        .distinct()
    )
    for programme_id, parent_id, county_id in run:
        for pid in (programme_id, parent_id):
            if pid in counted:
                counted[pid].add(county_id)

    def per_child(county_ids: set[int]) -> list[dict]:
        out = []
        for code, name, path in children:
            total = sum(1 for p in counties.values() if p.startswith(path))
            hit = sum(1 for c in county_ids if counties[c].startswith(path))
            out.append(
                {
                    "region": code,
                    "name": name,
                    "counties": total,
                    "counted": hit,
                    "rate": rate(hit, total),
                }
            )
        return out

    return {
        "region": region.code,
        "name": region.name,
        "as_of": as_of.isoformat(),
        "counties": len(counties),
        "programmes": [
            {
                "programme": p.code,
                "name": p.name,
                "parent": p.parent.code if p.parent else None,
                "counties_counted": len(counted[p.pk]),
                "rate": rate(len(counted[p.pk]), len(counties)),
                "counties": sorted(codes[c] for c in counted[p.pk] if c in codes),
                "children": per_child(counted[p.pk]),
            }
            for p in programmes
        ],
    }


# ------------------------------------------------------------------------------- projects


def projects_visible(user) -> QuerySet[Project]:
    """The projects the user may see, with what the list shows."""
    return Project.objects.restrict(user, "view").select_related(
        "association", "programme", "region"
    )


def activities_of(user, project: Project):
    """The project's activities the user may see, in time order."""
    return (
        project.activities.restrict(user, "view")
        .select_related("township")
        .order_by("starts_at", "id")
    )


def project_counts(region: Region, as_of: datetime.date) -> dict:
    """Projects run in `region`'s subtree on `as_of`, per programme (None: without one)."""
    qs = Project.objects.filter(run_on(as_of), subtree_q("region_path", region.path))
    per = dict(
        qs.values_list("programme__code")
        .annotate(n=Count("id"))
        .values_list("programme__code", "n")
    )
    return {"total": qs.count(), "per_programme": per}


# -------------------------------------------------------------------------------- library


def library_queue(user) -> QuerySet[LibraryEntry]:
    """Library submissions waiting for `user`'s decision, oldest first."""
    return review_queue(user, LIBRARY_REVIEW)


def library_managed(user) -> QuerySet[LibraryEntry]:
    """Listed projects whose listing `user` decides (recommend, publish, withdraw)."""
    return (
        LibraryEntry.objects.restrict(user, "verify")
        .exclude(listing="")
        .select_related("project__association__region", "project__programme")
        .order_by("-year", "number")
    )


def catalogue(
    user,
    *,
    programme: str = "",
    field: str = "",
    region: Region | None = None,
    year: int | None = None,
) -> QuerySet[LibraryEntry]:
    """The published library (上线推介) that every signed-in cadre may browse, filtered.
    Published projects are public to all regions by design: no region gate, only sign-in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return LibraryEntry.objects.none()
    qs = LibraryEntry.objects.filter(listing=Listing.PUBLISHED).select_related(
        "project__association__region", "project__programme", "project__region"
    )
    if programme:
        qs = qs.filter(
            Q(project__programme__code=programme) | Q(project__programme__parent__code=programme)
        )
    if field:
        qs = qs.filter(project__field=field)
    if region is not None:
        qs = qs.filter(subtree_q("region_path", region.path))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "number")


def library_counts(region: Region) -> list[dict]:
    """Library entries listed per year in `region`'s subtree (listed, published, withdrawn)."""
    rows = (
        LibraryEntry.objects.filter(subtree_q("region_path", region.path), year__isnull=False)
        .values("year", "listing")
        .annotate(n=Count("id"))
    )
    years: dict[int, dict] = {}
    for row in rows:
        y = years.setdefault(
            row["year"], {"year": row["year"], "listed": 0, "published": 0, "withdrawn": 0}
        )
        y["listed"] += row["n"]
        if row["listing"] == Listing.PUBLISHED:
            y["published"] += row["n"]
        if row["listing"] == Listing.WITHDRAWN:
            y["withdrawn"] += row["n"]
    return [years[y] for y in sorted(years, reverse=True)]


# ---------------------------------------------------------------------------- competitions


def competitions_visible(user) -> QuerySet[Competition]:
    """Editions the user may see: organised in their subtree or above their grants."""
    return Competition.objects.restrict(user, "view").select_related("organiser", "programme")


def judge_assignments(user) -> QuerySet[JudgeAssignment]:
    """The user's own judging assignments (the assignment is the judge's permission)."""
    return JudgeAssignment.objects.filter(judge=user).select_related(
        "stage__competition__organiser", "category"
    )


def judge_entries(user, competition: Competition) -> list[dict]:
    """The entries the judge is assigned in this edition (current stage, their categories),
    each with their sheet and whether they must stand aside (回避)."""
    from qingxie.projects.competitions import conflict_reason

    assignments = list(judge_assignments(user).filter(stage__competition=competition))
    rows = []
    for a in assignments:
        entries = (
            Entry.objects.filter(competition=competition, stage=a.stage, category=a.category)
            .exclude(state=EntryState.WITHDRAWN)
            .select_related("project__association", "submitting_region", "competition__organiser")
            .order_by("submitting_region__code", "list_position", "id")
        )
        sheets = {s.entry_id: s for s in ScoreSheet.objects.filter(assignment=a)}
        for entry in entries:
            rows.append(
                {
                    "entry": entry,
                    "assignment": a,
                    "sheet": sheets.get(entry.pk),
                    "conflict": conflict_reason(user, entry, a),
                }
            )
    return rows


def _criteria_specs(stage: Stage) -> list[rk.CriterionSpec]:
    return [rk.CriterionSpec(c.pk, c.weight, c.max_score, c.position) for c in stage.criteria.all()]


def default_stage(competition: Competition) -> Stage | None:
    """The latest stage with a submitted score sheet (else the first stage)."""
    scored = (
        Stage.objects.filter(
            competition=competition,
            assignments__sheets__state=SheetState.SUBMITTED,
        )
        .order_by("-position")
        .first()
    )
    return scored or competition.stages.order_by("position").first()


@dataclass
class RankingResult:
    """A ranking of one stage: the stage, the tie rule's words, and rows per category."""

    stage: Stage | None
    tie_rule: str
    categories: list[dict]


def competition_ranking(
    competition: Competition, *, stage: Stage | None = None, category=None
) -> RankingResult:
    """Rank the entries that reached `stage` (default: the latest with scores), per category."""
    stage = stage or default_stage(competition)
    if stage is None:
        return RankingResult(None, competition.get_tie_rule_display(), [])
    criteria = _criteria_specs(stage)
    categories = competition.categories.all()
    if category is not None:
        categories = categories.filter(pk=category.pk)
    entries = (
        Entry.objects.filter(competition=competition, stage__position__gte=stage.position)
        .exclude(state=EntryState.WITHDRAWN)
        .select_related("project__association__region", "submitting_region", "category")
    )
    awards = {a.entry_id: a for a in Award.objects.filter(entry__competition=competition)}
    sheets: dict[int, list[dict]] = {}
    for sheet in ScoreSheet.objects.filter(
        entry__competition=competition, assignment__stage=stage, state=SheetState.SUBMITTED
    ):
        sheets.setdefault(sheet.entry_id, []).append(
            {int(k): Decimal(v) for k, v in sheet.scores.items()}
        )
    out = []
    for cat in categories:
        in_cat = {e.pk: e for e in entries if e.category_id == cat.pk}
        rows = rk.rank(
            sorted(in_cat),
            sheets,
            criteria,
            drop_extremes=stage.drop_extremes,
            tie_rule=competition.tie_rule,
        )
        out.append(
            {
                "category": cat,
                "rows": [
                    {"entry": in_cat[r.entry_id], "row": r, "award": awards.get(r.entry_id)}
                    for r in rows
                ],
            }
        )
    return RankingResult(stage, competition.get_tie_rule_display(), out)


def funding_totals(competition: Competition) -> dict:
    """Awarded and disbursed funding of an edition: totals, per child region and per
    association (with how many are county associations)."""
    awards = Award.objects.filter(entry__competition=competition).select_related(
        "entry__project__association__region", "entry__submitting_region"
    )
    paid = dict(
        Disbursement.objects.filter(award__entry__competition=competition)
        .values_list("award_id")
        .annotate(s=Sum("amount"))
        .values_list("award_id", "s")
    )
    per_region: dict[str, dict] = {}
    per_association: dict[int, dict] = {}
    for a in awards:
        region = a.entry.submitting_region
        association = a.entry.project.association
        r = per_region.setdefault(
            region.code,
            {
                "region": region.code,
                "name": region.name,
                "awarded": Decimal(0),
                "disbursed": Decimal(0),
            },
        )
        r["awarded"] += a.amount
        r["disbursed"] += Decimal(paid.get(a.pk) or 0).quantize(Decimal("0.01"))
        s = per_association.setdefault(
            association.pk,
            {
                "association": association.number,
                "name": association.name,
                "region": association.region.code,
                "level": association.level,
                "tiers": [],
                "awarded": Decimal(0),
                "disbursed": Decimal(0),
            },
        )
        s["awarded"] += a.amount
        s["disbursed"] += Decimal(paid.get(a.pk) or 0).quantize(Decimal("0.01"))
        s["tiers"].append(a.tier)
    funded = [s for s in per_association.values() if s["awarded"] > 0]
    return {
        "awarded": sum((a.amount for a in awards), Decimal(0)),
        "disbursed": sum((Decimal(v) for v in paid.values()), Decimal(0)).quantize(Decimal("0.01")),
        "awards": len(awards),
        "county_associations": sum(1 for s in funded if s["level"] == COUNTY),
        "per_region": sorted(per_region.values(), key=lambda r: r["region"]),
        "per_association": sorted(per_association.values(), key=lambda s: s["region"]),
    }


# ---------------------------------------------------------------------------------- pilots


def pilots_visible(user) -> QuerySet[PilotProgramme]:
    """Pilot programmes the user may see (organised in their subtree or above)."""
    return PilotProgramme.objects.restrict(user, "view").select_related("organiser", "programme")


def pilot_figures(pilot: PilotProgramme, region: Region | None = None) -> dict:
    """Communities and units of a pilot (within `region` when given), and projects run there."""
    communities = PilotCommunity.objects.filter(pilot=pilot)
    units = PilotUnit.objects.filter(pilot=pilot)
    if region is not None:
        communities = communities.filter(subtree_q("region_path", region.path))
        units = units.filter(subtree_q("region_path", region.path))
    return {
        "communities": communities.count(),
        "units": units.count(),
        "projects": Project.objects.filter(pilot_community__in=communities).count(),
    }


#: What the workbench panel's programmes read (the user's counts aside).
WORKBENCH_DOMAINS = ("projects", "ledger", "regions")


def workbench_context(user, region: Region, as_of: datetime.date) -> dict | None:
    """The workbench's projects panel: the library submissions waiting for this user, their
    judging tasks, and the programmes sunk in the region; None when there is nothing to say."""
    from qingxie.core.cache import cached_figures, cached_for_user

    def user_counts() -> tuple[int, int]:
        queue = library_queue(user).count()
        judging = 0
        if getattr(user, "is_authenticated", False):
            for competition in {a.stage.competition for a in judge_assignments(user)}:
                judging += sum(
                    1
                    for row in judge_entries(user, competition)
                    if not row["conflict"]
                    and (row["sheet"] is None or row["sheet"].state != SheetState.SUBMITTED)
                )
        return queue, judging

    # The user's library queue (no escalation with the clock) and judging tasks change with
    # the data alone: read once per version of it.
    queue, judging = cached_for_user(
        user, f"projects-counts:{as_of.isoformat()}", user_counts, domains=WORKBENCH_DOMAINS
    )
    sunk = []
    if region.level < TOWNSHIP:
        # The same for every user of the region: computed once per data version (the national
        # figure walks every county and was most of the national workbench's CPU).
        figures = cached_figures(
            f"projects-sinking:{region.code}:{as_of.isoformat()}",
            lambda: sinking(region, as_of),
            path=region.path,
            domains=WORKBENCH_DOMAINS,
        )
        sunk = [p for p in figures["programmes"] if p["counties_counted"]]
    if not queue and not judging and not sunk:
        return None
    return {
        # Only the two counts are the user's own: the shell keeps the rendered panel per pair.
        "fragment": f"{queue}:{judging}",
        "queue": queue,
        "judging": judging,
        "sunk": sunk[:6],
        "region": region,
        "as_of": as_of,
    }
