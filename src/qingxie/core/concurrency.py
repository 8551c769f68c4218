"""Optimistic locking: an editor saves only over the version they opened.

Versioned models carry `version`, bumped by the services on every saved edit. Edit forms
carry the version they were rendered with; API clients send it as `version` in the body or
`If-Match: "<version>"`. A mismatch is a ConflictError naming who saved in between, so two
editors of one record cannot silently overwrite each other.
"""

from __future__ import annotations

from qingxie.core.errors import ConflictError, QingxieError


def parse_version(raw) -> int | None:
    """A version number from a form, body or If-Match header (quotes and W/ tolerated)."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    try:
        return int(text)
    except ValueError:
        raise QingxieError(
            f"版本号“{raw}”不是整数；请先读取该记录，再按其 version 提交修改。", field="version"
        ) from None


def request_version(request) -> int | None:
    """The version an API client edits: `version` in the body, else the If-Match header."""
    raw = request.data.get("version") if hasattr(request.data, "get") else None
    if raw is None:
        raw = request.headers.get("If-Match")
    return parse_version(raw)


def check_version(instance, expected: int | None, what: str) -> None:
    """Refuse the edit when `instance` (locked with select_for_update) moved past `expected`."""
    if expected is None or expected == instance.version:
        return
    from django.utils import timezone

    from qingxie.core.changelog import changes_for

    last = changes_for(instance).first()
    # In the user's time zone (Asia/Shanghai), as every page shows times, never UTC.
    by = f"{last.user_name}于{timezone.localtime(last.time):%Y-%m-%d %H:%M}" if last else "他人"
    raise ConflictError(
        f"该{what}已被{by}修改（您打开的是第 {expected} 版，现在是第 {instance.version} 版），"
        "您的修改没有保存。请刷新页面，看过最新内容后重新编辑。"
    )
