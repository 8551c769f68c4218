"""Large exports on the job queue: which exports are jobs, the kept file's key (a data version
change writes a new file), the gate on kept files and job pages, the log, and the sweep."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from qingxie.core.jobs import Job
from qingxie.core.models import ObjectChange
from qingxie.ledger import services
from qingxie.regions.models import Region
from qingxie.sheets import export_jobs
from qingxie.sheets.kinds import get_kind

pytestmark = pytest.mark.django_db

AS_OF = "2021-05-06"
FORM = {"region": "440000", "format": "xlsx", "as_of": AS_OF}


def _association(code="440105", name="海珠区青年志愿者协会", phone="13800138000"):
    return services.association_create(
        actor=None,
        region=Region.objects.get(code=code),
        name=name,
        form="youth_volunteer_association",
        established_on=datetime.date(2019, 1, 1),
        president_phone=phone,
    )


def _read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_threshold_province_and_nation_always_cities_by_row_count(settings):
    settings.QINGXIE_EXPORT_JOB_ROWS = 100
    nation, gd, gz = (Region.objects.get(code=c) for c in ("000000", "440000", "440100"))
    assert export_jobs.is_large(nation) and export_jobs.is_large(gd, 0)
    assert not export_jobs.is_large(gz) and not export_jobs.is_large(gz, 100)
    assert export_jobs.is_large(gz, 101)


def test_a_city_export_over_the_threshold_goes_through_the_job(client_for, settings):
    _association()
    _association("440106", "天河区青年志愿者协会")
    settings.QINGXIE_EXPORT_JOB_ROWS = 1
    gz = client_for("city_admin", "440100")
    response = gz.post("/sheets/ledger/export/", {**FORM, "region": "440100"})
    assert response.status_code == 302 and "/sheets/ledger/export/job/" in response["Location"]
    settings.QINGXIE_EXPORT_JOB_ROWS = 5000
    small = gz.post("/sheets/ledger/export/", {**FORM, "region": "440100"})
    assert small.status_code == 200 and "X-Qingxie-Export" not in small


def test_a_province_export_is_a_job_then_served_kept(client_for, tmp_path):
    _association()
    gd = client_for("province_admin", "440000")
    response = gd.post("/sheets/ledger/export/", FORM)
    assert response.status_code == 302
    job = Job.objects.get(kind=export_jobs.JOB_KIND)
    page = gd.get(response["Location"]).content.decode()
    assert 'id="job-download"' in page and "共 1 行" in page
    status = gd.get(response["Location"] + "status/", HTTP_ACCEPT="application/json").json()
    assert status["state"] == "done" and status["download_url"].endswith("/download/")
    first = _read(gd.get(status["download_url"]))
    (tmp_path / "a.xlsx").write_bytes(first)
    rows = list(load_workbook(tmp_path / "a.xlsx").worksheets[0].values)
    assert rows[1][3] == "海珠区青年志愿者协会" and "13800138000" in rows[1]
    # Sealed at rest: the phone number is nowhere in the kept file.
    with default_storage.open(job.result["name"], "rb") as fh:
        assert b"13800138000" not in fh.read() and job.result["name"].endswith(".sealed")
    # Asked again, same data: the kept file at once, no new job, logged again.
    again = gd.post("/sheets/ledger/export/", FORM)
    assert again.status_code == 200 and again["X-Qingxie-Export"] == "kept"
    assert _read(again) == first
    assert Job.objects.filter(kind=export_jobs.JOB_KIND).count() == 1
    logged = ObjectChange.objects.filter(action=ObjectChange.Action.EXPORT).order_by("pk")
    assert logged.count() == 2 and "取自已生成的文件" in logged.last().note
    assert "1 条" in logged.last().object_repr


def test_the_key_changes_with_the_data_and_the_old_file_goes(client_for):
    _association()
    gd = client_for("province_admin", "440000")
    kind, region = get_kind("ledger"), Region.objects.get(code="440000")
    day = datetime.date(2021, 5, 6)
    gd.post("/sheets/ledger/export/", FORM)
    user = Job.objects.get().owner
    key = export_jobs.export_key(user, kind, region, day, "xlsx")
    assert default_storage.exists(key.name)
    # A write in 广州 (inside 广东) changes the data version: a new key, a new job, a new file.
    _association("440106", "天河区青年志愿者协会")
    new_key = export_jobs.export_key(user, kind, region, day, "xlsx")
    assert new_key.version != key.version and new_key.stem == key.stem
    response = gd.post("/sheets/ledger/export/", FORM)
    assert response.status_code == 302
    assert Job.objects.count() == 2 and default_storage.exists(new_key.name)
    assert not default_storage.exists(key.name)  # the older version was removed
    # A write elsewhere (深圳 is outside 广州) leaves 广州's key as it was.
    gz = Region.objects.get(code="440100")
    before = export_jobs.export_key(user, kind, gz, day, "xlsx")
    _association("440303", "罗湖区青年志愿者协会")
    assert export_jobs.export_key(user, kind, gz, day, "xlsx") == before
    # Other date, format or variant: another file.
    assert export_jobs.export_key(user, kind, region, day, "csv").name != new_key.name
    assert key.variant == "clear"


def test_kept_files_are_shared_only_by_users_who_would_get_the_same_file(client_for):
    from django.test import Client

    _association()
    admin = client_for("province_admin", "440000")
    admin.post("/sheets/ledger/export/", FORM)
    job_url = f"/sheets/ledger/export/job/{Job.objects.get().pk}/"
    # A second administrator of 广东: the same file, served kept.
    other_admin = client_for("province_admin", "440000")
    served = other_admin.post("/sheets/ledger/export/", FORM)
    assert served.status_code == 200 and served["X-Qingxie-Export"] == "kept"
    # A viewer of 广东 (masked phones): never the administrator's file, a job of their own.
    viewer = client_for("viewer", "440000")
    response = viewer.post("/sheets/ledger/export/", FORM)
    assert response.status_code == 302 and Job.objects.count() == 2
    content = _read(viewer.get(response["Location"] + "download/"))
    assert b"13800138000" not in content
    # The job pages are their owner's: anyone else gets 404, in scope or not.
    for client in (other_admin, viewer, client_for("province_admin", "450000")):
        for suffix in ("", "status/", "download/"):
            assert client.get(job_url + suffix).status_code == 404
    outside = client_for("province_admin", "450000").post("/sheets/ledger/export/", FORM)
    assert outside.status_code == 403
    anonymous = Client().get(job_url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_owner_loses_the_file_with_the_scope(client_for, make_user):
    from django.test import Client

    from qingxie.accounts.models import RoleGrant

    _association()
    user = make_user("province_admin", "440000")
    client = Client()
    client.force_login(user)
    url = client.post("/sheets/ledger/export/", FORM)["Location"]
    assert client.get(url + "download/").status_code == 200
    RoleGrant.objects.filter(user=user).delete()
    assert client.get(url + "download/").status_code == 404


def test_a_queued_export_says_it_waits_for_the_worker(
    client_for, settings, django_capture_on_commit_callbacks
):
    from tests.sheets.test_pages import _run_queued

    settings.QINGXIE_JOBS_SYNC = False
    _association()
    gd = client_for("province_admin", "440000")
    with django_capture_on_commit_callbacks(execute=True):
        url = gd.post("/sheets/ledger/export/", FORM)["Location"]
    page = gd.get(url).content.decode()
    assert 'id="job-waiting-worker"' in page and "qingxie worker" in page
    assert 'http-equiv="refresh"' in page and 'hx-trigger="every 1s"' in page
    assert gd.get(url + "download/").status_code == 404  # not written yet
    assert _run_queued() == 1
    page = gd.get(url + "status/").content.decode()
    assert 'data-state="done"' in page and 'id="job-download"' in page


def test_the_sweep_removes_kept_files_older_than_a_day(client_for):
    _association()
    client_for("province_admin", "440000").post("/sheets/ledger/export/", FORM)
    name = Job.objects.get().result["name"]
    assert export_jobs.sweep_exports() == 0 and default_storage.exists(name)
    old = time.time() - 25 * 3600
    os.utime(default_storage.path(name), (old, old))
    assert export_jobs.sweep_exports() == 1 and not default_storage.exists(name)
    # Swept: the job's download says so, and the next request writes the file again.
    gd = client_for("province_admin", "440000")
    assert gd.post("/sheets/ledger/export/", FORM).status_code == 302


def test_the_sweep_is_a_periodic_job():
    from qingxie.core.jobs import PERIODIC

    assert PERIODIC["sheets.sweep_exports"].func is export_jobs.sweep_exports


def test_a_future_date_is_refused_before_any_job(client_for):
    gd = client_for("province_admin", "440000")
    response = gd.post("/sheets/ledger/export/", {**FORM, "as_of": "2999-01-01"})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert not Job.objects.exists()


def test_the_pages_speak_english_and_the_file_stays_chinese(client_for, tmp_path):
    _association()
    gd = client_for("province_admin", "440000")
    gd.cookies["django_language"] = "en"
    form = gd.get("/sheets/ledger/export/").content.decode()
    assert "Export Associations" in form and "Division (name or code)" in form
    url = gd.post("/sheets/ledger/export/", FORM)["Location"]
    page = gd.get(url).content.decode()
    assert "is ready: 1 row." in page and "Download file" in page
    (tmp_path / "en.xlsx").write_bytes(_read(gd.get(url + "download/")))
    book = load_workbook(tmp_path / "en.xlsx")
    assert book.worksheets[0]["A1"].value == "统一编号" and book.sheetnames[1] == "填写说明"
    # What the job stored (its stage, the change log) is Chinese whatever the page's language.
    assert Job.objects.get().stage == "完成"
    assert "协会台账导出" in ObjectChange.objects.get(action=ObjectChange.Action.EXPORT).object_repr
