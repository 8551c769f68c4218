"""Import and export pages: download a template, upload → preview every problem → confirm →
result, with progress while a long file is checked or written; exports for a region and date.

Thin views: the import runner (core.tabular) and the kinds (ledger/teams sheets) decide.
"""

from __future__ import annotations

import datetime
import io
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region, scope_paths
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.jobs import Job, job_of
from qingxie.core.stored import stored_text
from qingxie.core.tabular.reading import default_max_bytes
from qingxie.sheets import export_jobs, jobs
from qingxie.sheets.exports import (
    export_check,
    export_filename,
    export_log,
    export_region,
    export_rows,
    export_write,
    template_filename,
    template_write,
)
from qingxie.sheets.forms import ExportForm, UploadForm
from qingxie.sheets.kinds import KINDS, get_kind

#: Room for the multipart framing and the form's other fields around the file itself.
UPLOAD_SLACK = 64 * 1024

#: Where each kind's rows can be seen after an import.
LIST_URLS = {"ledger": "ledger:association_list", "teams": "teams:team_list"}


def _kind(name: str, *, for_import: bool = False):
    try:
        return get_kind(name, for_import=for_import)
    except QingxieError as exc:
        raise Http404(str(exc.message)) from exc


def may_import(user, kind) -> bool:
    """Whether the user may add or change this kind anywhere (each row is checked again)."""
    return bool(
        scope_paths(user, kind.model, "add") or scope_paths(user, kind.model, "change")
    ) or (user.is_superuser)


def _require_import(user, kind) -> None:
    if not may_import(user, kind):
        raise PermissionDenied(
            gettext("您没有导入“%(title)s”的权限。") % {"title": gettext(kind.title)}
        )


class SheetsIndexView(TemplateView):
    """Every kind with its template, import and export links."""

    template_name = "sheets/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["kinds"] = [
            {"kind": k, "may_import": k.importer is not None and may_import(user, k)}
            for k in KINDS.values()
        ]
        return ctx


def template_download(request, kind):
    """The kind's empty template (xlsx with dropdowns and 填写说明)."""
    sheet_kind = _kind(kind, for_import=True)
    buffer = io.BytesIO()
    template_write(sheet_kind, buffer, user=request.user)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=template_filename(sheet_kind))


