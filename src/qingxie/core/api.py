"""API bases: pagination limits and the one error shape."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from qingxie.core.errors import PermissionDeniedError, QingxieError


class Pagination(PageNumberPagination):
    """Pages of 50 by default; a client may ask for up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Every API error as {"error": {"code", "message", "fields"?}} in Chinese, never a trace."""
    # Imported here: DRF loads this module while rest_framework.views is still importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    service_code = None
    if isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, QingxieError):
        service_code = exc.code  # e.g. "conflict", "duplicate": clients may act on it
        exc = exceptions.ValidationError(exc.errors, code=exc.code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "未找到。")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body: dict = {"code": service_code or getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["message"] = "提交的数据有误。"
        body["fields"] = detail
    elif isinstance(detail, dict) and "detail" in detail:
        body["message"] = str(detail["detail"])
        body["code"] = getattr(detail["detail"], "code", body["code"])
    else:
        body["message"] = str(detail)
    return Response({"error": body}, status=response.status_code, headers=response.headers)
