"""The projects demo: projects under every programme across the country, a Guangdong library
at every stage, Guangdong's 益苗计划 (two stages, judges, scores, awards totalling 47万元 to 13
county associations, disbursements), an open edition for judges to try, and the 共创美好社区
pilot with 22 communities and 10 pilot units in Guangdong. From a fixed seed; every row
is marked as demo. Loaded once (skipped when present)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from qingxie.accounts.models import User
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.projects import competitions as contest
from qingxie.projects import services
from qingxie.projects.choices import LibraryState, ProjectField, TargetGroup
from qingxie.projects.models import Competition, Entry, LibraryEntry, Programme, Project
from qingxie.regions.models import Region

SEED = 20210506
DEMO_PASSWORD = "qingxie-demo"
#: Judges of the demo: two provincial experts and one Shenzhen cadre (who must stand aside
#: for Shenzhen's entries).
JUDGES = [
    ("demo-judge1", "演示·评委（省青协专家）", "viewer", "440000"),
    ("demo-judge2", "演示·评委（高校专家）", "viewer", "440000"),
    ("demo-judge3", "演示·评委（深圳市团委）", "viewer", "440300"),
]
#: Counties the Guangdong bulletin names first among the 13 it funded.
NAMED = ["440308", "441225", "445302"]
#: Awards of the 2020 益苗计划: tier and amount; 3×5万 + 5×4万 + 5×2.4万 = 47万元.
TIERS = [("示范项目", 50000)] * 3 + [("重点培育", 40000)] * 5 + [("持续支持", 24000)] * 5
PRELIMINARY = [
    ("项目建设", 20),
    ("活动开展", 15),
    ("项目创意", 15),
    ("受益覆盖", 15),
    ("实施计划", 15),
    ("品牌示范", 10),
    ("社会效应", 10),
]
FINAL = [("路演与答辩", 70), ("现场表现", 30)]
NAMES = {
    "guanai": ["关爱留守儿童“假日课堂”", "七彩童年陪伴计划", "青春护航成长营"],
    "zhaoyang": ["“朝阳行动”异地务工人员随迁子女关爱", "朝阳课堂", "小候鸟暑期营"],
    "yangguang": ["“阳光行动”助残出行", "阳光家园康复陪伴", "手语志愿服务队"],
    "jinhui": ["“金晖行动”长者饭堂", "银龄陪伴上门探访", "长者智能手机课堂"],
    "community": ["共创美好社区·邻里守望", "社区议事厅青年志愿服务", "楼栋志愿者计划"],
    "emergency": ["应急志愿服务队能力提升", "防汛救灾志愿服务", "社区应急第一响应人"],
}
FIELDS = {
    "guanai": ProjectField.CHILDREN,
    "zhaoyang": ProjectField.CHILDREN,
    "yangguang": ProjectField.ELDERLY_DISABLED,
    "jinhui": ProjectField.ELDERLY_DISABLED,
    "community": ProjectField.COMMUNITY,
    "emergency": ProjectField.EMERGENCY,
}
GROUPS = {
    "guanai": [TargetGroup.LEFT_BEHIND],
    "zhaoyang": [TargetGroup.MIGRANT_CHILDREN],
    "yangguang": [TargetGroup.DISABLED],
    "jinhui": [TargetGroup.EMPTY_NEST],
    "community": [TargetGroup.RESIDENTS],
    "emergency": [TargetGroup.RESIDENTS],
}


def _judge(username: str, display: str, role: str, code: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=DEMO_PASSWORD,
            display_name=display,
            is_demo=True,
            validate=False,
        )
        role_grant_create(actor=None, user=user, role=role, region=Region.objects.get(code=code))
    return user


def _programmes() -> dict[str, Programme]:
    programmes = {p.code: p for p in Programme.objects.all()}
    if "zhaoyang" not in programmes:
        programmes["zhaoyang"] = services.programme_create(
            actor=None,
            code="zhaoyang",
            name="朝阳行动",
            region=Region.objects.get(code="440000"),
            parent=programmes["guanai"],
            description="关爱异地务工人员随迁子女（广东省品牌项目，关爱行动的省级实施）",
            position=11,
        )
    return programmes


def _project(rng, association, code, programmes, *, start, status="running", township=True):
    region = association.region
    if township:
        towns = list(region.children.filter(valid_to__isnull=True).order_by("code")[:20])
        if towns:
            region = rng.choice(towns)
    name = rng.choice(NAMES[code])
    return services.project_create(
        actor=None,
        association=association,
        name=f"{association.region.name}{name}",
        programme=programmes[code],
        field=FIELDS[code],
        region=region,
        target_groups=list(GROUPS[code]),
        start_on=start,
        end_on=None,
        status=status,
        goals="以县级青年志愿者协会为主体，常态化开展志愿服务。",
        budget=Decimal(rng.choice([20000, 30000, 50000, 80000])),
        funding_sources="团委专项经费、社会募集",
        is_demo=True,
    )


def _activities(rng, project: Project, start: datetime.date) -> None:
    from django.utils import timezone

    for i in range(2):
        day = start + datetime.timedelta(days=30 * (i + 1))
        begins = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        services.activity_create(
            actor=None,
            project=project,
            title=f"第{i + 1}期志愿服务活动",
            starts_at=begins,
            ends_at=begins + datetime.timedelta(hours=3),
            place=f"{project.region.name}社区服务中心",
            posts=rng.choice([10, 15, 20, 30]),
            is_demo=True,
        )


def _live(code: str) -> Association | None:
    return (
        Association.objects.filter(region__code=code, is_demo=True, status__in=LIVE_STATUSES)
        .select_related("region")
        .first()
    )


@transaction.atomic
def demo_projects_load(seed: int = SEED) -> dict:
    """Load the projects demo once; returns its counts."""
    if Project.objects.filter(is_demo=True).exists():
        return demo_projects_counts()
    rng = random.Random(seed)
    programmes = _programmes()
    national = ["guanai", "yangguang", "jinhui", "community", "emergency"]
    counties = list(
        Association.objects.filter(is_demo=True, level=3, status__in=LIVE_STATUSES)
        .select_related("region")
        .order_by("region__code")
    )
    # Across the country: about half the county associations run a programme project.
    for association in counties:
        in_gd = association.region.code.startswith("44")
        if not in_gd and rng.random() > 0.45:
            continue
        start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(0, 800))
        code = rng.choice(national + (["zhaoyang"] * 2 if in_gd else []))
        project = _project(rng, association, code, programmes, start=start, township=in_gd)
        if in_gd and rng.random() < 0.5:
            second = rng.choice([c for c in national if c != code])
            _project(rng, association, second, programmes, start=start, township=True)
    _library(rng)
    yimiao = _yimiao(rng, programmes)
    _open_edition(rng, programmes, yimiao)
    _pilot(rng, programmes)
    for project in Project.objects.filter(
        is_demo=True, region_path__startswith="000000/440000/440100/"
    )[:60]:
        _activities(rng, project, project.start_on)
    return demo_projects_counts()


def _library(rng) -> None:
    """Guangdong's library: submitted, returned, listed, recommended, published, withdrawn."""
    projects = list(
        Project.objects.filter(is_demo=True, region_path__startswith="000000/440000/").order_by(
            "id"
        )
    )
    rng.shuffle(projects)
    for i, project in enumerate(projects[:90]):
        entry = services.library_submit(
            actor=None, project=project, note="项目运行规范、成效明显，申报入库（演示）。"
        )
        kind = i % 9
        if kind == 0:
            continue  # waiting for the city
        if kind == 1:
            services.library_return(
                actor=None, entry=entry, reason="请补充项目预算明细与服务记录。"
            )
            continue
        year = rng.choice([2020, 2021])
        entry = services.library_approve(
            actor=None, entry=entry, year=year, on=datetime.date(year, rng.randint(1, 4), 15)
        )
        if kind in (3, 4, 5, 6, 7):
            services.library_listing_change(
                actor=None, entry=entry, step="publish", on=datetime.date(year, 5, 1)
            )
        if kind == 8:
            services.library_listing_change(
                actor=None,
                entry=entry,
                step="withdraw",
                reason="项目已停止运行（演示）。",
                on=datetime.date(2021, 3, 1),
            )


