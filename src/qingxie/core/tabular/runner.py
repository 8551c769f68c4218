"""Running an import: read, parse and check every row, then write all rows in one
transaction, or nothing — streaming, so memory stays bounded whatever the file's length.

The steps, for a file of any size:

1. the file is opened and its header matched (`reading.open_table`); a file that cannot be
   read as the kind is refused whole, with every reason;
2. the check pass streams the rows in batches (`Importer.batch_size`): every cell of a
   batch is parsed by its column (a bad cell is a problem naming its row and column; the
   other cells and rows are still checked), then the kind's importer plans the batch
   (lookups, permissions, duplicates inside the file and against the database, what would
   change) and names every problem it finds. Plans are counted and summarised (the first
   ones in memory, the rest in a temporary file) and then dropped;
3. only when no row of the whole file has a problem does the write pass run: the file is
   read again and each batch planned afresh and written through the services, all in one
   transaction (each write change-logged with the file's name and SHA-256). Should a
   service still refuse a row, that row's problem is recorded, the remaining rows are
   tried so every problem is reported, and the whole transaction is rolled back.
   `dry_run` rolls back too, after the services have seen every row: the preview shows
   exactly what would happen. When the check did find problems, the rows without any are
   still written and rolled back (`_probe_pass`), so the services' own refusals are listed
   with the cell and row problems in the same report.

Problems are kept the same way as plan summaries (`Problems`, a SpooledList): the count is
exact, the first ones are in memory for the page and all of them can be read back.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, ngettext

from qingxie.core.context import change_note
from qingxie.core.errors import QingxieError
from qingxie.core.tabular.ceiling import ceiling_message, memory_ceiling
from qingxie.core.tabular.problems import FileRefused, Problem, Problems
from qingxie.core.tabular.reading import Table, file_sha256, open_table
from qingxie.core.tabular.spec import CellError, SheetKind
from qingxie.core.tabular.spool import SpooledList

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
    #: What the preview shows of the row: [column header, old value, new value] per field,
    #: as text (personal values masked); old is "" for a new record (`ImportContext.diff`).
    values: list[list[str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "verb": self.verb,
            "label": self.label,
            "changes": self.changes,
            "values": self.values,
        }


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

    def shown(self, field_name: str, value, *, personal: bool = False) -> str:
        """`value` of the column as a cadre reads it in the preview: a choice by its label,
        a date as YYYY-MM-DD, yes/no, and a personal value (a phone) masked."""
        if value is None or value == "":
            return ""
        if personal:
            from qingxie.core.validators import phone_masked

            return phone_masked(str(value))
        if isinstance(value, bool):
            return gettext("是") if value else gettext("否")
        if isinstance(value, datetime.date):
            return value.isoformat()
        column = next((c for c in self.kind.columns if c.field == field_name), None)
        for choice, label in column.choices if column else ():
            if choice == value:
                return label
        if hasattr(value, "name") and hasattr(value, "code"):  # a region: its name and code
            return f"{value.name}（{value.code}）"
        return str(value)

    def diff(self, field_name: str, old, new, *, personal: bool = False) -> list[str]:
        """[header, old, new] of one field for `RowPlan.values` (old None: a new record)."""
        return [
            self.kind.header_for(field_name) or field_name,
            "" if old is None else self.shown(field_name, old, personal=personal),
            self.shown(field_name, new, personal=personal),
        ]

    def service_error(self, row: int, exc: QingxieError) -> None:
        """Every field of a service's error, each under its column."""
        for field_name, messages in exc.errors.items():
            for message in messages:
                self.problem(row, field_name, message)


