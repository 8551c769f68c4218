"""Who is acting right now (user, request id, client address, channel), for the change log."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeContext:
    """Attribution of the writes made while this context is active."""

    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    client_ip: str | None = None
    channel: str = "system"  # web, api, cli, import, system


_current: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar(
    "qingxie_change_context", default=None
)


def current_context() -> ChangeContext:
    """The active context, or a fresh anonymous system context."""
    return _current.get() or ChangeContext()


@contextmanager
def change_context(**kwargs) -> Iterator[ChangeContext]:
    """Attribute every write inside the block to the given user/channel."""
    ctx = ChangeContext(**kwargs)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
