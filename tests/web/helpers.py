"""Small ledgers built through the services, and the rendered workbench read by element."""

from __future__ import annotations

import datetime

import lxml.html

from qingxie.ledger import services
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem
from qingxie.regions.models import Region

D = datetime.date

#: 广州市's eleven county-level units, by code (GB/T 2260, 2025 list).
GUANGZHOU_COUNTIES = (
    "440103",  # 荔湾区
    "440104",  # 越秀区
    "440105",  # 海珠区
    "440106",  # 天河区
    "440111",  # 白云区
    "440112",  # 黄埔区
    "440113",  # 番禺区
    "440114",  # 花都区
    "440115",  # 南沙区
    "440117",  # 从化区
    "440118",  # 增城区
)


#: When the test ledgers' associations are founded unless said otherwise.
FOUNDED = D(2020, 6, 1)


def make_association(code: str, *, on: datetime.date = FOUNDED, **kwargs) -> Association:
    """An active association on region `code`, founded `on`, entered by the system."""
    region = Region.objects.get(code=code)
    return services.association_create(
        actor=None,
        region=region,
        name=kwargs.pop("name", f"{region.name}青年志愿者协会"),
        form=kwargs.pop("form", "youth_volunteer_association"),
        established_on=on,
        **kwargs,
    )


def submit(
    association: Association, item: ChecklistItem, *, note: str = "已完成"
) -> ChecklistEntry:
    """The association's cadre submits one checklist item (as the system, for brevity)."""
    return services.checklist_entry_submit(
        actor=None, association=association, item=item, note=note
    )


def required_items() -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(active=True, required=True).order_by("position"))


def doc(response):
    """The page as an element tree (the response must be a 200 HTML page)."""
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.content.decode())


def text(element) -> str:
    """Visible text of an element with runs of whitespace collapsed."""
    return " ".join(element.text_content().split())


def by_id(tree, element_id: str):
    found = tree.xpath(f"//*[@id='{element_id}']")
    assert len(found) == 1, f"#{element_id}: {len(found)} elements"
    return found[0]


def card(tree, measure: str) -> dict:
    """A headline card: its rate, its "part / whole" count, its state and its target line."""
    (el,) = tree.xpath(f"//section[@id='cards']/div[@data-measure='{measure}']")
    (rate,) = el.xpath(".//*[@data-rate]")
    (count,) = el.xpath(".//*[contains(@class, 'card-count')]")
    target = el.xpath(".//*[contains(@class, 'card-target')]")
    state = next(c[len("card-") :] for c in el.get("class").split() if c.startswith("card-"))
    return {
        "rate": text(rate),
        "count": text(count),
        "state": state,
        "target": text(target[0]) if target else "",
    }


def child_rows(tree) -> list[dict]:
    """The ranked child regions, top to bottom."""
    return [
        {
            "code": tr.get("data-code"),
            "behind": "behind" in (tr.get("class") or "").split(),
            "cells": [text(td) for td in tr.xpath("./td")],
        }
        for tr in tree.xpath("//table[@id='children']/tbody/tr")
    ]


def codes(tree, xpath: str) -> list[str]:
    """data-code of the elements at `xpath`, in page order."""
    return [el.get("data-code") for el in tree.xpath(xpath)]


def messages(tree) -> list[str]:
    return [text(li) for li in tree.xpath("//ul[@class='messages']/li")]


def shows_date(shown: str, day: datetime.date) -> bool:
    """Whether `shown` names `day` (as 2021-05-06 or as 2021年5月6日)."""
    return day.isoformat() in shown or f"{day.year}年{day.month}月{day.day}日" in shown


def percent(value: float | None) -> str:
    """A rate as the pages print it (one decimal and a sign; a dash when undefined)."""
    return "—" if value is None else f"{value:.1f}%"
