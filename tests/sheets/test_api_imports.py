"""Imports over the API: upload → check (problems by row and column, counts) → confirm;
only the uploader sees a job; the rules and messages are the page's."""

from __future__ import annotations

import pytest

from qingxie.core.models import ObjectChange
from qingxie.ledger.models import Association
from tests.sheets.files import LEDGER_HEADERS, ledger_row, xlsx
from tests.sheets.test_pages import GOOD, _run_queued

pytestmark = pytest.mark.django_db


def post_file(client, tmp_path, rows, *, kind="ledger", dry_run=True, name="台账.xlsx"):
    path = xlsx(tmp_path / name, LEDGER_HEADERS, rows)
    with open(path, "rb") as fh:
        return client.post(
            "/api/imports/", {"kind": kind, "file": fh, "dry_run": "true" if dry_run else "false"}
        )


@pytest.fixture
def gz(client_for):
    return client_for("city_admin", "440100")


def test_a_clean_file_is_checked_then_confirmed(gz, tmp_path):
    created = post_file(gz, tmp_path, GOOD)
    assert created.status_code == 202
    body = created.json()
    assert set(body) == {"id", "state"} and body["state"] == "done"
    job = gz.get(f"/api/imports/{body['id']}").json()
    assert job["state"] == "done" and job["ok"] is True and job["dry_run"] is True
    assert job["counts"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert job["problems"] == [] and job["progress"]["done"] >= 0
    assert not Association.objects.exists()  # a check writes nothing

    confirmed = gz.post(f"/api/imports/{body['id']}/confirm")
    assert confirmed.status_code == 202 and confirmed.json()["id"] == body["id"]
    after = gz.get(f"/api/imports/{body['id']}").json()
    assert after["state"] == "done" and after["dry_run"] is False
    assert after["counts"]["created"] == 2 and Association.objects.count() == 2
    entry = ObjectChange.objects.filter(note__contains=after["sha256"]).first()
    assert entry.user.username.startswith("u") and entry.channel == "api"
    # Confirming twice is refused in the one error shape, and writes nothing more.
    again = gz.post(f"/api/imports/{body['id']}/confirm")
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_checked"
    assert Association.objects.count() == 2


def test_problems_come_by_row_and_column_and_the_file_cannot_be_confirmed(gz, tmp_path):
    rows = [*GOOD, ledger_row(region="440105001", name="乙", form="协会", established_on="x")]
    job_id = post_file(gz, tmp_path, rows).json()["id"]
    job = gz.get(f"/api/imports/{job_id}").json()
    assert job["ok"] is False and job["problem_count"] == len(job["problems"]) >= 2
    by_column = {p["column"]: p for p in job["problems"]}
    assert by_column["组织形式"]["row"] == 4
    assert "“协会”不是可选值" in by_column["组织形式"]["message"]
    assert "是乡级区划（赤岗街道）" in by_column["行政区划代码"]["message"]
    refused = gz.post(f"/api/imports/{job_id}/confirm")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "has_problems"
    assert not Association.objects.exists()


def test_dry_run_false_imports_at_once(gz, tmp_path):
    job_id = post_file(gz, tmp_path, GOOD, dry_run=False).json()["id"]
    job = gz.get(f"/api/imports/{job_id}").json()
    assert job["dry_run"] is False and job["counts"]["created"] == 2
    assert Association.objects.count() == 2


def test_only_the_uploader_sees_the_job(gz, client_for, tmp_path):
    job_id = post_file(gz, tmp_path, GOOD).json()["id"]
    other = client_for("city_admin", "440100")
    for response in (
        other.get(f"/api/imports/{job_id}"),
        other.post(f"/api/imports/{job_id}/confirm"),
        gz.get("/api/imports/999999"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "未找到该导入任务。"
    assert not Association.objects.exists()


def test_a_viewer_may_not_import_and_bad_requests_are_named(client_for, gz, tmp_path):
    viewer = client_for("viewer", "440100")
    refused = post_file(viewer, tmp_path, GOOD)
    assert refused.status_code == 403 and "没有导入" in refused.json()["error"]["message"]
    unknown = post_file(gz, tmp_path, GOOD, kind="nothing")
    assert unknown.status_code == 400 and "没有“nothing”这种表格" in str(unknown.json())
    missing = gz.post("/api/imports/", {"kind": "ledger"})
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]


def test_queued_until_a_worker_takes_it(gz, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.QINGXIE_JOBS_SYNC = False
    with django_capture_on_commit_callbacks(execute=True):
        body = post_file(gz, tmp_path, GOOD).json()
    assert body["state"] == "queued"
    assert gz.get(f"/api/imports/{body['id']}").json()["state"] == "queued"
    refused = gz.post(f"/api/imports/{body['id']}/confirm")
    assert refused.status_code == 400  # not checked yet
    assert _run_queued() == 1
    assert gz.get(f"/api/imports/{body['id']}").json()["counts"]["created"] == 2


def test_an_id_beyond_any_database_integer_is_a_plain_404(gz):
    response = gz.get("/api/imports/99999999999999999999999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
