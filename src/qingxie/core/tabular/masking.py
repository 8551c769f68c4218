"""Which personal data an export shows in clear: one function, so the rule lives in one place."""

from __future__ import annotations

from qingxie.core.validators import phone_masked


def may_export_clear_phones(user) -> bool:
    """Whether `user` may receive phone numbers unmasked in an export.

    No role may yet (个人信息保护法: exported only by roles allowed to, every access logged);
    when a role is allowed (issue 5), this is the one place to say so.
    """
    return False


def export_phone(user, value: str | None) -> str:
    """A phone number as `user` may see it in an export."""
    return (value or "") if may_export_clear_phones(user) else phone_masked(value)
