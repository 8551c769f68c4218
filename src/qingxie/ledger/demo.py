"""The demo national ledger: associations, checklists, seats, group members and teams (all demo).

Generated from a fixed seed (`SEED`) with `random.Random`, so every load gives the same ledger,
and marked as demo everywhere (`is_demo=True` on associations, teams and group members; every
association's note says so; every phone number is ``000-0000xxxx``, which no telephone can dial:
there is no area code 000 and no local number starts with 0).

What it holds, in round figures (exact counts are printed by ``qingxie demo``):

* 中国青年志愿者协会 (000000), an association in each of the 31 provinces, in most prefectures
  (all of the prefecture cities without counties: 东莞, 中山, 儋州, 嘉峪关);
* about 2,830 county-level associations over time, established 2015–2024 along a curve that
  crosses the national targets (50 % by 2020-12-31, 70 % by 2021-12-31) with some provinces
  behind, and by the end of 2024 nearly full coverage; a few dissolved, merged into the city
  association or suspended, most of them followed by a new association;
* registration with valid 统一社会信用代码 (check character from `stdnum.cn.uscc`) for most;
* standardization (规范化建设) for a good share, a few verifications revoked (some re-verified),
  and several hundred associations part-way through the checklist with items awaiting
  verification (待核验) or returned (已退回), so the verification queues have work;
* about 6,000 group members and exactly 40,000 grassroots teams, most of them township/street
  teams on real townships inside their county.

Guangdong matches its bulletin (广东志愿服务工作信息 2021年第5期): on 2021-05-06, 106 of its
122 county-level units have an active association and 84 are standardized (86.9 %, 68.9 %).
海珠区 (440105) is established and standardized. Two Guangdong counties have no association at
all, then or now, so a cadre has something to do: 南澳县 (440523) and 连南瑶族自治县 (441826).

Associations and their dated history go through the ledger services (numbers, status and
standardization periods, seats, change log). Teams and group members are bulk-inserted (the
services would take minutes for 46,000 rows); one change-log entry per model records the bulk
load. The load refuses to mix with real data: it is skipped when any non-demo association exists.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from qingxie.core.context import current_context
from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.ledger.choices import (
    LIVE_STATUSES,
    AssociationForm,
    AssociationStatus,
    ChecklistState,
    GroupMemberKind,
    GroupMemberStatus,
)
from qingxie.ledger.models import (
    Association,
    AssociationStatusPeriod,
    ChecklistEntry,
    ChecklistItem,
    ChecklistVerification,
    GroupMember,
    Seat,
    StandardizationPeriod,
)
from qingxie.ledger.numbering import number_format
from qingxie.regions.models import ROOT_CODE, Region
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.models import Team

D = datetime.date

SEED = 20210506
#: The generated history ends here; every date is on or before it (services refuse the future).
END = D(2024, 12, 31)
BULLETIN_DATE = D(2021, 5, 6)
GUANGDONG = "440000"
GD_COUNTIES_ESTABLISHED = 106
GD_COUNTIES_STANDARDIZED = 84
#: The demo city account's city: its counties are entered one by one through the services.
GUANGZHOU = "440100"
#: Guangdong county-level units that have no association at all (then or now).
GD_UNCOVERED = ("440523", "441826")
#: County associations the bulletin names, with the form it gives (established before it).
GD_NAMED = {
    "440104": AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,  # 越秀区青年志愿者协会
    "440105": AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,  # 海珠区青年志愿者协会
    "440111": AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,  # 白云区青年志愿者协会
    "440306": AssociationForm.YIGONG_FEDERATION,  # 宝安区义工联合会
    "440982": AssociationForm.YIGONG_FEDERATION,  # 化州市义工联合会
    "440308": AssociationForm.VOLUNTEER_FEDERATION,  # 盐田区
    "441225": AssociationForm.VOLUNTEER_FEDERATION,  # 封开县
    "445302": AssociationForm.VOLUNTEER_FEDERATION,  # 云城区
}
#: Of those, the four the bulletin put in the demonstration library: standardized before it.
GD_NAMED_STANDARDIZED = ("440104", "440105", "440306", "440982")
TEAMS_TOTAL = 40_000
#: Teams other than township/street teams, and their relative frequency.
TEAM_CATEGORIES = (
    TeamCategory.SCHOOL,
    TeamCategory.ENTERPRISE,
    TeamCategory.INDUSTRY,
    TeamCategory.COMMUNITY,
    TeamCategory.OTHER,
)
TEAM_CATEGORY_WEIGHTS = (30, 20, 15, 25, 10)
DEMO_NOTE = "演示数据：由 qingxie demo 按固定随机种子生成，非真实信息。"

#: Cumulative share of county-level units with an association by each date (national curve).
EST_CURVE = [
    (0.00, D(2015, 1, 1)),
    (0.22, D(2019, 12, 31)),
    (0.56, D(2020, 12, 31)),
    (0.80, D(2021, 12, 31)),
    (0.92, D(2022, 12, 31)),
    (0.975, D(2023, 12, 31)),
    (0.99, END),
]

FORM_SUFFIX = {
    AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION: "青年志愿者协会",
    AssociationForm.VOLUNTEER_FEDERATION: "志愿者联合会",
    AssociationForm.YIGONG_FEDERATION: "义工联合会",
    AssociationForm.VOLUNTEER_SERVICE_FEDERATION: "志愿服务联合会",
    AssociationForm.OTHER: "青年志愿者服务总队",
}
FORM_WEIGHTS = {
    AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION: 70,
    AssociationForm.VOLUNTEER_FEDERATION: 12,
    AssociationForm.YIGONG_FEDERATION: 5,
    AssociationForm.VOLUNTEER_SERVICE_FEDERATION: 7,
    AssociationForm.OTHER: 6,
}
GD_FORM_WEIGHTS = {
    AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION: 50,
    AssociationForm.VOLUNTEER_FEDERATION: 28,
    AssociationForm.YIGONG_FEDERATION: 14,
    AssociationForm.VOLUNTEER_SERVICE_FEDERATION: 4,
    AssociationForm.OTHER: 4,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程"
    "魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石贾韦夏邱方侯邹熊孟秦白江薛尹段雷黎史龙陶贺顾毛"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文辉鹏宇浩婷雪琳晨阳欣怡佳俊凯帆"
    "志海燕晓东红梅建国立新振思远嘉宁子涵雨萱梓睿博航瑶颖慧敏诗卓然"
)
RETURN_REASONS = (
    "佐证材料不完整，请补充会议纪要或制度原件扫描件。",
    "章程未附民政部门核准页，请补充。",
    "年度培训记录缺少签到表，请补充后重新提交。",
    "项目材料与本年度不符，请提交当年项目开展情况。",
    "财务制度未经理事会审议通过，请补充审议记录。",
)
REVOKE_REASON = "复核发现材料已过期（演示）"
SCHOOL_NAMES = ("第一中学", "第二中学", "实验中学", "职业技术学校", "实验小学", "中等专业学校")
ENTERPRISE_NAMES = ("供电局", "农商银行", "移动公司", "烟草专卖局", "自来水公司", "邮政分公司")
INDUSTRY_NAMES = (
    "交通运输系统",
    "医疗卫生系统",
    "教育系统",
    "应急管理系统",
    "税务系统",
    "文旅系统",
)
COMMUNITY_NAMES = ("幸福", "和平", "新华", "东风", "阳光", "长安", "育才", "滨江", "建设", "锦绣")
OTHER_TEAM_NAMES = (
    "应急救援志愿服务队",
    "文明交通志愿服务队",
    "生态环保志愿服务队",
    "助残志愿服务队",
)
GROUP_MEMBER_TEMPLATES = (
    ("{place}阳光社会工作服务中心", GroupMemberKind.SOCIAL_ORGANISATION),
    ("{place}爱心志愿者协会", GroupMemberKind.VOLUNTEER_ORGANISATION),
    ("{place}蓝天救援队", GroupMemberKind.VOLUNTEER_ORGANISATION),
    ("{place}青年志愿服务促进会", GroupMemberKind.VOLUNTEER_ORGANISATION),
    ("{place}第一中学团委", GroupMemberKind.SCHOOL),
    ("{place}职业技术学校团委", GroupMemberKind.SCHOOL),
    ("{place}供电局团委", GroupMemberKind.ENTERPRISE),
    ("{place}农商银行团委", GroupMemberKind.ENTERPRISE),
    ("{place}人民医院团委", GroupMemberKind.PUBLIC_INSTITUTION),
    ("{place}图书馆", GroupMemberKind.PUBLIC_INSTITUTION),
    ("{place}新华社区居委会", GroupMemberKind.COMMUNITY),
    ("{place}助老服务中心", GroupMemberKind.SOCIAL_ORGANISATION),
    ("{place}文明实践志愿服务队", GroupMemberKind.OTHER),
)


# ------------------------------------------------------------------------------- plan


@dataclass
class RegionRow:
    """The few fields of a region the generator needs."""

    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    county_count: int


@dataclass
class Plan:
    """One association to enter: its fields and its dated events after creation."""

    key: int
    region: RegionRow
    name: str
    form: str
    established_on: datetime.date
    fields: dict = field(default_factory=dict)
    events: list[tuple[datetime.date, str, dict]] = field(default_factory=list)
    standardized_on: datetime.date | None = None
    has_status_events: bool = False
    #: Loaded through the services one by one (True) or in bulk with the simple majority.
    rich: bool = False


@dataclass
class DemoLedgerResult:
    """What a demo load did: created or skipped (and why), with counts and the time it took."""

    created: bool
    reason: str = ""
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def _days(a: datetime.date, b: datetime.date) -> int:
    return (b - a).days


def _between(rng: random.Random, a: datetime.date, b: datetime.date) -> datetime.date:
    """A random date in [a, b] (a when b < a)."""
    return a + datetime.timedelta(days=rng.randint(0, max(0, _days(a, b))))


def curve_date(u: float) -> datetime.date | None:
    """The establishment date at cumulative share `u` of the national curve, None past its end."""
    shares = [s for s, _ in EST_CURVE]
    if u >= shares[-1]:
        return None
    i = bisect.bisect_right(shares, u)
    (s0, d0), (s1, d1) = EST_CURVE[i - 1], EST_CURVE[i]
    return d0 + datetime.timedelta(days=int(_days(d0, d1) * (u - s0) / (s1 - s0)))


def curve_share(day: datetime.date) -> float:
    """The inverse of `curve_date`: the cumulative share reached on `day`."""
    for (s0, d0), (s1, d1) in itertools.pairwise(EST_CURVE):
        if day <= d1:
            return s0 + (s1 - s0) * max(0, _days(d0, day)) / _days(d0, d1)
    return EST_CURVE[-1][0]


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name (demo)."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def fake_phone(rng: random.Random) -> str:
    """A phone number no telephone can dial (area code 000, local number starting with 0)."""
    return f"000-0000{rng.randint(0, 9999):04d}"


def organisation_code(rng: random.Random) -> str:
    """A random nine-character organisation code (GB 11714) with its own check character."""
    body = [rng.randint(0, 9) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return "".join(map(str, body)) + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region_code: str, kind: str, taken: set[str]) -> str:
    """A valid, unused 统一社会信用代码 registered by civil affairs (5) in `region_code`.

    `kind` is the entity type: "1" 社会团体, "2" 民办非企业单位. The check character comes
    from `stdnum.cn.uscc.calc_check_digit`.
    """
    while True:
        body = f"5{kind}{region_code}{organisation_code(rng)}"
        code = body + stdnum_uscc.calc_check_digit(body)
        if code not in taken:
            taken.add(code)
            return code


class _Generator:
    """Builds the plans (pure data, no writes) from the regions and the seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.plans: list[Plan] = []
        self.usccs: set[str] = set()
        rows = Region.objects.filter(level__lte=Region.Level.COUNTY, valid_to__isnull=True)
        self.regions = [
            RegionRow(*r)
            for r in rows.order_by("code").values_list(
                "id", "code", "name", "level", "parent_id", "county_count"
            )
        ]
        self.by_id = {r.id: r for r in self.regions}
        self.by_code = {r.code: r for r in self.regions}
        self.name_count = Counter(r.name for r in self.regions if r.level == Region.Level.COUNTY)

    # -- helpers

    def place(self, region: RegionRow) -> str:
        """The region's name, with its parent's in front when the name alone is ambiguous."""
        if region.level == Region.Level.COUNTY and (
            self.name_count[region.name] > 1 or len(region.name) <= 2
        ):
            return self.by_id[region.parent_id].name + region.name
        return region.name

    def form(self, province_code: str) -> str:
        weights = GD_FORM_WEIGHTS if province_code == GUANGDONG else FORM_WEIGHTS
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def new_plan(self, region: RegionRow, form: str, established_on: datetime.date) -> Plan:
        rng = self.rng
        if region.code == ROOT_CODE:
            name, supervisor = "中国青年志愿者协会", "共青团中央"
        else:
            name = self.place(region) + FORM_SUFFIX[form]
            supervisor = f"共青团{self.place(region)}委员会"
        registered = region.level < Region.Level.COUNTY or rng.random() < 0.78
        fields = {
            "supervisor": supervisor,
            "address": f"{self.place(region)}青年路{rng.randint(1, 300)}号",
            "president_name": person_name(rng),
            "president_phone": fake_phone(rng),
            "secretary_name": person_name(rng),
            "secretary_phone": fake_phone(rng),
            "registered": registered,
        }
        if registered:
            fields["uscc"] = make_uscc(rng, region.code, "1", self.usccs)
            fields["registered_on"] = min(
                END, established_on + datetime.timedelta(days=rng.randint(20, 300))
            )
        plan = Plan(len(self.plans), region, name, form, established_on, fields)
        self.plans.append(plan)
        return plan

    def standardize(self, plan: Plan, on: datetime.date | None) -> None:
        if on is not None and plan.established_on <= on <= END:
            plan.standardized_on = on
            plan.events.append((on, "standardize", {}))

    # -- levels

    def build(self) -> list[Plan]:
        rng = self.rng
        root = self.by_code[ROOT_CODE]
        national = self.new_plan(root, AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION, D(1994, 12, 5))
        self.standardize(national, D(2020, 9, 30))
        provinces = [r for r in self.regions if r.level == Region.Level.PROVINCE and r.county_count]
        for prov in provinces:
            plan = self.new_plan(
                prov,
                AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
                _between(rng, D(1995, 3, 5), D(2003, 12, 5)),
            )
            self.standardize(plan, _between(rng, D(2020, 9, 1), D(2021, 12, 31)))
        province_ids = {p.id for p in provinces}
        for pref in (r for r in self.regions if r.level == Region.Level.PREFECTURE):
            if pref.parent_id not in province_ids:
                continue
            if pref.county_count and rng.random() < 0.07:
                continue  # most prefectures, not all
            province_code = self.by_id[pref.parent_id].code
            plan = self.new_plan(
                pref, self.form(province_code), _between(rng, D(1998, 1, 1), D(2016, 12, 31))
            )
            if rng.random() < 0.75:
                self.standardize(plan, _between(rng, D(2020, 6, 1), END))
            elif rng.random() < 0.15:
                self.progress(plan)
        counties_by_province: dict[str, list[RegionRow]] = defaultdict(list)
        for county in (r for r in self.regions if r.level == Region.Level.COUNTY):
            province = self.province_of(county)
            if province.id in province_ids:
                counties_by_province[province.code].append(county)
        for code in sorted(counties_by_province):
            if code == GUANGDONG:
                self.guangdong(counties_by_province[code])
            else:
                self.province_counties(code, counties_by_province[code])
        per_region = Counter(p.region.id for p in self.plans)
        for plan in self.plans:
            plan.rich = (
                plan.region.level <= Region.Level.PROVINCE
                or per_region[plan.region.id] > 1
                or plan.region.code in GD_NAMED
                or self.by_id[plan.region.parent_id].code == GUANGZHOU
                or any(kind != "standardize" for _, kind, _ in plan.events)
            )
        return self.plans

    def province_of(self, region: RegionRow) -> RegionRow:
        while region.level > Region.Level.PROVINCE:
            region = self.by_id[region.parent_id]
        return region

    def province_counties(self, code: str, counties: list[RegionRow]) -> None:
        """Counties of a province other than Guangdong, at that province's own pace."""
        rng = self.rng
        pace = rng.uniform(0.6, 1.5)  # >1: ahead of the national curve, <1: behind it
        for county in counties:
            established = curve_date(rng.random() ** pace)
            if established is None:
                continue
            plan = self.new_plan(county, self.form(code), established)
            roll = rng.random()
            if roll < 0.012 and established <= D(2019, 6, 30):
                self.dissolve_or_merge(plan, code, merge=roll < 0.004)
                continue
            if roll < 0.018 and established <= D(2023, 6, 30):
                self.suspend(plan)
            if rng.random() < 0.8:
                start = max(established + datetime.timedelta(days=90), D(2020, 1, 1))
                self.standardize(plan, start + datetime.timedelta(days=rng.randint(0, 1200)))
            if plan.standardized_on and not plan.has_status_events and rng.random() < 0.015:
                self.revoke(plan)
            elif plan.standardized_on is None and rng.random() < 0.06:
                self.progress(plan)

    def dissolve_or_merge(self, plan: Plan, province_code: str, *, merge: bool) -> None:
        """The association ends (dissolved, or merged into the city's); most get a successor."""
        rng = self.rng
        plan.has_status_events = True
        end = _between(
            rng,
            plan.established_on + datetime.timedelta(days=300),
            plan.established_on + datetime.timedelta(days=1100),
        )
        end = min(end, D(2021, 6, 30))
        if merge:
            plan.events.append((end, "merge", {"into_region": plan.region.parent_id}))
        else:
            plan.events.append((end, "dissolve", {"note": "理事会决议注销（演示）"}))
        if rng.random() < 0.75:
            successor = self.new_plan(
                plan.region,
                self.form(province_code),
                _between(
                    rng, end + datetime.timedelta(days=60), end + datetime.timedelta(days=700)
                ),
            )
            if rng.random() < 0.6:
                self.standardize(
                    successor,
                    successor.established_on + datetime.timedelta(days=rng.randint(120, 900)),
                )

    def suspend(self, plan: Plan) -> None:
        """A spell of suspension (暂停活动), usually followed by resumption."""
        rng = self.rng
        plan.has_status_events = True
        start = _between(rng, plan.established_on + datetime.timedelta(days=180), D(2023, 12, 31))
        plan.events.append((start, "suspend", {"note": "换届未完成，暂停活动（演示）"}))
        if rng.random() < 0.7:
            back = start + datetime.timedelta(days=rng.randint(90, 400))
            if back <= END:
                plan.events.append((back, "resume", {"note": "完成换届，恢复活动（演示）"}))

    def revoke(self, plan: Plan) -> None:
        """One verified item withdrawn later (standardization lost), re-verified in most cases."""
        rng = self.rng
        on = plan.standardized_on + datetime.timedelta(days=rng.randint(200, 700))
        if on > END:
            return
        item = rng.randrange(10)
        plan.events.append((on, "revoke", {"item": item}))
        back = on + datetime.timedelta(days=rng.randint(30, 300))
        if back <= END and rng.random() < 0.6:
            plan.events.append((back, "reverify", {"item": item}))

    def progress(self, plan: Plan) -> None:
        """Part-way through the checklist: some items verified, some waiting, some returned."""
        rng = self.rng
        on = _between(rng, max(plan.established_on, D(2022, 1, 1)), END)
        items = list(range(10))
        rng.shuffle(items)
        k, m = rng.randint(2, 6), rng.randint(1, 4)
        r = rng.choice((0, 0, 1, 1, 2))
        plan.events.append(
            (
                on,
                "progress",
                {
                    "verify": items[:k],
                    "submit": items[k : k + m],
                    "return": items[k + m : k + m + r],
                    "reason": rng.choice(RETURN_REASONS),
                },
            )
        )

    def guangdong(self, counties: list[RegionRow]) -> None:
        """Guangdong's counties, fixed to the bulletin: 106 established and 84 standardized."""
        rng = self.rng
        open_ = [c for c in counties if c.code not in GD_UNCOVERED]
        named = [c for c in open_ if c.code in GD_NAMED]
        others = [c for c in open_ if c.code not in GD_NAMED]
        rng.shuffle(others)
        early = named + others[: GD_COUNTIES_ESTABLISHED - len(named)]
        late = others[GD_COUNTIES_ESTABLISHED - len(named) :]
        before = BULLETIN_DATE - datetime.timedelta(days=1)
        last_share = curve_share(before)
        early_plans = []
        for county in early:
            established = curve_date(rng.uniform(0, last_share)) or before
            form = GD_NAMED.get(county.code) or self.form(GUANGDONG)
            early_plans.append(self.new_plan(county, form, min(established, before)))
        named_std = [p for p in early_plans if p.region.code in GD_NAMED_STANDARDIZED]
        rest = [p for p in early_plans if p.region.code not in GD_NAMED_STANDARDIZED]
        rng.shuffle(rest)
        standardized = named_std + rest[: GD_COUNTIES_STANDARDIZED - len(named_std)]
        for plan in standardized:
            low = max(plan.established_on + datetime.timedelta(days=60), D(2019, 1, 1))
            self.standardize(plan, min(_between(rng, low, BULLETIN_DATE), BULLETIN_DATE))
        for plan in rest[GD_COUNTIES_STANDARDIZED - len(named_std) :]:
            roll = rng.random()
            if roll < 0.6:  # standardized after the bulletin
                self.standardize(plan, _between(rng, D(2021, 7, 1), END))
            elif roll < 0.85:
                self.progress(plan)
        for county in late:
            plan = self.new_plan(
                county, self.form(GUANGDONG), _between(rng, D(2021, 5, 20), D(2024, 6, 30))
            )
            if rng.random() < 0.5:
                self.standardize(
                    plan, plan.established_on + datetime.timedelta(days=rng.randint(120, 700))
                )
            else:
                self.progress(plan)


