"""Import and export pages: download a template, upload → preview every problem → confirm →
result, with progress while a long file is checked or written; exports for a region and date.

Thin views: the import runner (core.tabular) and the kinds (ledger/teams sheets) decide.
"""

from __future__ import annotations

import io
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region, scope_paths
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.tabular.reading import default_max_bytes
from qingxie.sheets import jobs
from qingxie.sheets.exports import (
    export_filename,
    export_region,
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
        raise Http404(exc.message) from exc


def may_import(user, kind) -> bool:
    """Whether the user may add or change this kind anywhere (each row is checked again)."""
    return bool(
        scope_paths(user, kind.model, "add") or scope_paths(user, kind.model, "change")
    ) or (user.is_superuser)


def _require_import(user, kind) -> None:
    if not may_import(user, kind):
        raise PermissionDenied(f"您没有导入“{kind.title}”的权限。")


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
    got = f"（约 {size / 1048576:.0f} MB）" if size else ""
    return f"文件太大{got}：一次最多导入 {limit / 1048576:.0f} MB，请拆分成几个文件分别导入。"


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


def _job_context(request, sheet_kind, sha):
    job = jobs.latest_job(request.user, sha, sheet_kind)
    if job is None:
        raise Http404("未找到该上传文件（可能已过期），请重新上传。")
    payload = job.payload
    state = {
        "state": job.state,
        "dry_run": payload.get("dry_run"),
        "stage": job.stage or "排队",
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
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
            raise Http404("未找到该上传文件（可能已过期），请重新上传。")
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
        raise Http404("未找到该上传文件（可能已过期），请重新上传。")
    name = jobs.problems_name(request.user, sha, sheet_kind)
    if not default_storage.exists(name):
        raise Http404("该文件没有错误清单。")
    return FileResponse(
        jobs.open_problems(name),
        as_attachment=True,
        filename=f"{sheet_kind.title}_错误清单.csv",
    )


class ExportView(View):
    """Choose region, date and format; the file comes back as a download.

    GET only shows the form (query parameters pre-fill it, so the ledger, team and coverage
    pages can link to it); the export itself is a POST with the CSRF token: a cross-site
    link or navigation cannot make a cadre's browser download personal data and write an
    export entry in their name.
    """

    template_name = "sheets/export.html"

    def get(self, request, kind):
        sheet_kind = _kind(kind)
        if sheet_kind.exporter is None:
            raise Http404("该表格不能导出。")
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
            raise Http404("该表格不能导出。")
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self._render(request, sheet_kind, form, 400)
        data = form.cleaned_data
        try:
            region = export_region(request.user, data["region"])
            as_of = data["as_of"] or timezone.localdate()
            spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
            export_write(
                actor=request.user,
                kind=sheet_kind,
                region=region,
                as_of=as_of,
                fmt=data["format"],
                stream=spool,
                depth=data.get("depth") or 1,
            )
        except PermissionDeniedError as exc:
            form.add_error("region", exc.message)
            return self._render(request, sheet_kind, form, 403)
        except QingxieError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self._render(request, sheet_kind, form, 400)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=export_filename(sheet_kind, region, as_of, data["format"]),
        )

    def _render(self, request, kind, form, status=200):
        return render(request, self.template_name, {"kind": kind, "form": form}, status=status)