class Importer:
    """Plans and writes the rows of one kind; subclasses implement `plan`.

    The runner calls `plan` once per batch of `batch_size` rows (None: the whole file in one
    batch, for kinds whose files are small and whose rows must be ordered across the file),
    on one importer per pass: what must be known across batches (rows already seen, for
    duplicates inside the file) is kept on the importer itself.

    `write` runs each plan's write in a savepoint so that, after a refusal, the remaining
    rows can still be tried (and reported) before everything is rolled back. A kind with
    many rows may override it with a bulk service (see qingxie.teams.sheets).
    """

    batch_size: int | None = 2000

    def plan(self, rows: list[Row], ctx: ImportContext) -> list[RowPlan]:
        raise NotImplementedError

    def write(self, plans: list[RowPlan], ctx: ImportContext) -> None:
        for plan in plans:
            if plan.write is None:
                continue
            try:
                with transaction.atomic():
                    plan.write()
            except QingxieError as exc:
                ctx.service_error(plan.row, exc)


class SeenKeys:
    """Which row first held each key, across a whole file, in bounded memory.

    Keys (an association and a team name …) are kept as their 64-bit hash, not themselves:
    a million keys take some 100 MB as tuples of strings, a fifth of that as hashes. Two
    different keys of one file sharing a hash is a chance of about one in ten billion for a
    million rows.
    """

    def __init__(self) -> None:
        self._rows: dict[int, int] = {}

    def first(self, key, row: int) -> int | None:
        """The row that held `key` before `row` (None: first time), remembering `row`."""
        digest = hash(key)
        earlier = self._rows.get(digest)
        if earlier is None:
            self._rows[digest] = row
        return earlier


@dataclass
class ImportReport:
    """The outcome: every problem, or what was (or, in a dry run, would be) written.

    `problems` and `plans` are sequences with an exact length whose first items are in
    memory and whose rest is read back from a temporary file (SpooledList); `plans` holds
    summaries (row, verb, label, changes), not the writes.
    """

    kind: str
    filename: str
    sha256: str
    dry_run: bool
    problems: Sequence[Problem] = field(default_factory=list)
    plans: Sequence[RowPlan] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    verbs: Counter = field(default_factory=Counter)
    problem_rows: int | None = None

    @property
    def ok(self) -> bool:
        return not len(self.problems)

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, verb: str) -> int:
        return self.verbs[verb]

    @property
    def counts(self) -> dict[str, int]:
        return {verb: self.count(verb) for verb in (CREATE, UPDATE, UNCHANGED)}

    def summary(self) -> str:
        if not self.ok:
            bad_rows = self.problem_rows
            if bad_rows is None:
                bad_rows = len({p.row for p in self.problems if p.row is not None})
            count = len(self.problems)
            rows = (
                ngettext("（涉及 %(bad_rows)s 行）", "（涉及 %(bad_rows)s 行）", bad_rows)
                % {"bad_rows": bad_rows}
                if bad_rows
                else ""
            )
            return ngettext(
                "“%(filename)s”有 %(count)s 处错误%(rows)s，未写入任何数据。",
                "“%(filename)s”有 %(count)s 处错误%(rows)s，未写入任何数据。",
                count,
            ) % {"filename": self.filename, "count": count, "rows": rows}
        c = self.counts
        figures = {
            "filename": self.filename,
            "rows": self.rows,
            "created": c[CREATE],
            "updated": c[UPDATE],
            "unchanged": c[UNCHANGED],
        }
        if self.dry_run:
            return (
                ngettext(
                    "“%(filename)s”共 %(rows)s 行：将新增 %(created)s 条，将修改 %(updated)s 条，"
                    "%(unchanged)s 条与系统中一致无需修改。（预检，未写入）",
                    "“%(filename)s”共 %(rows)s 行：将新增 %(created)s 条，将修改 %(updated)s 条，"
                    "%(unchanged)s 条与系统中一致无需修改。（预检，未写入）",
                    self.rows,
                )
                % figures
            )
        return (
            ngettext(
                "“%(filename)s”共 %(rows)s 行：已新增 %(created)s 条，已修改 %(updated)s 条，"
                "%(unchanged)s 条与系统中一致无需修改。",
                "“%(filename)s”共 %(rows)s 行：已新增 %(created)s 条，已修改 %(updated)s 条，"
                "%(unchanged)s 条与系统中一致无需修改。",
                self.rows,
            )
            % figures
        )

    def iter_problems(self) -> Iterator[Problem]:
        """Every problem in row order, read back from disk past the first ones."""
        return iter(self.problems)

    def as_dict(self, *, problem_limit: int | None = None, plan_limit: int | None = None) -> dict:
        """The report as JSON data; `problems` and `plans` cut at the limits (None: all),
        `problem_count` and `plan_count` exact whatever the limits."""
        problems, changed = [], []
        for p in self.problems:
            if problem_limit is not None and len(problems) >= problem_limit:
                break
            problems.append(p.as_dict())
        plan_count = len(self.plans) - self.verbs[UNCHANGED]
        for p in self.plans:
            if plan_limit is not None and len(changed) >= plan_limit:
                break
            if p.verb != UNCHANGED:
                changed.append(p.as_dict())
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
            "problems": problems,
            "problem_count": len(self.problems),
            "plans": changed,
            "plan_count": plan_count,
            "seconds": round(self.seconds, 2),
        }


