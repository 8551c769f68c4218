"""Uploaded import files kept between preview and confirm, and the import jobs run on them.

An upload is stored under the data directory as `imports/<user id>/<sha256><suffix>`, so it
belongs to the user who sent it and is found again by its SHA-256 (no other user can reach
it; sending the same file again finds the same copy). Each job (a preview, which is a dry
run, or the real import) writes its progress and then its report to a small JSON file next
to it, which the page polls. Jobs run in a background thread of the serving process; the
file is re-validated from scratch by the real import, whatever the preview said.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from qingxie.core.context import change_context, current_context
from qingxie.core.tabular import SheetKind, run_import
from qingxie.core.tabular.reading import ACCEPTED_SUFFIXES

log = logging.getLogger(__name__)

_SHA = re.compile(r"^[0-9a-f]{64}$")
KEEP_SECONDS = 24 * 3600
#: Problems and planned rows shown on the page; all problems are in the downloadable list.
SHOWN = 1000


def user_dir(user) -> Path:
    path = Path(settings.DATA_DIR) / "imports" / str(user.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(directory: Path) -> None:
    """Forget uploads and jobs older than a day."""
    cutoff = time.time() - KEEP_SECONDS
    for entry in directory.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
        except OSError:
            pass


def store_upload(user, uploaded, *, kind: SheetKind) -> str:
    """Copy an uploaded file into the user's import directory; its SHA-256 is the key."""
    directory = user_dir(user)
    _sweep(directory)
    name = Path(uploaded.name or "upload").name
    suffix = Path(name).suffix.lower()
    suffix = suffix if suffix in ACCEPTED_SUFFIXES else ".bin"
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-")
    with os.fdopen(fd, "wb") as out:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    os.replace(tmp, directory / f"{sha}{suffix}")
    meta = {
        "filename": name,
        "suffix": suffix,
        "kind": kind.name,
        "size": uploaded.size,
        "uploaded": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    _write_json(directory / f"{sha}.meta.json", meta)
    (directory / f"{sha}.{kind.name}.job.json").unlink(missing_ok=True)
    return sha


def upload_of(user, sha: str) -> tuple[Path, dict] | None:
    """The stored upload of `user` with this SHA-256, and what is known about it."""
    if not _SHA.match(sha or ""):
        return None
    directory = user_dir(user)
    meta_path = directory / f"{sha}.meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text("utf-8"))
    path = directory / f"{sha}{meta['suffix']}"
    return (path, meta) if path.exists() else None


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
    os.replace(tmp, path)


def job_path(user, sha: str, kind: SheetKind) -> Path:
    return user_dir(user) / f"{sha}.{kind.name}.job.json"


def problems_path(user, sha: str, kind: SheetKind) -> Path:
    return user_dir(user) / f"{sha}.{kind.name}.problems.csv"


def job_state(user, sha: str, kind: SheetKind) -> dict | None:
    path = job_path(user, sha, kind)
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def start_job(user, sha: str, kind: SheetKind, *, dry_run: bool, background: bool = True) -> None:
    """Run a preview (dry run) or the real import of the stored upload, in the background.

    The change-log attribution of the request (user, request id, client address, channel
    "web") is carried into the thread, where it would otherwise be lost.
    """
    found = upload_of(user, sha)
    if found is None:
        return
    path, meta = found
    state = job_state(user, sha, kind)
    if state and state.get("state") == "running":
        return  # already under way (a double click, or a second tab)
    target = job_path(user, sha, kind)
    _write_json(
        target, {"state": "running", "dry_run": dry_run, "stage": "排队", "done": 0, "total": None}
    )
    request_ctx = current_context()
    attribution = {
        "user": user,
        "request_id": request_ctx.request_id,
        "client_ip": request_ctx.client_ip,
        "channel": "web",
    }
    last_write = [0.0]

    def progress(stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last_write[0] < 0.3 and done != total:
            return
        last_write[0] = now
        _write_json(
            target,
            {"state": "running", "dry_run": dry_run, "stage": stage, "done": done, "total": total},
        )

    def work() -> None:
        try:
            with change_context(**attribution):
                report = run_import(
                    kind,
                    path,
                    filename=meta["filename"],
                    actor=user,
                    dry_run=dry_run,
                    progress=progress,
                    sha256=sha,
                )
            data = report.as_dict()
            data["problem_count"] = len(data["problems"])
            data["problems"] = data["problems"][:SHOWN]
            data["plan_count"] = len(data["plans"])
            data["plans"] = data["plans"][:SHOWN]
            if report.problems:
                with open(
                    problems_path(user, sha, kind), "w", encoding="utf-8-sig", newline=""
                ) as fh:
                    writer = csv.writer(fh)
                    writer.writerow(["行", "列", "问题"])
                    for p in report.problems:
                        writer.writerow([p.row or "", p.column or "", p.message])
            _write_json(target, {"state": "done", "dry_run": dry_run, "report": data})
        except Exception:
            log.exception("import job failed: %s %s", kind.name, sha)
            _write_json(
                target,
                {
                    "state": "failed",
                    "dry_run": dry_run,
                    "message": "导入时发生意外错误，未写入任何数据。请稍后重试或联系管理员。",
                },
            )
        finally:
            if background:
                connection.close()

    if background:
        threading.Thread(target=work, name=f"import-{kind.name}-{sha[:8]}", daemon=True).start()
    else:
        work()
