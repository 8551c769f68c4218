"""The registry of spreadsheet kinds: each app registers its kinds in AppConfig.ready(),
and the sheets pages and commands read them from here without naming any app."""

from __future__ import annotations

from qingxie.core.tabular.spec import SheetKind

_KINDS: dict[str, tuple[int, SheetKind]] = {}


def register_sheet_kind(kind: SheetKind, *, order: int = 100) -> SheetKind:
    """Offer `kind` on the sheets pages and commands; lower `order` is listed first.

    Registering the same name again replaces the kind (a reloaded app), never duplicates it.
    """
    _KINDS[kind.name] = (order, kind)
    return kind


def sheet_kinds() -> list[SheetKind]:
    """Every registered kind, by `order` and then by name."""
    return [kind for _, kind in sorted(_KINDS.values(), key=lambda ok: (ok[0], ok[1].name))]


def unregister_sheet_kind(name: str) -> None:
    """Withdraw a kind (for tests that register their own)."""
    _KINDS.pop(name, None)