def _entry_project(rng, association, programmes) -> Project:
    existing = Project.objects.filter(association=association, is_demo=True).first()
    if existing is not None:
        return existing
    return _project(rng, association, "community", programmes, start=datetime.date(2020, 3, 1))


def _score_stage(rng, stage, entries, judges, targets: dict[int, float]) -> None:
    """Each judge scores each entry near its target share (0–1), skipping conflicts."""
    criteria = list(stage.criteria.all())
    for entry in entries:
        for judge in judges:
            if contest.conflict_reason(judge, entry, contest.assignment_for(judge, entry)):
                continue
            scores = {}
            for c in criteria:
                share = min(1.0, max(0.0, targets[entry.pk] + rng.uniform(-0.02, 0.02)))
                scores[str(c.pk)] = (c.max_score * Decimal(str(round(share, 2)))).quantize(
                    Decimal("0.1")
                )
            contest.sheet_save(actor=judge, entry=entry, scores=scores, submit=True)


def _yimiao(rng, programmes) -> Competition:
    gd = Region.objects.get(code="440000")
    comp = contest.competition_create(
        actor=None,
        organiser=gd,
        name="2020年广东省“益苗计划”志愿服务项目大赛",
        year=2020,
        entries_open=datetime.date(2020, 8, 1),
        entries_close=datetime.date(2020, 9, 30),
        notice_starts=datetime.date(2020, 12, 10),
        notice_ends=datetime.date(2020, 12, 16),
        description="整合资源支持县级团属志愿服务组织打造县域示范性品牌项目。",
        is_demo=True,
    )
    categories = [
        contest.category_add(actor=None, competition=comp, name=name, position=i)
        for i, name in enumerate(["关爱少年儿童", "助老助残", "社区治理与邻里守望"])
    ]
    prelim = contest.stage_add(actor=None, competition=comp, kind="preliminary", drop_extremes=True)
    final = contest.stage_add(actor=None, competition=comp, kind="final")
    contest.criteria_set(
        actor=None, stage=prelim, criteria=[{"name": n, "weight": w} for n, w in PRELIMINARY]
    )
    contest.criteria_set(
        actor=None, stage=final, criteria=[{"name": n, "weight": w} for n, w in FINAL]
    )
    cities = Region.objects.filter(parent=gd, valid_to__isnull=True)
    for city in cities:
        contest.quota_set(actor=None, competition=comp, region=city, max_entries=3)
    judges = [_judge(*j) for j in JUDGES]
    for stage in (prelim, final):
        for category in categories:
            for judge in judges:
                contest.judge_assign(actor=None, stage=stage, category=category, judge=judge)
    # Entries: the three named counties first, then county associations across the province,
    # at most three per city (the quota).
    candidates = [a for a in (_live(c) for c in NAMED) if a is not None]
    others = list(
        Association.objects.filter(
            is_demo=True, level=3, status__in=LIVE_STATUSES, region__code__startswith="44"
        )
        .exclude(pk__in=[a.pk for a in candidates])
        .select_related("region")
        .order_by("region__code")
    )
    rng.shuffle(others)
    per_city: dict[str, int] = {}
    entries = []
    for association in candidates + others:
        city_code = association.region.path.split("/")[2]
        if per_city.get(city_code, 0) >= 3 or len(entries) >= 26:
            continue
        project = _entry_project(rng, association, programmes)
        category = categories[{"children": 0, "elderly_disabled": 1}.get(project.field, 2)]
        per_city[city_code] = per_city.get(city_code, 0) + 1
        entries.append(
            contest.entry_submit(
                actor=None,
                competition=comp,
                category=category,
                project=project,
                list_position=per_city[city_code],
                is_demo=True,
            )
        )
    # Intended order: the named three first, the rest shuffled; 16 go on to the final.
    targets = {e.pk: 0.95 - 0.012 * i for i, e in enumerate(entries)}
    _score_stage(rng, prelim, entries, judges, targets)
    finalists = entries[:16]
    contest.stage_advance(actor=None, stage=prelim, entries=finalists)
    finalists = list(Entry.objects.filter(pk__in=[e.pk for e in finalists]).order_by("id"))
    _score_stage(rng, final, finalists, judges, targets)
    ranked = sorted(finalists, key=lambda e: -targets[e.pk])
    for (tier, amount), entry in zip(TIERS, ranked, strict=False):
        award = contest.award_grant(
            actor=None,
            entry=entry,
            tier=tier,
            amount=amount,
            on=datetime.date(2020, 12, 20),
            is_demo=True,
        )
        contest.disbursement_record(
            actor=None,
            award=award,
            amount=Decimal(amount) * Decimal("0.6"),
            paid_on=datetime.date(2021, 1, 15),
            note="首期拨付（60%）",
            is_demo=True,
        )
        if amount == 50000:
            contest.disbursement_record(
                actor=None,
                award=award,
                amount=Decimal(amount) * Decimal("0.4"),
                paid_on=datetime.date(2021, 6, 30),
                note="结项拨付（40%）",
                is_demo=True,
            )
    return comp


