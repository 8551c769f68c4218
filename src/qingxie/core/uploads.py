"""Uploaded files bounded while they stream, on every page and API endpoint.

Django's own handlers keep a file of any size (in memory, then a temporary file) and only
then does a form or service see its size: a 300 MB "evidence" upload spooled 251 MB to disk
before its 400. `BoundedUploadHandler` comes first in FILE_UPLOAD_HANDLERS and counts each
file's bytes as they arrive: a request whose declared length already passes every limit is
refused before one byte is read; a file that passes its limit (by field name,
QINGXIE_UPLOAD_LIMITS, else QINGXIE_UPLOAD_MAX_BYTES) stops the upload there. On the API the
answer is a 413 in the one error shape; on a page, Django's 400.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext

MB = 1024 * 1024
#: Room for the multipart framing and a form's other fields around its files.
SLACK = 256 * 1024


def _size(limit: int) -> str:
    return f"{limit / MB:.0f} MB" if limit >= MB else f"{limit // 1024} KB"


def default_limit() -> int:
    return int(getattr(settings, "QINGXIE_UPLOAD_MAX_BYTES", 30 * MB))


def field_limit(field_name: str) -> int:
    """The most one file of this form field may hold."""
    limits = getattr(settings, "QINGXIE_UPLOAD_LIMITS", {}) or {}
    return int(limits.get(field_name, default_limit()))


class UploadTooLarge(RequestDataTooBig):
    """A file past its limit, found while it streamed (a 400 on pages, 413 on the API)."""

    def __init__(self, message: str, limit: int):
        super().__init__(message)
        self.message = message
        self.limit = limit


class BoundedUploadHandler(FileUploadHandler):
    """Counts every uploaded file's bytes and stops the request at its limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        ceiling = max(
            [default_limit(), *(getattr(settings, "QINGXIE_UPLOAD_LIMITS", {}) or {}).values()]
        )
        if content_length and content_length > ceiling + SLACK:
            raise UploadTooLarge(
                gettext("上传的内容约 %(value)s MB，超过了 %(size)s 的上限，未接收。")
                % {"value": format(content_length / MB, ".0f"), "size": _size(ceiling)},
                ceiling,
            )
        return None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        self.limit = field_limit(field_name)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._discard()
            raise UploadTooLarge(
                gettext("文件“%(file_name)s”超过了 %(size)s 的上限，已停止接收。")
                % {"file_name": self.file_name, "size": _size(self.limit)},
                self.limit,
            )
        return raw_data

    def file_complete(self, file_size):
        return None

    def _discard(self) -> None:
        """Close (and so delete) what the handlers after this one spooled of the file."""
        for handler in getattr(self.request, "upload_handlers", ()):
            spooled = getattr(handler, "file", None)
            if handler is not self and spooled is not None:
                with contextlib.suppress(OSError):
                    spooled.close()
