"""Bulletin files written on the job queue: progress shown, the file kept and served again at
once while the data are unchanged, written anew after a change to the data."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from qingxie.core.jobs import Job, job_run
from qingxie.regions.models import Region
from qingxie.reports import jobs
from tests.reports.conftest import AS_OF, found

pytestmark = pytest.mark.django_db

URL = "/reports/bulletin/{}/"


@pytest.fixture
def writes(monkeypatch):
    """How many times a Word file was laid out (a kept file is not laid out again)."""
    from qingxie.reports import word

    calls = []
    real = word.bulletin_docx

    def counting(bulletin):
        calls.append(bulletin.region_code)
        return real(bulletin)

    monkeypatch.setattr(word, "bulletin_docx", counting)
    return calls


def download(client, code="440100", **params):
    params = {"as_of": AS_OF.isoformat(), "format": "docx", **params}
    return client.get(URL.format(code), params)


def test_the_job_reports_each_step():
    seen = []
    region = Region.objects.get(code="440100")
    result = jobs.bulletin_write(
        region, AS_OF, "docx", None, lambda stage, done, total: seen.append((stage, done, total))
    )
    assert [s for s, _, _ in seen] == ["统计数据", "绘制地图和趋势图", "排版", "保存"]
    assert [d for _, d, _ in seen] == [0, 1, 2, 3] and {t for _, _, t in seen} == {4}
    assert result["filename"] == "广州市工作信息（2021-05-06）.docx"


def test_a_download_waits_on_a_job_page_with_progress_then_gets_the_file(
    guangzhou, client_for, settings, writes
):
    settings.QINGXIE_JOBS_SYNC = False
    client = client_for("city_admin", "440100")
    response = download(client, issue="3")
    assert response.status_code == 302
    job = Job.objects.get(kind=jobs.JOB_KIND)
    assert response["Location"] == f"/reports/bulletin/440100/job/{job.pk}/"
    # The queue also records the language of the request that queued the job.
    assert job.payload == {
        "region": "440100",
        "as_of": "2021-05-06",
        "fmt": "docx",
        "issue": 3,
        "_language": "zh-hans",
    }
    page = client.get(response["Location"]).content.decode()
    assert "排队等待" in page and "<progress" in page and "job-download" not in page
    # A second click while it waits follows the same job.
    assert download(client, issue="3")["Location"] == response["Location"]
    assert Job.objects.filter(kind=jobs.JOB_KIND).count() == 1

    job_run(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.stage == "完成"
    status = client.get(f"/reports/bulletin/440100/job/{job.pk}/status/").content.decode()
    assert "job-download" in status and "hx-get" not in status
    assert "广州市工作信息（2021-05-06）.docx 已生成" in status
    as_json = client.get(
        f"/reports/bulletin/440100/job/{job.pk}/status/", HTTP_ACCEPT="application/json"
    ).json()
    assert as_json["state"] == "done" and as_json["download_url"].endswith("format=docx&issue=3")
    got = client.get(as_json["download_url"])
    assert got.status_code == 200 and got.content.startswith(b"PK")
    assert "filename*=UTF-8''" in got["Content-Disposition"]
    assert writes == ["440100"]


def test_the_kept_file_is_served_again_without_writing(guangzhou, client_for, writes):
    client = client_for("city_admin", "440100")
    first = download(client)
    assert first.status_code == 200 and writes == ["440100"]
    second = download(client_for("province_admin", "440000"))
    assert second.status_code == 200 and second.content == first.content
    assert writes == ["440100"]
    # Another date, issue or format is another file.
    assert download(client, issue="2").status_code == 200
    assert writes == ["440100", "440100"]


def test_a_change_to_the_data_writes_the_file_anew_and_drops_the_old(guangzhou, client_for, writes):
    from django.core.files.storage import default_storage

    client = client_for("city_admin", "440100")
    before = jobs.data_version(Region.objects.get(code="440100"))
    download(client)
    folder = "bulletins/440100"
    assert len(default_storage.listdir(folder)[1]) == 1

    found("440112", on=datetime.date(2021, 4, 1))  # 黄埔区 founds an association
    after = jobs.data_version(Region.objects.get(code="440100"))
    assert after != before
    response = download(client)
    assert writes == ["440100", "440100"]
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "共有5个成立团属志愿服务组织" in text
    # Only the file of the data as they are now is kept.
    assert default_storage.listdir(folder)[1] == [f"2021-05-06_0_zh-hans_{after}.docx"]


def test_a_change_elsewhere_keeps_the_file(guangzhou, client_for, writes):
    client = client_for("city_admin", "440100")
    download(client)
    found("510104")  # 成都 is not under 广州
    download(client)
    assert writes == ["440100"]


def test_someone_elses_job_is_not_found(guangzhou, client_for, settings):
    settings.QINGXIE_JOBS_SYNC = False
    location = download(client_for("city_admin", "440100"))["Location"]
    other = client_for("city_admin", "440100")
    assert other.get(location).status_code == 404
    assert client_for("province_admin", "510000").get(location).status_code == 404


def test_prepare_writes_what_is_missing_and_keeps_the_rest(guangzhou, writes, capsys):
    call_command(
        "report", "prepare", "--region", "440100", "--format", "docx", "--as-of", "2021-05-06"
    )
    assert writes == ["440100"]
    call_command(
        "report", "prepare", "--region", "440100", "--format", "docx", "--as-of", "2021-05-06"
    )
    assert writes == ["440100"]
    out = capsys.readouterr().out
    assert "440100 已生成" in out and "440100 已是最新" in out
    region = Region.objects.get(code="440100")
    assert jobs.stored_file(region, AS_OF, "docx") is not None


def test_prepare_by_default_covers_the_nation_and_the_provinces(monkeypatch):
    written = []
    monkeypatch.setattr(jobs, "bulletin_write", lambda r, *a, **k: written.append(r.code))
    jobs.prepare(as_of=AS_OF)
    assert written[0] == "000000" and "440000" in written
    assert all(Region.objects.get(code=c).level <= 1 for c in written)
    # 香港, 澳门, 台湾 have no county-level units and no bulletin figures to write ahead.
    assert "810000" not in written


def test_the_periodic_job_can_be_turned_off(monkeypatch):
    written = []
    monkeypatch.setattr(jobs, "prepare", lambda **k: written.append(k))
    monkeypatch.setenv("QINGXIE_BULLETIN_PREPARE", "0")
    jobs.prepare_periodically()
    assert written == []
    monkeypatch.setenv("QINGXIE_BULLETIN_PREPARE", "1")
    jobs.prepare_periodically()
    assert written == [{}]
