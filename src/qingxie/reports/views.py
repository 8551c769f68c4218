"""Report pages: the bulletin form with a preview, and its Word/PDF download. Thin views."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from qingxie.core.errors import QingxieError
from qingxie.core.serializers import parse_date
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_breadcrumbs
from qingxie.reports.bulletin import SECTION_NUMBERS, Figure, Note, Table, bulletin_build
from qingxie.reports.files import FORMATS, bulletin_file, check_format
from qingxie.reports.fonts import FontsMissingError


def _parse(params) -> tuple[datetime.date, int | None, dict[str, str]]:
    """The date and issue number asked for, and a Chinese message per bad field."""
    errors: dict[str, str] = {}
    as_of = timezone.localdate()
    raw = (params.get("as_of") or "").strip()
    if raw:
        try:
            as_of = parse_date(raw, field="as_of", label="统计日期")
        except QingxieError as exc:
            errors["as_of"] = exc.message
    issue = None
    raw_issue = (params.get("issue") or "").strip()
    if raw_issue:
        if raw_issue.isdigit() and 1 <= int(raw_issue) <= 999:
            issue = int(raw_issue)
        else:
            errors["issue"] = f"期号“{raw_issue}”应为 1 到 999 之间的整数。"
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
                "未找到该行政区划，或不在您的权限范围内（工作信息按县级及以上区划编写）。"
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
                written = bulletin_file(region=region, as_of=as_of, fmt=fmt, issue=issue)
            except FontsMissingError as exc:
                errors["format"], status = exc.message, 503
            else:
                response = HttpResponse(written.content, content_type=written.content_type)
                response["Content-Disposition"] = written.content_disposition
                response["Content-Length"] = str(len(written.content))
                return response
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
            raise Http404("未找到该行政区划，或不在您的权限范围内。")
        as_of, _issue, errors = _parse(request.GET)
        if errors:
            return HttpResponse(
                errors["as_of"], status=400, content_type="text/plain; charset=utf-8"
            )
        bulletin = bulletin_build(region=region, as_of=as_of)
        if kind not in {f.kind for f in bulletin.figures()}:
            raise Http404("该工作信息没有这幅图。")
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
                blocks.append({"kind": "figure", "figure": block, "number": figures})
            elif isinstance(block, Note):
                blocks.append({"kind": "note", "text": block.text})
            else:
                blocks.append({"kind": "text", "text": block})
        out.append({"title": f"{SECTION_NUMBERS[n]}、{section.title}", "blocks": blocks})
    return out
