"""Every spreadsheet kind the pages and commands offer, by the name used in URLs and commands.

The kinds come from the registry in qingxie.core.tabular, which each app fills in its
AppConfig.ready(); this module names no app.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from qingxie.core.errors import QingxieError
from qingxie.core.tabular import SheetKind
from qingxie.core.tabular.registry import sheet_kinds


class _Kinds(Mapping):
    """The registered kinds by name, in their registered order, read at each use."""

    def _current(self) -> dict[str, SheetKind]:
        return {k.name: k for k in sheet_kinds()}

    def __getitem__(self, name: str) -> SheetKind:
        return self._current()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


KINDS: Mapping[str, SheetKind] = _Kinds()


def get_kind(name: str, *, for_import: bool = False) -> SheetKind:
    """The kind called `name`, or a Chinese error listing the kinds there are."""
    kind = KINDS.get(name)
    if kind is None:
        names = "、".join(f"{k.name}（{k.title}）" for k in KINDS.values())
        raise QingxieError(f"没有“{name}”这种表格，可选：{names}。", field="kind")
    if for_import and kind.importer is None:
        raise QingxieError(f"“{kind.title}”只能导出，不能导入。", field="kind")
    return kind
