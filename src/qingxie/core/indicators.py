"""Indicator data sources: the figures an assessment reads from each app, registered by the app.

An assessment indicator that is *computed* names a source by its code; the source is a
function `fn(association, as_of) -> number` that reads the owning app's data (through that
app's selectors) as of the round's cut-off date. Each app registers its own sources in its
`AppConfig.ready()`, so the assessment app never names the app whose figure it scores and an
app that lands later (volunteers, service hours) adds indicators without touching assessment.

    register_indicator_source(IndicatorSource(
        "ledger.registered", "已在民政部门登记", ledger_registered, app="ledger", unit="是/否"))

`fn` returns the number, or `(number, text)` where the text is a short Chinese sentence of the
figures the value was computed from (“已核验 6/8 项”), shown beside the value on the assessment
sheet; returning both at once spares a second read of the same figures.

`batch(associations, as_of) -> {association id: number or (number, text)}` (optional) computes
the figure for many associations in a few aggregate queries: a national round assesses about
2,850 counties, and one query per county and source would take minutes. It must agree with
`fn` (the app's tests check that it does).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = int | float | Decimal


@dataclass(frozen=True)
class IndicatorSource:
    """One figure an app offers for assessment indicators (see the module docstring)."""

    code: str
    label: str
    fn: Callable[[Any, datetime.date], Number | tuple[Number, str]]
    app: str = ""
    unit: str = ""
    description: str = ""
    batch: Callable[[list, datetime.date], dict] | None = None


_SOURCES: dict[str, IndicatorSource] = {}


def register_indicator_source(source: IndicatorSource) -> IndicatorSource:
    """Offer `source` to the indicator system (registering a code again replaces it)."""
    _SOURCES[source.code] = source
    return source


def indicator_source(code: str) -> IndicatorSource | None:
    """The source registered under `code`, or None when no installed app offers it."""
    return _SOURCES.get(code)


def indicator_sources() -> list[IndicatorSource]:
    """Every registered source, by code."""
    return [_SOURCES[k] for k in sorted(_SOURCES)]


def indicator_value(code: str, association, as_of: datetime.date) -> tuple[Decimal, str]:
    """The source's figure for `association` on `as_of` as a Decimal, with its description.

    KeyError when no app registered `code` (the caller names the indicator in its message).
    """
    return _split(_SOURCES[code].fn(association, as_of))


def _split(result) -> tuple[Decimal, str]:
    value, text = result if isinstance(result, tuple) else (result, "")
    return Decimal(str(value)), text


def indicator_values(code: str, associations: list, as_of: datetime.date) -> dict:
    """{association id: (Decimal, text)} for many associations: the source's `batch` when it
    has one, else `fn` per association. KeyError when no app registered `code`."""
    source = _SOURCES[code]
    if source.batch is not None:
        found = source.batch(associations, as_of)
        return {a.pk: _split(found[a.pk]) for a in associations}
    return {a.pk: _split(source.fn(a, as_of)) for a in associations}