def _open_edition(rng, programmes, upper: Competition) -> Competition:
    """An edition in its preliminary stage, three entries waiting for two judges."""
    gd = Region.objects.get(code="440000")
    comp = contest.competition_create(
        actor=None,
        organiser=gd,
        name="2022年广东省“益苗计划”（演示评审）",
        year=2022,
        notice_starts=datetime.date(2022, 12, 10),
        notice_ends=datetime.date(2022, 12, 16),
        is_demo=True,
    )
    category = contest.category_add(actor=None, competition=comp, name="社区治理与邻里守望")
    stage = contest.stage_add(actor=None, competition=comp, kind="preliminary")
    contest.criteria_set(
        actor=None,
        stage=stage,
        criteria=[
            {"name": "项目创意", "weight": 40},
            {"name": "受益覆盖", "weight": 30},
            {"name": "实施计划", "weight": 30},
        ],
    )
    for username, *_ in JUDGES[:2]:
        contest.judge_assign(
            actor=None, stage=stage, category=category, judge=User.objects.get(username=username)
        )
    for code in ("440105", "440106", "440111"):
        association = _live(code)
        if association is None:
            continue
        project = _project(
            rng, association, "community", programmes, start=datetime.date(2022, 3, 1)
        )
        contest.entry_submit(
            actor=None, competition=comp, category=category, project=project, is_demo=True
        )
    return comp


