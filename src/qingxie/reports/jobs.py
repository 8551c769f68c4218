"""Bulletin files written on the job queue and kept, so a cadre never waits on a PDF twice.

Writing a province's PDF takes seconds (the map and the trend chart are drawn, the fonts
subset), too long for a request. A download therefore either finds the file already written
or starts a `core.jobs.Job` that writes it while the page shows its progress.

A written file is kept in the storage (settings STORAGES, shared by every app server) under
`bulletins/<region code>/<date>_<issue>_<language>_<data version>.<format>`: a bulletin is
written in the language of the cadre who asked for it (an English file is never served to a
Chinese reader, nor the other way round); the command line and the periodic job write Chinese.
The data version is a digest
of `core.cache.figures_stamp` over the domains for the region (any recorded write in the
region, below it or above it changes it, except accounts and roles) and of the code's version, so a changed ledger or
an upgrade never serves a stale file: the next download writes a new one and the old one is
removed. A periodic job and `qingxie report prepare` write today's PDFs of the nation and
every province ahead of time, so the busiest downloads are ready before anyone asks.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext_noop, pgettext_lazy

from qingxie.core.jobs import Job, job_enqueue_once, job_handler, storage_sweep
from qingxie.regions.models import Region

log = logging.getLogger(__name__)
#: The stages the bulletin job stores, for the catalogue (see qingxie.core.jobs.STAGES).
STAGES = (
    pgettext_lazy("job stage", "统计数据"),
    pgettext_lazy("job stage", "绘制地图和趋势图"),
    pgettext_lazy("job stage", "排版"),
    pgettext_lazy("job stage", "保存"),
)

JOB_KIND = "reports.bulletin"
ROOT = "bulletins"
#: Domains of writes that never change a bulletin (accounts and roles, the platform's own
#: records); every other domain counts, so an app that adds a section is covered unasked.
NOT_IN_BULLETIN = {"accounts", "core", "ops", "sheets", "reports"}
#: Kept files older than this are swept (a date's file is rarely asked for after a week).
KEEP_DAYS = 7


def data_version(region: Region) -> str:
    """A short digest of everything the bulletin of `region` reads, and of the code."""
    from qingxie import __version__
    from qingxie.core.cache import figures_stamp
    from qingxie.core.models import FigureVersion

    domains = set(FigureVersion.objects.values_list("domain", flat=True).distinct())
    stamp = figures_stamp(region.path, (domains - NOT_IN_BULLETIN) or {"ledger"})
    return hashlib.sha256(f"{__version__}|{stamp}".encode()).hexdigest()[:16]


def bulletin_language() -> str:
    """The language a bulletin written now is in: the active one if the platform offers it
    (an English request), else the default (Chinese)."""
    language = (translation.get_language() or "").lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _prefix(region: Region, as_of: datetime.date, issue: int | None, language: str) -> str:
    return f"{ROOT}/{region.code}/{as_of.isoformat()}_{issue or 0}_{language}_"


def stored_name(
    region: Region,
    as_of: datetime.date,
    fmt: str,
    issue: int | None,
    version: str,
    language: str | None = None,
) -> str:
    """Where the file of this region, date, issue, language, format and data version is kept
    (the language active now when not given)."""
    return f"{_prefix(region, as_of, issue, language or bulletin_language())}{version}.{fmt}"


def subject(region: Region, as_of: datetime.date, fmt: str, issue: int | None, version: str):
    """The job subject: one job per file (the language is part of the file), so a second
    click follows the first one's job."""
    return f"{region.code}:{as_of.isoformat()}:{issue or 0}:{bulletin_language()}:{fmt}:{version}"


def stored_file(region: Region, as_of: datetime.date, fmt: str, issue: int | None = None):
    """The kept bytes of this bulletin, in the active language, for the data as they are now,
    or None."""
    name = stored_name(region, as_of, fmt, issue, data_version(region))
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def bulletin_start(*, user, region: Region, as_of: datetime.date, fmt: str, issue=None) -> Job:
    """The job writing this bulletin file: the one already queued or running for the same
    file and user, else a new one. The caller has checked that `user` may see `region`."""
    version = data_version(region)
    subj = subject(region, as_of, fmt, issue, version)
    return job_enqueue_once(
        kind=JOB_KIND,
        owner=user,
        subject=subj,
        payload={
            "region": region.code,
            "as_of": as_of.isoformat(),
            "fmt": fmt,
            "issue": issue,
        },
    )


