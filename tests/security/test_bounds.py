"""Bounds on every field and body (issue 18, items 4 and 7): a 10 MB note, a 50 MB JSON body
and a 300 MB evidence upload, each refused early — the body unread or the upload stopped at
its limit while it streams — with a message naming the field or the limit; nothing written;
the change log stays small even for a value that got past every bound."""

from __future__ import annotations

import io
import json
import resource
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from qingxie.accounts.services import api_token_issue
from qingxie.core.errors import QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.tabular import CellError
from qingxie.ledger import services as ledger
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem
from tests.ledger.test_api import make_association

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
TEN_MB_NOTE = "注" * 10_485_760


class Generated(io.RawIOBase):
    """A request body generated as it is read (a head, then filler), counting what was read."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.read_bytes = head, size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.read_bytes >= self.size:
            return 0
        n = min(len(buffer), self.size - self.read_bytes)
        start = self.read_bytes
        chunk = self.head[start : start + n] if start < len(self.head) else b""
        buffer[:n] = chunk + b"x" * (n - len(chunk))
        self.read_bytes += n
        return n


@pytest.fixture
def wsgi(monkeypatch):
    """The whole stack (middleware, DRF, upload handlers) as a server runs it."""
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = WSGIHandler()

    def call(method, path, body: Generated, *, content_type, length, token):
        status = {}

        def start_response(line, headers):
            status["code"] = int(line.split()[0])
            status["headers"] = dict(headers)

        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BufferedReader(body, 64 * 1024),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(length),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
        }
        content = b"".join(app(environ, start_response))
        return status["code"], status["headers"], content

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_10_mb_note_is_refused_by_the_api_and_by_the_service(client_for):
    hz = make_association("440105")
    client = client_for("county_admin", "440105")
    before = ObjectChange.objects.count()
    # Within the body limit but past the field's: a 400 naming the field and its limit.
    response = client.patch(
        f"/api/associations/{hz.number}", {"note": "注" * 2001}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["note"] == ["不能超过 2000 个字。"]
    # Past the body limit: 413 before it is parsed.
    response = client.patch(
        f"/api/associations/{hz.number}", {"note": TEN_MB_NOTE}, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    # Past every form and serializer (a service called directly): the model's bound.
    with pytest.raises(QingxieError) as refused:
        ledger.association_update(actor=None, association=hz, note=TEN_MB_NOTE)
    assert refused.value.errors == {"note": ["“备注”不能超过 2000 个字（现为 10485760 个字）。"]}
    assert ObjectChange.objects.count() == before
    assert Association.objects.get(pk=hz.pk).note == ""


def test_a_50_mb_json_body_is_refused_unread(wsgi, make_user):
    hz = make_association("440105")
    token = api_token_issue(actor=None, user=make_user("county_admin", "440105"))
    size = 50 * MB
    body = Generated(b'{"note": "', size)
    code, headers, content = wsgi(
        "PATCH",
        f"/api/associations/{hz.number}",
        body,
        content_type="application/json",
        length=size,
        token=token,
    )
    assert code == 413 and headers["Content-Type"].startswith("application/json")
    assert json.loads(content)["error"]["message"] == "请求体过大：超过了 2 MB 的上限。"
    assert body.read_bytes == 0


def _evidence_body(entry_fields: dict, size: int) -> tuple[bytes, str]:
    boundary = "qingxieboundary"
    head = b""
    for name, value in entry_fields.items():
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; '
        'filename="证书.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
    ).encode()
    return head, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("declared_mb", [300, 29], ids=["declared-300MB", "within-ceiling"])
def test_a_huge_evidence_upload_stops_at_its_limit_while_streaming(
    wsgi, make_user, settings, tmp_path, declared_mb
):
    """300 MB declared: refused before one byte is read. A body whose declared length is
    within the request ceiling but whose evidence passes 20 MB: stopped at 20 MB, never
    spooled whole; nothing written; the process's memory barely moves."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    hz = make_association("440105")
    item = ChecklistItem.objects.get(code="registration")
    token = api_token_issue(actor=None, user=make_user("county_admin", "440105"))
    head, content_type = _evidence_body(
        {"association": hz.number, "item": item.code, "note": "已登记"}, declared_mb * MB
    )
    size = declared_mb * MB
    body = Generated(head, size)
    rss = peak_rss_mb()
    code, headers, content = wsgi(
        "POST",
        "/api/checklist-entries/",
        body,
        content_type=content_type,
        length=size,
        token=token,
    )
    assert code == 413 and headers["Content-Type"].startswith("application/json")
    message = json.loads(content)["error"]["message"]
    if declared_mb == 300:
        assert body.read_bytes == 0
        assert "超过了 30 MB 的上限，未接收" in message
    else:
        assert 20 * MB < body.read_bytes < 21 * MB
        assert message == "文件“证书.pdf”超过了 20 MB 的上限，已停止接收。"
    assert not [p for p in tmp_path.iterdir() if p.is_file() and p.stat().st_size > MB]
    assert peak_rss_mb() - rss < 60
    assert not ChecklistEntry.objects.filter(association=hz).exists()


def test_the_change_log_keeps_a_long_value_as_its_start_length_and_digest():
    """A value that reached a row some other way (an old row, a migration) is logged
    bounded: the entry holds 200 characters, the length and the SHA-256, not 20 MB."""
    import hashlib

    hz = make_association("440105")
    Association.objects.filter(pk=hz.pk).update(note=TEN_MB_NOTE)
    hz.refresh_from_db()
    ledger.association_update(actor=None, association=hz, note="换届后整理")
    entry = ObjectChange.objects.filter(object_id=str(hz.pk)).latest("id")
    before = entry.before["note"]
    digest = hashlib.sha256(TEN_MB_NOTE.encode()).hexdigest()
    assert before == "注" * 200 + f"…（共 10485760 字，SHA-256 {digest}）"
    assert entry.after["note"] == "换届后整理"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LENGTH(CAST(before AS TEXT)) FROM core_objectchange WHERE id = %s", [entry.pk]
        )
        assert cursor.fetchone()[0] < 20_000


def test_an_import_cell_past_its_column_bound_names_the_row_and_column():
    from qingxie.core.tabular.spec import Column

    column = Column("备注", "remark")
    with pytest.raises(CellError) as refused:
        column.parse("注" * 2001)
    assert refused.value.message == "不能超过2000个字（现为2001个字）。"


def test_every_text_field_of_every_model_is_bounded():
    """No qingxie model keeps text without a max_length (TextFields included)."""
    from django.apps import apps
    from django.db import models

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("qingxie.")
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and not field.max_length
    ]
    assert unbounded == []


def test_an_evidence_file_past_its_limit_on_the_page_says_so(client_for, settings, tmp_path):
    """The checklist page's form: the file stopped at 20 MB while it streams; a 413 naming
    the file and the limit; nothing written."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QINGXIE_UPLOAD_LIMITS = {"evidence": 1 * MB}
    hz = make_association("440105")
    client = client_for("county_admin", "440105")
    big = SimpleUploadedFile("章程.pdf", b"%PDF-1.4\n" + b"x" * (2 * MB), "application/pdf")
    response = client.post(
        f"/associations/{hz.number}/checklist/charter/", {"note": "已通过", "evidence": big}
    )
    assert response.status_code == 413
    assert "文件“章程.pdf”超过了 1 MB 的上限，已停止接收。" in response.content.decode()
    assert not ChecklistEntry.objects.filter(association=hz).exists()
