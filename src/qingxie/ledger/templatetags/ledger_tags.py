"""Filters the ledger pages use: phone numbers masked on screen, rates as percentages."""

from __future__ import annotations

from django import template

from qingxie.core.validators import phone_masked

register = template.Library()


@register.filter
def mask_phone(value) -> str:
    """A phone number with its middle hidden (see `core.validators.phone_masked`)."""
    return phone_masked(value)


@register.filter
def phone_shown(value, revealed=False) -> str:
    """The number in clear on a page the user has just revealed (logged), else masked."""
    return (value or "") if revealed else phone_masked(value)


@register.filter
def percent(value) -> str:
    """A rate (already a percentage to one decimal) with its sign, or a dash when undefined."""
    if value is None:
        return "—"
    return f"{value:.1f}%"
