"""Imports over the API: upload a file to check, watch the job, confirm the real import.

The same runner, rules and Chinese messages as the /sheets/ pages and `qingxie import`; the
check and the import run on the job queue. Only the uploader sees a job: anyone else gets
404 in the one error shape.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from qingxie.core.api import error_documenting_schema
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.jobs import Job, job_of
from qingxie.core.tabular.reading import default_max_bytes
from qingxie.sheets import jobs
from qingxie.sheets.kinds import get_kind
from qingxie.sheets.views import _too_big_message, may_import

NOT_FOUND = "未找到该导入任务。"


class ImportCreateSerializer(serializers.Serializer):
    """What a client sends: the kind of sheet, the file, and whether only to check it."""

    kind = serializers.CharField(help_text="表格种类，如 ledger、teams、group_members")
    file = serializers.FileField(
        error_messages={"required": "请选择要导入的文件。", "empty": "上传的文件是空的。"}
    )
    dry_run = serializers.BooleanField(
        default=True, help_text="true（默认）：只检查并预览；false：检查通过后直接导入"
    )


ImportStateSerializer = inline_serializer(
    "ImportState",
    fields={
        "id": serializers.IntegerField(),
        "state": serializers.ChoiceField(choices=Job.State.choices),
    },
)

ImportDetailSerializer = inline_serializer(
    "ImportDetail",
    fields={
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "filename": serializers.CharField(),
        "sha256": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "state": serializers.ChoiceField(choices=Job.State.choices),
        "stage": serializers.CharField(),
        "progress": inline_serializer(
            "ImportProgress",
            fields={
                "done": serializers.IntegerField(),
                "total": serializers.IntegerField(allow_null=True),
                "percent": serializers.IntegerField(allow_null=True),
            },
        ),
        "message": serializers.CharField(),
        "ok": serializers.BooleanField(allow_null=True),
        "summary": serializers.CharField(),
        "counts": inline_serializer(
            "ImportCounts",
            fields={
                "created": serializers.IntegerField(),
                "updated": serializers.IntegerField(),
                "unchanged": serializers.IntegerField(),
            },
        ),
        "problem_count": serializers.IntegerField(),
        "problems": inline_serializer(
            "ImportProblem",
            many=True,
            fields={
                "row": serializers.IntegerField(allow_null=True),
                "column": serializers.CharField(allow_null=True),
                "message": serializers.CharField(),
            },
        ),
    },
)


def import_detail(job: Job) -> dict:
    """The job as `GET /api/imports/<id>` shows it."""
    payload, report = job.payload, (job.result or {})
    counts = report.get("counts") or {}
    return {
        "id": job.pk,
        "kind": payload.get("sheet_kind", ""),
        "filename": payload.get("filename", ""),
        "sha256": payload.get("sha", ""),
        "dry_run": bool(payload.get("dry_run")),
        "state": job.state,
        "stage": job.stage,
        "progress": {"done": job.done, "total": job.total, "percent": job.percent},
        "message": job.message,
        "ok": report.get("ok") if job.state == Job.State.DONE else None,
        "summary": report.get("summary", ""),
        "counts": {
            "created": counts.get("create", 0),
            "updated": counts.get("update", 0),
            "unchanged": counts.get("unchanged", 0),
        },
        "problem_count": report.get("problem_count", 0),
        "problems": [
            {"row": p.get("row"), "column": p.get("column"), "message": p.get("message")}
            for p in report.get("problems", [])
        ],
    }


class ImportViewSet(viewsets.ViewSet):
    """POST /api/imports/, GET /api/imports/<id>, POST /api/imports/<id>/confirm."""

    parser_classes = [MultiPartParser, FormParser]
    schema = error_documenting_schema()
    lookup_value_regex = r"[0-9]+"

    def _job(self, request, pk) -> Job:
        job = job_of(request.user, pk)
        if job is None or job.kind != jobs.JOB_KIND:
            raise Http404(NOT_FOUND)
        return job

    @extend_schema(
        summary="上传文件导入（先检查）",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={202: ImportStateSerializer},
    )
    def create(self, request):
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = get_kind(data.validated_data["kind"], for_import=True)
        if not may_import(request.user, kind):
            raise PermissionDeniedError(f"您没有导入“{kind.title}”的权限。")
        uploaded = data.validated_data["file"]
        limit = default_max_bytes()
        if uploaded.size > limit:
            raise QingxieError(_too_big_message(limit, uploaded.size), field="file")
        # dry_run false: the import itself, which checks every row first and writes all or none.
        job = jobs.check_upload(
            request.user, uploaded, kind=kind, dry_run=data.validated_data["dry_run"]
        )
        return Response({"id": job.pk, "state": job.state}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="导入任务的状态、进度、计数和问题", responses=ImportDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(import_detail(self._job(request, pk)))

    @extend_schema(
        summary="确认导入已检查通过的文件", request=None, responses={202: ImportStateSerializer}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self._job(request, pk)
        report = job.result or {}
        if job.state != Job.State.DONE or not job.payload.get("dry_run"):
            raise QingxieError("该文件尚未检查完毕，或已经导入，不能再次确认。", code="not_checked")
        if not report.get("ok"):
            raise QingxieError("该文件检查未通过，请改正后重新上传。", code="has_problems")
        job = jobs.confirm(job)
        return Response({"id": job.pk, "state": job.state}, status=status.HTTP_202_ACCEPTED)


#: Not on the main router: its meta-tests take every viewset there for a model's CRUD API,
#: and a job is not one (urls.py adds these patterns beside the router's, same URL shape).
_router = SimpleRouter()
_router.trailing_slash = "/?"
_router.register("imports", ImportViewSet, basename="import")
urlpatterns = _router.urls
