"""Uploaded import files kept between preview and confirm, and the import jobs run on them.

An upload goes to the configured storage (settings STORAGES, by default the shared
QINGXIE_STORAGE_DIR) as `imports/<user id>/<sha256><suffix>.sealed`, so any app server finds
it: sealed (AES-GCM, `core.tabular.sealed`) as it is received, never clear at rest; a job
opens it into a private temporary file for as long as it reads it.
Its check (a dry run) and the real import are one `core.jobs.Job` per upload and kind,
owned by the uploader: the page and the API read the job's state, progress and report from
the database. The file is re-validated from scratch by the real import, whatever the
preview said. An upload is deleted as soon as it is imported or its check refuses it; one
waiting for its confirmation, and problem lists (sealed too), go after a day at most, swept
by a periodic job every quarter of an hour.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_noop

from qingxie.core.jobs import Job, job_enqueue, job_handler, job_requeue, storage_sweep
from qingxie.core.tabular import SheetKind, run_import
from qingxie.core.tabular.reading import ACCEPTED_SUFFIXES
from qingxie.core.tabular.sealed import SealError, seal, unseal
from qingxie.core.tabular.spec import csv_guard

log = logging.getLogger(__name__)

_SHA = re.compile(r"^[0-9a-f]{64}$")
KEEP_SECONDS = 24 * 3600
#: Stored uploads and problem lists are sealed (AES-GCM, core.tabular.sealed), never clear.
SEALED = ".sealed"
#: Problems and planned rows shown on the page; all problems are in the downloadable list.
SHOWN = 1000
JOB_KIND = "sheets.import"


def _user_dir(user) -> str:
    return f"imports/{user.pk}"


def _subject(kind_name: str, sha: str) -> str:
    return f"{kind_name}:{sha}"


def store_upload(user, uploaded, *, kind: SheetKind) -> tuple[str, dict]:
    """Save an uploaded file in the storage under the user's prefix; its SHA-256 is the key.

    Returns the SHA-256 and what is known about the file (name, suffix, size, stored name).
    """
    name = Path(uploaded.name or "upload").name
    suffix = Path(name).suffix.lower()
    suffix = suffix if suffix in ACCEPTED_SUFFIXES else ".bin"
    digest = hashlib.sha256()

    def chunks():
        for chunk in uploaded.chunks():
            digest.update(chunk)
            yield chunk

    with tempfile.TemporaryFile() as spool:
        # Sealed as it is read: the clear file is never written to the storage.
        seal(chunks(), spool)
        sha = digest.hexdigest()
        target = f"{_user_dir(user)}/{sha}{suffix}{SEALED}"
        if default_storage.exists(target):
            default_storage.delete(target)
        spool.seek(0)
        default_storage.save(target, File(spool, name=target))
    return sha, {
        "filename": name,
        "suffix": suffix,
        "size": uploaded.size,
        "storage_name": target,
        "uploaded": timezone.now().isoformat(timespec="seconds"),
    }


def check_upload(user, uploaded, *, kind: SheetKind, dry_run: bool = True) -> Job:
    """Store the upload and queue its check (a dry run, or the import itself); the new job."""
    sha, meta = store_upload(user, uploaded, kind=kind)
    return job_enqueue(
        kind=JOB_KIND,
        owner=user,
        subject=_subject(kind.name, sha),
        payload={"sheet_kind": kind.name, "sha": sha, "dry_run": dry_run, **meta},
    )


def confirm(job: Job) -> Job:
    """Queue the real import of a checked file; anything else leaves the job as it is.

    Only a finished check that found no problem and has something to write is confirmed;
    a second click while the import runs, or after it, does nothing.
    """
    report = job.result or {}
    if not (job.state == Job.State.DONE and job.payload.get("dry_run") and report.get("ok")):
        return job
    return job_requeue(job=job, payload={**job.payload, "dry_run": False})


def latest_job(user, sha: str, kind: SheetKind) -> Job | None:
    """The user's most recent job on the upload with this SHA-256 (None for anyone else)."""
    if not _SHA.match(sha or "") or not getattr(user, "is_authenticated", False):
        return None
    return (
        Job.objects.filter(kind=JOB_KIND, owner=user, subject=_subject(kind.name, sha))
        .order_by("-created", "-id")
        .first()
    )


def problems_name(user, sha: str, kind: SheetKind) -> str:
    return f"{_user_dir(user)}/{sha}.{kind.name}.problems.csv{SEALED}"


def open_problems(name: str):
    """The clear problem list of the stored (sealed) `name`, as a file to send."""
    clear = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    with default_storage.open(name, "rb") as src:
        unseal(src, clear)
    clear.seek(0)
    return clear


@contextmanager
def local_path(name: str, suffix: str):
    """A local file path holding the clear content of the stored (sealed) file `name`, for
    as long as the job reads it: a private temporary file, deleted afterwards."""
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="qingxie-import-")
    try:
        with os.fdopen(fd, "wb") as out, default_storage.open(name, "rb") as src:
            if name.endswith(SEALED):
                try:
                    unseal(src, out)
                except SealError as exc:
                    from qingxie.core.errors import QingxieError

                    raise QingxieError(
                        gettext_noop("暂存的上传文件无法读取（%(error)s），请重新上传。")
                        % {"error": exc}
                    ) from exc
            else:  # staged before files were sealed
                shutil.copyfileobj(src, out, 1024 * 1024)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


@job_handler(JOB_KIND)
def import_job(job: Job, progress, *, sheet_kind, sha, dry_run, filename, storage_name, **meta):
    """Check (dry run) or import the stored upload; the report is the job's result."""
    from qingxie.core.errors import QingxieError
    from qingxie.sheets.kinds import get_kind

    kind = get_kind(sheet_kind, for_import=True)
    if not default_storage.exists(storage_name):
        raise QingxieError(gettext_noop("未找到该上传文件（可能已过期），请重新上传。"))
    with local_path(storage_name, meta.get("suffix", "")) as path:
        report = run_import(
            kind,
            path,
            filename=filename,
            actor=job.owner,
            dry_run=dry_run,
            progress=progress,
            sha256=sha,
        )
    if not dry_run or not report.ok:
        # Imported, or refused (a refused check cannot be confirmed): the upload goes now;
        # only a clean preview waiting for its confirmation keeps it (sealed, swept later).
        default_storage.delete(storage_name)
    data = report.as_dict()
    data["problem_count"] = len(data["problems"])
    data["problems"] = data["problems"][:SHOWN]
    data["plan_count"] = len(data["plans"])
    data["plans"] = data["plans"][:SHOWN]
    if report.problems:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["行", "列", "问题"])
        for p in report.problems:
            writer.writerow([p.row or "", csv_guard(p.column or ""), csv_guard(p.message)])
        name = problems_name(job.owner, sha, kind)
        default_storage.delete(name)
        sealed = io.BytesIO()
        seal([text.getvalue().encode("utf-8-sig")], sealed)
        default_storage.save(name, ContentFile(sealed.getvalue()))
    return data


def sweep_uploads() -> int:
    """Forget uploads and problem lists older than a day (a periodic job); how many went."""
    return storage_sweep("imports", datetime.timedelta(seconds=KEEP_SECONDS))
