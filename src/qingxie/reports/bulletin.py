"""The 工作信息 bulletin as data: masthead, issuing bodies, paragraphs written from the ledger in
the bulletin's own form, the table by child region, the map, the trend and the targets.

Every figure comes from `ledger.coverage` (coverage_tree, coverage_series, county_statuses,
target_report, coverage_projection), so the bulletin says what `/api/coverage` says for the
same region and date, to the decimal. The Word and PDF writers only lay out what is built here.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from qingxie.core.extensions import bulletin_sections
from qingxie.core.models import subtree_q
from qingxie.ledger import coverage
from qingxie.ledger.choices import LIVE_STATUSES, AssociationStatus, CoverageMeasure
from qingxie.ledger.coverage import CountyStatus, CoverageNode, SeriesPoint
from qingxie.ledger.models import AssociationStatusPeriod
from qingxie.regions.models import Region

NATION, PROVINCE, PREFECTURE, COUNTY, TOWNSHIP = (
    Region.Level.NATION,
    Region.Level.PROVINCE,
    Region.Level.PREFECTURE,
    Region.Level.COUNTY,
    Region.Level.TOWNSHIP,
)

#: "全省", "全区" … by the kind of division (Region.kind from the division list).
#: Translated when the bulletin is written (an English bulletin says "the province").
SCOPE_BY_KIND = {
    "省": pgettext_lazy("bulletin scope", "全省"),
    "自治区": pgettext_lazy("bulletin scope", "全区"),
    "直辖市": pgettext_lazy("bulletin scope, municipality", "全市"),
    "特别行政区": pgettext_lazy("bulletin scope, special administrative region", "全区"),
    "地级市": pgettext_lazy("bulletin scope", "全市"),
    "自治州": pgettext_lazy("bulletin scope", "全州"),
    "地区": pgettext_lazy("bulletin scope", "全地区"),
    "盟": pgettext_lazy("bulletin scope", "全盟"),
    "县": pgettext_lazy("bulletin scope", "全县"),
    "自治县": pgettext_lazy("bulletin scope", "全县"),
    "市辖区": pgettext_lazy("bulletin scope, district", "全区"),
    "县级市": pgettext_lazy("bulletin scope, county-level city", "全市"),
    "旗": pgettext_lazy("bulletin scope", "全旗"),
    "自治旗": pgettext_lazy("bulletin scope", "全旗"),
    "林区": pgettext_lazy("bulletin scope", "全林区"),
    "特区": pgettext_lazy("bulletin scope", "全特区"),
}
#: The short names the bulletin uses for the autonomous regions (as in 广西、新疆).
AUTONOMOUS_REGION_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
}
SECTION_NUMBERS = "一二三四五六七八九十"


def section_heading(n: int, title: str) -> str:
    """The numbered title of the `n`th section (from 0): 一、总体情况 (1. Overview in English)."""
    # The translation lists the numbers apart by spaces ("1 2 3 …"); Chinese runs them on.
    numbers = pgettext("bulletin section numbers", "一二三四五六七八九十")
    numbers = numbers.split() if " " in numbers else list(numbers)
    number = numbers[n] if n < len(numbers) else str(n + 1)
    return pgettext("bulletin section", "%(number)s、%(title)s") % {
        "number": number,
        "title": title,
    }


def figure_caption(number: int, caption: str) -> str:
    """A figure's caption with its number: 图1　… (Figure 1 … in English)."""
    return _("图%(number)s　%(caption)s") % {"number": number, "caption": caption}


#: Not-yet-established county-level units named one by one up to this many (盯县).
NAME_MISSING_UP_TO = 10
#: Status of a map unit that counts for nothing (a prefecture city without counties, or a
#: county not in force on the date).
NOT_COUNTED = "not_counted"
MAP_LABELS = {
    CountyStatus.NONE: gettext_lazy("未成立"),
    CountyStatus.ESTABLISHED: gettext_lazy("已成立、未规范化"),
    CountyStatus.STANDARDIZED: gettext_lazy("已规范化建设"),
    NOT_COUNTED: gettext_lazy("不设县级单位"),
}