def import_note(filename: str, sha256: str) -> str:
    """What every change-log entry written by an import carries."""
    return f"导入文件“{filename[:120]}”（SHA-256 {sha256}）"


def _quiet(stage: str, done: int, total: int | None) -> None:
    return None


def _parsed(table: Table, ctx: ImportContext) -> Iterator[Row]:
    """The table's rows, each cell parsed by its column; bad cells become problems."""
    columns = [ctx.kind.column(f) for f in table.positions]
    problems = ctx.problems
    for number, raw in table.rows():
        values, bad = {}, set()
        for column in columns:
            try:
                values[column.field] = column.parse(raw[column.field])
            except CellError as exc:
                problems.add(exc.message, row=number, column=column.header)
                bad.add(column.field)
        yield Row(number, values, frozenset(bad))


def _batches(rows: Iterator[Row], size: int | None) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if size is not None and len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _summary(plan: RowPlan) -> RowPlan:
    """A plan without its write (and whatever an importer hung on it), to be kept."""
    return RowPlan(plan.row, plan.verb, plan.label, None, list(plan.changes), list(plan.values))


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
    """Import `path` (uploaded as `filename`) as `kind`, acting as `actor`; all rows or none.

    Within a memory ceiling (`ceiling.memory_ceiling`): should the import need more, it is
    refused with that reason and nothing is written; the process carries on.
    """
    started = time.perf_counter()
    try:
        with memory_ceiling():
            return _run_import(
                kind,
                path,
                filename=filename,
                actor=actor,
                dry_run=dry_run,
                progress=progress,
                max_bytes=max_bytes,
                sha256=sha256,
                started=started,
            )
    except MemoryError:
        report = ImportReport(kind.name, filename, sha256 or "", dry_run)
        report.problems = [Problem(None, None, ceiling_message())]
        report.seconds = time.perf_counter() - started
        return report


