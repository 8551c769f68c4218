"""Which personal data an export shows in clear: one function, so the rule lives in one place."""

from __future__ import annotations

from qingxie.core.validators import phone_masked


def may_export_clear_phones(user, path: str) -> bool:
    """Whether `user` may receive phone numbers unmasked in an export of region `path`.

    The rule of the pages: the `reveal` action of the permission policy (by default the
    admins of the exported region or above); every export of personal data is itself logged.
    """
    from qingxie.core.policies import policy_for

    return policy_for(None).user_may(user, "reveal", path=path)


def export_phone(user, value: str | None, path: str) -> str:
    """A phone number as `user` may see it in an export of region `path`."""
    return (value or "") if may_export_clear_phones(user, path) else phone_masked(value)


def phone_change(new: str, current: str) -> bool:
    """Whether a phone cell changes the stored number: exports show phones masked, and a
    masked value left as exported means "keep the number"."""
    return (bool(new) and new != current and new != phone_masked(current)) or (
        not new and bool(current)
    )