# ------------------------------------------------------------------------------ apply


class _Applier:
    """Replays the plans' events in date order through the ledger services."""

    def __init__(self, plans: list[Plan]):
        self.plans = plans
        self.items = list(ChecklistItem.objects.filter(active=True).order_by("position", "code"))
        self.assoc: dict[int, Association] = {}
        self.live_by_region: dict[int, Association] = {}

    def run(self) -> None:
        """National and provinces by service, then the simple majority in bulk, then the rest."""
        rich = [p for p in self.plans if p.rich]
        self.replay([p for p in rich if p.region.level <= Region.Level.PROVINCE])
        self.bulk([p for p in self.plans if not p.rich])
        self.replay([p for p in rich if p.region.level > Region.Level.PROVINCE])

    def replay(self, plans: list[Plan]) -> None:
        """Apply the plans' creation and events in date order through the services."""
        events = []
        for plan in plans:
            events.append((plan.established_on, len(events), "create", plan, {}))
            for on, kind, payload in plan.events:
                events.append((on, len(events), kind, plan, payload))
        events.sort(key=lambda e: (e[0], e[1]))
        for on, _, kind, plan, payload in events:
            getattr(self, f"do_{kind}")(plan, on, payload)

    def bulk(self, plans: list[Plan]) -> None:
        """Insert plans with no history beyond creation and standardization, as the services would.

        Each is the first association on its region (sequence 01 of its unified number), active
        since its established date; standardized ones get every required item verified on their
        standardization date and an open standardization period from it; each gets the seat
        its live parent association holds for it (since the later of the two status dates).
        One change-log entry per model records the bulk load.
        """
        now = timezone.now()
        required = [i for i in self.items if i.required]
        rows = []
        for plan in sorted(plans, key=lambda p: (p.region.level, p.region.code)):
            assert all(kind == "standardize" for _, kind, _ in plan.events), plan
            rows.append(
                Association(
                    number=number_format(plan.region.code, plan.region.level, 1),
                    region_id=plan.region.id,
                    level=plan.region.level,
                    name=plan.name,
                    form=plan.form,
                    established_on=plan.established_on,
                    status=AssociationStatus.ACTIVE,
                    status_since=plan.established_on,
                    standardized_since=plan.standardized_on,
                    note=DEMO_NOTE,
                    is_demo=True,
                    **plan.fields,
                )
            )
        created = Association.objects.bulk_create(rows, batch_size=500)
        by_region = {a.region_id: a for a in created}
        AssociationStatusPeriod.objects.bulk_create(
            [
                AssociationStatusPeriod(
                    association=a,
                    region_id=a.region_id,
                    status=AssociationStatus.ACTIVE,
                    start=a.established_on,
                )
                for a in created
            ],
            batch_size=1000,
        )
        standardized = [a for a in created if a.standardized_since]
        StandardizationPeriod.objects.bulk_create(
            [
                StandardizationPeriod(
                    association=a, region_id=a.region_id, start=a.standardized_since
                )
                for a in standardized
            ],
            batch_size=1000,
        )
        entries = ChecklistEntry.objects.bulk_create(
            [
                ChecklistEntry(
                    association=a,
                    item=item,
                    state=ChecklistState.VERIFIED,
                    note="按认定日期录入（演示）",
                    submitted_at=now,
                    decided_at=now,
                    verified_on=a.standardized_since,
                )
                for a in standardized
                for item in required
            ],
            batch_size=1000,
        )
        ChecklistVerification.objects.bulk_create(
            [ChecklistVerification(entry=e, start=e.verified_on) for e in entries],
            batch_size=1000,
        )
        self.live_by_region.update(by_region)
        parent_of = dict(
            Region.objects.filter(id__in=list(by_region)).values_list("id", "parent_id")
        )
        seats = []
        for a in created:
            holder = self.live_by_region.get(parent_of[a.region_id])
            if holder is not None:
                seats.append(
                    Seat(
                        holder=holder,
                        member=a,
                        representative=a.president_name,
                        since=max(holder.status_since, a.status_since),
                    )
                )
        Seat.objects.bulk_create(seats, batch_size=1000)
        _bulk_log(Association, len(created), "协会（含状态期间与规范化期间）")
        _bulk_log(ChecklistEntry, len(entries), "规范化建设材料（已核验）")
        _bulk_log(Seat, len(seats), "席位")

    def _item(self, index: int) -> ChecklistItem:
        return self.items[index % len(self.items)]

    def _entry(self, plan: Plan, index: int) -> ChecklistEntry:
        return ChecklistEntry.objects.get(association=self.assoc[plan.key], item=self._item(index))

    def do_create(self, plan: Plan, on, payload) -> None:
        region = Region.objects.get(pk=plan.region.id)
        a = services.association_create(
            actor=None,
            region=region,
            name=plan.name,
            form=plan.form,
            established_on=plan.established_on,
            note=DEMO_NOTE,
            is_demo=True,
            **plan.fields,
        )
        self.assoc[plan.key] = a
        self.live_by_region[region.id] = a

    def do_standardize(self, plan: Plan, on, payload) -> None:
        a = self.assoc[plan.key]
        self.assoc[plan.key] = services.association_standardize(
            actor=None, association=a, on=on, note="按认定日期录入（演示）"
        )

    def do_suspend(self, plan: Plan, on, payload) -> None:
        a = services.association_suspend(
            actor=None, association=self.assoc[plan.key], on=on, **payload
        )
        self.assoc[plan.key] = a

    def do_resume(self, plan: Plan, on, payload) -> None:
        a = services.association_resume(
            actor=None, association=self.assoc[plan.key], on=on, **payload
        )
        self.assoc[plan.key] = a

    def do_dissolve(self, plan: Plan, on, payload) -> None:
        a = services.association_dissolve(
            actor=None, association=self.assoc[plan.key], on=on, **payload
        )
        self.assoc[plan.key] = a
        self.live_by_region.pop(plan.region.id, None)

    def do_merge(self, plan: Plan, on, payload) -> None:
        into = self.live_by_region.get(payload["into_region"])
        if into is None:  # no city association: merge into the province's
            province = plan.region
            while province.level > Region.Level.PROVINCE:
                province = Region.objects.get(pk=province.parent_id)
            into = self.live_by_region[province.id]
        a = services.association_merge(
            actor=None,
            association=self.assoc[plan.key],
            into=into,
            on=on,
            note=f"并入{into.name}（演示）",
        )
        self.assoc[plan.key] = a
        self.live_by_region.pop(plan.region.id, None)

    def _submit(self, plan: Plan, index: int) -> ChecklistEntry:
        item = self._item(index)
        return services.checklist_entry_submit(
            actor=None,
            association=self.assoc[plan.key],
            item=item,
            note=f"已按要求落实“{item.title}”，材料见附件（演示）。",
        )

    def do_revoke(self, plan: Plan, on, payload) -> None:
        services.checklist_entry_revoke(
            actor=None, entry=self._entry(plan, payload["item"]), reason=REVOKE_REASON, on=on
        )

    def do_reverify(self, plan: Plan, on, payload) -> None:
        entry = self._submit(plan, payload["item"])
        services.checklist_entry_verify(actor=None, entry=entry, on=on)

    def do_progress(self, plan: Plan, on, payload) -> None:
        if not self.assoc[plan.key].is_live:
            return
        for index in payload["verify"]:
            services.checklist_entry_verify(actor=None, entry=self._submit(plan, index), on=on)
        for index in payload["submit"]:
            self._submit(plan, index)
        for index in payload["return"]:
            services.checklist_entry_return(
                actor=None, entry=self._submit(plan, index), reason=payload["reason"]
            )