def _run_import(
    kind: SheetKind,
    path: Path,
    *,
    filename: str,
    actor,
    dry_run: bool,
    progress: Progress | None,
    max_bytes: int | None,
    sha256: str | None,
    started: float,
) -> ImportReport:
    progress = progress or _quiet
    report = ImportReport(kind.name, filename, "", dry_run)
    if kind.importer is None:
        raise QingxieError(gettext("“%(title)s”只能导出，不能导入。") % {"title": kind.title})
    try:
        table = open_table(path, filename=filename, kind=kind, max_bytes=max_bytes)
        report.sha256 = sha256 or file_sha256(path)
        problems = table.problems
        ctx = ImportContext(kind, actor, problems, progress)
        plans: SpooledList[RowPlan] = SpooledList(problems._done.keep)
        report.plans = plans
        # The check pass: every row, in batches; plans are counted, summarised and dropped.
        # Rows with bad cells are planned too, so their other fields' problems are named as
        # well; with any problem at all nothing is written.
        importer = kind.importer()  # one per pass: importers keep cross-batch state on themselves
        progress("读取", 0, table.estimated_rows)  # rows are read and checked as they stream
        for batch in _batches(_parsed(table, ctx), importer.batch_size):
            report.rows += len(batch)
            for plan in importer.plan(batch, ctx):
                report.verbs[plan.verb] += 1
                plans.append(_summary(plan))
            problems.flush()
            progress("校验", report.rows, table.estimated_rows)
    except FileRefused as refused:
        report.sha256 = report.sha256 or sha256 or ""
        report.problems = refused.problems.listing()
        report.verbs.clear()
        report.plans = []
        report.seconds = time.perf_counter() - started
        return report
    if not report.rows:
        problems.add(gettext("文件“%(filename)s”只有列名，没有数据行。") % {"filename": filename})
    if not problems:
        _write_pass(kind, path, filename, report, ctx, max_bytes)
    elif report.rows:
        _probe_pass(kind, path, filename, report, ctx, max_bytes)
    report.problems = problems.listing()
    report.problem_rows = problems.row_count
    report.seconds = time.perf_counter() - started
    return report


#: A file with more bad rows than this is not probed (its list is long enough to work on).
PROBE_MAX_BAD_ROWS = 10_000


def _probe_pass(kind, path, filename, report, ctx: ImportContext, max_bytes) -> None:
    """The check found problems: the rows it found none in are still written through the
    services and then rolled back, so that what only a write finds (a service's rules
    across records, e.g. an earlier association's period on the same region) is reported
    with the cell and row problems now, not after those are fixed and the file sent again.

    Planning problems of this pass are not reported again (the check already named them);
    only the services' refusals are added, after the check's problems.
    """
    problems = ctx.problems
    listing = problems.listing()
    if problems.row_count > PROBE_MAX_BAD_ROWS:
        return
    bad_rows = set()
    for problem in listing:
        if problem.row is None:
            return  # a problem with the whole file: its rows cannot be trusted to be probed
        bad_rows.add(problem.row)
    quiet_ctx = ImportContext(kind, ctx.actor, Problems(), _quiet)
    write_ctx = ImportContext(kind, ctx.actor, problems, _quiet)
    writer = kind.importer()
    table = open_table(path, filename=filename, kind=kind, max_bytes=max_bytes)
    table.problems = quiet_ctx.problems
    ctx.progress("复核", 0, report.rows)
    done = 0
    with transaction.atomic(), change_note(import_note(filename, report.sha256)):
        for batch in _batches(_parsed(table, quiet_ctx), writer.batch_size):
            plans = [p for p in writer.plan(batch, quiet_ctx) if p.row not in bad_rows]
            writer.write(plans, write_ctx)
            problems.flush()
            done += len(batch)
            ctx.progress("复核", done, report.rows)
        transaction.set_rollback(True)


def _write_pass(kind, path, filename, report, ctx: ImportContext, max_bytes) -> None:
    """Read the checked file again and write it, batch after batch, in one transaction."""
    problems, progress = ctx.problems, ctx.progress
    writer = kind.importer()
    table = open_table(path, filename=filename, kind=kind, max_bytes=max_bytes)
    table.problems = problems
    done = 0
    progress("写入", 0, report.rows)
    with transaction.atomic(), change_note(import_note(filename, report.sha256)):
        for batch in _batches(_parsed(table, ctx), writer.batch_size):
            # Planned again against the database as the earlier batches left it: the check
            # pass found no duplicate inside the file, so no row depends on another's write.
            # After a refusal the later batches are still written (and rolled back with the
            # rest), so that every row a service would refuse is named.
            writer.write(writer.plan(batch, ctx), ctx)
            problems.flush()
            done += len(batch)
            progress("写入", done, report.rows)
        if problems or report.dry_run:
            transaction.set_rollback(True)
