"""Every problem of one file, each tied to its row and column, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: `row` is the spreadsheet's own row number (None: the whole file)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”")
        return f"{''.join(where)}：{self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class Problems:
    """Collects problems for a whole file; a file with any problem writes nothing."""

    def __init__(self) -> None:
        self._items: list[Problem] = []
        self._seen: set[Problem] = set()

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        problem = Problem(row, column, message)
        if problem not in self._seen:  # two checks may notice the same thing
            self._seen.add(problem)
            self._items.append(problem)

    def rows_with_problems(self) -> set[int]:
        return {p.row for p in self._items if p.row is not None}

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Problem]:
        """File problems first, then by row, keeping the column order within a row."""
        order = {id(p): n for n, p in enumerate(self._items)}
        return sorted(self._items, key=lambda p: (p.row or 0, order[id(p)]))


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
