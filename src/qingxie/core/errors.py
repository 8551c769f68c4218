"""The one application error type services raise; its message is shown to cadres as is."""

from __future__ import annotations

from django.utils.translation import gettext


class QingxieError(Exception):
    """A business-rule failure with a message a cadre understands, in the request's language.

    `field` names the offending field when there is one, so forms and the API can attach
    the message to it; `code` is a stable machine-readable identifier.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        #: Every failing field with its messages, when a service checks several at once.
        self.errors: dict[str, list[str]] = errors or {(field or "non_field_errors"): [message]}


class ErrorCollector:
    """Collect every failing field of one write, then raise them together.

    Services check all fields before writing so a cadre sees every mistake at once (and an
    import can name every bad field of a row), not only the first.
    """

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            first_field, _messages = next(iter(self.errors.items()))
            message = gettext("；").join(m for ms in self.errors.values() for m in ms)
            raise QingxieError(
                message, field=first_field if len(self.errors) == 1 else None, errors=self.errors
            )


class ConflictError(QingxieError):
    """Someone else saved the record after this editor opened it (optimistic locking)."""

    def __init__(self, message: str, **kwargs):
        kwargs.setdefault("code", "conflict")
        super().__init__(message, **kwargs)


class PermissionDeniedError(QingxieError):
    """The user's grants do not allow this action on this object."""

    def __init__(self, message: str | None = None, **kwargs):
        kwargs.setdefault("code", "permission_denied")
        super().__init__(message or gettext("您没有执行此操作的权限。"), **kwargs)
