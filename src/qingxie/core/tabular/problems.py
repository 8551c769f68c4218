"""Every problem of one file, each tied to its row and column, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from qingxie.core.tabular.spool import SpooledList


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: `row` is the spreadsheet's own row number (None: the whole file)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        # One sentence per case, so that English can say "Row 3, “名称”: …".
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.row is not None and self.column:
            return gettext("第%(row)s行“%(column)s”：%(message)s") % values
        if self.row is not None:
            return gettext("第%(row)s行：%(message)s") % values
        if self.column:
            return gettext("“%(column)s”：%(message)s") % values
        return self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class Problems:
    """Collects problems for a whole file; a file with any problem writes nothing.

    Problems are staged while a batch of rows is checked, then `flush()` puts them in row
    order (the columns' order within a row kept) into a SpooledList: the first `keep` stay in
    memory, the rest go to a temporary file, so a file with a million bad rows is still
    reported whole, with an exact count, in bounded memory.
    """

    def __init__(self, keep: int = 1000) -> None:
        self._staged: list[Problem] = []
        self._seen: set[Problem] = set()
        self._done: SpooledList[Problem] = SpooledList(keep)
        self._last_row: int | None = None
        #: How many rows have a problem (problems arrive in row order, batch after batch).
        self.row_count = 0

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        problem = Problem(row, column, message)
        if problem not in self._seen:  # two checks of one batch may notice the same thing
            self._seen.add(problem)
            self._staged.append(problem)

    def flush(self) -> None:
        """Move the staged problems, in row order, onto the list (call after each batch)."""
        order = {id(p): n for n, p in enumerate(self._staged)}
        for problem in sorted(self._staged, key=lambda p: (p.row or 0, order[id(p)])):
            if problem.row is not None and problem.row != self._last_row:
                self._last_row = problem.row
                self.row_count += 1
            self._done.append(problem)
        self._staged, self._seen = [], set()

    def __bool__(self) -> bool:
        return bool(self._staged) or bool(len(self._done))

    def __len__(self) -> int:
        return len(self._staged) + len(self._done)

    def listing(self) -> SpooledList[Problem]:
        """Every problem in row order (file problems first within their batch)."""
        self.flush()
        return self._done

    def sorted(self) -> list[Problem]:
        """Every problem as a list (for small files: refusals, tests)."""
        return list(self.listing())


class FileRefused(Exception):
    """The file cannot be read as this kind at all (wrong type, too big, bad header …)."""

    def __init__(self, problems: Problems):
        super().__init__("；".join(str(p) for p in problems.sorted()))
        self.problems = problems

    @classmethod
    def because(cls, message: str, *, row: int | None = None, column: str | None = None):
        problems = Problems()
        problems.add(message, row=row, column=column)
        return cls(problems)