def pct(value: float | None) -> str:
    """A rate as the ledger gives it, one decimal: 86.9%; '—' when there is nothing to cover."""
    return "—" if value is None else f"{value:.1f}%"


def target_pct(value: float) -> str:
    """A target as it was set (50%, 70%, 100%; 62.5% keeps its decimal)."""
    return f"{value:g}%"


def date_cn(day: datetime.date) -> str:
    """A date as the bulletin prints it: 2021年5月6日 (6 May 2021 in English)."""
    return dateformat.format(day, pgettext("bulletin date", "Y年n月j日"))


def short_name(region: Region) -> str:
    """The name a bulletin uses in running text: 广东, 广西, 广州; counties keep their full name."""
    if region.level == PROVINCE:
        if region.name in AUTONOMOUS_REGION_SHORT:
            return AUTONOMOUS_REGION_SHORT[region.name]
        for suffix in ("特别行政区", "省", "市"):
            if region.name.endswith(suffix) and len(region.name) > len(suffix) + 1:
                return region.name[: -len(suffix)]
    if region.level == PREFECTURE and region.kind == "地级市" and region.name.endswith("市"):
        return region.name[:-1]
    return region.name


def scope_word(region: Region) -> str:
    """全国, 全省, 全区, 全市, 全州, 全县 … as the bulletin opens its figures."""
    if region.level == NATION:
        return pgettext("bulletin scope", "全国")
    if region.kind in SCOPE_BY_KIND:
        return str(SCOPE_BY_KIND[region.kind])
    return pgettext("bulletin scope", "全%(last)s") % {"last": region.name[-1]}


def league_committee(region: Region) -> str:
    """The Youth League committee of a region: 共青团广东省委员会, 共青团广州市海珠区委员会."""
    if region.level == NATION:
        return _("共青团中央")
    name = region.name
    if region.level == COUNTY and region.kind == "市辖区" and region.parent_id:
        # District names repeat from city to city (朝阳区), so a district's committee carries
        # its city's name (共青团广州市海珠区委员会); counties and county-level cities do not.
        name = region.parent.name + name
    return _("共青团%(name)s委员会") % {"name": name}


# ------------------------------------------------------------------------- document model


