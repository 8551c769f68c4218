"""Optimistic locking: an editor saves only over the version they opened.

Versioned models carry `version`, bumped by the services on every saved edit. Edit forms
carry the version they were rendered with; API clients send it as `version` in the body or
`If-Match: "<version>"`. A mismatch is a ConflictError naming who saved in between, so two
editors of one record cannot silently overwrite each other.
"""

from __future__ import annotations

from django.utils.translation import gettext

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
            gettext("版本号“%(raw)s”不是整数；请先读取该记录，再按其 version 提交修改。")
            % {"raw": raw},
            field="version",
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
    by = (
        gettext("%(user_name)s于%(localtime)s")
        % {
            "user_name": last.user_name,
            "localtime": format(timezone.localtime(last.time), "%Y-%m-%d %H:%M"),
        }
        if last
        else gettext("他人")
    )
    raise ConflictError(
        gettext(
            "该%(what)s已被%(by)s修改（您打开的是第 %(expected)s 版，现在是第 %(version)s 版），您的修改没有保存。请刷新页面，看过最新内容后重新编辑。"
        )
        % {"what": what, "by": by, "expected": expected, "version": instance.version}
    )
