"""Large exports written on the job queue and kept, so a cadre never waits twice for the same file.

Which exports are jobs (`is_large`): every export of a province or of the nation, and any export
of more rows than QINGXIE_EXPORT_JOB_ROWS (setting or environment, default 5,000). Smaller ones are written
inside the request as before. A job writes the file with openpyxl's write-only mode (memory stays
flat), reporting rows written / total on its progress page.

The written file is kept in the storage (settings STORAGES, shared by every app server), sealed
(AES-GCM, `core.tabular.sealed`: personal data are never clear at rest), under
`exports/<region code>/<kind>_<date>_d<depth>_<variant>_<data version>.<format>.sealed`:

- the data version is a digest of `core.cache.figures_stamp` over the domains an export reads
  (ledger, regions, teams and the kind's own app), in the region's subtree and above it, and of
  the code's version: any recorded write there, or an upgrade, makes the next request write a new
  file (and the older one is removed);
- the variant is what makes one user's file differ from another's for the same region: phones in
  clear or masked (`may_export_clear_phones`), and, when the user's view of the kind does not
  cover the whole region's subtree, the user's own id.

Who receives which file (the gate): a kept file is served to any user whose own export of the same
kind, region, date and format would be exactly that file: the region is in their scope
(`export_region`) and their variant is the file's. So a second national administrator asking for
the national ledger is served the first one's file at once, and logged in their own name; a
cadre whose phones are masked never receives a file with phones in clear. A job and its page
belong to the user who started it (`core.jobs.job_of`): anyone else gets 404 on its progress page
and its download, and the owner only while the region is still in their scope with the same
variant. Every export, written or served kept, is recorded in the change log as before.

Kept files are swept after KEEP_HOURS by a periodic job (`core.jobs.storage_sweep`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from qingxie.core.jobs import Job, job_enqueue_once, job_handler, storage_sweep
from qingxie.core.tabular import SheetKind
from qingxie.core.tabular.sealed import seal, unseal
from qingxie.regions.models import Region

log = logging.getLogger(__name__)

JOB_KIND = "sheets.export"
ROOT = "exports"
SEALED = ".sealed"
#: Exports of more rows than this (QINGXIE_EXPORT_JOB_ROWS) are written on the job queue.
DEFAULT_JOB_ROWS = 5000
#: Kept export files older than this are swept (today's file is what is asked for again).
KEEP_HOURS = 24
#: Domains of writes every export reads (region names, association numbers and names, teams
#: for the coverage table); the kind's own app is added.
DOMAINS = frozenset({"ledger", "regions", "teams"})
#: A worker fires the every-minute reaper schedule; one silent this long is stopped (as /readyz).
WORKER_SILENT_SECONDS = 180


def job_rows() -> int:
    """The row count above which an export runs on the job queue: the Django setting
    QINGXIE_EXPORT_JOB_ROWS, else the environment variable of that name, else 5,000."""
    configured = getattr(settings, "QINGXIE_EXPORT_JOB_ROWS", None)
    if configured is None:
        configured = os.environ.get("QINGXIE_EXPORT_JOB_ROWS", "").strip() or DEFAULT_JOB_ROWS
    return int(configured)


def is_large(region: Region, total: int | None = None) -> bool:
    """Whether the export of `region` with `total` rows (None: not counted yet) is a job."""
    if region.level <= Region.Level.PROVINCE:
        return True
    return total is not None and total > job_rows()


def data_version(kind: SheetKind, region: Region) -> str:
    """A short digest of everything an export of `kind` for `region` reads, and of the code."""
    from qingxie import __version__
    from qingxie.core.cache import figures_stamp
    from qingxie.core.changelog import figure_domain

    domains = set(DOMAINS)
    if kind.model is not None:
        domains.add(figure_domain(kind.model))
    stamp = figures_stamp(region.path, domains)
    return hashlib.sha256(f"{__version__}|{stamp}".encode()).hexdigest()[:16]


def variant(actor, kind: SheetKind, region: Region) -> str:
    """What in the file depends on who asks: clear or masked phones, and the user when their
    view of the kind covers only part of the region (then the file is theirs alone)."""
    from qingxie.accounts.permissions import scope_paths
    from qingxie.core.models import path_in_scope
    from qingxie.core.tabular.masking import may_export_clear_phones

    if not kind.personal_data:
        phones = "all"
    else:
        phones = "clear" if may_export_clear_phones(actor, region.path) else "masked"
    if actor is None or kind.model is None:
        return phones
    if path_in_scope(scope_paths(actor, kind.model, "view"), region.path):
        return phones
    return f"{phones}-u{actor.pk}"


@dataclass(frozen=True)
class ExportKey:
    """One kept export file: what was exported, for whom (variant), and of which data."""

    kind: str
    region: str
    as_of: datetime.date
    fmt: str
    depth: int
    variant: str
    version: str

    @property
    def stem(self) -> str:
        """The name without its data version: the same export of other data versions."""
        return f"{ROOT}/{self.region}/{self.kind}_{self.as_of:%Y%m%d}_d{self.depth}_{self.variant}_"

    @property
    def name(self) -> str:
        return f"{self.stem}{self.version}.{self.fmt}{SEALED}"


def export_key(
    actor, kind: SheetKind, region: Region, as_of: datetime.date, fmt: str, depth: int = 1
) -> ExportKey:
    """The key of `actor`'s export of `kind` for `region` on `as_of`, for the data as they are."""
    return ExportKey(
        kind=kind.name,
        region=region.code,
        as_of=as_of,
        fmt=fmt,
        depth=depth if kind.name == "coverage" else 1,
        variant=variant(actor, kind, region),
        version=data_version(kind, region),
    )