@dataclass
class Table:
    """A table the writers lay out with borders; the last row is a total row when `total`."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    align: list[str]
    total: bool = False


@dataclass
class Figure:
    """An image the writers ask `charts` to draw: 'map' or 'trend'."""

    kind: str
    caption: str


@dataclass
class Note:
    """A small-print line under a table or figure."""

    text: str


@dataclass
class Section:
    """A numbered section: its title and blocks (paragraph strings, tables, figures, notes)."""

    title: str
    blocks: list = field(default_factory=list)


@dataclass
class MapData:
    """What the coverage map draws.

    `kind` is 'provinces' (the nation, provinces coloured by coverage rate) or 'counties' (a
    province or city, each county-level unit coloured by its status). `units` maps the codes
    to draw to their status or rate; units absent from the map file are listed in `missing`;
    `built` is False when the map files have not been built on this machine.
    """

    kind: str
    file: str
    units: dict[str, str | float | None]
    missing: list[str] = field(default_factory=list)
    label_names: bool = False
    built: bool = True


@dataclass
class Bulletin:
    """One bulletin for one region and date, ready for the Word and PDF writers."""

    region_code: str
    region_name: str
    level: int
    as_of: datetime.date
    masthead: str
    issue_line: str
    issuers: list[str]
    date_line: str
    headline: str
    sections: list[Section]
    node: CoverageNode
    series: list[SeriesPoint]
    target_points: list[tuple[datetime.date, float]]
    map: MapData | None
    footer: str
    #: The body that compiled it (the document's author): a secretariat or the committee.
    author: str = ""

    @property
    def filename(self) -> str:
        """The download name, without extension: 广东省工作信息（2021-05-06）."""
        return bulletin_filename(self.region_name, self.as_of)

    @property
    def ascii_filename(self) -> str:
        return f"qingxie-bulletin-{self.region_code}-{self.as_of.isoformat()}"

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def text(self) -> str:
        """All the words of the bulletin, as a reader would read them (for tests and previews)."""
        out = [self.masthead, self.issue_line, *self.issuers, self.date_line, self.headline]
        for section in self.sections:
            out.append(section.title)
            for block in section.blocks:
                if isinstance(block, str):
                    out.append(block)
                elif isinstance(block, Note):
                    out.append(block.text)
                elif isinstance(block, Figure):
                    out.append(block.caption)
                elif isinstance(block, Table):
                    out += ["\t".join(r) for r in [block.header, *block.rows]]
        out.append(self.footer)
        return "\n".join(x for x in out if x)


def bulletin_filename(place: str, as_of: datetime.date) -> str:
    """The download name of a bulletin, without extension, in the active language."""
    return _("%(place)s工作信息（%(date)s）") % {"place": place, "date": as_of.isoformat()}


def place_name(region: Region) -> str:
    """The region as the bulletin names it: 全国 for the nation, else its name."""
    return pgettext("bulletin place", "全国") if region.level == NATION else region.name


# ------------------------------------------------------------------------------- building


def _live_on(as_of: datetime.date) -> Q:
    return Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gt=as_of))


def _issuing_association(region: Region, as_of: datetime.date) -> str | None:
    """The name of the region's own association on the date (active or suspended), if any."""
    # Names only: the association rows carry encrypted personal fields the bulletin never shows.
    return (
        AssociationStatusPeriod.objects.filter(_live_on(as_of), region=region)
        .filter(status__in=LIVE_STATUSES)
        .order_by("-start")
        .values_list("association__name", flat=True)
        .first()
    )


def _county_word(region: Region, as_of: datetime.date) -> str:
    """县（市、区），or 县（市、区、旗） where banners are among the units (内蒙古, the nation)."""
    banners = (
        Region.objects.filter(subtree_q("path", region.path), level=COUNTY)
        .filter(coverage.valid_on(as_of))
        .filter(kind__in=("旗", "自治旗"))
        .exists()
    )
    # A word placed inside the sentences ("county-level" in English, whatever the kinds).
    return (
        pgettext("bulletin units", "县（市、区、旗）")
        if banners
        else pgettext("bulletin units", "县（市、区）")
    )


def _names(items: list[str], limit: int = 5) -> str:
    """A、B、C, or A、B、C、D、E等 when there are more than `limit`."""
    shown = _list(items[:limit])
    return _("%(names)s等") % {"names": shown} if len(items) > limit else shown


def _list(items: list[str]) -> str:
    """Names in a row: A、B、C (A, B, C in English)."""
    return pgettext("list separator", "、").join(items)


def _coverage_sentence(
    scope: str, cw: str, node: CoverageNode, as_of: datetime.date
) -> str:  # the bulletin's opening figures
    n, e, s = node.counties, node.established, node.standardized
    words = {
        "scope": scope,
        "units": cw,
        "n": n,
        "e": e,
        "s": s,
        "rate": pct(node.coverage_rate),
        "std_rate": pct(node.standardized_rate),
    }
    if e == 0:
        first = ngettext(
            "%(scope)s%(n)s个%(units)s均尚未成立团属志愿服务组织，覆盖率为%(rate)s",
            "%(scope)s%(n)s个%(units)s均尚未成立团属志愿服务组织，覆盖率为%(rate)s",
            n,
        )
    elif e == n:
        first = ngettext(
            "%(scope)s%(n)s个%(units)s均已成立团属志愿服务组织，覆盖率为%(rate)s，实现全覆盖",
            "%(scope)s%(n)s个%(units)s均已成立团属志愿服务组织，覆盖率为%(rate)s，实现全覆盖",
            n,
        )
    else:
        first = ngettext(
            "%(scope)s%(n)s个%(units)s中共有%(e)s个成立团属志愿服务组织，覆盖率为%(rate)s",
            "%(scope)s%(n)s个%(units)s中共有%(e)s个成立团属志愿服务组织，覆盖率为%(rate)s",
            e,
        )
    if s == 0:
        second = _("尚无%(units)s规范建设团属志愿服务组织，覆盖率为%(std_rate)s")
    elif s == n:
        second = ngettext(
            "%(n)s个%(units)s均规范建设了团属志愿服务组织，覆盖率为%(std_rate)s",
            "%(n)s个%(units)s均规范建设了团属志愿服务组织，覆盖率为%(std_rate)s",
            n,
        )
    else:
        second = ngettext(
            "%(s)s个%(units)s规范建设了团属志愿服务组织，覆盖率为%(std_rate)s",
            "%(s)s个%(units)s规范建设了团属志愿服务组织，覆盖率为%(std_rate)s",
            s,
        )
    return _("截至%(date)s，%(first)s；%(second)s。") % {
        "date": date_cn(as_of),
        "first": first % words,
        "second": second % words,
    }


