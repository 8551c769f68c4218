"""Import and export pages: template download, upload → preview with every problem by row and
column → confirm → result; uploads private to their user; big uploads refused unread."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from openpyxl import load_workbook

from qingxie.core.models import ObjectChange
from qingxie.ledger.models import Association
from qingxie.sheets import views
from tests.sheets.files import LEDGER_HEADERS, ledger_row, xlsx

pytestmark = pytest.mark.django_db

GOOD = [
    ledger_row(
        region="440105",
        name="海珠区青年志愿者协会",
        form="青年志愿者协会",
        established_on="2019-03-05",
    ),
    ledger_row(
        region="440106",
        name="天河区青年志愿者协会",
        form="青年志愿者协会",
        established_on="2019-04-05",
    ),
]


def upload(client, tmp_path, rows, name="台账.xlsx"):
    path = xlsx(tmp_path / name, LEDGER_HEADERS, rows)
    with open(path, "rb") as fh:
        return client.post("/sheets/ledger/import/", {"file": fh}, follow=True)


@pytest.fixture
def gz(client_for):
    return client_for("city_admin", "440100")


def test_index_and_list_pages_link_to_template_import_and_export(gz):
    page = gz.get("/sheets/").content.decode()
    for href in (
        "/sheets/ledger/template/",
        "/sheets/ledger/import/",
        "/sheets/teams/export/",
        "/sheets/coverage/export/",
    ):
        assert href in page
    assert "/sheets/coverage/import/" not in page
    ledger = gz.get("/associations/").content.decode()
    assert 'href="/sheets/ledger/import/"' in ledger and 'href="/sheets/ledger/template/"' in ledger
    assert 'href="/sheets/teams/export/"' in gz.get("/teams/").content.decode()


def test_template_download(gz):
    response = gz.get("/sheets/teams/template/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[0] == "基层队伍" and "填写说明" in workbook.sheetnames


def test_upload_with_errors_lists_each_by_row_and_column_and_writes_nothing(gz, tmp_path):
    rows = [
        *GOOD,
        ledger_row(region="440105001", name="乙", form="协会", established_on="2020-01-01"),
    ]
    response = upload(gz, tmp_path, rows)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="problem-table"' in page and 'id="confirm-import"' not in page
    assert re.search(r'data-row="4" data-column="组织形式">.*“协会”不是可选值', page)
    assert re.search(r'data-row="4" data-column="行政区划代码">.*是乡级区划（赤岗街道）', page)
    assert "2 处错误（涉及 1 行），未写入任何数据" in page
    assert not Association.objects.exists()
    problems = gz.get(re.search(r'href="([^"]+/problems/)"', page).group(1))
    text = b"".join(problems.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "行,列,问题" and "是乡级区划" in text


def test_clean_upload_previews_then_confirm_writes_and_logs_the_file(gz, tmp_path):
    response = upload(gz, tmp_path, GOOD, name="广州台账.xlsx")
    page = response.content.decode()
    assert 'id="confirm-import"' in page and 'id="count-create">2<' in page
    assert not Association.objects.exists()  # the preview is a dry run
    job_url = response.redirect_chain[-1][0]
    sha = job_url.rstrip("/").rsplit("/", 1)[-1]
    result = gz.post(job_url, follow=True).content.decode()
    assert "已新增 2 条" in result and 'id="to-list"' in result
    assert Association.objects.count() == 2
    entry = ObjectChange.objects.filter(note__contains=sha).first()
    assert entry.channel == "web" and "广州台账.xlsx" in entry.note
    # Confirming again (a double click) does not import a second time.
    gz.post(job_url)
    assert Association.objects.count() == 2


def test_a_city_user_sees_rows_outside_its_city_named(gz, tmp_path):
    rows = [
        *GOOD,
        ledger_row(
            region="440305", name="南山区青协", form="青年志愿者协会", established_on="2019-01-01"
        ),
    ]
    page = upload(gz, tmp_path, rows).content.decode()
    assert "南山区（440305）不在您的管辖范围内，不能导入。" in page


def test_an_upload_belongs_to_the_user_who_sent_it(gz, client_for, tmp_path):
    job_url = upload(gz, tmp_path, GOOD).redirect_chain[-1][0]
    other = client_for("city_admin", "440100")
    assert other.get(job_url).status_code == 404
    other.post(job_url)
    assert not Association.objects.exists()


def test_a_viewer_may_export_but_not_import(client_for, tmp_path):
    viewer = client_for("viewer", "440100")
    assert viewer.get("/sheets/ledger/import/").status_code == 403
    path = xlsx(tmp_path / "a.xlsx", LEDGER_HEADERS, GOOD)
    with open(path, "rb") as fh:
        assert viewer.post("/sheets/ledger/import/", {"file": fh}).status_code == 403
    response = viewer.post(
        "/sheets/ledger/export/", {"region": "440100", "format": "csv", "as_of": ""}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_not_a_spreadsheet_is_refused_on_the_page(gz):
    fake = SimpleUploadedFile("scan.xlsx", b"%PDF-1.4 not a spreadsheet")
    page = gz.post("/sheets/ledger/import/", {"file": fake}, follow=True).content.decode()
    assert "不是有效的 Excel（.xlsx）文件" in page


def test_an_empty_upload_is_refused(gz):
    page = gz.post(
        "/sheets/ledger/import/", {"file": SimpleUploadedFile("a.csv", b"")}
    ).content.decode()
    assert "上传的文件是空的" in page


class _Endless(io.RawIOBase):
    """A request body 200 MB long that is generated as it is read, counting what was read."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size, self.read_bytes = head, size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.read_bytes >= self.size:
            return 0
        n = min(len(buffer), self.size - self.read_bytes)
        chunk = (
            (self.head + b"x" * n)[self.read_bytes : self.read_bytes + n]
            if self.read_bytes < len(self.head)
            else b"x" * n
        )
        buffer[:n] = chunk[:n].ljust(n, b"x")
        self.read_bytes += n
        return n


