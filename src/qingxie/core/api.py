"""API bases: pagination limits and the one error shape.

The service-backed viewset every object type's API subclasses is in `core.viewsets`: DRF
imports this module (for Pagination and the exception handler) while its own views are still
loading, so nothing here may import rest_framework's views, generics or viewsets.
"""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from qingxie.core.errors import ConflictError, PermissionDeniedError, QingxieError


class Pagination(PageNumberPagination):
    """Pages of 50 by default; a client may ask for up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class Conflict(exceptions.APIException):
    """409: the record changed since the client read it (optimistic locking)."""

    status_code = 409
    default_detail = gettext_lazy("该记录已被他人修改，请重新读取后再提交。")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """413: the body is longer than the API takes (refused before or while it is read)."""

    status_code = 413
    default_code = "too_large"

    def __init__(self, limit: int):
        super().__init__(
            gettext("请求体过大：超过了 %(size)s 的上限。") % {"size": _size(limit)},
            code=self.default_code,
        )


def _size(limit: int) -> str:
    return f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit // 1024} KB"


#: Objects and lists inside one another: no write body of qingxie goes past a few levels.
MAX_JSON_DEPTH = 20


def json_depth(value) -> int:
    """How deeply objects and lists nest in `value` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(JSONParser):
    """JSON bodies within bounds, each refusal a 400 (413 for size) in the one error shape.

    The body is read up to DATA_UPLOAD_MAX_MEMORY_SIZE (a longer one is refused from its
    declared length, or after that many bytes, never read whole); it must be UTF-8, a JSON
    object (`null`, `123`, `true` or a list are refused: every write takes named fields),
    without NaN or Infinity, nested at most MAX_JSON_DEPTH deep.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(declared or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise PayloadTooLarge(limit)
        raw = stream.read(limit + 1 if limit is not None else -1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(limit)
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(gettext("请求体不是 UTF-8 编码的 JSON。")) from exc
        except RecursionError as exc:
            raise exceptions.ParseError(
                gettext("请求体的 JSON 嵌套过深（最多 %(MAX_JSON_DEPTH)s 层）。")
                % {"MAX_JSON_DEPTH": MAX_JSON_DEPTH}
            ) from exc
        except ValueError as exc:
            raise exceptions.ParseError(
                gettext("请求体不是有效的 JSON：%(exc)s") % {"exc": exc}
            ) from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError(
                gettext('请求体必须是 JSON 对象（形如 {"字段": 值}），不能是 %(json_kind)s。')
                % {"json_kind": _json_kind(data)}
            )
        if json_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                gettext("请求体的 JSON 嵌套过深（最多 %(MAX_JSON_DEPTH)s 层）。")
                % {"MAX_JSON_DEPTH": MAX_JSON_DEPTH}
            )
        return data


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return gettext("数字")
    if isinstance(value, str):
        return gettext("字符串")
    return gettext("列表")


def exception_handler(exc, context):
    """Every API error as {"error": {"code", "message", "fields"?}} in Chinese, never a trace."""
    # Imported here: DRF loads this module while rest_framework.views is still importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    service_code = None
    if isinstance(exc, PermissionDeniedError):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, ConflictError):
        exc = Conflict(exc.message)
    elif isinstance(exc, QingxieError):
        service_code = exc.code  # e.g. "conflict", "duplicate": clients may act on it
        exc = exceptions.ValidationError(exc.errors, code=exc.code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or gettext("未找到。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        limit = getattr(exc, "limit", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = getattr(exc, "message", None)
        exc = PayloadTooLarge(limit)
        if message:
            exc.detail = exceptions.ErrorDetail(message, code="too_large")
    elif isinstance(exc, RecursionError):
        exc = exceptions.ParseError(
            gettext("请求体的 JSON 嵌套过深（最多 %(MAX_JSON_DEPTH)s 层）。")
            % {"MAX_JSON_DEPTH": MAX_JSON_DEPTH}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body: dict = {"code": service_code or getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["message"] = gettext("提交的数据有误。")
        body["fields"] = detail
    elif isinstance(detail, dict) and "detail" in detail:
        body["message"] = str(detail["detail"])
        body["code"] = getattr(detail["detail"], "code", body["code"])
    else:
        body["message"] = str(detail)
    return Response({"error": body}, status=response.status_code, headers=response.headers)


class ErrorBodySerializer(serializers.Serializer):
    """The body of every API error (for the schema)."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    """{"error": {...}}: the one error shape (for the schema)."""

    error = ErrorBodySerializer()


#: Errors any operation can answer with, documented so that clients (and the generated
#: schemathesis cases) know their shape: refused input, no credentials, outside the scope or
#: not allowed, not found, a conflicting edit, too many requests. In Chinese, like the rest of
#: the schema's descriptions.
ERROR_STATUSES = {
    "400": "输入有误（按字段列出）",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "不存在，或不在您的权限范围内",
    "409": "与他人的修改冲突",
    "413": "请求体过大",
    "429": "请求过于频繁",
}


@cache
def error_documenting_schema_class() -> type:
    """drf-spectacular's AutoSchema plus the error responses every operation can give.

    Built on first use: DRF imports this module (for Pagination and the exception handler)
    before drf-spectacular can be imported without a circular import.
    """
    from drf_spectacular.openapi import AutoSchema

    class ErrorDocumentingAutoSchema(AutoSchema):
        def _get_response_bodies(self, direction="response"):
            responses = super()._get_response_bodies(direction)
            for code, description in ERROR_STATUSES.items():
                if code not in responses:
                    responses[code] = self._get_response_for_code(ErrorSerializer, code)
                    responses[code]["description"] = description
            return responses

    return ErrorDocumentingAutoSchema


def error_documenting_schema():
    """The schema object a view sets as `schema = error_documenting_schema()`."""
    return error_documenting_schema_class()()
