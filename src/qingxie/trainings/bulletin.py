"""The bulletin's paragraph on trainings, written from the data in the seed's own form:
“于2020年11月和2021年4月分别举办两期全省志愿服务骨干人才班，面向180多名市县两级志愿者联合会
（义工联）、青年志愿者协会负责人，围绕……等开展专题培训。”"""

from __future__ import annotations

import datetime
import re

from qingxie.core.extensions import BulletinSection
from qingxie.ledger.choices import AssociationForm
from qingxie.regions.models import Region
from qingxie.trainings import selectors
from qingxie.trainings.choices import LEADER_ROLES, TrainingStatus
from qingxie.trainings.models import Attendee, Training

NUMERALS = "零一两三四五六七八九十"
LEVEL_WORDS = {0: "全国", 1: "省", 2: "市", 3: "县"}
#: The seed names the federations first, with 义工联 in brackets.
FORM_WORDS = (
    (AssociationForm.VOLUNTEER_FEDERATION, "志愿者联合会"),
    (AssociationForm.YIGONG_FEDERATION, "义工联"),
    (AssociationForm.VOLUNTEER_SERVICE_FEDERATION, "志愿服务联合会"),
    (AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION, "青年志愿者协会"),
)


def count_cn(n: int) -> str:
    """两期, 三期 … in words up to ten, digits beyond."""
    return NUMERALS[n] if 0 < n <= 10 else str(n)


def about(n: int) -> str:
    """180多名 for 183; 20名 for exactly 20; small counts as they are."""
    if n >= 20 and n % 10:
        return f"{n // 10 * 10}多"
    return str(n)


def months_cn(days: list[datetime.date]) -> str:
    """2020年11月和2021年4月 (the year once when it does not change: 2021年3月、5月和9月)."""
    months = sorted({(d.year, d.month) for d in days})
    words, year = [], None
    for y, m in months:
        words.append(f"{y}年{m}月" if y != year else f"{m}月")
        year = y
    if len(words) == 1:
        return words[0]
    return "、".join(words[:-1]) + "和" + words[-1]


def class_name(titles: list[str]) -> str:
    """The class the sessions share (“全省志愿服务骨干人才班（第一期）” → “全省志愿服务骨干人才班”)."""
    stems = {re.sub(r"[（(][^）)]*[）)]$|第.期$", "", t).strip() for t in titles}
    return stems.pop() if len(stems) == 1 else "培训班"


def topics_of(trainings: list[Training], limit: int = 3) -> list[str]:
    seen: list[str] = []
    for t in trainings:
        for part in re.split(r"[、；;，,\n]+", t.topics or ""):
            part = part.strip().rstrip("。")
            if part and part not in seen:
                seen.append(part)
    return seen[:limit]


def who_attended(attendees: list[tuple[int, str, str]]) -> str:
    """市县两级志愿者联合会（义工联）、青年志愿者协会负责人 from (level, form, role) rows."""
    levels = sorted({lv for lv, _, _ in attendees if lv in LEVEL_WORDS})
    if len(levels) == 2:
        level_word = f"{LEVEL_WORDS[levels[0]]}{LEVEL_WORDS[levels[1]]}两级"
    elif len(levels) > 2:
        level_word = "".join(LEVEL_WORDS[lv] for lv in levels) + f"{count_cn(len(levels))}级"
    elif levels:
        level_word = f"{LEVEL_WORDS[levels[0]]}级"
    else:
        level_word = ""
    forms = {f for _, f, _ in attendees}
    names = []
    federations = [w for f, w in FORM_WORDS[:3] if f in forms]
    if AssociationForm.VOLUNTEER_FEDERATION in forms and AssociationForm.YIGONG_FEDERATION in forms:
        names.append("志愿者联合会（义工联）")
        federations = [w for w in federations if w not in ("志愿者联合会", "义工联")]
    names += federations
    if AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION in forms or not names:
        names.append("青年志愿者协会")
    leaders = all(role in LEADER_ROLES for _, _, role in attendees)
    return f"{level_word}{'、'.join(names)}{'负责人' if leaders else '负责人和骨干'}"


def training_paragraph(region: Region, start: datetime.date, end: datetime.date) -> str:
    """The seed's sentence about the trainings the region's own association held in
    [start, end]; "" when it held none."""
    trainings = list(
        selectors.trainings_in(region, start, end)
        .filter(organiser__region=region)
        .order_by("start_date", "id")
    )
    if not trainings:
        return ""
    people = list(
        Attendee.objects.filter(training__in=trainings, attended=True).values_list(
            "association__level", "association__form", "role"
        )
    )
    n = len(trainings)
    when = months_cn([t.start_date for t in trainings])
    how_many = f"分别举办{count_cn(n)}期" if n > 1 else "举办一期"
    sentence = (
        f"{trainings[0].organiser.name}于{when}{how_many}{class_name([t.title for t in trainings])}"
    )
    if people:
        sentence += f"，面向{about(len(people))}名{who_attended(people)}"
    topics = topics_of(trainings)
    if topics:
        sentence += f"，围绕{'、'.join(topics)}等开展专题培训"
    return sentence + "。"


def compliance_paragraph(region: Region, as_of: datetime.date) -> str:
    """This year's yearly rule in a sentence (每年至少培训一次)."""
    figures = selectors.compliance(region, as_of.year, as_of)
    parts = []
    organisers = figures["organisers_required"] - int(figures["own_required"])
    if organisers:
        word = "省、市两级协会" if region.level == 0 else "市级协会"
        parts.append(
            f"{organisers}个{word}中已有"
            f"{figures['organisers_held'] - int(figures['own_held'])}个举办负责人培训"
        )
    if figures["counties_required"]:
        parts.append(
            f"{figures['counties_required']}个县级协会中有{figures['counties_trained']}个的负责人"
            f"参加了培训（{figures['county_rate']}%）"
        )
    if not parts:
        return ""
    return f"{as_of.year}年以来（截至{as_of.month}月{as_of.day}日），" + "，".join(parts) + "。"


def sections(region: Region, as_of: datetime.date) -> list[BulletinSection]:
    """The bulletin's 培训 section: what the region's association held since the start of
    the previous year, and this year's yearly rule; [] when there is nothing to say."""
    if region.level >= Region.Level.TOWNSHIP:
        return []
    start = datetime.date(as_of.year - 1, 1, 1)
    paragraphs = [p for p in (training_paragraph(region, start, as_of),) if p]
    held_below = (
        selectors.trainings_in(region, datetime.date(as_of.year, 1, 1), as_of)
        .exclude(organiser__region=region)
        .filter(status=TrainingStatus.HELD)
        .count()
    )
    if (paragraphs or held_below) and (line := compliance_paragraph(region, as_of)):
        paragraphs.append(line)
    return [BulletinSection("骨干培训", paragraphs)] if paragraphs else []
