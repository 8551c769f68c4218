"""A list that keeps its first items in memory and the rest in a temporary file.

An import of a million rows may name a million problems; holding them all would defeat the
streaming runner. A SpooledList keeps the first `keep` items in memory (what a page shows)
and writes every later one to an unnamed temporary file, so its length stays exact and the
whole list can still be read back, in order, for the downloadable problem list.
"""

from __future__ import annotations

import contextlib
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class SpooledList(Sequence, Generic[T]):
    """Append-only; `len()` exact; iteration and slicing read the spilled part back from disk."""

    def __init__(self, keep: int = 1000) -> None:
        self.keep = keep
        self.head: list[T] = []
        self._file = None
        self._spilled = 0

    def append(self, item: T) -> None:
        if len(self.head) < self.keep:
            self.head.append(item)
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="qingxie-spool-")  # noqa: SIM115
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spilled += 1

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return len(self.head) + self._spilled

    def __iter__(self) -> Iterator[T]:
        yield from self.head
        if self._file is None:
            return
        spilled, fh = self._spilled, self._file
        fh.flush()
        fh.seek(0)
        try:
            for _ in range(spilled):
                yield pickle.load(fh)
        finally:
            fh.seek(0, 2)  # appends go on at the end

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.indices(len(self))[1] <= len(self.head):
                return self.head[index]
            return list(self)[index]
        if index < 0:
            index += len(self)
        if 0 <= index < len(self.head):
            return self.head[index]
        if not 0 <= index < len(self):
            raise IndexError(index)
        for n, item in enumerate(self):
            if n == index:
                return item
        raise IndexError(index)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"SpooledList({len(self)} items, {len(self.head)} in memory)"

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown
            self.close()