class LimitedUploadHandler(FileUploadHandler):
    """Stops taking a file once it passes the size limit; the rest is read and thrown away."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_big = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_big_message(limit: int, size: int | None = None) -> str:
    got = gettext("（约 %(size).0f MB）") % {"size": size / 1048576} if size else ""
    return gettext("文件太大%(got)s：一次最多导入 %(limit).0f MB，请拆分成几个文件分别导入。") % {
        "got": got,
        "limit": limit / 1048576,
    }


@method_decorator(csrf_exempt, name="dispatch")  # CSRF is checked in post(), after the limit is set
class ImportView(View):
    """Choose a file: it is kept for this user, checked in the background, then previewed."""

    template_name = "sheets/import.html"

    def _render(self, request, kind, form, status=200, message=""):
        return render(
            request,
            self.template_name,
            {
                "kind": kind,
                "form": form,
                "message": message,
                "max_bytes": default_max_bytes(),
                "columns": kind.import_columns,
            },
            status=status,
        )

    def get(self, request, kind):
        sheet_kind = _kind(kind, for_import=True)
        _require_import(request.user, sheet_kind)
        return self._render(request, sheet_kind, UploadForm())

    def post(self, request, kind):
        sheet_kind = _kind(kind, for_import=True)
        _require_import(request.user, sheet_kind)
        limit = default_max_bytes()
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > limit + UPLOAD_SLACK:
            # Refused from the declared length alone: not one byte of the body is read.
            return self._render(
                request, sheet_kind, UploadForm(), 413, _too_big_message(limit, declared)
            )
        handler = LimitedUploadHandler(request, limit)
        request.upload_handlers.insert(0, handler)
        return self._post(request, sheet_kind, handler, limit)

    @method_decorator(csrf_protect)
    def _post(self, request, sheet_kind, handler, limit):
        form = UploadForm(request.POST, request.FILES)
        if handler.too_big:
            return self._render(request, sheet_kind, UploadForm(), 413, _too_big_message(limit))
        if not form.is_valid():
            return self._render(request, sheet_kind, form, 400)
        job = jobs.check_upload(request.user, form.cleaned_data["file"], kind=sheet_kind)
        return redirect("sheets:import_job", kind=sheet_kind.name, sha=job.payload["sha"])


#: What a job is doing, by the stage it records (stored in Chinese, shown in the page's language).
JOB_STAGES = {
    "排队": gettext_lazy("排队"),
    "开始": gettext_lazy("开始"),
    "读取": gettext_lazy("读取"),
    "校验": gettext_lazy("校验"),
    "复核": gettext_lazy("复核"),
    "写入": gettext_lazy("写入"),
    "等待重新执行": gettext_lazy("等待重新执行"),
    "查询": gettext_lazy("读取数据"),
    "导出": gettext_lazy("写入行"),
    "保存": gettext_lazy("保存文件"),
    "完成": gettext_lazy("完成"),
}


def report_summary(report: dict | None) -> str:
    """The import report's one-line summary in the page's language (the report stores it in
    Chinese, as the command line and the API give it)."""
    if not report:
        return ""
    if (get_language() or "").startswith("zh"):
        return report.get("summary", "")
    values = {"file": report.get("filename", ""), "rows": report.get("rows", 0)}
    if not report.get("ok"):
        n = report.get("problem_count", 0)
        return ngettext(
            "“%(file)s”有 %(n)s 处错误，未写入任何数据。",
            "“%(file)s”有 %(n)s 处错误，未写入任何数据。",
            n,
        ) % {**values, "n": n}
    counts = report.get("counts") or {}
    values.update(
        create=counts.get("create", 0),
        update=counts.get("update", 0),
        unchanged=counts.get("unchanged", 0),
    )
    if report.get("dry_run"):
        return (
            ngettext(
                "“%(file)s”共 %(rows)s 行：将新增 %(create)s 条，将修改 %(update)s 条，"
                "%(unchanged)s 条与系统中一致无需修改。（预检，未写入）",
                "“%(file)s”共 %(rows)s 行：将新增 %(create)s 条，将修改 %(update)s 条，"
                "%(unchanged)s 条与系统中一致无需修改。（预检，未写入）",
                values["rows"],
            )
            % values
        )
    return (
        ngettext(
            "“%(file)s”共 %(rows)s 行：已新增 %(create)s 条，已修改 %(update)s 条，"
            "%(unchanged)s 条与系统中一致无需修改。",
            "“%(file)s”共 %(rows)s 行：已新增 %(create)s 条，已修改 %(update)s 条，"
            "%(unchanged)s 条与系统中一致无需修改。",
            values["rows"],
        )
        % values
    )


def _job_context(request, sheet_kind, sha):
    job = jobs.latest_job(request.user, sha, sheet_kind)
    if job is None:
        raise Http404(gettext("未找到该上传文件（可能已过期），请重新上传。"))
    payload = job.payload
    state = {
        "state": job.state,
        "dry_run": payload.get("dry_run"),
        "stage": job.stage or "排队",
        "stage_label": JOB_STAGES.get(job.stage or "排队", job.stage),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        # Stored in Chinese, shown in the page's language (data in it as written).
        "message": stored_text(job.message),
        "report": job.result if job.state == job.State.DONE else None,
        # Waiting for a worker looks like running to the page: it keeps polling.
        "busy": job.state in (job.State.QUEUED, job.State.RUNNING),
    }
    return {
        "kind": sheet_kind,
        "sha": sha,
        "meta": payload,
        "job": state,
        "job_id": job.pk,
        "report": state["report"],
        "summary": report_summary(state["report"]),
        "list_url": reverse(LIST_URLS[sheet_kind.name]) if sheet_kind.name in LIST_URLS else "",
    }


class ImportJobView(View):
    """The preview (every problem, or what will change), the confirm button, and the result."""

    def get(self, request, kind, sha):
        sheet_kind = _kind(kind, for_import=True)
        _require_import(request.user, sheet_kind)
        return render(request, "sheets/job.html", _job_context(request, sheet_kind, sha))

    def post(self, request, kind, sha):
        sheet_kind = _kind(kind, for_import=True)
        _require_import(request.user, sheet_kind)
        job = jobs.latest_job(request.user, sha, sheet_kind)
        if job is None:
            raise Http404(gettext("未找到该上传文件（可能已过期），请重新上传。"))
        jobs.confirm(job)
        return redirect("sheets:import_job", kind=sheet_kind.name, sha=sha)


def import_status(request, kind, sha):
    """The job panel alone, polled by the page (htmx) while a job runs."""
    sheet_kind = _kind(kind, for_import=True)
    _require_import(request.user, sheet_kind)
    return render(request, "sheets/_job.html", _job_context(request, sheet_kind, sha))


def import_problems(request, kind, sha):
    """Every problem of the last check, as a csv the cadre can sort and work through."""
    sheet_kind = _kind(kind, for_import=True)
    _require_import(request.user, sheet_kind)
    if jobs.latest_job(request.user, sha, sheet_kind) is None:
        raise Http404(gettext("未找到该上传文件（可能已过期），请重新上传。"))
    name = jobs.problems_name(request.user, sha, sheet_kind)
    if not default_storage.exists(name):
        raise Http404(gettext("该文件没有错误清单。"))
    return FileResponse(
        jobs.open_problems(name),
        as_attachment=True,
        filename=f"{sheet_kind.title}_错误清单.csv",  # a file name: Chinese, like the file
    )


class ExportView(View):
    """Choose region, date and format; the file comes back as a download, or, for a large
    export (sheets.export_jobs.is_large), from the job page that writes it.

    GET only shows the form (query parameters pre-fill it, so the ledger, team and coverage
    pages can link to it); the export itself is a POST with the CSRF token: a cross-site
    link or navigation cannot make a cadre's browser download personal data and write an
    export entry in their name. A large export already written for the same data and the same
    variant (export_jobs) is served at once from the kept file.
    """

    template_name = "sheets/export.html"

    def get(self, request, kind):
        sheet_kind = _kind(kind)
        if sheet_kind.exporter is None:
            raise Http404(gettext("该表格不能导出。"))
        home = home_region(request.user)
        initial = {"region": home.code if home else "", "as_of": timezone.localdate()}
        for name in ("region", "as_of", "format", "depth"):
            value = request.GET.get(name, "")
            if value and len(value) <= 20:
                initial[name] = value
        return self._render(request, sheet_kind, ExportForm(initial=initial))

    def post(self, request, kind):
        sheet_kind = _kind(kind)
        if sheet_kind.exporter is None:
            raise Http404(gettext("该表格不能导出。"))
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self._render(request, sheet_kind, form, 400)
        data = form.cleaned_data
        fmt, depth = data["format"], data.get("depth") or 1
        try:
            region = export_region(request.user, data["region"])
            as_of = export_check(sheet_kind, fmt, data["as_of"])
            fetched = None
            large = export_jobs.is_large(region)
            if not large:
                fetched = export_rows(
                    actor=request.user, kind=sheet_kind, region=region, as_of=as_of, depth=depth
                )
                large = export_jobs.is_large(region, fetched[1])
            if large:
                return self._large(request, sheet_kind, region, as_of, fmt, depth)
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
            export_write(
                actor=request.user,
                kind=sheet_kind,
                region=region,
                as_of=as_of,
                fmt=fmt,
                stream=spool,
                depth=depth,
                fetched=fetched,
            )
        except PermissionDeniedError as exc:
            form.add_error("region", exc.message)
            return self._render(request, sheet_kind, form, 403)
        except QingxieError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self._render(request, sheet_kind, form, 400)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=export_filename(sheet_kind, region, as_of, fmt)
        )

    def _large(self, request, sheet_kind, region, as_of, fmt, depth):
        """The kept file when there is one for these data, else the job page writing it."""
        key = export_jobs.export_key(request.user, sheet_kind, region, as_of, fmt, depth)
        kept = export_jobs.kept_open(key.name)
        if kept is not None:
            export_log(
                actor=request.user,
                kind=sheet_kind,
                region=region,
                as_of=as_of,
                fmt=fmt,
                count=export_jobs.kept_rows(key.name),
                kept=True,
            )
            response = FileResponse(
                kept, as_attachment=True, filename=export_filename(sheet_kind, region, as_of, fmt)
            )
            response["X-Qingxie-Export"] = "kept"
            return response
        job = export_jobs.export_start(
            user=request.user, kind=sheet_kind, region=region, as_of=as_of, fmt=fmt, depth=depth
        )
        return redirect("sheets:export_job", kind=sheet_kind.name, pk=job.pk)

    def _render(self, request, kind, form, status=200):
        return render(
            request,
            self.template_name,
            {"kind": kind, "form": form, "job_rows": export_jobs.job_rows()},
            status=status,
        )


def _export_job(request, kind, pk):
    """The user's own export job of this kind, on a region still in their scope with the same
    variant (404 for anyone else, and for the owner once their scope no longer gives them
    this file), and what its page shows."""
    sheet_kind = _kind(kind)
    job = job_of(request.user, pk)
    if job is None or job.kind != export_jobs.JOB_KIND:
        raise Http404(gettext("未找到该导出任务。"))
    payload = job.payload
    if payload.get("sheet_kind") != sheet_kind.name:
        raise Http404(gettext("未找到该导出任务。"))
    try:
        region = export_region(request.user, payload["region"])
    except QingxieError as exc:
        raise Http404(gettext("未找到该导出任务。")) from exc
    if export_jobs.variant(request.user, sheet_kind, region) != payload.get("variant"):
        raise Http404(gettext("未找到该导出任务。"))
    as_of = datetime.date.fromisoformat(payload["as_of"])
    busy = job.state in (Job.State.QUEUED, Job.State.RUNNING)
    return {
        "kind": sheet_kind,
        "job": job,
        "region": region,
        "as_of": as_of,
        "fmt": payload["fmt"],
        "busy": busy,
        "waiting_worker": job.state == Job.State.QUEUED and export_jobs.worker_stopped(),
        "stage": JOB_STAGES.get(job.stage, job.stage),
        "message": stored_text(job.message),
        "result": job.result if job.state == Job.State.DONE else None,
        "filename": export_filename(sheet_kind, region, as_of, payload["fmt"]),
        "status_url": reverse("sheets:export_job_status", args=[sheet_kind.name, job.pk]),
        "download_url": reverse("sheets:export_download", args=[sheet_kind.name, job.pk]),
        "again_url": reverse("sheets:export", args=[sheet_kind.name])
        + f"?region={region.code}&as_of={as_of.isoformat()}&format={payload['fmt']}"
        + f"&depth={payload.get('depth') or 1}",
    }


class ExportJobView(View):
    """GET /sheets/<kind>/export/job/<id>/: rows written of the total, then the download link;
    refreshed by htmx, or by the page itself without JavaScript."""

    def get(self, request, kind, pk):
        return render(request, "sheets/export_job.html", _export_job(request, kind, pk))


class ExportJobStatusView(View):
    """The job panel alone, polled by the job page (htmx); JSON for a client asking for it."""

    def get(self, request, kind, pk):
        ctx = _export_job(request, kind, pk)
        if "application/json" in request.headers.get("Accept", ""):
            data = ctx["job"].as_dict()
            data["download_url"] = ctx["download_url"] if ctx["result"] else None
            data["waiting_for_worker"] = ctx["waiting_worker"]
            return JsonResponse(data)
        return render(request, "sheets/_export_job.html", ctx)


def export_download(request, kind, pk):
    """The file the user's finished export job wrote (recorded when it was written)."""
    ctx = _export_job(request, kind, pk)
    if ctx["result"] is None:
        raise Http404(gettext("导出尚未完成。"))
    kept = export_jobs.kept_open(ctx["result"].get("name", ""))
    if kept is None:
        raise Http404(gettext("该文件已过期或数据已更新，请重新导出。"))
    return FileResponse(kept, as_attachment=True, filename=ctx["filename"])
