"""Import staging (issue 18, item 8): an uploaded file (phone numbers and all) is sealed at
rest from the moment it is stored, deleted as soon as it is imported or refused, and swept
by the periodic job — not by the same user's next upload a day later."""

from __future__ import annotations

import datetime
import os
import time

import pytest

from qingxie.core.jobs import PERIODIC
from qingxie.ledger.models import Association
from qingxie.sheets import jobs
from tests.sheets.files import LEDGER_HEADERS, ledger_row

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def staged(settings, tmp_path, client_for):
    settings.QINGXIE_JOBS_SYNC = True
    settings.MEDIA_ROOT = tmp_path / "storage"
    return client_for("city_admin", "440100")


def csv_upload(client, tmp_path, *, good=True, name="台账.csv"):
    row = ledger_row(
        region="440105",
        name="海珠区青年志愿者协会",
        form="青年志愿者协会",
        established_on="2019-03-05" if good else "2099-01-01",
        president_name="陈海",
        president_phone=PHONE,
    )
    lines = [",".join(LEDGER_HEADERS), ",".join("" if v is None else str(v) for v in row)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(path, "rb") as fh:
        return client.post("/sheets/ledger/import/", {"file": fh}, follow=True)


def staged_files(settings) -> list:
    root = settings.MEDIA_ROOT / "imports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_staged_upload_is_sealed_then_deleted_when_imported(staged, settings, tmp_path):
    response = csv_upload(staged, tmp_path)
    assert 'id="confirm-import"' in response.content.decode()
    files = staged_files(settings)
    assert len(files) == 1 and files[0].name.endswith(".csv.sealed")
    content = files[0].read_bytes()
    assert PHONE.encode() not in content and "海珠".encode() not in content
    assert content.startswith(b"QXS1")
    staged.post(response.redirect_chain[-1][0])
    assert Association.objects.count() == 1
    assert staged_files(settings) == []  # imported: gone at once


def test_a_refused_check_deletes_the_upload_and_seals_its_problem_list(staged, settings, tmp_path):
    response = csv_upload(staged, tmp_path, good=False)
    assert "晚于今天" in response.content.decode()
    files = staged_files(settings)
    assert [f.name.endswith(".problems.csv.sealed") for f in files] == [True]
    assert PHONE.encode() not in files[0].read_bytes()
    # The cadre still downloads the clear list.
    job_url = response.redirect_chain[-1][0]
    listing = b"".join(staged.get(job_url + "problems/").streaming_content).decode("utf-8-sig")
    assert "晚于今天" in listing


def test_the_periodic_sweep_removes_what_waits_past_a_day(staged, settings, tmp_path):
    assert PERIODIC["sheets.sweep_uploads"].minutes <= 15
    csv_upload(staged, tmp_path)
    (waiting,) = staged_files(settings)
    assert jobs.sweep_uploads() == 0
    old = time.time() - jobs.KEEP_SECONDS - 60
    os.utime(waiting, (old, old))
    assert jobs.sweep_uploads() == 1
    assert staged_files(settings) == []
    assert datetime.timedelta(seconds=jobs.KEEP_SECONDS) <= datetime.timedelta(days=1)


def test_a_tampered_staged_file_is_refused_not_read(staged, settings, tmp_path):
    response = csv_upload(staged, tmp_path)
    (waiting,) = staged_files(settings)
    data = bytearray(waiting.read_bytes())
    data[40] ^= 0xFF
    waiting.write_bytes(bytes(data))
    result = staged.post(response.redirect_chain[-1][0], follow=True).content.decode()
    assert "暂存的上传文件无法读取" in result
    assert not Association.objects.exists()
