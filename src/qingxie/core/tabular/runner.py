"""Running an import: read, parse every cell, let the kind plan every row, then write all
rows in one transaction, or nothing.

The steps, for a file of any size:

1. the file is opened and its header matched (`reading.open_table`); a file that cannot be
   read as the kind is refused whole, with every reason;
2. every cell of every row is parsed by its column; a bad cell is a problem naming its row
   and column, and the other cells and rows are still checked;
3. the kind's importer plans every good row (lookups, permissions, duplicates inside the
   file and against the database, what would change) and names every problem it finds;
4. only when there is no problem at all are the rows written, in one transaction, through
   the services (each change-logged with the file's name and SHA-256). Should a service
   still refuse a row, that row's problem is recorded, the remaining rows are tried so every
   problem is reported, and the whole transaction is rolled back. `dry_run` rolls back too,
   after the services have seen every row: the preview shows exactly what would happen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from qingxie.core.context import change_note
from qingxie.core.errors import QingxieError
from qingxie.core.tabular.problems import FileRefused, Problem, Problems
from qingxie.core.tabular.reading import file_sha256, open_table
from qingxie.core.tabular.spec import CellError, SheetKind

Progress = Callable[[str, int, int | None], None]

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
VERB_LABELS = {CREATE: "新增", UPDATE: "修改", UNCHANGED: "无变化"}


@dataclass
class Row:
    """One parsed data row: its sheet row number and the values of the columns present.

    `bad` names the fields whose cells could not be parsed (already reported): they read as
    absent, so the importer can still check the row's other fields and name their problems.
    """

    number: int
    values: dict[str, object]
    bad: frozenset[str] = frozenset()

    def has(self, field_name: str) -> bool:
        return field_name in self.values

    def get(self, field_name: str, default=None):
        value = self.values.get(field_name)
        return default if value is None else value


@dataclass
class RowPlan:
    """What importing one row will do; `write` performs it through the services."""

    row: int
    verb: str
    label: str
    write: Callable[[], object] | None = None
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"row": self.row, "verb": self.verb, "label": self.label, "changes": self.changes}


@dataclass
class ImportContext:
    """What an importer gets: who acts, where problems go, and the kind's headers."""

    kind: SheetKind
    actor: object | None
    problems: Problems
    progress: Progress

    def problem(self, row: int | None, field_name: str | None, message: str) -> None:
        header = self.kind.header_for(field_name) if field_name else None
        self.problems.add(message, row=row, column=header)

    def service_error(self, row: int, exc: QingxieError) -> None:
        """Every field of a service's error, each under its column."""
        for field_name, messages in exc.errors.items():
            for message in messages:
                self.problem(row, field_name, message)


class Importer:
    """Plans and writes the rows of one kind; subclasses implement `plan`.

    `write` runs each plan's write in a savepoint so that, after a refusal, the remaining
    rows can still be tried (and reported) before everything is rolled back. A kind with
    many rows may override it with a batch path (see qingxie.teams.sheets).
    """

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        raise NotImplementedError

    def write(self, plans: list[RowPlan], ctx: ImportContext) -> None:
        todo = [p for p in plans if p.write is not None]
        for done, plan in enumerate(todo, start=1):
            try:
                with transaction.atomic():
                    plan.write()
            except QingxieError as exc:
                ctx.service_error(plan.row, exc)
            if done % 500 == 0:
                ctx.progress("写入", done, len(todo))
        ctx.progress("写入", len(todo), len(todo))


@dataclass
class ImportReport:
    """The outcome: every problem, or what was (or, in a dry run, would be) written."""

    kind: str
    filename: str
    sha256: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, verb: str) -> int:
        return sum(1 for p in self.plans if p.verb == verb)

    @property
    def counts(self) -> dict[str, int]:
        return {verb: self.count(verb) for verb in (CREATE, UPDATE, UNCHANGED)}

    def summary(self) -> str:
        if not self.ok:
            bad_rows = len({p.row for p in self.problems if p.row is not None})
            return (
                f"“{self.filename}”有 {len(self.problems)} 处错误"
                + (f"（涉及 {bad_rows} 行）" if bad_rows else "")
                + "，未写入任何数据。"
            )
        c = self.counts
        done = "将" if self.dry_run else "已"
        return (
            f"“{self.filename}”共 {self.rows} 行：{done}新增 {c[CREATE]} 条，"
            f"{done}修改 {c[UPDATE]} 条，{c[UNCHANGED]} 条与系统中一致无需修改。"
            + ("（预检，未写入）" if self.dry_run else "")
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "written": self.written,
            "rows": self.rows,
            "counts": self.counts,
            "summary": self.summary(),
            "problems": [p.as_dict() for p in self.problems],
            "plans": [p.as_dict() for p in self.plans if p.verb != UNCHANGED],
            "seconds": round(self.seconds, 2),
        }


def import_note(filename: str, sha256: str) -> str:
    """What every change-log entry written by an import carries."""
    return f"导入文件“{filename[:120]}”（SHA-256 {sha256}）"


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


def run_import(
    kind: SheetKind,
    path: Path,
    *,
    filename: str,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    sha256: str | None = None,
) -> ImportReport:
    """Import `path` (uploaded as `filename`) as `kind`, acting as `actor`; all rows or none."""
    started = time.perf_counter()
    progress = progress or _quiet
    report = ImportReport(kind.name, filename, "", dry_run)
    if kind.importer is None:
        raise QingxieError(f"“{kind.title}”只能导出，不能导入。")
    try:
        table = open_table(path, filename=filename, kind=kind, max_bytes=max_bytes)
        report.sha256 = sha256 or file_sha256(path)
        problems = table.problems
        columns = [kind.column(f) for f in table.positions]
        rows: list[Row] = []
        progress("读取", 0, table.estimated_rows)
        for number, raw in table.rows():
            values, bad = {}, set()
            for column in columns:
                try:
                    values[column.field] = column.parse(raw[column.field])
                except CellError as exc:
                    problems.add(exc.message, row=number, column=column.header)
                    bad.add(column.field)
            rows.append(Row(number, values, frozenset(bad)))
            if len(rows) % 2000 == 0:
                progress("读取", len(rows), table.estimated_rows)
    except FileRefused as refused:
        report.sha256 = report.sha256 or sha256 or ""
        report.problems = refused.problems.sorted()
        report.seconds = time.perf_counter() - started
        return report
    report.rows = len(rows)
    if not rows:
        problems.add(f"文件“{filename}”只有列名，没有数据行。")
    ctx = ImportContext(kind, actor, problems, progress)
    importer = kind.importer()  # one per run: importers keep their lookups on themselves
    progress("校验", 0, len(rows))
    # Rows with bad cells are planned too, so their other fields' problems are named as well;
    # with any problem at all nothing is written.
    report.plans = importer.plan(rows, ctx)
    progress("校验", len(rows), len(rows))
    if not problems:
        with transaction.atomic(), change_note(import_note(filename, report.sha256)):
            importer.write(report.plans, ctx)
            if problems or dry_run:
                transaction.set_rollback(True)
    report.problems = problems.sorted()
    report.seconds = time.perf_counter() - started
    return report
