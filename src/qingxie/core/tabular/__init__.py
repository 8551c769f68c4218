"""Spreadsheets in and out, domain-free: kinds declared once as columns; xlsx/csv reading with
every refusal named; an all-or-nothing import runner; templates and streaming exports.

Domain kinds live next to their services (`qingxie.ledger.sheets`, `qingxie.teams.sheets`);
pages and commands are in `qingxie.sheets`.
"""

from qingxie.core.tabular.problems import FileRefused, Problem, Problems
from qingxie.core.tabular.runner import (
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportContext,
    Importer,
    ImportReport,
    Row,
    RowPlan,
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
    "SheetKind",
    "choice_pairs",
    "run_import",
]
