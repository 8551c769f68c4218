"""Every spreadsheet kind the pages and commands offer, by the name used in URLs and commands."""

from __future__ import annotations

from qingxie.core.errors import QingxieError
from qingxie.core.tabular import SheetKind
from qingxie.ledger.sheets import COVERAGE_KIND, GROUP_MEMBER_KIND, LEDGER_KIND
from qingxie.teams.sheets import TEAM_KIND

KINDS: dict[str, SheetKind] = {
    k.name: k for k in (LEDGER_KIND, TEAM_KIND, GROUP_MEMBER_KIND, COVERAGE_KIND)
}


def get_kind(name: str, *, for_import: bool = False) -> SheetKind:
    """The kind called `name`, or a Chinese error listing the kinds there are."""
    kind = KINDS.get(name)
    if kind is None:
        names = "、".join(f"{k.name}（{k.title}）" for k in KINDS.values())
        raise QingxieError(f"没有“{name}”这种表格，可选：{names}。", field="kind")
    if for_import and kind.importer is None:
        raise QingxieError(f"“{kind.title}”只能导出，不能导入。", field="kind")
    return kind
