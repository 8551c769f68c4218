"""Who is acting right now (user, request id, client address, channel), for the change log."""

from __future__ import annotations

import contextvars
import dataclasses
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
    #: Added to the note of every entry written in this context (e.g. an import's file and hash).
    note: str = ""


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


@contextmanager
def change_note(note: str) -> Iterator[ChangeContext]:
    """Tag every write inside the block with `note`, keeping the active user and channel.

    An import uses it so each change-log entry it causes names the file and its SHA-256.
    """
    ctx = dataclasses.replace(current_context(), note=note)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