def _township_sentence(scope: str, node: CoverageNode) -> str:
    t, w = node.townships, node.townships_with_team
    if not t:
        return ""
    words = {"scope": scope, "t": t, "w": w, "rate": pct(node.township_rate)}
    if w == 0:
        return (
            ngettext(
                "%(scope)s%(t)s个乡镇（街道）尚未建立基层志愿服务队伍。",
                "%(scope)s%(t)s个乡镇（街道）尚未建立基层志愿服务队伍。",
                t,
            )
            % words
        )
    if w == t:
        return (
            ngettext(
                "%(scope)s%(t)s个乡镇（街道）均已建立基层志愿服务队伍，覆盖率为%(rate)s。",
                "%(scope)s%(t)s个乡镇（街道）均已建立基层志愿服务队伍，覆盖率为%(rate)s。",
                t,
            )
            % words
        )
    return (
        ngettext(
            "%(scope)s%(t)s个乡镇（街道）中有%(w)s个建立了基层志愿服务队伍，覆盖率为%(rate)s。",
            "%(scope)s%(t)s个乡镇（街道）中有%(w)s个建立了基层志愿服务队伍，覆盖率为%(rate)s。",
            w,
        )
        % words
    )


def _missing_sentence(cw: str, node: CoverageNode, statuses: dict[str, str]) -> str:
    missing = [code for code, status in statuses.items() if status == CountyStatus.NONE]
    if not missing or node.established == 0:
        return ""
    m = len(missing)
    if m > NAME_MISSING_UP_TO:
        return ngettext(
            "尚有%(m)s个%(units)s未成立团属志愿服务组织。",
            "尚有%(m)s个%(units)s未成立团属志愿服务组织。",
            m,
        ) % {"m": m, "units": cw}
    names = dict(Region.objects.filter(code__in=missing).values_list("code", "name"))
    listed = _list([names[c] for c in sorted(missing)])
    return ngettext(
        "尚未成立团属志愿服务组织的%(m)s个%(units)s是：%(names)s。",
        "尚未成立团属志愿服务组织的%(m)s个%(units)s是：%(names)s。",
        m,
    ) % {"m": m, "units": cw, "names": listed}


