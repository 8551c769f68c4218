"""Filters the ledger pages use: phone numbers masked on screen, rates as percentages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def mask_phone(value) -> str:
    """A phone number with its middle hidden: 13812345678 → 138****5678, 020-87654321 → 020****4321.

    Only the first three and the last four characters stay visible; shorter values are
    hidden entirely but for their last two.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 8:
        return f"{value[:3]}****{value[-4:]}"
    return "*" * (len(value) - 2) + value[-2:]


@register.filter
def percent(value) -> str:
    """A rate (already a percentage to one decimal) with its sign, or a dash when undefined."""
    if value is None:
        return "—"
    return f"{value:.1f}%"