def _big_request(make_user, size: int, *, declared: int):
    user = make_user("city_admin", "440100")
    boundary = "qingxieboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = _Endless(head, size)
    request = RequestFactory().post(
        "/sheets/ledger/import/", data=b"", content_type=f"multipart/form-data; boundary={boundary}"
    )
    request.META["CONTENT_TYPE"] = f"multipart/form-data; boundary={boundary}"
    request._set_content_type_params(request.META)
    request.META["CONTENT_LENGTH"] = str(declared)
    request.META["wsgi.input"] = body
    from django.core.handlers.wsgi import LimitedStream

    request._stream = LimitedStream(body, declared)
    request.user = user
    request._dont_enforce_csrf_checks = True
    return request, body


def test_a_200_mb_upload_is_refused_without_reading_it(make_user):
    size = 200 * 1024 * 1024
    request, body = _big_request(make_user, size, declared=size)
    response = views.ImportView.as_view()(request, kind="ledger")
    assert response.status_code == 413
    assert "文件太大（约 200 MB）：一次最多导入 30 MB" in response.content.decode()
    assert body.read_bytes == 0


def test_a_file_over_the_limit_is_dropped_while_streaming(make_user, settings):
    settings.QINGXIE_IMPORT_MAX_BYTES = 1024 * 1024
    size = 1024 * 1024 + 32 * 1024  # declared length within the slack, file itself too big
    request, body = _big_request(make_user, size, declared=size)
    response = views.ImportView.as_view()(request, kind="ledger")
    assert response.status_code == 413 and "一次最多导入 1 MB" in response.content.decode()
    assert body.read_bytes == size  # read to its end and thrown away, not kept
    assert not list((settings.DATA_DIR / "imports").rglob("*.xlsx"))


def test_export_page_form_and_download(gz):
    form = gz.get("/sheets/ledger/export/").content.decode()
    assert 'value="440100"' in form  # the user's own region by default
    response = gz.post(
        "/sheets/ledger/export/", {"region": "440100", "format": "xlsx", "as_of": "2021-05-06"}
    )
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "20210506.xlsx" in response["Content-Disposition"]
    )
    refused = gz.post("/sheets/ledger/export/", {"region": "440300", "format": "xlsx", "as_of": ""})
    assert refused.status_code == 403 and "不在您的管辖范围内" in refused.content.decode()
    bad = gz.post(
        "/sheets/coverage/export/", {"region": "440100001", "format": "xlsx", "as_of": ""}
    )
    assert bad.status_code == 400


