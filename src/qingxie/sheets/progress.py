"""Progress of long imports and exports on the command line."""

from __future__ import annotations

import sys


class StderrProgress:
    """One progress line on stderr, rewritten in place (plain lines when not a terminal)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        line = f"{stage}：{done:,}" + (f" / {total:,} 行" if total else " 行")
        if line == self.last:
            return
        self.last = line
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