def _pilot(rng, programmes) -> None:
    """共创美好社区: 22 pilot communities and 10 pilot units (白云区 first) in Guangdong."""
    root = Region.objects.get(code="000000")
    pilot = services.pilot_create(
        actor=None,
        organiser=root,
        name="共创美好社区",
        programme=programmes["community"],
        starts_on=datetime.date(2020, 9, 1),
        is_demo=True,
    )
    units = []
    preferred = [
        "440111",
        "440105",
        "440106",
        "440306",
        "440604",
        "441302",
        "440402",
        "440703",
        "441802",
        "440511",
        "440113",
        "440307",
    ]
    for code in preferred:
        association = _live(code)
        if association is not None and len(units) < 10:
            units.append(
                services.pilot_unit_add(
                    actor=None,
                    pilot=pilot,
                    association=association,
                    joined_on=datetime.date(2020, 9, 1) + datetime.timedelta(days=len(units)),
                    is_demo=True,
                )
            )
    communities = 0
    counties = [u.association.region for u in units] + list(
        Region.objects.filter(path__startswith="000000/440000/", level=3, valid_to__isnull=True)
        .exclude(code__in=[u.association.region.code for u in units])
        .order_by("code")[:12]
    )
    for county in counties:
        for town in county.children.filter(valid_to__isnull=True).order_by("code")[:2]:
            if communities >= 22:
                break
            services.pilot_community_add(
                actor=None, pilot=pilot, township=town, name=f"{town.name}试点社区", is_demo=True
            )
            communities += 1
    # Projects run in the first pilot communities by their county's association.
    for community in pilot.communities.select_related("township__parent")[:10]:
        association = _live(community.township.parent.code)
        if association is None:
            continue
        project = Project.objects.filter(
            association=association, programme__code="community"
        ).first() or _project(
            rng, association, "community", programmes, start=datetime.date(2020, 10, 1)
        )
        if project.pilot_community_id is None:
            services.project_update(actor=None, project=project, pilot_community=community)


def demo_projects_counts() -> dict:
    """What the projects demo holds."""
    return {
        "projects": Project.objects.filter(is_demo=True).count(),
        "library_listed": LibraryEntry.objects.filter(state=LibraryState.VERIFIED).count(),
        "competitions": Competition.objects.filter(is_demo=True).count(),
        "entries": Entry.objects.filter(is_demo=True).count(),
    }