def _children_sentence(region: Region, node: CoverageNode, kids: dict) -> str:
    """分地市看 … which children have full coverage and which lag furthest."""
    nation = region.level == NATION
    group = [c for c in node.children if c.level < COUNTY and c.counties > 0]
    if len(group) < 2:
        return ""
    full = [c for c in group if c.established == c.counties]
    behind = sorted(
        (c for c in group if c.established < c.counties),
        key=lambda c: (c.coverage_rate, c.code),
    )
    label = [short_name(kids[c.code]) for c in full]
    g, f = len(group), len(full)
    if not behind:
        if nation:
            return ngettext(
                "分省（区、市）看，%(g)s个省（区、市）均已实现县级全覆盖。",
                "分省（区、市）看，%(g)s个省（区、市）均已实现县级全覆盖。",
                g,
            ) % {"g": g}
        return ngettext(
            "分地市看，%(g)s个地市均已实现县级全覆盖。",
            "分地市看，%(g)s个地市均已实现县级全覆盖。",
            g,
        ) % {"g": g}
    if not full:
        text = (
            _("分省（区、市）看，尚无省（区、市）实现县级全覆盖")
            if nation
            else _("分地市看，尚无地市实现县级全覆盖")
        )
    elif nation:
        text = ngettext(
            "分省（区、市）看，%(names)s%(f)s个省（区、市）已实现县级全覆盖",
            "分省（区、市）看，%(names)s%(f)s个省（区、市）已实现县级全覆盖",
            f,
        ) % {"names": _names(label), "f": f}
    else:
        text = ngettext(
            "分地市看，%(names)s%(f)s个地市已实现县级全覆盖",
            "分地市看，%(names)s%(f)s个地市已实现县级全覆盖",
            f,
        ) % {"names": _names(label), "f": f}
    worst = [
        _("%(name)s（%(rate)s）") % {"name": short_name(kids[c.code]), "rate": pct(c.coverage_rate)}
        for c in behind[:3]
    ]
    if len(behind) <= 3:
        rest = _("；尚未实现全覆盖的是%(names)s。") % {"names": _list(worst)}
    elif nation:
        rest = _("；覆盖率最低的%(k)s个省（区、市）是%(names)s。") % {
            "k": len(worst),
            "names": _list(worst),
        }
    else:
        rest = _("；覆盖率最低的%(k)s个地市是%(names)s。") % {
            "k": len(worst),
            "names": _list(worst),
        }
    return text + rest


def _county_paragraph(region: Region, node: CoverageNode, as_of: datetime.date) -> str:
    status = coverage.county_statuses(region, as_of).get(region.code, CountyStatus.NONE)
    found = (
        AssociationStatusPeriod.objects.filter(
            _live_on(as_of), region=region, status=AssociationStatus.ACTIVE
        )
        .values_list("association__name", "association__established_on")
        .first()
    )
    words = {"date": date_cn(as_of), "region": region.name}
    if status == CountyStatus.NONE or found is None:
        return _("截至%(date)s，%(region)s尚未成立团属志愿服务组织。") % words
    name, established_on = found
    words.update(name=name, founded=date_cn(established_on))
    if status == CountyStatus.STANDARDIZED:
        return (
            _(
                "截至%(date)s，%(region)s已成立团属志愿服务组织“%(name)s”（%(founded)s成立），"
                "并已完成规范化建设。"
            )
            % words
        )
    return (
        _(
            "截至%(date)s，%(region)s已成立团属志愿服务组织“%(name)s”（%(founded)s成立），"
            "尚未完成规范化建设。"
        )
        % words
    )


def _aggregate_table(node: CoverageNode, kids: dict) -> Table:
    rows = [
        [
            kids[c.code].name,
            str(c.counties),
            str(c.established),
            pct(c.coverage_rate),
            str(c.standardized),
            pct(c.standardized_rate),
        ]
        for c in node.children
    ]
    rows.append(
        [
            _("合计"),
            str(node.counties),
            str(node.established),
            pct(node.coverage_rate),
            str(node.standardized),
            pct(node.standardized_rate),
        ]
    )
    return Table(
        header=[
            _("地区"),
            _("县级单位数"),
            _("已成立"),
            _("覆盖率"),
            # A narrow column: its English heading is made of short words, so the PDF's table
            # wraps it between words ("Standardization" was cut inside the word).
            pgettext("table heading", "规范化建设"),
            _("规范化覆盖率"),
        ],
        rows=rows,
        widths=[3.0, 1.6, 1.3, 1.4, 1.6, 1.8],
        align=["L", "C", "C", "C", "C", "C"],
        total=True,
    )


