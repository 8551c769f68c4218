"""Checks of standard identifiers and dates shared by every domain (messages in Chinese)."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a valid 统一社会信用代码 (GB 32100), or None when it is."""
    try:
        stdnum_uscc.validate(value)
    except InvalidChecksum:
        return gettext("统一社会信用代码“%(value)s”校验位错误，请核对。") % {"value": value}
    except InvalidLength:
        return gettext("统一社会信用代码“%(value)s”应为18位。") % {"value": value}
    except ValidationError:
        return gettext("统一社会信用代码“%(value)s”格式不对。") % {"value": value}
    return None


def uscc_compact(value: str) -> str:
    """The code without spaces or hyphens, upper case."""
    return stdnum_uscc.compact(value or "")


def phone_problem(value: str) -> str | None:
    """Why `value` is not a mainland mobile or landline number, or None when it is."""
    if _PHONE.match(value):
        return None
    return gettext("电话号码“%(value)s”格式不对，应为11位手机号或带区号的固定电话。") % {
        "value": value
    }


def date_problem(value: datetime.date | None, label: str, *, today: datetime.date) -> str | None:
    """A date in the future is refused: the ledger records what has happened."""
    if value is not None and value > today:
        return gettext("%(label)s（%(value)s）不能晚于今天。") % {
            "label": label,
            "value": format(value, "%Y-%m-%d"),
        }
    return None


def phone_masked(value: str | None) -> str:
    """A phone number with its middle hidden, as shown on screen and in the API.

    13812345678 → 138****5678, 020-87654321 → 020****4321; values shorter than eight
    characters keep only their last two.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 8:
        return f"{value[:3]}****{value[-4:]}"
    return "*" * (len(value) - 2) + value[-2:]
