"""Scoring rules: how an indicator's value becomes points. Pure functions, no database.

A rule is data on the indicator (`rule`, `params`, `weight`):

- thresholds: `{"steps": [[at_least, percent], ...]}`: the highest step whose threshold the
  value reaches gives that percent of the weight (e.g. [[1, 40], [3, 70], [5, 100]]);
- linear: `{"low": a, "high": b}`: 0 at or below a, the full weight at or above b, a straight
  line between;
- abc: a grade A/B/C/D worth `{"A": 100, "B": 66, "C": 33, "D": 0}` percent of the weight;
- pass: the full weight when the value reaches `{"min": m}` (default 1), else nothing.

Points are rounded half up to two decimals; a total is the sum of rounded points, so a
county's total always equals the sum of the points its sheet shows. Every rule is
non-decreasing in the value: a better figure never lowers a score (`rule_problems` refuses
steps that would).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ABC_DEFAULT = {"A": 100, "B": 66, "C": 33, "D": 0}


def _d(value) -> Decimal:
    return Decimal(str(value))


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def share(rule: str, params: dict, value=None, grade: str = "") -> Decimal:
    """The fraction (0…1) of the weight earned by `value` (or `grade` for abc)."""
    params = params or {}
    if rule == "abc":
        table = {**ABC_DEFAULT, **(params.get("grades") or {})}
        return _d(table.get(grade, 0)) / 100 if grade else Decimal(0)
    if value is None:
        return Decimal(0)
    value = _d(value)
    if rule == "thresholds":
        earned = Decimal(0)
        for at_least, percent in params.get("steps", []):
            if value >= _d(at_least):
                earned = max(earned, _d(percent) / 100)
        return earned
    if rule == "linear":
        low, high = _d(params.get("low", 0)), _d(params.get("high", 100))
        if value <= low:
            return Decimal(0)
        if value >= high:
            return Decimal(1)
        return (value - low) / (high - low)
    if rule == "pass":
        return Decimal(1) if value >= _d(params.get("min", 1)) else Decimal(0)
    raise ValueError(rule)


def points(rule: str, params: dict, weight, value=None, grade: str = "") -> Decimal:
    """The points `value` (or `grade`) earns under the rule, out of `weight`."""
    return quantize(_d(weight) * share(rule, params, value, grade))


def passes_gate(params: dict, value) -> bool:
    """A gate admits when its value reaches `min` (default 1: “yes”)."""
    return value is not None and _d(value) >= _d((params or {}).get("min", 1))


def rule_problems(rule: str, params: dict) -> list[str]:
    """What is wrong with a rule's parameters, in Chinese (empty when it is usable)."""
    params = params or {}
    try:
        if rule == "thresholds":
            steps = params.get("steps")
            if not steps:
                return [_("分档计分至少需要一档（门槛值与得分比例）。")]
            last_at, last_percent = None, Decimal(-1)
            for at_least, percent in sorted(steps, key=lambda s: _d(s[0])):
                at_least, percent = _d(at_least), _d(percent)
                if not Decimal(0) <= percent <= 100:
                    return [_("每档得分比例须在 0 至 100 之间。")]
                if at_least == last_at:
                    return [_("分档门槛值不能重复。")]
                if percent < last_percent:
                    return [_("门槛越高，得分比例不能越低。")]
                last_at, last_percent = at_least, percent
        elif rule == "linear":
            if _d(params.get("high", 100)) <= _d(params.get("low", 0)):
                return [_("线性计分的上限须大于下限。")]
        elif rule == "abc":
            table = {**ABC_DEFAULT, **(params.get("grades") or {})}
            values = [_d(table[g]) for g in ("A", "B", "C", "D")]
            if values != sorted(values, reverse=True) or not all(0 <= v <= 100 for v in values):
                return [_("A/B/C/D 的得分比例须在 0 至 100 之间且依次不增。")]
        elif rule == "pass":
            _d(params.get("min", 1))
        else:
            return [_("未知的计分方式。")]
    except (InvalidOperation, TypeError, ValueError, IndexError, KeyError):
        return [_("计分参数格式不正确。")]
    return []


def tier_for(total, cutoffs: list) -> str:
    """The tier of a total: the first `[name, at_least]` (highest first) the total reaches."""
    for name, at_least in sorted(cutoffs, key=lambda c: _d(c[1]), reverse=True):
        if _d(total) >= _d(at_least):
            return name
    return cutoffs[-1][0] if cutoffs else ""