def _status_table(region: Region, node: CoverageNode, statuses, as_of, kids) -> Table:
    """One row per county-level unit of a city: its association and status on the date."""
    names = dict(
        AssociationStatusPeriod.objects.filter(
            _live_on(as_of),
            status=AssociationStatus.ACTIVE,
            region__code__in=list(statuses),
        ).values_list("region_id", "association__name")
    )
    ids = dict(Region.objects.filter(code__in=list(statuses)).values_list("code", "id"))
    rows = []
    for child in node.children:
        status = statuses.get(child.code, CountyStatus.NONE)
        rows.append(
            [
                kids[child.code].name,
                names.get(ids.get(child.code), "—") if status != CountyStatus.NONE else "—",
                _("已成立") if status != CountyStatus.NONE else _("未成立"),
                _("已规范化") if status == CountyStatus.STANDARDIZED else "—",
            ]
        )
    rows.append(
        [
            _("合计"),
            ngettext("%(n)s个县级单位", "%(n)s个县级单位", node.counties) % {"n": node.counties},
            _("%(n)s个（%(rate)s）") % {"n": node.established, "rate": pct(node.coverage_rate)},
            _("%(n)s个（%(rate)s）")
            % {"n": node.standardized, "rate": pct(node.standardized_rate)},
        ]
    )
    return Table(
        header=[
            _("县（市、区）"),
            _("团属志愿服务组织"),
            _("成立情况"),
            pgettext("table heading", "规范化建设"),
        ],
        rows=rows,
        widths=[2.2, 4.6, 1.8, 1.8],
        align=["L", "L", "C", "C"],
        total=True,
    )


def _target_blocks(region: Region, node: CoverageNode, as_of: datetime.date) -> list:
    report = coverage.target_report(region, node, as_of)
    if not report:
        return [_("未设定覆盖目标。")]
    setters = {t["set_by"] for r in report for t in r["targets"]}
    setter_names = dict(Region.objects.filter(code__in=setters).values_list("code", "name"))
    rows, sentences = [], []
    for measure in report:
        parts = []
        first_upcoming = True
        for t in measure["targets"]:
            due = datetime.date.fromisoformat(t["due_on"])
            goal = {"due": date_cn(due), "goal": target_pct(t["rate"])}
            if t["met"] is not None:
                result = _("已完成") if t["met"] else _("未完成")
                rows.append(
                    [
                        str(measure["label"]),
                        target_pct(t["rate"]),
                        date_cn(due),
                        pct(t["actual"]),
                        result,
                    ]
                )
                parts.append(
                    _("%(due)s前达到%(goal)s，届时为%(actual)s，%(result)s")
                    % {**goal, "actual": pct(t["actual"]), "result": result}
                )
            elif measure["actual"] is None:
                rows.append(
                    [str(measure["label"]), target_pct(t["rate"]), date_cn(due), "—", _("不计")]
                )
            elif first_upcoming:
                first_upcoming = False
                ahead = measure["actual"] >= t["rate"]
                needed = {"needed": pct(measure["required_now"])}
                if ahead:
                    result, how = _("未到期，已提前达到"), _("已提前达到")
                elif measure["status"] == "on_track":
                    result, how = _("未到期，进度正常"), _("进度正常")
                else:
                    result = _("未到期，落后于进度（应达%(needed)s）") % needed
                    how = _("落后于进度（应达%(needed)s）") % needed
                rows.append(
                    [
                        str(measure["label"]),
                        target_pct(t["rate"]),
                        date_cn(due),
                        pct(measure["actual"]),
                        result,
                    ]
                )
                parts.append(
                    _("%(due)s前达到%(goal)s，目前为%(actual)s，%(how)s")
                    % {**goal, "actual": pct(measure["actual"]), "how": how}
                )
            else:
                rows.append(
                    [str(measure["label"]), target_pct(t["rate"]), date_cn(due), "—", _("未到期")]
                )
                parts.append(_("%(due)s前达到%(goal)s，尚未到期") % goal)
        if parts:
            sentences.append(
                # The English sentence ends with a space, so that sentences run on.
                _("%(measure)s：%(parts)s。")
                % {"measure": str(measure["label"]), "parts": pgettext("clauses", "；").join(parts)}
            )
    by = _list(
        [
            _("全国目标")
            if code == "000000"
            else _("%(region)s目标") % {"region": setter_names.get(code, code)}
            for code in sorted(setters)
        ]
    )
    blocks: list = []
    if sentences:
        blocks.append(
            _("对照%(targets)s，%(sentences)s")
            % {"targets": by, "sentences": "".join(sentences).strip()}
        )
    blocks.append(
        Table(
            header=[_("指标"), _("目标"), _("截止日期"), _("实际"), _("完成情况")],
            rows=rows,
            widths=[2.8, 1.3, 2.8, 1.2, 3.0],
            align=["L", "C", "C", "C", "L"],
        )
    )
    if node.counties and region.level < COUNTY:
        # The ledger's message spaces its figures for the screen; print sets them solid.
        message = str(coverage.coverage_projection(region, as_of).message)
        blocks.append(re.sub(r"\s+", "", message) if not message.isascii() else message)
    return blocks