# ------------------------------------------------------------------------- bulk rows


def _bulk_log(model, count: int, what: str) -> None:
    """One change-log entry recording a bulk demo insert of `count` rows of `model`."""
    from qingxie.core.changelog import bump_figure_versions

    bump_figure_versions(model, [""])  # the nation: every cached figure of its domain
    ctx = current_context()
    ObjectChange.objects.create(
        user=None,
        user_name=ctx.channel,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        channel=ctx.channel,
        action=ObjectChange.Action.CREATE,
        content_type=ContentType.objects.get_for_model(model),
        object_id="",
        object_repr=f"演示数据批量载入：{what} {count:,} 条",
        after={"count": count, "is_demo": True, "seed": SEED},
        note=f"演示数据批量载入（未逐条记录变更）：{what} {count:,} 条。",
    )


def _teams(rng: random.Random, associations: list[Association]) -> list[Team]:
    """Exactly TEAMS_TOTAL teams for the live associations that sit over townships."""
    townships = defaultdict(list)
    for tid, name, parent_id in Region.objects.filter(
        level=Region.Level.TOWNSHIP, valid_to__isnull=True
    ).values_list("id", "name", "parent_id"):
        townships[parent_id].append((tid, name))
    hosts = [a for a in associations if townships.get(a.region_id)]
    teams: list[Team] = []

    def team(a: Association, category: str, name: str, township_id=None) -> Team:
        founded = min(END, _between(rng, a.established_on + datetime.timedelta(days=20), END))
        dissolved = None
        if rng.random() < 0.03 and founded < END:
            dissolved = _between(rng, founded + datetime.timedelta(days=1), END)
        return Team(
            association=a,
            region_id=a.region_id,
            township_id=township_id,
            # The demo only places teams on townships directly under their association's region.
            township_parent_id=a.region_id if township_id else None,
            name=name,
            category=category,
            leader_name=person_name(rng),
            leader_phone=fake_phone(rng),
            member_count=rng.randint(8, 150),
            founded_on=founded,
            status=TeamStatus.DISSOLVED if dissolved else TeamStatus.ACTIVE,
            dissolved_on=dissolved,
            is_demo=True,
        )

    for a in hosts:
        places = townships[a.region_id]
        share = rng.uniform(0.3, 0.85)
        for tid, tname in places:
            if rng.random() < share:
                teams.append(team(a, TeamCategory.TOWNSHIP, f"{tname}青年志愿服务队", tid))
    counters: dict[int, Counter] = defaultdict(Counter)
    while len(teams) < TEAMS_TOTAL:
        a = rng.choice(hosts)
        place = a.name.removesuffix(FORM_SUFFIX.get(a.form, "")) or a.region.name
        category = rng.choices(
            TEAM_CATEGORIES,
            weights=TEAM_CATEGORY_WEIGHTS,
        )[0]
        township_id = None
        if category == TeamCategory.SCHOOL:
            name = f"{place}{rng.choice(SCHOOL_NAMES)}青年志愿者服务队"
        elif category == TeamCategory.ENTERPRISE:
            name = f"{place}{rng.choice(ENTERPRISE_NAMES)}青年志愿服务队"
        elif category == TeamCategory.INDUSTRY:
            name = f"{place}{rng.choice(INDUSTRY_NAMES)}青年志愿服务队"
        elif category == TeamCategory.COMMUNITY:
            township_id, tname = rng.choice(townships[a.region_id])
            name = f"{tname}{rng.choice(COMMUNITY_NAMES)}社区志愿服务队"
        else:
            name = f"{place}{rng.choice(OTHER_TEAM_NAMES)}"
        counters[a.pk][name] += 1
        if counters[a.pk][name] > 1:
            name = f"{name}（{counters[a.pk][name]}）"
        teams.append(team(a, category, name, township_id))
    return teams[:TEAMS_TOTAL]


