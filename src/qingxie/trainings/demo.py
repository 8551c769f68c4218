"""Demo trainings on top of the demo ledger (registered as a `qingxie demo` step; all demo).

* Guangdong's two province sessions of 全省志愿服务骨干人才班, 2020-11 and 2021-04, with at
  least 180 attendees from its city and county associations, as its bulletin reports
  (广东志愿服务工作信息 2021年第5期, 三);
* a yearly leaders' training by most province and city associations from 2020 to this year,
  with the county associations' leaders attending most of them — a few provinces lag (fewer
  cities train, fewer counties send their leaders), so the yearly rule has laggards.

Generated from a fixed seed. Trainings and attendees are bulk-inserted with one change-log
entry each (`log_created_bulk`); the checklist item 负责人年度培训 of every association whose
leader attended is then re-judged once (`ledger.services.standardization_refresh`). Guangdong's
bulletin figures on 2021-05-06 (84 of 122 standardized) are kept: the two province sessions
list leaders only for associations that attendance would not newly standardize that day, the
others' secretariat staff (a check after loading proves it).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qingxie.core.changelog import log_created_bulk
from qingxie.ledger.choices import AssociationStatus
from qingxie.ledger.models import Association, AssociationStatusPeriod
from qingxie.regions.models import Region
from qingxie.trainings.choices import LEADER_ROLES, TrainingStatus
from qingxie.trainings.models import Attendee, Training

SEED = 20201116
D = datetime.date
GUANGDONG = "440000"
BULLETIN_DATE = D(2021, 5, 6)
GD_SESSIONS = (
    ("全省志愿服务骨干人才班（第一期）", D(2020, 11, 16), D(2020, 11, 20), "广州"),
    ("全省志愿服务骨干人才班（第二期）", D(2021, 4, 12), D(2021, 4, 16), "韶关"),
)
GD_TOPICS = "志愿服务组织战略和能力建设、品牌管理与传播沟通、志愿服务项目设计与运营"
TOPICS = (
    "县级青年志愿者协会规范化建设、协会章程与内部治理、志愿服务项目设计",
    "志愿服务记录与证明出具、志愿者招募与激励、关爱行动项目实施",
    "益苗计划项目申报、志愿服务品牌传播、青年之家阵地建设",
    "志愿者权益保障、应急志愿服务组织、信息平台使用",
)
#: Provinces whose cities and counties lag on the yearly rule (a cadre has something to chase).
LAGGING = {"150000", "230000", "460000", "540000", "620000", "630000", "650000"}
DEMO_NOTE = "演示数据：由 qingxie demo 按固定随机种子生成，非真实信息。"


class _ActiveOn:
    """The demo associations active on a day, from their status periods read once (a query
    per training made this step take a minute)."""

    def __init__(self) -> None:
        self.periods = list(
            AssociationStatusPeriod.objects.filter(
                status=AssociationStatus.ACTIVE, association__is_demo=True
            ).values_list("association_id", "start", "end")
        )
        self.days: dict[datetime.date, set[int]] = {}

    def __call__(self, day: datetime.date) -> set[int]:
        if day not in self.days:
            self.days[day] = {
                pk for pk, start, end in self.periods if start <= day and (end is None or end > day)
            }
        return self.days[day]


def _person(rng: random.Random, association: Association, role: str) -> str:
    from qingxie.ledger.demo import person_name

    if role == "president" and association.president_name:
        return association.president_name
    if role == "secretary_general" and association.secretary_name:
        return association.secretary_name
    return person_name(rng)


class _Loader:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.trainings: list[Training] = []
        self.people: list[tuple[int, Attendee]] = []  # (index of training, attendee)
        self.active_on = _ActiveOn()

    def training(self, organiser, title, start, end, *, kind, audience, topics, place, hours):
        self.trainings.append(
            Training(
                organiser=organiser,
                region_path=organiser.region_path,
                title=title,
                kind=kind,
                audience=audience,
                mode=self.rng.choice(("offline", "offline", "offline", "hybrid", "online")),
                start_date=start,
                end_date=end,
                place=place,
                class_hours=Decimal(hours),
                topics=topics,
                capacity=None,
                status=TrainingStatus.HELD,
                note=DEMO_NOTE,
                is_demo=True,
            )
        )
        return len(self.trainings) - 1

    def attendee(self, index, association, role, hours, *, seen):
        name = _person(self.rng, association, role)
        if (index, association.pk, name) in seen:
            return
        seen.add((index, association.pk, name))
        number = len(self.people) + 1
        self.people.append(
            (
                index,
                Attendee(
                    association=association,
                    association_path=association.region_path,
                    name=name,
                    role=role,
                    attended=True,
                    hours=Decimal(hours),
                    completion_number=f"JY{self.trainings[index].start_date:%Y}-{number:06d}",
                    is_demo=True,
                ),
            )
        )

    # ------------------------------------------------------------------ guangdong

    def guangdong(self, associations, standardized_then: set[int]) -> None:
        gd = next(a for a in associations if a.region.code == GUANGDONG)
        below = [
            a for a in associations if a.region_path.startswith(gd.region_path) and a.level > 1
        ]
        for title, start, end, place in GD_SESSIONS:
            index = self.training(
                gd,
                title,
                start,
                end,
                kind="backbone",
                audience=",leaders,backbone,",
                topics=GD_TOPICS,
                place=f"{place}市（广东青年职业学院）",
                hours="32",
            )
            active = self.active_on(end)
            # About ninety associations a session: 180多名 over the two, as the bulletin says.
            sent = [a for a in below if a.pk in active]
            cities = [a for a in sent if a.level == 2]
            counties = [a for a in sent if a.level == 3]
            sent = cities + self.rng.sample(counties, min(len(counties), 92 - len(cities)))
            seen: set = set()
            for a in sent:
                # Attendance in April 2021 would newly verify the training item before the
                # bulletin's date: those associations send their secretariat staff instead.
                newly = (
                    end.year == BULLETIN_DATE.year
                    and end <= BULLETIN_DATE
                    and a.pk not in standardized_then
                )
                role = "secretariat_staff" if newly else self.rng.choice(LEADER_ROLES)
                self.attendee(index, a, role, "32", seen=seen)

    # ---------------------------------------------------------------- everywhere

    def yearly(self, associations) -> None:
        by_parent: dict[str, list[Association]] = {}
        city_paths = {a.region_path for a in associations if a.level == 2}
        for a in associations:
            if a.level == 3:
                parent = a.region_path[: a.region_path.rstrip("/").rfind("/") + 1]
                if parent not in city_paths:
                    # No city association above (a municipality's 市辖区, a county directly
                    # under its province): the province's training is theirs.
                    parent = "/".join(a.region_path.split("/")[:2]) + "/"
                by_parent.setdefault(parent, []).append(a)
        for year in range(2020, self.today.year + 1):
            last = min(D(year, 12, 20), self.today - datetime.timedelta(days=1))
            mid = min(D(year, 6, 30), last)
            active = self.active_on(mid)
            for a in associations:
                if a.level not in (1, 2) or a.pk not in active:
                    continue
                province = a.region_path.split("/")[1]
                lagging = province in LAGGING
                if a.level == 1 and province == GUANGDONG and year <= 2021:
                    continue  # the two sessions above
                chance = (0.55 if lagging else 0.85) if a.level == 2 else 0.9
                if self.rng.random() > chance:
                    continue
                first = D(year, 3, 1)
                if province == GUANGDONG and year == 2021:
                    first = BULLETIN_DATE + datetime.timedelta(days=1)  # after the bulletin
                if first > last:
                    continue
                start = first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))
                end = min(start + datetime.timedelta(days=self.rng.choice((0, 1, 2))), last)
                hours = str(8 * ((end - start).days + 1))
                level_word = "全省" if a.level == 1 else "全市"
                index = self.training(
                    a,
                    f"{year}年{level_word}青年志愿者协会负责人培训班",
                    start,
                    end,
                    kind="leaders",
                    audience=",leaders,secretariat,",
                    topics=self.rng.choice(TOPICS),
                    place=f"{a.region.name}青年之家",
                    hours=hours,
                )
                on_day = self.active_on(end)
                seen: set = set()
                send = 0.5 if lagging else 0.8
                for county in by_parent.get(a.region_path, ()):
                    if county.pk in on_day and self.rng.random() < send:
                        role = self.rng.choice((*LEADER_ROLES, "president", "secretariat_staff"))
                        self.attendee(index, county, role, hours, seen=seen)

    def write(self) -> list[int]:
        for start in range(0, len(self.trainings), 2000):
            chunk = self.trainings[start : start + 2000]
            Training.objects.bulk_create(chunk)
            log_created_bulk(chunk)
        rows = []
        for index, attendee in self.people:
            training = self.trainings[index]
            attendee.training = training
            attendee.region_path = training.region_path
            rows.append(attendee)
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            Attendee.objects.bulk_create(chunk)
            log_created_bulk(chunk)
        return sorted({a.association_id for a in rows if a.role in LEADER_ROLES})


def _gd_standardized(day: datetime.date) -> int:
    from qingxie.ledger.coverage import coverage_tree

    return coverage_tree(Region.objects.get(code=GUANGDONG), day, depth=0).standardized


@transaction.atomic
def demo_trainings_load(seed: int = SEED) -> dict:
    """Load the demo trainings once (skipped when present or without the demo ledger)."""
    if Training.objects.filter(is_demo=True).exists():
        return {"created": False}
    if not Association.objects.filter(is_demo=True, region__code=GUANGDONG).exists():
        return {"created": False}
    from qingxie.ledger.models import StandardizationPeriod
    from qingxie.ledger.services import standardization_refresh

    before = _gd_standardized(BULLETIN_DATE)
    standardized_then = set(
        StandardizationPeriod.objects.filter(start__lte=BULLETIN_DATE)
        .filter(Q(end__isnull=True) | Q(end__gt=BULLETIN_DATE))
        .values_list("association_id", flat=True)
    )
    associations = list(
        Association.objects.filter(is_demo=True, level__in=(1, 2, 3))
        .select_related("region")
        .order_by("number")
    )
    loader = _Loader(seed)
    loader.guangdong(associations, standardized_then)
    loader.yearly(associations)
    leaders = loader.write()
    standardization_refresh(association_ids=leaders)
    after = _gd_standardized(BULLETIN_DATE)
    if after != before:
        raise AssertionError(f"演示培训改变了广东通报日的规范化数：{before} → {after}")
    return {
        "created": True,
        "trainings": len(loader.trainings),
        "attendees": len(loader.people),
    }