def map_features(file: str) -> list[dict] | None:
    """The features of a map file built by `qingxie setup`, or None when it was not built."""
    path = Path(settings.MAPS_DIR) / f"{file}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text("utf-8"))["features"]


def _map_data(region: Region, node: CoverageNode, statuses: dict[str, str]) -> MapData | None:
    from qingxie.regions.maps import map_file_for
    from qingxie.regions.selectors import map_units_for

    if region.level >= COUNTY or node.counties == 0:
        return None
    file, _keep = map_file_for(region)
    if region.level == NATION:
        units: dict[str, str | float | None] = {c.code: c.coverage_rate for c in node.children}
        kind = "provinces"
    else:
        kind = "counties"
        units = {
            code: statuses.get(code, NOT_COUNTED)
            for code in map_units_for(region).values_list("code", flat=True)
        }
    features = map_features(file)
    shaped = {f["properties"]["code"] for f in features or ()}
    return MapData(
        kind=kind,
        file=file,
        units=units,
        missing=sorted(set(units) - shaped),
        label_names=region.level == PREFECTURE,
        built=features is not None,
    )


def _map_blocks(region: Region, data: MapData, caption: str) -> list:
    if not data.built:
        return [Note(_("地图文件尚未生成（请管理员运行 qingxie setup），本期不附地图。"))]
    blocks: list = [Figure("map", caption)]
    if data.missing:
        names = dict(Region.objects.filter(code__in=data.missing).values_list("code", "name"))
        listed = _list([names.get(c, c) for c in data.missing])
        blocks.append(
            Note(
                _("注：%(names)s暂无边界数据，未在图中绘出，其数据已计入上表。") % {"names": listed}
            )
        )
    return blocks


def trend_start(as_of: datetime.date) -> datetime.date:
    """From 2020 (the national targets' timeline) or three years back, whichever is earlier —
    the coverage page's window."""
    return min(datetime.date(2020, 1, 1), datetime.date(as_of.year - 3, as_of.month, 1))