def kept_open(name: str):
    """The clear content of the kept file `name` as an open temporary file, or None."""
    if not name or not default_storage.exists(name):
        return None
    clear = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        with default_storage.open(name, "rb") as src:
            unseal(src, clear)
    except (OSError, ValueError):
        # Swept or replaced while it was read, or unreadable: written again on request.
        log.warning("kept export %s could not be read", name)
        clear.close()
        return None
    clear.seek(0)
    return clear


def kept_rows(name: str) -> int | None:
    """How many rows the kept file `name` holds (from the job that wrote it)."""
    result = (
        Job.objects.filter(kind=JOB_KIND, subject=name, state=Job.State.DONE)
        .order_by("-finished")
        .values_list("result", flat=True)
        .first()
    )
    return (result or {}).get("rows")


def export_start(
    *, user, kind: SheetKind, region: Region, as_of: datetime.date, fmt: str, depth: int = 1
) -> Job:
    """The job writing this export for `user`: the one already queued or running for the same
    file, else a new one. The caller has checked the region with `export_region`."""
    key = export_key(user, kind, region, as_of, fmt, depth)
    return job_enqueue_once(
        kind=JOB_KIND,
        owner=user,
        subject=key.name,
        payload={
            "sheet_kind": kind.name,
            "region": region.code,
            "as_of": as_of.isoformat(),
            "fmt": fmt,
            "depth": key.depth,
            "variant": key.variant,
        },
    )


def _keep(key: ExportKey, clear) -> int:
    """Seal the written file into the storage under `key`, dropping the same export's files of
    older data versions; the sealed size."""
    folder, _, base = key.stem.rpartition("/")
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        files = []
    for other in files:
        if other.startswith(base) and f"{folder}/{other}" != key.name:
            default_storage.delete(f"{folder}/{other}")
    with tempfile.TemporaryFile() as sealed:
        seal(iter(lambda: clear.read(1024 * 1024), b""), sealed)
        size = sealed.tell()
        sealed.seek(0)
        if default_storage.exists(key.name):
            default_storage.delete(key.name)
        default_storage.save(key.name, File(sealed, name=key.name))
    return size


@job_handler(JOB_KIND)
def export_job(job: Job, progress, *, sheet_kind, region, as_of, fmt, depth=1, **_):
    """Write one export for its owner, keep it, and say where (the job's result)."""
    from qingxie.sheets.kinds import get_kind

    with translation.override(settings.LANGUAGE_CODE):
        # A refusal is stored as the job's message: in Chinese, whoever's thread runs it.
        return _export(job, progress, get_kind(sheet_kind), region, as_of, fmt, depth)


def _export(job: Job, progress, kind: SheetKind, region, as_of, fmt, depth) -> dict:
    from qingxie.sheets.exports import export_filename, export_region, export_write

    # The gate again, at run time: a grant withdrawn since the request writes nothing.
    place = export_region(job.owner, region)
    day = datetime.date.fromisoformat(as_of)
    # The version is read before the data (as core.cache does): a write committing meanwhile
    # leaves this file under the older version, which no later request asks for.
    key = export_key(job.owner, kind, place, day, fmt, depth)
    progress("查询", 0, None)
    with tempfile.TemporaryFile() as clear:
        rows = export_write(
            actor=job.owner,
            kind=kind,
            region=place,
            as_of=day,
            fmt=fmt,
            stream=clear,
            progress=progress,
            depth=key.depth,
        )
        progress("保存", rows, rows)
        size = clear.tell()
        clear.seek(0)
        _keep(key, clear)
    return {
        "name": key.name,
        "rows": rows,
        "size": size,
        "filename": export_filename(kind, place, day, fmt),
        "variant": key.variant,
    }


def worker_stopped() -> bool:
    """Whether no job worker has run lately (the every-minute reaper has not fired): a queued
    job is then waiting for someone to start `qingxie worker` or `qingxie serve`."""
    if getattr(settings, "QINGXIE_JOBS_SYNC", False):
        return False
    from django_q.models import Schedule

    reaper = Schedule.objects.filter(name="qingxie:core.jobs_reap").only("next_run").first()
    silent = timezone.now() - datetime.timedelta(seconds=WORKER_SILENT_SECONDS)
    return reaper is None or reaper.next_run is None or reaper.next_run < silent


def sweep_exports(hours: int = KEEP_HOURS) -> int:
    """Remove kept export files older than `hours` (a periodic job); how many went."""
    return storage_sweep(ROOT, datetime.timedelta(hours=hours))
