"""Spreadsheets in and out, domain-free: kinds declared once as columns; xlsx/csv reading with
every refusal named; an all-or-nothing import runner; templates and streaming exports.

Domain kinds live next to their services (e.g. `qingxie.teams.sheets`) and are registered
with `register_sheet_kind` in their app's AppConfig.ready(); pages and commands
(`qingxie.sheets`) read `sheet_kinds()`.
"""

from qingxie.core.tabular.problems import FileRefused, Problem, Problems
from qingxie.core.tabular.registry import register_sheet_kind, sheet_kinds
from qingxie.core.tabular.runner import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportContext,
    Importer,
    ImportReport,
    Row,
    RowPlan,
    SeenKeys,
    run_import,
)
from qingxie.core.tabular.spec import CellError, Column, SheetKind, choice_pairs

__all__ = [
    "CREATE",
    "UNCHANGED",
    "UPDATE",
    "CellError",
    "Column",
    "FileRefused",
    "ImportContext",
    "ImportReport",
    "Importer",
    "Problem",
    "Problems",
    "Row",
    "RowPlan",
    "SeenKeys",
    "SheetKind",
    "choice_pairs",
    "register_sheet_kind",
    "run_import",
    "sheet_kinds",
]
