"""Structured logs: one JSON object per line (time, level, logger, message, request id, user id,
path, method, status, duration), and no traceback for the refusals a server expects.

`settings.LOGGING` uses `JsonFormatter` for the log file in `<data dir>/logs/` and
`ExpectedResponseFilter` on every handler. The access line of each request is written by
`ops.middleware.RequestLogMiddleware` to the logger `qingxie.access`.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging

#: What the request being served adds to every record logged while it runs.
request_fields: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "qingxie_request_fields", default=None
)

#: Attributes every LogRecord has; anything else on a record is an `extra` field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_OUT = ("request_id", "user_id", "method", "path", "status", "duration_ms", "client_ip")


class JsonFormatter(logging.Formatter):
    """A LogRecord as one line of JSON (UTF-8 kept readable: Chinese messages stay Chinese)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = dict(request_fields.get() or {})
        if current and "request_id" not in current:
            # Inside a request, after core's ChangeContextMiddleware gave it its id.
            from qingxie.core.context import current_context

            active = current_context()
            if active.channel in ("web", "api"):
                current["request_id"] = str(active.request_id)
        for key in _OUT:
            value = getattr(record, key, None)
            if value is None:
                value = current.get(key)
            if value is not None:
                data[key] = value
        for key, value in record.__dict__.items():
            if value is None:
                continue
            if key not in _STANDARD and key not in data and not key.startswith("_"):
                if key in {"request", "server_time", "status_code"}:
                    continue
                data[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


#: Answers a server gives every day on purpose: a sign-in page, a refusal, a rate limit.
EXPECTED_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 410, 429})


class ExpectedResponseFilter(logging.Filter):
    """Drop Django's per-request warnings for expected refusals (403/404/429 …), which carry a
    full traceback of the exception that produced them; the access line already records the
    request with its status. Server errors (5xx) keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" or record.name.startswith("django.request."):
            status = getattr(record, "status_code", None)
            if status in EXPECTED_STATUSES:
                return False
        return True
