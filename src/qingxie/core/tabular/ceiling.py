"""A memory ceiling around one import: past it an allocation fails with MemoryError (the
import is refused with a clear message) instead of the kernel or the allocator killing the
whole worker, and every other job in it.

It is the address-space limit (RLIMIT_AS) of the process, lowered for the import's duration
to what the process uses now plus the ceiling, and put back afterwards. Python turns a
refused allocation into MemoryError; the streaming reader allocates nothing large itself,
so the ceiling is a last guard, not the way files are bounded (see `xlsx.XlsxLimits`).
"""

from __future__ import annotations

import contextlib
import os
import threading

from django.utils.translation import gettext

try:
    import resource
except ImportError:  # pragma: no cover - not on Linux
    resource = None

MB = 1024 * 1024
_lock = threading.Lock()
_depth = [0]


def default_ceiling() -> int:
    """QINGXIE_IMPORT_MAX_MEMORY_MB (1024 unless set): the room one import may take."""
    from django.conf import settings

    return int(getattr(settings, "QINGXIE_IMPORT_MAX_MEMORY_BYTES", 1024 * MB))


def _address_space() -> int | None:
    """This process's virtual size now (bytes), from /proc."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def memory_ceiling(room: int | None = None):
    """Within the block, the process may grow by at most `room` bytes (0/None: no ceiling).

    Nested or concurrent uses in one process keep the outermost ceiling.
    """
    room = default_ceiling() if room is None else room
    used = _address_space()
    if resource is None or not room or used is None:
        yield
        return
    with _lock:
        _depth[0] += 1
        first = _depth[0] == 1
        previous = resource.getrlimit(resource.RLIMIT_AS)
        if first:
            soft = used + room
            hard = previous[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            try:
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            except (ValueError, OSError):
                first = False
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if first:
                resource.setrlimit(resource.RLIMIT_AS, previous)


def ceiling_message(room: int | None = None) -> str:
    room = default_ceiling() if room is None else room
    return gettext(
        "读取该文件所需的内存超过了单次导入的上限（%(value)s MB），未写入任何数据。请拆分成几个较小的文件分别导入。"
    ) % {"value": room // MB}