def _group_members(rng: random.Random, associations: list[Association]) -> list[GroupMember]:
    """A few group members (团体会员) for each live association, some since withdrawn."""
    taken: set[str] = set(
        GroupMember.objects.exclude(uscc="").values_list("uscc", flat=True)
    ) | set(Association.objects.exclude(uscc="").values_list("uscc", flat=True))
    out = []
    for a in associations:
        count = rng.randint(0, 4) if a.level == Region.Level.COUNTY else rng.randint(3, 10)
        place = a.name.removesuffix(FORM_SUFFIX.get(a.form, "")) or a.region.name
        if a.region.code == ROOT_CODE:
            place = "中国"
        for template, kind in rng.sample(GROUP_MEMBER_TEMPLATES, count):
            admitted = min(END, _between(rng, a.established_on + datetime.timedelta(days=30), END))
            withdrawn = rng.random() < 0.05 and admitted < END
            out.append(
                GroupMember(
                    association=a,
                    name=template.format(place=place),
                    kind=kind,
                    admitted_on=admitted,
                    uscc=make_uscc(rng, a.region.code, "2", taken) if rng.random() < 0.4 else "",
                    contact_name=person_name(rng),
                    contact_phone=fake_phone(rng),
                    status=GroupMemberStatus.WITHDRAWN if withdrawn else GroupMemberStatus.ACTIVE,
                    left_on=_between(rng, admitted, END) if withdrawn else None,
                    is_demo=True,
                )
            )
    return out


