"""The bulletin's paragraph on trainings, written from the data in the seed's own form:
“于2020年11月和2021年4月分别举办两期全省志愿服务骨干人才班，面向180多名市县两级志愿者联合会
（义工联）、青年志愿者协会负责人，围绕……等开展专题培训。”"""

from __future__ import annotations

import datetime
import re

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from qingxie.core.extensions import BulletinSection
from qingxie.ledger.choices import AssociationForm
from qingxie.regions.models import Region
from qingxie.trainings import selectors
from qingxie.trainings.choices import LEADER_ROLES, TrainingStatus
from qingxie.trainings.models import Attendee, Training

#: Words placed inside the bulletin's sentences, translated when the bulletin is written.
LEVEL_WORDS = {
    0: pgettext_lazy("association level", "全国"),
    1: pgettext_lazy("association level", "省"),
    2: pgettext_lazy("association level", "市"),
    3: pgettext_lazy("association level", "县"),
}
#: The seed names the federations first, with 义工联 in brackets.
FORM_WORDS = (
    (AssociationForm.VOLUNTEER_FEDERATION, pgettext_lazy("association form", "志愿者联合会")),
    (AssociationForm.YIGONG_FEDERATION, pgettext_lazy("association form", "义工联")),
    (
        AssociationForm.VOLUNTEER_SERVICE_FEDERATION,
        pgettext_lazy("association form", "志愿服务联合会"),
    ),
    (
        AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION,
        pgettext_lazy("association form", "青年志愿者协会"),
    ),
)


def _join(items: list[str]) -> str:
    return pgettext("list separator", "、").join(str(i) for i in items)


def count_cn(n: int) -> str:
    """两期, 三期 … in words up to ten, digits beyond (digits in English)."""
    # The translation lists the numbers apart by spaces ("0 1 2 …"); Chinese runs them on.
    numerals = pgettext("numerals from zero", "零一两三四五六七八九十")
    numerals = numerals.split() if " " in numerals else list(numerals)
    return numerals[n] if 0 < n <= 10 and n < len(numerals) else str(n)


def about(n: int) -> str:
    """180多名 for 183; 20名 for exactly 20; small counts as they are."""
    if n >= 20 and n % 10:
        return pgettext("about", "%(n)s多") % {"n": n // 10 * 10}
    return str(n)


def months_cn(days: list[datetime.date]) -> str:
    """2020年11月和2021年4月 (the year once when it does not change: 2021年3月、5月和9月)."""
    months = sorted({(d.year, d.month) for d in days})
    words, year = [], None
    for y, m in months:
        day = datetime.date(y, m, 1)
        if y != year:
            words.append(dateformat.format(day, pgettext("bulletin month", "Y年n月")))
        else:
            words.append(dateformat.format(day, pgettext("bulletin month, same year", "n月")))
        year = y
    if len(words) == 1:
        return words[0]
    return _("%(first)s和%(last)s") % {"first": _join(words[:-1]), "last": words[-1]}


def class_name(titles: list[str]) -> str:
    """The class the sessions share (“全省志愿服务骨干人才班（第一期）” → “全省志愿服务骨干人才班”)."""
    stems = {re.sub(r"[（(][^）)]*[）)]$|第.期$", "", t).strip() for t in titles}
    return stems.pop() if len(stems) == 1 else _("培训班")


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
    levels = sorted({lv for lv, _f, _r in attendees if lv in LEVEL_WORDS})
    words = [str(LEVEL_WORDS[lv]) for lv in levels]
    if len(levels) == 2:
        level_word = _("%(upper)s%(lower)s两级") % {"upper": words[0], "lower": words[1]}
    elif len(levels) == 3:
        level_word = _("%(a)s%(b)s%(c)s三级") % dict(zip("abc", words, strict=True))
    elif len(levels) == 4:
        level_word = _("%(a)s%(b)s%(c)s%(d)s四级") % dict(zip("abcd", words, strict=True))
    elif levels:
        level_word = _("%(level)s级") % {"level": words[0]}
    else:
        level_word = ""
    forms = {f for _l, f, _r in attendees}
    codes = [f for f, _w in FORM_WORDS[:3] if f in forms]
    names = []
    if AssociationForm.VOLUNTEER_FEDERATION in forms and AssociationForm.YIGONG_FEDERATION in forms:
        names.append(_("志愿者联合会（义工联）"))
        codes = [
            f
            for f in codes
            if f not in (AssociationForm.VOLUNTEER_FEDERATION, AssociationForm.YIGONG_FEDERATION)
        ]
    names += [str(w) for f, w in FORM_WORDS[:3] if f in codes]
    if AssociationForm.YOUTH_VOLUNTEER_ASSOCIATION in forms or not names:
        names.append(str(FORM_WORDS[3][1]))
    leaders = all(role in LEADER_ROLES for _l, _f, role in attendees)
    who = {"levels": level_word, "names": _join(names)}
    if leaders:
        return _("%(levels)s%(names)s负责人") % who
    return _("%(levels)s%(names)s负责人和骨干") % who


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
    words = {
        "organiser": trainings[0].organiser.name,
        "when": months_cn([t.start_date for t in trainings]),
        "count": count_cn(n),
        "class": class_name([t.title for t in trainings]),
    }
    sentence = (
        ngettext(
            "%(organiser)s于%(when)s举办一期%(class)s",
            "%(organiser)s于%(when)s分别举办%(count)s期%(class)s",
            n,
        )
        % words
    )
    if people:
        sentence += _("，面向%(people)s名%(who)s") % {
            "people": about(len(people)),
            "who": who_attended(people),
        }
    topics = topics_of(trainings)
    if topics:
        sentence += _("，围绕%(topics)s等开展专题培训") % {"topics": _join(topics)}
    return sentence + pgettext("full stop", "。")


def compliance_paragraph(region: Region, as_of: datetime.date) -> str:
    """This year's yearly rule in a sentence (每年至少培训一次)."""
    figures = selectors.compliance(region, as_of.year, as_of)
    parts = []
    organisers = figures["organisers_required"] - int(figures["own_required"])
    if organisers:
        held = {"n": organisers, "held": figures["organisers_held"] - int(figures["own_held"])}
        if region.level == 0:
            parts.append(
                ngettext(
                    "%(n)s个省、市两级协会中已有%(held)s个举办负责人培训",
                    "%(n)s个省、市两级协会中已有%(held)s个举办负责人培训",
                    organisers,
                )
                % held
            )
        else:
            parts.append(
                ngettext(
                    "%(n)s个市级协会中已有%(held)s个举办负责人培训",
                    "%(n)s个市级协会中已有%(held)s个举办负责人培训",
                    organisers,
                )
                % held
            )
    if figures["counties_required"]:
        parts.append(
            ngettext(
                "%(n)s个县级协会中有%(trained)s个的负责人参加了培训（%(rate)s%%）",
                "%(n)s个县级协会中有%(trained)s个的负责人参加了培训（%(rate)s%%）",
                figures["counties_required"],
            )
            % {
                "n": figures["counties_required"],
                "trained": figures["counties_trained"],
                "rate": figures["county_rate"],
            }
        )
    if not parts:
        return ""
    return _("%(year)s年以来（截至%(date)s），%(parts)s。") % {
        "year": as_of.year,
        "date": dateformat.format(as_of, pgettext("bulletin day, same year", "n月j日")),
        "parts": pgettext("clauses", "，").join(parts),
    }


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
    return [BulletinSection(_("骨干培训"), paragraphs)] if paragraphs else []