def bulletin_write(
    region: Region, as_of: datetime.date, fmt: str, issue: int | None, progress=None
) -> dict:
    """Write the bulletin file, in the active language, and keep it; what the job reports
    (name, size, file name, language).

    Progress is reported in four steps: figures, drawings, layout, saving.
    """
    from qingxie.reports import charts
    from qingxie.reports.bulletin import bulletin_build
    from qingxie.reports.files import BulletinFile

    # The stage is stored in Chinese, whatever language the job runs in, and shown through
    # `stored_stage` (context "job stage") in the reader's language.
    def step(stage: str, done: int) -> None:
        if progress is not None:
            progress(stage, done, 4)

    # The version is read before the data, as core.cache does: a write committing meanwhile
    # leaves this file under the older version, which no later download asks for.
    version = data_version(region)
    step("统计数据", 0)
    bulletin = bulletin_build(region=region, as_of=as_of, issue=issue)
    if fmt == "pdf":
        from qingxie.reports.pdf import bulletin_pdf

        step("绘制地图和趋势图", 1)
        pngs = {f.kind: charts.figure_png(bulletin, f.kind) for f in bulletin.figures()}
        step("排版", 2)
        content = bulletin_pdf(bulletin, pngs)
    else:
        from qingxie.reports.word import bulletin_docx

        step("绘制地图和趋势图", 1)
        step("排版", 2)
        content = bulletin_docx(bulletin)
    step("保存", 3)
    name = stored_name(region, as_of, fmt, issue, version)
    _keep(name, content)
    written = BulletinFile(content=b"", bulletin=bulletin, fmt=fmt)
    return {
        "name": name,
        "size": len(content),
        "filename": written.filename,
        "region": region.code,
        "as_of": as_of.isoformat(),
        "fmt": fmt,
        "issue": issue,
        "language": bulletin_language(),
    }


def _keep(name: str, content: bytes) -> None:
    """Store `name`, and drop the same bulletin's files of older data versions."""
    folder, _, base = name.rpartition("/")
    stem = base.rsplit("_", 1)[0] + "_"
    suffix = base.rsplit(".", 1)[1]
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        files = []
    for other in files:
        if other != base and other.startswith(stem) and other.endswith("." + suffix):
            default_storage.delete(f"{folder}/{other}")
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


@job_handler(JOB_KIND, in_owner_language=True)
def bulletin_job(job: Job, progress, *, region: str, as_of: str, fmt: str, issue=None):
    """Write one bulletin file (the download's job) in the language of the cadre who asked;
    the result names the kept file."""
    from qingxie.core.errors import QingxieError

    place = Region.objects.filter(code=region, level__lt=Region.Level.TOWNSHIP).first()
    if place is None:
        # Stored as the job's message in Chinese; the job page shows it in the reader's language.
        raise QingxieError(
            gettext_noop("行政区划代码“%(code)s”不存在。") % {"code": region}, field="region"
        )
    return bulletin_write(place, datetime.date.fromisoformat(as_of), fmt, issue, progress)


def open_result(job: Job):
    """The kept file a finished job wrote, as bytes (None if it has since been replaced)."""
    name = (job.result or {}).get("name")
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def prepare(
    *, as_of: datetime.date | None = None, codes=None, fmt: str = "pdf", out=None
) -> list[tuple[str, str, float]]:
    """Write today's (or `as_of`'s) bulletins of the nation and every province that are not
    kept yet for the data as they are now; (code, "written"|"kept", seconds) for each. They
    are written in Chinese, the language of most downloads."""
    with translation.override(settings.LANGUAGE_CODE):
        return _prepare(as_of=as_of, codes=codes, fmt=fmt, out=out)


def _prepare(*, as_of, codes, fmt, out) -> list[tuple[str, str, float]]:
    import time

    as_of = as_of or timezone.localdate()
    regions = Region.objects.filter(valid_to__isnull=True)
    if codes:
        regions = regions.filter(code__in=codes)
    else:
        regions = regions.filter(level__lte=Region.Level.PROVINCE, county_count__gt=0)
    done = []
    for region in regions.order_by("code"):
        if region.level >= Region.Level.TOWNSHIP:
            continue
        started = time.monotonic()
        name = stored_name(region, as_of, fmt, None, data_version(region))
        if default_storage.exists(name):
            done.append((region.code, "kept", time.monotonic() - started))
        else:
            bulletin_write(region, as_of, fmt, None)
            done.append((region.code, "written", time.monotonic() - started))
        if out is not None:
            out(*done[-1])
    return done


def prepare_periodically() -> None:
    """The periodic job: today's PDFs of the nation and the provinces, where missing."""
    import os

    from qingxie.reports.fonts import FontsMissingError, cjk_fonts

    # QINGXIE_BULLETIN_PREPARE=0 turns it off (a test server, a machine short of CPU).
    if os.environ.get("QINGXIE_BULLETIN_PREPARE", "1").strip().lower() in ("0", "false", "no"):
        return
    try:
        cjk_fonts()
    except FontsMissingError:
        return  # no PDF can be written on this machine; Word is written on demand
    prepare()
    sweep()


def sweep(days: int = KEEP_DAYS) -> int:
    """Remove kept bulletin files older than `days`; how many went."""
    return storage_sweep(ROOT, datetime.timedelta(days=days))
