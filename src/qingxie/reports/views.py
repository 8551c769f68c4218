"""Report pages: the bulletin form with a preview, and its Word/PDF download. Thin views.

A download is served from the kept file when the data have not changed since it was written;
otherwise a job writes it (reports.jobs) and the cadre watches its progress on the job page,
which offers the file when it is ready.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View

from qingxie.core.errors import QingxieError
from qingxie.core.jobs import Job, job_of
from qingxie.core.serializers import parse_date
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_breadcrumbs
from qingxie.reports import jobs
from qingxie.reports.bulletin import (
    Figure,
    Note,
    Table,
    bulletin_build,
    figure_caption,
    section_heading,
)
from qingxie.reports.files import FORMATS, attachment, check_format, kept_names
from qingxie.reports.fonts import FontsMissingError, cjk_fonts


def _parse(params) -> tuple[datetime.date, int | None, dict[str, str]]:
    """The date and issue number asked for, and a message per bad field."""
    errors: dict[str, str] = {}
    as_of = timezone.localdate()
    raw = (params.get("as_of") or "").strip()
    if raw:
        try:
            as_of = parse_date(raw, field="as_of", label=gettext("统计日期"))
        except QingxieError as exc:
            errors["as_of"] = exc.message
    issue = None
    raw_issue = (params.get("issue") or "").strip()
    if raw_issue:
        if raw_issue.isdigit() and 1 <= int(raw_issue) <= 999:
            issue = int(raw_issue)
        else:
            errors["issue"] = gettext("期号“%(issue)s”应为 1 到 999 之间的整数。") % {
                "issue": raw_issue
            }
    return as_of, issue, errors


class BulletinView(View):
    """GET /reports/bulletin/<code>/: the form and a preview of the text;
    with ?format=docx|pdf the file itself (as_of, issue optional)."""

    def get(self, request, code: str):
        region = (
            Region.objects.restrict(request.user, "view")
            .filter(code=code, level__lt=Region.Level.TOWNSHIP)
            .first()
        )
        if region is None:
            raise Http404(
                gettext("未找到该行政区划，或不在您的权限范围内（工作信息按县级及以上区划编写）。")
            )
        as_of, issue, errors = _parse(request.GET)
        fmt = request.GET.get("format")
        if fmt is not None:
            try:
                fmt = check_format(fmt)
            except QingxieError as exc:
                errors["format"] = exc.message
        status = 400 if errors else 200
        if fmt and not errors:
            try:
                if fmt == "pdf":
                    cjk_fonts()  # said now, not after a job has queued
            except FontsMissingError as exc:
                errors["format"], status = exc.message, 503
            else:
                content = jobs.stored_file(region, as_of, fmt, issue)
                if content is None:
                    job = jobs.bulletin_start(
                        user=request.user, region=region, as_of=as_of, fmt=fmt, issue=issue
                    )
                    if job.state == Job.State.DONE:  # written inline (QINGXIE_JOBS_SYNC)
                        content = jobs.open_result(job)
                    elif job.state == Job.State.FAILED:
                        errors["format"], status = job.message, 500
                    else:
                        return redirect("reports:bulletin_job", code=region.code, pk=job.pk)
                if content is not None:
                    return _download(region, as_of, fmt, content)
        bulletin = (
            None if "as_of" in errors else bulletin_build(region=region, as_of=as_of, issue=issue)
        )
        return render(
            request,
            "reports/bulletin.html",
            {
                "region": region,
                "as_of": as_of,
                "issue": request.GET.get("issue", ""),
                "errors": errors,
                "bulletin": bulletin,
                "preview": _preview(bulletin) if bulletin else [],
                "formats": FORMATS,
                "breadcrumbs": region_breadcrumbs(region),
                "today": timezone.localdate(),
            },
            status=status,
        )


def _download(region: Region, as_of: datetime.date, fmt: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = attachment(*kept_names(region, as_of, fmt))
    response["Content-Length"] = str(len(content))
    return response


def _job_context(request, code: str, pk) -> dict:
    """The user's own bulletin job on a region they may see (404 for anyone else's)."""
    region = (
        Region.objects.restrict(request.user, "view")
        .filter(code=code, level__lt=Region.Level.TOWNSHIP)
        .first()
    )
    job = job_of(request.user, pk)
    if region is None or job is None or job.kind != jobs.JOB_KIND:
        raise Http404(gettext("未找到该任务。"))
    if job.payload.get("region") != region.code:
        raise Http404(gettext("未找到该任务。"))
    payload = job.payload
    as_of = datetime.date.fromisoformat(payload["as_of"])
    params = f"as_of={payload['as_of']}&format={payload['fmt']}"
    if payload.get("issue"):
        params += f"&issue={payload['issue']}"
    return {
        "region": region,
        "job": job,
        "busy": job.state in (Job.State.QUEUED, Job.State.RUNNING),
        "as_of": as_of,
        "fmt_name": FORMATS[payload["fmt"]][1],
        "download_url": reverse("reports:bulletin", args=[region.code]) + "?" + params,
        "status_url": reverse("reports:bulletin_job_status", args=[region.code, job.pk]),
        "back_url": reverse("reports:bulletin", args=[region.code])
        + f"?as_of={payload['as_of']}"
        + (f"&issue={payload['issue']}" if payload.get("issue") else ""),
        "filename": kept_names(region, as_of, payload["fmt"])[1],
        "breadcrumbs": region_breadcrumbs(region),
    }


class BulletinJobView(View):
    """GET /reports/bulletin/<code>/job/<id>/: the progress of a bulletin file being written,
    then its download link."""

    def get(self, request, code: str, pk: int):
        return render(request, "reports/bulletin_job.html", _job_context(request, code, pk))


class BulletinJobStatusView(View):
    """The job panel alone, polled by the job page (htmx) while the file is written; also
    JSON (state, stage, progress) for a client that asks for it."""

    def get(self, request, code: str, pk: int):
        from django.http import JsonResponse

        ctx = _job_context(request, code, pk)
        if "application/json" in request.headers.get("Accept", ""):
            data = ctx["job"].as_dict()
            data["download_url"] = ctx["download_url"] if ctx["job"].finished_ok else None
            return JsonResponse(data)
        return render(request, "reports/_bulletin_job.html", ctx)


class BulletinFigureView(View):
    """GET /reports/bulletin/<code>/<map|trend>.png?as_of=: a figure of the preview."""

    def get(self, request, code: str, kind: str):
        from qingxie.reports import charts

        region = (
            Region.objects.restrict(request.user, "view")
            .filter(code=code, level__lt=Region.Level.TOWNSHIP)
            .first()
        )
        if region is None:
            raise Http404(gettext("未找到该行政区划，或不在您的权限范围内。"))
        as_of, _issue, errors = _parse(request.GET)
        if errors:
            return HttpResponse(
                errors["as_of"], status=400, content_type="text/plain; charset=utf-8"
            )
        bulletin = bulletin_build(region=region, as_of=as_of)
        if kind not in {f.kind for f in bulletin.figures()}:
            raise Http404(gettext("该工作信息没有这幅图。"))
        try:
            png = charts.figure_png(bulletin, kind)
        except FontsMissingError as exc:
            return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
        return HttpResponse(png, content_type="image/png")


def _preview(bulletin) -> list[dict]:
    """The sections as the template shows them: numbered titles, blocks tagged by kind."""
    figures = 0
    out = []
    for n, section in enumerate(bulletin.sections):
        blocks = []
        for block in section.blocks:
            if isinstance(block, Table):
                rows = [
                    [(cell, a) for cell, a in zip(row, block.align, strict=True)]
                    for row in block.rows
                ]
                blocks.append(
                    {"kind": "table", "header": block.header, "rows": rows, "total": block.total}
                )
            elif isinstance(block, Figure):
                figures += 1
                blocks.append(
                    {
                        "kind": "figure",
                        "figure": block,
                        "number": figures,
                        "caption": figure_caption(figures, block.caption),
                    }
                )
            elif isinstance(block, Note):
                blocks.append({"kind": "note", "text": block.text})
            else:
                blocks.append({"kind": "text", "text": block})
        out.append({"title": section_heading(n, section.title), "blocks": blocks})
    return out