# ------------------------------------------------------------------------------ entry


def _work_for_the_demo_accounts() -> None:
    """Give the demo province and city accounts something in their verification queues.

    广州市's own association submits three items (the province, demo-gd, verifies them), and
    从化区's leader training is revoked as out of date and submitted again (the city, demo-gz,
    verifies it). Both happen after END, so the bulletin figures are untouched.
    """
    on = END + datetime.timedelta(days=30)
    city = Association.objects.get(region__code="440100", is_demo=True, status__in=LIVE_STATUSES)
    for item in services.required_items()[:3]:
        entry = ChecklistEntry.objects.filter(association=city, item=item).first()
        if entry is None or entry.state in (ChecklistState.PENDING, ChecklistState.RETURNED):
            services.checklist_entry_submit(
                actor=None,
                association=city,
                item=item,
                note=f"已按要求落实“{item.title}”，材料见附件（演示）。",
            )
    county = Association.objects.get(region__code="440117", is_demo=True, status__in=LIVE_STATUSES)
    training = ChecklistEntry.objects.get(association=county, item__code="training")
    if training.state == ChecklistState.VERIFIED:
        services.checklist_entry_revoke(
            actor=None, entry=training, reason="负责人培训须每年参加，请提交本年度培训证明。", on=on
        )
    services.checklist_entry_submit(
        actor=None,
        association=county,
        item=training.item,
        note="负责人已参加本年度市青协组织的培训，附结业证明（演示）。",
    )