def _run_queued():
    """Do what a worker does: take the queue's messages and run them with django-q2's worker."""
    from multiprocessing import Queue, Value

    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.signing import SignedPackage
    from django_q.worker import worker

    broker = get_broker()
    ran = 0
    # In this process the worker must keep the test's connection (its transaction holds the
    # test data); django-q2 keeps connections when it runs in sync mode, as it does here.
    was, Conf.SYNC = Conf.SYNC, True
    try:
        for task_id, package in broker.dequeue() or []:
            tasks, results = Queue(), Queue()
            tasks.put(SignedPackage.loads(package))
            tasks.put("STOP")
            worker(tasks, results, Value("f", -1))
            broker.acknowledge(task_id)
            ran += 1
    finally:
        Conf.SYNC = was
    return ran


def test_the_queued_job_waits_for_a_worker_then_reports_and_finishes(
    client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    """As served: the upload's check waits on the queue (the page keeps polling) until a
    worker takes it; the confirm is a second trip through the queue."""
    settings.QINGXIE_JOBS_SYNC = False
    client = client_for("city_admin", "440100")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, tmp_path, GOOD)
    job_url = response.redirect_chain[-1][0]
    page = client.get(job_url + "status/").content.decode()
    assert 'data-state="running"' in page and 'hx-trigger="every 1s"' in page
    assert "排队等待" in page
    assert _run_queued() == 1
    page = client.get(job_url + "status/").content.decode()
    assert 'data-state="done"' in page and 'id="confirm-import"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url)
    assert not Association.objects.exists()  # nothing is written before a worker runs it
    assert _run_queued() == 1
    page = client.get(job_url + "status/").content.decode()
    assert "已新增 2 条" in page and Association.objects.count() == 2


def test_phones_in_clear_for_the_region_admin_masked_for_a_viewer(client_for):
    from qingxie.ledger import services
    from qingxie.regions.models import Region

    services.association_create(
        actor=None,
        region=Region.objects.get(code="440105"),
        name="海珠青协",
        form="other",
        established_on=datetime.date(2019, 1, 1),
        president_phone="13800138000",
    )
    url, form = "/sheets/ledger/export/", {"region": "440100", "format": "csv", "as_of": ""}
    admin = b"".join(client_for("city_admin", "440100").post(url, form).streaming_content).decode(
        "utf-8-sig"
    )
    viewer = b"".join(client_for("viewer", "440100").post(url, form).streaming_content).decode(
        "utf-8-sig"
    )
    assert "13800138000" in admin and "138****8000" not in admin
    assert "138****8000" in viewer and "13800138000" not in viewer
    assert ObjectChange.objects.filter(action=ObjectChange.Action.EXPORT).count() == 2


def test_the_preview_page_shows_old_to_new_for_an_updated_association(gz, tmp_path):
    assert gz.post(upload(gz, tmp_path, GOOD).redirect_chain[-1][0]).status_code == 302
    haizhu = Association.objects.get(region__code="440105")
    changed = [
        ledger_row(
            number=haizhu.number,
            region="440105",
            name="海珠区青年志愿服务联合会",
            form="青年志愿者协会",
            established_on="2019-03-05",
            president_phone="13812345678",
        )
    ]
    page = upload(gz, tmp_path, changed, name="改名.xlsx").content.decode()
    row = re.search(r'<tr data-row="2">.*?</tr>', page, re.S).group(0)
    assert "海珠区青年志愿者协会</del> → <ins>海珠区青年志愿服务联合会" in row
    assert "<del>（空）</del> → <ins>138****5678</ins>" in row  # personal: masked
    assert "13812345678" not in page


def test_the_export_region_may_be_typed_by_name(gz):
    form = gz.get("/sheets/ledger/export/").content.decode()
    assert "data-region-picker" in form
    response = gz.post("/sheets/ledger/export/", {"region": "海珠区", "format": "csv"})
    assert response.status_code == 200
    assert quote("_海珠区_") in response["Content-Disposition"]
    unknown = gz.post("/sheets/ledger/export/", {"region": "没有这个地方", "format": "csv"})
    assert unknown.status_code == 400
    assert "没有名称或代码为“没有这个地方”的行政区划。" in unknown.content.decode()
    outside = gz.post("/sheets/ledger/export/", {"region": "深圳", "format": "csv"})
    assert outside.status_code == 403
