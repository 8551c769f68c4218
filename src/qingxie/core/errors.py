"""The one application error type services raise; its message is shown to cadres as is."""

from __future__ import annotations


class QingxieError(Exception):
    """A business-rule failure with a Chinese message a cadre understands.

    `field` names the offending field when there is one, so forms and the API can attach
    the message to it; `code` is a stable machine-readable identifier.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class PermissionDeniedError(QingxieError):
    """The user's grants do not allow this action on this object."""

    def __init__(self, message: str = "您没有执行此操作的权限。", **kwargs):
        kwargs.setdefault("code", "permission_denied")
        super().__init__(message, **kwargs)