def demo_ledger_counts() -> dict[str, int]:
    """How many demo rows the ledger holds, by kind (for the command's summary)."""
    demo = Association.objects.filter(is_demo=True)
    return {
        "associations": demo.count(),
        "county_associations": demo.filter(level=Region.Level.COUNTY).count(),
        "live_associations": demo.filter(status__in=LIVE_STATUSES).count(),
        "standardized": demo.filter(standardized_since__isnull=False).count(),
        "awaiting_verification": ChecklistEntry.objects.filter(
            association__is_demo=True, state=ChecklistState.SUBMITTED
        ).count(),
        "returned": ChecklistEntry.objects.filter(
            association__is_demo=True, state=ChecklistState.RETURNED
        ).count(),
        "group_members": GroupMember.objects.filter(is_demo=True).count(),
        "teams": Team.objects.filter(is_demo=True).count(),
    }


def _check_guangdong() -> None:
    """The loaded ledger must reproduce the bulletin; a mismatch is a bug in the generator."""
    from qingxie.ledger.coverage import coverage_tree

    node = coverage_tree(Region.objects.get(code=GUANGDONG), BULLETIN_DATE, depth=0)
    got = (node.counties, node.established, node.standardized)
    want = (122, GD_COUNTIES_ESTABLISHED, GD_COUNTIES_STANDARDIZED)
    if got != want:
        raise AssertionError(f"演示台账与广东通报不符：{got} != {want}")