def bulletin_build(*, region: Region, as_of: datetime.date, issue: int | None = None) -> Bulletin:
    """Write the bulletin of `region` on `as_of` from the ledger.

    The caller has checked that the user may see `region` (a county-level or higher one).
    `issue` is the bulletin's number in its year (第5期), when the cadre gives one.
    """
    node = coverage.coverage_tree(region, as_of, depth=1)
    kids = {r.code: r for r in Region.objects.filter(code__in=[c.code for c in node.children])}
    scope = scope_word(region)
    cw = _county_word(region, as_of)
    place = place_name(region)
    statuses = coverage.county_statuses(region, as_of) if region.level < TOWNSHIP else {}

    summary: list[str] = []
    if region.level == COUNTY:
        summary.append(_county_paragraph(region, node, as_of))
    elif node.counties == 0:
        summary.append(
            _("%(place)s不设县级行政单位，不计算县级团属志愿服务组织覆盖率。") % {"place": place}
        )
    else:
        summary.append(_coverage_sentence(scope, cw, node, as_of))
        # The English sentences open with a space, so that they run on after another.
        extra = (
            _missing_sentence(cw, node, statuses) + _children_sentence(region, node, kids)
        ).strip()
        if extra:
            summary.append(extra)
    if township := _township_sentence(scope, node):
        summary.append(township)

    sections = [Section(_("总体情况"), summary)]
    if node.children and node.counties:
        all_counties = all(c.level == COUNTY for c in node.children)
        table = (
            _status_table(region, node, statuses, as_of, kids)
            if all_counties
            else _aggregate_table(node, kids)
        )
        blocks: list = [table]
        empty = [kids[c.code].name for c in node.children if c.counties == 0]
        if empty and not all_counties:
            blocks.append(
                Note(
                    _("注：%(names)s不设县级行政单位，不计入县级覆盖率。") % {"names": _list(empty)}
                )
            )
        sections.append(Section(_("分地区情况"), blocks))
    map_data = _map_data(region, node, statuses)
    if map_data:
        words = {"place": place, "units": cw, "date": date_cn(as_of)}
        caption = (
            _("%(place)s各省（区、市）县级团属志愿服务组织覆盖率（%(date)s）") % words
            if map_data.kind == "provinces"
            else _("%(place)s%(units)s团属志愿服务组织建设情况（%(date)s）") % words
        )
        sections.append(Section(_("覆盖地图"), _map_blocks(region, map_data, caption)))
    series: list[SeriesPoint] = []
    target_points: list[tuple[datetime.date, float]] = []
    if node.counties and region.level < COUNTY:
        series = coverage.coverage_series(region, trend_start(as_of), as_of)
        target_points = [
            (t.due_on, float(t.rate))
            for t in coverage.targets_for(region).get(CoverageMeasure.ESTABLISHED, [])
        ]
        sections.append(
            Section(
                _("覆盖率变化趋势"),
                [
                    Figure(
                        "trend",
                        _("%(place)s县级团属志愿服务组织覆盖率变化（%(start)s至%(date)s，每月末）")
                        % {
                            "place": place,
                            "start": dateformat.format(
                                series[0].date, pgettext("bulletin month", "Y年n月")
                            ),
                            "date": date_cn(as_of),
                        },
                    )
                ],
            )
        )
    # What the other apps report (trainings held, plans, projects…), written from their data.
    sections.extend(Section(s.title, list(s.paragraphs)) for s in bulletin_sections(region, as_of))
    sections.append(Section(_("目标完成情况"), _target_blocks(region, node, as_of)))

    # As the seed's masthead: the body, then the secretariat that compiled it; with no
    # association of its own, the League committee compiles the bulletin itself.
    association = _issuing_association(region, as_of)
    committee = league_committee(region)
    issuers = (
        [committee, _("%(association)s秘书处编") % {"association": association}]
        if association
        else [_("%(committee)s编") % {"committee": committee}]
    )
    author = _("%(association)s秘书处") % {"association": association} if association else committee
    masthead_place = place if region.level == NATION else short_name(region)
    return Bulletin(
        region_code=region.code,
        region_name=place,
        level=region.level,
        as_of=as_of,
        masthead=_("%(place)s志愿服务工作信息") % {"place": masthead_place},
        issue_line=_("%(year)s年第%(issue)s期") % {"year": as_of.year, "issue": issue}
        if issue
        else "",
        issuers=issuers,
        date_line=date_cn(as_of),
        headline=_("%(place)s县级团属志愿服务组织建设情况") % {"place": place},
        sections=sections,
        node=node,
        series=series,
        target_points=target_points,
        map=map_data,
        author=author,
        footer=(
            _("本期数据截至%(date)s，由青协信息平台根据组织台账生成，与平台覆盖率统计一致。")
            % {"date": date_cn(as_of)}
        ),
    )