@transaction.atomic
def demo_ledger_load(seed: int = SEED) -> DemoLedgerResult:
    """Load the demo national ledger once; skip when it (or any real association) is present."""
    if Association.objects.filter(is_demo=True).exists():
        return DemoLedgerResult(False, "演示台账已存在，未重复载入。", counts=demo_ledger_counts())
    if Association.objects.exists():
        return DemoLedgerResult(False, "数据库中已有真实协会数据，未载入演示台账。")
    if not Region.objects.filter(code=GUANGDONG).exists():
        return DemoLedgerResult(False, "尚未载入行政区划，未载入演示台账。")
    started = time.perf_counter()
    plans = _Generator(seed).build()
    _Applier(plans).run()
    rng = random.Random(seed + 1)
    live = list(
        Association.objects.filter(is_demo=True, status__in=LIVE_STATUSES)
        .select_related("region")
        .order_by("number")
    )
    members = GroupMember.objects.bulk_create(_group_members(rng, live), batch_size=2000)
    teams = Team.objects.bulk_create(_teams(rng, live), batch_size=2000)
    _bulk_log(GroupMember, len(members), "团体会员")
    _bulk_log(Team, len(teams), "基层队伍")
    _work_for_the_demo_accounts()
    _check_guangdong()
    return DemoLedgerResult(
        True, seconds=time.perf_counter() - started, counts=demo_ledger_counts()
    )
